import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import type { FieldMessages } from '@pcn/common';
import type { AgreementContent } from '../content';
import { NetworkAgreementEntity } from './network-agreement.entity';

/**
 * One saved state of a draft. Never updated or deleted (a database trigger refuses it):
 * signatures bind to `contentHash`, so the content under a hash must never move.
 */
@Entity('agreement_revision')
@Index('agreement_revision_number_unique', ['agreementId', 'number'], { unique: true })
export class AgreementRevisionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) agreementId: string;
  @ManyToOne(() => NetworkAgreementEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agreement_id' }) agreement?: Relation<NetworkAgreementEntity>;
  @Column({ type: 'integer' }) number: number;
  @Column({ type: 'jsonb' }) content: AgreementContent;
  /** Hex SHA-256 of the canonical JSON of `content`. */
  @Index('agreement_revision_hash_idx')
  @Column({ type: 'char', length: 64 }) contentHash: string;
  @Column({ type: 'jsonb' }) warnings: FieldMessages;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/**
 * A revision's annex ids in document order, as a SQL expression over `revisionIdSql` (a uuid
 * expression): a JSON array with null where an annex has no id. For readers that need only the
 * ids (every email letters the annexes as the document does) without fetching the content,
 * which is the whole agreement.
 */
export function revisionAnnexIdsSql(revisionIdSql: string): string {
  return `(SELECT (SELECT jsonb_agg(annex -> 'id' ORDER BY position) FROM jsonb_array_elements(r.content -> 'annexes') WITH ORDINALITY AS a(annex, position)) FROM agreement_revision r WHERE r.id = ${revisionIdSql})`;
}
