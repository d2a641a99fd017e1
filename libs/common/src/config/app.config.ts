import { IsIn, IsInt, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from './typed-config';

export class AppEnv {
  @IsIn(['development', 'test', 'production'], { message: 'NODE_ENV must be development, test or production' })
  NODE_ENV: string = 'development';

  @IsInt({ message: 'PORT must be a whole number' })
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL: string = 'http://localhost:3000';

  @Matches(/^\d+(kb|mb)$/, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT: string = '1mb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'LOG_LEVEL must be a pino level' })
  LOG_LEVEL: string = 'info';

  @IsString()
  SERVICE_NAME: string = 'pcn-agreements';

  /**
   * On SIGTERM the API stops accepting connections and gives requests already being answered
   * this long before it cuts them. Keep it below the orchestrator's stop timeout.
   */
  @IsInt({ message: 'SHUTDOWN_GRACE_MS must be a whole number of milliseconds' })
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS: number = 20_000;

  /** Swagger UI (/api/docs) and the OpenAPI JSON (/api/docs-json): `auto` serves them except in production. */
  @IsIn(['auto', 'true', 'false'], { message: 'API_DOCS_ENABLED must be auto, true or false' })
  API_DOCS_ENABLED: string = 'auto';
}

/** Whether the API docs are served in this environment. */
export function apiDocsEnabled(config: Pick<AppEnv, 'NODE_ENV' | 'API_DOCS_ENABLED'>): boolean {
  return config.API_DOCS_ENABLED === 'true' || (config.API_DOCS_ENABLED === 'auto' && config.NODE_ENV !== 'production');
}

export const appConfig = defineConfig('app', AppEnv);
export type AppConfig = ConfigType<typeof appConfig>;
