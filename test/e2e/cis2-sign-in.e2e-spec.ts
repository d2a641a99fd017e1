import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '@pcn/database';
import { AuthService, RoleGrantEntity, UserEntity, UserRole, type PageSession } from '@pcn/auth';
import { OrganisationEntity } from '@pcn/directory';
import type { INestApplicationContext } from '@nestjs/common';
import { createTestApp, type TestApp } from '../support/test-app';
import { loadBytes, EMAIL, tokenFor } from '../support/workflow-scenario';
import { startTestOidcProvider, type TestCis2Account, type TestOidcProvider } from '../support/test-oidc-provider';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server';
import { startTestWorker } from '../support/test-worker';
import { csrfTokenIn } from '../support/page-session';

/** The pages' callback when PUBLIC_BASE_URL is the test default. */
const CALLBACK = 'http://localhost:3000/sign-in/cis2/callback';

/** The test mapping: the documented default plus a platform admin and an ICB auditor (env JSON). */
const MAPPING = {
  rules: [
    { roleCode: 'R8000', organisationKind: 'PCN', platformRole: 'PCN_CLINICAL_DIRECTOR' },
    { roleCode: 'R8008', organisationKind: 'PCN', platformRole: 'PCN_MANAGER' },
    { roleCode: 'R0260', organisationKind: 'GP_PRACTICE', platformRole: 'PRACTICE_SIGNATORY' },
    { roleCode: 'R8008', organisationKind: 'GP_PRACTICE', platformRole: 'PRACTICE_MANAGER' },
    { roleCode: 'R8015', orgCode: 'X26', platformRole: 'PLATFORM_ADMIN' },
    { roleCode: 'R8012', orgCode: 'QHM', platformRole: 'AUDITOR', icbCode: 'QHM' },
  ],
};

const role = (org_code: string, role_code: string, role_name: string, n = 1) => ({ org_code, role_code: `S8000:G8000:${role_code}`, role_name, person_roleid: `5555${n}${org_code}` });

let op: TestOidcProvider;
let t: TestApp;
let smtp: SmtpTestServer;
let worker: INestApplicationContext;
let org: Record<'bytes' | 'yarm' | 'eaglescliffe', string>;

function account(sub: string, email: string, name: string, roles: ReturnType<typeof role>[], extra: Partial<TestCis2Account> = {}): TestCis2Account {
  const a: TestCis2Account = { sub, email, name, acr: 'AAL3_ANY', roles, orgs: [...new Set(roles.map((r) => r.org_code))].map((c) => ({ org_code: c, org_name: `Organisation ${c}` })), ...extra };
  op.addAccount(a);
  return a;
}

/** Follows the provider's redirects by hand (its own cookies) up to the app's callback URL. */
async function throughProvider(authorizationUrl: string, sub: string): Promise<URL> {
  const provider = request.agent(op.issuer);
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop++) {
    if (url.href.startsWith(CALLBACK)) return url;
    if (url.origin !== op.issuer) throw new Error(`unexpected redirect to ${url.href}`);
    if (/^\/interaction\/[^/]+$/.test(url.pathname)) {
      const form = await provider.get(url.pathname);
      expect(form.status).toBe(200);
      const done = await provider.post(`${url.pathname}/login`).type('form').send({ login: sub });
      expect(done.status).toBe(303);
      url = new URL(done.headers.location, op.issuer);
      continue;
    }
    const res = await provider.get(url.pathname + url.search);
    if (![302, 303].includes(res.status)) throw new Error(`provider answered ${res.status}: ${res.text.slice(0, 300)}`);
    url = new URL(res.headers.location, op.issuer);
  }
  throw new Error('too many redirects');
}

/** Starts CIS2 sign-in in the app (its session), signs in at the provider, returns the callback URL. */
async function startSignIn(agent: TestAgent, sub: string, returnTo?: string): Promise<URL> {
  const start = await agent.get(`/sign-in/cis2${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`);
  expect(start.status).toBe(302);
  const authorization = new URL(start.headers.location);
  expect(authorization.origin).toBe(op.issuer);
  return throughProvider(authorization.href, sub);
}

const callbackPath = (url: URL) => url.pathname + url.search;
const sessionIdOf = (res: request.Response): string | null => {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = cookies.find((c) => c.startsWith('pcn_session='));
  return cookie ? decodeURIComponent(cookie.split(';')[0].slice('pcn_session='.length)).replace(/^s:/, '').split('.')[0] : null;
};
async function storedSession(sid: string): Promise<PageSession | null> {
  const raw = await t.app.get<Redis>(REDIS_CLIENT).get(`${process.env.REDIS_PREFIX}:session:${sid}`);
  return raw ? (JSON.parse(raw) as PageSession) : null;
}

/** The technical reason the refusal page gives for IT support. */
const reasonOf = (res: request.Response) => (/id="refusal-reason">([^<]*)</.exec(res.text)?.[1] ?? '').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

async function signIn(sub: string, returnTo?: string) {
  const agent = request.agent(t.app.getHttpServer());
  const callback = await startSignIn(agent, sub, returnTo);
  const res = await agent.get(callbackPath(callback));
  return { agent, res };
}

beforeAll(async () => {
  op = await startTestOidcProvider();
  op.setRedirectUri(CALLBACK);
  smtp = await startSmtpTestServer();
  t = await createTestApp(op.env({ OIDC_ROLE_MAPPING: JSON.stringify(MAPPING), OUTBOX_POLL_MS: '50', ...smtp.env() }));
  // The invitation emails go out through the real worker and SMTP.
  worker = await startTestWorker();
  await loadBytes(t);
  const orgs = t.dataSource.getRepository(OrganisationEntity);
  const id = async (odsCode: string) => (await orgs.findOneByOrFail({ odsCode })).id;
  org = { bytes: await id('U70101'), yarm: await id('A87001'), eaglescliffe: await id('A87002') };
});

afterAll(async () => {
  await worker?.close();
  await t?.close();
  await smtp?.close();
  await op?.close();
});

beforeEach(() => op.use('cis2'));

describe('CIS2 sign-in page', () => {
  it('offers "Sign in with NHS Care Identity Service 2" next to the password form', async () => {
    const res = await t.http.get('/sign-in?returnTo=%2Fagreements');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Sign in with NHS Care Identity Service 2');
    expect(res.text).toContain('href="/sign-in/cis2?returnTo=%2Fagreements"');
    expect(res.text).toContain('name="password"');
  });

  it('asks the provider for the code flow with PKCE (S256), state, nonce, the CIS2 scopes and acr_values', async () => {
    const res = await request.agent(t.app.getHttpServer()).get('/sign-in/cis2');
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location);
    expect(url.pathname).toBe('/auth');
    const p = Object.fromEntries(url.searchParams);
    expect(p).toMatchObject({ response_type: 'code', client_id: op.clientId, redirect_uri: CALLBACK, scope: 'openid profile email nationalrbacaccess associatedorgs', acr_values: 'AAL3_ANY', code_challenge_method: 'S256' });
    expect(p.state).toMatch(/^[\w-]{20,}$/);
    expect(p.nonce).toMatch(/^[\w-]{20,}$/);
    expect(p.code_challenge).toMatch(/^[\w-]{43}$/);
  });
});

describe('a successful CIS2 sign-in for each platform role', () => {
  const cases: [string, () => TestCis2Account, () => { role: UserRole; organisationId: string | null; icbCode: string | null }[]][] = [
    ['clinical director', () => account('0b7d2a11-0000-4000-8000-000000000001', EMAIL.cd, 'Dr Amira Okafor', [role('U70101', 'R8000', 'Clinical Practitioner Access Role'), role('A87001', 'R0260', 'General Medical Practitioner', 2)]), () => [
      { role: UserRole.ClinicalDirector, organisationId: org.bytes, icbCode: null },
      { role: UserRole.PracticeSignatory, organisationId: org.yarm, icbCode: null },
    ]],
    ['PCN manager', () => account('0b7d2a11-0000-4000-8000-000000000002', EMAIL.manager, 'Joanne Barker', [role('U70101', 'R8008', 'Admin/Clinical Support Access Role')]), () => [{ role: UserRole.PcnManager, organisationId: org.bytes, icbCode: null }]],
    ['practice signatory (partner)', () => account('0b7d2a11-0000-4000-8000-000000000003', EMAIL.raman, 'Dr Priya Raman', [role('A87002', 'R0260', 'General Medical Practitioner')]), () => [{ role: UserRole.PracticeSignatory, organisationId: org.eaglescliffe, icbCode: null }]],
    ['practice manager', () => account('0b7d2a11-0000-4000-8000-000000000004', 'helen.marsh@yarm.demo.nhs.uk', 'Helen Marsh', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')]), () => [{ role: UserRole.PracticeManager, organisationId: org.yarm, icbCode: null }]],
    ['auditor', () => account('0b7d2a11-0000-4000-8000-000000000005', EMAIL.auditor, 'ICB Auditor', [role('QHM', 'R8012', 'Information Officer Access Role')]), () => [{ role: UserRole.Auditor, organisationId: null, icbCode: 'QHM' }]],
    ['platform admin', () => account('0b7d2a11-0000-4000-8000-000000000006', EMAIL.admin, 'Platform Administrator', [role('X26', 'R8015', 'Systems Support Access Role')]), () => [{ role: UserRole.PlatformAdmin, organisationId: null, icbCode: null }]],
  ];

  it.each(cases)('%s: a new session with the mapped grants, NHS CIS2 (AAL3), back to the page they wanted, account linked by subject', async (_label, makeAccount, expectedGrants) => {
    const a = makeAccount();
    const agent = request.agent(t.app.getHttpServer());
    const before = sessionIdOf(await agent.get('/sign-in/cis2?returnTo=%2Fagreements'));
    // the round trip started above is abandoned: a fresh one, as a person clicking again would
    const callback = await startSignIn(agent, a.sub, '/agreements');
    const res = await agent.get(callbackPath(callback));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/agreements');
    const sid = sessionIdOf(res);
    expect(sid).not.toBeNull();
    expect(sid).not.toBe(before);
    const session = await storedSession(sid as string);
    expect(session?.principal?.authMethod).toBe('NHS CIS2 (AAL3)');
    expect(session?.principal?.email).toBe(a.email);
    expect(session?.principal?.grants).toEqual(expectedGrants());
    const user = await t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: a.email });
    expect({ issuer: user.oidcIssuer, subject: user.oidcSubject }).toEqual({ issuer: op.issuer, subject: a.sub });
    expect(session?.principal?.id).toBe(user.id);
    const tasks = await agent.get('/tasks');
    expect(tasks.status).toBe(200);
  });

  it('links by subject only after the first sign-in: a new email on the card still signs in; another subject with the linked email does not', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000007', EMAIL.pritchard, 'Dr Owen Pritchard', [role('A87002', 'R0260', 'General Medical Practitioner')]);
    expect((await signIn(a.sub)).res.status).toBe(303);
    op.addAccount({ ...a, email: 'o.pritchard@nhs.net' });
    const again = await signIn(a.sub);
    expect(again.res.status).toBe(303);
    expect(again.res.headers.location).toBe('/tasks');
    const impostor = account('0b7d2a11-0000-4000-8000-000000000008', EMAIL.pritchard, 'Dr Owen Pritchard', [role('A87002', 'R0260', 'General Medical Practitioner')]);
    const refused = await signIn(impostor.sub);
    expect(refused.res.status).toBe(403);
    expect(refused.res.text).toContain('You do not have an account for this service yet');
    expect((await storedSession(sessionIdOf(refused.res) as string))?.principal).toBeUndefined();
  });

  it('an email the provider has not verified links nothing', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000009', EMAIL.whitfield, 'Dr Thomas Whitfield', [role('A87001', 'R0260', 'General Medical Practitioner')], { emailVerified: false });
    const { res } = await signIn(a.sub);
    expect(res.status).toBe(403);
    expect(res.text).toContain('You do not have an account for this service yet');
    expect((await t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: EMAIL.whitfield })).oidcSubject).toBeNull();
  });
});

describe('refused CIS2 sign-ins: a clear page and no signed-in session', () => {
  async function expectNotSignedIn(agent: TestAgent) {
    const tasks = await agent.get('/tasks');
    expect(tasks.status).toBe(303);
    expect(tasks.headers.location).toMatch(/^\/sign-in/);
  }

  it('an organisation the platform does not know → 403 page naming the role and organisation', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000010', EMAIL.adeyemi, 'Dr Samuel Adeyemi', [role('Y99999', 'R0260', 'General Medical Practitioner')]);
    const { agent, res } = await signIn(a.sub);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Your smartcard role does not give access to this service');
    expect(res.text).toContain('General Medical Practitioner at Organisation Y99999 (Y99999)');
    await expectNotSignedIn(agent);
    expect((await t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: EMAIL.adeyemi })).oidcSubject).toBeNull();
  });

  it('an assurance level below the minimum (AAL1 password) → 403 page', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000011', EMAIL.lindqvist, 'Dr Margaret Lindqvist', [role('A87004', 'R0260', 'General Medical Practitioner')], { acr: 'AAL1_USERPASS' });
    const { agent, res } = await signIn(a.sub);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Your sign-in is not strong enough for this service');
    expect(res.text).toContain('You signed in at level 1');
    await expectNotSignedIn(agent);
  });

  it('a tampered state → 401 page, no session', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000012', EMAIL.trustSignatory, 'Grace Holloway', [role('A87001', 'R0260', 'General Medical Practitioner')]);
    const agent = request.agent(t.app.getHttpServer());
    const callback = await startSignIn(agent, a.sub);
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const res = await agent.get(callbackPath(callback));
    expect(res.status).toBe(401);
    expect(res.text).toContain('Sign-in with NHS Care Identity Service 2 did not complete');
    expect(reasonOf(res)).toContain('unexpected "state" response parameter value');
    await expectNotSignedIn(agent);
  });

  it('a replayed code (its callback sent again in a new sign-in) → 401 page, no session', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000013', EMAIL.dpo, 'Fiona Gallagher', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')]);
    const first = request.agent(t.app.getHttpServer());
    const callback = await startSignIn(first, a.sub);
    expect((await first.get(callbackPath(callback))).status).toBe(303);
    // The same callback again in the same browser: the round trip's state is spent.
    const sameBrowser = await first.get(callbackPath(callback));
    expect(sameBrowser.status).toBe(401);
    // An attacker's browser with a round trip of its own: the provider refuses the used code (and the PKCE verifier).
    const attacker = request.agent(t.app.getHttpServer());
    const own = await attacker.get('/sign-in/cis2');
    const ownState = new URL(own.headers.location).searchParams.get('state') as string;
    const replay = new URL(callback.href);
    replay.searchParams.set('state', ownState);
    const res = await attacker.get(callbackPath(replay));
    expect(res.status).toBe(401);
    expect(res.text).toContain('Sign-in with NHS Care Identity Service 2 did not complete');
    expect(reasonOf(res)).toContain('error=invalid_grant');
    await expectNotSignedIn(attacker);
  });

  it('an ID token from another issuer → 401 page, no session', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000014', EMAIL.trustDpo, 'Daniel Osei', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')]);
    op.use('other-issuer');
    const agent = request.agent(t.app.getHttpServer());
    const callback = await startSignIn(agent, a.sub);
    expect(callback.searchParams.get('iss')).toBe('https://other-issuer.invalid');
    // Without the response's iss (which alone would be refused), the ID token's iss is what is checked.
    callback.searchParams.delete('iss');
    const res = await agent.get(callbackPath(callback));
    expect(res.status).toBe(401);
    expect(res.text).toContain('Sign-in with NHS Care Identity Service 2 did not complete');
    expect(reasonOf(res)).toContain('claim=iss');
    await expectNotSignedIn(agent);
  });

  it('an expired ID token (the provider\'s clock ten minutes behind, 60 s lifetime) → 401 page, no session', async () => {
    const a = account('0b7d2a11-0000-4000-8000-000000000015', EMAIL.trustCaldicott, 'Dr Ruth Castellano', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')]);
    op.use('expired');
    const { agent, res } = await signIn(a.sub);
    expect(res.status).toBe(401);
    expect(res.text).toContain('Sign-in with NHS Care Identity Service 2 did not complete');
    expect(reasonOf(res)).toContain('claim=exp');
    await expectNotSignedIn(agent);
    expect((await t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: EMAIL.trustCaldicott })).oidcSubject).toBeNull();
  });
});

/** The authentication trail (auth_event) rows of one kind written since `since`, oldest first. */
async function authEventsSince(since: Date, types: string[]) {
  return (await t.dataSource.query(`SELECT type, user_id AS "userId", email, channel, detail FROM auth_event WHERE occurred_at >= $1 AND type = ANY($2) ORDER BY occurred_at, id`, [since, types])) as { type: string; userId: string | null; email: string | null; channel: string; detail: Record<string, unknown> }[];
}
const dbNow = async (): Promise<Date> => (await t.dataSource.query(`SELECT clock_timestamp() AS now`))[0].now;
/** A PCN manager account of its own (not yet linked to any CIS2 identity), so each test starts from scratch. */
async function freshManager(email: string, name: string) {
  await t.app.get(AuthService).createUser({ email, displayName: name, password: 'unused password of the test 1', grants: [{ role: UserRole.PcnManager, organisationId: org.bytes, icbCode: null }] });
}
const SIGN_IN_TYPES = ['SIGN_IN', 'SIGN_IN_FAILED', 'SIGN_IN_REFUSED', 'SIGN_OUT'];

describe('CIS2 sign-ins, refusals and sign-outs in the authentication trail', () => {
  it('a sign-in (SIGN_IN, oidc, the method) and its sign-out (SIGN_OUT)', async () => {
    await freshManager('kim.lowe@bytes.demo.nhs.uk', 'Kim Lowe');
    const a = account('0b7d2a11-0000-4000-8000-000000000020', 'kim.lowe@bytes.demo.nhs.uk', 'Kim Lowe', [role('U70101', 'R8008', 'Admin/Clinical Support Access Role')]);
    const since = await dbNow();
    const { agent, res } = await signIn(a.sub);
    expect(res.status).toBe(303);
    const user = await t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: 'kim.lowe@bytes.demo.nhs.uk' });
    const tasks = await agent.get('/tasks');
    const out = await agent.post('/sign-out').type('form').send({ _csrf: csrfTokenIn(tasks.text) });
    expect(out.status).toBe(303);
    expect(await authEventsSince(since, SIGN_IN_TYPES)).toEqual([
      { type: 'SIGN_IN', userId: user.id, email: 'kim.lowe@bytes.demo.nhs.uk', channel: 'oidc', detail: { method: 'NHS CIS2 (AAL3)' } },
      { type: 'SIGN_OUT', userId: user.id, email: 'kim.lowe@bytes.demo.nhs.uk', channel: 'page', detail: {} },
    ]);
  });

  it('refusals: assurance too low, no mapping and a tampered state, each once, with the reason', async () => {
    const low = account('0b7d2a11-0000-4000-8000-000000000021', 'low.assurance@yarm.demo.nhs.uk', 'Low Assurance', [role('A87001', 'R0260', 'General Medical Practitioner')], { acr: 'AAL1_USERPASS' });
    const unmapped = account('0b7d2a11-0000-4000-8000-000000000022', 'unmapped@nowhere.demo.nhs.uk', 'No Mapping', [role('Y88888', 'R0260', 'General Medical Practitioner')]);
    const tampered = account('0b7d2a11-0000-4000-8000-000000000023', 'tampered@yarm.demo.nhs.uk', 'Tampered State', [role('A87001', 'R0260', 'General Medical Practitioner')]);
    const since = await dbNow();
    expect((await signIn(low.sub)).res.status).toBe(403);
    expect((await signIn(unmapped.sub)).res.status).toBe(403);
    const agent = request.agent(t.app.getHttpServer());
    const callback = await startSignIn(agent, tampered.sub);
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    expect((await agent.get(callbackPath(callback))).status).toBe(401);
    const events = await authEventsSince(since, SIGN_IN_TYPES);
    expect(events.map(({ type, email, channel, detail }) => ({ type, email, channel, reason: detail.reason, purpose: detail.purpose }))).toEqual([
      { type: 'SIGN_IN_REFUSED', email: null, channel: 'oidc', reason: 'assurance level too low', purpose: 'sign-in' },
      { type: 'SIGN_IN_REFUSED', email: 'unmapped@nowhere.demo.nhs.uk', channel: 'oidc', reason: 'no role mapping applies', purpose: 'sign-in' },
      { type: 'SIGN_IN_FAILED', email: null, channel: 'oidc', reason: 'round trip failed (state, code or ID token)', purpose: 'sign-in' },
    ]);
    expect(events[0].detail).toMatchObject({ level: 1, minimum: 3 });
    expect(events[1].detail.roles).toEqual([{ roleName: 'General Medical Practitioner', orgCode: 'Y88888' }]);
    expect(String(events[2].detail.error)).toContain('unexpected "state" response parameter value');
  });
});

/** The clinical director invites someone to Yarm (API); returns the link's path from the email the worker sent. */
async function invitationLink(email: string, fullName: string, role = 'PRACTICE_MANAGER'): Promise<string> {
  const sent = await t.http.post(`/api/v1/organisations/${org.yarm}/invitations`).set({ Authorization: `Bearer ${await tokenFor(t.http, EMAIL.cd)}` }).send({ fullName, email, role });
  expect(sent.status).toBe(201);
  const mail = await smtp.waitFor((m) => m.to.includes(email), 15_000);
  return /http:\/\/localhost:3000(\/invitation\/[A-Za-z0-9_-]+)/.exec(mail.text)![1];
}

/** From the invitation page's CIS2 button through the provider, back to the callback; returns the callback's answer. */
async function acceptWithCis2(agent: TestAgent, link: string, sub: string): Promise<request.Response> {
  const start = await agent.get(`${link}/cis2`);
  expect(start.status).toBe(302);
  const callback = await throughProvider(start.headers.location, sub);
  return agent.get(callbackPath(callback));
}

describe('accepting an invitation with CIS2', () => {
  it('offers both ways; CIS2 links the subject to the new account, uses up the invitation, and the person then signs in by subject', async () => {
    const link = await invitationLink('nadia.rahman@yarm.demo.nhs.uk', 'Nadia Rahman');
    const visitor = request.agent(t.app.getHttpServer());
    const page = await visitor.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Use your NHS smartcard or authenticator (CIS2)');
    expect(page.text).toContain(`href="${link}/cis2"`);
    expect(page.text).toContain('Or set a password');
    expect(page.text).toContain('name="password"');

    // The smartcard's email differs from the invitation's: the invitation link is what proves who it is for.
    const a = account('0b7d2a11-0000-4000-8000-000000000030', 'n.rahman@nhs.net', 'Nadia Rahman', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')]);
    const since = await dbNow();
    const auditBefore = Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'INVITATION_ACCEPTED'`))[0].n);
    const res = await acceptWithCis2(visitor, link, a.sub);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Your account is ready');
    expect(res.text).toContain('Nadia Rahman (nadia.rahman@yarm.demo.nhs.uk) can now sign in');
    // Not signed in by this page (the header names nobody).
    expect(res.text).not.toContain('Sign out');
    const user = await t.dataSource.getRepository(UserEntity).findOneByOrFail({ email: 'nadia.rahman@yarm.demo.nhs.uk' });
    expect({ issuer: user.oidcIssuer, subject: user.oidcSubject }).toEqual({ issuer: op.issuer, subject: a.sub });
    expect(user.oidcLinkedAt).not.toBeNull();
    expect((await t.dataSource.query(`SELECT accepted_user_id AS "userId" FROM invitation WHERE email = 'nadia.rahman@yarm.demo.nhs.uk'`))[0].userId).toBe(user.id);
    expect(await authEventsSince(since, ['INVITATION_ACCEPTED', ...SIGN_IN_TYPES])).toEqual([
      { type: 'INVITATION_ACCEPTED', userId: user.id, email: 'nadia.rahman@yarm.demo.nhs.uk', channel: 'oidc', detail: { invitationId: expect.any(String), method: 'NHS CIS2 (AAL3)', roles: ['PRACTICE_MANAGER'] } },
    ]);
    expect(Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'INVITATION_ACCEPTED'`))[0].n)).toBe(auditBefore + 1);
    // Not signed in by accepting: the page offers CIS2 sign-in.
    expect((await visitor.get('/tasks')).status).toBe(303);

    const used = await visitor.get(link);
    expect(used.status).toBe(410);
    expect(used.text).toContain('already been used');
    expect((await visitor.get(`${link}/cis2`)).status).toBe(410);

    const signedIn = await signIn(a.sub);
    expect(signedIn.res.status).toBe(303);
    expect((await storedSession(sessionIdOf(signedIn.res) as string))?.principal?.id).toBe(user.id);

    // The account has no password: a password sign-in is an ordinary refusal (it was a 500).
    const byPassword = await t.http.post('/api/v1/auth/login').send({ email: 'nadia.rahman@yarm.demo.nhs.uk', password: user.passwordHash });
    expect([byPassword.status, byPassword.body.message]).toEqual([401, 'The email address or password is not right.']);
  });

  it('a CIS2 identity already linked to an account → 409 page, and the invitation still works', async () => {
    const existing = account('0b7d2a11-0000-4000-8000-000000000031', EMAIL.whitfield, 'Dr Thomas Whitfield', [role('A87001', 'R0260', 'General Medical Practitioner')]);
    expect((await signIn(existing.sub)).res.status).toBe(303);
    const link = await invitationLink('ivy.hughes@yarm.demo.nhs.uk', 'Ivy Hughes');
    const visitor = request.agent(t.app.getHttpServer());
    const res = await acceptWithCis2(visitor, link, existing.sub);
    expect(res.status).toBe(409);
    expect(res.text).toContain('Your NHS Care Identity Service 2 identity is already linked');
    expect(res.text).toContain('Your invitation has not been used.');
    expect(await t.dataSource.getRepository(UserEntity).findOneBy({ email: 'ivy.hughes@yarm.demo.nhs.uk' })).toBeNull();
    expect((await visitor.get(link)).status).toBe(200);
  });

  it('an invitation that expires during the round trip → 410 page; an assurance level too low → 403 page; nothing linked', async () => {
    const link = await invitationLink('leo.marsh@yarm.demo.nhs.uk', 'Leo Marsh');
    const low = account('0b7d2a11-0000-4000-8000-000000000032', 'leo.marsh@yarm.demo.nhs.uk', 'Leo Marsh', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')], { acr: 'AAL1_USERPASS' });
    const visitor = request.agent(t.app.getHttpServer());
    const refused = await acceptWithCis2(visitor, link, low.sub);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Your sign-in is not strong enough for this service');
    expect(refused.text).toContain(`href="${link}"`);

    const good = account('0b7d2a11-0000-4000-8000-000000000033', 'leo.marsh@yarm.demo.nhs.uk', 'Leo Marsh', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')]);
    const start = await visitor.get(`${link}/cis2`);
    expect(start.status).toBe(302);
    const callback = await throughProvider(start.headers.location, good.sub);
    await t.dataSource.query(`UPDATE invitation SET expires_at = now() - interval '1 second' WHERE email = 'leo.marsh@yarm.demo.nhs.uk'`);
    const expired = await visitor.get(callbackPath(callback));
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('This invitation link has expired');
    expect(await t.dataSource.getRepository(UserEntity).findOneBy({ email: 'leo.marsh@yarm.demo.nhs.uk' })).toBeNull();
    expect(await t.dataSource.getRepository(UserEntity).findOneBy({ oidcSubject: good.sub })).toBeNull();
    expect((await visitor.get(`${link}/cis2`)).status).toBe(410);
  });

  it('a plain sign-in after an abandoned invitation round trip is a sign-in, not an acceptance', async () => {
    const link = await invitationLink('ada.frost@yarm.demo.nhs.uk', 'Ada Frost');
    const agent = request.agent(t.app.getHttpServer());
    expect((await agent.get(`${link}/cis2`)).status).toBe(302);
    await freshManager('sam.ortiz@bytes.demo.nhs.uk', 'Sam Ortiz');
    const a = account('0b7d2a11-0000-4000-8000-000000000034', 'sam.ortiz@bytes.demo.nhs.uk', 'Sam Ortiz', [role('U70101', 'R8008', 'Admin/Clinical Support Access Role')]);
    const callback = await startSignIn(agent, a.sub);
    const res = await agent.get(callbackPath(callback));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/tasks');
    expect(await t.dataSource.getRepository(UserEntity).findOneBy({ email: 'ada.frost@yarm.demo.nhs.uk' })).toBeNull();
  });
});

describe('accepting an invitation with PASSWORD_SIGN_IN=off: only the CIS2 option', () => {
  let off: TestApp;
  let offWorker: INestApplicationContext;

  beforeAll(async () => {
    off = await createTestApp(op.env({ OIDC_ROLE_MAPPING: JSON.stringify(MAPPING), OUTBOX_POLL_MS: '50', PASSWORD_SIGN_IN: 'off', ...smtp.env() }));
    offWorker = await startTestWorker();
    await loadBytes(off);
  });

  afterAll(async () => {
    await offWorker?.close();
    await off?.close();
  });

  it('the page offers CIS2 only, a password is refused (403 page and API), and CIS2 accepts', async () => {
    // The clinical director's API token: password login is off, so one is issued for the test through the service.
    const cd = await off.dataSource.getRepository(UserEntity).findOneByOrFail({ email: EMAIL.cd });
    const grants = await off.dataSource.getRepository(RoleGrantEntity).findBy({ userId: cd.id });
    const tokens = await off.app.get(AuthService).issueTokens({ id: cd.id, email: cd.email, displayName: cd.displayName, personId: cd.personId, grants: grants.map((g) => ({ role: g.role, organisationId: g.organisationId, icbCode: g.icbCode })), authMethod: 'test' });
    const sent = await off.http.post(`/api/v1/organisations/${(await off.dataSource.getRepository(OrganisationEntity).findOneByOrFail({ odsCode: 'A87001' })).id}/invitations`).set({ Authorization: `Bearer ${tokens.accessToken}` }).send({ fullName: 'Olu Bankole', email: 'olu.bankole@yarm.demo.nhs.uk', role: 'PRACTICE_MANAGER' });
    expect(sent.status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes('olu.bankole@yarm.demo.nhs.uk'), 15_000);
    const link = /http:\/\/localhost:3000(\/invitation\/[A-Za-z0-9_-]+)/.exec(mail.text)![1];

    const visitor = request.agent(off.app.getHttpServer());
    const page = await visitor.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Use your NHS smartcard or authenticator (CIS2)');
    expect(page.text).not.toContain('name="password"');
    expect(page.text).not.toContain('Or set a password');
    const verify = await visitor.get('/verify');
    const csrf = decodeURIComponent(/\/verify\?_csrf=([^"&]+)/.exec(verify.text)?.[1] ?? '');
    const posted = await visitor.post(link).type('form').send({ password: 'kettle orchard lantern 42', confirmPassword: 'kettle orchard lantern 42', _csrf: csrf });
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('Passwords are switched off here');
    const api = await off.http.post('/api/v1/invitations/accept').send({ token: link.split('/').pop(), password: 'kettle orchard lantern 42' });
    expect(api.status).toBe(403);
    expect(await off.dataSource.getRepository(UserEntity).findOneBy({ email: 'olu.bankole@yarm.demo.nhs.uk' })).toBeNull();

    const a = account('0b7d2a11-0000-4000-8000-000000000040', 'olu.bankole@yarm.demo.nhs.uk', 'Olu Bankole', [role('A87001', 'R8008', 'Admin/Clinical Support Access Role')]);
    const start = await visitor.get(`${link}/cis2`);
    expect(start.status).toBe(302);
    const callback = await throughProvider(start.headers.location, a.sub);
    const res = await visitor.get(callbackPath(callback));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Your account is ready');
    expect((await off.dataSource.getRepository(UserEntity).findOneByOrFail({ email: 'olu.bankole@yarm.demo.nhs.uk' })).oidcSubject).toBe(a.sub);
  });
});
