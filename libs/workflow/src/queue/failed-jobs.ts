import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { OUTBOX_CHANNEL, OutboxStatus } from '@pcn/database';

/** One job that will not run again without an operator. */
export interface FailedJob {
  id: string;
  queue: string;
  jobName: string;
  /** Times the relay handed it to BullMQ. */
  dispatchCount: number;
  /** Attempts BullMQ made in its last dispatch, when Redis still holds the failed job. */
  attemptsMade: number | null;
  lastError: string | null;
  createdAt: Date;
}

export class FailedJobsError extends Error {
  override name = 'FailedJobsError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Operator access to failed jobs (`jobs:failed`, `jobs:retry`). The outbox row (FAILED) is
 * the durable record, kept after BullMQ lets the failed job go (removeOnFail); a retry puts
 * the row back to PENDING (after removing the failed job from Redis, which would otherwise
 * swallow a job with the same id), so the relay adds it again with a fresh set of attempts.
 */
export class FailedJobs {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: ReadonlyMap<string, Queue>,
  ) {}

  async list(): Promise<FailedJob[]> {
    const rows: { id: string; queue: string; job_name: string; dispatch_count: number; last_error: string | null; created_at: Date }[] = await this.dataSource.query(
      `SELECT id, queue, job_name, dispatch_count, last_error, created_at FROM outbox WHERE status = $1 ORDER BY created_at, id`,
      [OutboxStatus.Failed],
    );
    const jobs: FailedJob[] = [];
    for (const row of rows) {
      const job = await this.queues.get(row.queue)?.getJob(row.id);
      jobs.push({ id: row.id, queue: row.queue, jobName: row.job_name, dispatchCount: row.dispatch_count, attemptsMade: job?.attemptsMade ?? null, lastError: row.last_error, createdAt: row.created_at });
    }
    return jobs;
  }

  /** Re-drives one failed job, or every one (`all`); returns the ids put back to PENDING. */
  async retry(target: string): Promise<string[]> {
    if (target !== 'all' && !UUID.test(target)) throw new FailedJobsError(`jobs:retry takes a job id (a UUID) or --all, not "${target}"`);
    const failed = (await this.list()).filter((j) => target === 'all' || j.id === target);
    if (target !== 'all' && failed.length === 0) throw new FailedJobsError(`No failed job has the id ${target}`);
    const retried: string[] = [];
    for (const job of failed) {
      await (await this.queues.get(job.queue)?.getJob(job.id))?.remove();
      const result = await this.dataSource.query(`UPDATE outbox SET status = $2, last_error = NULL WHERE id = $1 AND status = $3`, [job.id, OutboxStatus.Pending, OutboxStatus.Failed]);
      if ((result[1] ?? 0) === 1) retried.push(job.id);
    }
    if (retried.length > 0) await this.dataSource.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    return retried;
  }
}
