import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InvitationService } from '@pcn/auth';
import { appConfig, AppConfig } from '@pcn/common';
import { DirectoryService, PLATFORM_ROLE_WORDS } from '@pcn/directory';
import { MailerService, NotificationsErrorCode, NotificationsException, renderInvitationEmail } from '@pcn/notifications';
import { HandlesJob, JobContext, JobHandler } from '../queue/job-handler';
import { JobName, JobPayloads } from '../queue/queue.contract';
import { BadJobError } from '../queue/queue-runner.service';
import { SentEmailLedger } from '../notifications/sent-email-ledger';

/** The sent_email kind of an invitation email. */
export const INVITATION_EMAIL_KIND = 'INVITATION';

/**
 * Emails an invitation through the sent-email ledger, claim first: the job's sent_email row
 * is claimed (SENDING) before the invitations service issues the link's fresh token (only its
 * hash is stored), so a second delivery of the same job running at the same time is refused
 * by the claim and cannot replace the token in the email that goes out. A job delivered again
 * after SENT sends nothing (and the link keeps working); a retry after a refused send issues a
 * new link (the old one never arrived). An invitation already accepted or revoked is recorded
 * as SKIPPED and gets no email.
 */
@Injectable()
@HandlesJob(JobName.SendInvitation)
export class SendInvitationHandler implements JobHandler<JobName.SendInvitation> {
  private readonly logger = new Logger('SendInvitationHandler');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly invitations: InvitationService,
    private readonly directory: DirectoryService,
    private readonly mailer: MailerService,
    private readonly ledger: SentEmailLedger,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async handle(payload: JobPayloads[JobName.SendInvitation], context: JobContext): Promise<void> {
    if (await this.ledger.isSent(context.jobId)) return;
    const found = await this.invitations.findById(payload.invitationId);
    if (!found) throw new BadJobError(`invitation job ${context.jobId}: invitation ${payload.invitationId} no longer exists`);
    const messageKey = `invitation-${context.jobId}`;
    const record = { jobId: context.jobId, roundId: null, personId: null, kind: INVITATION_EMAIL_KIND, recipient: found.email, messageId: this.mailer.messageIdFor(messageKey) };
    if (found.acceptedAt || found.revokedAt) {
      await this.ledger.markNothingToSend(record);
      return;
    }
    const claim = await this.ledger.claim({ ...record, leaseMs: this.mailer.sendDeadlineMs + 5000 });
    if (!claim.send) return;
    // Only now, holding the claim, is the token replaced: no other delivery of this job can replace it before the send.
    const issued = await this.invitations.issueLink(payload.invitationId, context.jobId);
    if (!issued) {
      // Accepted or revoked between the read and the claim.
      await this.ledger.markNothingToSend(record, true);
      return;
    }
    const { invitation, token, expiresAt } = issued;
    const organisations = await this.directory.organisationsByIds(invitation.grants.map((g) => g.organisationId).filter((id): id is string => !!id));
    const roleWords = invitation.grants.map((g) => {
      const org = organisations.find((o) => o.id === g.organisationId);
      return org ? `${PLATFORM_ROLE_WORDS[g.role]} — ${org.name}${org.odsCode ? ` (${org.odsCode})` : ''}` : PLATFORM_ROLE_WORDS[g.role];
    });
    const link = `${this.app.PUBLIC_BASE_URL.replace(/\/+$/, '')}/invitation/${token}`;
    const mail = renderInvitationEmail({ recipientName: invitation.displayName, invitedByName: invitation.invitedByName, roleWords, link, expiresAt });
    let sent: { messageId: string };
    try {
      sent = await this.mailer.send({ to: invitation.email, subject: mail.subject, text: mail.text, html: mail.html, messageKey });
    } catch (error) {
      const failure = error instanceof NotificationsException ? error : null;
      const final = (failure !== null && !failure.retryable) || context.attempt >= context.maxAttempts;
      const message = (error as Error).message;
      // If this record cannot be written the row keeps its lease, and the retry waits it out.
      await this.dataSource
        .transaction((em) => this.ledger.markNotSent(em, context.jobId, message, final, failure?.code === NotificationsErrorCode.SmtpTimeout))
        .catch((recordError: Error) => this.logger.error(`invitation job ${context.jobId}: the refusal could not be recorded: ${recordError.message}`));
      if (final && failure !== null && !failure.retryable) throw new BadJobError(message);
      throw error;
    }
    // The server has the message. Until SENT is committed, a crash here is the ledger's documented window.
    await this.dataSource.transaction(async (em) => {
      await this.ledger.markSent(em, context.jobId, sent.messageId);
      await this.invitations.markSent(invitation.id, context.jobId, em);
    });
  }
}
