import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig, StrongSecret } from '@pcn/common';

/** Sign-in sessions of the pages (the JSON API uses Bearer tokens instead). */
export class WebEnv {
  /** Read here too: outside development the session secret must be strong (StrongSecret). */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  @IsString({ message: 'SESSION_SECRET must be set (32+ random characters); it signs the session cookie' })
  @MinLength(32, { message: 'SESSION_SECRET must be at least 32 characters' })
  @StrongSecret(['development'])
  SESSION_SECRET: string = '';

  /** Signed out after this long without a request. */
  @IsInt({ message: 'SESSION_IDLE_MINUTES must be a whole number of minutes' })
  @Min(1)
  @Max(24 * 60)
  SESSION_IDLE_MINUTES: number = 30;

  /** Signed out this long after signing in, however active (NHS guidance: a working day). */
  @IsInt({ message: 'SESSION_ABSOLUTE_HOURS must be a whole number of hours' })
  @Min(1)
  @Max(72)
  SESSION_ABSOLUTE_HOURS: number = 10;
}

export const webConfig = defineConfig('web', WebEnv);
export type WebConfig = ConfigType<typeof webConfig>;
