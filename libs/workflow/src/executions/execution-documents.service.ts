import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { AgreementExecutionEntity, DocumentStatus } from './agreement-execution.entity';
import { BadJobError } from '../queue/queue-runner.service';

/**
 * Produces the documents of an execution. Idempotent: the execution row is locked and
 * an execution whose documents exist is skipped, so a job run twice stores once.
 */
@Injectable()
export class ExecutionDocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async generate(executionId: string): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const execution = await em.findOne(AgreementExecutionEntity, { where: { id: executionId }, lock: { mode: 'pessimistic_write' } });
      if (!execution) throw new BadJobError(`execution ${executionId} does not exist`);
      if (execution.documentStatus === DocumentStatus.Generated) return false;
      const generatedAt = new Date();
      await em.update(AgreementExecutionEntity, { id: execution.id }, { documentStatus: DocumentStatus.Generated, documentGeneratedAt: generatedAt });
      await this.audit.record(em, { type: AuditEventType.DocumentGenerated, actor: SYSTEM_ACTOR, agreementId: execution.agreementId, roundId: execution.roundId, revisionHash: execution.contentHash, payload: { executionId, documents: [] } });
      return true;
    });
  }
}
