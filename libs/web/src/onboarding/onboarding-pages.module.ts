import { Module } from '@nestjs/common';
import { PeopleAdminModule } from '@pcn/directory';
import { OnboardingPagesController } from './onboarding-pages.controller';

/** Onboarding pages for platform admins: ICBs, PCNs with their member practices, clinical directors. */
@Module({
  imports: [PeopleAdminModule],
  controllers: [OnboardingPagesController],
})
export class OnboardingPagesModule {}
