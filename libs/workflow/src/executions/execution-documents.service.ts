import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AgreementRevisionEntity, NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventEntity, AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { UserEntity } from '@pcn/auth';
import { appConfig, AppConfig } from '@pcn/common';
import { OutboxService } from '@pcn/database';
import { AgreementDocumentSource, annexSectionId, DocumentsGenerator } from '@pcn/documents';
import { NotificationType } from '@pcn/notifications';
import { AgreementExecutionEntity, DocumentStatus } from './agreement-execution.entity';
import { BadJobError } from '../queue/queue-runner.service';
import { job, JobName } from '../queue/queue.contract';
import { RequestKind, RequestScope, RequestStatus, SignatureRequestEntity } from '../rounds/signature-request.entity';
import { ApprovalRoundEntity } from '../rounds/approval-round.entity';
import { annexHash } from '../rounds/signer-resolution.service';
import { buildCertificateEvidence } from './certificate-evidence';

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
 * Produces the sealed documents of an execution: the whole agreement and each annex; in the
 * transaction that stores them, enqueues the signatories' "signed by everyone" emails.
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
    private readonly outbox: OutboxService,
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

    // Every round of this revision (declined, withdrawn, expired ones too), oldest first; the completing one last.
    const rounds = (await this.dataSource.getRepository(ApprovalRoundEntity).find({ where: { agreementId: agreement.id, revisionId: revision.id }, order: { submittedAt: 'ASC' } }))
      .sort((a, b) => Number(a.id === execution.roundId) - Number(b.id === execution.roundId) || a.submittedAt.getTime() - b.submittedAt.getTime());
    const roundIds = new Set(rounds.map((r) => r.id));
    const allRequests = rounds.length ? await this.dataSource.getRepository(SignatureRequestEntity).find({ where: { roundId: In([...roundIds]) }, order: { step: 'ASC', organisationName: 'ASC', personName: 'ASC' } }) : [];
    const requests = allRequests.filter((r) => r.roundId === execution.roundId && r.status === RequestStatus.Approved);
    const block = (r: SignatureRequestEntity) => ({
      organisation: r.organisationName,
      odsCode: r.odsCode ?? '',
      person: r.typedName ?? r.personName,
      capacity: `${CAPACITY_LABEL[r.capacity] ?? r.capacity}${r.scope === RequestScope.Annex ? ` (annex: ${r.annexTitle})` : ''}`,
      step: r.step,
      approvedAt: r.actedAt?.toISOString() ?? null,
      authMethod: AUTH_LABEL[r.authMethod ?? ''] ?? r.authMethod ?? 'Unknown',
      part: r.scope === RequestScope.Annex && r.annexId ? annexSectionId(r.annexId) : null,
    });
    const events: AuditEventEntity[] = [];
    for (let afterSeq = 0; ; ) {
      const page = await this.audit.list(agreement.id, { afterSeq, limit: 1000 });
      events.push(
        ...page.filter(
          (e) =>
            (e.roundId !== null && roundIds.has(e.roundId)) ||
            e.type === AuditEventType.AgreementCreated ||
            (e.type === AuditEventType.RevisionSaved && e.revisionHash === revision.contentHash),
        ),
      );
      if (page.length < 1000) break;
      afterSeq = page[page.length - 1].seq;
    }
    const userIds = [...new Set([...rounds.map((r) => r.submittedBy), ...events.filter((e) => !e.actorName).map((e) => e.actorUserId)].filter((id): id is string => !!id))];
    const recipients = [...new Set(events.filter((e) => e.type === AuditEventType.EmailSent).map((e) => String(e.payload.to ?? '').toLowerCase()).filter(Boolean))];
    const users = userIds.length || recipients.length
      ? await this.dataSource.getRepository(UserEntity).createQueryBuilder('u').where('u.id IN (:...ids)', { ids: userIds.length ? userIds : ['00000000-0000-0000-0000-000000000000'] }).orWhere('lower(u.email) IN (:...emails)', { emails: recipients.length ? recipients : [''] }).getMany()
      : [];
    const evidence = buildCertificateEvidence({
      content,
      rounds,
      requests: allRequests,
      events,
      userNames: new Map(users.map((u) => [u.id, u.displayName])),
      namesByEmail: new Map(users.map((u) => [u.email.toLowerCase(), u.displayName])),
      organisations: base.organisations,
    });

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
        events: evidence.events,
        verificationUrl: `${this.app.PUBLIC_BASE_URL}/verify/${agreement.reference}-r${revision.number}`,
        certificate: {
          rounds: evidence.rounds,
          signers: evidence.signers,
          deliveries: evidence.deliveries,
          parts: [
            { part: null, title: base.title, reference: `${agreement.reference}-r${revision.number}`, contentHash: revision.contentHash },
            ...content.annexes.filter((a) => a.id).map((a) => ({ part: annexSectionId(a.id!), title: a.title, reference: '', contentHash: annexHash(agreement, a) })),
          ],
          summary: {
            agreementReference: `${agreement.reference}-r${revision.number}`,
            revisionNumber: revision.number,
            sender: evidence.sender,
            createdAt: evidence.createdAt,
            sentAt: evidence.sentAt,
            completedAt: execution.executedAt.toISOString(),
            // The generator fills in the seal actually used.
            seal: { subject: '', fingerprint: '', validFrom: null, validTo: null },
            timestamp: null,
          },
        },
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
      // "Signed by everyone" links to the sealed copy, so it goes out with the documents, not
      // at execution: no signatory follows the link to a copy that is still being made.
      // The signatories are the people with approved requests in the completing round, loaded above.
      const completing = rounds.find((r) => r.id === execution.roundId);
      const people = [...new Set(requests.map((r) => r.personId))];
      await this.outbox.enqueue(
        em,
        people.map((personId) => job(JobName.SendEmail, { kind: NotificationType.AgreementExecuted, roundId: execution.roundId, personId, step: completing?.currentStep ?? 1 })),
      );
      return true;
    });
  }
}
