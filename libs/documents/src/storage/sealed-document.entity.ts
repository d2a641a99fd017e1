import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
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
 * A sealed PDF, stored once and never changed: the bytes live in PostgreSQL (bytea) next
 * to their SHA-256, so a backup of the database is a backup of the legal record and a
 * document can never be separated from its metadata. Bytes are not loaded unless asked for.
 */
@Entity('sealed_document')
@Index('sealed_document_execution_part_unique', ['executionId', 'kind', 'part'], { unique: true })
export class SealedDocumentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Printed on every page and used by the public verification page, e.g. NA-U70101-2026-0001-r3. */
  @Index('sealed_document_reference_unique', { unique: true })
  @Column({ type: 'varchar', length: 80 }) reference: string;
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
  @Column({ type: 'bytea', select: false }) bytes: Buffer;
}
