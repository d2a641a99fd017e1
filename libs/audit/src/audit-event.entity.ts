import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { AuditEventType } from './audit-event-type';

/** Chain key of events that belong to no agreement. */
export const PLATFORM_CHAIN = 'platform';
/** `prevHash` of the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * One row per thing that happened, never changed or removed (triggers refuse UPDATE,
 * DELETE and TRUNCATE). Events form one hash chain per agreement (`chainKey` = the
 * agreement id) plus one `'platform'` chain: `hash` covers the event's content and
 * `prevHash`, so altering, removing or reordering any event breaks verification.
 */
@Entity('audit_event')
@Index('audit_event_chain_seq_unique', ['chainKey', 'seq'], { unique: true })
@Check('audit_event_seq_check', `seq >= 1`)
@Check('audit_event_occurred_at_ms_check', `occurred_at = date_trunc('milliseconds', occurred_at)`)
export class AuditEventEntity {
  /** bigint: returned by the driver as a string. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;

  @Column({ type: 'varchar', length: 64 }) chainKey: string;
  /** 1, 2, 3… within the chain, with no gaps. */
  @Column({ type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 40 }) type: AuditEventType;
  /** Set in code, millisecond precision, so it hashes the same after a round trip. */
  @Column({ type: 'timestamptz' }) occurredAt: Date;

  @Index('audit_event_agreement_idx')
  @Column({ type: 'uuid', nullable: true }) agreementId: string | null;
  @Column({ type: 'uuid', nullable: true }) roundId: string | null;
  @Column({ type: 'char', length: 64, nullable: true }) revisionHash: string | null;

  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  /** The actor's name at the time, so the trail reads correctly after a rename. */
  @Column({ type: 'varchar', length: 200, nullable: true }) actorName: string | null;
  @Column({ type: 'uuid', nullable: true }) organisationId: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) userAgent: string | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) authMethod: string | null;

  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;

  @Column({ type: 'char', length: 64 }) prevHash: string;
  @Column({ type: 'char', length: 64 }) hash: string;
}
