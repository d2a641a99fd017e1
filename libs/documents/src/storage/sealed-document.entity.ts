import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { SignatureBlock } from '../render/document-model';

/** Who approved, exactly as printed on the signature page. */
export type SignatoryFact = SignatureBlock;

export enum DocumentKind {
  /** The whole agreement: clauses, schedules, every annex, signature page, certificate. */
  Agreement = 'AGREEMENT',
  /** One data-sharing annex on its own, for its parties (non-GP parties get only this). */
  Annex = 'ANNEX',
}

/**
 * A sealed PDF, stored once and never changed. Its bytes live either in PostgreSQL (`bytes`,
 * DOCUMENT_STORE=bytea: a database backup is a backup of the legal record) or in an
 * S3-compatible bucket under `objectKey` (DOCUMENT_STORE=s3, see storage/s3-document-store.ts);
 * never both, never neither. Bytes and key are not loaded unless asked for: read them through
 * the DocumentStore.
 */
@Entity('sealed_document')
@Check('sealed_document_bytes_or_object_key', `num_nonnulls("bytes", "object_key") = 1`)
@Index('sealed_document_execution_part_unique', ['executionId', 'kind', 'part'], { unique: true })
export class SealedDocumentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /**
   * The part's one reference, for people: printed on every page (cover, header, footer), in the
   * PDF's /PcnReference, in search and the ZIP manifest, e.g. NA-U70101-2026-0001-r3 for the
   * agreement and NA-U70101-2026-0001-r3-A2 for its second annex. Sequential, so never a key
   * to anything public: the public page is reached by `verificationCode`.
   */
  @Index('sealed_document_reference_unique', { unique: true })
  @Column({ type: 'varchar', length: 80 }) reference: string;
  /**
   * Random public verification code (16 base32 characters = 80 bits), printed in the part's
   * verification URL (`/verify/<code>`): the only key to the public page and API.
   */
  @Index('sealed_document_verification_code_unique', { unique: true })
  @Column({ type: 'varchar', length: 16 }) verificationCode: string;
  /**
   * SHA-256 of the bytes the seal's ByteRange covers (the file up to the end of the sealed
   * revision). Later DSS and document-timestamp updates keep it, so any version of the part
   * (the stored one, a renewed one) is found by it once the verifier has checked the file.
   * Null for parts stored before it was recorded.
   */
  @Index('sealed_document_signed_revision_idx')
  @Column({ type: 'char', length: 64, nullable: true }) signedRevisionSha256: string | null;
  @Index('sealed_document_agreement_idx')
  @Column({ type: 'uuid' }) agreementId: string;
  @Column({ type: 'uuid' }) executionId: string;
  @Column({ type: 'uuid' }) revisionId: string;
  @Column({ type: 'varchar', length: 10 }) kind: DocumentKind;
  /** 'agreement' or the annex id: one document per part per execution. */
  @Column({ type: 'varchar', length: 40 }) part: string;
  @Column({ type: 'uuid', nullable: true }) annexId: string | null;
  @Column({ type: 'varchar', length: 300 }) title: string;
  /** Organisations that may download it besides the PCN's own users (annex parties). */
  @Column({ type: 'uuid', array: true, default: () => `'{}'` }) partyOrganisationIds: string[];
  @Column({ type: 'varchar', length: 120 }) fileName: string;
  @Index('sealed_document_sha256_idx')
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'integer' }) sizeBytes: number;
  /** SHA-256 of the revision content every approval bound to. */
  @Column({ type: 'char', length: 64 }) contentHash: string;
  @Column({ type: 'char', length: 64 }) sealCertificateFingerprint: string;
  @Column({ type: 'varchar', length: 300 }) sealCertificateSubject: string;
  @Column({ type: 'timestamptz' }) sealedAt: Date;
  /** Who approved, as printed on the signature page: what verification reports. */
  @Column({ type: 'jsonb' }) signatories: SignatoryFact[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  /** The sealed file, when it is kept in PostgreSQL; null when it is in the bucket (`objectKey`). */
  @Column({ type: 'bytea', select: false, nullable: true }) bytes: Buffer | null;
  /** The object holding the sealed file (`<S3_PREFIX>sealed/<sha256>.pdf`), when it is kept in S3; null when `bytes` holds it. */
  @Column({ type: 'varchar', length: 400, select: false, nullable: true }) objectKey: string | null;
}

/** A part with its file in hand (read through the DocumentStore), e.g. for a ZIP. */
export type SealedDocumentWithBytes = SealedDocumentEntity & { bytes: Buffer };
