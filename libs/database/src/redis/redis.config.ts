import { IsString, Matches } from 'class-validator';
import { ConfigType } from '@nestjs/config';
import { defineConfig } from '@pcn/common';

export class RedisEnv {
  @IsString({ message: 'REDIS_URL must be set, e.g. redis://127.0.0.1:6379' })
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL: string = '';

  /** Namespaces every key (queues included) so several environments can share one Redis. */
  @Matches(/^[a-z0-9_-]{1,40}$/, { message: 'REDIS_PREFIX must be 1-40 lowercase letters, digits, _ or -' })
  REDIS_PREFIX: string = 'pcn';
}

export const redisConfig = defineConfig('redis', RedisEnv);
export type RedisConfig = ConfigType<typeof redisConfig>;
