import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import Redis from 'ioredis';
import { redisConfig, RedisConfig } from './redis.config';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** maxRetriesPerRequest null is what BullMQ requires of a shared connection. */
export function createRedisClient(config: RedisConfig, name: string): Redis {
  return new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name });
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  imports: [ConfigModule.forFeature(redisConfig)],
  providers: [
    { provide: REDIS_CLIENT, inject: [redisConfig.KEY], useFactory: (config: RedisConfig) => createRedisClient(config, `${config.REDIS_PREFIX}-app`) },
    RedisCloser,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
