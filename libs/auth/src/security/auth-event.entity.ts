import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum AuthEventType {
  SignIn = 'SIGN_IN',
  SignInFailed = 'SIGN_IN_FAILED',
  LockedOut = 'LOCKED_OUT',
  SignInRefused = 'SIGN_IN_REFUSED',
  SignOut = 'SIGN_OUT',
  SignOutEverywhere = 'SIGN_OUT_EVERYWHERE',
  SessionsRevoked = 'SESSIONS_REVOKED',
  RefreshReused = 'REFRESH_TOKEN_REUSED',
  InvitationSent = 'INVITATION_SENT',
  InvitationAccepted = 'INVITATION_ACCEPTED',
  PasswordChanged = 'PASSWORD_CHANGED',
  RoleChanged = 'ROLE_CHANGED',
  AccountDisabled = 'ACCOUNT_DISABLED',
  AccountEnabled = 'ACCOUNT_ENABLED',
}

/**
 * The authentication audit trail: who signed in, failed, was locked out, signed out, was
 * invited or had roles changed — kept apart from the agreements' hash-chained audit log,
 * which records business decisions. Rows are only ever inserted.
 */
@Entity('auth_event')
@Index('auth_event_user_idx', ['userId', 'occurredAt'])
@Index('auth_event_email_idx', ['email', 'occurredAt'])
export class AuthEventEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('auth_event_occurred_idx')
  @CreateDateColumn({ type: 'timestamptz' }) occurredAt: Date;
  @Column({ type: 'varchar', length: 40 }) type: AuthEventType;
  /** The account concerned, when known (a failed sign-in for an unknown email has none). */
  @Column({ type: 'uuid', nullable: true }) userId: string | null;
  /** The email as typed (lower-cased, at most 254 characters). */
  @Column({ type: 'varchar', length: 254, nullable: true }) email: string | null;
  /** The account that made the change (an admin inviting or disabling); null when it is the person themselves. */
  @Column({ type: 'uuid', nullable: true }) actorUserId: string | null;
  /** 'api', 'page', 'oidc', 'system'. */
  @Column({ type: 'varchar', length: 20 }) channel: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip: string | null;
  @Column({ type: 'varchar', length: 400, nullable: true }) userAgent: string | null;
  /** Small, non-secret details: lockout seconds, roles before/after, the reason of a refusal. Never passwords or tokens. */
  @Column({ type: 'jsonb', default: {} }) detail: Record<string, unknown>;
}
