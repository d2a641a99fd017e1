import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where one email job is. Transitions (SentEmailLedger is the only writer):
 *
 * | from \ event   | claim                                   | accepted | refused, retries left | refused, last attempt or permanent |
 * |----------------|-----------------------------------------|----------|-----------------------|------------------------------------|
 * | (no row)       | SENDING; SKIPPED when the job finds     | –        | –                     | –                                  |
 * |                | nothing to send (accepted invitation)   |          |                       |                                    |
 * | SENDING        | lease held: refused (another delivery   | SENT     | REFUSED               | FAILED                             |
 * |                | is sending); lease over: SENDING again, |          |                       |                                    |
 * |                | flagged possibleDuplicate               |          |                       |                                    |
 * | REFUSED        | SENDING                                 | –        | –                     | –                                  |
 * | FAILED         | SENDING (an operator re-drove the job)  | –        | –                     | –                                  |
 * | SENT           | nothing to do                           | –        | –                     | –                                  |
 * | SKIPPED        | nothing to do                           | –        | –                     | –                                  |
 *
 * "Nothing to send" (SKIPPED) is written only by a job that holds no claim yet or whose
 * earlier attempts were refused (REFUSED, FAILED): never over SENDING or SENT.
 */
export enum SentEmailStatus {
  /** Claimed: a delivery of the job is talking to the SMTP server (or died doing so). */
  Sending = 'SENDING',
  Sent = 'SENT',
  /** The server refused it; BullMQ retries with backoff. */
  Refused = 'REFUSED',
  /** Refused on the last attempt, or refused for good: reported as EMAIL_FAILED. */
  Failed = 'FAILED',
  /** The job found nothing to send (an invitation already accepted or revoked): no email, and none later. */
  Skipped = 'SKIPPED',
}

/** One row per email job, claimed before the SMTP conversation: a redelivered job does not send twice. */
@Entity('sent_email')
export class SentEmailEntity {
  /** The outbox/job id. */
  @PrimaryColumn('uuid') jobId: string;
  /** The round and person a workflow email is about; null for an invitation email (about no round, to someone not yet in the directory). */
  @Column({ type: 'uuid', nullable: true }) roundId: string | null;
  @Column({ type: 'uuid', nullable: true }) personId: string | null;
  @Column({ type: 'varchar', length: 30 }) kind: string;
  @Column({ type: 'varchar', length: 254 }) recipient: string;
  /** Chosen before the first send (derived from the job id), so every retry carries the same Message-ID. */
  @Column({ type: 'varchar', length: 300 }) messageId: string;
  @Column({ type: 'varchar', length: 10, default: SentEmailStatus.Sending }) status: SentEmailStatus;
  /** SMTP conversations started for this job. */
  @Column({ type: 'integer', default: 1 }) attempts: number;
  /** Until then the SENDING claim belongs to the delivery that made it. */
  @Column({ type: 'timestamptz', nullable: true }) claimedUntil: Date | null;
  /**
   * Sent again after a delivery died between the SMTP server accepting the message and the
   * SENT record (or after a timeout): the recipient may have it twice, with one Message-ID.
   */
  @Column({ type: 'boolean', default: false }) possibleDuplicate: boolean;
  @Column({ type: 'text', nullable: true }) lastError: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) sentAt: Date | null;
}
