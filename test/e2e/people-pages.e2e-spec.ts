import type { INestApplicationContext } from '@nestjs/common';
import { AuthService } from '@pcn/auth';
import { DirectoryService } from '@pcn/directory';
import { createTestApp, TestApp } from '../support/test-app';
import { eventually, FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { csrfTokenIn, signInToPages } from '../support/page-session';
import { DEMO_PASSWORD, EMAIL, loadBytes, tokenFor } from '../support/workflow-scenario';
import { loadSecondPcn, SecondPcnData } from '../../apps/cli/src/seed/demo-second-pcn';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

const HELEN = 'helen.marsh@yarm.demo.nhs.uk'; // practice manager, Yarm (BYTES)
const SARAH = 'sarah.quinn@dartford.demo.nhs.uk'; // practice manager, Dartford Health Centre (another PCN)
const LEAH = 'leah.bennett@dartford.demo.nhs.uk'; // clinical director, Dartford Central PCN
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const dateFields = (prefix: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  // As the browser posts nhsuk-frontend's date input: prefix[day], prefix[month], prefix[year].
  return { [`${prefix}[day]`]: String(Number(d)), [`${prefix}[month]`]: String(Number(m)), [`${prefix}[year]`]: y };
};

/** People and accounts managed in the product: invitations by email, roles with dates, disabling, tenancy, signers' personal data. */
describe('people and accounts (pages + API + worker + SMTP)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  let second: SecondPcnData;
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });
  const auditCount = async () => (await t.dataSource.query(`SELECT type, count(*)::int AS n FROM audit_event WHERE chain_key = 'platform' GROUP BY type ORDER BY type`)) as { type: string; n: number }[];

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    demo = await loadBytes(t);
    second = await loadSecondPcn({ directory: t.app.get(DirectoryService), auth: t.app.get(AuthService), dataSource: t.dataSource }, DEMO_PASSWORD, Object.values(demo.partnerIds));
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  it('invites by email; the link sets a password once, an expired link is refused, and the new account signs in', async () => {
    const cd = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
    const before = await auditCount();
    const form = await cd.agent.get(`/people/${demo.practiceIds.yarm}/invite`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Practice manager');
    expect(form.text).not.toContain('PRACTICE_MANAGER"'.replace('"', '<'));
    const sent = await cd.submit(`/people/${demo.practiceIds.yarm}/invite`, `/people/${demo.practiceIds.yarm}/invite`, { personId: 'new', fullName: 'Nadia Rahman', email: 'nadia.rahman@yarm.demo.nhs.uk', role: 'PRACTICE_MANAGER' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/people/${demo.practiceIds.yarm}?done=invited`);

    const mail = await smtp.waitFor((m) => m.to.includes('nadia.rahman@yarm.demo.nhs.uk'));
    expect(mail.subject).toBe('You have been invited to PCN Agreements');
    expect(mail.text).toContain('Practice manager — Yarm Medical Practice (A87001)');
    const link = /http:\/\/localhost:3000(\/invitation\/[A-Za-z0-9_-]+)/.exec(mail.text)![1];
    const [{ token_hash: hash }] = await t.dataSource.query(`SELECT token_hash FROM invitation WHERE email = 'nadia.rahman@yarm.demo.nhs.uk'`);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(link).not.toContain(hash);

    const visitor = (await import('supertest')).default.agent(t.app.getHttpServer());
    const page = await visitor.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Set your password');
    const short = await visitor.post(link).type('form').send({ password: 'too-short', confirmPassword: 'too-short', _csrf: csrfTokenIn(page.text) });
    expect(short.status).toBe(422);
    expect(short.text).toContain('at least 12 characters');
    const set = await visitor.post(link).type('form').send({ password: 'kettle orchard lantern 42', confirmPassword: 'kettle orchard lantern 42', _csrf: csrfTokenIn(short.text) });
    expect(set.status).toBe(303);
    expect(set.headers.location).toBe('/sign-in?invited=1');
    const again = await visitor.get(link);
    expect(again.status).toBe(410);
    expect(again.text).toContain('already been used');
    const reuse = await t.http.post('/api/v1/invitations/accept').send({ token: link.split('/').pop(), password: 'another long password 7' });
    expect(reuse.status).toBe(410);

    const login = await t.http.post('/api/v1/auth/login').send({ email: 'nadia.rahman@yarm.demo.nhs.uk', password: 'kettle orchard lantern 42' });
    expect(login.status).toBe(200);
    const nadia = await signInToPages(t, 'nadia.rahman@yarm.demo.nhs.uk', 'kettle orchard lantern 42');
    expect((await nadia.agent.get('/people')).headers.location).toBe(`/people/${demo.practiceIds.yarm}`);

    // An expired link: invited over the API, the email arrives, the link is then past its expiry.
    const api = await t.http.post(`/api/v1/organisations/${demo.practiceIds.yarm}/invitations`).set(await auth(EMAIL.cd)).send({ fullName: 'Oliver Grant', email: 'oliver.grant@yarm.demo.nhs.uk', role: 'PRACTICE_SIGNATORY' });
    expect(api.status).toBe(201);
    const mail2 = await smtp.waitFor((m) => m.to.includes('oliver.grant@yarm.demo.nhs.uk'));
    const token2 = /\/invitation\/([A-Za-z0-9_-]+)/.exec(mail2.text)![1];
    await t.dataSource.query(`UPDATE invitation SET expires_at = now() - interval '1 minute' WHERE email = 'oliver.grant@yarm.demo.nhs.uk'`);
    const expired = await t.http.post('/api/v1/invitations/accept').send({ token: token2, password: 'kettle orchard lantern 43' });
    expect(expired.status).toBe(410);
    expect(expired.body.message).toContain('expired');
    expect((await t.http.post('/api/v1/auth/login').send({ email: 'oliver.grant@yarm.demo.nhs.uk', password: 'kettle orchard lantern 43' })).status).toBe(401);

    // Audit: 2 people added, 2 invitations, 1 acceptance — nothing else.
    const after = await auditCount();
    const delta = Object.fromEntries(after.map((a) => [a.type, a.n - (before.find((b) => b.type === a.type)?.n ?? 0)]).filter(([, n]) => n !== 0));
    expect(delta).toEqual({ PERSON_ADDED: 2, USER_INVITED: 2, INVITATION_ACCEPTED: 1 });
  });

  it('a practice manager records a partner leaving (dated): the signer plan no longer includes them, and the change is audited once', async () => {
    const helen = await signInToPages(t, HELEN, DEMO_PASSWORD);
    const cd = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
    const planBefore = await cd.agent.get(`/agreements/${demo.agreementId}/send`);
    expect(planBefore.status).toBe(200);
    expect(planBefore.text).toContain('Dr Thomas Whitfield');

    const people = await helen.agent.get(`/people/${demo.practiceIds.yarm}`);
    expect(people.status).toBe(200);
    const roleId = new RegExp(`/people/${demo.practiceIds.yarm}/roles/([0-9a-f-]{36})/end"[^>]*>Record leaving<span class="nhsuk-u-visually-hidden"> for Dr Thomas Whitfield, Partner`).exec(people.text)![1];
    const before = await auditCount();
    const invalid = await helen.submit(`/people/${demo.practiceIds.yarm}/roles/${roleId}/end`, `/people/${demo.practiceIds.yarm}/roles/${roleId}/end`, dateFields('validTo', '2001-01-01'));
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('on or after the day they started');
    const ended = await helen.submit(`/people/${demo.practiceIds.yarm}/roles/${roleId}/end`, `/people/${demo.practiceIds.yarm}/roles/${roleId}/end`, dateFields('validTo', yesterday()));
    expect(ended.status).toBe(303);
    const [row] = await t.dataSource.query(`SELECT valid_to::text AS "validTo" FROM person_role WHERE id = $1`, [roleId]);
    expect(row.validTo).toBe(yesterday());

    const planAfter = await cd.agent.get(`/agreements/${demo.agreementId}/send`);
    expect(planAfter.status).toBe(200);
    expect(planAfter.text).not.toMatch(/Dr Thomas Whitfield[^<]*<\/[^>]+>\s*<[^>]+>[^<]*Partner/);
    const after = await auditCount();
    expect(after.find((a) => a.type === 'PERSON_ROLE_ENDED')!.n - (before.find((b) => b.type === 'PERSON_ROLE_ENDED')?.n ?? 0)).toBe(1);
    expect(after.reduce((s, a) => s + a.n, 0) - before.reduce((s, a) => s + a.n, 0)).toBe(1);
  });

  it('another practice or PCN gets "not found", on the pages and the API', async () => {
    const sarah = await signInToPages(t, SARAH, DEMO_PASSWORD);
    expect((await sarah.agent.get(`/people/${demo.practiceIds.yarm}`)).status).toBe(404);
    expect((await sarah.agent.get(`/people/${demo.practiceIds.yarm}/invite`)).status).toBe(404);
    const helen = await signInToPages(t, HELEN, DEMO_PASSWORD);
    expect((await helen.agent.get(`/people/${demo.practiceIds.eaglescliffe}`)).status).toBe(404);
    expect((await helen.agent.get(`/people/${second.practiceId}`)).status).toBe(404);
    expect((await t.http.get(`/api/v1/organisations/${demo.practiceIds.yarm}/people`).set(await auth(SARAH))).status).toBe(404);
    expect((await t.http.get(`/api/v1/organisations/${demo.practiceIds.yarm}/people`).set(await auth(LEAH))).status).toBe(404);
    const before = await auditCount();
    const refused = await t.http.post(`/api/v1/organisations/${demo.practiceIds.yarm}/invitations`).set(await auth(SARAH)).send({ fullName: 'Mallory Jones', email: 'mallory@example.org', role: 'PRACTICE_MANAGER' });
    expect(refused.status).toBe(404);
    expect(await auditCount()).toEqual(before);
    expect((await t.http.get(`/api/v1/organisations/${second.practiceId}/people`).set(await auth(SARAH))).status).toBe(200);
  });

  it('disabling an account ends its open page session and its API tokens at once and refuses its sign-in', async () => {
    const pritchard = await signInToPages(t, EMAIL.pritchard, DEMO_PASSWORD);
    expect((await pritchard.agent.get('/tasks')).status).toBe(200);
    const tokens = (await t.http.post('/api/v1/auth/login').send({ email: EMAIL.pritchard, password: DEMO_PASSWORD })).body;
    expect((await t.http.get('/api/v1/me/tasks').set('Authorization', `Bearer ${tokens.accessToken}`)).status).toBe(200);
    const cd = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
    const people = await cd.agent.get(`/people/${demo.practiceIds.eaglescliffe}`);
    const userId = /\/accounts\/([0-9a-f-]{36})\/disable"[^>]*>Disable<span class="nhsuk-u-visually-hidden"> Dr Owen Pritchard/.exec(people.text)![1];
    const before = await auditCount();
    const confirm = await cd.agent.get(`/people/${demo.practiceIds.eaglescliffe}/accounts/${userId}/disable`);
    expect(confirm.status).toBe(200);
    const done = await cd.agent.post(`/people/${demo.practiceIds.eaglescliffe}/accounts/${userId}/disable`).type('form').send({ _csrf: csrfTokenIn(confirm.text) });
    expect(done.status).toBe(303);
    const next = await pritchard.agent.get('/tasks');
    expect(next.status).toBe(303);
    expect(next.headers.location).toMatch(/^\/sign-in/);
    // The access token (valid for minutes more) and the refresh token are refused now.
    expect((await t.http.get('/api/v1/me/tasks').set('Authorization', `Bearer ${tokens.accessToken}`)).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken })).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/login').send({ email: EMAIL.pritchard, password: DEMO_PASSWORD })).status).toBe(401);
    const [cdAccount] = await t.dataSource.query(`SELECT id FROM user_account WHERE email = $1`, [EMAIL.cd]);
    const trail = await t.dataSource.query(`SELECT type, actor_user_id AS "actorUserId" FROM auth_event WHERE user_id = $1 AND type = 'ACCOUNT_DISABLED'`, [userId]);
    expect(trail).toEqual([{ type: 'ACCOUNT_DISABLED', actorUserId: cdAccount.id }]);
    const after = await auditCount();
    expect(after.reduce((s, a) => s + a.n, 0) - before.reduce((s, a) => s + a.n, 0)).toBe(1);
    expect(after.find((a) => a.type === 'ACCOUNT_DISABLED')!.n).toBe(1);
  });

  it("signers' email, IP address and user agent reach the clinical director and the person, not another practice's manager", async () => {
    const submitted = await t.http.post(`/api/v1/agreements/${demo.agreementId}/submit`).set(await auth(EMAIL.cd)).send({ revisionNumber: 1, dueAt: new Date(Date.now() + 3_600_000).toISOString(), maxReminders: 0 });
    expect(submitted.status).toBe(201);
    const dpoTask = await eventually('DPO task', async () => {
      const tasks = await t.http.get('/api/v1/me/tasks').set(await auth(EMAIL.dpo));
      return tasks.body.find((x: { agreementId: string }) => x.agreementId === demo.agreementId);
    });
    const approved = await t.http.post(`/api/v1/requests/${dpoTask.requestId}/approve`).set(await auth(EMAIL.dpo)).set('User-Agent', 'dpo-browser/1.0').send({ typedName: 'Fiona Gallagher', capacity: dpoTask.capacity, confirmAuthority: true, hash: dpoTask.hashToConfirm });
    expect(approved.status).toBe(200);
    const requestsAs = async (email: string) => {
      const res = await t.http.get(`/api/v1/agreements/${demo.agreementId}/rounds`).set(await auth(email));
      expect(res.status).toBe(200);
      return res.body[0].requests.filter((r: { id: string }) => r.id === dpoTask.requestId)[0];
    };
    const asCd = await requestsAs(EMAIL.cd);
    expect(asCd.personEmail).toBe(EMAIL.dpo);
    expect(asCd.userAgent).toBe('dpo-browser/1.0');
    expect(asCd.ip).not.toBeNull();
    const asHelen = await requestsAs(HELEN);
    expect(asHelen).toMatchObject({ personName: 'Fiona Gallagher', personEmail: null, ip: null, userAgent: null });
    expect(asHelen.actedAt).not.toBeNull();
    const asSelf = await requestsAs(EMAIL.dpo);
    expect(asSelf.userAgent).toBe('dpo-browser/1.0');
    const asAuditor = await requestsAs(EMAIL.auditor);
    expect(asAuditor.personEmail).toBe(EMAIL.dpo);

    // A partner leaves mid-round: the clinical director is told on the progress page, with what to do.
    const raman = await t.http.get(`/api/v1/organisations/${demo.practiceIds.eaglescliffe}/people`).set(await auth(EMAIL.cd));
    for (const role of raman.body.roles.filter((r: { fullName: string; current: boolean }) => r.fullName === 'Dr Priya Raman' && r.current)) {
      expect((await t.http.patch(`/api/v1/person-roles/${role.id}`).set(await auth(EMAIL.cd)).send({ validTo: yesterday() })).status).toBe(200);
    }
    const cd = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
    const progress = await cd.agent.get(`/agreements/${demo.agreementId}/progress`);
    expect(progress.status).toBe(200);
    expect(progress.text).toContain('Dr Priya Raman no longer holds a role at Eaglescliffe Medical Practice (A87002) in the directory, but is still asked in this round.');
    expect(progress.text).toContain('withdraw the round and send it again');
    // The people page that made the change says the same, in words, for each open round.
    const [{ title }] = await t.dataSource.query(`SELECT title FROM network_agreement WHERE id = $1`, [demo.agreementId]);
    const peoplePage = await cd.agent.get(`/people/${demo.practiceIds.eaglescliffe}`);
    expect(peoplePage.status).toBe(200);
    expect(peoplePage.text.replace(/&#39;/g, "'")).toContain(`The open round for ${title} keeps the plan it was sent with: it still asks Dr Priya Raman to sign for Eaglescliffe Medical Practice, who no longer holds a role here. The clinical director may restart it (withdraw the round and send it again) so that it uses the new plan.`);
    const yarmPage = await cd.agent.get(`/people/${demo.practiceIds.yarm}`);
    expect(yarmPage.text).not.toContain('open-round-notices');
    const helen = await signInToPages(t, HELEN, DEMO_PASSWORD);
    const helenProgress = await helen.agent.get(`/agreements/${demo.agreementId}/progress`);
    expect(helenProgress.status).toBe(200);
    expect(helenProgress.text).not.toContain('directory-changes');
    expect(helenProgress.text).not.toContain(EMAIL.dpo);
  });
});
