import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig, StrongSecret } from '@pcn/common';

export class AuthEnv {
  /** Read here too: outside development the secret must be strong (StrongSecret). */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  @IsString({ message: 'JWT_ACCESS_SECRET must be set (32+ random characters)' })
  @MinLength(32, { message: 'JWT_ACCESS_SECRET must be at least 32 characters' })
  @StrongSecret(['development'])
  JWT_ACCESS_SECRET: string = '';

  @IsInt({ message: 'JWT_ACCESS_TTL_SECONDS must be a whole number of seconds' })
  @Min(30)
  @Max(86400)
  JWT_ACCESS_TTL_SECONDS: number = 900;

  @IsInt({ message: 'REFRESH_TOKEN_TTL_DAYS must be a whole number of days' })
  @Min(1)
  @Max(90)
  REFRESH_TOKEN_TTL_DAYS: number = 14;
}

export const authConfig = defineConfig('auth', AuthEnv);
export type AuthConfig = ConfigType<typeof authConfig>;
