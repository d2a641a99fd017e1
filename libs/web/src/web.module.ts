import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from '@pcn/auth';
import { WorkflowModule } from '@pcn/workflow';
import { DocumentsModule } from '@pcn/documents';
import { webConfig } from './web.config';
import { SignInController } from './sign-in/sign-in.controller';
import { Cis2PagesModule } from './sign-in/cis2-pages.module';
import { TasksPageController } from './tasks/tasks-page.controller';
import { ReviewPagesModule } from './review/review-pages.module';
import { DraftingPagesModule } from './drafting/drafting-pages.module';
import { RoundPagesModule } from './rounds/rounds-pages.module';
import { RecordsPagesModule } from './records/records-pages.module';
import { PeoplePagesModule } from './people/people-pages.module';
import { OnboardingPagesModule } from './onboarding/onboarding-pages.module';

/**
 * The pages people use (server-rendered, NHS design system). Thin: every page reads and
 * writes through the domain libs' services, exactly as the JSON API does.
 */
@Module({
  imports: [ConfigModule.forFeature(webConfig), AuthModule, WorkflowModule, DocumentsModule, ReviewPagesModule, DraftingPagesModule, RoundPagesModule, RecordsPagesModule, Cis2PagesModule, PeoplePagesModule, OnboardingPagesModule],
  controllers: [SignInController, TasksPageController],
})
export class WebModule {}
