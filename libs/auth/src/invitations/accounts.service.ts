import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type Redis from 'ioredis';
import { REDIS_CLIENT, redisConfig, RedisConfig } from '@pcn/database';
import { UserEntity } from '../users/user.entity';
import { RoleGrantEntity } from '../users/role-grant.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { RoleGrantClaim } from '../principal';
import { AccountsErrorCode, AccountsException } from './accounts.exception';
import { AuthEventsService } from '../security/auth-events.service';
import { AuthEventType } from '../security/auth-event.entity';
import { endPageSessions, rememberPageSession, REVOCATION_MARK_TTL_SECONDS, revokedUserKey } from '../session/session-index';

export interface AccountSummary {
  id: string;
  email: string;
  displayName: string;
  personId: string | null;
  disabled: boolean;
  grants: (RoleGrantClaim & { id: string })[];
}

/** Accounts as administrators see them: list, grant and revoke roles, disable (ending every session at once). */
@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) private readonly redisSettings: RedisConfig,
    private readonly authEvents: AuthEventsService,
  ) {}

  /** Accounts holding a grant on any of these organisations (or linked to one of these people). */
  async accountsFor(organisationIds: string[], personIds: string[] = []): Promise<AccountSummary[]> {
    if (organisationIds.length === 0 && personIds.length === 0) return [];
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u').leftJoinAndSelect('u.grants', 'g').orderBy('u.display_name');
    qb.where(`u.id IN (SELECT rg.user_id FROM role_grant rg WHERE rg.organisation_id = ANY(:orgs))`, { orgs: organisationIds });
    if (personIds.length) qb.orWhere('u.person_id = ANY(:people)', { people: personIds });
    return (await qb.getMany()).map((u) => this.summary(u));
  }

  async account(userId: string, em: EntityManager = this.dataSource.manager): Promise<AccountSummary> {
    const user = await em.findOne(UserEntity, { where: { id: userId }, relations: { grants: true } });
    if (!user) throw new AccountsException(AccountsErrorCode.AccountNotFound, 'That account was not found.');
    return this.summary(user);
  }

  async accountByEmail(email: string): Promise<AccountSummary | null> {
    const user = await this.dataSource.getRepository(UserEntity).findOne({ where: { email: email.trim().toLowerCase() }, relations: { grants: true } });
    return user ? this.summary(user) : null;
  }

  /** Adds a role grant in the caller's transaction (ROLE_CHANGED in the trail); returns false when the account already had it. */
  async grant(em: EntityManager, userId: string, grant: RoleGrantClaim, actorUserId: string | null = null): Promise<boolean> {
    const exists = await em.existsBy(RoleGrantEntity, { userId, role: grant.role, organisationId: grant.organisationId ?? IsNull(), icbCode: grant.icbCode ?? IsNull() });
    if (exists) return false;
    await em.save(RoleGrantEntity, em.create(RoleGrantEntity, { userId, ...grant }));
    await this.authEvents.recordIn(em, { type: AuthEventType.RoleChanged, userId, actorUserId, channel: 'system', detail: { added: grant } });
    return true;
  }

  async revokeGrant(em: EntityManager, userId: string, grantId: string, actorUserId: string | null = null): Promise<RoleGrantEntity> {
    const grant = await em.findOneBy(RoleGrantEntity, { id: grantId, userId });
    if (!grant) throw new AccountsException(AccountsErrorCode.AccountNotFound, 'That role was not found on this account.');
    await em.delete(RoleGrantEntity, { id: grant.id });
    await this.authEvents.recordIn(em, { type: AuthEventType.RoleChanged, userId, actorUserId, channel: 'system', detail: { removed: { role: grant.role, organisationId: grant.organisationId, icbCode: grant.icbCode } } });
    return grant;
  }

  /**
   * Disables the account in the caller's transaction (refresh tokens revoked with it). Call
   * `endSessions` after the commit: page sessions are deleted and access tokens refused.
   */
  async disable(em: EntityManager, userId: string, actorUserId: string | null = null): Promise<boolean> {
    const updated = await em.update(UserEntity, { id: userId, disabled: false }, { disabled: true });
    await em.update(RefreshTokenEntity, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    const changed = (updated.affected ?? 0) > 0;
    if (changed) await this.authEvents.recordIn(em, { type: AuthEventType.AccountDisabled, userId, actorUserId, channel: 'system' });
    return changed;
  }

  async enable(em: EntityManager, userId: string, actorUserId: string | null = null): Promise<boolean> {
    const updated = await em.update(UserEntity, { id: userId, disabled: true }, { disabled: false });
    const changed = (updated.affected ?? 0) > 0;
    if (changed) await this.authEvents.recordIn(em, { type: AuthEventType.AccountEnabled, userId, actorUserId, channel: 'system' });
    return changed;
  }

  /** Ends every page session of the user now, and marks their access tokens revoked until they expire. */
  async endSessions(userId: string): Promise<number> {
    const prefix = this.redisSettings.REDIS_PREFIX;
    await this.redis.set(revokedUserKey(prefix, userId), String(Date.now()), 'EX', REVOCATION_MARK_TTL_SECONDS);
    return endPageSessions(this.redis, prefix, userId);
  }

  /** Called by page sign-in after the session is saved, so disabling can find it. */
  rememberPageSession(userId: string, sessionId: string, ttlSeconds: number): Promise<void> {
    return rememberPageSession(this.redis, this.redisSettings.REDIS_PREFIX, userId, sessionId, ttlSeconds);
  }

  usersByIds(ids: string[]): Promise<UserEntity[]> {
    return ids.length ? this.dataSource.getRepository(UserEntity).findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  private summary(u: UserEntity): AccountSummary {
    return {
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      personId: u.personId,
      disabled: u.disabled,
      grants: (u.grants ?? []).map((g) => ({ id: g.id, role: g.role, organisationId: g.organisationId, icbCode: g.icbCode })),
    };
  }
}
