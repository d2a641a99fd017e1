import { Inject, Injectable } from '@nestjs/common';
import { InvitationService } from '@pcn/auth';
import { appConfig, AppConfig } from '@pcn/common';
import { DirectoryService, PLATFORM_ROLE_WORDS } from '@pcn/directory';
import { MailerService, renderInvitationEmail } from '@pcn/notifications';
import { HandlesJob, JobContext, JobHandler } from '../queue/job-handler';
import { JobName, JobPayloads } from '../queue/queue.contract';

/**
 * Emails an invitation: the invitations service issues a fresh single-use token (only its
 * hash is stored) and this sends the link. A job delivered again after the email went out
 * sends nothing; a retry after a failed send issues a new link (the old one never arrived).
 */
@Injectable()
@HandlesJob(JobName.SendInvitation)
export class SendInvitationHandler implements JobHandler<JobName.SendInvitation> {
  constructor(
    private readonly invitations: InvitationService,
    private readonly directory: DirectoryService,
    private readonly mailer: MailerService,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async handle(payload: JobPayloads[JobName.SendInvitation], context: JobContext): Promise<void> {
    const issued = await this.invitations.issueLink(payload.invitationId, context.jobId);
    if (!issued) return;
    const { invitation, token, expiresAt } = issued;
    const organisations = await this.directory.organisationsByIds(invitation.grants.map((g) => g.organisationId).filter((id): id is string => !!id));
    const roleWords = invitation.grants.map((g) => {
      const org = organisations.find((o) => o.id === g.organisationId);
      return org ? `${PLATFORM_ROLE_WORDS[g.role]} — ${org.name}${org.odsCode ? ` (${org.odsCode})` : ''}` : PLATFORM_ROLE_WORDS[g.role];
    });
    const link = `${this.app.PUBLIC_BASE_URL.replace(/\/+$/, '')}/invitation/${token}`;
    const mail = renderInvitationEmail({ recipientName: invitation.displayName, invitedByName: invitation.invitedByName, roleWords, link, expiresAt });
    await this.mailer.send({ to: invitation.email, subject: mail.subject, text: mail.text, html: mail.html, messageKey: `invitation-${context.jobId}` });
    await this.invitations.markSent(invitation.id, context.jobId);
  }
}
