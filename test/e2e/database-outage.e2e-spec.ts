import request from 'supertest';
import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { createUserWithRole, TestUser } from '../support/factories';
import { PrivatePostgres } from '../support/private-postgres';
import { appRoutes } from '../support/app-routes';
import { csrfTokenIn, signInToPages } from '../support/page-session';
import { runMigrations } from '../../apps/cli/src/migrations';

const SAMPLE_UUID = '00000000-0000-4000-8000-000000000000';
const sample = (path: string) => path.replace(/:([A-Za-z]+)/g, (_, name: string) => (/^(number|from|to|a|b)$/.test(name) ? '1' : /code/i.test(name) ? 'ABCD-EFGH' : /section/.test(name) ? 'keyDetails' : SAMPLE_UUID));

/**
 * PostgreSQL goes away (a private cluster of this test, stopped with `pg_ctl -m immediate`):
 * every route answers within the connection timeout with 503 SERVICE_UNAVAILABLE and
 * Retry-After (or a 4xx that needs no database) — never a 500, and sign-in never says the
 * password is wrong. When PostgreSQL is back, so is the service.
 */
describe('database outage', () => {
  let pg: PrivatePostgres;
  let t: TestApp;
  let admin: TestUser;
  let page: Awaited<ReturnType<typeof signInToPages>>;
  let csrf: string;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    await runMigrations(pg.url, () => undefined);
    t = await createTestApp({ DATABASE_URL: pg.url, DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    admin = await createUserWithRole(t, UserRole.PlatformAdmin);
    page = await signInToPages(t, admin.email, admin.password);
    csrf = csrfTokenIn((await page.agent.get('/tasks')).text);
    await pg.down();
  }, 120_000);

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await pg?.destroy();
  });

  it('/health answers only 503 {"status":"down"} with Retry-After', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'down', code: 'SERVICE_UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('30');
  });

  it('API sign-in with the right password says the service is unavailable (503), not that the password is wrong', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ email: admin.email, password: admin.password });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('30');
  });

  it('the sign-in page says the service is unavailable (503 page), not that the password is wrong', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const csrf = csrfTokenIn((await agent.get('/sign-in')).text);
    const res = await agent.post('/sign-in').type('form').send({ email: admin.email, password: admin.password, _csrf: csrf });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.text).toContain('the service is unavailable');
    expect(res.text).not.toContain('not right');
  });

  it('every route, API and page, answers 503 SERVICE_UNAVAILABLE with Retry-After or a 4xx — never a 500', async () => {
    const outcomes: string[] = [];
    let unavailable = 0;
    // /health is checked above (an admin gets its details rather than the public shape).
    for (const route of appRoutes(t).filter((r) => r.path !== '/health')) {
      const url = sample(route.path);
      const api = url.startsWith('/api') || url === '/health' || url.startsWith('/admin');
      const res = api
        ? await t.http[route.method](url).set('Authorization', admin.bearer).send({})
        : route.method === 'get'
          ? await page.agent.get(url)
          : await page.agent[route.method](url).type('form').send({ _csrf: csrf });
      if (res.status === 503) {
        unavailable++;
        const ok = res.headers['retry-after'] === '30' && (api ? res.body.code === 'SERVICE_UNAVAILABLE' : res.text.includes('the service is unavailable'));
        if (!ok) outcomes.push(`${route.method.toUpperCase()} ${url} → 503 without Retry-After/code`);
      } else if (res.status >= 500) {
        outcomes.push(`${route.method.toUpperCase()} ${url} → ${res.status} ${res.body?.code ?? ''}`);
      }
    }
    expect(outcomes).toEqual([]);
    expect(unavailable).toBeGreaterThan(30);
  });

  it('comes back with PostgreSQL', async () => {
    await pg.up();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await t.http.get('/health')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect((await t.http.post('/api/v1/auth/login').send({ email: admin.email, password: admin.password })).status).toBe(200);
  });
});
