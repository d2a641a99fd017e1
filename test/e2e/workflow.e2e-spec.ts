import type { INestApplicationContext } from '@nestjs/common';
import { Clock, FakeClock } from '@pcn/common';
import { RoundDeadlineHandler, RoundReminderHandler } from '@pcn/workflow/jobs/round-schedule.handlers';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { ReceivedMail, startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { approveAllTasks, approveEverything, EMAIL, FULL_NAME, loadBytes, ROUND_PEOPLE, Task, tokenFor, waitForQuiet } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';
import { QueueProducers } from '../../libs/workflow/src/queue/outbox-relay.service';
import { QueueName } from '../../libs/workflow/src/queue/queue.contract';

const DAY = 86_400_000;

/**
 * The approval workflow end to end through HTTP, with the real worker (BullMQ, outbox
 * relay, sweeper) and a real SMTP server in this process. Business time (due dates, reminders,
 * expiry) comes from one FakeClock shared by the API and the worker; days are real days, so a
 * delayed reminder or deadline job never fires by itself during a test: the tests move the
 * clock and deliver those jobs to their handlers, as BullMQ would, deterministically.
 */
describe('approval workflow (API + worker + SMTP)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  const clock = new FakeClock();
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, WORKFLOW_DAY_MS: String(DAY), ...smtp.env() });
    worker = await startTestWorker();
    for (const context of [t.app, worker]) jest.spyOn(context.get(Clock), 'now').mockImplementation(() => clock.now());
    demo = await loadBytes(t);
  });

  beforeEach(() => clock.set(Date.now()));

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

  /** Rounds get an explicit hour and no reminders unless a test asks. */
  async function submit(agreementId: string, body: Record<string, unknown> = {}) {
    const defaults = { revisionNumber: 1, dueAt: new Date(clock.now().getTime() + 3_600_000).toISOString(), maxReminders: 0 };
    const res = await t.http.post(`/api/v1/agreements/${agreementId}/submit`).set(await auth(EMAIL.cd)).send({ ...defaults, ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function status(agreementId: string): Promise<string> {
    const res = await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd));
    return res.body.agreement.status;
  }

  /** Waits until every email job queued so far has finished (sent, or skipped as not needed). */
  async function emailsQuiet(): Promise<void> {
    await eventually('email jobs done', async () => {
      const [{ open }] = await t.dataSource.query(`SELECT count(*)::int AS open FROM outbox WHERE job_name = 'email.send' AND status NOT IN ('DONE', 'FAILED')`);
      return open === 0;
    });
  }

  /** Emails received about one agreement (its reference in brackets, so a variation's "-V2" is another agreement). */
  async function mailsAbout(agreementId: string): Promise<ReceivedMail[]> {
    const [{ reference }] = await t.dataSource.query(`SELECT reference FROM network_agreement WHERE id = $1`, [agreementId]);
    return smtp.messages.filter((m) => m.subject.includes(`(${reference})`));
  }

  const countByRecipient = (mails: ReceivedMail[]) => mails.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.to[0]]: (acc[m.to[0]] ?? 0) + 1 }), {});
  const ones = (emails: string[]) => Object.fromEntries(emails.map((e) => [e, 1]));
  const organisationsOf = (requests: { personName: string; organisationName: string; odsCode: string | null }[], personName: string) =>
    [...new Set(requests.filter((r) => r.personName === personName).map((r) => `${r.organisationName} (${r.odsCode})`))];

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

    // One email per person for the step, however many requests they have in it: 10 requests, 7 people.
    await emailsQuiet();
    const igMails = await mailsAbout(demo.agreementId);
    expect(countByRecipient(igMails)).toEqual(ones([EMAIL.dpo, EMAIL.trustDpo, EMAIL.trustCaldicott, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist]));
    const reviewUrl = `http://localhost:3000/review/${submitted.round.id}`;
    for (const mail of igMails) {
      expect(mail.subject).toBe('Information governance review needed: BYTES PCN Network Agreement 2026/27 (NA-U70101-2026-0001) – BYTES PCN, step 1: Information governance review');
      expect(mail.text).toContain(reviewUrl);
      expect(mail.html.split(`href="${reviewUrl}"`).length - 1).toBe(2);
      expect(mail.text).not.toMatch(/\/requests\/|fingerprint/i);
      expect(mail.text).not.toContain(submitted.round.contentHash.slice(0, 8));
      for (const r of submitted.requests as { boundHash: string }[]) expect(mail.text).not.toContain(r.boundHash.slice(0, 8));
    }
    // The shared DPO is asked about one annex for four practices: one email naming every organisation.
    const toSharedDpo = igMails.find((m) => m.to.includes(EMAIL.dpo))!;
    const dpoOrganisations = organisationsOf(byStep(1), 'Fiona Gallagher');
    expect(dpoOrganisations).toHaveLength(4);
    expect(toSharedDpo.text).toContain(`- Annex A: Direct care data sharing: anticipatory care and care homes, for 4 organisations as Data Protection Officer:\n`);
    for (const organisation of dpoOrganisations) expect(toSharedDpo.text).toContain(`    - ${organisation}\n`);
    const toTrustDpo = igMails.find((m) => m.to.includes(EMAIL.trustDpo))!;
    expect(toTrustDpo.text).toContain('BYTES PCN');
    expect(toTrustDpo.text).toContain('Please review before the members meeting.');
    expect(toTrustDpo.text).toMatch(/- Annex A: Direct care data sharing: anticipatory care and care homes, for .+ \(\w+\) as Data Protection Officer\n/);

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
    await emailsQuiet();
    const signMails = (await mailsAbout(demo.agreementId)).filter((m) => m.subject.startsWith('Please sign:'));
    const step2People = [...new Set(byStep(2).map((r: { personEmail: string }) => r.personEmail))] as string[];
    expect(countByRecipient(signMails)).toEqual(ones(step2People));
    expect(step2People).toEqual(expect.arrayContaining([EMAIL.whitfield, EMAIL.trustSignatory]));
    // A partner asked to sign the agreement and the annex gets one email listing both.
    const toWhitfield = signMails.find((m) => m.to.includes(EMAIL.whitfield))!;
    expect(toWhitfield.subject).toBe('Please sign: BYTES PCN Network Agreement 2026/27 (NA-U70101-2026-0001) – BYTES PCN, step 2: Member practice and partner signatures');
    const [yarm] = organisationsOf(byStep(2), 'Dr Thomas Whitfield');
    expect(toWhitfield.text).toContain(`- The network agreement, for ${yarm} as Partner\n- Annex A: Direct care data sharing: anticipatory care and care homes, for ${yarm} as Partner\n`);
    expect(toWhitfield.text).toContain(reviewUrl);
    // The community trust is party to the annex only: its email names the annex, not the agreement's parts.
    const toTrust = signMails.find((m) => m.to.includes(EMAIL.trustSignatory))!;
    expect(toTrust.text).toMatch(/- Annex A: Direct care data sharing: anticipatory care and care homes, for .+ as Authorised signatory\n/);
    expect(toTrust.text).not.toContain('- The network agreement');

    // Every party, then the clinical director.
    await approveEverything(t.http);
    expect(await status(demo.agreementId)).toBe('EXECUTED');
    const executedMail = await smtp.waitFor((m) => m.to.includes(EMAIL.trustSignatory) && m.subject.startsWith('Signed by everyone:'));
    expect(executedMail.subject).toContain('NA-U70101-2026-0001');
    expect(executedMail.text).toContain(`http://localhost:3000/agreements/${demo.agreementId}`);
    await emailsQuiet();
    const countersign = (await mailsAbout(demo.agreementId)).filter((m) => m.subject.startsWith('Please sign:') && m.subject.includes('step 3'));
    expect(countersign.map((m) => [m.to[0], m.subject])).toEqual([[EMAIL.cd, 'Please sign: BYTES PCN Network Agreement 2026/27 (NA-U70101-2026-0001) – BYTES PCN, step 3: Clinical director countersignature']]);

    // Once everything is quiet: one execution, one document job that ran once (one DOCUMENT_GENERATED
    // event), a sealed document for each part (the agreement and its one annex), one "signed" email each.
    await eventually('document generated', async () => {
      const rows = await t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [demo.agreementId]);
      return rows[0]?.document_status === 'GENERATED';
    }, 120_000);
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    const executions: { id: string }[] = await t.dataSource.query(`SELECT id FROM agreement_execution WHERE agreement_id = $1`, [demo.agreementId]);
    expect(executions).toHaveLength(1);
    const documentJobs = await t.dataSource.query(`SELECT status FROM outbox WHERE job_name = 'documents.generate' AND payload->>'executionId' = $1`, [executions[0].id]);
    expect(documentJobs).toEqual([{ status: 'DONE' }]);
    const [{ generated }] = await t.dataSource.query(`SELECT count(*)::int AS generated FROM audit_event WHERE agreement_id = $1 AND type = 'DOCUMENT_GENERATED'`, [demo.agreementId]);
    expect(generated).toBe(1);
    const parts = await t.dataSource.query(`SELECT kind, part FROM sealed_document WHERE execution_id = $1 ORDER BY kind, part`, [executions[0].id]);
    expect(parts).toHaveLength(2);
    const signedMails = (await mailsAbout(demo.agreementId)).filter((m) => m.subject.startsWith('Signed by everyone:'));
    expect(countByRecipient(signedMails)).toEqual(ones(ROUND_PEOPLE));

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
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ ok: true, chains: 1, eventsChecked: expect.any(Number), head: { seq: verified.body.eventsChecked, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });

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
    expect(declined.text).toContain(`http://localhost:3000/agreements/${agreementId}`);
    expect(await tasksOf(EMAIL.dpo, agreementId)).toHaveLength(0);
  });

  it('a decline of one annex: its reason and title go only to the sender and that annex’s parties; the other annex’s parties hear only that signing stopped', async () => {
    const source = await t.http.get(`/api/v1/agreements/${demo.agreementId}/revisions/1`).set(await auth(EMAIL.cd));
    const content = stripAnnexIds(source.body.content);
    const [annexA] = content.annexes as { title: string; parties: { organisationId: string }[]; flows: { fromOrganisationId: string; toOrganisationId: string }[] }[];
    // Annex B: the four practices only; the community trust is party to annex A alone.
    const practices = annexA.parties.filter((p) => p.organisationId !== annexA.flows[0].toOrganisationId);
    expect(practices).toHaveLength(4);
    const titleB = 'Federated extended access bookings';
    const annexB = { ...annexA, title: titleB, parties: practices, flows: [{ ...annexA.flows[0], fromOrganisationId: practices[0].organisationId, toOrganisationId: practices[2].organisationId }] };
    const created = await t.http.post(`/api/v1/pcns/${demo.pcnId}/agreements`).set(await auth(EMAIL.cd)).send({ content: { ...content, annexes: [annexA, annexB] } });
    expect(created.status).toBe(201);
    const agreementId = created.body.agreement.id;
    await submit(agreementId);
    await emailsQuiet();
    // Even with two annexes the shared DPO gets one email for the step, naming both.
    const ig = await mailsAbout(agreementId);
    expect(ig.filter((m) => m.to.includes(EMAIL.dpo))).toHaveLength(1);
    expect(ig.find((m) => m.to.includes(EMAIL.dpo))!.text).toContain(`- Annex B: ${titleB}, for 4 organisations as Data Protection Officer:`);
    for (const mail of ig.filter((m) => [EMAIL.trustDpo, EMAIL.trustCaldicott].some((e) => m.to.includes(e)))) expect(mail.text).not.toContain(titleB);

    smtp.clear();
    const reason = 'Bookings data must not leave the practice before the DPIA is signed off.';
    const task = (await tasksOf(EMAIL.dpo, agreementId)).find((x) => (x as Task & { annexTitle: string }).annexTitle === titleB)!;
    expect((await t.http.post(`/api/v1/requests/${task.requestId}/decline`).set(await auth(EMAIL.dpo)).send({ reason })).status).toBe(200);
    await emailsQuiet();
    const mails = await mailsAbout(agreementId);
    const declinedMails = mails.filter((m) => m.subject.startsWith('Declined:'));
    const stoppedMails = mails.filter((m) => m.subject.startsWith('Signing stopped:'));
    expect(declinedMails.length + stoppedMails.length).toBe(mails.length);
    // Annex A only: the trust's DPO, Caldicott Guardian and signatory.
    expect(countByRecipient(stoppedMails)).toEqual(ones([EMAIL.trustDpo, EMAIL.trustCaldicott, EMAIL.trustSignatory]));
    for (const mail of stoppedMails) {
      for (const body of [mail.subject, mail.text, mail.html]) {
        expect(body).not.toContain(reason);
        expect(body).not.toContain(titleB);
        expect(body).not.toContain('Fiona Gallagher');
      }
      expect(mail.text).toContain('You do not need to do anything now.');
      expect(mail.text).toContain('may send a new revision');
    }
    // The sender and annex B's parties (its Caldicott Guardians and signatories), each once; the decliner gets nothing.
    const informed = countByRecipient(declinedMails);
    expect(informed[EMAIL.cd]).toBe(1);
    expect(informed[EMAIL.dpo]).toBeUndefined();
    expect(Object.values(informed).every((n) => n === 1)).toBe(true);
    expect(Object.keys(informed)).toEqual(expect.arrayContaining([EMAIL.cd, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist]));
    for (const mail of declinedMails) {
      expect(mail.text).toContain(reason);
      expect(mail.text).toContain(`declined Annex B: ${titleB} of revision 1`);
    }
  });

  it('a round without a countersignature step never mentions a countersignature', async () => {
    const agreementId = await freshDraft();
    const submitted = await submit(agreementId, { clinicalDirectorCountersigns: false });
    expect(submitted.round.lastStep).toBe(2);
    // The meaning of each step is stored when the round opens, not inferred from numbers later.
    expect(submitted.round.stepPhases).toEqual(['IG_REVIEW', 'PARTIES']);
    expect([...new Set(submitted.requests.map((r: { step: number; phase: string }) => `${r.step}:${r.phase}`))].sort()).toEqual(['1:IG_REVIEW', '2:PARTIES']);
    await approveEverything(t.http);
    expect(await status(agreementId)).toBe('EXECUTED');
    await emailsQuiet();
    const mails = await mailsAbout(agreementId);
    expect(mails.filter((m) => m.subject.startsWith('Please sign:')).every((m) => m.subject.endsWith('step 2: Member practice and partner signatures'))).toBe(true);
    expect(mails.filter((m) => m.subject.startsWith('Please sign:')).length).toBeGreaterThan(0);
    for (const mail of mails) {
      expect(mail.subject).not.toMatch(/countersign/i);
      expect(mail.text).not.toMatch(/countersign/i);
      expect(mail.html).not.toMatch(/countersign/i);
    }
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
    const delegation = await smtp.waitFor((m) => m.to.includes(EMAIL.cd) && m.subject.startsWith('You have been asked to act on:'));
    expect(delegation.text).toContain(`http://localhost:3000/review/${delegated.body.roundId}`);
    expect(delegation.text).toContain('Dr Thomas Whitfield');
    expect(delegation.text).toMatch(/- The network agreement, for .+ as Partner\n/);
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

  /** The round's reminder jobs in the outbox, by the number each carries. */
  async function reminderJobs(roundId: string): Promise<{ payload: { roundId: string; reminderSeq: number; reminderNumber: number }; runAt: Date }[]> {
    const rows = await t.dataSource.query(`SELECT payload, run_at AS "runAt" FROM outbox WHERE job_name = 'round.reminder' AND payload->>'roundId' = $1 ORDER BY (payload->>'reminderNumber')::int`, [roundId]);
    return rows.map((r: { payload: never; runAt: Date }) => ({ payload: r.payload, runAt: new Date(r.runAt) }));
  }

  it('reminds only the current step’s signers who have not acted, once per reminder even when a job is delivered twice; then expires; the CD can extend', async () => {
    const agreementId = await freshDraft();
    const submittedAt = clock.now().getTime();
    const dueAt = new Date(submittedAt + 30 * DAY).toISOString();
    const submitted = await submit(agreementId, { dueAt, firstReminderAfterDays: 3, reminderEveryDays: 2, maxReminders: 2 });
    const roundId = submitted.round.id;
    await approveAllTasks(t.http, EMAIL.trustDpo, FULL_NAME[EMAIL.trustDpo]);
    await emailsQuiet();
    const { reference } = (await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd))).body.agreement;
    const reminders = () => smtp.messages.filter((m) => /^Reminder( \d+)?:/.test(m.subject) && m.subject.includes(`(${reference})`));
    const remindHandler = worker.get(RoundReminderHandler);
    const deadlineHandler = worker.get(RoundDeadlineHandler);
    // The IG step's people who have not acted (the trust's DPO has): one email each per reminder.
    const waiting = [EMAIL.dpo, EMAIL.trustCaldicott, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist];

    // The first reminder was queued for day 3 of the round's clock, carrying its number.
    const [first] = await reminderJobs(roundId);
    expect(await reminderJobs(roundId)).toHaveLength(1);
    expect(first.payload).toEqual({ roundId, reminderSeq: 0, reminderNumber: 1 });
    expect(first.runAt.getTime()).toBe(submittedAt + 3 * DAY);
    expect(reminders()).toHaveLength(0);

    // Day 3: the job is delivered twice (a stalled job, a sweeper re-drive). One batch, one next reminder.
    clock.advance(3 * DAY);
    await remindHandler.handle(first.payload);
    await remindHandler.handle(first.payload);
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    expect(countByRecipient(reminders())).toEqual(ones(waiting));
    const dpoReminder = reminders().find((m) => m.to.includes(EMAIL.dpo))!;
    expect(dpoReminder.text).toContain('for 4 organisations as Data Protection Officer:');
    const afterFirst = await reminderJobs(roundId);
    expect(afterFirst).toHaveLength(2);
    expect(afterFirst[1].payload).toEqual({ roundId, reminderSeq: 0, reminderNumber: 2 });
    expect(afterFirst[1].runAt.getTime()).toBe(submittedAt + 5 * DAY);

    // Day 5: the second and last reminder; no third is scheduled; a late copy of the first sends nothing.
    clock.advance(2 * DAY);
    await remindHandler.handle(afterFirst[1].payload);
    await remindHandler.handle(first.payload);
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    expect(countByRecipient(reminders())).toEqual(Object.fromEntries(waiting.map((e) => [e, 2])));
    const [one, two] = reminders().filter((m) => m.to.includes(EMAIL.dpo));
    expect(one.subject).toMatch(/^Reminder:/);
    expect(two.subject).toMatch(/^Reminder 2:/);
    expect(await reminderJobs(roundId)).toHaveLength(2);
    const [{ reminded }] = await t.dataSource.query(`SELECT count(*)::int AS reminded FROM audit_event WHERE round_id = $1 AND type = 'REMINDED'`, [roundId]);
    expect(reminded).toBe(2);
    const recipients = reminders().map((m) => m.to[0]);
    expect(recipients).not.toContain(EMAIL.trustDpo); // already acted
    expect(recipients).not.toContain(EMAIL.trustSignatory); // step 2 is not current

    // The deadline job delivered early does nothing; at the due date the round expires with approvals outstanding.
    await deadlineHandler.handle({ roundId, dueAt });
    expect(await status(agreementId)).toBe('IN_IG_REVIEW');
    clock.set(new Date(dueAt).getTime() + 1000);
    await deadlineHandler.handle({ roundId, dueAt });
    expect(await status(agreementId)).toBe('EXPIRED');
    await deadlineHandler.handle({ roundId, dueAt });
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    const expiredMails = (await mailsAbout(agreementId)).filter((m) => m.subject.startsWith('Deadline passed:'));
    // Everyone still asked for something in any step, and the sender (the trust's DPO has nothing left).
    expect(countByRecipient(expiredMails)).toEqual(ones(ROUND_PEOPLE.filter((e) => e !== EMAIL.trustDpo)));
    expect(await tasksOf(EMAIL.dpo, agreementId)).toHaveLength(0);
    // An expired round's reminders are over: a reminder job arriving now sends nothing.
    await remindHandler.handle(afterFirst[1].payload);

    const refused = await t.http.post(`/api/v1/agreements/${agreementId}/extend`).set(await auth(EMAIL.cd)).send({ dueAt: new Date(clock.now().getTime() - 1000).toISOString() });
    expect(refused.status).toBe(422);
    const extended = await t.http.post(`/api/v1/agreements/${agreementId}/extend`).set(await auth(EMAIL.cd)).send({ dueAt: new Date(clock.now().getTime() + 3_600_000).toISOString() });
    expect(extended.status).toBe(200);
    expect(extended.body.agreementStatus).toBe('IN_IG_REVIEW');
    expect(await tasksOf(EMAIL.dpo, agreementId)).toHaveLength(4);
    // Extending starts a new reminder schedule; jobs of the old one do nothing.
    await remindHandler.handle(afterFirst[1].payload);
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    expect(reminders()).toHaveLength(2 * waiting.length);
    await t.http.post(`/api/v1/agreements/${agreementId}/withdraw`).set(await auth(EMAIL.cd)).send({ reason: 'Test finished' });
  });

  /** A fresh agreement taken through a whole round to EXECUTED, for tests that need one of their own. */
  async function executedAgreement(body: Record<string, unknown> = {}): Promise<{ agreementId: string; reference: string }> {
    const agreementId = await freshDraft();
    await submit(agreementId, body);
    await approveEverything(t.http);
    expect(await status(agreementId)).toBe('EXECUTED');
    const { reference } = (await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd))).body.agreement;
    return { agreementId, reference };
  }

  it('varies an executed agreement: the variation runs its own round and supersedes the original, history kept', async () => {
    const { agreementId: originalId, reference } = await executedAgreement();
    const draftOnly = await t.http.post(`/api/v1/agreements/${await freshDraft()}/variations`).set(await auth(EMAIL.cd));
    expect(draftOnly.status).toBe(409);
    expect(draftOnly.body.code).toBe('NOT_EXECUTED');

    const varied = await t.http.post(`/api/v1/agreements/${originalId}/variations`).set(await auth(EMAIL.cd));
    expect(varied.status).toBe(201);
    expect(varied.body.agreement).toEqual(expect.objectContaining({ reference: `${reference}-V2`, versionNumber: 2, variationOfId: originalId, status: 'DRAFT' }));
    const again = await t.http.post(`/api/v1/agreements/${originalId}/variations`).set(await auth(EMAIL.cd));
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

    const original = await t.http.get(`/api/v1/agreements/${originalId}`).set(await auth(EMAIL.cd));
    expect(original.body.agreement.status).toBe('SUPERSEDED');
    expect(original.body.agreement.statusReason).toBe(`Superseded by variation ${reference}-V2`);
    // History is kept: the original's revisions, rounds and trail are all still there.
    expect((await t.http.get(`/api/v1/agreements/${originalId}/rounds`).set(await auth(EMAIL.cd))).body[0].status).toBe('COMPLETED');
    const trail = await t.http.get(`/api/v1/agreements/${originalId}/audit`).set(await auth(EMAIL.auditor));
    expect(trail.body.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['EXECUTED', 'SUPERSEDED']));
    // A superseded agreement cannot be terminated, even by the clinical director.
    const supersededTermination = await t.http.post(`/api/v1/agreements/${originalId}/terminate`).set(await auth(EMAIL.cd)).send({ reason: 'PCN dissolved' });
    expect(supersededTermination.status).toBe(409);
    expect(supersededTermination.body).toMatchObject({ code: 'INVALID_TRANSITION', message: 'An agreement that is superseded cannot be terminated. Only an executed agreement can be terminated.' });
  });

  it('only the PCN’s clinical director terminates an executed agreement, with a reason, and every party is emailed', async () => {
    const { agreementId } = await executedAgreement({ clinicalDirectorCountersigns: false });
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    const approvers: string[] = (await t.dataSource.query(`SELECT DISTINCT person_email AS email FROM signature_request WHERE agreement_id = $1 AND status = 'APPROVED'`, [agreementId])).map((r: { email: string }) => r.email);
    expect(approvers.sort()).toEqual([...ROUND_PEOPLE].sort());

    // A PCN manager alone may not; the agreement stays executed and nobody is emailed.
    const byManager = await t.http.post(`/api/v1/agreements/${agreementId}/terminate`).set(await auth(EMAIL.manager)).send({ reason: 'The PCN dissolved on 31 March' });
    expect(byManager.status).toBe(403);
    expect(byManager.body).toMatchObject({ code: 'NOT_CLINICAL_DIRECTOR', message: 'Only the clinical director of the PCN can terminate its network agreement. Ask them to do it.' });
    // A reason is required.
    const noReason = await t.http.post(`/api/v1/agreements/${agreementId}/terminate`).set(await auth(EMAIL.cd)).send({});
    expect(noReason.status).toBe(422);
    expect(Object.keys(noReason.body.fieldErrors)).toEqual(['reason']);
    const blank = await t.http.post(`/api/v1/agreements/${agreementId}/terminate`).set(await auth(EMAIL.cd)).send({ reason: '        ' });
    expect(blank.status).toBe(422);
    expect(await status(agreementId)).toBe('EXECUTED');

    const terminated = await t.http.post(`/api/v1/agreements/${agreementId}/terminate`).set(await auth(EMAIL.cd)).send({ reason: 'The PCN dissolved on 31 March' });
    expect(terminated.status).toBe(200);
    expect(terminated.body).toEqual({ agreementStatus: 'TERMINATED', notified: ROUND_PEOPLE.length });
    const agreement = (await t.http.get(`/api/v1/agreements/${agreementId}`).set(await auth(EMAIL.cd))).body.agreement;
    expect(agreement.statusReason).toBe('Terminated: The PCN dissolved on 31 March');
    await waitForQuiet(t, { probe: () => smtp.messages.length });
    const terminatedMails = (await mailsAbout(agreementId)).filter((m) => m.subject.startsWith('Terminated:'));
    expect(countByRecipient(terminatedMails)).toEqual(ones(ROUND_PEOPLE));
    for (const mail of terminatedMails) expect(mail.text).toContain('has terminated revision 1 of');
    const trail = await t.http.get(`/api/v1/agreements/${agreementId}/audit`).set(await auth(EMAIL.auditor));
    expect(trail.body.filter((e: { type: string }) => e.type === 'TERMINATED').map((e: { payload: unknown }) => e.payload)).toEqual([{ reason: 'The PCN dissolved on 31 March', notified: ROUND_PEOPLE.length }]);

    const again = await t.http.post(`/api/v1/agreements/${agreementId}/terminate`).set(await auth(EMAIL.cd)).send({ reason: 'The PCN dissolved on 31 March' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_TRANSITION');
  });

  it('an executed round leaves no delayed reminder or deadline job in Redis; the termination email quotes the termination reason, not the round’s message', async () => {
    const schedules = worker.get(QueueProducers).get(QueueName.Schedules);
    const delayedOf = async (roundId: string) => (await schedules.getDelayed()).filter((j) => j.data.roundId === roundId).map((j) => j.name).sort();
    const agreementId = await freshDraft();
    const submitted = await submit(agreementId, { dueAt: new Date(clock.now().getTime() + 30 * DAY).toISOString(), clinicalDirectorCountersigns: false, firstReminderAfterDays: 3, maxReminders: 2, message: 'Please sign before the members meeting.' });
    const roundId: string = submitted.round.id;
    // While the round runs, its first reminder and its deadline wait in Redis as delayed jobs.
    expect(await eventually('the delayed jobs', async () => ((await delayedOf(roundId)).length === 2 ? delayedOf(roundId) : null))).toEqual(['round.deadline', 'round.reminder']);
    await approveEverything(t.http);
    expect(await status(agreementId)).toBe('EXECUTED');
    await eventually('no delayed job of the executed round', async () => (await delayedOf(roundId)).length === 0);
    const rows: { job_name: string; status: string }[] = await t.dataSource.query(`SELECT job_name, status FROM outbox WHERE job_name IN ('round.reminder', 'round.deadline') AND payload->>'roundId' = $1 ORDER BY job_name`, [roundId]);
    expect(rows).toEqual([{ job_name: 'round.deadline', status: 'DONE' }, { job_name: 'round.reminder', status: 'DONE' }]);
    await emailsQuiet();

    const terminated = await t.http.post(`/api/v1/agreements/${agreementId}/terminate`).set(await auth(EMAIL.cd)).send({ reason: 'Two practices merged on 1 April' });
    expect(terminated.status).toBe(200);
    await emailsQuiet();
    const terminatedMails = (await mailsAbout(agreementId)).filter((m) => m.subject.startsWith('Terminated:'));
    expect(terminatedMails).toHaveLength(ROUND_PEOPLE.length);
    for (const mail of terminatedMails) {
      expect(mail.text).toContain('Terminated: Two practices merged on 1 April');
      expect(mail.text).not.toContain('Please sign before the members meeting.');
    }
  });

  it('shows signers’ email, IP address and user agent in the audit trail only to the clinical director, auditors and the person themselves', async () => {
    const agreementId = await freshDraft();
    await submit(agreementId);
    await approveAllTasks(t.http, EMAIL.trustDpo, FULL_NAME[EMAIL.trustDpo]);
    await emailsQuiet();
    const trailAs = async (email: string) => (await t.http.get(`/api/v1/agreements/${agreementId}/audit`).set(await auth(email))).body as { type: string; ip: string | null; userAgent: string | null; payload: { to?: string | null } }[];
    const approvedBy = (trail: Awaited<ReturnType<typeof trailAs>>) => trail.find((e) => e.type === 'APPROVED')!;
    const sentTo = (trail: Awaited<ReturnType<typeof trailAs>>) => trail.filter((e) => e.type === 'EMAIL_SENT').map((e) => e.payload.to);
    for (const email of [EMAIL.cd, EMAIL.auditor]) {
      const trail = await trailAs(email);
      expect(approvedBy(trail).ip).not.toBeNull();
      expect(sentTo(trail)).toContain(EMAIL.trustDpo);
    }
    const managerTrail = await trailAs(EMAIL.manager);
    expect(approvedBy(managerTrail)).toMatchObject({ ip: null, userAgent: null });
    expect(sentTo(managerTrail).every((to) => to === null)).toBe(true);
    const csv = await t.http.get(`/api/v1/agreements/${agreementId}/audit.csv`).set(await auth(EMAIL.manager));
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain(EMAIL.trustDpo);
    await t.http.post(`/api/v1/agreements/${agreementId}/withdraw`).set(await auth(EMAIL.cd)).send({ reason: 'Test finished' });
  });
});

function stripAnnexIds(content: { annexes: { id?: string }[] }) {
  return { ...content, annexes: content.annexes.map(({ id: _id, ...annex }) => annex) };
}
