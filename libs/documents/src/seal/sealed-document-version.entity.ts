import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A later version of a sealed document: the same file with incremental updates appended
 * (validation data and a fresh document timestamp, by `documents:renew-timestamps`). The
 * original row in sealed_document is never changed; each version has its own SHA-256 and,
 * like the original, can never be changed or removed.
 */
@Entity('sealed_document_version')
@Check('sealed_document_version_bytes_or_object_key', `num_nonnulls("bytes", "object_key") = 1`)
@Index('sealed_document_version_unique', ['documentId', 'version'], { unique: true })
export class SealedDocumentVersionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** The sealed_document this is a version of. */
  @Column({ type: 'uuid' }) documentId: string;
  /** 2, 3, …: the original stored document is version 1. */
  @Column({ type: 'integer' }) version: number;
  @Index('sealed_document_version_sha256_idx')
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'integer' }) sizeBytes: number;
  /** Time of the document timestamp this version added (the TSA's genTime). */
  @Column({ type: 'timestamptz' }) timestampedAt: Date;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  /** As in sealed_document: the file in PostgreSQL, or null when it is in the bucket under `objectKey`. */
  @Column({ type: 'bytea', select: false, nullable: true }) bytes: Buffer | null;
  @Column({ type: 'varchar', length: 400, select: false, nullable: true }) objectKey: string | null;
}
