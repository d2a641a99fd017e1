import { Check, Column, CreateDateColumn, Entity, Exclusion, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { ExitReason, MembershipType } from '../directory.enums';

/**
 * A practice's core membership of a PCN over time. The exclusion constraint is the
 * real guarantee that a practice is a core member of at most one PCN on any day.
 */
@Entity('membership')
@Check('membership_dates_check', `left_on IS NULL OR left_on >= joined_on`)
@Exclusion('membership_one_core_pcn_at_a_time', `USING gist ("practice_id" WITH =, daterange("joined_on", "left_on", '[]') WITH &&) WHERE ("type" = 'CORE')`)
export class MembershipEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Index('membership_pcn_idx')
  @Column({ type: 'uuid' }) pcnId: string;
  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pcn_id' }) pcn?: Relation<OrganisationEntity>;

  @Index('membership_practice_idx')
  @Column({ type: 'uuid' }) practiceId: string;
  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'practice_id' }) practice?: Relation<OrganisationEntity>;

  @Column({ type: 'varchar', length: 10, default: MembershipType.Core }) type: MembershipType;
  @Column({ type: 'date' }) joinedOn: string;
  @Column({ type: 'date', nullable: true }) leftOn: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) exitReason: ExitReason | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
