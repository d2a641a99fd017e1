import type { INestApplicationContext } from '@nestjs/common';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { approveAllTasks, approveEverything, EMAIL, FULL_NAME, loadBytes, Task, tokenFor } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

/**
 * The approval workflow end to end through HTTP, with the real worker (BullMQ, outbox
 * relay, sweeper) and a real SMTP server in this process.
 */
describe('approval workflow (API + worker + SMTP)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    demo = await loadBytes(t);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  /** A fresh draft of the demo agreement for the same PCN, so each test has its own round. */
  async function freshDraft(): Promise<string> {
    const source = await t.http.get(`/api/v1/agreements/${demo.agreementId}/revisions/1`).set(await auth(EMAIL.cd));
    const res = await t.http.post(`/api/v1/pcns/${demo.pcnId}/agreements`).set(await auth(EMAIL.cd)).send({ content: stripAnnexIds(source.body.content) });
    expect(res.status).toBe(201);
    return res.body.agreement.id;
  }

  /** A "day" is 400 ms here, so rounds get an explicit hour and no reminders unless a test asks. */
  async function submit(agreementId: string, body: Record<string, unknown> = {}) {
    const defaults = { revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 };
    const res = await t.http.post(`/api/v1/agreements/${agreementId}/submit`).set(await auth(EMAIL.cd)).send({ ...defaults, ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function status(agreementId: string): Promise<string> {
    const res = await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd));
    return res.body.agreement.status;
  }

  async function tasksOf(email: string, agreementId: string): Promise<Task[]> {
    const res = await t.http.get('/api/v1/me/tasks').set(await auth(email));
    return (res.body as (Task & { agreementId: string })[]).filter((task) => task.agreementId === agreementId);
  }

  it('runs IG review, parallel practice signatures and the CD countersignature to execution, emailing each step', async () => {
    smtp.clear();
    const submitted = await submit(demo.agreementId, { message: 'Please review before the members meeting.' });
    expect(submitted.agreementStatus).toBe('IN_IG_REVIEW');
    const byStep = (step: number) => submitted.requests.filter((r: { step: number }) => r.step === step);
    // IG: 4 practice DPO approvals (one shared DPO), the trust's DPO, 5 Caldicott Guardians.
    expect(byStep(1)).toHaveLength(10);
    // Parties: Yarm's two partners, Eaglescliffe's authorised partner, TBMG's director, Park Lane's sole trader (agreement)
    // plus the same five and the trust's signatory for the annex.
    expect(byStep(2)).toHaveLength(11);
    expect(byStep(3)).toEqual([expect.objectContaining({ personName: 'Dr Amira Okafor', capacity: 'CLINICAL_DIRECTOR' })]);

    const igMails = await smtp.waitForCount(10);
    expect(igMails.filter((m) => m.to.includes(EMAIL.dpo))).toHaveLength(4);
    const toTrustDpo = igMails.find((m) => m.to.includes(EMAIL.trustDpo))!;
    expect(toTrustDpo.subject).toContain('Information governance review needed');
    expect(toTrustDpo.subject).toContain('NA-U70101-2026-0001');
    expect(toTrustDpo.text).toContain('BYTES PCN');
    expect(toTrustDpo.text).toContain('Please review before the members meeting.');
    expect(toTrustDpo.text).toMatch(/http:\/\/localhost:3000\/requests\/[0-9a-f-]{36}/);

    // The server enforces the step: a signature request of step 2 cannot be approved during IG review.
    const whitfieldStep2 = byStep(2).find((r: { personName: string }) => r.personName === 'Dr Thomas Whitfield');
    const early = await t.http
      .post(`/api/v1/requests/${whitfieldStep2.id}/approve`)
      .set(await auth(EMAIL.whitfield))
      .send({ typedName: 'Dr Thomas Whitfield', capacity: 'PARTNER', confirmAuthority: true, hash: whitfieldStep2.boundHash });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('NOT_CURRENT_STEP');

    // Someone else's request is "not found".
    const notMine = await t.http.post(`/api/v1/requests/${whitfieldStep2.id}/approve`).set(await auth(EMAIL.raman)).send({ typedName: 'Dr Priya Raman', capacity: 'PARTNER', confirmAuthority: true, hash: whitfieldStep2.boundHash });
    expect(notMine.status).toBe(404);

    // A stale hash is refused, and so are a wrong name and a missing confirmation.
    const [cgTask] = await tasksOf(EMAIL.whitfield, demo.agreementId);
    const stale = await t.http.post(`/api/v1/requests/${cgTask.requestId}/approve`).set(await auth(EMAIL.whitfield)).send({ typedName: 'Dr Thomas Whitfield', capacity: 'CALDICOTT_GUARDIAN', confirmAuthority: true, hash: 'a'.repeat(64) });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('HASH_MISMATCH');
    const sloppy = await t.http.post(`/api/v1/requests/${cgTask.requestId}/approve`).set(await auth(EMAIL.whitfield)).send({ typedName: 'T W', capacity: 'PARTNER', confirmAuthority: false, hash: cgTask.hashToConfirm });
    expect(sloppy.status).toBe(422);
    expect(Object.keys(sloppy.body.fieldErrors).sort()).toEqual(['capacity', 'confirmAuthority', 'typedName']);

    // The community trust sees only its annex, never the PCN's schedules.
    const trustRequest = byStep(2).find((r: { personName: string }) => r.personName === 'Grace Holloway');
    const view = await t.http.get(`/api/v1/requests/${trustRequest.id}`).set(await auth(EMAIL.trustSignatory));
    expect(view.status).toBe(200);
    expect(view.body.document.kind).toBe('annex');
    expect(JSON.stringify(view.body)).not.toMatch(/finances|workforce|arrsPosts|distributionBasis/);
    expect(view.body.hashToConfirm).toBe(trustRequest.boundHash);
    expect((await t.http.get(`/api/v1/agreements/${demo.agreementId}`).set(await auth(EMAIL.trustSignatory))).status).toBe(404);

    // Information-governance review.
    for (const email of [EMAIL.dpo, EMAIL.trustDpo, EMAIL.trustCaldicott, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist]) {
      await approveAllTasks(t.http, email, FULL_NAME[email]);
    }
    expect(await status(demo.agreementId)).toBe('AWAITING_SIGNATURES');
    await smtp.waitFor((m) => m.to.includes(EMAIL.trustSignatory) && m.subject.startsWith('Please sign:'));

    // Every party, then the clinical director.
    await approveEverything(t.http);
    expect(await status(demo.agreementId)).toBe('EXECUTED');
    const executedMail = await smtp.waitFor((m) => m.to.includes(EMAIL.trustSignatory) && m.subject.startsWith('Signed by everyone:'));
    expect(executedMail.subject).toContain('NA-U70101-2026-0001');

    // The document job ran once for the execution.
    const executions = await eventually('document generated', async () => {
      const rows = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [demo.agreementId]);
      return rows[0]?.document_status === 'GENERATED' ? rows : null;
    });
    expect(executions).toHaveLength(1);

    // Posting the last approval again records nothing new.
    const [last] = await t.dataSource.query(`SELECT id, bound_hash FROM signature_request WHERE agreement_id = $1 AND capacity = 'CLINICAL_DIRECTOR'`, [demo.agreementId]);
    const again = await t.http.post(`/api/v1/requests/${last.id}/approve`).set(await auth(EMAIL.cd)).send({ typedName: 'Dr Amira Okafor', capacity: 'CLINICAL_DIRECTOR', confirmAuthority: true, hash: last.bound_hash });
    expect(again.status).toBe(200);
    expect(again.body.alreadyRecorded).toBe(true);
    const [{ signed }] = await t.dataSource.query(`SELECT count(*)::int AS signed FROM audit_event WHERE agreement_id = $1 AND type = 'SIGNED' AND payload->>'requestId' = $2`, [demo.agreementId, last.id]);
    expect(signed).toBe(1);

    // Auditors read the trail, and the hash chain holds.
    const trail = await t.http.get(`/api/v1/agreements/${demo.agreementId}/audit`).set(await auth(EMAIL.auditor));
    expect(trail.status).toBe(200);
    const types = new Set(trail.body.map((e: { type: string }) => e.type));
    for (const type of ['AGREEMENT_CREATED', 'SUBMITTED', 'REQUEST_SENT', 'VIEWED', 'APPROVED', 'SIGNED', 'EXECUTED', 'EMAIL_SENT', 'DOCUMENT_GENERATED']) expect(types).toContain(type);
    const csv = await t.http.get(`/api/v1/agreements/${demo.agreementId}/audit.csv`).set(await auth(EMAIL.auditor));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.trim().split('\n').length).toBeGreaterThan(trail.body.length);
    const verified = await t.http.get(`/api/v1/audit/verify`).query({ agreementId: demo.agreementId }).set(await auth(EMAIL.auditor));
    expect(verified.body.ok).toBe(true);

    // A superuser alters one event behind the database's back: verification names it.
    const [victim] = await t.dataSource.query(`SELECT id, seq FROM audit_event WHERE agreement_id = $1 AND type = 'SIGNED' ORDER BY seq LIMIT 1`, [demo.agreementId]);
    await t.dataSource.query(`ALTER TABLE audit_event DISABLE TRIGGER USER`);
    await t.dataSource.query(`UPDATE audit_event SET payload = jsonb_set(payload, '{typedName}', '"Someone Else"') WHERE id = $1`, [victim.id]);
    await t.dataSource.query(`ALTER TABLE audit_event ENABLE TRIGGER USER`);
    const broken = await t.http.get(`/api/v1/audit/verify`).query({ agreementId: demo.agreementId }).set(await auth(EMAIL.auditor));
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstBroken).toEqual(expect.objectContaining({ seq: victim.seq, reason: 'hash mismatch' }));
  });

  it('a decline stops the round, returns the agreement to draft with the reason and tells everyone', async () => {
    const agreementId = await freshDraft();
    await submit(agreementId);
    smtp.clear();
    const [task] = await tasksOf(EMAIL.trustDpo, agreementId);
    const res = await t.http.post(`/api/v1/requests/${task.requestId}/decline`).set(await auth(EMAIL.trustDpo)).send({ reason: 'The retention period is not set out clearly enough.' });
    expect(res.status).toBe(200);
    const agreement = await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd));
    expect(agreement.body.agreement.status).toBe('DRAFT');
    expect(agreement.body.agreement.statusReason).toContain('The retention period is not set out clearly enough.');
    expect(agreement.body.agreement.statusReason).toContain('Daniel Osei');
    const declined = await smtp.waitFor((m) => m.to.includes(EMAIL.cd) && m.subject.startsWith('Declined:'));
    expect(declined.text).toContain('The retention period is not set out clearly enough.');
    expect(await tasksOf(EMAIL.dpo, agreementId)).toHaveLength(0);
  });

  it('a new revision starts a new round: approvals of the old round never count', async () => {
    const agreementId = await freshDraft();
    const first = await submit(agreementId);
    await approveAllTasks(t.http, EMAIL.trustDpo, FULL_NAME[EMAIL.trustDpo]);
    const withdrawn = await t.http.post(`/api/v1/agreements/${agreementId}/withdraw`).set(await auth(EMAIL.cd)).send({ reason: 'Adding the pharmacy to the annex' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.agreementStatus).toBe('DRAFT');

    const current = await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd));
    const content = { ...current.body.revision.content, title: `${current.body.revision.content.title} (revised)` };
    const saved = await t.http.put(`/api/v1/agreements/${agreementId}/draft`).set(await auth(EMAIL.cd)).send({ baseRevision: 1, content });
    expect(saved.status).toBe(200);
    const second = await t.http.post(`/api/v1/agreements/${agreementId}/submit`).set(await auth(EMAIL.cd)).send({ revisionNumber: 2, dueAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(second.status).toBe(201);
    expect(second.body.round.contentHash).not.toBe(first.round.contentHash);
    expect(second.body.requests.every((r: { status: string }) => r.status === 'PENDING')).toBe(true);
    expect(await tasksOf(EMAIL.trustDpo, agreementId)).toHaveLength(1);

    // The old approval's request is closed, and the old hash cannot be approved in the new round.
    const old = first.requests.find((r: { personName: string; step: number }) => r.personName === 'Grace Holloway');
    const oldApproval = await t.http.post(`/api/v1/requests/${old.id}/approve`).set(await auth(EMAIL.trustSignatory)).send({ typedName: 'Grace Holloway', capacity: 'AUTHORISED_SIGNATORY', confirmAuthority: true, hash: old.boundHash });
    expect(oldApproval.status).toBe(409);
    const [task] = await tasksOf(EMAIL.trustDpo, agreementId);
    const oldHash = await t.http.post(`/api/v1/requests/${task.requestId}/approve`).set(await auth(EMAIL.trustDpo)).send({ typedName: 'Daniel Osei', capacity: task.capacity, confirmAuthority: true, hash: first.round.contentHash });
    expect(oldHash.status).toBe(409);
    await t.http.post(`/api/v1/agreements/${agreementId}/withdraw`).set(await auth(EMAIL.cd)).send({ reason: 'Test finished' });
  });

  it('a signer delegates to another partner of the same practice, who can then act', async () => {
    const agreementId = await freshDraft();
    await submit(agreementId);
    for (const email of [EMAIL.dpo, EMAIL.trustDpo, EMAIL.trustCaldicott, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist]) {
      await approveAllTasks(t.http, email, FULL_NAME[email]);
    }
    const mine = await tasksOf(EMAIL.whitfield, agreementId);
    const agreementTask = mine.find((task) => (task as Task & { scope: string }).scope === 'AGREEMENT')!;
    const cdPersonId = demo.people.get(EMAIL.cd)!;
    const trustPersonId = demo.people.get(EMAIL.trustSignatory)!;

    const refused = await t.http.post(`/api/v1/requests/${agreementTask.requestId}/delegate`).set(await auth(EMAIL.whitfield)).send({ toPersonId: trustPersonId });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('DELEGATE_NOT_ELIGIBLE');

    smtp.clear();
    const delegated = await t.http.post(`/api/v1/requests/${agreementTask.requestId}/delegate`).set(await auth(EMAIL.whitfield)).send({ toPersonId: cdPersonId, note: 'On leave this week' });
    expect(delegated.status).toBe(201);
    expect(delegated.body.delegatedFromId).toBe(agreementTask.requestId);
    await smtp.waitFor((m) => m.to.includes(EMAIL.cd) && m.subject.startsWith('You have been asked to act on:'));
    const cdTasks = await tasksOf(EMAIL.cd, agreementId);
    expect(cdTasks.map((task) => task.requestId)).toContain(delegated.body.id);
    const afterDelegating = await t.http.post(`/api/v1/requests/${agreementTask.requestId}/approve`).set(await auth(EMAIL.whitfield)).send({ typedName: 'Dr Thomas Whitfield', capacity: 'PARTNER', confirmAuthority: true, hash: agreementTask.hashToConfirm });
    expect(afterDelegating.status).toBe(409);
    const approved = await t.http.post(`/api/v1/requests/${delegated.body.id}/approve`).set(await auth(EMAIL.cd)).send({ typedName: 'Dr Amira Okafor', capacity: 'PARTNER', confirmAuthority: true, hash: delegated.body.boundHash });
    expect(approved.status).toBe(200);
    const trail = await t.http.get(`/api/v1/agreements/${agreementId}/audit`).set(await auth(EMAIL.cd));
    expect(trail.body.find((e: { type: string }) => e.type === 'DELEGATED')?.payload).toEqual(expect.objectContaining({ toName: 'Dr Amira Okafor', note: 'On leave this week' }));
    await t.http.post(`/api/v1/agreements/${agreementId}/withdraw`).set(await auth(EMAIL.cd)).send({ reason: 'Test finished' });
  });

  it('reminds only the current step’s signers who have not acted, then expires; the CD can extend', async () => {
    const agreementId = await freshDraft();
    smtp.clear();
    // A "day" is 400 ms here: first reminder after 4 s (time to act first), then every 0.4 s, at most 2.
    await submit(agreementId, { firstReminderAfterDays: 10, reminderEveryDays: 1, maxReminders: 2 });
    await approveAllTasks(t.http, EMAIL.trustDpo, FULL_NAME[EMAIL.trustDpo]);
    const { reference } = (await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd))).body.agreement;
    const reminders = () => smtp.messages.filter((m) => m.subject.startsWith('Reminder:') && m.subject.includes(reference));
    // Fiona has 4 pending DPO requests: 2 reminders each.
    await eventually('both reminders', async () => reminders().filter((m) => m.to.includes(EMAIL.dpo)).length >= 8, 40_000, 200);
    await eventually('reminders settle', async () => reminders().filter((m) => m.to.includes(EMAIL.trustCaldicott)).length >= 2, 10_000, 200);
    const recipients = reminders().map((m) => m.to[0]);
    expect(recipients.filter((r) => r === EMAIL.dpo)).toHaveLength(8);
    expect(recipients.filter((r) => r === EMAIL.trustCaldicott)).toHaveLength(2);
    expect(recipients).not.toContain(EMAIL.trustDpo); // already acted
    expect(recipients).not.toContain(EMAIL.trustSignatory); // step 2 is not current

    // Bring the deadline forward: the round expires with approvals outstanding.
    const soon = await t.http.post(`/api/v1/agreements/${agreementId}/extend`).set(await auth(EMAIL.cd)).send({ dueAt: new Date(Date.now() + 1500).toISOString() });
    expect(soon.status).toBe(200);
    await eventually('expiry', async () => (await status(agreementId)) === 'EXPIRED', 30_000, 200);
    await smtp.waitFor((m) => m.to.includes(EMAIL.cd) && m.subject.startsWith('Deadline passed:') && m.subject.includes(reference), 10_000);
    const lateApproval = await tasksOf(EMAIL.dpo, agreementId);
    expect(lateApproval).toHaveLength(0);

    const refused = await t.http.post(`/api/v1/agreements/${agreementId}/extend`).set(await auth(EMAIL.cd)).send({ dueAt: new Date(Date.now() - 1000).toISOString() });
    expect(refused.status).toBe(422);
    const extended = await t.http.post(`/api/v1/agreements/${agreementId}/extend`).set(await auth(EMAIL.cd)).send({ dueAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(extended.status).toBe(200);
    expect(extended.body.agreementStatus).toBe('IN_IG_REVIEW');
    expect(await tasksOf(EMAIL.dpo, agreementId)).toHaveLength(4);
    await t.http.post(`/api/v1/agreements/${agreementId}/withdraw`).set(await auth(EMAIL.cd)).send({ reason: 'Test finished' });
  });

  it('varies an executed agreement: the variation runs its own round and supersedes the original, history kept', async () => {
    // The first test executed the demo agreement.
    expect(await status(demo.agreementId)).toBe('EXECUTED');
    const draftOnly = await t.http.post(`/api/v1/agreements/${await freshDraft()}/variations`).set(await auth(EMAIL.cd));
    expect(draftOnly.status).toBe(409);
    expect(draftOnly.body.code).toBe('NOT_EXECUTED');

    const varied = await t.http.post(`/api/v1/agreements/${demo.agreementId}/variations`).set(await auth(EMAIL.cd));
    expect(varied.status).toBe(201);
    expect(varied.body.agreement).toEqual(expect.objectContaining({ reference: 'NA-U70101-2026-0001-V2', versionNumber: 2, variationOfId: demo.agreementId, status: 'DRAFT' }));
    const again = await t.http.post(`/api/v1/agreements/${demo.agreementId}/variations`).set(await auth(EMAIL.cd));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('VARIATION_IN_PROGRESS');

    // A new clinical director arrangement: change the sessions and send the variation round.
    const variationId = varied.body.agreement.id;
    const current = await t.http.get(`/api/v1/agreements/${variationId}`).set(await auth(EMAIL.cd));
    const content = current.body.revision.content;
    content.schedules.keyDetails.clinicalDirector.sessionsPerWeek = 3;
    expect((await t.http.put(`/api/v1/agreements/${variationId}/draft`).set(await auth(EMAIL.cd)).send({ baseRevision: 1, content })).status).toBe(200);
    const diff = await t.http.get(`/api/v1/agreements/${variationId}/revisions/1/diff/2`).set(await auth(EMAIL.cd));
    expect(diff.body.changes.map((c: { path: string }) => c.path)).toEqual(['schedules.keyDetails.clinicalDirector.sessionsPerWeek']);
    await submit(variationId, { revisionNumber: 2 });
    await approveEverything(t.http);
    expect(await status(variationId)).toBe('EXECUTED');

    const original = await t.http.get(`/api/v1/agreements/${demo.agreementId}`).set(await auth(EMAIL.cd));
    expect(original.body.agreement.status).toBe('SUPERSEDED');
    expect(original.body.agreement.statusReason).toContain('NA-U70101-2026-0001-V2');
    // History is kept: the original's revisions, rounds and trail are all still there.
    expect((await t.http.get(`/api/v1/agreements/${demo.agreementId}/rounds`).set(await auth(EMAIL.cd))).body[0].status).toBe('COMPLETED');
    const trail = await t.http.get(`/api/v1/agreements/${demo.agreementId}/audit`).set(await auth(EMAIL.auditor));
    expect(trail.body.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['EXECUTED', 'SUPERSEDED']));
    // A superseded agreement cannot be terminated; the executed variation can.
    expect((await t.http.post(`/api/v1/agreements/${demo.agreementId}/terminate`).set(await auth(EMAIL.cd)).send({ reason: 'PCN dissolved' })).status).toBe(409);
    const terminated = await t.http.post(`/api/v1/agreements/${variationId}/terminate`).set(await auth(EMAIL.cd)).send({ reason: 'The PCN dissolved on 31 March' });
    expect(terminated.status).toBe(200);
    expect(terminated.body.agreementStatus).toBe('TERMINATED');
  });
});

function stripAnnexIds(content: { annexes: { id?: string }[] }) {
  return { ...content, annexes: content.annexes.map(({ id: _id, ...annex }) => annex) };
}
