import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

export class DatabaseEnv {
  @IsString({ message: 'DATABASE_URL must be set, e.g. postgres://postgres@127.0.0.1:5432/pcn' })
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = '';

  @IsInt({ message: 'DATABASE_POOL_SIZE must be a whole number' })
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  /** How long opening a database connection may take before the request is answered 503 SERVICE_UNAVAILABLE. */
  @IsInt({ message: 'DATABASE_CONNECT_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(60_000)
  DATABASE_CONNECT_TIMEOUT_MS: number = 3000;

  /**
   * How long a request may queue for a pooled connection while every one is busy (a burst of
   * approvals of one round); beyond it, 503 with Retry-After. Load, not an outage: longer than
   * the connect timeout.
   */
  @IsInt({ message: 'DATABASE_POOL_WAIT_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(120_000)
  DATABASE_POOL_WAIT_TIMEOUT_MS: number = 15_000;

  /** PostgreSQL cancels any one statement running longer than this (statement_timeout). */
  @IsInt({ message: 'DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS: number = 30_000;

  /**
   * PostgreSQL ends a session whose transaction sat idle longer than this
   * (idle_in_transaction_session_timeout): a stuck request cannot hold row locks for ever.
   */
  @IsInt({ message: 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(1000)
  @Max(3_600_000)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number = 60_000;
}

export const databaseConfig = defineConfig('database', DatabaseEnv);
export type DatabaseConfig = ConfigType<typeof databaseConfig>;
