import Redis from 'ioredis';
import { RedisConfig } from '@pcn/database';

/**
 * Producers fail fast while Redis is down (the outbox keeps the work); workers wait and
 * reconnect. BullMQ needs maxRetriesPerRequest null on worker connections.
 */
export function bullConnection(config: RedisConfig, role: 'producer' | 'worker', name: string): Redis {
  return new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectionName: `${config.REDIS_PREFIX}-${name}`,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
