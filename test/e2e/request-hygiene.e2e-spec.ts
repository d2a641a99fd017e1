import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { createPcn, createUserWithRole } from '../support/factories';

/** Hostile or mistaken requests get a clear 4xx in the one error shape (a page outside /api), never a 500. */
describe('request hygiene', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(async () => t?.close());

  it('refuses a body nested deeper than any agreement with 400, not a stack overflow', async () => {
    const body = '{"email":' + '['.repeat(3000) + ']'.repeat(3000) + ',"password":"x"}';
    const res = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expect.objectContaining({ status: 400, code: 'BAD_REQUEST', correlationId: expect.any(String) }));
    expect(res.body.message).toContain('nested');
  });

  it('reports queue depth and failures per queue in /health (details for platform admins)', async () => {
    const admin = await createUserWithRole(t, UserRole.PlatformAdmin);
    const res = await t.http.get('/health').set('Authorization', admin.bearer);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.details.queues).filter((k) => k !== 'status').sort()).toEqual(['documents', 'notifications', 'schedules']);
    expect(res.body.details.queues.notifications).toEqual(expect.objectContaining({ waiting: expect.any(Number), failed: expect.any(Number), delayed: expect.any(Number) }));
  });

  it('answers unknown API paths with a JSON 404, and unknown pages with the 404 page', async () => {
    const api = await t.http.get('/api/v1/no-such-thing');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toContain('application/json');
    expect(api.body).toEqual(expect.objectContaining({ status: 404, code: 'NOT_FOUND' }));
    const page = await t.http.get('/no-such-page');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('Page not found');
  });

  it('keeps /admin/queues closed to anyone but platform admins', async () => {
    const res = await t.http.get('/admin/queues');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('NOT_AUTHENTICATED');
    const pcn = await createPcn(t);
    const cd = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
    const forbidden = await t.http.get('/admin/queues').set('Authorization', cd.bearer);
    expect(forbidden.status).toBe(403);
    const admin = await createUserWithRole(t, UserRole.PlatformAdmin);
    const board = await t.http.get('/admin/queues').set('Authorization', admin.bearer);
    expect(board.status).toBe(200);
    expect(board.text).toContain('<html');
    const api = await t.http.get('/admin/queues/api/queues').set('Authorization', admin.bearer);
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['documents', 'notifications', 'schedules']);
  });
});
