import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgreementRevisionEntity, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { appConfig, AppConfig } from '@pcn/common';
import { AgreementDocumentSource, DocumentsGenerator } from '@pcn/documents';
import { AgreementExecutionEntity, DocumentStatus } from './agreement-execution.entity';
import { BadJobError } from '../queue/queue-runner.service';
import { RequestKind, RequestScope, RequestStatus, SignatureRequestEntity } from '../rounds/signature-request.entity';

const CAPACITY_LABEL: Record<string, string> = {
  PARTNER: 'Partner',
  DIRECTOR: 'Director',
  SOLE_TRADER: 'Sole trader',
  AUTHORISED_SIGNATORY: 'Authorised signatory',
  CLINICAL_DIRECTOR: 'Clinical director (countersignature)',
  DPO: 'Data Protection Officer',
  CALDICOTT_GUARDIAN: 'Caldicott Guardian',
};

const AUTH_LABEL: Record<string, string> = {
  password: 'Password sign-in',
  'password+refresh': 'Password sign-in (renewed session)',
};

/**
 * Produces the sealed documents of an execution: the whole agreement and each annex.
 * Idempotent: rendering is skipped for an execution already done, and storing ignores
 * documents already stored, so a job that runs twice stores one set.
 */
@Injectable()
export class ExecutionDocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly generator: DocumentsGenerator,
    private readonly source: AgreementDocumentSource,
    private readonly audit: AuditService,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async generate(executionId: string): Promise<boolean> {
    const execution = await this.dataSource.getRepository(AgreementExecutionEntity).findOneBy({ id: executionId });
    if (!execution) throw new BadJobError(`execution ${executionId} does not exist`);
    if (execution.documentStatus === DocumentStatus.Generated) return false;

    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: execution.agreementId });
    const revision = await this.dataSource.getRepository(AgreementRevisionEntity).findOneByOrFail({ id: execution.revisionId });
    const base = await this.source.base(agreement, revision);
    const content = revision.content;

    const requests = await this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId: execution.roundId, status: RequestStatus.Approved }, order: { step: 'ASC', organisationName: 'ASC', personName: 'ASC' } });
    const block = (r: SignatureRequestEntity) => ({
      organisation: r.organisationName,
      odsCode: r.odsCode ?? '',
      person: r.typedName ?? r.personName,
      capacity: `${CAPACITY_LABEL[r.capacity] ?? r.capacity}${r.scope === RequestScope.Annex ? ` (annex: ${r.annexTitle})` : ''}`,
      step: r.step,
      approvedAt: r.actedAt?.toISOString() ?? null,
      authMethod: AUTH_LABEL[r.authMethod ?? ''] ?? r.authMethod ?? 'Unknown',
    });
    const events = [];
    for (let afterSeq = 0; ; ) {
      const page = await this.audit.list(agreement.id, { afterSeq, limit: 1000 });
      events.push(...page.filter((e) => e.roundId === execution.roundId || e.type === AuditEventType.AgreementCreated));
      if (page.length < 1000) break;
      afterSeq = page[page.length - 1].seq;
    }

    const documents = await this.generator.render({
      executionId: execution.id,
      agreementId: agreement.id,
      revisionId: revision.id,
      executedAt: execution.executedAt,
      input: {
        ...base,
        status: 'EXECUTED',
        draft: false,
        generatedAt: execution.executedAt.toISOString(),
        signatures: requests.filter((r) => r.kind === RequestKind.Signature).map(block),
        igApprovals: requests.filter((r) => r.kind === RequestKind.IgApproval).map(block),
        events: events.map((e) => ({
          at: e.occurredAt.toISOString(),
          actor: e.actorName ?? (e.actorUserId ? 'Platform user' : 'Platform'),
          organisation: (e.organisationId && base.organisations[e.organisationId]?.name) || '',
          action: e.type.toLowerCase().replace(/_/g, ' '),
          ip: e.ip ?? '',
          userAgent: e.userAgent ?? '',
        })),
        verificationUrl: `${this.app.PUBLIC_BASE_URL}/verify/${agreement.reference}-r${revision.number}`,
      },
      annexParties: Object.fromEntries(content.annexes.filter((a) => a.id).map((a) => [a.id!, a.parties.map((p) => p.organisationId)])),
    });

    return this.dataSource.transaction(async (em) => {
      const locked = await em.findOne(AgreementExecutionEntity, { where: { id: execution.id }, lock: { mode: 'pessimistic_write' } });
      if (!locked || locked.documentStatus === DocumentStatus.Generated) return false;
      const stored = await this.generator.store(em, documents);
      await em.update(AgreementExecutionEntity, { id: execution.id }, { documentStatus: DocumentStatus.Generated, documentGeneratedAt: new Date() });
      await this.audit.record(em, {
        type: AuditEventType.DocumentGenerated,
        actor: SYSTEM_ACTOR,
        agreementId: agreement.id,
        roundId: execution.roundId,
        revisionHash: execution.contentHash,
        payload: { executionId: execution.id, documents: stored.map((d) => ({ id: d.id, reference: d.reference, sha256: d.sha256, sizeBytes: d.sizeBytes })) },
      });
      return true;
    });
  }
}
