import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { RoleGrantEntity } from './role-grant.entity';

@Entity('user_account')
@Index('user_account_oidc_subject_unique', ['oidcIssuer', 'oidcSubject'], { unique: true })
// lower(email), for lookups regardless of case (migration UserEmailLowerIndex): TypeORM cannot declare an expression index.
@Index('user_account_email_lower_idx', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('user_account_email_unique', { unique: true })
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 200 }) displayName: string;
  @Column({ type: 'text' }) passwordHash: string;
  /** The directory person this account belongs to (signatories, DPOs); null for pure admins. */
  @Column({ type: 'uuid', nullable: true }) personId: string | null;
  @Column({ type: 'boolean', default: false }) disabled: boolean;
  /** NHS CIS2 (OpenID Connect): the issuer and stable subject id this account is linked to (first CIS2 sign-in by verified email, then by subject only). */
  @Column({ type: 'varchar', length: 500, nullable: true }) oidcIssuer: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) oidcSubject: string | null;
  @Column({ type: 'timestamptz', nullable: true }) oidcLinkedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @OneToMany(() => RoleGrantEntity, (g) => g.user) grants?: Relation<RoleGrantEntity[]>;
}
