import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AgreementsModule } from '@pcn/agreements';
import { DirectoryModule } from '@pcn/directory';
import { DocumentsModule } from '@pcn/documents';
import { workflowConfig, WorkflowModule } from '@pcn/workflow';
import { AgreementPageController } from './agreement-page.controller';
import { RoundPagesController } from './round-pages.controller';

/** The agreement page and running an approval round: who will sign, send, progress, reminders, withdraw, extend, restart, variation. */
@Module({
  imports: [ConfigModule.forFeature(workflowConfig), AgreementsModule, DirectoryModule, DocumentsModule, WorkflowModule],
  controllers: [AgreementPageController, RoundPagesController],
  providers: [],
})
export class RoundPagesModule {}
