import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RoleGrantClaim } from '../principal';

/**
 * An invitation to an account: who, with which platform roles, invited by whom. The link's
 * token is random and shown only in the email; only its SHA-256 is stored, issued when the
 * email job runs (a retried job issues a new one, so an older link stops working).
 */
@Entity('invitation')
export class InvitationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('invitation_email_idx')
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 200 }) displayName: string;
  @Column({ type: 'uuid', nullable: true }) personId: string | null;
  /** The role grants the account gets on acceptance. */
  @Column({ type: 'jsonb' }) grants: RoleGrantClaim[];
  /** The organisation the invitation was made for (for lists and the audit trail). */
  @Column({ type: 'uuid', nullable: true }) organisationId: string | null;
  @Column({ type: 'uuid', nullable: true }) invitedByUserId: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) invitedByName: string | null;
  @Index('invitation_token_hash_unique', { unique: true, where: 'token_hash IS NOT NULL' })
  @Column({ type: 'char', length: 64, nullable: true }) tokenHash: string | null;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  /** The email job that last issued the link; a job run twice does not send twice. */
  @Column({ type: 'varchar', length: 64, nullable: true }) sentJobId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) sentAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) acceptedUserId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
