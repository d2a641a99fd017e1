import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { OutboxService, pgConstraintName } from '@pcn/database';
import { InvitationEntity } from './invitation.entity';
import { UserEntity } from '../users/user.entity';
import { RoleGrantEntity } from '../users/role-grant.entity';
import { Principal, RoleGrantClaim } from '../principal';
import { AccountsErrorCode, AccountsException } from './accounts.exception';
import { accountsConfig, AccountsConfig } from './accounts.config';
import { invitationPasswordProblem } from './password-policy';
import { PasswordHasher } from '../security/password-hasher';
import { AuthEventsService, ClientInfo } from '../security/auth-events.service';
import { AuthEventType } from '../security/auth-event.entity';

/** The outbox job that emails an invitation (JobName.SendInvitation in libs/workflow's queue contract). */
export const INVITATION_EMAIL_JOB = { queue: 'notifications', jobName: 'invitation.send' } as const;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const identityTaken = () =>
  new AccountsException(
    AccountsErrorCode.IdentityLinked,
    'Your NHS Care Identity Service 2 identity is already linked to an account on PCN Agreements, so it cannot be linked to this invitation too. Sign in with NHS Care Identity Service 2 instead, or ask the person who invited you to help.',
  );

export interface NewInvitation {
  email: string;
  displayName: string;
  personId: string | null;
  organisationId: string | null;
  grants: RoleGrantClaim[];
  invitedBy: { id: string; displayName: string } | null;
}

/** How the invited person proves who they are: a new password, or the NHS CIS2 identity the OIDC flow returned. */
export type InvitationCredential =
  | { password: string }
  | {
      /** The ID token's issuer and subject: the account signs in by these from now on. */
      oidcIdentity: { issuer: string; subject: string };
      /** e.g. "NHS CIS2 (AAL3)". */
      authMethod: string;
    };

export interface AcceptedInvitation {
  invitation: InvitationEntity;
  user: UserEntity;
  principal: Principal;
}

export interface IssuedLink {
  invitation: InvitationEntity;
  token: string;
  expiresAt: Date;
}

/**
 * Invitations to an account, with a single-use expiring link. Touches only its own tables
 * (invitation, user_account, role_grant) and the outbox.
 */
@Injectable()
export class InvitationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    @Inject(accountsConfig.KEY) private readonly config: AccountsConfig,
    private readonly authEvents: AuthEventsService,
    private readonly passwords: PasswordHasher,
  ) {}

  /** Records the invitation and queues its email, in the caller's transaction. */
  async create(em: EntityManager, input: NewInvitation): Promise<InvitationEntity> {
    const email = input.email.trim().toLowerCase();
    if (await em.existsBy(UserEntity, { email })) {
      throw new AccountsException(AccountsErrorCode.AccountExists, `${email} already has an account. Change that account's roles instead of inviting again.`, { email: ['This person already has an account'] });
    }
    const open = await em.findOneBy(InvitationEntity, { email, acceptedAt: IsNull(), revokedAt: IsNull() });
    if (open && (!open.expiresAt || open.expiresAt.getTime() > Date.now())) {
      throw new AccountsException(AccountsErrorCode.InvitationPending, `${email} has already been invited and the link still works.`, { email: ['This person has already been invited'] });
    }
    if (open) await em.update(InvitationEntity, { id: open.id }, { revokedAt: new Date() });
    const invitation = await em.save(InvitationEntity, em.create(InvitationEntity, {
      email,
      displayName: input.displayName,
      personId: input.personId,
      organisationId: input.organisationId,
      grants: input.grants,
      invitedByUserId: input.invitedBy?.id ?? null,
      invitedByName: input.invitedBy?.displayName ?? null,
    }));
    await this.outbox.enqueue(em, { ...INVITATION_EMAIL_JOB, payload: { invitationId: invitation.id } });
    // The authentication trail records the invitation with its email (queued in this same transaction).
    await this.authEvents.recordIn(em, {
      type: AuthEventType.InvitationSent,
      email,
      actorUserId: input.invitedBy?.id ?? null,
      channel: 'system',
      detail: { invitationId: invitation.id, roles: input.grants.map((g) => g.role), organisationId: input.organisationId },
    });
    return invitation;
  }

  /**
   * For the email job: a fresh token for the link (only its hash is kept), or null when the
   * invitation is accepted, revoked, or this job already sent it.
   */
  async issueLink(invitationId: string, jobId: string): Promise<IssuedLink | null> {
    return this.dataSource.transaction(async (em) => {
      const invitation = await em.findOne(InvitationEntity, { where: { id: invitationId }, lock: { mode: 'pessimistic_write' } });
      if (!invitation || invitation.acceptedAt || invitation.revokedAt) return null;
      if (invitation.sentJobId === jobId && invitation.sentAt) return null;
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + this.config.INVITATION_TTL_HOURS * 3_600_000);
      await em.update(InvitationEntity, { id: invitation.id }, { tokenHash: sha256(token), expiresAt, sentJobId: jobId });
      return { invitation, token, expiresAt };
    });
  }

  /** The invitation by id, or null (for the email job: whom it goes to, and whether it is still open). */
  findById(invitationId: string): Promise<InvitationEntity | null> {
    return this.dataSource.getRepository(InvitationEntity).findOneBy({ id: invitationId });
  }

  /** Records that this job's link went out, in the caller's transaction (the email job's SENT record). */
  async markSent(invitationId: string, jobId: string, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.update(InvitationEntity, { id: invitationId, sentJobId: jobId }, { sentAt: new Date() });
  }

  /** The invitation behind a link, if the link still works; otherwise 404 (unknown link) or 410 saying why (used, replaced, expired). */
  async describe(token: string, em: EntityManager = this.dataSource.manager, lock = false): Promise<InvitationEntity> {
    const invitation = typeof token === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(token)
      ? await em.findOne(InvitationEntity, { where: { tokenHash: sha256(token) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
      : null;
    if (!invitation) throw new AccountsException(AccountsErrorCode.InvitationUnknown, 'This invitation link is not valid. Check it was copied in full, or ask the person who invited you to send a new one.');
    if (invitation.revokedAt) throw new AccountsException(AccountsErrorCode.InvitationNotValid, 'This invitation link has been replaced by a newer one. Use the link in the latest email.');
    if (invitation.acceptedAt) throw new AccountsException(AccountsErrorCode.InvitationNotValid, 'This invitation link has already been used. Sign in with the password you set, or with NHS Care Identity Service 2 if you chose it.');
    if (!invitation.expiresAt || invitation.expiresAt.getTime() <= Date.now()) {
      throw new AccountsException(AccountsErrorCode.InvitationNotValid, 'This invitation link has expired. Ask the person who invited you to send a new one.');
    }
    return invitation;
  }

  /**
   * Accepts an invitation once: creates the account with its role grants and either a
   * password (checked against the policy) or a linked CIS2 identity (refused with 409 when
   * that identity already belongs to an account). `onAccepted` runs in the same transaction
   * (the caller's audit event), as does the INVITATION_ACCEPTED authentication event.
   */
  async accept(token: string, credential: InvitationCredential, onAccepted?: (em: EntityManager, accepted: AcceptedInvitation) => Promise<void>, client: ClientInfo = { ip: null, userAgent: null }): Promise<AcceptedInvitation> {
    let passwordHash: string;
    if ('password' in credential) {
      const problem = invitationPasswordProblem(credential.password);
      if (problem) throw new AccountsException(AccountsErrorCode.PasswordTooWeak, problem, { password: [problem] });
      passwordHash = await this.passwords.hash(credential.password);
    } else {
      // No password can ever match: the account signs in through its linked identity only.
      passwordHash = `!no-password:${randomUUID()}`;
    }
    return this.dataSource.transaction(async (em) => {
      const invitation = await this.describe(token, em, true);
      if (await em.existsBy(UserEntity, { email: invitation.email })) {
        throw new AccountsException(AccountsErrorCode.AccountExists, `${invitation.email} already has an account. Sign in instead.`);
      }
      const identity = 'oidcIdentity' in credential ? credential.oidcIdentity : null;
      if (identity && (await em.existsBy(UserEntity, { oidcIssuer: identity.issuer, oidcSubject: identity.subject }))) throw identityTaken();
      const user = await em.save(UserEntity, em.create(UserEntity, {
        email: invitation.email,
        displayName: invitation.displayName,
        passwordHash,
        personId: invitation.personId,
        ...(identity ? { oidcIssuer: identity.issuer, oidcSubject: identity.subject, oidcLinkedAt: new Date() } : {}),
      })).catch((error: unknown) => {
        // Two acceptances with the same CIS2 identity at once: the unique index decides.
        if (pgConstraintName(error) === 'user_account_oidc_subject_unique') throw identityTaken();
        throw error;
      });
      await em.save(RoleGrantEntity, invitation.grants.map((g) => em.create(RoleGrantEntity, { userId: user.id, role: g.role, organisationId: g.organisationId, icbCode: g.icbCode })));
      await em.update(InvitationEntity, { id: invitation.id }, { acceptedAt: new Date(), acceptedUserId: user.id });
      await this.authEvents.recordIn(em, {
        type: AuthEventType.InvitationAccepted,
        userId: user.id,
        email: user.email,
        channel: identity ? 'oidc' : 'page',
        ...client,
        detail: { invitationId: invitation.id, method: 'oidcIdentity' in credential ? credential.authMethod : 'password', roles: invitation.grants.map((g) => g.role) },
      });
      const principal: Principal = {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        personId: user.personId,
        grants: invitation.grants.map((g) => ({ role: g.role, organisationId: g.organisationId, icbCode: g.icbCode })),
        authMethod: 'password' in credential ? 'password' : credential.authMethod,
      };
      const accepted = { invitation: { ...invitation, acceptedAt: new Date(), acceptedUserId: user.id }, user, principal };
      await onAccepted?.(em, accepted);
      return accepted;
    });
  }

  /** Invitations not yet accepted for these organisations (for the people pages). */
  openForOrganisations(organisationIds: string[]): Promise<InvitationEntity[]> {
    if (organisationIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(InvitationEntity)
      .createQueryBuilder('i')
      .where('i.organisation_id IN (:...ids) AND i.accepted_at IS NULL AND i.revoked_at IS NULL', { ids: organisationIds })
      .orderBy('i.created_at', 'DESC')
      .getMany();
  }
}
