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

  /** How long a request waits for a database connection before it is answered 503 SERVICE_UNAVAILABLE. */
  @IsInt({ message: 'DATABASE_CONNECT_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(60_000)
  DATABASE_CONNECT_TIMEOUT_MS: number = 3000;
}

export const databaseConfig = defineConfig('database', DatabaseEnv);
export type DatabaseConfig = ConfigType<typeof databaseConfig>;
