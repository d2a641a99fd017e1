import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgreementsModule } from '@pcn/agreements';
import { AuditModule } from '@pcn/audit';
import { OutboxModule } from '@pcn/database';
import { DirectoryModule } from '@pcn/directory';
import { workflowConfig } from './workflow.config';
import { WorkflowController } from './workflow.controller';
import { ClockModule } from '@pcn/common';
import { RoundCommandsService } from './rounds/round-commands.service';
import { RequestActionsService } from './rounds/request-actions.service';
import { RoundSchedulerService } from './rounds/round-scheduler.service';
import { RoundQueriesService } from './rounds/round-queries.service';
import { SignerResolutionService } from './rounds/signer-resolution.service';
import { ReviewService } from './review/review.service';
import { ApprovalRoundEntity } from './rounds/approval-round.entity';
import { SignatureRequestEntity } from './rounds/signature-request.entity';
import { AgreementExecutionEntity } from './executions/agreement-execution.entity';
import { SentEmailEntity } from './notifications/sent-email.entity';

export const WORKFLOW_ENTITIES = [ApprovalRoundEntity, SignatureRequestEntity, AgreementExecutionEntity, SentEmailEntity];

/** The approval workflow as the API serves it: submitting, acting on requests, tasks. */
@Module({
  imports: [ClockModule, ConfigModule.forFeature(workflowConfig), TypeOrmModule.forFeature(WORKFLOW_ENTITIES), AgreementsModule, DirectoryModule, AuditModule, OutboxModule],
  controllers: [WorkflowController],
  providers: [RoundCommandsService, RequestActionsService, RoundSchedulerService, RoundQueriesService, SignerResolutionService, ReviewService],
  exports: [RoundCommandsService, RequestActionsService, RoundSchedulerService, RoundQueriesService, ReviewService],
})
export class WorkflowModule {}
