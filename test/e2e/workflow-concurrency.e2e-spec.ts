import type { INestApplicationContext } from '@nestjs/common';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createSoleTraderPcn, SoleTraderPcn } from '../support/sole-trader-pcn';
import { waitForQuiet } from '../support/workflow-scenario';

/** The last signers approving at the same instant execute the agreement exactly once. */
describe('approval workflow under concurrency', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let pcn: SoleTraderPcn;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    pcn = await createSoleTraderPcn(t, 20);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  it('20 concurrent approvals of one round execute it once, with one document job', async () => {
    const submitted = await t.http
      .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
      .set('Authorization', pcn.clinicalDirector.bearer)
      .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(submitted.status).toBe(201);
    expect(submitted.body.agreementStatus).toBe('AWAITING_SIGNATURES');
    expect(submitted.body.round.lastStep).toBe(1);
    const requests: { id: string; personId: string; boundHash: string }[] = submitted.body.requests;
    expect(requests).toHaveLength(20);

    const responses = await Promise.all(
      pcn.signers.map((signer) => {
        const request = requests.find((r) => r.personId === signer.personId)!;
        return t.http
          .post(`/api/v1/requests/${request.id}/approve`)
          .set('Authorization', signer.user.bearer)
          .send({ typedName: signer.fullName, capacity: 'SOLE_TRADER', confirmAuthority: true, hash: request.boundHash });
      }),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(responses.filter((r) => r.body.agreementStatus === 'EXECUTED')).toHaveLength(1);

    const q = (sql: string) => t.dataSource.query(sql, [pcn.agreementId]);
    expect(await q(`SELECT count(*)::int AS n FROM agreement_execution WHERE agreement_id = $1`)).toEqual([{ n: 1 }]);
    expect(await q(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type = 'EXECUTED'`)).toEqual([{ n: 1 }]);
    expect(await q(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type = 'SIGNED'`)).toEqual([{ n: 20 }]);
    expect(await q(`SELECT count(*)::int AS n FROM outbox o JOIN agreement_execution e ON o.payload->>'executionId' = e.id::text WHERE e.agreement_id = $1 AND o.job_name = 'documents.generate'`)).toEqual([{ n: 1 }]);
    expect(await q(`SELECT status FROM network_agreement WHERE id = $1`)).toEqual([{ status: 'EXECUTED' }]);

    // Every signer is told once that the agreement is executed: counted only once nothing is
    // left to run (a late duplicate would still be on its way otherwise).
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    const [{ reference }] = await q(`SELECT reference FROM network_agreement WHERE id = $1`);
    const mails = smtp.messages.filter((m) => m.subject.includes(`(${reference})`));
    const executedMails = mails.filter((m) => m.subject.startsWith('Signed by everyone:'));
    expect(executedMails).toHaveLength(20);
    expect(new Set(executedMails.map((m) => m.to[0])).size).toBe(20);
    // No email of any kind went twice to anyone.
    const sent = mails.map((m) => `${m.to.join(',')} ${m.subject}`);
    // 20 "your signature is needed" and 20 "signed by everyone": the CD here is no person, so is not emailed.
    expect(sent).toHaveLength(40);
    expect(new Set(sent).size).toBe(sent.length);
    expect(await q(`SELECT count(*)::int AS n FROM sealed_document WHERE agreement_id = $1`)).toEqual([{ n: 1 }]);

    // The chain stayed intact through the burst.
    const verify = await t.http.get(`/api/v1/audit/verify`).query({ agreementId: pcn.agreementId }).set('Authorization', pcn.clinicalDirector.bearer);
    expect(verify.body.ok).toBe(true);
  });

  it('the sweeper re-queues an execution whose document job was lost, and nothing is stored twice', async () => {
    // Its own agreement, executed and sealed here, so this test does not lean on the one above.
    const own = await createSoleTraderPcn(t, 3);
    const submitted = await t.http
      .post(`/api/v1/agreements/${own.agreementId}/submit`)
      .set('Authorization', own.clinicalDirector.bearer)
      .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(submitted.status).toBe(201);
    for (const signer of own.signers) {
      const request = submitted.body.requests.find((r: { personId: string }) => r.personId === signer.personId);
      const res = await t.http
        .post(`/api/v1/requests/${request.id}/approve`)
        .set('Authorization', signer.user.bearer)
        .send({ typedName: signer.fullName, capacity: 'SOLE_TRADER', confirmAuthority: true, hash: request.boundHash });
      expect(res.status).toBe(200);
    }
    const q = (sql: string) => t.dataSource.query(sql, [own.agreementId]);
    await eventually('documents generated', async () => (await q(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`))[0]?.document_status === 'GENERATED', 30_000);
    await waitForQuiet(t);
    const [{ n: stored }] = await q(`SELECT count(*)::int AS n FROM sealed_document WHERE agreement_id = $1`);
    expect(stored).toBe(1);
    // As if the job had failed for good and its documents never arrived.
    await q(`UPDATE outbox SET status = 'FAILED' WHERE job_name = 'documents.generate' AND payload->>'executionId' IN (SELECT id::text FROM agreement_execution WHERE agreement_id = $1)`);
    await q(`UPDATE agreement_execution SET document_status = 'PENDING', created_at = now() - interval '2 minutes' WHERE agreement_id = $1`);
    await eventually('re-queued and generated', async () => (await q(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`))[0]?.document_status === 'GENERATED', 20_000);
    await waitForQuiet(t);
    const jobs = await q(`SELECT status FROM outbox WHERE job_name = 'documents.generate' AND payload->>'executionId' IN (SELECT id::text FROM agreement_execution WHERE agreement_id = $1) ORDER BY created_at`);
    expect(jobs.map((j: { status: string }) => j.status)).toEqual(['FAILED', 'DONE']);
    expect(await q(`SELECT count(*)::int AS n FROM sealed_document WHERE agreement_id = $1`)).toEqual([{ n: stored }]);
  });

  it('the same approval posted twice at the same moment is recorded once', async () => {
    const other = await createSoleTraderPcn(t, 3);
    const submitted = await t.http
      .post(`/api/v1/agreements/${other.agreementId}/submit`)
      .set('Authorization', other.clinicalDirector.bearer)
      .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(submitted.status).toBe(201);
    const signer = other.signers[0];
    const request = submitted.body.requests.find((r: { personId: string }) => r.personId === signer.personId);
    const body = { typedName: signer.fullName, capacity: 'SOLE_TRADER', confirmAuthority: true, hash: request.boundHash };
    const [a, b] = await Promise.all([0, 1].map(() => t.http.post(`/api/v1/requests/${request.id}/approve`).set('Authorization', signer.user.bearer).send(body)));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.alreadyRecorded, b.body.alreadyRecorded].sort()).toEqual([false, true]);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type = 'SIGNED'`, [other.agreementId]);
    expect(n).toBe(1);
  });
});
