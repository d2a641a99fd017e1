import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, startTestWorker } from '../support/test-worker';
import { createUserWithRole, TestUser } from '../support/factories';
import { QueueProducers } from '../../libs/workflow/src/queue/outbox-relay.service';
import { QUEUE_CONFIG, QueueName } from '../../libs/workflow/src/queue/queue.contract';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { TEST_REDIS_URL } from '../support/test-env';

/**
 * Worker processes run the queues they are told (WORKER_QUEUES), say so in a heartbeat,
 * and /health tells an admin which queues have no worker. The public answer stays up/down.
 */
describe('worker processes: WORKER_QUEUES and heartbeats', () => {
  let t: TestApp;
  let admin: TestUser;
  const workers: INestApplicationContext[] = [];

  beforeAll(async () => {
    t = await createTestApp({ OUTBOX_POLL_MS: '50', SWEEPER_INTERVAL_MS: '3600000', WORKER_HEARTBEAT_MS: '300' });
    admin = await createUserWithRole(t, UserRole.PlatformAdmin);
  });

  afterAll(async () => {
    for (const w of workers) await w.close();
    await t?.close();
  });

  async function startWorker(queues: string): Promise<INestApplicationContext> {
    const worker = await startTestWorker({ WORKER_QUEUES: queues });
    workers.push(worker);
    return worker;
  }

  const details = async () => {
    const res = await t.http.get('/health').set('Authorization', admin.bearer);
    expect(res.status).toBe(200);
    return res.body;
  };

  const insert = async (queue: string, jobName: string, payload: unknown): Promise<string> => {
    const [row] = await t.dataSource.query(`INSERT INTO outbox (queue, job_name, payload, run_at) VALUES ($1, $2, $3, now()) RETURNING id::text`, [queue, jobName, JSON.stringify(payload)]);
    return row.id;
  };
  const statusOf = async (id: string): Promise<string> => (await t.dataSource.query(`SELECT status FROM outbox WHERE id = $1`, [id]))[0].status;

  it('says the worker is missing when none runs, and stays "up" for everyone else', async () => {
    const body = await details();
    expect(body.workers).toEqual({ status: 'missing', workerMissing: true, queuesWithoutWorker: ['notifications', 'schedules', 'documents'], running: [] });
    expect(body.outbox).toEqual({ status: 'up', backlog: 0, oldestBacklogAgeSeconds: 0, failed: 0 });
    const anonymous = await t.http.get('/health');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'up' });
  });

  it('reports the outbox backlog and its oldest due age while no worker moves it', async () => {
    const waiting = await t.dataSource.query(
      `INSERT INTO outbox (queue, job_name, payload, run_at) VALUES
         ('documents', 'documents.generate', '{"executionId":"e"}', now() - interval '120 seconds'),
         ('documents', 'documents.generate', '{"executionId":"f"}', now() - interval '5 seconds'),
         ('documents', 'documents.generate', '{"executionId":"g"}', now() + interval '1 day') RETURNING id::text`,
    );
    const { outbox } = await details();
    expect(outbox.backlog).toBe(2);
    expect(outbox.oldestBacklogAgeSeconds).toBeGreaterThanOrEqual(120);
    expect(outbox.oldestBacklogAgeSeconds).toBeLessThan(180);
    await t.dataSource.query(`DELETE FROM outbox WHERE id = ANY($1)`, [waiting.map((r: { id: string }) => r.id)]);
  });

  it('a worker told WORKER_QUEUES=notifications consumes notifications and leaves documents alone', async () => {
    const notificationsWorker = await startWorker('notifications');
    const body = await eventually('the heartbeat', async () => {
      const b = await details();
      return b.workers.running.length === 1 ? b : null;
    });
    expect(body.workers).toMatchObject({ status: 'partial', workerMissing: true, queuesWithoutWorker: ['schedules', 'documents'] });
    expect(body.workers.running[0].queues).toEqual(['notifications']);

    // An email job that fails at once (no such round) proves notifications are consumed.
    const email = await insert('notifications', 'email.send', { kind: 'SIGNATURE_REQUESTED', roundId: randomUUID(), personId: randomUUID(), step: 1 });
    const document = await insert('documents', 'documents.generate', { executionId: randomUUID() });
    await eventually('the email job consumed', async () => (await statusOf(email)) === 'FAILED');
    const documents = notificationsWorker.get(QueueProducers).get(QueueName.Documents);
    await eventually('the document job in Redis', async () => (await statusOf(document)) === 'DISPATCHED');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await documents.getJobState(document)).toBe('waiting');
    expect((await documents.getJob(document))!.attemptsMade).toBe(0);

    // A documents-only process picks it up (and fails it for good: the execution does not exist).
    await startWorker('documents');
    await eventually('the document job consumed', async () => (await statusOf(document)) === 'FAILED');
    expect(await documents.getJobState(document)).toBe('failed');
    const both = await eventually('both heartbeats', async () => {
      const b = await details();
      return b.workers.running.length === 2 ? b : null;
    });
    expect(both.workers).toMatchObject({ status: 'partial', queuesWithoutWorker: ['schedules'] });
    expect(both.workers.running.map((w: { queues: string[] }) => w.queues.join(',')).sort()).toEqual(['documents', 'notifications']);

    // A worker that stops takes its heartbeat with it.
    for (const w of workers.splice(0)) await w.close();
    expect((await details()).workers).toMatchObject({ status: 'missing', running: [] });
  });

  it('a document job whose worker died is picked up by another within 10 s (lock and stalled check of the documents queue)', async () => {
    const { lockDurationMs, stalledIntervalMs, maxStalledCount } = QUEUE_CONFIG[QueueName.Documents];
    const prefix = `${process.env.REDIS_PREFIX}-crash`;
    const connections: Redis[] = [];
    const connection = () => {
      const c = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      connections.push(c);
      return c;
    };
    const settings = { prefix, lockDuration: lockDurationMs, stalledInterval: stalledIntervalMs, maxStalledCount };
    const queue = new Queue('documents', { connection: connection(), prefix });
    let startedAt = 0;
    // The first worker takes the job and "crashes": it never finishes and no longer renews its lock.
    const crashing = new Worker('documents', () => {
      startedAt = Date.now();
      return new Promise<void>(() => undefined);
    }, { ...settings, connection: connection() });
    let retriedAt = 0;
    let rescuer: Worker | null = null;
    try {
      await queue.add('documents.generate', { executionId: randomUUID() }, { jobId: randomUUID() });
      await eventually('the first worker took the job', async () => startedAt > 0);
      await crashing.close(true);
      const crashedAt = Date.now();
      rescuer = new Worker('documents', async () => {
        retriedAt = Date.now();
      }, { ...settings, connection: connection() });
      await eventually('another worker ran it', async () => retriedAt > 0, 15_000, 50);
      expect(retriedAt - crashedAt).toBeLessThanOrEqual(10_000);
    } finally {
      await rescuer?.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connections.forEach((c) => c.disconnect());
    }
  });
});
