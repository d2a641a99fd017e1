import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AuditEventType, AuditService, SYSTEM_ACTOR } from '@pcn/audit';
import { appConfig, AppConfig } from '@pcn/common';
import { MailerService, NotificationModel, NotificationsErrorCode, NotificationsException, NotificationType, renderNotification } from '@pcn/notifications';
import { HandlesJob, JobContext, JobHandler } from '../queue/job-handler';
import { JobName, JobPayloads } from '../queue/queue.contract';
import { BadJobError } from '../queue/queue-runner.service';
import { SentEmailLedger } from '../notifications/sent-email-ledger';
import { SentEmailRecorder } from '../notifications/sent-email-recorder';
import { RequestScope, RequestStatus, SignatureRequestEntity } from '../rounds/signature-request.entity';
import { stepLabel } from '../rounds/step-label';
import { digestTasks, partLabel, samePart } from '../notifications/email-digest';
import { EmailRequest, EmailRound, loadEmailContext } from './email-context';

/** Emails that hand the recipient requests: each listed request gets a REQUEST_SENT event. */
const REQUEST_KINDS = [NotificationType.SignatureRequested, NotificationType.IgReviewRequested, NotificationType.DelegatedToYou];
/** Emails about a round that ended: the sender is sent to the agreement page, everyone else to the review page. */
const ENDED_KINDS = [NotificationType.RoundDeclined, NotificationType.RoundStopped, NotificationType.RoundWithdrawn, NotificationType.RoundExpired];

/**
 * Sends one email about one step of one round to one person: a digest of everything waiting
 * for them in that step, with one link to the round's review page. A job delivered twice
 * sends once: the sent_email row keyed by the job id is claimed (SENDING) before the SMTP
 * conversation and marked SENT after the server accepted the message, together with the other
 * emails that finished meanwhile (SentEmailRecorder; SentEmailLedger
 * documents the one window left). A refusal is retried by BullMQ with backoff; after the
 * last attempt, or a permanent refusal, the row is FAILED and EMAIL_FAILED is audited.
 *
 * A decline's reason and the declined part's title go only to the person who sent the round
 * and to the people with requests for the same part; everyone else gets ROUND_STOPPED.
 */
@Injectable()
@HandlesJob(JobName.SendEmail)
export class SendEmailHandler implements JobHandler<JobName.SendEmail> {
  private readonly logger = new Logger('SendEmailHandler');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mailer: MailerService,
    private readonly audit: AuditService,
    private readonly ledger: SentEmailLedger,
    private readonly recorder: SentEmailRecorder,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async handle(payload: JobPayloads[JobName.SendEmail], context: JobContext): Promise<void> {
    // One statement instead of seven reads (ledger, round, person, agreement, PCN, requests, annex
    // ids): round trips per email are what the national drill's 60,000 emails spend CPU on.
    const loaded = await loadEmailContext(this.dataSource, context.jobId, payload.roundId, payload.personId);
    if (loaded.alreadySent) return;
    if (!loaded.found) throw new BadJobError(`email job ${context.jobId}: round or person no longer exists`);
    const { round, person, agreement, pcn, requests: mine, annexIds } = loaded.found;
    const step = Number.isInteger(payload.step) ? payload.step : round.currentStep;
    const requestRepo = this.dataSource.getRepository(SignatureRequestEntity);
    const submitter = round.submittedByPersonId;
    const base = this.app.PUBLIC_BASE_URL.replace(/\/+$/, '');
    const reviewUrl = `${base}/review/${round.id}`;
    const agreementUrl = `${base}/agreements/${agreement.id}`;

    let kind = payload.kind;
    // What this email lists: the step's requests it is about, reloaded now.
    let listed: EmailRequest[] = [];
    const ofStep = mine.filter((r) => r.step === step);
    if (kind === NotificationType.SignatureRequested || kind === NotificationType.IgReviewRequested) listed = ofStep.filter((r) => r.delegatedFromId === null);
    if (kind === NotificationType.DelegatedToYou) listed = ofStep.filter((r) => r.delegatedFromId !== null);
    // A reminder names only what is still pending; with nothing pending there is nothing to remind.
    if (kind === NotificationType.Reminder) listed = ofStep.filter((r) => r.status === RequestStatus.Pending);
    if ((REQUEST_KINDS.includes(kind) || kind === NotificationType.Reminder) && listed.length === 0) return;

    let declined: SignatureRequestEntity | null = null;
    if (kind === NotificationType.RoundDeclined || kind === NotificationType.RoundStopped) {
      declined = await requestRepo.findOneBy({ roundId: round.id, status: RequestStatus.Declined });
      const informed = declined !== null && (person.id === submitter || mine.some((r) => samePart(r, declined!)));
      kind = informed ? NotificationType.RoundDeclined : NotificationType.RoundStopped;
      if (!informed) declined = null;
    }

    const model: NotificationModel = {
      recipientName: person.fullName,
      pcnName: pcn.name,
      pcnCode: pcn.odsCode ?? 'not yet issued',
      agreementTitle: agreement.title,
      agreementReference: agreement.reference,
      revisionNumber: round.revisionNumber,
      stepNumber: step,
      stepLabel: stepLabel(round, step),
      dueAt: round.dueAt.toISOString(),
      reviewUrl: kind === NotificationType.AgreementExecuted || (ENDED_KINDS.includes(kind) && person.id === submitter) ? agreementUrl : reviewUrl,
      tasks: listed.length > 0 ? digestTasks(listed, annexIds) : undefined,
      senderMessage: this.senderMessage(kind, round),
      // The reason the clinical director gave, as the agreement records it (not the round's message).
      terminationReason: kind === NotificationType.AgreementTerminated ? agreement.statusReason : null,
      declineReason: declined ? (declined.declineReason ?? round.endReason) : null,
      declinedBy: declined ? `${declined.personName}, ${declined.organisationName}` : null,
      declinedPart: declined ? (declined.scope === RequestScope.Agreement ? 'the network agreement' : partLabel(declined, annexIds)) : null,
      executedAt: agreement.executedAt?.toISOString() ?? null,
      delegatedBy: null,
      reminderNumber: payload.reminderNumber ?? null,
    };
    if (kind === NotificationType.DelegatedToYou) {
      const fromIds = listed.map((r) => r.delegatedFromId).filter((id): id is string => id !== null);
      const from = fromIds.length ? await requestRepo.findBy({ id: In(fromIds) }) : [];
      const names = [...new Set(from.map((r) => `${r.personName}, ${r.organisationName}`))];
      model.delegatedBy = names.length ? names.join(' and ') : null;
    }

    const rendered = renderNotification(kind, model);
    const requestIds = listed.map((r) => r.id);
    const messageId = this.mailer.messageIdFor(context.jobId);
    const claim = await this.ledger.claim({
      jobId: context.jobId,
      roundId: round.id,
      personId: person.id,
      kind,
      recipient: person.email,
      messageId,
      leaseMs: this.mailer.sendDeadlineMs + 5000,
    });
    if (!claim.send) return;
    const event = { actor: SYSTEM_ACTOR, agreementId: agreement.id, roundId: round.id, revisionHash: round.contentHash };
    let sent: { messageId: string };
    try {
      sent = await this.mailer.send({ to: person.email, subject: rendered.subject, text: rendered.text, html: rendered.html, messageKey: context.jobId });
    } catch (error) {
      const failure = error instanceof NotificationsException ? error : null;
      const final = (failure !== null && !failure.retryable) || context.attempt >= context.maxAttempts;
      const message = (error as Error).message;
      // If this record cannot be written the row keeps its lease, and the retry waits it out.
      await this.dataSource
        .transaction(async (em) => {
          await this.ledger.markNotSent(em, context.jobId, message, final, failure?.code === NotificationsErrorCode.SmtpTimeout);
          if (final) {
            await this.audit.record(em, { ...event, type: AuditEventType.EmailFailed, payload: { jobId: context.jobId, kind, to: person.email, attempts: claim.attempts, error: message.slice(0, 500) } });
          }
        })
        .catch((recordError: Error) => this.logger.error(`email job ${context.jobId}: the refusal could not be recorded: ${recordError.message}`));
      // A permanent refusal is not retried; a transient one is, until the last attempt.
      if (final && failure !== null && !failure.retryable) throw new BadJobError(message);
      throw error;
    }
    // The server has the message. Until SENT is committed, a crash here is the documented window.
    const sentPayload = { jobId: context.jobId, kind, to: person.email, messageId: sent.messageId, step, requestIds, ...(claim.possibleDuplicate ? { possibleDuplicate: true } : {}) };
    const requestsSent = REQUEST_KINDS.includes(kind)
      ? listed.map((request) => ({ ...event, type: AuditEventType.RequestSent, actorName: request.personName, organisationId: request.organisationId, payload: { requestId: request.id, step: request.step, to: person.email } }))
      : [];
    await this.recorder.record({ jobId: context.jobId, messageId: sent.messageId, events: [{ ...event, type: AuditEventType.EmailSent, payload: sentPayload }, ...requestsSent] });
  }

  /** The words quoted as the sender's: the withdrawal reason, or the message the round was sent with. */
  private senderMessage(kind: NotificationType, round: EmailRound): string | null {
    if (kind === NotificationType.RoundWithdrawn) return round.endReason;
    // A stopped round's recipients are not told the decline reason; a termination quotes its own reason.
    if (kind === NotificationType.RoundStopped || kind === NotificationType.AgreementTerminated) return null;
    return round.message;
  }
}
