import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** How a check reached us. */
export enum VerificationChannel {
  /** A file uploaded (API or page). */
  Upload = 'UPLOAD',
  /** A verification code looked up without a file (API or page). */
  Code = 'CODE',
}

/**
 * One verification, counted outside every audit chain: anonymous checks must never write into
 * an agreement's legal record (only an upload whose bytes are exactly a sealed part does, see
 * DocumentsService). No IP address, user agent or uploaded file is kept, only what the check
 * concluded, so the table tells an operator how verification is used and can be pruned at will
 * (`documents:prune-verifications DAYS`; VERIFY_LOG_RETENTION_DAYS is the documented retention).
 */
@Entity('document_verification')
@Index('document_verification_at_idx', ['at'])
export class DocumentVerificationEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @CreateDateColumn({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'varchar', length: 10 }) channel: VerificationChannel;
  /** The verdict shown (AUTHENTIC, ALTERED, NOT_SEALED …, or FOUND / UNKNOWN_CODE for codes). */
  @Column({ type: 'varchar', length: 30 }) verdict: string;
  /** The sealed part the check was about, when it named one. */
  @Column({ type: 'uuid', nullable: true }) documentId: string | null;
  /** Whether the person was signed in. */
  @Column({ type: 'boolean' }) signedIn: boolean;
}
