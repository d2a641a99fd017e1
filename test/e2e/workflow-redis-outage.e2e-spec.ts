import type { INestApplicationContext } from '@nestjs/common';
import { OutboxSweeper } from '../../libs/workflow/src/queue/outbox-sweeper.service';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createSoleTraderPcn } from '../support/sole-trader-pcn';
import { PrivateRedis } from '../support/private-redis';

/**
 * Redis is stopped (losing everything it held) while practices approve. Nothing fails
 * and nothing is lost: approvals commit with their outbox rows, the relay delivers them
 * once Redis is back, and the sweeper re-drives the jobs Redis forgot once they are due
 * (a delayed job is none of its business before then).
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

  it('loses no approval and delivers every job after Redis comes back; a delayed job Redis forgot is re-driven once it is due, not before', async () => {
    const submit = async (agreementId: string, bearer: string) => {
      const res = await t.http
        .post(`/api/v1/agreements/${agreementId}/submit`)
        .set('Authorization', bearer)
        .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
      expect(res.status).toBe(201);
      return res.body as { round: { id: string }; requests: { id: string; personId: string; boundHash: string }[] };
    };
    const pcn = await createSoleTraderPcn(t, 5);
    const submitted = await submit(pcn.agreementId, pcn.clinicalDirector.bearer);
    // A second round stays open throughout: its deadline, an hour away, is a delayed job in Redis when Redis loses everything.
    const open = await createSoleTraderPcn(t, 3);
    const openRound = await submit(open.agreementId, open.clinicalDirector.bearer);
    await smtp.waitForCount(8);
    const deadlineOf = async (roundId: string): Promise<{ id: string; status: string; dispatch_count: number }> =>
      (await t.dataSource.query(`SELECT id::text, status, dispatch_count FROM outbox WHERE job_name = 'round.deadline' AND payload->>'roundId' = $1`, [roundId]))[0];
    await eventually('both deadlines in Redis', async () => (await deadlineOf(submitted.round.id)).status === 'DISPATCHED' && (await deadlineOf(openRound.round.id)).status === 'DISPATCHED');

    await redis.shutdownNoSave();
    // A sweep while Redis is down fails at once (its lease goes through a fail-fast connection), so it never holds up shutdown.
    const sweepStarted = Date.now();
    await expect(worker.get(OutboxSweeper).sweepWithLease()).rejects.toThrow();
    expect(Date.now() - sweepStarted).toBeLessThan(2000);

    for (const signer of pcn.signers) {
      const request = submitted.requests.find((r) => r.personId === signer.personId)!;
      const res = await t.http
        .post(`/api/v1/requests/${request.id}/approve`)
        .set('Authorization', signer.user.bearer)
        .send({ typedName: signer.fullName, capacity: 'SOLE_TRADER', confirmAuthority: true, hash: request.boundHash });
      expect(res.status).toBe(200);
    }
    const [{ status }] = await t.dataSource.query(`SELECT status FROM network_agreement WHERE id = $1`, [pcn.agreementId]);
    expect(status).toBe('EXECUTED');
    // The work caused by the execution is safely waiting in the outbox: the documents job (the
    // "signed by everyone" emails are enqueued with the sealed documents it stores).
    const waiting = await t.dataSource.query(`SELECT job_name FROM outbox WHERE status = 'PENDING' ORDER BY job_name`);
    expect(waiting.map((r: { job_name: string }) => r.job_name)).toEqual(['documents.generate']);
    expect(smtp.messages.filter((m) => m.subject.startsWith('Signed by everyone:'))).toHaveLength(0);

    await redis.up();

    await eventually('executed emails after Redis returned', async () => smtp.messages.filter((m) => m.subject.startsWith('Signed by everyone:')).length === 5, 30_000);
    await eventually('document job done', async () => {
      const [row] = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [pcn.agreementId]);
      return row?.document_status === 'GENERATED';
    }, 30_000);
    // Every job of the executed round ends DONE; its deadline (an hour away) was not run but
    // removed as the job of a finished round, dispatched once.
    const executedRows = await eventually('every job of the executed round done', async () => {
      const rows: { job_name: string; status: string; dispatch_count: number }[] = await t.dataSource.query(
        `SELECT job_name, status, dispatch_count FROM outbox WHERE payload->>'roundId' = $1 OR job_name = 'documents.generate' ORDER BY job_name`,
        [submitted.round.id],
      );
      return rows.every((r) => r.status === 'DONE') ? rows : null;
    }, 30_000);
    expect(executedRows.find((r) => r.job_name === 'round.deadline')).toEqual({ job_name: 'round.deadline', status: 'DONE', dispatch_count: 1 });
    expect(smtp.messages.filter((m) => m.subject.startsWith('Signed by everyone:'))).toHaveLength(5);

    // The open round's deadline is gone from Redis, but not yet due: the sweeper leaves it
    // alone (it looks only at rows due for longer than STALE_DISPATCH_MS), through several sweeps.
    const { id: deadlineId } = await deadlineOf(openRound.round.id);
    const sweepsMs = Number(FAST_WORKFLOW_ENV.STALE_DISPATCH_MS) + 5 * Number(FAST_WORKFLOW_ENV.SWEEPER_INTERVAL_MS);
    await new Promise((r) => setTimeout(r, sweepsMs));
    expect(await deadlineOf(openRound.round.id)).toEqual({ id: deadlineId, status: 'DISPATCHED', dispatch_count: 1 });

    // Once it is due (its run time moved an hour back), the sweeper finds Redis lost it and re-drives it, once.
    await t.dataSource.query(`UPDATE outbox SET run_at = now() - interval '1 hour', dispatched_at = now() - interval '1 hour' WHERE id = $1`, [deadlineId]);
    await eventually('the due deadline re-driven and run', async () => (await deadlineOf(openRound.round.id)).status === 'DONE', 15_000);
    await new Promise((r) => setTimeout(r, sweepsMs));
    expect(await deadlineOf(openRound.round.id)).toEqual({ id: deadlineId, status: 'DONE', dispatch_count: 2 });
    // The job's due date is still an hour away on the round itself: the handler expired nothing.
    const [{ status: openStatus }] = await t.dataSource.query(`SELECT status FROM approval_round WHERE id = $1`, [openRound.round.id]);
    expect(openStatus).toBe('ACTIVE');
  });
});
