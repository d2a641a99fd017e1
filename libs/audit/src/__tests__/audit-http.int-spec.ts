import { randomUUID } from 'node:crypto';
import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '@pcn/testing/test-app';
import { createPractice, createUserWithRole, SEED_ACTOR, TestUser } from '@pcn/testing/factories';
import { AuditEventType, AuditService } from '@pcn/audit';

describe('GET /api/v1/audit/verify (API app)', () => {
  let t: TestApp;
  let auditor: TestUser;
  let practiceManager: TestUser;
  const agreementId = randomUUID();

  beforeAll(async () => {
    t = await createTestApp();
    auditor = await createUserWithRole(t, UserRole.Auditor);
    practiceManager = await createUserWithRole(t, UserRole.PracticeManager, (await createPractice(t)).id);
    const audit = t.app.get(AuditService);
    for (let i = 0; i < 3; i++) await t.dataSource.transaction((em) => audit.record(em, { type: AuditEventType.Viewed, actor: SEED_ACTOR, agreementId }));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers the verification of every chain to a user with audit.read', async () => {
    const res = await t.http.get('/api/v1/audit/verify').set('Authorization', auditor.bearer);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true });
    expect(res.body.eventsChecked).toBeGreaterThanOrEqual(3);
  });

  // One agreement's chain is verified only for someone who may read that agreement (the
  // access matrix and workflow.e2e-spec cover the 200 with its head): a chain whose id names
  // no agreement is "not found", so the route cannot be used to probe for agreements.
  it('answers 404 for one chain whose id names no agreement anyone may read', async () => {
    const res = await t.http.get('/api/v1/audit/verify').query({ agreementId }).set('Authorization', auditor.bearer);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('rejects a malformed agreement id', async () => {
    const res = await t.http.get('/api/v1/audit/verify').query({ agreementId: 'nope' }).set('Authorization', auditor.bearer);
    expect(res.status).toBe(400);
  });

  it('refuses users without audit.read, and anonymous callers', async () => {
    expect((await t.http.get('/api/v1/audit/verify').set('Authorization', practiceManager.bearer)).status).toBe(403);
    expect((await t.http.get('/api/v1/audit/verify')).status).toBe(401);
  });
});
