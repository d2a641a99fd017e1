import { Client } from 'pg';
import * as pg from 'pg';
import { AuditService } from '@pcn/audit';
import { UserRole } from '@pcn/auth';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { createTestApp, TestApp } from '../support/test-app';
import { createPerson, createUserWithGrants } from '../support/factories';
import { createSoleTraderPcn, SoleTraderPcn, SoleTraderSigner } from '../support/sole-trader-pcn';
import { expectError, expectStatus } from '../support/http-expect';
import { approveRequest, SubmittedRequest } from '../support/workflow-scenario';

/**
 * The approval hot path (RequestActionsService.approveUnderLock): how many statements one
 * approval sends, and what happens when approvals of one round queue on its lock. The
 * requests are read in the lock's own statement, from a snapshot taken before any wait, so
 * each race here holds the round's row lock from a separate session until every approval
 * is waiting on it: whichever goes second has certainly read its requests before the first
 * committed, and must start again rather than trust them.
 */
describe('the approval path', () => {
  let t: TestApp;
  let holder: Client;

  /** Every statement the app's pool sends while `capturing`, with the session that sent it. */
  const sent: { pid: number; text: string }[] = [];
  let capturing = false;
  const originalQuery = pg.Client.prototype.query;

  beforeAll(async () => {
    t = await createTestApp();
    holder = new Client({ connectionString: t.db.url });
    await holder.connect();
    (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client & { processID: number }, ...args: unknown[]) {
      const first = args[0] as string | { text: string };
      if (capturing && this !== holder) sent.push({ pid: this.processID, text: typeof first === 'string' ? first : first.text });
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    };
  });

  afterAll(async () => {
    pg.Client.prototype.query = originalQuery;
    await holder?.end();
    await t?.close();
  });

  interface Scenario {
    pcn: SoleTraderPcn;
    requests: SubmittedRequest[];
    roundId: string;
    requestOf: (signer: SoleTraderSigner) => SubmittedRequest;
  }

  /**
   * `practices` sole traders; the first practice has a second sole practitioner (`extra`),
   * so its two people stand in for each other (one group). Submitted without countersignature.
   */
  async function submittedRound(practices: number, withSecondPractitioner: boolean): Promise<Scenario & { extra?: SoleTraderSigner }> {
    const pcn = await createSoleTraderPcn(t, practices);
    let extra: SoleTraderSigner | undefined;
    if (withSecondPractitioner) {
      const practiceId = pcn.signers[0].practiceId;
      const person = await createPerson(t, `Dr Second Practitioner ${practiceId.slice(0, 6)}`);
      await t.app.get(DirectoryService).addPersonRole(person.id, { organisationId: practiceId, role: PersonRoleType.SolePractitioner, validFrom: '2020-04-01' });
      const user = await createUserWithGrants(t, [{ role: UserRole.PracticeSignatory, organisationId: practiceId, icbCode: null }], { personId: person.id });
      extra = { personId: person.id, practiceId, fullName: person.fullName, user };
    }
    const submitted = expectStatus(
      await t.http
        .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
        .set('Authorization', pcn.clinicalDirector.bearer)
        .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 }),
      201,
    );
    const requests = submitted.requests as SubmittedRequest[];
    const [{ roundId }] = await t.dataSource.query(`SELECT round_id AS "roundId" FROM signature_request WHERE id = $1`, [requests[0].id]);
    return { pcn, requests, roundId, extra, requestOf: (signer) => requests.find((r) => r.personId === signer.personId)! };
  }

  /** Holds the round's row lock in another session until `release` (rolled back: the holder changes nothing). */
  async function holdRoundLock(roundId: string): Promise<{ release: () => Promise<void> }> {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM approval_round WHERE id = $1 FOR UPDATE', [roundId]);
    return { release: async () => void (await holder.query('ROLLBACK')) };
  }

  /** Waits until `n` sessions of the app wait for a row lock (the held round). */
  async function untilWaiting(n: number): Promise<void> {
    for (let i = 0; i < 500; i++) {
      // Not through the holder: inside its transaction pg_stat_activity would be one frozen snapshot.
      const [{ waiting }] = await t.dataSource.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%approval_round%' AND pid <> pg_backend_pid()`);
      if (waiting === n) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${n} approvals never queued on the round lock`);
  }

  /** Sends the approval now (a supertest request goes out only once something awaits it). */
  const approve = (signer: SoleTraderSigner, request: SubmittedRequest) => approveRequest(t.http, signer, request, 'SOLE_TRADER').then((res) => res);

  async function signedEvents(requestId: string): Promise<number> {
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'SIGNED' AND payload->>'requestId' = $1`, [requestId]);
    return n;
  }

  it('an approval that leaves its step open is one transaction of five statements, and the only statements of the request', async () => {
    const { pcn, requestOf } = await submittedRound(3, false);
    const signer = pcn.signers[0];
    sent.length = 0;
    capturing = true;
    const res = await approve(signer, requestOf(signer));
    capturing = false;
    expect(expectStatus(res, 200).agreementStatus).toBe('AWAITING_SIGNATURES');

    const kinds = sent.map(({ text }) => {
      const sql = text.replace(/\s+/g, ' ').trim();
      if (/^(START TRANSACTION|COMMIT|ROLLBACK)$/.test(sql)) return sql;
      if (/FOR UPDATE/.test(sql) && /pg_advisory_xact_lock/.test(sql)) return 'lock round and audit chain, read requests';
      if (/^WITH approved AS \( UPDATE signature_request/.test(sql)) return 'approve, stand down, count open groups, read chain head';
      if (/^INSERT INTO audit_event/.test(sql)) return 'insert audit event';
      return sql.slice(0, 80);
    });
    expect(kinds).toEqual(['START TRANSACTION', 'lock round and audit chain, read requests', 'approve, stand down, count open groups, read chain head', 'insert audit event', 'COMMIT']);
    expect(new Set(sent.map((s) => s.pid)).size).toBe(1);
    expect(await signedEvents(requestOf(signer).id)).toBe(1);
    expect(await t.app.get(AuditService).verifyChain(pcn.agreementId)).toMatchObject({ ok: true });
  });

  it('two people of one practice approve at once: one approval is recorded, the other is told someone else approved', async () => {
    const { pcn, roundId, requestOf, extra } = await submittedRound(3, true);
    const first = pcn.signers[0];
    const lock = await holdRoundLock(roundId);
    const pending = [approve(first, requestOf(first)), approve(extra!, requestOf(extra!))];
    await untilWaiting(2);
    await lock.release();
    const [a, b] = await Promise.all(pending);

    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    // The table's own sentence for a request read as pending before the lock, found not needed after it.
    expect(expectError(refused, 409, 'ALREADY_ACTED_ON').message).toBe('This request is already not needed (someone else approved for the organisation), so it cannot be approved.');
    const rows: { status: string }[] = await t.dataSource.query(`SELECT status FROM signature_request WHERE id = ANY($1) ORDER BY status`, [[requestOf(first).id, requestOf(extra!).id]]);
    expect(rows.map((r) => r.status)).toEqual(['APPROVED', 'NOT_NEEDED']);
    expect((await signedEvents(requestOf(first).id)) + (await signedEvents(requestOf(extra!).id))).toBe(1);
    expect(await t.app.get(AuditService).verifyChain(pcn.agreementId)).toMatchObject({ ok: true });
  });

  it('the same approval posted twice at once is recorded once; the repeat is answered as already recorded', async () => {
    const { pcn, roundId, requestOf } = await submittedRound(3, false);
    const signer = pcn.signers[1];
    const lock = await holdRoundLock(roundId);
    const pending = [approve(signer, requestOf(signer)), approve(signer, requestOf(signer))];
    await untilWaiting(2);
    await lock.release();
    const [a, b] = await Promise.all(pending);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.alreadyRecorded, b.body.alreadyRecorded].sort()).toEqual([false, true]);
    expect(await signedEvents(requestOf(signer).id)).toBe(1);
  });

  it('the last two signers approve at once: the agreement executes exactly once', async () => {
    const { pcn, roundId, requestOf } = await submittedRound(3, false);
    expectStatus(await approve(pcn.signers[0], requestOf(pcn.signers[0])), 200);
    const lock = await holdRoundLock(roundId);
    const pending = pcn.signers.slice(1).map((s) => approve(s, requestOf(s)));
    await untilWaiting(2);
    await lock.release();
    const answers = await Promise.all(pending);

    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(answers.map((r) => r.body.agreementStatus).sort()).toEqual(['AWAITING_SIGNATURES', 'EXECUTED']);
    const [{ executions }] = await t.dataSource.query(`SELECT count(*)::int AS executions FROM agreement_execution WHERE agreement_id = $1`, [pcn.agreementId]);
    expect(executions).toBe(1);
    const [{ executed }] = await t.dataSource.query(`SELECT count(*)::int AS executed FROM audit_event WHERE agreement_id = $1 AND type = 'EXECUTED'`, [pcn.agreementId]);
    expect(executed).toBe(1);
    expect(await t.app.get(AuditService).verifyChain(pcn.agreementId)).toMatchObject({ ok: true });
  });
});
