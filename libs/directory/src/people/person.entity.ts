import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('person')
@Check('person_gmc_check', `gmc_number IS NULL OR gmc_number ~ '^[0-9]{7}$'`)
export class PersonEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 200 }) fullName: string;
  @Index('person_email_unique', { unique: true })
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 7, nullable: true }) gmcNumber: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
