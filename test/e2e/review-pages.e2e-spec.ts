import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { createPcn, createUserWithRole } from '../support/factories';
import { csrfTokenIn, signInToPages } from '../support/page-session';
import { approveAllTasks, DEMO_PASSWORD, EMAIL, FULL_NAME, loadBytes, tokenFor } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The page's text outside hidden inputs, links' URLs and form actions: what a person reads. */
function readable(html: string): string {
  return html
    .replace(/<input[^>]*type="hidden"[^>]*>/g, '')
    .replace(/<input[^>]*name="(approve|delegateTo|part)"[^>]*>/g, '')
    .replace(/ (href|action|for|id|aria-describedby|aria-labelledby)="[^"]*"/g, '');
}

/**
 * Review and sign pages over HTTP, on the BYTES demo round (sent through the API; no worker:
 * emails stay in the outbox). Step 1 is information-governance review (the shared DPO for four
 * practices, the trust's DPO and Caldicott Guardian, the practices' Caldicott Guardians); step 2
 * is the partners' and the trust signatory's signatures.
 */
describe('review and sign pages', () => {
  let t: TestApp;
  let demo: DemoData;
  let roundId: string;
  const pages = new Map<string, Awaited<ReturnType<typeof signInToPages>>>();
  const as = async (email: string) => {
    if (!pages.has(email)) pages.set(email, await signInToPages(t, email, DEMO_PASSWORD));
    return pages.get(email)!;
  };
  const personId = (email: string) => demo.people.get(email)!;
  const requestsOf = (email: string, step: number): Promise<{ id: string; bound_hash: string; status: string; capacity: string; organisation_name: string; viewed_at: Date | null }[]> =>
    t.dataSource.query(`SELECT id, bound_hash, status, capacity, organisation_name, viewed_at FROM signature_request WHERE round_id = $1 AND person_id = $2 AND step = $3 ORDER BY organisation_name`, [roundId, personId(email), step]);
  const approvalEvents = async () => Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE round_id = $1 AND type IN ('APPROVED', 'SIGNED')`, [roundId]))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    demo = await loadBytes(t);
    const res = await t.http
      .post(`/api/v1/agreements/${demo.agreementId}/submit`)
      .set('Authorization', `Bearer ${await tokenFor(t.http, EMAIL.cd)}`)
      .send({ revisionNumber: 1, dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), maxReminders: 0, message: 'Please review before the members’ meeting on Thursday.' });
    expect(res.status).toBe(201);
    roundId = res.body.round.id;
  });
  afterAll(() => t?.close());

  it('the trust DPO sees only their annex, in words, with no schedule, no UUID and no codes; opening it records the view', async () => {
    const { agent } = await as(EMAIL.trustDpo);
    const [before] = await requestsOf(EMAIL.trustDpo, 1);
    expect(before.viewed_at).toBeNull();
    const page = await agent.get(`/review/${roundId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Information governance review');
    expect(page.text).toMatch(/Annex A — /);
    expect(page.text).toContain('Parties and roles');
    expect(page.text).toContain('Please review before the members’ meeting on Thursday.');
    expect(page.text).toContain('For review — the sealed copy is issued once everyone has signed');
    expect(page.text).toContain('Article 6 basis');
    expect(page.text).toMatch(/6\(1\)\(e\)[^<]*public task/);
    expect(page.text).not.toContain('Schedule 4');
    expect(page.text).not.toContain('Financial arrangements');
    expect(page.text).not.toContain('Clauses');
    expect(page.text).not.toContain('DRAFT');
    expect(page.text).not.toMatch(/art6Basis|"E"|ART_6/);
    expect(readable(page.text)).not.toMatch(UUID);
    expect(page.text).toContain(`/review/${roundId}/document/`);
    expect(page.text).not.toContain(`/review/${roundId}/document/agreement.pdf`);
    const [after] = await requestsOf(EMAIL.trustDpo, 1);
    expect(after.viewed_at).not.toBeNull();
    // The agreement's PDF is not theirs to read; their annex's is, labelled for review.
    expect((await agent.get(`/review/${roundId}/document/agreement.pdf`)).status).toBe(404);
    const annexHref = /href="(\/review\/[^"]+\/document\/[0-9a-f-]{36}\.pdf)"/.exec(page.text)![1];
    const pdf = await agent.get(annexHref).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('a post without the CSRF token is 403 and records nothing', async () => {
    const { agent } = await as(EMAIL.trustDpo);
    const [request] = await requestsOf(EMAIL.trustDpo, 1);
    const res = await agent.post(`/review/${roundId}/approve`).type('form').send({ approve: request.id, [`hash[${request.id}]`]: request.bound_hash, [`capacity[${request.id}]`]: request.capacity, typedName: FULL_NAME[EMAIL.trustDpo], confirmAuthority: 'yes' });
    expect(res.status).toBe(403);
    expect((await requestsOf(EMAIL.trustDpo, 1))[0].status).toBe('PENDING');
    expect(await approvalEvents()).toBe(0);
  });

  it('a post whose hash is not the hash of the text now waiting records nothing and says it changed since it was opened', async () => {
    const { submit } = await as(EMAIL.trustDpo);
    const [request] = await requestsOf(EMAIL.trustDpo, 1);
    const res = await submit(`/review/${roundId}`, `/review/${roundId}/approve`, { approve: request.id, hash: { [request.id]: 'a'.repeat(64) }, capacity: { [request.id]: request.capacity }, typedName: FULL_NAME[EMAIL.trustDpo], confirmAuthority: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('This has changed since you opened it');
    expect((await requestsOf(EMAIL.trustDpo, 1))[0].status).toBe('PENDING');
    expect(await approvalEvents()).toBe(0);
  });

  it('the approve form without name or authority is 422 with the error summary linking to each field', async () => {
    const { submit } = await as(EMAIL.trustDpo);
    const [request] = await requestsOf(EMAIL.trustDpo, 1);
    const res = await submit(`/review/${roundId}`, `/review/${roundId}/approve`, { approve: request.id, hash: { [request.id]: request.bound_hash }, capacity: { [request.id]: request.capacity }, typedName: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#typedName"');
    expect(res.text).toContain('Enter your full name');
    expect(res.text).toContain('href="#confirmAuthority"');
    expect(res.text).toMatch(/<title>Error: /);
    expect(await approvalEvents()).toBe(0);
  });

  it('approving the whole page records one approval per request, each with its own hash, then shows the confirmation and leaves the tasks', async () => {
    const { agent, submit } = await as(EMAIL.trustDpo);
    const mine = await requestsOf(EMAIL.trustDpo, 1);
    const page = await agent.get(`/review/${roundId}`);
    // The page carries the hash of what it rendered for each request.
    for (const r of mine) expect(page.text).toContain(`name="hash[${r.id}]" value="${r.bound_hash}"`);
    const res = await submit(`/review/${roundId}`, `/review/${roundId}/approve`, {
      approve: mine.map((r) => r.id),
      hash: Object.fromEntries(mine.map((r) => [r.id, r.bound_hash])),
      capacity: Object.fromEntries(mine.map((r) => [r.id, r.capacity])),
      typedName: FULL_NAME[EMAIL.trustDpo],
      confirmAuthority: 'yes',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/review/${roundId}?done=approved`);
    const rows: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event e JOIN signature_request r ON r.id::text = e.payload->>'requestId' WHERE e.round_id = $1 AND e.type = 'APPROVED' AND r.person_id = $2 AND e.payload->>'boundHash' = r.bound_hash`,
      [roundId, personId(EMAIL.trustDpo)],
    );
    expect(rows[0].n).toBe(mine.length);
    expect(await approvalEvents()).toBe(mine.length);
    expect((await requestsOf(EMAIL.trustDpo, 1)).every((r) => r.status === 'APPROVED')).toBe(true);
    const done = await agent.get(res.headers.location);
    expect(done.status).toBe(200);
    expect(done.text).toContain('You have approved');
    expect(done.text).toContain('What happens next');
    const tasks = await agent.get('/tasks');
    expect(tasks.text).toContain('Nothing is waiting for you');
    // Opening the page again is not an error: it says there is nothing left.
    const again = await agent.get(`/review/${roundId}`);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Nothing is waiting for you in this round');
  });

  it('the shared DPO sees the annex once with a checkbox per practice, approves 3 of 4 in one post: 3 approved, the rest pending', async () => {
    const { agent, submit } = await as(EMAIL.dpo);
    const mine = await requestsOf(EMAIL.dpo, 1);
    expect(mine.length).toBe(4);
    const page = await agent.get(`/review/${roundId}`);
    expect(page.status).toBe(200);
    expect((page.text.match(/<h2 class="nhsuk-heading-l">Annex A — /g) ?? []).length).toBe(1);
    for (const r of mine) expect(page.text).toMatch(new RegExp(`name="approve" type="checkbox" value="${r.id}" checked`));
    const chosen = mine.slice(0, 3);
    const before = await approvalEvents();
    const res = await submit(`/review/${roundId}`, `/review/${roundId}/approve`, {
      approve: chosen.map((r) => r.id),
      hash: Object.fromEntries(mine.map((r) => [r.id, r.bound_hash])),
      capacity: Object.fromEntries(mine.map((r) => [r.id, r.capacity])),
      typedName: FULL_NAME[EMAIL.dpo],
      confirmAuthority: 'yes',
    });
    expect(res.status).toBe(303);
    const after = await requestsOf(EMAIL.dpo, 1);
    expect(after.filter((r) => r.status === 'APPROVED').map((r) => r.id).sort()).toEqual(chosen.map((r) => r.id).sort());
    expect(after.filter((r) => r.status === 'PENDING').map((r) => r.id)).toEqual([mine[3].id]);
    expect(await approvalEvents()).toBe(before + 3);
    const next = await agent.get(res.headers.location);
    expect(next.text).toContain('Approval recorded');
    expect(next.text).toContain(mine[3].organisation_name);
  });

  it('declining without a reason is 422 with the error summary, and records nothing', async () => {
    const { submit } = await as(EMAIL.trustCaldicott);
    const res = await submit(`/review/${roundId}`, `/review/${roundId}/decline`, { reason: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#reason"');
    expect(res.text).toContain('Enter why you are declining');
    const [round] = await t.dataSource.query(`SELECT status FROM approval_round WHERE id = $1`, [roundId]);
    expect(round.status).toBe('ACTIVE');
  });

  it('another PCN’s user gets the 404 page for the review URL and its PDFs', async () => {
    const other = await createPcn(t);
    const user = await createUserWithRole(t, UserRole.PcnManager, other.id, { displayName: 'Someone Else' });
    const { agent } = await signInToPages(t, user.email, user.password);
    const res = await agent.get(`/review/${roundId}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
    expect((await agent.get(`/review/${roundId}/document/agreement.pdf`)).status).toBe(404);
  });

  describe('step 2: signatures', () => {
    beforeAll(async () => {
      for (const email of [EMAIL.dpo, EMAIL.trustCaldicott, EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist]) await approveAllTasks(t.http, email, FULL_NAME[email]);
      const [round] = await t.dataSource.query(`SELECT current_step FROM approval_round WHERE id = $1`, [roundId]);
      expect(round.current_step).toBe(2);
    });

    it('a partner reads the agreement — clauses and schedules in the PDF’s order, labels in words, no UUIDs — and the PDF is labelled for review', async () => {
      const { agent } = await as(EMAIL.whitfield);
      const page = await agent.get(`/review/${roundId}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Member practice and partner signatures');
      const order = ['Clauses', 'Schedule 1 — Key network details and governance', 'Schedule 4 — Financial arrangements', 'Schedule 7 — Arrangements with non-GP organisations'].map((h) => page.text.indexOf(h));
      expect(order.every((i) => i > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(page.text).toContain('Yarm Medical Practice');
      expect(page.text).toContain('as Partner');
      expect(readable(page.text)).not.toMatch(UUID);
      expect(page.text).not.toMatch(/DRAFT|"art6Basis"|PARTNER\b(?!")/);
      const pdf = await agent.get(`/review/${roundId}/document/agreement.pdf`);
      expect(pdf.status).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
    });

    it('a signer who has not opened the page cannot approve: nothing is recorded', async () => {
      const { agent } = await as(EMAIL.lindqvist);
      const mine = await requestsOf(EMAIL.lindqvist, 2);
      expect(mine.length).toBeGreaterThan(0);
      const tasks = await agent.get('/tasks');
      const res = await agent.post(`/review/${roundId}/approve`).type('form').send({
        _csrf: csrfTokenIn(tasks.text),
        approve: mine.map((r) => r.id),
        hash: Object.fromEntries(mine.map((r) => [r.id, r.bound_hash])),
        capacity: Object.fromEntries(mine.map((r) => [r.id, r.capacity])),
        typedName: FULL_NAME[EMAIL.lindqvist],
        confirmAuthority: 'yes',
      });
      expect(res.status).toBe(409);
      expect((await requestsOf(EMAIL.lindqvist, 2)).every((r) => r.status === 'PENDING')).toBe(true);
    });

    it('delegation lists colleagues by name and role, never asks for an id, and hands the request over', async () => {
      const { agent, submit } = await as(EMAIL.raman);
      const page = await agent.get(`/review/${roundId}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Someone else should approve this');
      expect(page.text).toContain('Dr Owen Pritchard (Partner)');
      expect(readable(page.text)).not.toMatch(UUID);
      const empty = await submit(`/review/${roundId}`, `/review/${roundId}/delegate`, {});
      expect(empty.status).toBe(422);
      expect(empty.text).toContain('href="#delegateTo"');
      const choice = new RegExp(`name="delegateTo" type="radio" value="([^"]+\\.${personId(EMAIL.pritchard)})"`).exec(page.text)![1];
      const res = await submit(`/review/${roundId}`, `/review/${roundId}/delegate`, { delegateTo: choice });
      expect(res.status).toBe(303);
      const done = await agent.get(res.headers.location);
      expect(done.text).toContain('You have passed this on');
      const [handed] = await t.dataSource.query(`SELECT count(*)::int AS n FROM signature_request WHERE round_id = $1 AND person_id = $2 AND status = 'PENDING'`, [roundId, personId(EMAIL.pritchard)]);
      expect(handed.n).toBeGreaterThan(0);
    });
  });
});
