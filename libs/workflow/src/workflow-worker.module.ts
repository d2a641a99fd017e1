import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@pcn/audit';
import { databaseConfig, OutboxModule, redisConfig } from '@pcn/database';
import { NotificationsModule } from '@pcn/notifications';
import { DocumentsWorkerModule } from '@pcn/documents';
import { DirectoryModule } from '@pcn/directory';
import { InvitationsModule } from '@pcn/auth';
import { SendInvitationHandler } from './jobs/send-invitation.handler';
import { WorkflowModule, WORKFLOW_ENTITIES } from './workflow.module';
import { workflowConfig } from './workflow.config';
import { workerShutdownConfig } from './queue/worker-shutdown.config';
import { JobRegistry } from './queue/job-registry';
import { QueueRunner } from './queue/queue-runner.service';
import { OutboxRelay, QueueProducers } from './queue/outbox-relay.service';
import { OutboxSweeper } from './queue/outbox-sweeper.service';
import { SendEmailHandler } from './jobs/send-email.handler';
import { RoundDeadlineHandler, RoundReminderHandler } from './jobs/round-schedule.handlers';
import { GenerateDocumentsHandler } from './jobs/generate-documents.handler';
import { ExecutionDocumentsService } from './executions/execution-documents.service';
import { SentEmailLedger } from './notifications/sent-email-ledger';
import { SentEmailRecorder } from './notifications/sent-email-recorder';

/** Everything the worker runs for the workflow: the outbox relay, the sweeper, and one handler per job. */
@Module({
  imports: [
    ConfigModule.forFeature(workflowConfig),
    ConfigModule.forFeature(workerShutdownConfig),
    ConfigModule.forFeature(redisConfig),
    ConfigModule.forFeature(databaseConfig),
    TypeOrmModule.forFeature(WORKFLOW_ENTITIES),
    DiscoveryModule,
    WorkflowModule,
    AuditModule,
    OutboxModule,
    NotificationsModule,
    DocumentsWorkerModule,
    DirectoryModule,
    InvitationsModule,
  ],
  providers: [
    JobRegistry,
    QueueRunner,
    QueueProducers,
    OutboxRelay,
    OutboxSweeper,
    ExecutionDocumentsService,
    SentEmailLedger,
    SentEmailRecorder,
    SendEmailHandler,
    RoundReminderHandler,
    RoundDeadlineHandler,
    GenerateDocumentsHandler,
    SendInvitationHandler,
  ],
  exports: [OutboxRelay, OutboxSweeper, QueueProducers, QueueRunner],
})
export class WorkflowWorkerModule {}
