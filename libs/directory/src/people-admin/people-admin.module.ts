import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule, OidcModule } from '@pcn/auth';
import { AuditModule } from '@pcn/audit';
import { DIRECTORY_ENTITIES } from '../directory.module';
import { PeopleAdminController } from './people-admin.controller';
import { PeopleAdminService } from './people-admin.service';
import { OnboardingController } from '../organisations/onboarding.controller';
import { OnboardingService } from '../organisations/onboarding.service';

/** People and accounts managed in the product, and onboarding ICBs and PCNs (API routes and the services the pages use). Needs Redis (ending sessions). */
@Module({
  imports: [TypeOrmModule.forFeature(DIRECTORY_ENTITIES), AccountsModule, AuditModule, OidcModule],
  controllers: [PeopleAdminController, OnboardingController],
  providers: [PeopleAdminService, OnboardingService],
  exports: [PeopleAdminService, OnboardingService, AccountsModule],
})
export class PeopleAdminModule {}
