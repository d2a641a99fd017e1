import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { OutboxStatus, redisConfig, RedisConfig } from '@pcn/database';
import { JobName, QUEUE_CONFIG, QueueName } from './queue.contract';
import { JobRegistry } from './job-registry';
import { JobHandler } from './job-handler';
import { bullConnection } from './bullmq-connection';

/** Thrown by handlers for input that will never work: BullMQ does not retry it. */
export class BadJobError extends UnrecoverableError {}

/** One BullMQ worker per queue, dispatching by job name to the registered handler. */
@Injectable()
export class QueueRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('QueueRunner');
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];

  constructor(
    private readonly registry: JobRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(redisConfig.KEY) private readonly redis: RedisConfig,
  ) {}

  onApplicationBootstrap(): void {
    const handlers = this.registry.build();
    for (const queue of Object.values(QueueName)) {
      const settings = QUEUE_CONFIG[queue];
      const connection = bullConnection(this.redis, 'worker', `worker-${queue}`);
      this.connections.push(connection);
      const worker = new Worker(queue, (job) => this.run(handlers, job), {
        connection,
        prefix: this.redis.REDIS_PREFIX,
        concurrency: settings.concurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.stalledIntervalMs,
        maxStalledCount: settings.maxStalledCount,
      });
      worker.on('failed', (job, error) => void this.onFailed(job, error));
      worker.on('error', (error) => this.logger.warn(`queue ${queue}: ${error.message}`));
      this.workers.push(worker);
    }
    this.logger.log(`Processing ${Object.values(QueueName).join(', ')} with ${handlers.size} job handlers`);
  }

  private async run(handlers: Map<JobName, JobHandler<JobName>>, job: Job): Promise<void> {
    const handler = handlers.get(job.name as JobName);
    if (!handler) throw new BadJobError(`No handler for job ${job.name}`);
    await handler.handle(job.data, { jobId: job.id!, attempt: job.attemptsMade + 1 });
    await this.dataSource.query(`UPDATE outbox SET status = $2, completed_at = now(), last_error = NULL WHERE id = $1`, [job.id, OutboxStatus.Done]);
  }

  private async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn(`job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}${final ? ', giving up' : ''}): ${error.message}`);
    await this.dataSource
      .query(`UPDATE outbox SET last_error = $2, status = CASE WHEN $3 THEN 'FAILED' ELSE status END WHERE id = $1`, [job.id, error.message.slice(0, 2000), final])
      .catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    // BullMQ leaves connections it was given open; they are ours to close.
    this.connections.forEach((c) => c.disconnect());
  }
}
