import { Principal, UserRole } from '@pcn/auth';
import { ActorContext } from '@pcn/common';
import { ContractType, DirectoryService, LegalForm, PersonRoleType } from '@pcn/directory';
import { ReviewService, RequestActionsService, RoundCommandsService, RoundQueriesService } from '@pcn/workflow';
import { createTestApp, TestApp } from '../support/test-app';
import { createUserWithGrants, TestUser } from '../support/factories';
import { approveAllTasks, EMAIL, FULL_NAME, loadBytes, tokenFor } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

/**
 * The backend of the "review and sign" page: one page per person per step, batch approval,
 * delegation candidates, the signer plan preview, reminders now and round progress.
 * BYTES plus a fifth sole-trader practice, so the shared DPO has five requests per annex.
 * No worker runs: email jobs stay in the outbox, where the tests count them.
 */
describe('review and batch approval (API + services)', () => {
  let t: TestApp;
  let demo: DemoData;
  let actions: RequestActionsService;
  let commands: RoundCommandsService;
  let queries: RoundQueriesService;
  let review: ReviewService;
  let fifth: { id: string; name: string; gpPersonId: string; gp: TestUser };
  const GP_NAME = 'Dr Nadia Quayle';
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });
  const actor = (userId: string | null): ActorContext => ({ userId, ip: '127.0.0.1', userAgent: 'e2e', authMethod: 'password' });

  /** The principal a signed-in demo user has, for calling services as the pages will. */
  async function principalOf(email: string): Promise<Principal> {
    const [user] = await t.dataSource.query(`SELECT id, display_name, person_id FROM user_account WHERE email = $1`, [email]);
    const grants = await t.dataSource.query(`SELECT role, organisation_id AS "organisationId", icb_code AS "icbCode" FROM role_grant WHERE user_id = $1`, [user.id]);
    return { id: user.id, email, displayName: user.display_name, personId: user.person_id, grants, authMethod: 'password' };
  }

  beforeAll(async () => {
    t = await createTestApp();
    demo = await loadBytes(t);
    actions = t.app.get(RequestActionsService);
    commands = t.app.get(RoundCommandsService);
    queries = t.app.get(RoundQueriesService);
    review = t.app.get(ReviewService);
    const directory = t.app.get(DirectoryService);
    const practice = await directory.createPractice({ name: 'Preston Park Surgery', odsCode: 'A87005', contractType: ContractType.Gms, legalForm: LegalForm.SoleTrader, listSize: 3000, listSizeDate: '2026-04-01' });
    await directory.addMembership(demo.pcnId, { practiceId: practice.id, joinedOn: '2019-07-01' });
    await directory.addPersonRole(demo.people.get(EMAIL.dpo)!, { organisationId: practice.id, role: PersonRoleType.Dpo, validFrom: '2019-07-01' });
    const gp = await directory.createPerson({ fullName: GP_NAME, email: 'nadia.quayle@prestonpark.demo.nhs.uk' });
    for (const role of [PersonRoleType.SolePractitioner, PersonRoleType.CaldicottGuardian]) await directory.addPersonRole(gp.id, { organisationId: practice.id, role, validFrom: '2019-07-01' });
    const gpUser = await createUserWithGrants(t, [{ role: UserRole.PracticeSignatory, organisationId: practice.id, icbCode: null }], { personId: gp.id });
    fifth = { id: practice.id, name: practice.name, gpPersonId: gp.id, gp: gpUser };
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A fresh draft of the demo agreement with the fifth practice in the annex; optionally a second, practices-only annex. */
  async function freshDraft(options: { secondAnnex?: boolean } = {}): Promise<string> {
    const source = await t.http.get(`/api/v1/agreements/${demo.agreementId}/revisions/1`).set(await auth(EMAIL.cd));
    const content = source.body.content;
    const [annex] = content.annexes.map(({ id: _id, ...a }: { id?: string }) => a);
    const party = { ...annex.parties[0], organisationId: fifth.id, caldicottGuardian: { name: GP_NAME, email: 'nadia.quayle@prestonpark.demo.nhs.uk' } };
    annex.parties = [...annex.parties, party];
    const annexes = [annex];
    if (options.secondAnnex) {
      annexes.push({
        ...annex,
        title: 'Practices only: workforce planning data',
        parties: annex.parties.filter((p: { organisationId: string }) => p.organisationId !== demo.partnerIds.trust),
        flows: [{ ...annex.flows[0], fromOrganisationId: demo.practiceIds.yarm, toOrganisationId: demo.practiceIds.tbmg }],
      });
    }
    content.annexes = annexes;
    content.schedules.finances.shares = [
      { organisationId: demo.practiceIds.yarm, percentage: 31 },
      { organisationId: demo.practiceIds.eaglescliffe, percentage: 26 },
      { organisationId: demo.practiceIds.tbmg, percentage: 28 },
      { organisationId: demo.practiceIds.parklane, percentage: 10 },
      { organisationId: fifth.id, percentage: 5 },
    ];
    const res = await t.http.post(`/api/v1/pcns/${demo.pcnId}/agreements`).set(await auth(EMAIL.cd)).send({ content });
    if (res.status !== 201) throw new Error(`draft: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.agreement.id;
  }

  async function submit(agreementId: string): Promise<{ round: { id: string; contentHash: string }; requests: { id: string; personId: string; step: number; capacity: string; boundHash: string; scope: string; annexId: string | null; organisationId: string }[] }> {
    const res = await t.http
      .post(`/api/v1/agreements/${agreementId}/submit`)
      .set(await auth(EMAIL.cd))
      .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(res.status).toBe(201);
    return res.body;
  }

  const dpoRequests = (submitted: Awaited<ReturnType<typeof submit>>) => submitted.requests.filter((r) => r.personId === demo.people.get(EMAIL.dpo) && r.step === 1);
  const count = async (sql: string, params: unknown[]) => (await t.dataSource.query(sql, params))[0].n as number;

  /** Everyone of step 1 except the shared DPO approves (the fifth practice's GP through the service). */
  async function approveStepOneExceptDpo(agreementId: string, roundId: string) {
    for (const email of [EMAIL.trustDpo, EMAIL.trustCaldicott, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist]) await approveAllTasks(t.http, email, FULL_NAME[email]);
    const gpPrincipal = await principalOf(fifth.gp.email);
    const [cg] = await t.dataSource.query(`SELECT id, bound_hash FROM signature_request WHERE round_id = $1 AND person_id = $2 AND step = 1`, [roundId, fifth.gpPersonId]);
    await actions.approveMany(gpPrincipal, { approvals: [{ requestId: cg.id, hash: cg.bound_hash, capacity: 'CALDICOTT_GUARDIAN' as never }], typedName: GP_NAME, confirmAuthority: true }, actor(gpPrincipal.id));
    expect(await count(`SELECT count(*)::int AS n FROM signature_request WHERE agreement_id = $1 AND step = 1 AND status = 'PENDING'`, [agreementId])).toBe(5);
  }

  it('approves a shared DPO’s five requests in one call: five approvals, five audit events, one step advance', async () => {
    const agreementId = await freshDraft();
    const submitted = await submit(agreementId);
    const mine = dpoRequests(submitted);
    expect(mine).toHaveLength(5);
    await approveStepOneExceptDpo(agreementId, submitted.round.id);

    const body = { approvals: mine.map((r) => ({ requestId: r.id, hash: r.boundHash, capacity: r.capacity })), typedName: 'Fiona Gallagher', confirmAuthority: true };
    const res = await t.http.post('/api/v1/requests/approve').set(await auth(EMAIL.dpo)).send(body);
    expect(res.status).toBe(200);
    expect(res.body.agreementStatus).toBe('AWAITING_SIGNATURES');
    expect(res.body.approved).toEqual(mine.map((r) => ({ requestId: r.id, alreadyRecorded: false })));

    const ids = mine.map((r) => r.id);
    expect(await count(`SELECT count(*)::int AS n FROM signature_request WHERE id = ANY($1) AND status = 'APPROVED' AND typed_name = 'Fiona Gallagher'`, [ids])).toBe(5);
    expect(await count(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type = 'APPROVED' AND payload->>'requestId' = ANY($2)`, [agreementId, ids])).toBe(5);
    const [round] = await t.dataSource.query(`SELECT current_step FROM approval_round WHERE id = $1`, [submitted.round.id]);
    expect(round.current_step).toBe(2);
    // The step advanced once: each step-2 request email was queued exactly once.
    const [emails] = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT payload::text)::int AS distinct_n FROM outbox WHERE job_name = 'email.send' AND payload->>'roundId' = $1 AND payload->>'kind' = 'SIGNATURE_REQUESTED'`,
      [submitted.round.id],
    );
    expect(emails.n).toBeGreaterThan(0);
    expect(emails.distinct_n).toBe(emails.n);

    // Posting the same batch again records nothing new.
    const again = await t.http.post('/api/v1/requests/approve').set(await auth(EMAIL.dpo)).send(body);
    expect(again.status).toBe(200);
    expect(again.body.approved).toEqual(mine.map((r) => ({ requestId: r.id, alreadyRecorded: true })));
    expect(await count(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type = 'APPROVED' AND payload->>'requestId' = ANY($2)`, [agreementId, ids])).toBe(5);

    // The CD sees the progress by name.
    const progress = await queries.roundProgress(await principalOf(EMAIL.cd), agreementId);
    expect(progress).toHaveLength(1);
    expect(progress[0].steps.map((s) => s.label)).toEqual(['Information governance review', 'Member practice and partner signatures', 'Clinical director countersignature']);
    const fiona = progress[0].steps[0].signers.filter((s) => s.personName === 'Fiona Gallagher');
    expect(fiona).toHaveLength(5);
    expect(fiona.every((s) => s.statusLabel === 'Approved' && s.capacityLabel === 'Data Protection Officer' && s.actedAt !== null)).toBe(true);
    expect(fiona.map((s) => s.organisationName).sort()).toEqual(['Eaglescliffe Medical Practice', 'Park Lane Surgery', 'Preston Park Surgery', 'Thornaby and Barwick Medical Group', 'Yarm Medical Practice']);
    expect(progress[0].steps[1].current).toBe(true);
  });

  it('refuses a batch with one wrong hash and writes nothing', async () => {
    const agreementId = await freshDraft();
    const submitted = await submit(agreementId);
    const mine = dpoRequests(submitted);
    const approvals = mine.map((r, i) => ({ requestId: r.id, hash: i === 3 ? 'b'.repeat(64) : r.boundHash, capacity: r.capacity }));
    const res = await t.http.post('/api/v1/requests/approve').set(await auth(EMAIL.dpo)).send({ approvals, typedName: 'Fiona Gallagher', confirmAuthority: true });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HASH_MISMATCH');
    expect(await count(`SELECT count(*)::int AS n FROM signature_request WHERE agreement_id = $1 AND status <> 'PENDING'`, [agreementId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type IN ('APPROVED', 'SIGNED')`, [agreementId])).toBe(0);

    // Requests of two rounds in one batch are refused as such; someone else's request is "not found".
    const other = dpoRequests(await submit(await freshDraft()));
    const mixed = await t.http.post('/api/v1/requests/approve').set(await auth(EMAIL.dpo)).send({ approvals: [mine[0], other[0]].map((r) => ({ requestId: r.id, hash: r.boundHash, capacity: r.capacity })), typedName: 'Fiona Gallagher', confirmAuthority: true });
    expect(mixed.status).toBe(422);
    expect(mixed.body.code).toBe('INVALID_BATCH');
    const notMine = await t.http.post('/api/v1/requests/approve').set(await auth(EMAIL.trustDpo)).send({ approvals: [{ requestId: mine[0].id, hash: mine[0].boundHash, capacity: 'DPO' }], typedName: 'Daniel Osei', confirmAuthority: true });
    expect(notMine.status).toBe(404);
    const invalid = await t.http.post('/api/v1/requests/approve').set(await auth(EMAIL.dpo)).send({ approvals: [], typedName: 'Fiona Gallagher', confirmAuthority: true });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.body.fieldErrors ?? {})).toEqual(['approvals']);
    expect(await count(`SELECT count(*)::int AS n FROM signature_request WHERE agreement_id = $1 AND status <> 'PENDING'`, [agreementId])).toBe(0);
  });

  it('with requireViewed, refuses a request nobody opened; the review page records the views exactly once', async () => {
    const agreementId = await freshDraft();
    const submitted = await submit(agreementId);
    const mine = dpoRequests(submitted);
    const fiona = await principalOf(EMAIL.dpo);
    const input = { approvals: mine.map((r) => ({ requestId: r.id, hash: r.boundHash, capacity: r.capacity as never })), typedName: 'Fiona Gallagher', confirmAuthority: true };
    await expect(actions.approveMany(fiona, input, actor(fiona.id), { requireViewed: true })).rejects.toMatchObject({ code: 'NOT_VIEWED', message: 'Open the document and read it before approving.' });
    await expect(actions.approveMany(fiona, input, actor(fiona.id), { requireViewed: true }).catch((e) => e.status)).resolves.toBe(409);
    expect(await count(`SELECT count(*)::int AS n FROM signature_request WHERE agreement_id = $1 AND status <> 'PENDING'`, [agreementId])).toBe(0);

    const first = await review.reviewStep(fiona, submitted.round.id, actor(fiona.id));
    expect(first.stepLabel).toBe('Information governance review');
    expect(first.parts).toHaveLength(1);
    expect(first.parts[0].requests).toHaveLength(5);
    expect(first.parts[0].hash).toBe(mine[0].boundHash);
    expect(first.parts[0].requests.every((r) => r.viewedAt instanceof Date && r.capacityLabel === 'Data Protection Officer')).toBe(true);
    const viewedAt = await t.dataSource.query(`SELECT id, viewed_at FROM signature_request WHERE round_id = $1 AND person_id = $2 ORDER BY id`, [submitted.round.id, fiona.personId]);
    expect(viewedAt.filter((r: { viewed_at: Date | null }) => r.viewed_at)).toHaveLength(5);
    const second = await review.reviewStep(fiona, submitted.round.id, actor(fiona.id));
    expect(second.parts[0].requests).toHaveLength(5);
    expect(await t.dataSource.query(`SELECT id, viewed_at FROM signature_request WHERE round_id = $1 AND person_id = $2 ORDER BY id`, [submitted.round.id, fiona.personId])).toEqual(viewedAt);
    expect(await count(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type = 'VIEWED'`, [agreementId])).toBe(5);

    const approved = await actions.approveMany(fiona, input, actor(fiona.id), { requireViewed: true });
    expect(approved.approved.map((a) => a.alreadyRecorded)).toEqual([false, false, false, false, false]);
    const after = await review.reviewStep(fiona, submitted.round.id, actor(fiona.id));
    expect(after.parts).toHaveLength(0);
    expect(after.canAct).toBe(false);
    expect(after.actedRequests).toHaveLength(5);
    expect(after.previousRevisionNumber).toBeNull();

    // Someone with nothing in the round gets "not found".
    const rejected = await review.reviewStep(await principalOf(EMAIL.pritchard), submitted.round.id, actor(null)).catch((e) => e);
    expect(rejected).toMatchObject({ code: 'NOT_YOUR_REQUEST', status: 404 });
  });

  it('shows an annex-only party only its own annex: no schedules, no other annex', async () => {
    const agreementId = await freshDraft({ secondAnnex: true });
    const submitted = await submit(agreementId);
    const daniel = await principalOf(EMAIL.trustDpo);
    const page = await review.reviewStep(daniel, submitted.round.id, actor(daniel.id));
    expect(page.revision.scope).toBe('annexes');
    expect(page.revision.content.annexes.map((a) => a.title)).toEqual(['Direct care data sharing: anticipatory care and care homes']);
    expect(page.parts).toEqual([expect.objectContaining({ kind: 'annex', title: 'Direct care data sharing: anticipatory care and care homes', requests: [expect.objectContaining({ organisationName: 'Tees Valley Community Health NHS Trust', odsCode: 'RX9', capacityLabel: 'Data Protection Officer' })] })]);
    const json = JSON.stringify(page);
    expect(json).not.toMatch(/schedules|finances|workforce|arrsPosts|distributionBasis|Practices only/);
    expect(page.pcn).toEqual({ name: 'BYTES PCN', code: 'U70101' });
    expect(page.round.countersigns).toBe(true);

    // The shared DPO is asked about both annexes: two parts, five requests each, and still no schedules.
    const fiona = await principalOf(EMAIL.dpo);
    const hers = await review.reviewStep(fiona, submitted.round.id, actor(fiona.id));
    expect(hers.parts.map((p) => [p.title, p.requests.length])).toEqual([
      ['Direct care data sharing: anticipatory care and care homes', 5],
      ['Practices only: workforce planning data', 5],
    ]);
    expect(hers.revision.scope).toBe('annexes');
    expect(JSON.stringify(hers.revision)).not.toMatch(/schedules|finances/);

    // A partner is party to the agreement: the whole revision.
    const whitfield = await principalOf(EMAIL.whitfield);
    const his = await review.reviewStep(whitfield, submitted.round.id, actor(whitfield.id));
    expect(his.revision.scope).toBe('agreement');
    // Later, in step 2: the agreement and both annexes as a Yarm partner.
    expect(his.laterRequestCount).toBe(3);
  });

  it('lists delegation candidates by name, without the requester or anyone already asked', async () => {
    const agreementId = await freshDraft();
    const submitted = await submit(agreementId);
    const step2 = (personEmail: string) => submitted.requests.find((r) => r.step === 2 && r.scope === 'AGREEMENT' && r.personId === demo.people.get(personEmail))!;
    expect(await review.delegateCandidates(await principalOf(EMAIL.whitfield), step2(EMAIL.whitfield).id)).toEqual([{ personId: demo.people.get(EMAIL.cd), fullName: 'Dr Amira Okafor', roleLabel: 'Partner' }]);
    expect(await review.delegateCandidates(await principalOf(EMAIL.raman), step2(EMAIL.raman).id)).toEqual([{ personId: demo.people.get(EMAIL.pritchard), fullName: 'Dr Owen Pritchard', roleLabel: 'Partner' }]);
    expect(await review.delegateCandidates(await principalOf(EMAIL.lindqvist), step2(EMAIL.lindqvist).id)).toEqual([]);
    await expect(review.delegateCandidates(await principalOf(EMAIL.raman), step2(EMAIL.whitfield).id).catch((e) => e.status)).resolves.toBe(404);
  });

  it('reminds now only the current step’s pending signers, one email each, recorded with the actor', async () => {
    const agreementId = await freshDraft();
    const submitted = await submit(agreementId);
    await approveAllTasks(t.http, EMAIL.trustDpo, FULL_NAME[EMAIL.trustDpo]);
    const cd = await principalOf(EMAIL.cd);
    const outcome = await commands.remindNow(cd, agreementId, actor(cd.id));
    const expected = [EMAIL.dpo, EMAIL.trustCaldicott, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist].map((e) => demo.people.get(e)!).concat(fifth.gpPersonId);
    expect(outcome).toEqual({ roundId: submitted.round.id, step: 1, requests: 11, people: 7 });
    const jobs: { person_id: string }[] = await t.dataSource.query(`SELECT payload->>'personId' AS person_id FROM outbox WHERE job_name = 'email.send' AND payload->>'roundId' = $1 AND payload->>'kind' = 'REMINDER'`, [submitted.round.id]);
    expect(jobs.map((j) => j.person_id).sort()).toEqual([...expected].sort());
    expect(jobs.map((j) => j.person_id)).not.toContain(demo.people.get(EMAIL.trustDpo));
    expect(jobs.map((j) => j.person_id)).not.toContain(demo.people.get(EMAIL.trustSignatory));
    const [event] = await t.dataSource.query(`SELECT actor_user_id, payload FROM audit_event WHERE agreement_id = $1 AND type = 'REMINDED'`, [agreementId]);
    expect(event.actor_user_id).toBe(cd.id);
    expect(event.payload).toEqual(expect.objectContaining({ manual: true, step: 1, people: 7 }));
    await expect(commands.remindNow(await principalOf(EMAIL.dpo), agreementId, actor(null)).catch((e) => e.status)).resolves.toBe(404);
  });

  it('previews the signer plan and names a practice with no partner as a problem, without throwing', async () => {
    const cd = await principalOf(EMAIL.cd);
    const ok = await queries.signerPlanPreview(cd, await freshDraft());
    expect(ok.problems).toEqual([]);
    expect(ok.canSend).toBe(true);
    expect(ok.steps.map((s) => [s.label, s.signers.length])).toEqual([
      ['Information governance review', 12],
      ['Member practice and partner signatures', 13],
      ['Clinical director countersignature', 1],
    ]);
    expect(ok.steps[2].signers[0]).toEqual(expect.objectContaining({ personName: 'Dr Amira Okafor', organisationName: 'BYTES PCN', capacityLabel: 'Clinical director', partTitle: 'BYTES PCN Network Agreement 2026/27' }));

    await expect(queries.signerPlanPreview(await principalOf(EMAIL.dpo), demo.agreementId).catch((e) => e.status)).resolves.toBe(404);

    // Last: a partnership with no partners joins the PCN (it changes the PCN for later drafts).
    const directory = t.app.get(DirectoryService);
    const empty = await directory.createPractice({ name: 'Kirklevington Surgery', odsCode: 'A87006', contractType: ContractType.Gms, legalForm: LegalForm.Partnership, listSize: 1000, listSizeDate: '2026-04-01' });
    await directory.addMembership(demo.pcnId, { practiceId: empty.id, joinedOn: '2019-07-01' });
    const preview = await queries.signerPlanPreview(cd, await freshDraft());
    expect(preview.problems).toEqual(['Kirklevington Surgery is a partnership with no partners recorded in the directory.']);
    expect(preview.canSend).toBe(false);
    expect(preview.steps[1].signers).toHaveLength(13);
  });
});
