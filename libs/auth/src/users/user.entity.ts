import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { RoleGrantEntity } from './role-grant.entity';

@Entity('user_account')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('user_account_email_unique', { unique: true })
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 200 }) displayName: string;
  @Column({ type: 'text' }) passwordHash: string;
  /** The directory person this account belongs to (signatories, DPOs); null for pure admins. */
  @Column({ type: 'uuid', nullable: true }) personId: string | null;
  @Column({ type: 'boolean', default: false }) disabled: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @OneToMany(() => RoleGrantEntity, (g) => g.user) grants?: Relation<RoleGrantEntity[]>;
}
