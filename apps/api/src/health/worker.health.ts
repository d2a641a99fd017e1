import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { OutboxService, readHeartbeats, REDIS_CLIENT, redisConfig, RedisConfig } from '@pcn/database';
import { QueueName } from '@pcn/workflow';

const TIMEOUT_MS = 1000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS)))]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * What the background side is doing, for the admin details of /health: which worker
 * processes beat (and for which queues), queues no worker consumes, and the outbox
 * (backlog, its oldest due row's age, FAILED rows). Informative only: the public up/down
 * answer is about PostgreSQL and Redis, because the API serves without a worker.
 */
@Injectable()
export class WorkerHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  async workers(): Promise<Record<string, unknown>> {
    try {
      const { workers, queuesWithoutWorker } = await within(readHeartbeats(this.redis, this.config.REDIS_PREFIX, Object.values(QueueName)), 'reading worker heartbeats');
      return {
        status: workers.length === 0 ? 'missing' : queuesWithoutWorker.length > 0 ? 'partial' : 'up',
        workerMissing: queuesWithoutWorker.length > 0,
        queuesWithoutWorker,
        running: workers.map((w) => ({ worker: w.worker, queues: w.queues, startedAt: w.startedAt, lastBeatAt: w.at })),
      };
    } catch (error) {
      return { status: 'unknown', message: (error as Error).message };
    }
  }

  async outboxStats(): Promise<Record<string, unknown>> {
    try {
      return { status: 'up', ...(await within(this.outbox.stats(this.dataSource.manager), 'reading the outbox')) };
    } catch (error) {
      return { status: 'unknown', message: (error as Error).message };
    }
  }
}
