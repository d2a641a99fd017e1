import { Principal, UserRole } from '@pcn/auth';
import { ActorContext } from '@pcn/common';
import { RequestStatus, ReviewService, RequestActionsService, RoundQueriesService, SignerCapacity } from '@pcn/workflow';
import type { INestApplicationContext } from '@nestjs/common';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { createAgreementFixture, createDraftAgreement, createUserWithRole } from '../support/factories';
import { csrfTokenIn, signInToPages } from '../support/page-session';
import { approveEverything, DEMO_PASSWORD, EMAIL, FULL_NAME, loadBytes } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** What a person reads: the page without its tags (and so without ids in links and form actions). */
const visibleText = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]*>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
const inTenDays = () => {
  const d = new Date(Date.now() + 10 * 86_400_000);
  return { 'dueDate[day]': String(d.getUTCDate()), 'dueDate[month]': String(d.getUTCMonth() + 1), 'dueDate[year]': String(d.getUTCFullYear()) };
};

/**
 * The agreement page and running a round from the browser: who will sign, sending through
 * the form, progress with views, reminders now, withdrawing, access, and the queue board.
 * No worker runs: emails stay in the outbox, where the tests count them.
 */
describe('pages: the agreement page and running an approval round', () => {
  let t: TestApp;
  let demo: DemoData;
  let actions: RequestActionsService;
  let queries: RoundQueriesService;
  let cd: Awaited<ReturnType<typeof signInToPages>>;
  let roundId: string;

  async function principalOf(email: string): Promise<Principal> {
    const [user] = await t.dataSource.query(`SELECT id, display_name, person_id FROM user_account WHERE email = $1`, [email]);
    const grants = await t.dataSource.query(`SELECT role, organisation_id AS "organisationId", icb_code AS "icbCode" FROM role_grant WHERE user_id = $1`, [user.id]);
    return { id: user.id, email, displayName: user.display_name, personId: user.person_id, grants, authMethod: 'password' };
  }
  const actor = (userId: string): ActorContext => ({ userId, ip: '127.0.0.1', userAgent: 'e2e', authMethod: 'password' });

  beforeAll(async () => {
    t = await createTestApp();
    demo = await loadBytes(t);
    actions = t.app.get(RequestActionsService);
    queries = t.app.get(RoundQueriesService);
    cd = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
  });
  afterAll(() => t?.close());

  it('the agreement page shows the draft in words: reference, PCN, status, revision, parts and who is party to each', async () => {
    const page = await cd.agent.get(`/agreements/${demo.agreementId}`);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain(demo.agreementReference);
    expect(text).toContain('Draft');
    expect(text).toContain('Revision 1');
    expect(text).toContain('Yarm Medical Practice');
    expect(text).toContain('Data-sharing annex 1');
    expect(text).toContain('Tees Valley Community Health NHS Trust (RX9) — Joint controller');
    expect(text).not.toMatch(UUID);
    expect(page.text).toContain(`href="/agreements/${demo.agreementId}/edit"`);
    expect(page.text).toContain(`href="/agreements/${demo.agreementId}/send"`);
    expect(page.text).toContain(`href="/agreements/${demo.agreementId}/audit"`);
    expect(page.text).not.toContain(`href="/agreements/${demo.agreementId}/progress"`);
  });

  it('the agreement page is "Page not found" for another PCN’s clinical director, and for an id that is not one', async () => {
    const other = await createAgreementFixture(t);
    const stranger = await createUserWithRole(t, UserRole.ClinicalDirector, other.pcn.id);
    const { agent } = await signInToPages(t, stranger.email, stranger.password);
    for (const path of [`/agreements/${demo.agreementId}`, `/agreements/${demo.agreementId}/progress`, `/agreements/${demo.agreementId}/send`, '/agreements/not-an-id']) {
      const res = await agent.get(path);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Page not found');
      expect(res.text).not.toContain(demo.agreementReference);
    }
  });

  it('the send page lists every signer of the BYTES plan by name, organisation and capacity in words, with no ids', async () => {
    const plan = await queries.signerPlanPreview(await principalOf(EMAIL.cd), demo.agreementId);
    expect(plan.canSend).toBe(true);
    const page = await cd.agent.get(`/agreements/${demo.agreementId}/send`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Send for signature: ');
    const text = visibleText(page.text);
    expect(text).toContain('Who will be asked to sign');
    for (const step of plan.steps) expect(text).toContain(`Step ${step.step}: ${step.label}`);
    for (const signer of plan.steps.flatMap((s) => s.signers)) {
      expect(text).toContain(signer.personName);
      expect(text).toContain(signer.odsCode ? `${signer.organisationName} (${signer.odsCode})` : signer.organisationName);
    }
    for (const words of ['Partner', 'Data Protection Officer', 'Caldicott Guardian', 'Clinical director', 'Information governance review', 'Member practice and partner signatures', 'Clinical director countersignature']) expect(text).toContain(words);
    for (const name of [FULL_NAME[EMAIL.whitfield], FULL_NAME[EMAIL.dpo], FULL_NAME[EMAIL.trustCaldicott], FULL_NAME[EMAIL.cd]]) expect(text).toContain(name);
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(/\b(PARTNER|CALDICOTT_GUARDIAN|DPO|IG_APPROVAL)\b/);
    expect(page.text).toContain('id="send-button"');
    expect(page.text).toContain('name="dueDate[day]"');
  });

  it('a PCN with a partnership that has no partners sees the problem in the error summary and no send button', async () => {
    const fixture = await createAgreementFixture(t);
    const { agreement } = await createDraftAgreement(t, fixture);
    const lead = await createUserWithRole(t, UserRole.ClinicalDirector, fixture.pcn.id);
    const { agent } = await signInToPages(t, lead.email, lead.password);
    const page = await agent.get(`/agreements/${agreement.id}/send`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('There is a problem');
    expect(page.text).toContain('<title>Error: Send for signature');
    expect(visibleText(page.text)).toContain(`${fixture.practices[0].name} is a partnership with no partners recorded in the directory.`);
    expect(page.text).not.toContain('id="send-button"');
    expect(page.text).not.toContain(`action="/agreements/${agreement.id}/send"`);
  });

  it('the send form refuses an impossible due date with the error summary and opens nothing', async () => {
    const res = await cd.submit(`/agreements/${demo.agreementId}/send`, `/agreements/${demo.agreementId}/send`, {
      revisionNumber: '1', 'dueDate[day]': '31', 'dueDate[month]': '2', 'dueDate[year]': '2030', firstReminderAfterDays: '3', reminderEveryDays: 'x', maxReminders: '2', countersign: 'yes',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<title>Error: Send for signature');
    expect(res.text).toContain('href="#dueDate-day"');
    expect(res.text).toContain('The due date must be a real date');
    expect(res.text).toContain('href="#reminderEveryDays"');
    expect(res.text).toContain('value="31"');
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM approval_round WHERE agreement_id = $1`, [demo.agreementId])).toEqual([{ n: 0 }]);
  });

  it('a stale revision number gets the 409 message on the send page', async () => {
    const res = await cd.submit(`/agreements/${demo.agreementId}/send`, `/agreements/${demo.agreementId}/send`, { revisionNumber: '7', ...inTenDays(), firstReminderAfterDays: '3', reminderEveryDays: '2', maxReminders: '2', countersign: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Revision 7 is not the newest');
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM approval_round WHERE agreement_id = $1`, [demo.agreementId])).toEqual([{ n: 0 }]);
  });

  it('sending through the form opens a round with exactly the planned requests and goes to the progress page', async () => {
    const plan = await queries.signerPlanPreview(await principalOf(EMAIL.cd), demo.agreementId);
    const planned = plan.steps.reduce((n, s) => n + s.signers.length, 0);
    const res = await cd.submit(`/agreements/${demo.agreementId}/send`, `/agreements/${demo.agreementId}/send`, {
      revisionNumber: '1', ...inTenDays(), firstReminderAfterDays: '3', reminderEveryDays: '2', maxReminders: '4', countersign: 'yes', message: 'Please sign by the end of next week.',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/agreements/${demo.agreementId}/progress?done=sent`);
    const [round] = await t.dataSource.query(`SELECT id, max_reminders, message, due_at FROM approval_round WHERE agreement_id = $1`, [demo.agreementId]);
    roundId = round.id;
    expect(round.max_reminders).toBe(4);
    expect(round.message).toBe('Please sign by the end of next week.');
    expect(new Date(round.due_at).getTime()).toBeGreaterThan(Date.now() + 9 * 86_400_000);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM signature_request WHERE round_id = $1`, [roundId])).toEqual([{ n: planned }]);

    const progress = await cd.agent.get(res.headers.location);
    expect(progress.status).toBe(200);
    const text = visibleText(progress.text);
    expect(text).toContain('The agreement has been sent');
    expect(text).toContain('Step 1 of 3: Information governance review');
    expect(text).toContain('Sent');
    expect(text).not.toContain('Viewed');
    expect(text).not.toMatch(UUID);
    // The agreement page now summarises the round.
    const agreementPage = visibleText((await cd.agent.get(`/agreements/${demo.agreementId}`)).text);
    expect(agreementPage).toContain('Approval round in progress');
    expect(agreementPage).toContain('In information governance review');
    expect(agreementPage).toContain(`Still waiting ${planned} requests`);
  });

  it('progress shows "Viewed" once a signer has opened their review page', async () => {
    const dpo = await principalOf(EMAIL.trustDpo);
    await t.app.get(ReviewService).reviewStep(dpo, roundId, actor(dpo.id));
    const text = visibleText((await cd.agent.get(`/agreements/${demo.agreementId}/progress`)).text);
    expect(text).toMatch(new RegExp(`${FULL_NAME[EMAIL.trustDpo]} Data Protection Officer, [^|]*? Viewed Viewed \\d{1,2} \\w+ \\d{4} at`));
  });

  it('"Send a reminder now" queues one reminder per person still waiting in the step, and none for who has approved', async () => {
    // Through the service, not the API: the API token cache of this file belongs to the second app below.
    const dpo = await principalOf(EMAIL.trustDpo);
    const tasks = (await queries.tasks(dpo)).items as { requestId: string; capacity: SignerCapacity; hashToConfirm: string }[];
    expect(tasks).toHaveLength(1);
    await actions.approve(dpo, tasks[0].requestId, { typedName: FULL_NAME[EMAIL.trustDpo], capacity: tasks[0].capacity, confirmAuthority: true, hash: tasks[0].hashToConfirm }, actor(dpo.id));
    const waiting: { person_id: string }[] = await t.dataSource.query(
      `SELECT DISTINCT r.person_id FROM signature_request r JOIN approval_round a ON a.id = r.round_id WHERE r.round_id = $1 AND r.step = a.current_step AND r.status = $2`,
      [roundId, RequestStatus.Pending],
    );
    expect(waiting.length).toBeGreaterThan(1);
    const res = await cd.submit(`/agreements/${demo.agreementId}/progress`, `/agreements/${demo.agreementId}/remind`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/agreements/${demo.agreementId}/progress?done=reminded`);
    const jobs: { person_id: string }[] = await t.dataSource.query(`SELECT payload->>'personId' AS person_id FROM outbox WHERE job_name = 'email.send' AND payload->>'roundId' = $1 AND payload->>'kind' = 'REMINDER'`, [roundId]);
    expect(jobs.map((j) => j.person_id).sort()).toEqual(waiting.map((w) => w.person_id).sort());
    expect(jobs.map((j) => j.person_id)).not.toContain(demo.people.get(EMAIL.trustDpo));
    const banner = visibleText((await cd.agent.get(res.headers.location)).text);
    expect(banner).toContain('Reminders are on their way');
    expect(banner).toMatch(/Approved \d{1,2} \w+ \d{4} at/);
  });

  it('actions refuse a post without its CSRF token and change nothing', async () => {
    const res = await cd.agent.post(`/agreements/${demo.agreementId}/withdraw`).type('form').send({ reason: 'No token here' });
    expect(res.status).toBe(403);
    expect(await t.dataSource.query(`SELECT status FROM approval_round WHERE id = $1`, [roundId])).toEqual([{ status: 'ACTIVE' }]);
  });

  it('withdrawing needs a reason (422 with the error summary); with one the round is withdrawn and the agreement is a draft again', async () => {
    const empty = await cd.submit(`/agreements/${demo.agreementId}/progress`, `/agreements/${demo.agreementId}/withdraw`, { reason: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('There is a problem');
    expect(empty.text).toContain('href="#withdraw-reason"');
    expect(empty.text).toContain('Enter why you are withdrawing the approval round');
    expect(await t.dataSource.query(`SELECT status FROM approval_round WHERE id = $1`, [roundId])).toEqual([{ status: 'ACTIVE' }]);

    const ok = await cd.submit(`/agreements/${demo.agreementId}/progress`, `/agreements/${demo.agreementId}/withdraw`, { reason: 'Schedule 4 shares need correcting' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/agreements/${demo.agreementId}/progress?done=withdrawn`);
    expect(await t.dataSource.query(`SELECT status, end_reason FROM approval_round WHERE id = $1`, [roundId])).toEqual([{ status: 'WITHDRAWN', end_reason: 'Schedule 4 shares need correcting' }]);
    expect(await t.dataSource.query(`SELECT status FROM network_agreement WHERE id = $1`, [demo.agreementId])).toEqual([{ status: 'DRAFT' }]);
    const progress = visibleText((await cd.agent.get(ok.headers.location)).text);
    expect(progress).toContain('The approval round has been withdrawn');
    expect(progress).toContain('Cancelled');
    const page = visibleText((await cd.agent.get(`/agreements/${demo.agreementId}`)).text);
    expect(page).toContain('Withdrawn: Schedule 4 shares need correcting');
    // The reason is for the PCN's leads, not for a practice's staff.
    const manager = await createUserWithRole(t, UserRole.PracticeManager, demo.practiceIds.yarm);
    const { agent } = await signInToPages(t, manager.email, manager.password);
    const theirs = await agent.get(`/agreements/${demo.agreementId}`);
    expect(theirs.status).toBe(200);
    expect(theirs.text).not.toContain('Schedule 4 shares need correcting');
    expect(theirs.text).not.toContain(`/agreements/${demo.agreementId}/send`);
    const post = await agent.post(`/agreements/${demo.agreementId}/remind`).type('form').send({ _csrf: csrfTokenIn(theirs.text) });
    expect(post.status).toBe(403);
  });

  it('/admin/queues opens for a platform admin signed in to the pages; others get 403 or the sign-in page', async () => {
    const admin = await signInToPages(t, EMAIL.admin, DEMO_PASSWORD);
    const board = await admin.agent.get('/admin/queues').set('Accept', 'text/html');
    expect(board.status).toBe(200);
    expect(board.text).toContain('<html');
    const api = await admin.agent.get('/admin/queues/api/queues').set('Accept', 'application/json');
    expect(api.status).toBe(200);

    const manager = await signInToPages(t, EMAIL.manager, DEMO_PASSWORD);
    const refused = await manager.agent.get('/admin/queues').set('Accept', 'text/html');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Only platform administrators can see the queues');

    const anonymous = await t.http.get('/admin/queues').set('Accept', 'text/html,application/xhtml+xml');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/sign-in?returnTo=%2Fadmin%2Fqueues');
    const client = await t.http.get('/admin/queues');
    expect(client.status).toBe(401);
    expect(client.body.code).toBe('NOT_AUTHENTICATED');
  });
});

describe('pages: an executed agreement (with the worker)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;

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

  it('shows the sealed documents with download and ZIP links, and "Start a variation" opens the new draft', async () => {
    const cd = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
    const sent = await cd.submit(`/agreements/${demo.agreementId}/send`, `/agreements/${demo.agreementId}/send`, { revisionNumber: '1', ...inTenDays(), firstReminderAfterDays: '30', reminderEveryDays: '30', maxReminders: '0', countersign: 'yes' });
    expect(sent.status).toBe(303);
    await approveEverything(t.http);
    const documents = await eventually('sealed documents', async () => {
      const rows: { id: string; reference: string }[] = await t.dataSource.query(`SELECT id, reference FROM sealed_document WHERE agreement_id = $1 ORDER BY reference`, [demo.agreementId]);
      return rows.length >= 2 ? rows : null;
    }, 60_000);

    const page = await cd.agent.get(`/agreements/${demo.agreementId}`);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain('Signed by everyone');
    expect(text).toContain('Sealed documents');
    for (const d of documents) {
      expect(text).toContain(d.reference);
      expect(page.text).toContain(`href="/documents/${d.id}/download"`);
    }
    expect(page.text).toContain(`href="/agreements/${demo.agreementId}/documents.zip"`);
    expect(page.text).not.toContain(`href="/agreements/${demo.agreementId}/edit"`);

    const progress = await cd.agent.get(`/agreements/${demo.agreementId}/progress`);
    expect(visibleText(progress.text)).toContain('Completed');
    expect(progress.text).toContain('id="variation-button"');
    expect(progress.text).not.toContain('id="remind-button"');
    const variation = await cd.submit(`/agreements/${demo.agreementId}/progress`, `/agreements/${demo.agreementId}/variation`, {});
    expect(variation.status).toBe(303);
    const [draft] = await t.dataSource.query(`SELECT id, status, version_number FROM network_agreement WHERE variation_of_id = $1`, [demo.agreementId]);
    expect(draft).toEqual({ id: expect.any(String), status: 'DRAFT', version_number: 2 });
    expect(variation.headers.location).toBe(`/agreements/${draft.id}/edit`);
    // A second variation while the first is open is refused on the page, in words.
    const again = await cd.submit(`/agreements/${demo.agreementId}/progress`, `/agreements/${demo.agreementId}/variation`, {});
    expect(again.status).toBe(409);
    expect(again.text).toContain('is already in progress');
  });
});
