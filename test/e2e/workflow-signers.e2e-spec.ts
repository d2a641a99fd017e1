import type { INestApplicationContext } from '@nestjs/common';
import { UserRole } from '@pcn/auth';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createSoleTraderPcn, SoleTraderPcn } from '../support/sole-trader-pcn';
import { createPerson, createUserWithGrants, TestUser } from '../support/factories';
import { expectError, expectStatus } from '../support/http-expect';
import { approveEverything, approveRequest, EMAIL, loadBytes, SubmittedRequest, tokenFor, waitForQuiet } from '../support/workflow-scenario';

/**
 * Who must sign, worked out from the directory when a round starts: a practice nobody can
 * sign for stops the submission (naming the practice); a company signs once, by any one of
 * its directors; and a round without the clinical director's countersignature executes when
 * the parties have signed.
 */
describe('signer resolution through the API', () => {
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

  const submit = (pcn: SoleTraderPcn, body: Record<string, unknown> = {}) =>
    t.http
      .post(`/api/v1/agreements/${pcn.agreementId}/submit`)
      .set('Authorization', pcn.clinicalDirector.bearer)
      .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0, ...body });

  /** The practice a sole-trader signer signs for, and its name. */
  async function practiceOf(personId: string): Promise<{ id: string; name: string }> {
    const [row] = await t.dataSource.query(`SELECT o.id, o.name FROM person_role r JOIN organisation o ON o.id = r.organisation_id WHERE r.person_id = $1`, [personId]);
    return row;
  }

  /** The practice changed its legal form (as the directory would record it): its sole practitioner no longer signs for it. */
  const setLegalForm = (practiceId: string, legalForm: 'PARTNERSHIP' | 'COMPANY') => t.dataSource.query(`UPDATE organisation SET legal_form = $2 WHERE id = $1`, [practiceId, legalForm]);

  async function addDirector(practiceId: string, fullName: string): Promise<{ personId: string; fullName: string; user: TestUser }> {
    const person = await createPerson(t, fullName);
    await t.app.get(DirectoryService).addPersonRole(person.id, { organisationId: practiceId, role: PersonRoleType.Director, validFrom: '2020-04-01' });
    const user = await createUserWithGrants(t, [{ role: UserRole.PracticeSignatory, organisationId: practiceId, icbCode: null }], { personId: person.id });
    return { personId: person.id, fullName, user };
  }

  const approveAs = (signer: { fullName: string; user: TestUser }, request: SubmittedRequest, capacity: string) => approveRequest(t.http, signer, request, capacity);

  it('refuses to submit with 422 NO_ELIGIBLE_SIGNER naming each practice nobody can sign for, and starts nothing', async () => {
    const pcn = await createSoleTraderPcn(t, 3);
    const partnership = await practiceOf(pcn.signers[1].personId);
    const company = await practiceOf(pcn.signers[2].personId);
    await setLegalForm(partnership.id, 'PARTNERSHIP');
    await setLegalForm(company.id, 'COMPANY');

    const q = async (sql: string) => (await t.dataSource.query(sql, [pcn.agreementId]))[0];
    const eventsBefore = await q(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1`);
    const outboxRows = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox`))[0];
    const outboxBefore = await outboxRows();

    const error = expectError(await submit(pcn), 422, 'NO_ELIGIBLE_SIGNER');
    expect(error.message).toMatch(/nobody recorded who can approve or sign/);
    expect(error.fieldErrors).toEqual({
      'schedules.keyDetails.corePractices[1]': [`${partnership.name} is a partnership with no partners recorded in the directory.`],
      'schedules.keyDetails.corePractices[2]': [`${company.name} has no director recorded in the directory.`],
    });

    // Nothing was started: no round, no request, no job, no event; the draft is still a draft.
    expect(await q(`SELECT status FROM network_agreement WHERE id = $1`)).toEqual({ status: 'DRAFT' });
    expect(await q(`SELECT count(*)::int AS n FROM approval_round WHERE agreement_id = $1`)).toEqual({ n: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1`)).toEqual(eventsBefore);
    expect(await outboxRows()).toEqual(outboxBefore);

    // Once a partner is recorded the same draft goes out, to that partner.
    const partner = await createPerson(t, 'Dr New Partner');
    await t.app.get(DirectoryService).addPersonRole(partner.id, { organisationId: partnership.id, role: PersonRoleType.Partner, validFrom: '2020-04-01' });
    await addDirector(company.id, 'Dr Company Director');
    const submitted = expectStatus(await submit(pcn), 201);
    expect((submitted.requests as SubmittedRequest[]).filter((r) => r.organisationId === partnership.id).map((r) => [r.personId, r.capacity])).toEqual([[partner.id, 'PARTNER']]);
  });

  it('a company signs once: when one director signs, the other directors’ requests are not needed and they cannot approve (409)', async () => {
    const pcn = await createSoleTraderPcn(t, 3);
    const company = await practiceOf(pcn.signers[0].personId);
    await setLegalForm(company.id, 'COMPANY');
    const first = await addDirector(company.id, 'Dr First Director');
    const second = await addDirector(company.id, 'Dr Second Director');

    const submitted = expectStatus(await submit(pcn), 201);
    const requests = submitted.requests as SubmittedRequest[];
    const ofCompany = requests.filter((r) => r.organisationId === company.id);
    expect(ofCompany.map((r) => [r.personId, r.capacity]).sort()).toEqual([[first.personId, 'DIRECTOR'], [second.personId, 'DIRECTOR']].sort());
    // The company's sole practitioner signs nothing: a company signs through its directors.
    expect(requests.filter((r) => r.personId === pcn.signers[0].personId)).toEqual([]);
    const requestOf = (personId: string) => requests.find((r) => r.personId === personId)!;

    expect(expectStatus(await approveAs(first, requestOf(first.personId), 'DIRECTOR'), 200).agreementStatus).toBe('AWAITING_SIGNATURES');
    const statusOf = async (requestId: string) => (await t.dataSource.query(`SELECT status FROM signature_request WHERE id = $1`, [requestId]))[0].status;
    expect(await statusOf(requestOf(second.personId).id)).toBe('NOT_NEEDED');
    const tasks = expectStatus(await t.http.get('/api/v1/me/tasks').set('Authorization', second.user.bearer), 200) as { requestId: string }[];
    expect(tasks.map((task) => task.requestId)).not.toContain(requestOf(second.personId).id);

    const refused = expectError(await approveAs(second, requestOf(second.personId), 'DIRECTOR'), 409, 'ALREADY_ACTED_ON');
    expect(refused.message).toMatch(/not needed/);
    expectError(await t.http.post(`/api/v1/requests/${requestOf(second.personId).id}/decline`).set('Authorization', second.user.bearer).send({ reason: 'We do not agree to this' }), 409, 'ALREADY_ACTED_ON');
    expect(await statusOf(requestOf(second.personId).id)).toBe('NOT_NEEDED');

    // The other practices sign; the agreement executes with the company's one signature.
    for (const signer of pcn.signers.slice(1)) expectStatus(await approveAs(signer, requestOf(signer.personId), 'SOLE_TRADER'), 200);
    expect(await t.dataSource.query(`SELECT status FROM network_agreement WHERE id = $1`, [pcn.agreementId])).toEqual([{ status: 'EXECUTED' }]);
    const signed = await t.dataSource.query(`SELECT payload->>'requestId' AS "requestId" FROM audit_event WHERE agreement_id = $1 AND type = 'SIGNED' ORDER BY seq`, [pcn.agreementId]);
    expect(signed.map((e: { requestId: string }) => e.requestId).sort()).toEqual([requestOf(first.personId).id, requestOf(pcn.signers[1].personId).id, requestOf(pcn.signers[2].personId).id].sort());
  });

  it('without the clinical director’s countersignature, executes when the parties have signed: no countersignature request, step named right in every email', async () => {
    const demo = await loadBytes(t);
    smtp.clear();
    const submitted = expectStatus(
      await t.http
        .post(`/api/v1/agreements/${demo.agreementId}/submit`)
        .set('Authorization', `Bearer ${await tokenFor(t.http, EMAIL.cd)}`)
        .send({ revisionNumber: 1, clinicalDirectorCountersigns: false, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 }),
      201,
    );
    const requests = submitted.requests as SubmittedRequest[];
    expect(submitted.round.lastStep).toBe(2);
    expect([...new Set(requests.map((r) => r.step))].sort()).toEqual([1, 2]);
    expect(requests.filter((r) => r.capacity === 'CLINICAL_DIRECTOR')).toEqual([]);

    await approveEverything(t.http);
    const q = async (sql: string) => t.dataSource.query(sql, [demo.agreementId]);
    expect(await q(`SELECT status FROM network_agreement WHERE id = $1`)).toEqual([{ status: 'EXECUTED' }]);
    expect(await q(`SELECT status, current_step AS "currentStep" FROM approval_round WHERE agreement_id = $1`)).toEqual([{ status: 'COMPLETED', currentStep: 2 }]);
    expect(await q(`SELECT count(*)::int AS n FROM signature_request s JOIN approval_round r ON r.id = s.round_id WHERE r.agreement_id = $1 AND (s.step > 2 OR s.capacity = 'CLINICAL_DIRECTOR')`)).toEqual([{ n: 0 }]);
    expect(await q(`SELECT count(*)::int AS n FROM agreement_execution WHERE agreement_id = $1`)).toEqual([{ n: 1 }]);
    await eventually('documents generated', async () => (await q(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`))[0]?.document_status === 'GENERATED', 60_000);

    await waitForQuiet(t, { probe: () => smtp.messages.length });
    expect(await q(`SELECT kind, count(*)::int AS n FROM sealed_document WHERE agreement_id = $1 GROUP BY kind ORDER BY kind`)).toEqual([
      { kind: 'AGREEMENT', n: 1 },
      { kind: 'ANNEX', n: 1 },
    ]);
    // One email per person per step, each naming its step rightly; none calls anything a countersignature.
    const people = (step: number) => new Set(requests.filter((r) => r.step === step).map((r) => r.personId)).size;
    const subjects = smtp.messages.map((m) => `${m.to[0]} ${m.subject}`);
    expect(new Set(subjects).size).toBe(subjects.length);
    const kinds = smtp.messages.map((m) => m.subject.replace(/: BYTES PCN Network Agreement 2026\/27 \(NA-U70101-2026-0001\) – BYTES PCN/, ''));
    expect(kinds.filter((k) => k === 'Information governance review needed, step 1: Information governance review')).toHaveLength(people(1));
    expect(kinds.filter((k) => k === 'Please sign, step 2: Member practice and partner signatures')).toHaveLength(people(2));
    expect(kinds.filter((k) => k === 'Signed by everyone')).toHaveLength(new Set(requests.map((r) => r.personId)).size);
    expect(kinds).toHaveLength(people(1) + people(2) + new Set(requests.map((r) => r.personId)).size);
    expect(smtp.messages.filter((m) => /countersign/i.test(`${m.subject} ${m.text}`))).toEqual([]);
  });
});
