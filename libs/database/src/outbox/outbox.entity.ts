import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum OutboxStatus {
  /** Written with the business change; waiting for the relay. */
  Pending = 'PENDING',
  /** Added to BullMQ (jobId = outbox id); waiting for a worker to finish it. */
  Dispatched = 'DISPATCHED',
  Done = 'DONE',
  /** Every attempt failed; kept for operators (the BullMQ job is kept too). */
  Failed = 'FAILED',
}

/**
 * Jobs to run because something was committed. Rows are inserted in the same transaction
 * as the change that causes them, so a job is never lost and never runs for a change that
 * rolled back; a relay moves them to BullMQ, a sweeper re-drives the ones Redis lost.
 */
@Entity('outbox')
@Index('outbox_pending_idx', ['status', 'runAt'])
export class OutboxEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 40 }) queue: string;
  @Column({ type: 'varchar', length: 60 }) jobName: string;
  /** Ids only; handlers reload state. */
  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;
  /** Earliest time the job may run (delayed jobs: reminders, deadlines). */
  @Column({ type: 'timestamptz' }) runAt: Date;
  @Column({ type: 'varchar', length: 12, default: OutboxStatus.Pending }) status: OutboxStatus;
  @Column({ type: 'integer', default: 0 }) dispatchCount: number;
  @Column({ type: 'timestamptz', nullable: true }) dispatchedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @Column({ type: 'text', nullable: true }) lastError: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
