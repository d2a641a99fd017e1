import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryPrepared } from '@pcn/database';
import { SentEmailStatus } from './sent-email.entity';

/** Another delivery of the same job holds the claim: BullMQ retries this one later. */
export class EmailInFlightError extends Error {
  override name = 'EmailInFlightError';
}

export interface EmailClaim {
  jobId: string;
  /** Null for an email about no round to no directory person (an invitation). */
  roundId: string | null;
  personId: string | null;
  kind: string;
  recipient: string;
  messageId: string;
  /** How long the claim protects the SMTP conversation (longer than the mailer's own deadline). */
  leaseMs: number;
}

export type ClaimResult = { send: false } | { send: true; attempts: number; possibleDuplicate: boolean };

/**
 * The only writer of sent_email (transitions on SentEmailEntity). Claim before the SMTP
 * conversation, record after it: a job delivered again after SENT sends nothing.
 *
 * The window that remains, by design: a delivery that dies after the SMTP server accepted
 * the message and before SENT is written (a crash, a database error at that instant) leaves
 * the row SENDING. Once its lease is over the next delivery sends again, with the same
 * Message-ID and X-PCN-Message-Key, and the row is flagged possible_duplicate (and logged):
 * the recipient may see the email twice; a mail client that de-duplicates by Message-ID
 * shows it once. The same holds after a send that timed out (it may still have arrived).
 */
@Injectable()
export class SentEmailLedger {
  private readonly logger = new Logger('SentEmailLedger');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async isSent(jobId: string): Promise<boolean> {
    const rows = await queryPrepared(this.dataSource, `SELECT 1 FROM sent_email WHERE job_id = $1 AND status = $2`, [jobId, SentEmailStatus.Sent]);
    return rows.length > 0;
  }

  async claim(claim: EmailClaim): Promise<ClaimResult> {
    // A first delivery (nearly every one) is this one statement; a row already there is read
    // and taken over under its row lock, in a transaction.
    const inserted = await queryPrepared(
      this.dataSource,
      `INSERT INTO sent_email (job_id, round_id, person_id, kind, recipient, message_id, status, attempts, claimed_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, now() + make_interval(secs => $8::float / 1000))
       ON CONFLICT (job_id) DO NOTHING RETURNING job_id`,
      [claim.jobId, claim.roundId, claim.personId, claim.kind, claim.recipient, claim.messageId, SentEmailStatus.Sending, claim.leaseMs],
    );
    if (inserted.length === 1) return { send: true, attempts: 1, possibleDuplicate: false };
    return this.dataSource.transaction(async (em) => {
      const [row]: { status: SentEmailStatus; lease_held: boolean; possible_duplicate: boolean; attempts: number }[] = await em.query(
        `SELECT status, claimed_until > now() AS lease_held, possible_duplicate, attempts FROM sent_email WHERE job_id = $1 FOR UPDATE`,
        [claim.jobId],
      );
      if (row.status === SentEmailStatus.Sent) return { send: false };
      if (row.status === SentEmailStatus.Sending && row.lease_held) throw new EmailInFlightError(`email job ${claim.jobId} is being sent by another delivery`);
      // SENDING with its lease over: the delivery that claimed it died, perhaps after the server accepted the message.
      const possibleDuplicate = row.possible_duplicate || row.status === SentEmailStatus.Sending;
      if (row.status === SentEmailStatus.Sending) {
        this.logger.warn(`email job ${claim.jobId}: an earlier delivery stopped mid-send; sending again with Message-ID ${claim.messageId} (possible duplicate)`);
      }
      await em.query(
        `UPDATE sent_email SET status = $2, attempts = attempts + 1, possible_duplicate = $3, message_id = $4,
                claimed_until = now() + make_interval(secs => $5::float / 1000) WHERE job_id = $1`,
        [claim.jobId, SentEmailStatus.Sending, possibleDuplicate, claim.messageId, claim.leaseMs],
      );
      return { send: true, attempts: row.attempts + 1, possibleDuplicate };
    });
  }

  /**
   * The job found nothing to send (an invitation accepted or revoked meanwhile): SKIPPED, so
   * the record says why no email went out. Never over SENDING or SENT: a delivery that holds
   * (or held) the claim may have sent it — unless `releasingOwnClaim`: this delivery claimed
   * the row (SENDING) and then found, before sending, that there is nothing to send.
   */
  async markNothingToSend(claim: Omit<EmailClaim, 'leaseMs'>, releasingOwnClaim = false): Promise<void> {
    const replaceable = releasingOwnClaim ? [SentEmailStatus.Refused, SentEmailStatus.Failed, SentEmailStatus.Sending] : [SentEmailStatus.Refused, SentEmailStatus.Failed];
    await this.dataSource.query(
      `INSERT INTO sent_email (job_id, round_id, person_id, kind, recipient, message_id, status, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0)
       ON CONFLICT (job_id) DO UPDATE SET status = $7, claimed_until = NULL WHERE sent_email.status = ANY($8::varchar[])`,
      [claim.jobId, claim.roundId, claim.personId, claim.kind, claim.recipient, claim.messageId, SentEmailStatus.Skipped, replaceable],
    );
  }

  /** The server accepted it. Written with the EMAIL_SENT audit event, in the caller's transaction. */
  markSent(em: EntityManager, jobId: string, messageId: string): Promise<void> {
    return this.markSentMany(em, [{ jobId, messageId }]);
  }

  /** The server accepted each of these (SentEmailRecorder writes them in groups): one statement for any number. */
  async markSentMany(em: EntityManager, sent: { jobId: string; messageId: string }[]): Promise<void> {
    await queryPrepared(
      em,
      `UPDATE sent_email AS s SET status = $1, message_id = v.message_id, sent_at = now(), claimed_until = NULL, last_error = NULL
         FROM unnest($2::uuid[], $3::text[]) AS v (job_id, message_id) WHERE s.job_id = v.job_id`,
      [SentEmailStatus.Sent, sent.map((e) => e.jobId), sent.map((e) => e.messageId)],
    );
  }

  /**
   * The send failed. `final`: no retry follows (FAILED, written with the EMAIL_FAILED event in
   * the caller's transaction). `mayHaveArrived` (a timeout): the row stays SENDING with its
   * lease released, so the retry is recorded as a possible duplicate.
   */
  async markNotSent(em: EntityManager, jobId: string, error: string, final: boolean, mayHaveArrived: boolean): Promise<void> {
    const status = final ? SentEmailStatus.Failed : mayHaveArrived ? SentEmailStatus.Sending : SentEmailStatus.Refused;
    // SENDING keeps the claim but ends its lease now, so the retry sends at once and is flagged a possible duplicate.
    await em.query(
      `UPDATE sent_email SET status = $2, last_error = $3, claimed_until = CASE WHEN $4::boolean THEN now() ELSE NULL END,
              possible_duplicate = possible_duplicate OR $5::boolean WHERE job_id = $1`,
      [jobId, status, error.slice(0, 2000), status === SentEmailStatus.Sending, final && mayHaveArrived],
    );
  }
}
