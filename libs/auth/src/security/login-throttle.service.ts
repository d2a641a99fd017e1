import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { REDIS_CLIENT, redisConfig, RedisConfig } from '@pcn/database';
import { AuthErrorCode, AuthException, waitInWords } from '../auth.exception';
import { signInLimitsConfig, SignInLimitsConfig } from './security.config';

const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);

/** A Redis-backed limiter shared by every process, with a per-process memory fallback while Redis is away. */
export function sharedLimiter(redis: Redis, keyPrefix: string, points: number, duration: number): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  } as ConstructorParameters<typeof RateLimiterRedis>[0]);
}

async function safely<T>(what: Promise<T>, fallback: T, logger: Logger): Promise<T> {
  try {
    return await what;
  } catch (error) {
    if (error instanceof RateLimiterRes) throw error;
    logger.warn({ err: error }, 'Sign-in limiter failed; continuing without it for this attempt');
    return fallback;
  }
}

export interface FailureOutcome {
  /** Set when this failure locked the account: for how long. */
  lockedForSeconds?: number;
  /** How many lockouts the account has had in the last 24 hours, this one included. */
  lockouts?: number;
}

/**
 * Sign-in throttling shared by the API and the sign-in page, in Redis (keys
 * `<REDIS_PREFIX>:login:*`, so every API process sees the same counts):
 *  - per account: LOGIN_MAX_FAILURES wrong passwords within the window lock the account for
 *    LOGIN_LOCKOUT_BASE_SECONDS, doubling with each further lockout within 24 hours;
 *    while locked, even the right password is refused (429 with Retry-After);
 *  - per client address: LOGIN_MAX_FAILURES_PER_ADDRESS failures (any accounts) within the
 *    window refuse further attempts from that address until the window ends.
 * Emails are hashed in key names; the success of a sign-in clears the account's failures.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger('LoginThrottle');
  private readonly accountFailures: RateLimiterAbstract;
  private readonly accountLock: RateLimiterAbstract;
  private readonly lockouts: RateLimiterAbstract;
  private readonly addressFailures: RateLimiterAbstract;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(redisConfig.KEY) redisSettings: RedisConfig,
    @Inject(signInLimitsConfig.KEY) private readonly limits: SignInLimitsConfig,
  ) {
    const p = `${redisSettings.REDIS_PREFIX}:login`;
    this.accountFailures = sharedLimiter(redis, `${p}:fail-account`, limits.LOGIN_MAX_FAILURES, limits.LOGIN_FAILURE_WINDOW_SECONDS);
    this.accountLock = sharedLimiter(redis, `${p}:lock`, 1, 1);
    this.lockouts = sharedLimiter(redis, `${p}:lockouts`, 1_000_000, 86_400);
    this.addressFailures = sharedLimiter(redis, `${p}:fail-address`, limits.LOGIN_MAX_FAILURES_PER_ADDRESS, limits.LOGIN_FAILURE_WINDOW_SECONDS);
  }

  /** Refuses (429, Retry-After) an attempt for a locked account or from an address over its allowance, before the password is checked. */
  async assertMayTry(email: string, client: string): Promise<void> {
    const [lock, address] = await Promise.all([
      safely(this.accountLock.get(accountKey(email)), null, this.logger),
      safely(this.addressFailures.get(client), null, this.logger),
    ]);
    if (lock && lock.consumedPoints > 1 && lock.msBeforeNext > 0) {
      const wait = Math.max(1, Math.ceil(lock.msBeforeNext / 1000));
      throw new AuthException(AuthErrorCode.TooManyAttempts, `This account is locked after too many wrong passwords. Try again in ${waitInWords(wait)}, or ask your administrator.`, wait);
    }
    if (address && address.consumedPoints >= this.limits.LOGIN_MAX_FAILURES_PER_ADDRESS && address.msBeforeNext > 0) {
      const wait = Math.max(1, Math.ceil(address.msBeforeNext / 1000));
      throw new AuthException(AuthErrorCode.TooManyAttempts, `Too many failed sign-ins from your network. Try again in ${waitInWords(wait)}.`, wait);
    }
  }

  /** Counts a wrong password; locks the account when it reaches LOGIN_MAX_FAILURES. */
  async recordFailure(email: string, client: string): Promise<FailureOutcome> {
    const key = accountKey(email);
    await safely(this.addressFailures.consume(client).catch((r: unknown) => (r instanceof RateLimiterRes ? r : Promise.reject(r))), null, this.logger);
    const failures = await safely(
      this.accountFailures.consume(key).catch((r: unknown) => (r instanceof RateLimiterRes ? r : Promise.reject(r))),
      null,
      this.logger,
    );
    if (!failures || failures.consumedPoints < this.limits.LOGIN_MAX_FAILURES) return {};
    const count = await safely(this.lockouts.consume(key), null, this.logger);
    const lockouts = count?.consumedPoints ?? 1;
    const seconds = Math.min(this.limits.LOGIN_LOCKOUT_BASE_SECONDS * 2 ** Math.min(lockouts - 1, 30), this.limits.LOGIN_LOCKOUT_MAX_SECONDS);
    await safely(this.accountLock.block(key, seconds), null, this.logger);
    await safely(this.accountFailures.delete(key), false, this.logger);
    return { lockedForSeconds: seconds, lockouts };
  }

  /** A successful sign-in clears the account's failure count (earlier lockouts still count towards the next one for 24 hours). */
  async recordSuccess(email: string): Promise<void> {
    await safely(this.accountFailures.delete(accountKey(email)), false, this.logger);
  }
}

export type LinkKind = 'invitation' | 'password-reset';

/**
 * For the ACCOUNTS pages and API: attempts to open or use an invitation or password-reset
 * link, per client address (LINK_LIMIT per LINK_LIMIT_WINDOW_SECONDS, in Redis). Call
 * `consume(kind, req.ip)` before looking the token up; it throws AuthException
 * TOO_MANY_ATTEMPTS (429, Retry-After) when the address is over its allowance.
 */
@Injectable()
export class LinkRateLimiter {
  private readonly logger = new Logger('LinkRateLimiter');
  private readonly limiters: Record<LinkKind, RateLimiterAbstract>;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(redisConfig.KEY) redisSettings: RedisConfig,
    @Inject(signInLimitsConfig.KEY) limits: SignInLimitsConfig,
  ) {
    const make = (kind: LinkKind) => sharedLimiter(redis, `${redisSettings.REDIS_PREFIX}:link-limit:${kind}`, limits.LINK_LIMIT, limits.LINK_LIMIT_WINDOW_SECONDS);
    this.limiters = { invitation: make('invitation'), 'password-reset': make('password-reset') };
  }

  async consume(kind: LinkKind, client: string | undefined): Promise<void> {
    try {
      await this.limiters[kind].consume(client ?? 'unknown');
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        this.logger.warn({ err: rejection }, 'Link limiter failed; the attempt is allowed');
        return;
      }
      const wait = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new AuthException(AuthErrorCode.TooManyAttempts, `Too many attempts to use ${kind === 'invitation' ? 'invitation' : 'password reset'} links from your network. Try again in ${waitInWords(wait)}.`, wait);
    }
  }
}
