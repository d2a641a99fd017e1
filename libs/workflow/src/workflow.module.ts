import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgreementsModule } from '@pcn/agreements';
import { AuditModule } from '@pcn/audit';
import { OutboxModule } from '@pcn/database';
import { DirectoryModule } from '@pcn/directory';
import { workflowConfig } from './workflow.config';
import { WorkflowController } from './workflow.controller';
import { RoundsService } from './rounds/rounds.service';
import { SignerResolutionService } from './rounds/signer-resolution.service';
import { ReviewService } from './review/review.service';
import { ApprovalRoundEntity } from './rounds/approval-round.entity';
import { SignatureRequestEntity } from './rounds/signature-request.entity';
import { AgreementExecutionEntity } from './executions/agreement-execution.entity';
import { SentEmailEntity } from './notifications/sent-email.entity';

export const WORKFLOW_ENTITIES = [ApprovalRoundEntity, SignatureRequestEntity, AgreementExecutionEntity, SentEmailEntity];

/** The approval workflow as the API serves it: submitting, acting on requests, tasks. */
@Module({
  imports: [ConfigModule.forFeature(workflowConfig), TypeOrmModule.forFeature(WORKFLOW_ENTITIES), AgreementsModule, DirectoryModule, AuditModule, OutboxModule],
  controllers: [WorkflowController],
  providers: [RoundsService, SignerResolutionService, ReviewService],
  exports: [RoundsService, ReviewService],
})
export class WorkflowModule {}
