import request from 'supertest';
import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { createPcn, createUserWithRole } from '../support/factories';
import { csrfTokenIn, signInToPages } from '../support/page-session';

describe('pages: sign-in, session, CSRF and error pages', () => {
  let t: TestApp;
  let user: { email: string; password: string };

  beforeAll(async () => {
    t = await createTestApp();
    const pcn = await createPcn(t);
    user = await createUserWithRole(t, UserRole.PcnManager, pcn.id, { displayName: 'Priya Shah' });
  });
  afterAll(() => t?.close());

  it('the root sends a visitor to sign in; the sign-in page is an NHS-style page with its own title', async () => {
    const root = await t.http.get('/');
    expect(root.status).toBe(303);
    expect(root.headers.location).toBe('/sign-in');
    const page = await t.http.get('/sign-in');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<title>Sign in – PCN Agreements</title>');
    expect(page.text).toContain('Skip to main content');
    expect(page.text).toContain('href="/assets/nhsuk-frontend.css"');
    expect(page.text).not.toMatch(/https?:\/\/(?!localhost)[^"']*\.(css|js|woff2?)/);
  });

  it('the stylesheet is served locally and loads no font from a CDN', async () => {
    const css = await t.http.get('/assets/nhsuk-frontend.css');
    expect(css.status).toBe(200);
    expect(css.text).not.toContain('assets.nhs.uk');
    expect((await t.http.get('/assets/images/favicon.svg')).status).toBe(200);
  });

  it('a form posted without its CSRF token is refused and signs nobody in', async () => {
    const res = await t.http.post('/sign-in').type('form').send({ email: user.email, password: user.password });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('a wrong password shows the error summary and keeps the email; the right one signs in with an httpOnly SameSite=Lax cookie', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const form = await agent.get('/sign-in?returnTo=%2Ftasks');
    const wrong = await agent.post('/sign-in').type('form').send({ email: user.email, password: 'not-it', _csrf: csrfTokenIn(form.text), returnTo: '/tasks' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('There is a problem');
    expect(wrong.text).toContain('The email address or password is not right');
    expect(wrong.text).toContain(`value="${user.email}"`);
    expect(wrong.text).toContain('<title>Error: Sign in – PCN Agreements</title>');

    const ok = await agent.post('/sign-in').type('form').send({ email: user.email, password: user.password, _csrf: csrfTokenIn(wrong.text), returnTo: '/tasks' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/tasks');
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/pcn_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const tasks = await agent.get('/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.text).toContain('Priya Shah');
    expect(tasks.text).toContain('Nothing is waiting for you');
  });

  it('a page asked for before signing in comes back after sign-in; a session that ended says so', async () => {
    const res = await t.http.get('/tasks');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Ftasks');
    const ended = await t.http.get('/tasks').set('Cookie', 'pcn_session=s%3Aunknown.signature');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/sign-in?returnTo=%2Ftasks&expired=1');
    const page = await t.http.get(ended.headers.location);
    expect(page.text).toContain('Your session has ended');
  });

  it('signing out ends the session on the server, so the old cookie opens nothing', async () => {
    const { agent } = await signInToPages(t, user.email, user.password);
    const tasks = await agent.get('/tasks');
    const out = await agent.post('/sign-out').type('form').send({ _csrf: csrfTokenIn(tasks.text) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/sign-in?signedOut=1');
    const after = await agent.get('/tasks');
    expect(after.status).toBe(303);
  });

  it('unknown pages get the NHS-style 404 page; unknown API paths keep the JSON error shape', async () => {
    const page = await t.http.get('/no-such-page');
    expect(page.status).toBe(404);
    expect(page.text).toContain('<title>Page not found – PCN Agreements</title>');
    const api = await t.http.get('/api/v1/no-such-thing');
    expect(api.status).toBe(404);
    expect(api.body.code).toBe('NOT_FOUND');
  });
});
