import type { INestApplicationContext } from '@nestjs/common';
import type { Response } from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createSoleTraderPcn, SoleTraderPcn } from '../support/sole-trader-pcn';
import { expectError, expectStatus } from '../support/http-expect';
import { approveRequest, SubmittedRequest, waitForQuiet } from '../support/workflow-scenario';

/**
 * The clinical director withdraws a round at the instant its last signer approves. Whatever
 * the interleaving, each agreement ends whole: executed (one execution, its sealed document,
 * no withdrawal) or withdrawn (round withdrawn, agreement back to draft, no execution, no
 * document, the last request void), and the
 * request that lost is refused with one exact 409.
 */
describe('withdraw racing the final approval', () => {
  const AGREEMENTS = 20;
  /** Races fired at once: enough to interleave, within the test pool (5 connections). */
  const AT_ONCE = 5;
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let pcn: SoleTraderPcn;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    pcn = await createSoleTraderPcn(t, 3);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  /** Another draft of the same content for the same PCN, so each race has its own agreement and round. */
  async function newDraft(): Promise<string> {
    const source = expectStatus(await t.http.get(`/api/v1/agreements/${pcn.agreementId}/revisions/1`).set('Authorization', pcn.clinicalDirector.bearer), 200);
    const created = expectStatus(await t.http.post(`/api/v1/pcns/${pcn.pcnId}/agreements`).set('Authorization', pcn.clinicalDirector.bearer).send({ content: source.content }), 201);
    return created.agreement.id;
  }

  /** Submitted without a countersignature, every signer but the last one approved: one approval from execution. */
  async function oneApprovalLeft(agreementId: string): Promise<SubmittedRequest> {
    const submitted = expectStatus(
      await t.http
        .post(`/api/v1/agreements/${agreementId}/submit`)
        .set('Authorization', pcn.clinicalDirector.bearer)
        .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 }),
      201,
    );
    const requestOf = (personId: string) => (submitted.requests as SubmittedRequest[]).find((r) => r.personId === personId)!;
    for (const signer of pcn.signers.slice(0, -1)) expectStatus(await approve(signer.personId, requestOf(signer.personId)), 200);
    return requestOf(pcn.signers[pcn.signers.length - 1].personId);
  }

  const approve = (personId: string, request: SubmittedRequest) => approveRequest(t.http, pcn.signers.find((s) => s.personId === personId)!, request, 'SOLE_TRADER');

  const withdraw = (agreementId: string) => t.http.post(`/api/v1/agreements/${agreementId}/withdraw`).set('Authorization', pcn.clinicalDirector.bearer).send({ reason: 'Withdrawn to change the payee' });

  it(`${AGREEMENTS} agreements each end either executed or withdrawn, never both and never half`, async () => {
    const lastSigner = pcn.signers[pcn.signers.length - 1];
    const races: { agreementId: string; request: SubmittedRequest }[] = [];
    for (let i = 0; i < AGREEMENTS; i++) {
      const agreementId = await newDraft();
      races.push({ agreementId, request: await oneApprovalLeft(agreementId) });
    }

    const outcomes: { agreementId: string; approved: Response; withdrawn: Response }[] = [];
    for (let i = 0; i < races.length; i += AT_ONCE) {
      const batch = races.slice(i, i + AT_ONCE);
      // Half the pairs send the withdrawal first, half the approval, so both orders are tried.
      outcomes.push(
        ...(await Promise.all(
          batch.map(async ({ agreementId, request }, j) => {
            const [approved, withdrawn] =
              (i + j) % 2 === 0
                ? await Promise.all([approve(lastSigner.personId, request), withdraw(agreementId)])
                : await Promise.all([withdraw(agreementId), approve(lastSigner.personId, request)]).then(([w, a]) => [a, w]);
            return { agreementId, approved, withdrawn };
          }),
        )),
      );
    }

    // Exactly one request of each pair wins, and the loser is refused with its exact conflict.
    for (const { approved, withdrawn } of outcomes) {
      if (approved.status === 200) {
        expect(approved.body.agreementStatus).toBe('EXECUTED');
        expectError(withdrawn, 409, 'ROUND_NOT_OPEN');
      } else {
        // A withdrawn round puts the agreement back to draft, to be changed and sent again.
        expect(expectStatus(withdrawn, 200).agreementStatus).toBe('DRAFT');
        // The withdrawal voided the pending request before the approval could lock the round.
        expectError(approved, 409, 'ALREADY_ACTED_ON');
      }
    }

    // The documents of the executed ones are sealed and every email sent before anything is counted.
    await waitForQuiet(t, { timeoutMs: 170_000, probe: () => smtp.messages.length });
    const q = async <T>(sql: string, agreementId: string): Promise<T> => (await t.dataSource.query(sql, [agreementId]))[0] as T;
    let executed = 0;
    let withdrawnCount = 0;
    for (const { agreementId, approved } of outcomes) {
      const state = await q<{ status: string; executions: number; documents: number; executedEvents: number; withdrawnEvents: number; rounds: string; requests: string }>(
        `SELECT a.status,
                (SELECT count(*)::int FROM agreement_execution e WHERE e.agreement_id = a.id) AS executions,
                (SELECT count(*)::int FROM sealed_document d WHERE d.agreement_id = a.id) AS documents,
                (SELECT count(*)::int FROM audit_event ev WHERE ev.agreement_id = a.id AND ev.type = 'EXECUTED') AS "executedEvents",
                (SELECT count(*)::int FROM audit_event ev WHERE ev.agreement_id = a.id AND ev.type = 'WITHDRAWN') AS "withdrawnEvents",
                (SELECT string_agg(r.status, ',') FROM approval_round r WHERE r.agreement_id = a.id) AS rounds,
                (SELECT string_agg(s.status, ',' ORDER BY s.status) FROM signature_request s JOIN approval_round r ON r.id = s.round_id WHERE r.agreement_id = a.id) AS requests
           FROM network_agreement a WHERE a.id = $1`,
        agreementId,
      );
      if (approved.status === 200) {
        executed++;
        expect(state).toEqual({ status: 'EXECUTED', executions: 1, documents: 1, executedEvents: 1, withdrawnEvents: 0, rounds: 'COMPLETED', requests: 'APPROVED,APPROVED,APPROVED' });
      } else {
        withdrawnCount++;
        expect(state).toEqual({ status: 'DRAFT', executions: 0, documents: 0, executedEvents: 0, withdrawnEvents: 1, rounds: 'WITHDRAWN', requests: 'APPROVED,APPROVED,VOID' });
      }
      const verify = expectStatus(await t.http.get('/api/v1/audit/verify').query({ agreementId }).set('Authorization', pcn.clinicalDirector.bearer), 200);
      expect(verify.ok).toBe(true);
    }
    expect(executed + withdrawnCount).toBe(AGREEMENTS);
    // Which side wins is up to the scheduler; say what happened so a run that only tried one side is visible.
    process.stdout.write(`withdraw racing approve: ${executed} executed, ${withdrawnCount} withdrawn\n`);
  });
});
