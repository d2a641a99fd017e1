import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from '@pcn/auth';
import { WorkflowModule } from '@pcn/workflow';
import { DocumentsModule } from '@pcn/documents';
import { webConfig } from './web.config';
import { SignInController } from './sign-in/sign-in.controller';
import { TasksPageController } from './tasks/tasks-page.controller';
import { VerificationPageController } from './verify/verification-page.controller';

/**
 * The pages people use (server-rendered, NHS design system). Thin: every page reads and
 * writes through the domain libs' services, exactly as the JSON API does.
 */
@Module({
  imports: [ConfigModule.forFeature(webConfig), AuthModule, WorkflowModule, DocumentsModule],
  controllers: [SignInController, TasksPageController, VerificationPageController],
})
export class WebModule {}
