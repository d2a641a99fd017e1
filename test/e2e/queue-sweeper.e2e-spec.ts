import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxService, redisConfig, RedisConfig } from '@pcn/database';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, startTestWorker } from '../support/test-worker';
import { OutboxSweeper } from '../../libs/workflow/src/queue/outbox-sweeper.service';
import { QueueProducers } from '../../libs/workflow/src/queue/outbox-relay.service';
import { QueueName } from '../../libs/workflow/src/queue/queue.contract';
import { workflowConfig, WorkflowConfig } from '../../libs/workflow/src/workflow.config';

const DELAYED = 650;
const WAITING = 230;
const LOST = 3;

/**
 * The sweeper re-drives jobs Redis lost without being blinded by jobs legitimately waiting:
 * hundreds of reminders delayed by a week (dispatched long ago) are never examined, the due
 * rows are paged through (page size 100 here) and checked against Redis by pipeline.
 * The worker consumes only `documents`, so schedule jobs stay in Redis where the relay put them.
 */
describe('outbox sweeper with many delayed jobs', () => {
  let t: TestApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    t = await createTestApp({ WORKER_QUEUES: 'documents', OUTBOX_POLL_MS: '50', SWEEPER_INTERVAL_MS: '3600000', STALE_DISPATCH_MS: '60000', SWEEPER_PAGE_SIZE: '100' });
    worker = await startTestWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const insertRows = (n: number, runAtSql: string): Promise<{ id: string }[]> =>
    t.dataSource.query(
      `INSERT INTO outbox (queue, job_name, payload, run_at)
       SELECT 'schedules', 'round.reminder', jsonb_build_object('roundId', gen_random_uuid()::text, 'reminderSeq', 1, 'reminderNumber', 1), ${runAtSql}
         FROM generate_series(1, $1) RETURNING id::text`,
      [n],
    );

  it('re-drives only the jobs Redis lost, leaving 650 delayed and 230 waiting jobs alone', async () => {
    const delayed = await insertRows(DELAYED, `now() + interval '7 days'`);
    const due = await insertRows(WAITING + LOST, 'now()');
    await eventually('every row handed to BullMQ', async () => {
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'DISPATCHED' AND dispatch_count = 1`);
      return n === DELAYED + WAITING + LOST;
    }, 60_000);
    const schedules = worker.get(QueueProducers).get(QueueName.Schedules);
    const lost = due.slice(0, LOST).map((r) => r.id);
    for (const id of lost) await (await schedules.getJob(id))!.remove();
    // As after a long time: the delayed rows were dispatched hours ago (the oldest by dispatch
    // time, which starved the old sweeper); the due rows are past their run time.
    await t.dataSource.query(`UPDATE outbox SET dispatched_at = now() - interval '2 hours' WHERE id = ANY($1)`, [delayed.map((r) => r.id)]);
    await t.dataSource.query(`UPDATE outbox SET run_at = now() - interval '1 hour', dispatched_at = now() - interval '1 hour' WHERE id = ANY($1)`, [due.map((r) => r.id)]);

    const result = await worker.get(OutboxSweeper).sweep();
    expect(result).toMatchObject({ examined: WAITING + LOST, redriven: LOST });

    await eventually('the lost jobs are back in Redis', async () => {
      const rows: { status: string; dispatch_count: number }[] = await t.dataSource.query(`SELECT status, dispatch_count FROM outbox WHERE id = ANY($1)`, [lost]);
      return rows.every((r) => r.status === 'DISPATCHED' && r.dispatch_count === 2);
    });
    for (const id of lost) expect(await schedules.getJobState(id)).toBe('waiting');
    const counts: { dispatch_count: number; status: string; n: number }[] = await t.dataSource.query(
      `SELECT dispatch_count, status, count(*)::int AS n FROM outbox GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(counts).toEqual([
      { dispatch_count: 1, status: 'DISPATCHED', n: DELAYED + WAITING },
      { dispatch_count: 2, status: 'DISPATCHED', n: LOST },
    ]);
    expect(await schedules.getJobCounts('delayed', 'waiting')).toEqual({ delayed: DELAYED, waiting: WAITING + LOST });

    // A second sweep finds nothing more to do.
    expect(await worker.get(OutboxSweeper).sweep()).toMatchObject({ examined: WAITING, redriven: 0 });
  });

  it('checks a long backlog a few pages per sweep, going on where the last sweep stopped, and sweeps once per interval across processes', async () => {
    // The 230 waiting rows of the first test are still DISPATCHED, due and waiting in Redis (the 3
    // re-driven ones were dispatched a moment ago, so they are not due for a check). A second
    // sweeper, as in another worker process, checks one page of 100 per sweep.
    const config = { ...worker.get<WorkflowConfig>(workflowConfig.KEY), SWEEPER_PAGES_PER_SWEEP: 1 };
    const redisSettings = worker.get<RedisConfig>(redisConfig.KEY);
    const sweeper = new OutboxSweeper(worker.get(DataSource), worker.get(QueueProducers), worker.get(OutboxService), config, redisSettings);
    // The last page (rows 201-230) loses a job: the third sweep, which reaches it, re-drives it.
    const [lastDue] = await t.dataSource.query(
      `SELECT id::text FROM outbox WHERE status = 'DISPATCHED' AND run_at < now() AND dispatched_at < now() - interval '1 minute' ORDER BY run_at DESC, id DESC LIMIT 1`,
    );
    await (await worker.get(QueueProducers).get(QueueName.Schedules).getJob(lastDue.id))!.remove();
    const examined = [];
    for (let i = 0; i < 4; i++) examined.push(await sweeper.sweep());
    expect(examined.map((r) => [r.examined, r.redriven])).toEqual([
      [100, 0],
      [100, 0],
      [WAITING - 200, 1],
      [100, 0], // wrapped round to the start
    ]);

    // Another process holding this interval's lease: the timer's sweep is skipped, whoever runs it.
    const lease = `${redisSettings.REDIS_PREFIX}:outbox-sweeper:lease`;
    const redis = worker.get(QueueProducers).connections.get(QueueName.Schedules)!;
    await redis.set(lease, 'another-worker', 'PX', 60_000);
    expect(await sweeper.sweepWithLease()).toBeNull();
    await redis.del(lease);
    expect(await sweeper.sweepWithLease()).toMatchObject({ examined: 100, redriven: 0 });
    expect(await sweeper.sweepWithLease()).toBeNull();
  });
});
