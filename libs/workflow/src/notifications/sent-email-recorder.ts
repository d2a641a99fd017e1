import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, NewAuditEvent } from '@pcn/audit';
import { GroupCommit } from '@pcn/database';
import { SentEmailLedger } from './sent-email-ledger';

/** An email the SMTP server accepted, with the audit events that record it (EMAIL_SENT, REQUEST_SENT). */
export interface AcceptedEmail {
  jobId: string;
  messageId: string;
  events: NewAuditEvent[];
}

/** The most emails one transaction records: its audit INSERT then carries a few hundred events at most. */
const MAX_EMAILS_PER_COMMIT = 50;

/**
 * Records emails the server accepted: each one's sent_email row SENT and its audit events, in
 * one transaction with the other emails that finished meanwhile (GroupCommit). Ten email jobs
 * run at once in a notifications worker; each used to commit alone (begin, update, chain lock,
 * chain head, insert, commit), and a group of them now takes those six round trips together.
 * The caller awaits its own email: the job completes only once its email is recorded.
 */
@Injectable()
export class SentEmailRecorder {
  private readonly commits: GroupCommit<AcceptedEmail>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    ledger: SentEmailLedger,
    audit: AuditService,
  ) {
    this.commits = new GroupCommit(
      (emails) =>
        dataSource.transaction(async (em) => {
          await ledger.markSentMany(em, emails);
          await audit.recordMany(em, emails.flatMap((email) => email.events));
        }),
      MAX_EMAILS_PER_COMMIT,
    );
  }

  /**
   * Resolves once this email is recorded SENT with its events. If it cannot be, the job fails
   * and is retried: that is the ledger's documented window (the row stays SENDING, and once its
   * lease ends the retry sends again, flagged a possible duplicate).
   */
  record(email: AcceptedEmail): Promise<void> {
    return this.commits.submit(email);
  }
}
