import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, startTestWorker } from '../support/test-worker';
import { createUserWithRole } from '../support/factories';
import { OutboxRelay, QueueProducers } from '../../libs/workflow/src/queue/outbox-relay.service';
import { OutboxSweeper } from '../../libs/workflow/src/queue/outbox-sweeper.service';
import { QueueName } from '../../libs/workflow/src/queue/queue.contract';
import { listFailedJobsCommand, retryFailedJobsCommand } from '../../apps/cli/src/failed-jobs';

type Row = { id: string; status: string; last_error: string | null; dispatch_count: number };

/**
 * The outbox keeps going past a row that can never become a job, keeps only what it must
 * (DONE rows pruned after OUTBOX_RETENTION_DAYS), and lets an operator list and re-drive
 * failed jobs. The worker runs `notifications` only: schedule jobs stay in Redis untouched.
 */
describe('outbox: malformed rows, retention, failed jobs', () => {
  let t: TestApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    t = await createTestApp({ WORKER_QUEUES: 'notifications', OUTBOX_POLL_MS: '50', SWEEPER_INTERVAL_MS: '3600000', OUTBOX_RETENTION_DAYS: '14' });
    worker = await startTestWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const insert = async (queue: string, jobName: string, payload: unknown): Promise<string> => {
    const [row] = await t.dataSource.query(`INSERT INTO outbox (queue, job_name, payload, run_at) VALUES ($1, $2, $3, now()) RETURNING id::text`, [queue, jobName, JSON.stringify(payload)]);
    return row.id;
  };
  const rows = (ids: string[]): Promise<Row[]> =>
    t.dataSource.query(`SELECT id::text, status, last_error, dispatch_count FROM outbox WHERE id = ANY($1) ORDER BY array_position($1::uuid[], id)`, [ids]);

  it('marks a malformed row FAILED with its reason, dispatches the rest of the batch, and reports it', async () => {
    const relay = worker.get(OutboxRelay);
    const before = relay.malformedRows;
    const good: string[] = [];
    for (let i = 0; i < 5; i++) good.push(await insert('schedules', 'round.deadline', { roundId: randomUUID(), dueAt: new Date().toISOString() }));
    const bad = [
      await insert('nope', 'round.deadline', { roundId: randomUUID(), dueAt: 'x' }),
      await insert('schedules', 'round.sing', { roundId: randomUUID() }),
      await insert('notifications', 'documents.generate', { executionId: randomUUID() }),
      await insert('documents', 'documents.generate', { execution: 'forgotten' }),
    ];
    await eventually('the batch handled', async () => (await rows([...good, ...bad])).every((r) => r.status !== 'PENDING'));
    expect((await rows(good)).map((r) => r.status)).toEqual(Array(5).fill('DISPATCHED'));
    expect((await rows(bad)).map((r) => [r.status, r.last_error])).toEqual([
      ['FAILED', 'malformed outbox row: unknown queue "nope"'],
      ['FAILED', 'malformed outbox row: unknown job "round.sing"'],
      ['FAILED', 'malformed outbox row: job "documents.generate" belongs on queue "documents", not "notifications"'],
      ['FAILED', 'malformed outbox row: payload of "documents.generate" lacks executionId'],
    ]);
    expect(relay.malformedRows - before).toBe(4);
    const schedules = worker.get(QueueProducers).get(QueueName.Schedules);
    for (const id of good) expect(await schedules.getJobState(id)).toBe('waiting');

    const admin = await createUserWithRole(t, UserRole.PlatformAdmin);
    const health = await t.http.get('/health').set('Authorization', admin.bearer);
    expect(health.status).toBe(200);
    const [{ n: failedRows }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'FAILED'`);
    expect(health.body.outbox).toEqual({ status: 'up', backlog: 0, oldestBacklogAgeSeconds: 0, failed: failedRows });
    expect(failedRows).toBeGreaterThanOrEqual(4);
  });

  it('prunes DONE rows older than the retention and nothing else', async () => {
    const ids: Record<string, string[]> = {};
    const add = async (key: string, status: string, completedAgo: string | null, n: number) => {
      ids[key] = [];
      for (let i = 0; i < n; i++) {
        const [row] = await t.dataSource.query(
          `INSERT INTO outbox (queue, job_name, payload, run_at, status, completed_at, created_at)
           VALUES ('schedules', 'round.deadline', '{}', now() - interval '30 days', $1, ${completedAgo ? `now() - interval '${completedAgo}'` : 'NULL'}, now() - interval '30 days') RETURNING id::text`,
          [status],
        );
        ids[key].push(row.id);
      }
    };
    await add('oldDone', 'DONE', '15 days', 7);
    await add('recentDone', 'DONE', '13 days', 3);
    await add('oldFailed', 'FAILED', null, 2);
    await add('oldDispatched', 'DISPATCHED', null, 2);
    // Straight to the prune (no full sweep): the rows above have no jobs in Redis on purpose.
    expect(await worker.get(OutboxSweeper).pruneDoneRows()).toBe(7);
    expect(await rows(ids.oldDone)).toEqual([]);
    expect((await rows([...ids.recentDone, ...ids.oldFailed, ...ids.oldDispatched])).map((r) => r.status)).toEqual(['DONE', 'DONE', 'DONE', 'FAILED', 'FAILED', 'DISPATCHED', 'DISPATCHED']);
    expect(await worker.get(OutboxSweeper).pruneDoneRows()).toBe(0);
    await t.dataSource.query(`DELETE FROM outbox WHERE id = ANY($1)`, [[...ids.recentDone, ...ids.oldFailed, ...ids.oldDispatched]]);
  });

  it('lists failed jobs and re-drives one, then all (jobs:failed, jobs:retry)', async () => {
    await t.dataSource.query(`DELETE FROM outbox WHERE status = 'FAILED'`);
    // A job that fails for good in the worker (its round does not exist), kept in Redis as failed.
    const failing = await insert('notifications', 'email.send', { kind: 'SIGNATURE_REQUESTED', roundId: randomUUID(), personId: randomUUID(), step: 1 });
    const malformed = await insert('notifications', 'email.unknown', { roundId: randomUUID() });
    await eventually('both FAILED', async () => (await rows([failing, malformed])).every((r) => r.status === 'FAILED'));
    const notifications = worker.get(QueueProducers).get(QueueName.Notifications);
    expect(await notifications.getJobState(failing)).toBe('failed');

    const lines: string[] = [];
    expect(await listFailedJobsCommand(t.db.url, (l) => lines.push(l))).toBe(2);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${failing}  notifications/email\\.send  dispatched 1x, 1 attempt\\(s\\)  email job ${failing}: round or person no longer exists$`));
    expect(lines[1]).toBe(`${malformed}  notifications/email.unknown  dispatched 0x, no longer in Redis  malformed outbox row: unknown job "email.unknown"`);
    expect(lines[2]).toBe('2 failed job(s)');

    const out: string[] = [];
    expect(await retryFailedJobsCommand(t.db.url, failing, (l) => out.push(l))).toEqual([failing]);
    expect(out).toEqual([`re-driving 1 job(s): ${failing}`]);
    await eventually('the re-driven job ran and failed again', async () => {
      const [row] = await rows([failing]);
      return row.status === 'FAILED' && row.dispatch_count === 2;
    });
    expect((await rows([malformed]))[0]).toMatchObject({ status: 'FAILED', dispatch_count: 0 });

    expect((await retryFailedJobsCommand(t.db.url, '--all', () => undefined)).sort()).toEqual([failing, malformed].sort());
    await eventually('both handled again', async () => {
      const [a, b] = await rows([failing, malformed]);
      return a.status === 'FAILED' && a.dispatch_count === 3 && b.status === 'FAILED' ? true : null;
    });

    await expect(retryFailedJobsCommand(t.db.url, randomUUID(), () => undefined)).rejects.toThrow(/^No failed job has the id /);
    await expect(retryFailedJobsCommand(t.db.url, 'yesterday', () => undefined)).rejects.toThrow('jobs:retry takes a job id (a UUID) or --all, not "yesterday"');
    await expect(retryFailedJobsCommand(t.db.url, undefined, () => undefined)).rejects.toThrow('jobs:retry takes a job id (see jobs:failed) or --all');
  });
});
