import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseConfig, DatabaseConfig, OUTBOX_CHANNEL, OutboxStatus, redisConfig, RedisConfig } from '@pcn/database';
import { workflowConfig, WorkflowConfig } from '../workflow.config';
import { outboxRowProblem, QUEUE_CONFIG, QueueName } from './queue.contract';
import { bullConnection } from './bullmq-connection';

const BATCH = 200;
const REDIS_TIMEOUT_MS = 5000;

interface OutboxRow {
  id: string;
  queue: QueueName;
  job_name: string;
  payload: Record<string, unknown>;
  run_at: Date;
}

/** BullMQ queues as producers: shared by the relay and the sweeper. */
@Injectable()
export class QueueProducers implements OnApplicationShutdown {
  private readonly logger = new Logger('QueueProducers');
  readonly queues: Map<QueueName, Queue>;
  /** Each queue's producer connection: also used for pipelined reads of its job keys. */
  readonly connections = new Map<QueueName, Redis>();

  constructor(@Inject(redisConfig.KEY) redis: RedisConfig) {
    this.queues = new Map(
      Object.values(QueueName).map((q) => {
        const connection = bullConnection(redis, 'producer', `producer-${q}`);
        this.connections.set(q, connection);
        const queue = new Queue(q, { connection, prefix: redis.REDIS_PREFIX });
        // Without a listener BullMQ prints every reconnect attempt; the relay reports outages itself.
        queue.on('error', (error) => this.logger.debug(`queue ${q}: ${error.message}`));
        return [q, queue];
      }),
    );
  }

  get(queue: QueueName): Queue {
    const found = this.queues.get(queue);
    if (!found) throw new Error(`Unknown queue ${queue}`);
    return found;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    // BullMQ leaves connections it was given open; they are ours to close.
    this.connections.forEach((c) => c.disconnect());
  }
}

/**
 * Moves committed outbox rows into BullMQ (jobId = outbox id, so a row added twice is one
 * job). Wakes on NOTIFY from the committing transaction, and polls as a fallback. While
 * Redis is down, rows stay PENDING and are delivered when it is back.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private listener: Client | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  /** Outbox rows refused since start (also counted in /health details from the FAILED rows). */
  malformedRows = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producers: QueueProducers,
    @Inject(databaseConfig.KEY) private readonly db: DatabaseConfig,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
    this.loop = this.run();
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.db.DATABASE_URL });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN connection lost (${error.message}); polling until it is back`);
      this.listener = null;
    });
    client.on('notification', () => this.wake?.());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.logger.warn(`Could not LISTEN (${(error as Error).message}); polling every ${this.config.OUTBOX_POLL_MS} ms`);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let moved = 0;
      try {
        moved = await this.dispatchBatch();
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) this.logger.warn(`Outbox rows wait: ${(error as Error).message}`);
      }
      if (moved === BATCH) continue;
      const pause = failures > 0 ? Math.min(200 * 2 ** failures, 5000) : this.config.OUTBOX_POLL_MS;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (!this.listener && !this.stopped) await this.listen();
    }
  }

  /**
   * Claims due rows (SKIP LOCKED, so several relays can run) and adds them to BullMQ. A row
   * that can never become a job (unknown queue or job, a payload without its ids) is marked
   * FAILED with the reason, in the same transaction, and the rest of the batch goes on.
   */
  async dispatchBatch(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const claimed: OutboxRow[] = await em.query(
        `SELECT id, queue, job_name, payload, run_at FROM outbox
          WHERE status = $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [OutboxStatus.Pending, BATCH],
      );
      if (claimed.length === 0) return 0;
      const rows: OutboxRow[] = [];
      for (const row of claimed) {
        const problem = outboxRowProblem(row);
        if (problem === null) {
          rows.push(row);
          continue;
        }
        this.malformedRows += 1;
        this.logger.error(`outbox row ${row.id} refused, marked FAILED: ${problem}`);
        await em.query(`UPDATE outbox SET status = $2, last_error = $3 WHERE id = $1`, [row.id, OutboxStatus.Failed, `malformed outbox row: ${problem}`]);
      }
      const now = Date.now();
      for (const queue of new Set(rows.map((r) => r.queue))) {
        const settings = QUEUE_CONFIG[queue];
        const batch = rows
          .filter((r) => r.queue === queue)
          .map((r) => ({
            name: r.job_name,
            data: r.payload,
            opts: {
              jobId: r.id,
              delay: Math.max(0, new Date(r.run_at).getTime() - now),
              attempts: settings.attempts,
              backoff: { type: 'exponential' as const, delay: Math.max(1, Math.round(settings.backoffMs * this.config.JOB_BACKOFF_SCALE)) },
              removeOnComplete: settings.removeOnComplete,
              removeOnFail: settings.removeOnFail,
            },
          }));
        await withTimeout(this.producers.get(queue).addBulk(batch), REDIS_TIMEOUT_MS, 'Redis did not accept the jobs in time');
      }
      if (rows.length > 0) {
        await em.query(`UPDATE outbox SET status = $2, dispatched_at = now(), dispatch_count = dispatch_count + 1 WHERE id = ANY($1)`, [rows.map((r) => r.id), OutboxStatus.Dispatched]);
      }
      return claimed.length;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}
