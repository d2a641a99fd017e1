import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { PersonEntity } from './person.entity';
import { PersonRoleType } from '../directory.enums';

/** A role a person holds in an organisation for a period (partner, DPO, clinical director…). */
@Entity('person_role')
@Check('person_role_dates_check', `valid_to IS NULL OR valid_to >= valid_from`)
export class PersonRoleEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Index('person_role_person_idx')
  @Column({ type: 'uuid' }) personId: string;
  @ManyToOne(() => PersonEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id' }) person?: Relation<PersonEntity>;

  @Index('person_role_organisation_idx')
  @Column({ type: 'uuid' }) organisationId: string;
  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' }) organisation?: Relation<OrganisationEntity>;

  @Column({ type: 'varchar', length: 30 }) role: PersonRoleType;
  /** A partner recorded as holding authority to sign for the whole partnership. */
  @Column({ type: 'boolean', default: false }) signsForOrganisation: boolean;
  @Column({ type: 'date' }) validFrom: string;
  @Column({ type: 'date', nullable: true }) validTo: string | null;
}
