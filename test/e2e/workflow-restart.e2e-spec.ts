import type { INestApplicationContext } from '@nestjs/common';
import { UserRole } from '@pcn/auth';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createSoleTraderPcn, SoleTraderPcn } from '../support/sole-trader-pcn';
import { createPerson, createUserWithGrants } from '../support/factories';
import { expectError, expectStatus } from '../support/http-expect';
import { approveRequest, SubmittedRequest, waitForQuiet } from '../support/workflow-scenario';

/**
 * A round that expired can be restarted: the old round ends (its open requests void, its
 * approvals kept as history), and a new round starts for the same revision with the signers
 * the directory names now and the old round's settings.
 */
describe('restarting an expired round', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  const cd = (pcn: SoleTraderPcn) => ({ Authorization: pcn.clinicalDirector.bearer });
  const restart = (pcn: SoleTraderPcn, body: Record<string, unknown> = {}) => t.http.post(`/api/v1/agreements/${pcn.agreementId}/restart`).set(cd(pcn)).send(body);
  const statusOf = async (pcn: SoleTraderPcn) => expectStatus(await t.http.get(`/api/v1/agreements/${pcn.agreementId}`).set(cd(pcn)), 200).agreement.status as string;

  const approve = (pcn: SoleTraderPcn, signerIndex: number, request: SubmittedRequest) => approveRequest(t.http, pcn.signers[signerIndex], request, 'SOLE_TRADER');

  /** Submitted (no countersignature, 2 reminders), one signer approved, then expired by the deadline job. */
  async function expiredRound(pcn: SoleTraderPcn): Promise<{ roundId: string; requests: SubmittedRequest[] }> {
    const submitted = expectStatus(
      await t.http
        .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
        .set(cd(pcn))
        .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), firstReminderAfterDays: 30, reminderEveryDays: 7, maxReminders: 2, message: 'Please sign by Friday.' }),
      201,
    );
    const requests = submitted.requests as SubmittedRequest[];
    expectStatus(await approve(pcn, 0, requests.find((r) => r.personId === pcn.signers[0].personId)!), 200);
    // Bring the due date forward through the API; the deadline job (the worker) expires the round.
    expectStatus(await t.http.post(`/api/v1/agreements/${pcn.agreementId}/extend`).set(cd(pcn)).send({ dueAt: new Date(Date.now() + 1500).toISOString() }), 200);
    await eventually('expiry', async () => (await statusOf(pcn)) === 'EXPIRED', 30_000, 200);
    return { roundId: submitted.round.id, requests };
  }

  it('refuses to restart a round that has not expired (409 ROUND_NOT_OPEN), or for a role that cannot manage rounds (403)', async () => {
    const pcn = await createSoleTraderPcn(t, 3);
    expectError(await restart(pcn), 409, 'ROUND_NOT_OPEN'); // a draft, no round at all
    expectStatus(
      await t.http
        .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
        .set(cd(pcn))
        .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 }),
      201,
    );
    const active = expectError(await restart(pcn), 409, 'ROUND_NOT_OPEN');
    // In words: this round cannot be restarted (only an expired one can).
    expect(active.message).toMatch(/restart/i);
    // A practice signatory's role cannot manage rounds at all (decided before the agreement is looked up).
    expectError(await t.http.post(`/api/v1/agreements/${pcn.agreementId}/restart`).set('Authorization', pcn.signers[0].user.bearer).send({}), 403, 'PERMISSION_DENIED');
    expect(await t.dataSource.query(`SELECT status FROM approval_round WHERE agreement_id = $1`, [pcn.agreementId])).toEqual([{ status: 'ACTIVE' }]);
  });

  it('after expiry starts a new round for the current signers, with the old round’s settings, and ends the old one', async () => {
    const pcn = await createSoleTraderPcn(t, 3);
    const old = await expiredRound(pcn);
    // While the round was expired the third practice recorded a second sole practitioner.
    const [{ organisationId: thirdPractice }] = await t.dataSource.query(`SELECT organisation_id AS "organisationId" FROM person_role WHERE person_id = $1`, [pcn.signers[2].personId]);
    const newcomer = await createPerson(t, 'Dr Newly Recorded');
    await t.app.get(DirectoryService).addPersonRole(newcomer.id, { organisationId: thirdPractice, role: PersonRoleType.SolePractitioner, validFrom: '2020-04-01' });
    const newcomerUser = await createUserWithGrants(t, [{ role: UserRole.PracticeSignatory, organisationId: thirdPractice, icbCode: null }], { personId: newcomer.id });
    smtp.clear();

    const dueAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const restarted = expectStatus(await restart(pcn, { dueAt }), 201);
    expect(restarted.agreementStatus).toBe('AWAITING_SIGNATURES');
    expect(restarted.round.id).not.toBe(old.roundId);
    const requests = restarted.requests as SubmittedRequest[];
    // The plan of now: every signer again (approvals of the expired round do not carry over), and the newcomer.
    expect(requests.map((r) => r.personId).sort()).toEqual([...pcn.signers.map((s) => s.personId), newcomer.id].sort());

    const rounds = await t.dataSource.query(
      `SELECT id, status, end_reason AS "endReason", due_at AS "dueAt", last_step AS "lastStep", max_reminders AS "maxReminders",
              first_reminder_after_days AS "firstReminderAfterDays", reminder_every_days AS "reminderEveryDays", message
         FROM approval_round WHERE agreement_id = $1 ORDER BY submitted_at`,
      [pcn.agreementId],
    );
    expect(rounds).toEqual([
      expect.objectContaining({ id: old.roundId, status: 'RESTARTED', endReason: 'Restarted after expiry' }),
      { id: restarted.round.id, status: 'ACTIVE', endReason: null, dueAt: new Date(dueAt), lastStep: 1, maxReminders: 2, firstReminderAfterDays: 30, reminderEveryDays: 7, message: 'Please sign by Friday.' },
    ]);
    const requestStates = async (roundId: string) =>
      (await t.dataSource.query(`SELECT person_id AS "personId", status FROM signature_request WHERE round_id = $1 ORDER BY person_id`, [roundId])) as { personId: string; status: string }[];
    expect(await requestStates(old.roundId)).toEqual(
      pcn.signers.map((s, i) => ({ personId: s.personId, status: i === 0 ? 'APPROVED' : 'VOID' })).sort((a, b) => a.personId.localeCompare(b.personId)),
    );
    expect((await requestStates(restarted.round.id)).map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING']);

    // A void request of the old round cannot be approved; the new round's can, to execution.
    const stale = old.requests.find((r) => r.personId === pcn.signers[1].personId)!;
    expectError(await approve(pcn, 1, stale), 409, 'ALREADY_ACTED_ON');
    for (const [index, signer] of pcn.signers.entries()) expectStatus(await approve(pcn, index, requests.find((r) => r.personId === signer.personId)!), 200);
    const newcomerRequest = requests.find((r) => r.personId === newcomer.id)!;
    // The newcomer shares the practice's one signature: the first sole practitioner's approval made theirs not needed.
    expectError(await approveRequest(t.http, { fullName: 'Dr Newly Recorded', user: newcomerUser }, newcomerRequest, 'SOLE_TRADER'), 409, 'ALREADY_ACTED_ON');
    expect(await statusOf(pcn)).toBe('EXECUTED');

    // Everyone the new round asked was emailed once about it: the three signers and the newcomer.
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    const asked = smtp.messages.filter((m) => m.subject.startsWith('Please sign:'));
    expect(asked).toHaveLength(4);
    expect(new Set(asked.map((m) => m.to[0])).size).toBe(4);
    const trail = (await t.dataSource.query(`SELECT type, round_id AS "roundId" FROM audit_event WHERE agreement_id = $1 AND type = 'EXECUTED'`, [pcn.agreementId])) as { type: string; roundId: string }[];
    expect(trail).toEqual([{ type: 'EXECUTED', roundId: restarted.round.id }]);
  });

  it('two restarts at once start exactly one new round', async () => {
    const pcn = await createSoleTraderPcn(t, 3);
    const old = await expiredRound(pcn);
    const [a, b] = await Promise.all([restart(pcn), restart(pcn)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expectError([a, b].find((r) => r.status === 409)!, 409, 'ROUND_NOT_OPEN');
    expect(await t.dataSource.query(`SELECT status FROM approval_round WHERE agreement_id = $1 ORDER BY submitted_at`, [pcn.agreementId])).toEqual([{ status: 'RESTARTED' }, { status: 'ACTIVE' }]);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM signature_request WHERE round_id <> $1 AND round_id IN (SELECT id FROM approval_round WHERE agreement_id = $2)`, [old.roundId, pcn.agreementId])).toEqual([{ n: 3 }]);
  });
});
