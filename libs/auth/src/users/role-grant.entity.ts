import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { UserEntity } from './user.entity';
import { UserRole } from '../auth.enums';

@Entity('role_grant')
@Index('role_grant_unique', ['userId', 'role', 'organisationId', 'icbCode'], { unique: true })
@Check('role_grant_scope_check', `(role IN ('PLATFORM_ADMIN', 'AUDITOR')) = (organisation_id IS NULL)`)
export class RoleGrantEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) userId: string;
  @ManyToOne(() => UserEntity, (u) => u.grants, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' }) user?: Relation<UserEntity>;
  @Column({ type: 'varchar', length: 30 }) role: UserRole;
  @Column({ type: 'uuid', nullable: true }) organisationId: string | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) icbCode: string | null;
}
