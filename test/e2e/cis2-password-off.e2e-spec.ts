import { createTestApp, type TestApp } from '../support/test-app';
import { loadBytes, EMAIL, DEMO_PASSWORD } from '../support/workflow-scenario';
import { startTestOidcProvider, type TestOidcProvider } from '../support/test-oidc-provider';

/** PASSWORD_SIGN_IN=off with CIS2 configured: only "Sign in with NHS Care Identity Service 2" is left. */
let op: TestOidcProvider;
let t: TestApp;

beforeAll(async () => {
  op = await startTestOidcProvider();
  op.setRedirectUri('http://localhost:3000/sign-in/cis2/callback');
  t = await createTestApp(op.env({ PASSWORD_SIGN_IN: 'off' }));
  await loadBytes(t);
});

afterAll(async () => {
  await t?.close();
  await op?.close();
});

it('the sign-in page offers CIS2 only', async () => {
  const res = await t.http.get('/sign-in');
  expect(res.status).toBe(200);
  expect(res.text).toContain('Sign in with NHS Care Identity Service 2');
  expect(res.text).not.toContain('name="password"');
});

it('a password posted to the sign-in page is refused (403), with the right password too', async () => {
  const agent = (await import('supertest')).default.agent(t.app.getHttpServer());
  // The sign-in page has no form to take a CSRF token from now; the public verify page has one.
  const verify = await agent.get('/verify');
  const token = decodeURIComponent(/\/verify\?_csrf=([^"&]+)/.exec(verify.text)?.[1] ?? '');
  const res = await agent.post('/sign-in').type('form').send({ email: EMAIL.cd, password: DEMO_PASSWORD, _csrf: token });
  expect(res.status).toBe(403);
  expect(res.text).toContain('Sign-in with a password is switched off');
  expect((await agent.get('/tasks')).status).toBe(303);
});

it('the API refuses password login (403 PERMISSION_DENIED), with the right password too', async () => {
  const res = await t.http.post('/api/v1/auth/login').send({ email: EMAIL.cd, password: DEMO_PASSWORD });
  expect(res.status).toBe(403);
  expect(res.body.code).toBe('PERMISSION_DENIED');
});
