import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum DocumentStatus {
  Pending = 'PENDING',
  Generated = 'GENERATED',
}

/**
 * The fact that a revision was executed. Unique per revision: whatever races happen, an
 * agreement is executed once and gets one document job.
 */
@Entity('agreement_execution')
export class AgreementExecutionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('agreement_execution_agreement_idx')
  @Column({ type: 'uuid' }) agreementId: string;
  @Index('agreement_execution_revision_unique', { unique: true })
  @Column({ type: 'uuid' }) revisionId: string;
  @Column({ type: 'uuid' }) roundId: string;
  @Column({ type: 'char', length: 64 }) contentHash: string;
  @Column({ type: 'timestamptz' }) executedAt: Date;
  @Column({ type: 'varchar', length: 12, default: DocumentStatus.Pending }) documentStatus: DocumentStatus;
  @Column({ type: 'timestamptz', nullable: true }) documentGeneratedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
