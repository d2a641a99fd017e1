import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { TemplateClause } from './network-agreement-2025-26';


/** A version of the national mandatory terms. Rows are reference data, inserted by migrations. */
@Entity('agreement_template')
export class AgreementTemplateEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('agreement_template_version_unique', { unique: true })
  @Column({ type: 'varchar', length: 20 }) version: string;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'jsonb' }) clauses: TemplateClause[];
  /** SHA-256 of the canonical clause list: the mandatory text every revision binds to. */
  @Column({ type: 'char', length: 64 }) clausesHash: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
