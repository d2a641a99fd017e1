import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '@pcn/database';
import { UserEntity, UserRole, type PageSession } from '@pcn/auth';
import { OrganisationEntity } from '@pcn/directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { loadBytes, EMAIL } from '../support/workflow-scenario';
import { startTestOidcProvider, type TestCis2Account, type TestOidcProvider } from '../support/test-oidc-provider';

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
  t = await createTestApp(op.env({ OIDC_ROLE_MAPPING: JSON.stringify(MAPPING) }));
  await loadBytes(t);
  const orgs = t.dataSource.getRepository(OrganisationEntity);
  const id = async (odsCode: string) => (await orgs.findOneByOrFail({ odsCode })).id;
  org = { bytes: await id('U70101'), yarm: await id('A87001'), eaglescliffe: await id('A87002') };
});

afterAll(async () => {
  await t?.close();
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
