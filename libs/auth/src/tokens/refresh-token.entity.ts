import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row per issued refresh token. Tokens rotate: each is used once; presenting a used
 * token again means it leaked, so the whole family is revoked.
 */
@Entity('refresh_token')
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('refresh_token_user_idx')
  @Column({ type: 'uuid' }) userId: string;
  @Index('refresh_token_family_idx')
  @Column({ type: 'uuid' }) familyId: string;
  /** SHA-256 of the secret part; the secret itself is never stored. */
  @Column({ type: 'char', length: 64 }) tokenHash: string;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
