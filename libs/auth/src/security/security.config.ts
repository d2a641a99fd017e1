import { IsInt, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

/** Sign-in throttling and lockout (API and sign-in page share the counters, in Redis). */
export class SignInLimitsEnv {
  /** Wrong passwords for one account within LOGIN_FAILURE_WINDOW_SECONDS before it is locked. */
  @IsInt({ message: 'LOGIN_MAX_FAILURES must be a whole number' })
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES: number = 5;

  @IsInt({ message: 'LOGIN_FAILURE_WINDOW_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(86_400)
  LOGIN_FAILURE_WINDOW_SECONDS: number = 900;

  /** First lockout; each further lockout within 24 hours doubles it (capped at LOGIN_LOCKOUT_MAX_SECONDS). */
  @IsInt({ message: 'LOGIN_LOCKOUT_BASE_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(86_400)
  LOGIN_LOCKOUT_BASE_SECONDS: number = 60;

  @IsInt({ message: 'LOGIN_LOCKOUT_MAX_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(7 * 86_400)
  LOGIN_LOCKOUT_MAX_SECONDS: number = 86_400;

  /** Failed sign-ins from one client address (any accounts) within the window before the address is refused. */
  @IsInt({ message: 'LOGIN_MAX_FAILURES_PER_ADDRESS must be a whole number' })
  @Min(1)
  @Max(100_000)
  LOGIN_MAX_FAILURES_PER_ADDRESS: number = 50;

  /** Invitation and password-reset link attempts per client address per LINK_LIMIT_WINDOW_SECONDS. */
  @IsInt({ message: 'LINK_LIMIT must be a whole number' })
  @Min(1)
  @Max(100_000)
  LINK_LIMIT: number = 20;

  @IsInt({ message: 'LINK_LIMIT_WINDOW_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(86_400)
  LINK_LIMIT_WINDOW_SECONDS: number = 900;
}

export const signInLimitsConfig = defineConfig('signInLimits', SignInLimitsEnv);
export type SignInLimitsConfig = ConfigType<typeof signInLimitsConfig>;
