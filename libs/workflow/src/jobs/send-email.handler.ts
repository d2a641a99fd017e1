import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NetworkAgreementEntity } from '@pcn/agreements';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { appConfig, AppConfig } from '@pcn/common';
import { OrganisationEntity, PersonEntity } from '@pcn/directory';
import { MailerService, NotificationModel, NotificationType, renderNotification } from '@pcn/notifications';
import { HandlesJob, JobContext, JobHandler } from '../queue/job-handler';
import { JobName, JobPayloads } from '../queue/queue.contract';
import { BadJobError } from '../queue/queue-runner.service';
import { ApprovalRoundEntity } from '../rounds/approval-round.entity';
import { SignatureRequestEntity } from '../rounds/signature-request.entity';
import { SentEmailEntity } from '../notifications/sent-email.entity';

const REQUEST_KINDS = [NotificationType.SignatureRequested, NotificationType.IgReviewRequested, NotificationType.DelegatedToYou];

/**
 * Sends one email about one round to one person. A job delivered twice sends once: the
 * sent_email row keyed by the job id is checked first and written after the SMTP server
 * accepted the message. A failure is recorded in the audit trail and retried by BullMQ.
 */
@Injectable()
@HandlesJob(JobName.SendEmail)
export class SendEmailHandler implements JobHandler<JobName.SendEmail> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mailer: MailerService,
    private readonly audit: AuditService,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async handle(payload: JobPayloads[JobName.SendEmail], context: JobContext): Promise<void> {
    if (await this.dataSource.getRepository(SentEmailEntity).existsBy({ jobId: context.jobId })) return;
    const round = await this.dataSource.getRepository(ApprovalRoundEntity).findOneBy({ id: payload.roundId });
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ id: payload.personId });
    if (!round || !person) throw new BadJobError(`email job ${context.jobId}: round or person no longer exists`);
    const agreement = await this.dataSource.getRepository(NetworkAgreementEntity).findOneByOrFail({ id: round.agreementId });
    const pcn = await this.dataSource.getRepository(OrganisationEntity).findOneByOrFail({ id: agreement.pcnId });
    const request = payload.requestId ? await this.dataSource.getRepository(SignatureRequestEntity).findOneBy({ id: payload.requestId }) : null;

    // A request email for a request that was since voided or acted on is no longer useful.
    if (payload.kind === NotificationType.Reminder && request && request.status !== 'PENDING') return;

    const step = request?.step ?? round.currentStep;
    const model: NotificationModel = {
      recipientName: person.fullName,
      pcnName: pcn.name,
      pcnCode: pcn.odsCode ?? 'not yet issued',
      agreementTitle: request?.annexTitle ? `${agreement.title}: ${request.annexTitle}` : agreement.title,
      agreementReference: agreement.reference,
      revisionNumber: round.revisionNumber,
      revisionHash: request?.boundHash ?? round.contentHash,
      stepNumber: step,
      stepLabel: step <= round.igLastStep ? 'Information governance review' : step === round.lastStep ? 'Clinical director countersignature' : 'Member practice and partner signatures',
      dueAt: round.dueAt.toISOString(),
      reviewUrl: request ? `${this.app.PUBLIC_BASE_URL}/requests/${request.id}` : `${this.app.PUBLIC_BASE_URL}/agreements/${agreement.id}`,
      senderMessage: round.message,
      declineReason: payload.kind === NotificationType.RoundDeclined ? (request?.declineReason ?? round.endReason) : null,
      declinedBy: payload.kind === NotificationType.RoundDeclined && request ? `${request.personName}, ${request.organisationName}` : null,
      executedAt: agreement.executedAt?.toISOString() ?? null,
      delegatedBy: null,
      reminderNumber: payload.reminderNumber ?? null,
    };
    if (payload.kind === NotificationType.DelegatedToYou && request?.delegatedFromId) {
      const from = await this.dataSource.getRepository(SignatureRequestEntity).findOneBy({ id: request.delegatedFromId });
      model.delegatedBy = from ? `${from.personName}, ${from.organisationName}` : null;
    }
    if (payload.kind === NotificationType.RoundWithdrawn) model.senderMessage = round.endReason;

    const rendered = renderNotification(payload.kind, model);
    try {
      const sent = await this.mailer.send({ to: person.email, subject: rendered.subject, text: rendered.text, html: rendered.html, messageKey: context.jobId });
      await this.dataSource.transaction(async (em) => {
        await em.insert(SentEmailEntity, { jobId: context.jobId, roundId: round.id, personId: person.id, kind: payload.kind, recipient: person.email, messageId: sent.messageId });
        const base = { actor: SYSTEM_ACTOR, agreementId: agreement.id, roundId: round.id, revisionHash: round.contentHash };
        await this.audit.record(em, { ...base, type: AuditEventType.EmailSent, payload: { jobId: context.jobId, kind: payload.kind, to: person.email, messageId: sent.messageId, requestId: request?.id ?? null } });
        if (request && REQUEST_KINDS.includes(payload.kind)) {
          await this.audit.record(em, { ...base, type: AuditEventType.RequestSent, actorName: request.personName, organisationId: request.organisationId, payload: { requestId: request.id, step: request.step, to: person.email } });
        }
      });
    } catch (error) {
      await this.audit
        .record(this.dataSource.manager, { type: AuditEventType.EmailFailed, actor: SYSTEM_ACTOR, agreementId: agreement.id, roundId: round.id, revisionHash: round.contentHash, payload: { jobId: context.jobId, kind: payload.kind, to: person.email, attempt: context.attempt, error: (error as Error).message.slice(0, 500) } })
        .catch(() => undefined);
      throw error;
    }
  }
}
