import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { AuthErrorCode, AuthException, LinkRateLimiter, LoginThrottle, SessionRevocation, UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { createAgreementFixture, createPcn, createUserWithRole, login, validContentFor } from '../support/factories';
import { expectError, expectStatus } from '../support/http-expect';
import { csrfTokenIn, signInToPages } from '../support/page-session';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LIMITS = { LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_BASE_SECONDS: '1', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000', LINK_LIMIT: '2' };

/** Issue 9, item 4: each protection here fails its test when it is removed. */
describe('hardening (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp(LIMITS)));
  afterAll(async () => t?.close());

  const events = async (email: string) =>
    (await t.dataSource.query(`SELECT type, channel FROM auth_event WHERE email = $1 ORDER BY occurred_at, type`, [email.toLowerCase()])).map((r: { type: string; channel: string }) => `${r.type}/${r.channel}`);

  describe('security headers', () => {
    it('every API answer carries helmet headers and a CSP that loads nothing', async () => {
      const res = await t.http.get('/api/v1/no-such-route');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    });

    it('pages get a strict CSP whose only inline script is nhsuk-frontend\'s, carrying this response\'s nonce', async () => {
      const first = await t.http.get('/sign-in');
      const csp = first.headers['content-security-policy'];
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      const inline = [...first.text.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
      expect(inline).toEqual([` nonce="${nonce}"`]);
      const second = await t.http.get('/sign-in');
      expect(second.headers['content-security-policy']).not.toContain(nonce);
    });
  });

  describe('sign-in throttling and lockout', () => {
    it('locks an account after LOGIN_MAX_FAILURES wrong passwords (429 + Retry-After, even for the right password), then doubles the next lockout', async () => {
      const pcn = await createPcn(t);
      const user = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
      const wrong = () => t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'not-the-password' });
      expectError(await wrong(), 401, 'INVALID_CREDENTIALS');
      expectError(await wrong(), 401, 'INVALID_CREDENTIALS');
      const locked = await wrong();
      expectError(locked, 429, 'TOO_MANY_ATTEMPTS');
      expect(locked.headers['retry-after']).toBe('1');
      const right = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password });
      expectError(right, 429, 'TOO_MANY_ATTEMPTS');
      expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await sleep(1100);
      expectStatus(await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password }), 200);
      // The second lockout within 24 hours lasts twice as long.
      for (let i = 0; i < 2; i++) expectError(await wrong(), 401, 'INVALID_CREDENTIALS');
      const again = await wrong();
      expectError(again, 429, 'TOO_MANY_ATTEMPTS');
      expect(again.headers['retry-after']).toBe('2');
      expect(await events(user.email)).toEqual(expect.arrayContaining(['SIGN_IN/api', 'SIGN_IN_FAILED/api', 'LOCKED_OUT/api', 'SIGN_IN_REFUSED/api']));
    });

    it('the sign-in page shares the lockout: 429 page with Retry-After, never "wrong password" while locked', async () => {
      const pcn = await createPcn(t);
      const user = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
      const agent = request.agent(t.app.getHttpServer());
      const token = csrfTokenIn((await agent.get('/sign-in')).text);
      const post = (password: string) => agent.post('/sign-in').type('form').send({ email: user.email, password, _csrf: token });
      expect((await post('wrong-password-1')).status).toBe(401);
      expect((await post('wrong-password-2')).status).toBe(401);
      const locked = await post('wrong-password-3');
      expect(locked.status).toBe(429);
      expect(locked.headers['retry-after']).toBe('1');
      expect(locked.text).toContain('locked');
      // The API sees the same lock (the counters are in Redis, not in the process).
      expectError(await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password }), 429, 'TOO_MANY_ATTEMPTS');
      expect(await events(user.email)).toEqual(expect.arrayContaining(['SIGN_IN_FAILED/page', 'LOCKED_OUT/page']));
    });

    it('the invitation/password-reset link limiter refuses with 429 and a wait once an address is over LINK_LIMIT', async () => {
      const limiter = t.app.get(LinkRateLimiter);
      await limiter.consume('invitation', '203.0.113.7');
      await limiter.consume('invitation', '203.0.113.7');
      const refused = await limiter.consume('invitation', '203.0.113.7').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AuthException);
      expect((refused as AuthException).code).toBe(AuthErrorCode.TooManyAttempts);
      expect((refused as AuthException).status).toBe(429);
      expect((refused as AuthException).retryAfterSeconds).toBeGreaterThan(0);
      await expect(limiter.consume('password-reset', '203.0.113.7')).resolves.toBeUndefined();
    });
  });

  describe('sign-out and revocation', () => {
    it('logout needs the refresh token\'s secret: a known id with a wrong secret revokes nothing (401)', async () => {
      const pcn = await createPcn(t);
      const user = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
      const [id] = user.refreshToken.split('.');
      expectError(await t.http.post('/api/v1/auth/logout').send({ refreshToken: `${id}.${'A'.repeat(43)}` }), 401, 'INVALID_REFRESH_TOKEN');
      expectStatus(await t.http.get('/api/v1/auth/me').set('Authorization', user.bearer), 200);
      expectStatus(await t.http.post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 200);
    });

    it('logout ends the session at once: the access token of that session is refused on the next request', async () => {
      const pcn = await createPcn(t);
      const user = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
      const other = await login(t, user.email, user.password);
      expect((await t.http.post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken })).status).toBe(204);
      expectError(await t.http.get('/api/v1/auth/me').set('Authorization', user.bearer), 401, 'SESSION_REVOKED');
      // Another session of the same person is not touched.
      expectStatus(await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${other.accessToken}`), 200);
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM auth_event WHERE user_id = $1 AND type = 'SIGN_OUT'`, [user.id]);
      expect(n).toBe(1);
    });

    it('sign out everywhere ends every API session and every page session of the person at once; signing in again works', async () => {
      const pcn = await createPcn(t);
      const user = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
      const second = await login(t, user.email, user.password);
      const page = await signInToPages(t, user.email, user.password);
      expect((await page.agent.get('/tasks')).status).toBe(200);
      expect((await t.http.post('/api/v1/auth/logout-everywhere').set('Authorization', user.bearer)).status).toBe(204);
      expectError(await t.http.get('/api/v1/auth/me').set('Authorization', user.bearer), 401, 'SESSION_REVOKED');
      expectError(await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${second.accessToken}`), 401, 'SESSION_REVOKED');
      expectError(await t.http.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
      const bounced = await page.agent.get('/tasks');
      expect(bounced.status).toBe(303);
      expect(bounced.headers.location).toBe('/sign-in?returnTo=%2Ftasks&expired=1');
      const fresh = await login(t, user.email, user.password);
      expectStatus(await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${fresh.accessToken}`), 200);
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM auth_event WHERE user_id = $1 AND type = 'SIGN_OUT_EVERYWHERE'`, [user.id]);
      expect(n).toBe(1);
    });

    it('revokeUserSessions (disabling an account) refuses the user\'s Bearer tokens and page sessions on their next request', async () => {
      const pcn = await createPcn(t);
      const user = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
      const page = await signInToPages(t, user.email, user.password);
      await t.app.get(SessionRevocation).revokeUserSessions(user.id);
      expectError(await t.http.get('/api/v1/me/tasks').set('Authorization', user.bearer), 401, 'SESSION_REVOKED');
      expect((await page.agent.get('/tasks')).status).toBe(303);
      expectError(await t.http.post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
    });
  });

  describe('input the database cannot store is refused at the edge', () => {
    let cd: Awaited<ReturnType<typeof createUserWithRole>>;
    let agreementId: string;
    let practiceId: string;
    beforeAll(async () => {
      const fixture = await createAgreementFixture(t);
      practiceId = fixture.practices[0].id;
      cd = await createUserWithRole(t, UserRole.ClinicalDirector, fixture.pcn.id);
      const created = expectStatus(await t.http.post(`/api/v1/pcns/${fixture.pcn.id}/agreements`).set('Authorization', cd.bearer).send({ content: validContentFor(fixture) }), 201);
      agreementId = created.agreement.id;
    });

    it.each(['2147483648', '-4.3e+16', '1.5', '0', '99999999999999999999', 'NaN'])('revision number %s is 400', async (n) => {
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/${encodeURIComponent(n)}`).set('Authorization', cd.bearer), 400, 'BAD_REQUEST');
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/1/diff/${encodeURIComponent(n)}`).set('Authorization', cd.bearer), 400, 'BAD_REQUEST');
    });

    it('a NUL byte in the query, a JSON body, draft content or a form is 400', async () => {
      expectError(await t.http.get('/api/v1/documents/search?q=a%00b').set('Authorization', cd.bearer), 400, 'BAD_REQUEST');
      expectError(await t.http.post('/api/v1/auth/login').send({ email: 'a\u0000@test.nhs.uk', password: 'x' }), 400, 'BAD_REQUEST');
      const current = expectStatus(await t.http.get(`/api/v1/agreements/${agreementId}`).set('Authorization', cd.bearer), 200);
      const content = current.revision.content;
      content.schedules.keyDetails.clinicalDirector.name = 'Dr \u0000 Null';
      expectError(await t.http.put(`/api/v1/agreements/${agreementId}/draft`).set('Authorization', cd.bearer).send({ baseRevision: 1, content }), 400, 'BAD_REQUEST');
      const agent = request.agent(t.app.getHttpServer());
      const csrf = csrfTokenIn((await agent.get('/sign-in')).text);
      const form = await agent.post('/sign-in').type('form').send(`email=a%00b%40x.uk&password=y&_csrf=${encodeURIComponent(csrf)}`);
      expect(form.status).toBe(400);
    });

    it.each(['sessionsPerWeek', 'percentage', 'wte'])('1e-7 in %s is 422, not 500', async (field) => {
      const current = expectStatus(await t.http.get(`/api/v1/agreements/${agreementId}`).set('Authorization', cd.bearer), 200);
      const content = current.revision.content;
      if (field === 'sessionsPerWeek') content.schedules.keyDetails.clinicalDirector.sessionsPerWeek = 1e-7;
      if (field === 'percentage') content.schedules.finances.shares = [{ organisationId: practiceId, percentage: 1e-7 }];
      if (field === 'wte') content.schedules.workforce.arrsPosts[0].wte = 1e-7;
      const body = expectError(await t.http.put(`/api/v1/agreements/${agreementId}/draft`).set('Authorization', cd.bearer).send({ baseRevision: 1, content }), 422, 'VALIDATION_FAILED');
      expect(JSON.stringify(body.fieldErrors)).toContain(field);
    });
  });

  // Apps of their own: passport keeps one strategy per name for the whole process, so these
  // come last, after the tests that sign in to the main app.
  describe('limits across processes', () => {
    it('a lock set through one API process is seen by another sharing Redis', async () => {
      const prefix = `t${randomBytes(4).toString('hex')}`;
      const one = await createTestApp({ ...LIMITS, REDIS_PREFIX: prefix });
      const two = await createTestApp({ ...LIMITS, REDIS_PREFIX: prefix });
      try {
        // Each app has its own Redis connection and limiter objects, as two processes would.
        const email = `shared-${randomBytes(3).toString('hex')}@test.nhs.uk`;
        const throttleOne = one.app.get(LoginThrottle, { strict: false });
        const throttleTwo = two.app.get(LoginThrottle, { strict: false });
        expect(throttleOne).not.toBe(throttleTwo);
        for (let i = 0; i < 3; i++) await throttleOne.recordFailure(email, '198.51.100.1');
        const refused = await throttleTwo.assertMayTry(email, '198.51.100.2').catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(AuthException);
        expect((refused as AuthException).status).toBe(429);
      } finally {
        await one.close();
        await two.close();
      }
    });

    it('refuses an address that fails too often, whatever accounts it tries', async () => {
      const app = await createTestApp({ LOGIN_MAX_FAILURES_PER_ADDRESS: '4' });
      try {
        for (let i = 0; i < 4; i++) expectError(await app.http.post('/api/v1/auth/login').send({ email: `nobody${i}@test.nhs.uk`, password: 'x-guess' }), 401, 'INVALID_CREDENTIALS');
        const refused = await app.http.post('/api/v1/auth/login').send({ email: 'someone-else@test.nhs.uk', password: 'x-guess' });
        expectError(refused, 429, 'TOO_MANY_ATTEMPTS');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        await app.close();
      }
    });

  });

  describe('API docs', () => {
    it('are off in production unless API_DOCS_ENABLED=true', async () => {
      const prod = await createTestApp({ NODE_ENV: 'production' });
      try {
        expect((await prod.http.get('/api/docs-json')).status).toBe(404);
        expect((await prod.http.get('/api/docs')).status).toBe(404);
        expect((await prod.http.get('/health')).body).toEqual({ status: 'up' });
      } finally {
        await prod.close();
      }
      const on = await createTestApp({ NODE_ENV: 'production', API_DOCS_ENABLED: 'true' });
      try {
        expect((await on.http.get('/api/docs-json')).status).toBe(200);
      } finally {
        await on.close();
      }
    });
  });
});
