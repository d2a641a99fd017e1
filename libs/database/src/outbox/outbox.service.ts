import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxEntity, OutboxStatus } from './outbox.entity';

export interface OutboxJob {
  queue: string;
  jobName: string;
  payload: Record<string, unknown>;
  /** Run no earlier than this; now when omitted. */
  runAt?: Date;
}

export const OUTBOX_CHANNEL = 'outbox';

/** The outbox at a glance, for /health details. */
export interface OutboxStats {
  /** Rows due (run_at passed) and not yet handed to BullMQ. */
  backlog: number;
  /** Seconds since the oldest of those became due; 0 when there is none. */
  oldestBacklogAgeSeconds: number;
  /** Rows that will not run without an operator (every attempt failed, or malformed). */
  failed: number;
}

/** The only way business code asks for background work: inside its own transaction. */
@Injectable()
export class OutboxService {
  async enqueue(em: EntityManager, jobs: OutboxJob | OutboxJob[]): Promise<OutboxEntity[]> {
    const list = Array.isArray(jobs) ? jobs : [jobs];
    if (list.length === 0) return [];
    const rows = await em.getRepository(OutboxEntity).save(
      list.map((j) => ({ queue: j.queue, jobName: j.jobName, payload: j.payload, runAt: j.runAt ?? new Date(), status: OutboxStatus.Pending })),
    );
    // Delivered on commit only, so the relay never wakes for a rolled-back change.
    await em.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    return rows;
  }

  async stats(em: EntityManager): Promise<OutboxStats> {
    const [row] = await em.query(
      `SELECT count(*) FILTER (WHERE status = $1 AND run_at <= now())::int AS backlog,
              coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE status = $1 AND run_at <= now())), 0)::float AS oldest,
              count(*) FILTER (WHERE status = $2)::int AS failed
         FROM outbox WHERE status IN ($1, $2)`,
      [OutboxStatus.Pending, OutboxStatus.Failed],
    );
    return { backlog: row.backlog, oldestBacklogAgeSeconds: Math.round(row.oldest), failed: row.failed };
  }
}
