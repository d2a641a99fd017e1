import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { OutboxStatus, REDIS_CLIENT, redisConfig, RedisConfig, removeHeartbeat, workerName, writeHeartbeat } from '@pcn/database';
import { workerQueues, workflowConfig, WorkflowConfig } from '../workflow.config';
import { JobName, QUEUE_CONFIG, QueueName } from './queue.contract';
import { JobRegistry } from './job-registry';
import { JobHandler } from './job-handler';
import { bullConnection } from './bullmq-connection';
import { EventLoopMonitor } from './event-loop-monitor';

/** Thrown by handlers for input that will never work: BullMQ does not retry it. */
export class BadJobError extends UnrecoverableError {}

/**
 * One BullMQ worker per queue this process runs (WORKER_QUEUES), dispatching by job name to
 * the registered handler. Also beats a heartbeat (which /health reads) and watches the event
 * loop, naming the job that blocked it.
 */
@Injectable()
export class QueueRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('QueueRunner');
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly name = workerName();
  private readonly startedAt = new Date().toISOString();
  private heartbeat: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private monitor: EventLoopMonitor | null = null;
  /** The queues this process consumes. */
  queues: QueueName[] = [];

  constructor(
    private readonly registry: JobRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(redisConfig.KEY) private readonly redis: RedisConfig,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
    @Inject(REDIS_CLIENT) private readonly client: Redis,
  ) {}

  onApplicationBootstrap(): void {
    const handlers = this.registry.build();
    this.queues = workerQueues(this.config);
    this.monitor = new EventLoopMonitor(this.config.EVENT_LOOP_BLOCK_WARN_MS);
    this.monitor.start();
    for (const queue of this.queues) {
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
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), this.config.WORKER_HEARTBEAT_MS);
    this.logger.log(`Worker ${this.name} processing ${this.queues.join(', ')} with ${handlers.size} job handlers`);
  }

  /** One beat at a time: while Redis is down a beat waits, and the next ones are skipped. */
  private beat(): void {
    if (this.beating) return;
    const beat = { worker: this.name, queues: this.queues, startedAt: this.startedAt, at: new Date().toISOString() };
    this.beating = writeHeartbeat(this.client, this.redis.REDIS_PREFIX, beat, this.config.WORKER_HEARTBEAT_MS)
      .catch((error) => this.logger.debug(`heartbeat not written: ${(error as Error).message}`))
      .finally(() => (this.beating = null));
  }

  private async run(handlers: Map<JobName, JobHandler<JobName>>, job: Job): Promise<void> {
    const handler = handlers.get(job.name as JobName);
    if (!handler) throw new BadJobError(`No handler for job ${job.name}`);
    const label = `${job.name}#${job.id}`;
    this.monitor?.jobStarted(label);
    try {
      await handler.handle(job.data, { jobId: job.id!, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
    } finally {
      this.monitor?.jobFinished(label);
    }
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
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.monitor?.stop();
    await Promise.all(this.workers.map((w) => w.close()));
    await this.beating;
    await removeHeartbeat(this.client, this.redis.REDIS_PREFIX, this.name).catch(() => undefined);
    // BullMQ leaves connections it was given open; they are ours to close.
    this.connections.forEach((c) => c.disconnect());
  }
}
