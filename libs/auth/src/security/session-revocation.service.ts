import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type Redis from 'ioredis';
import { REDIS_CLIENT, redisConfig, RedisConfig } from '@pcn/database';
import { authConfig, AuthConfig } from '../auth.config';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';

/** How long a revocation mark must outlive anything it revokes: the longest page session (72 h cap) or access token. */
const MARK_TTL_SECONDS = 72 * 3600 + 3600;
/** A revocation check that takes longer than this is skipped (Redis unwell): the request is not held up. */
const CHECK_TIMEOUT_MS = 300;

/**
 * Revocation that takes effect at once, for Bearer access tokens and page sessions alike.
 * Redis keys (shared by every API process):
 *  - `<prefix>:revoked:user:<userId>` = epoch ms: every access token and page session of the
 *    user issued before then is refused (disabling an account, role changes, sign out everywhere);
 *  - `<prefix>:revoked:family:<familyId>` = epoch ms: access tokens of one refresh-token
 *    family are refused (sign-out, refresh-token reuse).
 * AccessGuard reads both on every authenticated API request; the pages check the user key on
 * every request with a session. Marks expire once nothing they revoke could still be valid.
 *
 * Trade-off (docs/security.md): when Redis is down or slower than 300 ms, the check is skipped
 * and an access token stays valid until it expires (JWT_ACCESS_TTL_SECONDS); refresh tokens,
 * held in PostgreSQL, are revoked regardless.
 */
@Injectable()
export class SessionRevocation {
  private readonly logger = new Logger('SessionRevocation');
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) redisSettings: RedisConfig,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.prefix = `${redisSettings.REDIS_PREFIX}:revoked`;
  }

  /**
   * Ends every session of a user at once: marks the user revoked in Redis (access tokens and
   * page sessions issued before now stop working on their next request) and revokes all their
   * refresh tokens in PostgreSQL. For disabling an account, role changes and sign out everywhere.
   */
  async revokeUserSessions(userId: string): Promise<void> {
    await this.dataSource.getRepository(RefreshTokenEntity).update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    await this.mark(`${this.prefix}:user:${userId}`, MARK_TTL_SECONDS);
  }

  /** Access tokens of one refresh-token family stop working (its refresh tokens are revoked by the caller). */
  async revokeFamily(familyId: string): Promise<void> {
    await this.mark(`${this.prefix}:family:${familyId}`, this.config.JWT_ACCESS_TTL_SECONDS + 60);
  }

  /** True when a credential of `userId` (and `familyId`) issued at `issuedAtMs` has been revoked since. */
  async isRevoked(userId: string, issuedAtMs: number, familyId?: string | null): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    const keys = [`${this.prefix}:user:${userId}`, ...(familyId ? [`${this.prefix}:family:${familyId}`] : [])];
    let timer: NodeJS.Timeout | undefined;
    try {
      const marks = await Promise.race([
        this.redis.mget(...keys),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), CHECK_TIMEOUT_MS);
        }),
      ]);
      if (!marks) {
        this.logger.warn('Revocation check timed out; allowed until the token expires');
        return false;
      }
      return marks.some((m) => m !== null && Number(m) >= issuedAtMs);
    } catch (error) {
      this.logger.warn({ err: error }, 'Revocation check failed; allowed until the token expires');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async mark(key: string, ttlSeconds: number): Promise<void> {
    // A token issued in this very millisecond is revoked too (the check is `mark >= issued`).
    let timer: NodeJS.Timeout | undefined;
    const written = await Promise.race([
      this.redis.set(key, String(Date.now()), 'EX', ttlSeconds).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), 2000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!written) this.logger.error({ key }, 'Could not write a revocation mark to Redis; access tokens stay valid until they expire');
  }
}
