import { CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { IsInt, Max, Min } from 'class-validator';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { defineConfig } from '@pcn/common';
import { REDIS_CLIENT, redisConfig, RedisConfig } from '@pcn/database';
import { DocumentsErrorCode, DocumentsException } from '../documents.exception';

/** Limits of the public verification routes, per client address, validated at start-up. */
export class VerifyLimitsEnv {
  /** Uploads (POST /verify page and API) per address per window. */
  @IsInt({ message: 'VERIFY_UPLOAD_LIMIT must be a whole number of uploads' })
  @Min(1)
  @Max(100_000)
  VERIFY_UPLOAD_LIMIT: number = 30;

  /** Look-ups by verification code (GET /verify/:code page and API) per address per window. */
  @IsInt({ message: 'VERIFY_LOOKUP_LIMIT must be a whole number of look-ups' })
  @Min(1)
  @Max(100_000)
  VERIFY_LOOKUP_LIMIT: number = 60;

  @IsInt({ message: 'VERIFY_LIMIT_WINDOW_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(86_400)
  VERIFY_LIMIT_WINDOW_SECONDS: number = 600;

  /** How long verification counts are kept (`documents:prune-verifications` deletes older ones). */
  @IsInt({ message: 'VERIFY_LOG_RETENTION_DAYS must be a whole number of days' })
  @Min(1)
  @Max(3650)
  VERIFY_LOG_RETENTION_DAYS: number = 90;
}

export const verifyLimitsConfig = defineConfig('verifyLimits', VerifyLimitsEnv);
export type VerifyLimitsConfig = ConfigType<typeof verifyLimitsConfig>;

export type VerifyLimitKind = 'upload' | 'lookup';
const LIMIT_KIND = 'pcn:verify-rate-limit';

/** Marks a public verification route as limited (uploads and code look-ups count separately). */
export const verifyRateLimit = (kind: VerifyLimitKind) => SetMetadata(LIMIT_KIND, kind);

/**
 * Redis-backed counters shared by every API and page process (keys `<REDIS_PREFIX>:verify-limit:<kind>:<ip>`).
 * When Redis is not ready, each process falls back to its own in-memory counter with the same
 * limits rather than waiting or letting everything through.
 */
@Injectable()
export class VerifyRateLimiter {
  private readonly logger = new Logger('VerifyRateLimiter');
  private readonly limiters: Record<VerifyLimitKind, RateLimiterRedis>;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(redisConfig.KEY) redisSettings: RedisConfig,
    @Inject(verifyLimitsConfig.KEY) readonly limits: VerifyLimitsConfig,
  ) {
    const make = (kind: VerifyLimitKind, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${redisSettings.REDIS_PREFIX}:verify-limit:${kind}`,
        points,
        duration: limits.VERIFY_LIMIT_WINDOW_SECONDS,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: limits.VERIFY_LIMIT_WINDOW_SECONDS }),
      } as ConstructorParameters<typeof RateLimiterRedis>[0]);
    this.limiters = { upload: make('upload', limits.VERIFY_UPLOAD_LIMIT), lookup: make('lookup', limits.VERIFY_LOOKUP_LIMIT) };
  }

  /** Counts one attempt; resolves to null when allowed, or the seconds to wait. */
  async consume(kind: VerifyLimitKind, client: string): Promise<number | null> {
    try {
      await this.limiters[kind].consume(client);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      this.logger.warn({ err: rejection }, 'Verification rate limiter failed; the attempt is allowed');
      return null;
    }
  }
}

/**
 * Refuses a limited verification route with 429 once the address has used its allowance, before
 * any upload is read: the API answers the JSON error shape, pages the "Too many attempts" page
 * (both from DocumentsException), with Retry-After.
 */
@Injectable()
export class VerifyRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: VerifyRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.getAllAndOverride<VerifyLimitKind | undefined>(LIMIT_KIND, [context.getHandler(), context.getClass()]);
    if (!kind) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const wait = await this.limiter.consume(kind, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (wait === null) return true;
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(wait));
    const minutes = Math.ceil(wait / 60);
    const what = kind === 'upload' ? 'documents checked' : 'verification codes looked up';
    throw new DocumentsException(
      DocumentsErrorCode.TooManyVerifications,
      `Too many ${what} from your network in a short time. Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`,
    );
  }
}
