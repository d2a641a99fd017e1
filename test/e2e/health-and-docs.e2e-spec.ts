import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectStatus } from '../support/http-expect';
import { UserRole } from '@pcn/auth';
import { createPcn, createUserWithRole } from '../support/factories';

describe('health and API docs (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('GET /health answers 200 {"status":"up"} and nothing more without signing in, outside the /api/v1 prefix', async () => {
    const body = expectStatus(await t.http.get('/health'), 200);
    expect(body).toEqual({ status: 'up' });
  });

  it('GET /health gives the details (PostgreSQL, Redis, queues) to platform admins only', async () => {
    const admin = await createUserWithRole(t, UserRole.PlatformAdmin);
    const body = expectStatus(await t.http.get('/health').set('Authorization', admin.bearer), 200);
    expect(body.status).toBe('ok');
    expect(body.info.postgres.status).toBe('up');
    expect(body.info.redis.status).toBe('up');
    expect(body.error).toEqual({});
    const pcn = await createPcn(t);
    const cd = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
    expect(expectStatus(await t.http.get('/health').set('Authorization', cd.bearer), 200)).toEqual({ status: 'up' });
    expect(expectStatus(await t.http.get('/health').set('Authorization', 'Bearer not-a-token'), 200)).toEqual({ status: 'up' });
  });

  it('GET /api/docs-json is an OpenAPI 3 document with the auth, directory and agreements paths', async () => {
    const doc = expectStatus(await t.http.get('/api/docs-json'), 200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('PCN Network Agreements API');
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/me',
        '/api/v1/pcns/{pcnId}',
        '/api/v1/pcns/{pcnId}/agreements',
        '/api/v1/agreements/{agreementId}',
        '/api/v1/agreements/{agreementId}/draft',
        '/api/v1/agreements/{agreementId}/annexes',
        '/api/v1/agreements/{agreementId}/revisions/{from}/diff/{to}',
        '/health',
      ]),
    );
    expect(Object.keys(doc.paths['/api/v1/agreements/{agreementId}/draft'])).toContain('put');
    // Protected routes advertise bearer auth; the error shape is a documented schema.
    expect(doc.paths['/api/v1/agreements/{agreementId}/draft'].put.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
    expect(doc.components.schemas.ErrorResponse).toBeDefined();
  });

  it('an unknown route is 404 in the error shape', async () => {
    const body = expectError(await t.http.get('/api/v1/no-such-route'), 404, 'NOT_FOUND');
    expect(body.message).toContain('/api/v1/no-such-route');
  });

  it('an unknown method on a known path is 404 in the error shape', async () => {
    expectError(await t.http.delete('/api/v1/auth/me'), 404, 'NOT_FOUND');
  });

  it('reuses a safe X-Request-Id as the correlation id', async () => {
    const res = await t.http.get('/api/v1/no-such-route').set('X-Request-Id', 'req-abc.123');
    expect(expectError(res, 404).correlationId).toBe('req-abc.123');
    const unsafe = await t.http.get('/api/v1/no-such-route').set('X-Request-Id', 'bad id with spaces');
    expect(expectError(unsafe, 404).correlationId).not.toBe('bad id with spaces');
  });
});
