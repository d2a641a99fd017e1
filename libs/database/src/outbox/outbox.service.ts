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
}
