import { UserRole } from '@pcn/auth';
import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus } from '../support/http-expect';
import { AgreementsService } from '@pcn/agreements';
import { ADMIN_PRINCIPAL, AgreementFixture, createAgreementFixture, createDraftAgreement, createPractice, createUserWithRole, SEED_ACTOR, TestUser, validContentFor } from '../support/factories';

/** The `after` of a `Link: <…>; rel="next"` header, or null when there is none. */
function nextAfter(link: string | undefined): string | null {
  const m = /<([^>]+)>;\s*rel="next"/.exec(link ?? '');
  return m ? new URL(m[1], 'http://x').searchParams.get('after') : null;
}

describe('keyset-paged lists (e2e)', () => {
  let t: TestApp;
  let a: AgreementFixture;
  let other: AgreementFixture;
  let cd: TestUser;
  let admin: TestUser;
  let agreementIds: string[];
  let otherAgreementId: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createAgreementFixture(t);
    other = await createAgreementFixture(t);
    cd = await createUserWithRole(t, UserRole.ClinicalDirector, a.pcn.id);
    admin = await createUserWithRole(t, UserRole.PlatformAdmin);
    agreementIds = [];
    for (let i = 0; i < 5; i++) agreementIds.push((await createDraftAgreement(t, a)).agreement.id);
    otherAgreementId = (await createDraftAgreement(t, other)).agreement.id;
    // Two agreements created in the same microsecond, second and third newest, so pages of 2 split them: the id must
    // break the tie, or the page boundary between them would skip or repeat one.
    await t.dataSource.query(`UPDATE network_agreement SET created_at = (SELECT created_at FROM network_agreement WHERE id = $1) WHERE id = $2`, [agreementIds[3], agreementIds[2]]);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Follows `Link: rel="next"` from `path` with `limit`, returning each page's ids. */
  async function allPages(user: TestUser, path: string, limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let after: string | null = null;
    do {
      const res = await t.http
        .get(path)
        .query({ limit, ...(after ? { after } : {}) })
        .set('Authorization', user.bearer);
      const body = expectStatus(res, 200) as { id: string }[];
      pages.push(body.map((x) => x.id));
      after = nextAfter(res.headers.link);
      if (pages.length > 20) throw new Error('the pages never end');
    } while (after);
    return pages;
  }

  it("pages through a PCN's agreements newest first, each exactly once, with the id breaking ties", async () => {
    const expected: string[] = (
      await t.dataSource.query(`SELECT id FROM network_agreement WHERE pcn_id = $1 ORDER BY created_at DESC, id DESC`, [a.pcn.id])
    ).map((r: { id: string }) => r.id);
    expect(expected).toHaveLength(5);
    const pages = await allPages(cd, `/api/v1/pcns/${a.pcn.id}/agreements`, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(expected);
    // Without a limit: one page of up to 50, and no Link header.
    const whole = await t.http.get(`/api/v1/pcns/${a.pcn.id}/agreements`).set('Authorization', cd.bearer);
    expect((expectStatus(whole, 200) as { id: string }[]).map((x) => x.id)).toEqual(expected);
    expect(whole.headers.link).toBeUndefined();
  });

  it('keeps the other query parameters in the next link', async () => {
    const res = await t.http.get(`/api/v1/pcns/${a.pcn.id}/agreements?limit=3`).set('Authorization', cd.bearer);
    expectStatus(res, 200);
    expect(res.headers.link).toMatch(new RegExp(`^</api/v1/pcns/${a.pcn.id}/agreements\\?limit=3&after=[0-9a-f-]{36}>; rel="next"$`));
  });

  it("answers an empty page for a cursor that is another PCN's agreement (it never positions one PCN's list by another's)", async () => {
    const res = await t.http.get(`/api/v1/pcns/${a.pcn.id}/agreements`).query({ after: otherAgreementId }).set('Authorization', cd.bearer);
    expect(expectStatus(res, 200)).toEqual([]);
  });

  it('refuses a limit outside 1–200 and a cursor that is not an id, field by field', async () => {
    for (const query of [{ limit: '0' }, { limit: '201' }, { limit: 'ten' }, { after: 'not-an-id' }]) {
      const res = await t.http.get(`/api/v1/pcns/${a.pcn.id}/agreements`).query(query).set('Authorization', cd.bearer);
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.fieldErrors)).toEqual([Object.keys(query)[0]]);
    }
  });

  it('pages through the auditor search of executed agreements, most recently executed first, ties broken by id', async () => {
    // Executed directly in the database: the search reads only status and executed_at. Two share the second
    // newest execution time to the microsecond, so pages of 2 split them.
    await t.dataSource.query(
      `UPDATE network_agreement SET status = 'EXECUTED', executed_revision_number = 1,
              executed_at = CASE WHEN id = $4 THEN timestamptz '2026-06-01T09:00:00Z'
                                 WHEN id IN ($2, $3) THEN timestamptz '2026-05-01T10:00:00.123456Z'
                                 ELSE created_at - interval '1 year' END
        WHERE pcn_id = $1`,
      [a.pcn.id, agreementIds[0], agreementIds[3], agreementIds[4]],
    );
    const expected: string[] = (
      await t.dataSource.query(`SELECT id FROM network_agreement WHERE pcn_id = $1 ORDER BY executed_at DESC, id DESC`, [a.pcn.id])
    ).map((r: { id: string }) => r.id);
    const pages = await allPages(admin, `/api/v1/documents/search?pcnCode=${a.pcn.odsCode}`, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(expected);
  });

  it("pages through an agreement's audit trail by sequence number, and a full page says there may be more", async () => {
    const id = otherAgreementId;
    // Two more saved revisions: each is an event on the agreement's chain.
    for (const base of [1, 2]) {
      await t.app.get(AgreementsService).saveDraft(ADMIN_PRINCIPAL, id, { baseRevision: base, content: { ...validContentFor(other), title: `Paged trail ${base}` } }, SEED_ACTOR);
    }
    const expected: number[] = (await t.dataSource.query(`SELECT seq FROM audit_event WHERE chain_key = $1 ORDER BY seq`, [id])).map((r: { seq: number }) => r.seq);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const seqs: number[] = [];
    const pageSizes: number[] = [];
    let after: string | null = null;
    do {
      const res = await t.http
        .get(`/api/v1/agreements/${id}/audit`)
        .query({ limit: 1, ...(after ? { after } : {}) })
        .set('Authorization', admin.bearer);
      const body = expectStatus(res, 200) as { seq: number }[];
      pageSizes.push(body.length);
      seqs.push(...body.map((e) => e.seq));
      after = nextAfter(res.headers.link);
    } while (after && pageSizes.length < 50);
    expect(seqs).toEqual(expected);
    // Every full page links on; the page after the last event is empty and has no link.
    expect(pageSizes).toEqual([...expected.map(() => 1), 0]);
    const whole = await t.http.get(`/api/v1/agreements/${id}/audit`).set('Authorization', admin.bearer);
    expect((expectStatus(whole, 200) as { seq: number }[]).map((e) => e.seq)).toEqual(expected);
    expect(whole.headers.link).toBeUndefined();
  });

  it('pages through an organisation search by name', async () => {
    const tag = `Paging ${Date.now()}`;
    for (const n of ['C', 'A', 'B']) await createPractice(t, { name: `${tag} ${n} Surgery` });
    const pages = await allPages(admin, `/api/v1/organisations?q=${encodeURIComponent(tag)}`, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    const ids = pages.flat();
    const byId: { id: string; name: string }[] = await t.dataSource.query(`SELECT id, name FROM organisation WHERE id = ANY($1)`, [ids]);
    expect(ids.map((id) => byId.find((o) => o.id === id)!.name)).toEqual([`${tag} A Surgery`, `${tag} B Surgery`, `${tag} C Surgery`]);
  });
});
