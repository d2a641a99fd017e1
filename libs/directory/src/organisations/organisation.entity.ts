import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ContractType, DsptStatus, LegalForm, OrganisationKind } from '../directory.enums';

/**
 * Every organisation the platform knows (practices, PCNs, trusts, VCSE partners…) in one
 * table: agreements and annexes refer to any of them by id. Kind-specific identifier
 * rules are CHECK constraints so no code path can store a malformed code.
 */
@Entity('organisation')
// Lists of one kind by name, paged by (name, id): visible PCNs, the organisation search by kind.
@Index('organisation_kind_name_idx', ['kind', 'name', 'id'])
@Check('organisation_practice_ods_check', `kind <> 'GP_PRACTICE' OR (ods_code ~ '^[A-Z][0-9]{5}$' AND contract_type IS NOT NULL AND legal_form IS NOT NULL)`)
@Check('organisation_pcn_code_check', `kind <> 'PCN' OR ((ods_code IS NULL OR ods_code ~ '^U[0-9]{5}$') AND icb_code ~ '^Q[0-9A-Z]{2}$' AND network_area IS NOT NULL)`)
@Check('organisation_icb_code_check', `kind <> 'ICB' OR ods_code ~ '^Q[0-9A-Z]{2}$'`)
@Check('organisation_list_size_check', `list_size IS NULL OR list_size >= 0`)
@Check('organisation_dspt_year_check', `dspt_year IS NULL OR dspt_year ~ '^20[0-9]{2}-[0-9]{2}$'`)
export class OrganisationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 30 }) kind: OrganisationKind;

  @Column({ type: 'varchar', length: 200 }) name: string;

  @Index('organisation_ods_code_unique', { unique: true, where: 'ods_code IS NOT NULL' })
  @Column({ type: 'varchar', length: 10, nullable: true }) odsCode: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true }) address: string | null;
  @Column({ type: 'varchar', length: 10, nullable: true }) postcode: string | null;
  @Column({ type: 'varchar', length: 12, nullable: true }) icoRegistrationNumber: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) dsptStatus: DsptStatus | null;
  @Column({ type: 'varchar', length: 7, nullable: true }) dsptYear: string | null;

  // GP practice
  @Column({ type: 'varchar', length: 4, nullable: true }) contractType: ContractType | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) legalForm: LegalForm | null;
  @Column({ type: 'integer', nullable: true }) listSize: number | null;
  @Column({ type: 'date', nullable: true }) listSizeDate: string | null;
  @Column({ type: 'varchar', length: 5, nullable: true }) subIcbCode: string | null;

  // PCN
  @Index('organisation_icb_code_idx')
  @Column({ type: 'varchar', length: 3, nullable: true }) icbCode: string | null;
  @Column({ type: 'text', nullable: true }) networkArea: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
