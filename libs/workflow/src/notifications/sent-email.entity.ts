import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One row per email job that reached the SMTP server: a redelivered job does not send twice. */
@Entity('sent_email')
export class SentEmailEntity {
  /** The outbox/job id. */
  @PrimaryColumn('uuid') jobId: string;
  @Column({ type: 'uuid' }) roundId: string;
  @Column({ type: 'uuid' }) personId: string;
  @Column({ type: 'varchar', length: 30 }) kind: string;
  @Column({ type: 'varchar', length: 254 }) recipient: string;
  @Column({ type: 'varchar', length: 300 }) messageId: string;
  @CreateDateColumn({ type: 'timestamptz' }) sentAt: Date;
}
