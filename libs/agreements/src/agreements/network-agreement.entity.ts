import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, Relation } from 'typeorm';
import { OrganisationEntity } from '@pcn/directory';
import { AgreementTemplateEntity } from '../templates/agreement-template.entity';
import { AgreementStatus } from './agreement-status';

@Entity('network_agreement')
// A PCN's agreements newest first, paged by (created_at, id): AgreementsService.list.
@Index('network_agreement_pcn_created_idx', ['pcnId', 'createdAt', 'id'])
// The auditors' search: executed agreements by execution date, paged by (executed_at, id).
@Index('network_agreement_executed_idx', ['executedAt', 'id'], { where: `status IN ('EXECUTED', 'SUPERSEDED', 'TERMINATED')` })
@Check('network_agreement_revision_check', `current_revision_number >= 1`)
export class NetworkAgreementEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  /** Human reference printed on every page and used by auditors, e.g. NA-U12345-2026-0001. */
  @Index('network_agreement_reference_unique', { unique: true })
  @Column({ type: 'varchar', length: 40 }) reference: string;

  @Column({ type: 'uuid' }) pcnId: string;
  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pcn_id' }) pcn?: Relation<OrganisationEntity>;

  @Column({ type: 'uuid' }) templateId: string;
  @ManyToOne(() => AgreementTemplateEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'template_id' }) template?: Relation<AgreementTemplateEntity>;

  @Column({ type: 'varchar', length: 30, default: AgreementStatus.Draft }) status: AgreementStatus;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'integer' }) currentRevisionNumber: number;
  /** 1 for the original agreement; a variation is the next version of the one it varies. */
  @Column({ type: 'integer', default: 1 }) versionNumber: number;
  @Index('network_agreement_variation_of_idx')
  @Column({ type: 'uuid', nullable: true }) variationOfId: string | null;
  @Column({ type: 'integer', nullable: true }) executedRevisionNumber: number | null;
  @Column({ type: 'timestamptz', nullable: true }) executedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) endedAt: Date | null;
  /** Why the last round ended without execution (a decline reason), or why it was terminated. */
  @Column({ type: 'text', nullable: true }) statusReason: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/**
 * An agreement's status as a scalar sub-select over `agreementIdSql` (a uuid expression), for
 * a caller that reads it in a statement it sends anyway (the approval path), rather than in a
 * round trip of its own.
 */
export function agreementStatusSql(agreementIdSql: string): string {
  return `(SELECT status FROM network_agreement WHERE id = ${agreementIdSql})`;
}
