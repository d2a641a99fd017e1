import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { GroupCommit, OutboxStatus, queryPrepared, REDIS_CLIENT, redisConfig, RedisConfig, removeHeartbeat, workerName, writeHeartbeat } from '@pcn/database';
import { workerQueues, workflowConfig, WorkflowConfig } from '../workflow.config';
import { JobName, QUEUE_CONFIG, QueueName } from './queue.contract';
import { JobRegistry } from './job-registry';
import { JobHandler } from './job-handler';
import { bullConnection } from './bullmq-connection';
import { EventLoopMonitor } from './event-loop-monitor';
import { workerShutdownConfig, WorkerShutdownConfig } from './worker-shutdown.config';

/** Thrown by handlers for input that will never work: BullMQ does not retry it. */
export class BadJobError extends UnrecoverableError {}

/**
 * One BullMQ worker per queue this process runs (WORKER_QUEUES), dispatching by job name to
 * the registered handler. Also beats a heartbeat (which /health reads) and watches the event
 * loop, naming the job that blocked it.
 *
 * Shutdown order: `drain()` stops taking jobs and waits for the running ones (at most
 * WORKER_SHUTDOWN_GRACE_MS) while SMTP, Redis and the database are still open. It runs in
 * onModuleDestroy, and Nest runs every onModuleDestroy before any onApplicationShutdown, which
 * is where those resources close; apps/worker/src/main.ts also calls it before app.close().
 */
@Injectable()
export class QueueRunner implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('QueueRunner');
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly name = workerName();
  private readonly startedAt = new Date().toISOString();
  private heartbeat: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private monitor: EventLoopMonitor | null = null;
  /** Handler runs in progress, by job label: what drain() waits for. */
  private readonly running = new Map<string, Promise<void>>();
  private draining: Promise<void> | null = null;
  /** The queues this process consumes. */
  queues: QueueName[] = [];
  /**
   * Outbox rows of finished jobs, marked DONE together (one statement for the jobs that finished
   * while the previous one ran): one round trip per job was a tenth of an email's.
   */
  private readonly completions = new GroupCommit<string>(async (ids) => {
    await queryPrepared(this.dataSource, `UPDATE outbox SET status = $2, completed_at = now(), last_error = NULL WHERE id = ANY($1::uuid[])`, [ids, OutboxStatus.Done]);
  }, 200);

  constructor(
    private readonly registry: JobRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(redisConfig.KEY) private readonly redis: RedisConfig,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
    @Inject(REDIS_CLIENT) private readonly client: Redis,
    @Inject(workerShutdownConfig.KEY) private readonly shutdown: WorkerShutdownConfig,
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
    const label = `${job.name}#${job.id}`;
    const run = this.runHandler(handlers, job, label);
    this.running.set(label, run);
    try {
      await run;
    } finally {
      this.running.delete(label);
    }
  }

  private async runHandler(handlers: Map<JobName, JobHandler<JobName>>, job: Job, label: string): Promise<void> {
    const handler = handlers.get(job.name as JobName);
    if (!handler) throw new BadJobError(`No handler for job ${job.name}`);
    this.monitor?.jobStarted(label);
    try {
      await handler.handle(job.data, { jobId: job.id!, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
    } finally {
      this.monitor?.jobFinished(label);
    }
    await this.completions.submit(job.id!);
  }

  private async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn(`job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}${final ? ', giving up' : ''}): ${error.message}`);
    await this.dataSource
      .query(`UPDATE outbox SET last_error = $2, status = CASE WHEN $3 THEN 'FAILED' ELSE status END WHERE id = $1`, [job.id, error.message.slice(0, 2000), final])
      .catch(() => undefined);
  }

  /**
   * Stops taking jobs and waits for the running ones, at most `graceMs`; then closes the
   * BullMQ workers and their connections. Idempotent: the first call decides the grace.
   * A job still running at the end keeps its lock until it expires and is then run again
   * by another worker (handlers are idempotent).
   */
  drain(graceMs = this.shutdown.WORKER_SHUTDOWN_GRACE_MS): Promise<void> {
    this.draining ??= this.drainOnce(graceMs);
    return this.draining;
  }

  private async drainOnce(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    // Fetching stops at once; the jobs already taken go on.
    await Promise.all(this.workers.map((w) => w.pause(true).catch(() => undefined)));
    const runningAtStart = [...this.running.keys()];
    if (runningAtStart.length > 0) this.logger.log(`stopping: waiting up to ${graceMs} ms for ${runningAtStart.length} running job(s): ${runningAtStart.join(', ')}`);
    const finished = await withinMs(Promise.allSettled([...this.running.values()]), deadline - Date.now());
    if (!finished) this.logger.warn(`stopping after ${graceMs} ms with job(s) still running (they will be retried once their lock expires): ${[...this.running.keys()].join(', ')}`);
    // With the handlers done, close(false) only waits for BullMQ to record their completion.
    const closed = await withinMs(Promise.all(this.workers.map((w) => w.close(!finished))), Math.max(deadline - Date.now(), 1000));
    if (!closed) this.logger.warn('stopping: BullMQ did not finish closing in time');
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.monitor?.stop();
    await this.beating;
    await removeHeartbeat(this.client, this.redis.REDIS_PREFIX, this.name).catch(() => undefined);
    // BullMQ leaves connections it was given open; they are ours to close.
    this.connections.forEach((c) => c.disconnect());
  }

  async onModuleDestroy(): Promise<void> {
    await this.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }
}

/** Whether `work` settled within `ms` (it goes on either way). */
async function withinMs(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(ms, 0))));
  try {
    return await Promise.race([work.then(() => true as const, () => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
