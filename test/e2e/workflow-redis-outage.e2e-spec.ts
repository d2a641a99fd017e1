import type { INestApplicationContext } from '@nestjs/common';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createSoleTraderPcn } from '../support/sole-trader-pcn';
import { PrivateRedis } from '../support/private-redis';

/**
 * Redis is stopped (losing everything it held) while practices approve. Nothing fails
 * and nothing is lost: approvals commit with their outbox rows, the relay delivers them
 * once Redis is back, and the sweeper re-drives the jobs Redis forgot.
 */
describe('approval workflow across a Redis outage', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env(), REDIS_URL: redis.url });
    worker = await startTestWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
    await redis?.stop();
  });

  it('loses no approval and delivers every job after Redis comes back', async () => {
    const pcn = await createSoleTraderPcn(t, 5);
    const submitted = await t.http
      .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
      .set('Authorization', pcn.clinicalDirector.bearer)
      // One reminder, due in 4 s: a delayed job that sits in Redis when Redis loses everything.
      .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), firstReminderAfterDays: 10, maxReminders: 1 });
    expect(submitted.status).toBe(201);
    await smtp.waitForCount(5);

    await redis.shutdownNoSave();

    const requests: { id: string; personId: string; boundHash: string }[] = submitted.body.requests;
    for (const signer of pcn.signers) {
      const request = requests.find((r) => r.personId === signer.personId)!;
      const res = await t.http
        .post(`/api/v1/requests/${request.id}/approve`)
        .set('Authorization', signer.user.bearer)
        .send({ typedName: signer.fullName, capacity: 'SOLE_TRADER', confirmAuthority: true, hash: request.boundHash });
      expect(res.status).toBe(200);
    }
    const [{ status }] = await t.dataSource.query(`SELECT status FROM network_agreement WHERE id = $1`, [pcn.agreementId]);
    expect(status).toBe('EXECUTED');
    // The work caused by the execution is safely waiting in the outbox.
    const waiting = await t.dataSource.query(`SELECT job_name FROM outbox WHERE status = 'PENDING' ORDER BY job_name`);
    expect(waiting.map((r: { job_name: string }) => r.job_name)).toEqual(['documents.generate', ...Array(5).fill('email.send')]);
    expect(smtp.messages.filter((m) => m.subject.startsWith('Signed by everyone:'))).toHaveLength(0);

    await redis.up();

    await eventually('executed emails after Redis returned', async () => smtp.messages.filter((m) => m.subject.startsWith('Signed by everyone:')).length === 5, 30_000);
    await eventually('document job done', async () => {
      const [row] = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [pcn.agreementId]);
      return row?.document_status === 'GENERATED';
    }, 30_000);
    // Every job ends done, including the reminder Redis forgot (re-driven by the sweeper);
    // the round's deadline, an hour away, is back in Redis as a delayed job.
    const rows = await eventually('every due job done, the deadline re-driven', async () => {
      const all: { job_name: string; status: string; dispatch_count: number }[] = await t.dataSource.query(`SELECT job_name, status, dispatch_count FROM outbox`);
      const deadline = all.find((r) => r.job_name === 'round.deadline');
      const rest = all.filter((r) => r !== deadline);
      return rest.every((r) => r.status === 'DONE') && deadline?.status === 'DISPATCHED' && deadline.dispatch_count >= 2 ? all : null;
    }, 30_000);
    expect(rows.find((r) => r.job_name === 'round.reminder')!.dispatch_count).toBeGreaterThanOrEqual(2);
    expect(smtp.messages.filter((m) => m.subject.startsWith('Signed by everyone:'))).toHaveLength(5);
  });
});
