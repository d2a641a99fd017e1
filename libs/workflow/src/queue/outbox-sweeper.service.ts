import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { OutboxService, OutboxStatus, redisConfig, RedisConfig, workerName } from '@pcn/database';
import { workflowConfig, WorkflowConfig } from '../workflow.config';
import { job, JobName, QueueName } from './queue.contract';
import { QueueProducers } from './outbox-relay.service';

export interface SweepResult {
  /** DISPATCHED rows examined (due for longer than STALE_DISPATCH_MS). */
  examined: number;
  redriven: number;
  documents: number;
  deadlines: number;
  /** DONE rows older than OUTBOX_RETENTION_DAYS deleted. */
  pruned: number;
  /** Delayed reminder and deadline jobs of finished rounds removed from Redis (their rows DONE). */
  finishedRoundJobs: number;
}

const PRUNE_CHUNK = 5000;
const FINISHED_ROUND_CHUNK = 500;
const ROUND_SCHEDULE_JOBS = [JobName.RoundReminder, JobName.RoundDeadline];

/**
 * Second line of defence behind the outbox: re-drives dispatched jobs Redis lost (for
 * example after a restart without persistence), executions still waiting for their
 * document, and open rounds past their due date; deletes DONE rows past their
 * retention; and removes the delayed reminder and deadline jobs of rounds that have finished
 * (executed, declined, withdrawn, expired, restarted), so Redis does not keep them for days. Every handler is idempotent, so a re-driven job that was in fact done has no
 * second effect.
 *
 * Only rows whose run time is past by more than STALE_DISPATCH_MS are examined: a reminder
 * or deadline delayed by days is in Redis as a delayed job and is none of the sweeper's
 * business until it is due, so any number of them never hides a lost job.
 *
 * One sweep at a time across every worker process: each process's timer first takes a lease in
 * Redis for one interval, and skips the tick if another process holds it. A sweep checks at most
 * SWEEPER_PAGES_PER_SWEEP pages of due rows and leaves a cursor in Redis, so the next sweep (by
 * any process) goes on from there and wraps around at the end. In a national renewal tens of
 * thousands of emails wait in Redis, all due and all dispatched over a minute ago: three workers
 * each paging through all of them every 15 seconds cost PostgreSQL more CPU than the approvals.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxSweeper');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  private readonly name = workerName();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producers: QueueProducers,
    private readonly outbox: OutboxService,
    @Inject(workflowConfig.KEY) private readonly config: WorkflowConfig,
    @Inject(redisConfig.KEY) private readonly redisSettings: RedisConfig,
  ) {}

  /**
   * The lease and the cursor go through a producer connection, which fails at once while Redis
   * is down (the shared client would queue the command until Redis returns, and a sweep waiting
   * on it would hold up shutdown).
   */
  private get redis(): Redis {
    return this.producers.connections.get(QueueName.Schedules)!;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweepWithLease()
        .catch((error) => this.logger.warn(`sweep failed: ${(error as Error).message}`))
        .finally(() => (this.running = null));
    }, this.config.SWEEPER_INTERVAL_MS);
  }

  private key(name: 'lease' | 'cursor'): string {
    return `${this.redisSettings.REDIS_PREFIX}:outbox-sweeper:${name}`;
  }

  /** Sweeps unless another process took the lease in the last interval (it expires by itself); null when it did. */
  async sweepWithLease(): Promise<SweepResult | null> {
    const taken = await this.redis.set(this.key('lease'), this.name, 'PX', this.config.SWEEPER_INTERVAL_MS, 'NX');
    return taken === 'OK' ? this.sweep() : null;
  }

  async sweep(): Promise<SweepResult> {
    const { examined, redriven } = await this.redriveLostJobs();
    return {
      examined,
      redriven,
      documents: await this.requeueMissingDocuments(),
      deadlines: await this.requeueOverdueRounds(),
      pruned: await this.pruneDoneRows(),
      finishedRoundJobs: await this.removeFinishedRoundJobs(),
    };
  }

  /**
   * Pages through due DISPATCHED rows in (run_at, id) order with a keyset cursor and asks
   * Redis about each page in one pipeline per queue (EXISTS on the job's hash). A row whose
   * job Redis no longer has goes back to PENDING, so the relay adds it again. At most
   * SWEEPER_PAGES_PER_SWEEP pages; the cursor where it stopped is kept in Redis for the next sweep.
   */
  private async redriveLostJobs(): Promise<{ examined: number; redriven: number }> {
    // run_at travels as text: a JS Date would drop its microseconds and the cursor would not move.
    const saved = await this.redis.get(this.key('cursor'));
    let cursor: { runAt: string; id: string } | null = saved ? (JSON.parse(saved) as { runAt: string; id: string }) : null;
    let examined = 0;
    let redriven = 0;
    // A page shorter than a full one is the end of the due rows.
    let reachedEnd = false;
    for (let pages = 0; pages < this.config.SWEEPER_PAGES_PER_SWEEP && !reachedEnd; pages++) {
      const page: { id: string; queue: string; run_at: string }[] = await this.dataSource.query(
        `SELECT id, queue, run_at::text AS run_at FROM outbox
          WHERE status = $1
            AND run_at < now() - make_interval(secs => $2::float / 1000)
            AND dispatched_at < now() - make_interval(secs => $2::float / 1000)
            AND ($3::timestamptz IS NULL OR (run_at, id) > ($3::timestamptz, $4::uuid))
          ORDER BY run_at, id LIMIT $5`,
        [OutboxStatus.Dispatched, this.config.STALE_DISPATCH_MS, cursor?.runAt ?? null, cursor?.id ?? null, this.config.SWEEPER_PAGE_SIZE],
      );
      reachedEnd = page.length < this.config.SWEEPER_PAGE_SIZE;
      if (page.length === 0) break;
      examined += page.length;
      const lost = await this.missingFromRedis(page);
      if (lost.length > 0) {
        const result = await this.dataSource.query(`UPDATE outbox SET status = $2 WHERE id = ANY($1) AND status = $3`, [lost, OutboxStatus.Pending, OutboxStatus.Dispatched]);
        redriven += result[1] ?? 0;
      }
      const last = page[page.length - 1];
      cursor = { runAt: last.run_at, id: last.id };
    }
    // The next sweep starts again from the top, or goes on with the rest of the backlog (the cursor expires if no sweep comes for a day).
    if (reachedEnd) await this.redis.del(this.key('cursor'));
    else await this.redis.set(this.key('cursor'), JSON.stringify(cursor), 'PX', 86_400_000);
    if (redriven > 0) this.logger.log(`re-driving ${redriven} job(s) Redis no longer had (${examined} due row(s) examined)`);
    return { examined, redriven };
  }

  /** The ids, of these rows, whose BullMQ job hash is gone: one pipelined round trip per queue. */
  private async missingFromRedis(rows: { id: string; queue: string }[]): Promise<string[]> {
    const missing: string[] = [];
    for (const queueName of new Set(rows.map((r) => r.queue))) {
      const ofQueue = rows.filter((r) => r.queue === queueName);
      const queue = this.producers.queues.get(queueName as QueueName);
      const client = this.producers.connections.get(queueName as QueueName);
      // A DISPATCHED row naming no known queue cannot be checked; the relay refuses such rows.
      if (!queue || !client) continue;
      const pipeline = client.pipeline();
      ofQueue.forEach((r) => pipeline.exists(queue.toKey(r.id)));
      const answers: [Error | null, unknown][] = (await pipeline.exec()) ?? [];
      answers.forEach(([error, exists], i) => {
        if (error) throw error;
        if (exists === 0) missing.push(ofQueue[i].id);
      });
    }
    return missing;
  }

  /** Deletes DONE rows completed more than OUTBOX_RETENTION_DAYS ago, in chunks so no statement runs long. */
  async pruneDoneRows(): Promise<number> {
    let pruned = 0;
    for (;;) {
      const result = await this.dataSource.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE status = $1 AND completed_at < now() - make_interval(days => $2::int) LIMIT $3)`,
        [OutboxStatus.Done, this.config.OUTBOX_RETENTION_DAYS, PRUNE_CHUNK],
      );
      const deleted: number = result[1] ?? 0;
      pruned += deleted;
      if (deleted < PRUNE_CHUNK) break;
    }
    if (pruned > 0) this.logger.log(`pruned ${pruned} DONE outbox row(s) older than ${this.config.OUTBOX_RETENTION_DAYS} day(s)`);
    return pruned;
  }

  /**
   * Reminder and deadline jobs not yet due whose round is no longer ACTIVE: their handlers
   * would do nothing when they fire. In one transaction per chunk, the rows are marked DONE (a
   * row the relay is adding at that moment is locked, so this waits and then sees it
   * DISPATCHED) and their jobs removed from Redis by id (= outbox id); if Redis fails, the
   * rows stay as they were for the next sweep. A job Redis will not remove (running, or
   * already gone) is left alone: its handler still does nothing.
   */
  async removeFinishedRoundJobs(): Promise<number> {
    let removed = 0;
    for (;;) {
      const chunk = await this.dataSource.transaction(async (em) => {
        const [rows]: [{ id: string; queue: QueueName }[], number] = await em.query(
          `UPDATE outbox SET status = $3, completed_at = now(), last_error = NULL
            WHERE id IN (
              SELECT o.id FROM outbox o JOIN approval_round r ON r.id::text = o.payload->>'roundId'
               WHERE o.job_name = ANY($1) AND o.status = ANY($2) AND o.run_at > now() AND r.status <> 'ACTIVE'
               LIMIT $4)
              AND status = ANY($2)
            RETURNING id::text, queue`,
          [ROUND_SCHEDULE_JOBS, [OutboxStatus.Pending, OutboxStatus.Dispatched], OutboxStatus.Done, FINISHED_ROUND_CHUNK],
        );
        for (const queueName of new Set(rows.map((r) => r.queue))) {
          const queue = this.producers.get(queueName);
          const answers = await Promise.all(rows.filter((r) => r.queue === queueName).map((r) => queue.remove(r.id)));
          removed += answers.filter((n) => n === 1).length;
        }
        return rows.length;
      });
      if (chunk < FINISHED_ROUND_CHUNK) break;
    }
    if (removed > 0) this.logger.log(`removed ${removed} delayed job(s) of finished rounds`);
    return removed;
  }

  private async requeueMissingDocuments(): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT e.id FROM agreement_execution e
        WHERE e.document_status = 'PENDING' AND e.created_at < now() - interval '30 seconds'
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.job_name = $1 AND o.payload->>'executionId' = e.id::text AND o.status IN ('PENDING', 'DISPATCHED'))
        LIMIT 100`,
      [JobName.GenerateDocuments],
    );
    if (rows.length === 0) return 0;
    await this.dataSource.transaction((em) => this.outbox.enqueue(em, rows.map((r) => job(JobName.GenerateDocuments, { executionId: r.id }))));
    this.logger.log(`re-queued document generation for ${rows.length} execution(s)`);
    return rows.length;
  }

  private async requeueOverdueRounds(): Promise<number> {
    const rows: { id: string; due_at: Date }[] = await this.dataSource.query(
      `SELECT r.id, r.due_at FROM approval_round r
        WHERE r.status = 'ACTIVE' AND r.due_at < now() - interval '60 seconds'
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.job_name = $1 AND o.payload->>'roundId' = r.id::text AND o.status IN ('PENDING', 'DISPATCHED'))
        LIMIT 100`,
      [JobName.RoundDeadline],
    );
    if (rows.length === 0) return 0;
    await this.dataSource.transaction((em) => this.outbox.enqueue(em, rows.map((r) => job(JobName.RoundDeadline, { roundId: r.id, dueAt: new Date(r.due_at).toISOString() }))));
    return rows.length;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
