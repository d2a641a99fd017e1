import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, startTestWorker } from '../support/test-worker';
import { createSoleTraderPcn } from '../support/sole-trader-pcn';

// More than the SMTP pool's 3 connections: some sends wait in the pool for a connection.
const SIGNERS = 6;

/** A real SMTP server that holds each message this long before its 250: sends stay in flight. */
async function startSlowSmtpServer(holdMs: number) {
  const keys: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 500,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () =>
        setTimeout(() => {
          const key = /^X-PCN-Message-Key:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('utf8'));
          keys.push(key ? key[1] : '?');
          callback();
        }, holdMs),
      );
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    /** X-PCN-Message-Key of every message accepted. */
    keys,
    env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_SECURE: 'false', SMTP_REQUIRE_TLS: 'false' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The worker's shutdown order: running jobs finish (bounded by WORKER_SHUTDOWN_GRACE_MS)
 * before the SMTP pool, Redis and the database close. Nest runs every onModuleDestroy before
 * any onApplicationShutdown: the QueueRunner drains in the first, resources close in the second.
 */
describe('worker shutdown: running jobs finish before resources close', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSlowSmtpServer>>;

  beforeAll(async () => {
    smtp = await startSlowSmtpServer(1500);
    t = await createTestApp({ ...smtp.env, OUTBOX_POLL_MS: '50', SWEEPER_INTERVAL_MS: '3600000' });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  async function submitRound(): Promise<string> {
    const pcn = await createSoleTraderPcn(t, SIGNERS);
    const res = await t.http
      .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
      .set('Authorization', pcn.clinicalDirector.bearer)
      .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(res.status).toBe(201);
    return res.body.round.id;
  }

  const emailJobs = (roundId: string): Promise<{ id: string; status: string }[]> =>
    t.dataSource.query(`SELECT id::text, status FROM outbox WHERE job_name = 'email.send' AND payload->>'roundId' = $1 ORDER BY id`, [roundId]);
  const sending = (roundId: string): Promise<{ job_id: string }[]> =>
    t.dataSource.query(`SELECT job_id::text FROM sent_email WHERE round_id = $1 AND status = 'SENDING'`, [roundId]);

  it('closing the worker while emails are mid-send lets each finish: SENT, DONE, received once', async () => {
    const worker = await startTestWorker({ WORKER_SHUTDOWN_GRACE_MS: '20000' });
    const roundId = await submitRound();
    const inFlight = await eventually('all emails mid-send', async () => {
      const rows = await sending(roundId);
      return rows.length === SIGNERS ? rows : null;
    });
    await worker.close();

    const jobs = await emailJobs(roundId);
    expect(jobs.map((j) => j.status)).toEqual(Array(SIGNERS).fill('DONE'));
    const ledger: { status: string; attempts: number }[] = await t.dataSource.query(`SELECT status, attempts FROM sent_email WHERE round_id = $1`, [roundId]);
    expect(ledger).toEqual(Array(SIGNERS).fill({ status: 'SENT', attempts: 1 }));
    expect(smtp.keys.filter((k) => inFlight.some((r) => r.job_id === k)).sort()).toEqual(inFlight.map((r) => r.job_id).sort());
    const failedEvents = await t.dataSource.query(`SELECT 1 FROM audit_event WHERE type = 'EMAIL_FAILED' AND round_id = $1`, [roundId]);
    expect(failedEvents).toHaveLength(0);
  });

  it('waits no longer than the grace period: a send still running is left to be retried', async () => {
    const worker = await startTestWorker({ WORKER_SHUTDOWN_GRACE_MS: '200' });
    const roundId = await submitRound();
    await eventually('an email mid-send', async () => ((await sending(roundId)).length > 0 ? true : null));
    const started = Date.now();
    await worker.close();
    // 200 ms of grace, then BullMQ is closed without waiting: well under the 1.5 s the server holds each send.
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await emailJobs(roundId)).filter((j) => j.status === 'DONE')).toHaveLength(0);
    // Another worker sends them once their locks expire (30 s on notifications): nothing was marked failed.
    const failedEvents = await t.dataSource.query(`SELECT 1 FROM audit_event WHERE type = 'EMAIL_FAILED' AND round_id = $1`, [roundId]);
    expect(failedEvents).toHaveLength(0);
  });
});
