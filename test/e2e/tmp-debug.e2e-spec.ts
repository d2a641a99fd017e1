import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { createAgreementFixture, createDraftAgreement, createUserWithRole } from '../support/factories';
describe('dbg', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });
  it('x', async () => {
    const a = await createAgreementFixture(t);
    const d = await createDraftAgreement(t, a);
    const cd = await createUserWithRole(t, UserRole.ClinicalDirector, a.pcn.id);
    for (const [m, url, body] of [
      ['put', `/api/v1/agreements/${d.agreement.id}/draft`, { baseRevision: 1 }],
      ['put', `/api/v1/agreements/${d.agreement.id}/draft`, { baseRevision: 1, content: null }],
      ['post', `/api/v1/pcns/${a.pcn.id}/agreements`, {}],
      ['post', `/api/v1/pcns/${a.pcn.id}/agreements`, { content: 'x' }],
      ['post', `/api/v1/pcns/${a.pcn.id}/agreements`, { content: [] }],
      ['post', `/api/v1/agreements/${d.agreement.id}/annexes`, { baseRevision: 1 }],
      ['post', `/api/v1/agreements/${d.agreement.id}/annexes`, { baseRevision: 1, annex: null }],
    ] as const) {
      const r = await (t.http as any)[m](url).set('Authorization', cd.bearer).send(body);
      console.log(m, JSON.stringify(body), r.status, JSON.stringify(r.body).slice(0, 300));
    }
  });
});
