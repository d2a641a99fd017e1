import { UserRole } from '@pcn/auth';
import { AgreementContent, contentHash, DataSharingAnnex, DistributionBasis } from '@pcn/agreements';
import { DirectoryService, PersonRoleType } from '@pcn/directory';
import { buildDirectCareAnnex } from '../../libs/agreements/src/content/testing/content.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectStatus } from '../support/http-expect';
import { AgreementFixture, createAgreementFixture, createPcnWithPractices, createPerson, createUserWithRole, PcnWithPractices, TestUser, validContentFor } from '../support/factories';

const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The same JSON with every object's keys in reverse order, at every depth. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((k) => [k, reverseKeys((value as Record<string, unknown>)[k])]),
    ) as T;
  }
  return value;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('drafting a Network Agreement (e2e)', () => {
  let t: TestApp;
  let a: AgreementFixture;
  let b: PcnWithPractices;
  let cdA: TestUser;
  let cdB: TestUser;
  let signatoryA: TestUser;
  let signatoryElsewhere: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createAgreementFixture(t);
    b = await createPcnWithPractices(t, { practices: 1 });
    cdA = await createUserWithRole(t, UserRole.ClinicalDirector, a.pcn.id);
    cdB = await createUserWithRole(t, UserRole.ClinicalDirector, b.pcn.id);
    signatoryA = await createUserWithRole(t, UserRole.PracticeSignatory, a.practices[1].id);
    signatoryElsewhere = await createUserWithRole(t, UserRole.PracticeSignatory, b.practices[0].id);
  });

  afterAll(async () => {
    await t?.close();
  });

  // ---- small HTTP helpers ----------------------------------------------------

  const createDraft = (user: TestUser, pcnId: string, body: unknown) => t.http.post(`/api/v1/pcns/${pcnId}/agreements`).set('Authorization', user.bearer).send(body as object);
  const getAgreement = (user: TestUser, id: string) => t.http.get(`/api/v1/agreements/${id}`).set('Authorization', user.bearer);
  const saveDraft = (user: TestUser, id: string, body: unknown) => t.http.put(`/api/v1/agreements/${id}/draft`).set('Authorization', user.bearer).send(body as object);
  const addAnnex = (user: TestUser, id: string, body: unknown) => t.http.post(`/api/v1/agreements/${id}/annexes`).set('Authorization', user.bearer).send(body as object);
  const revisions = async (id: string) => expectStatus(await t.http.get(`/api/v1/agreements/${id}/revisions`).set('Authorization', cdA.bearer), 200) as { number: number; contentHash: string }[];
  const revisionCount = async (id: string): Promise<number> => (await t.dataSource.query(`SELECT count(*)::int AS n FROM agreement_revision WHERE agreement_id = $1`, [id]))[0].n;

  /** A fresh draft of PCN A by its clinical director; returns its id and current content. */
  async function newDraft(content: AgreementContent = validContentFor(a)): Promise<{ id: string; content: AgreementContent; hash: string }> {
    const body = expectStatus(await createDraft(cdA, a.pcn.id, { content }), 201);
    const current = expectStatus(await getAgreement(cdA, body.agreement.id), 200);
    return { id: body.agreement.id, content: current.revision.content, hash: body.revision.contentHash };
  }

  function secondAnnex(): DataSharingAnnex {
    const annex = clone(buildDirectCareAnnex()) as Partial<DataSharingAnnex>;
    delete annex.id;
    delete annex.reviewBy; // the server fills it: 12 months after the annex starts
    const remapped = JSON.parse(JSON.stringify({ ...annex, title: 'Enhanced access data sharing' }).replace(/"([0-9a-f-]{36})"/g, (whole, id: string) => (a.idMap[id] ? `"${a.idMap[id]}"` : whole)));
    return remapped as DataSharingAnnex;
  }

  // ---- the happy path ----------------------------------------------------------

  describe('create → add annex → save', () => {
    let agreementId: string;
    let firstHash: string;

    it('a clinical director drafts an agreement for their PCN: 201, revision 1, a SHA-256 content hash and a warnings map', async () => {
      const res = await createDraft(cdA, a.pcn.id, { content: validContentFor(a) });
      const body = expectStatus(res, 201);
      expect(body.agreement).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(UUID),
          pcnId: a.pcn.id,
          status: 'DRAFT',
          currentRevisionNumber: 1,
          title: 'Bytes Primary Care Network Agreement',
          reference: expect.stringMatching(new RegExp(`^NA-${a.pcn.odsCode}-2026-\\d{4}$`)),
          createdBy: cdA.id,
        }),
      );
      expect(body.revision.number).toBe(1);
      expect(body.revision.contentHash).toMatch(HEX64);
      expect(body.warnings).toEqual({});
      agreementId = body.agreement.id;
      firstHash = body.revision.contentHash;
    });

    it('stores the content under the hash it reports, with core practices filled from memberships', async () => {
      const { agreement, revision } = expectStatus(await getAgreement(cdA, agreementId), 200);
      expect(agreement.currentRevisionNumber).toBe(1);
      expect(revision.number).toBe(1);
      expect(revision.contentHash).toBe(firstHash);
      expect(contentHash(revision.content)).toBe(firstHash);
      const core = revision.content.schedules.keyDetails.corePractices;
      expect(core.map((p: { organisationId: string }) => p.organisationId).sort()).toEqual(a.practices.map((p) => p.id).sort());
      expect(core[0]).toEqual(expect.objectContaining({ odsCode: expect.stringMatching(/^[A-Z]\d{5}$/), listSize: expect.any(Number), legalForm: expect.any(String) }));
    });

    it('adds a data-sharing annex as revision 2 with a server-assigned annex id', async () => {
      const body = expectStatus(await addAnnex(cdA, agreementId, { baseRevision: 1, annex: secondAnnex() }), 201);
      expect(body.revision.number).toBe(2);
      expect(body.revision.contentHash).toMatch(HEX64);
      expect(body.revision.contentHash).not.toBe(firstHash);
      expect(body.annexId).toMatch(UUID);
      expect(body.agreement.currentRevisionNumber).toBe(2);

      const { revision } = expectStatus(await getAgreement(cdA, agreementId), 200);
      expect(revision.number).toBe(2);
      expect(revision.content.annexes).toHaveLength(2);
      expect(revision.content.annexes[1]).toEqual(expect.objectContaining({ id: body.annexId, title: 'Enhanced access data sharing' }));
      // Defaults are applied server-side: a review date 12 months after the annex starts (2026-04-01).
      expect(revision.content.annexes[1].reviewBy).toBe('2027-04-01');
      expect(body.warnings).toEqual({});
    });

    it('saves the whole draft as revision 3', async () => {
      const { revision } = expectStatus(await getAgreement(cdA, agreementId), 200);
      const edited = { ...revision.content, title: 'Bytes PCN Network Agreement (edited)' };
      const body = expectStatus(await saveDraft(cdA, agreementId, { baseRevision: 2, content: edited }), 200);
      expect(body.revision.number).toBe(3);
      expect(body.agreement).toEqual(expect.objectContaining({ currentRevisionNumber: 3, title: 'Bytes PCN Network Agreement (edited)' }));
      expect((await revisions(agreementId)).map((r) => r.number)).toEqual([1, 2, 3]);
      const list = expectStatus(await t.http.get(`/api/v1/pcns/${a.pcn.id}/agreements`).set('Authorization', cdA.bearer), 200);
      expect(list.find((x: { id: string }) => x.id === agreementId)).toEqual(expect.objectContaining({ currentRevisionNumber: 3 }));
    });

    it('the diff endpoint lists the field paths that changed', async () => {
      const annexAdded = expectStatus(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/1/diff/2`).set('Authorization', cdA.bearer), 200);
      expect(annexAdded.from.number).toBe(1);
      expect(annexAdded.to.number).toBe(2);
      expect(annexAdded.from.contentHash).toBe(firstHash);
      const paths = annexAdded.changes.map((c: { path: string }) => c.path);
      expect(paths).toHaveLength(1);
      expect(paths[0]).toMatch(/^annexes\[id=[0-9a-f-]{36}\]$/);
      expect(annexAdded.changes[0].change).toBe('added');

      const titleChanged = expectStatus(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/2/diff/3`).set('Authorization', cdA.bearer), 200);
      expect(titleChanged.changes).toEqual([{ path: 'title', change: 'changed', before: 'Bytes Primary Care Network Agreement', after: 'Bytes PCN Network Agreement (edited)' }]);
      expect(titleChanged.readable).toEqual([
        { section: 'Agreement details', where: 'Agreement details', field: 'Title', change: 'changed', before: 'Bytes Primary Care Network Agreement', after: 'Bytes PCN Network Agreement (edited)' },
      ]);
      expect(annexAdded.readable).toEqual([
        { section: 'Annex B — Enhanced access data sharing', where: 'Annex', field: 'Annex added', change: 'added', before: 'Not set', after: 'Enhanced access data sharing (Joint-controller data sharing agreement)' },
      ]);

      const none = expectStatus(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/3/diff/3`).set('Authorization', cdA.bearer), 200);
      expect(none.changes).toEqual([]);
      expect(none.readable).toEqual([]);
    });

    it('a revision that does not exist is 404 REVISION_NOT_FOUND', async () => {
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/99`).set('Authorization', cdA.bearer), 404, 'REVISION_NOT_FOUND');
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/1/diff/99`).set('Authorization', cdA.bearer), 404, 'REVISION_NOT_FOUND');
    });
  });

  // ---- core practices come from memberships ------------------------------------

  describe('core practices', () => {
    const memberIds = () => a.practices.map((p) => p.id).sort();
    const storedCore = async (id: string) =>
      (expectStatus(await getAgreement(cdA, id), 200).revision.content.schedules.keyDetails.corePractices as { organisationId: string }[]).map((p) => p.organisationId).sort();

    it('are filled from memberships when the client sends none', async () => {
      const content = validContentFor(a);
      delete content.schedules.keyDetails.corePractices;
      const { id } = await newDraft(content);
      expect(await storedCore(id)).toEqual(memberIds());
    });

    it('replace whatever the client sent (a practice from another PCN, a missing member)', async () => {
      const content = validContentFor(a);
      const outsider = b.practices[0];
      content.schedules.keyDetails.corePractices = [
        { organisationId: outsider.id, odsCode: outsider.odsCode!, name: outsider.name, listSize: 99_999, listSizeDate: '2026-01-01', legalForm: 'COMPANY' as never },
      ];
      const { id } = await newDraft(content);
      expect(await storedCore(id)).toEqual(memberIds());
    });

    it('do not change the hash: sending none or sending the members gives the same content hash', async () => {
      const withNone = validContentFor(a);
      delete withNone.schedules.keyDetails.corePractices;
      const first = await newDraft(withNone);
      const second = await newDraft(validContentFor(a));
      expect(first.hash).toBe(second.hash);
    });
  });

  // ---- business-rule validation -------------------------------------------------

  describe('content that breaks a business rule', () => {
    it('custom percentages that do not total 100 → 422 CONTENT_INVALID keyed schedules.finances.shares, nothing saved', async () => {
      const draft = await newDraft();
      const before = await revisionCount(draft.id);
      const content = clone(draft.content);
      content.schedules.finances.distributionBasis = DistributionBasis.CUSTOM_PERCENTAGES;
      content.schedules.finances.shares = a.practices.map((p) => ({ organisationId: p.id, percentage: 22.5 })); // 90%
      const error = expectError(await saveDraft(cdA, draft.id, { baseRevision: 1, content }), 422, 'CONTENT_INVALID');
      expect(Object.keys(error.fieldErrors)).toEqual(['schedules.finances.shares']);
      expect(error.fieldErrors['schedules.finances.shares'][0]).toMatch(/90%.*100%/);
      expect(await revisionCount(draft.id)).toBe(before);
      expect(expectStatus(await getAgreement(cdA, draft.id), 200).agreement.currentRevisionNumber).toBe(1);

      // The same shares adding up to 100 are accepted.
      content.schedules.finances.shares = a.practices.map((p) => ({ organisationId: p.id, percentage: 25 }));
      expect(expectStatus(await saveDraft(cdA, draft.id, { baseRevision: 1, content }), 200).revision.number).toBe(2);
    });

    it('special-category data without an Article 9 condition → 422 keyed by the purpose, nothing saved', async () => {
      const content = validContentFor(a);
      delete content.annexes[0].purposes[0].art9Condition;
      const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM network_agreement`))[0].n;
      const error = expectError(await createDraft(cdA, a.pcn.id, { content }), 422, 'CONTENT_INVALID');
      expect(Object.keys(error.fieldErrors)).toEqual(['annexes[0].purposes[0].art9Condition']);
      expect(error.fieldErrors['annexes[0].purposes[0].art9Condition'][0]).toMatch(/Article 9/);
      expect(error.warnings).toBeDefined();
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM network_agreement`))[0].n).toBe(before);
    });

    it('lists every broken field at once', async () => {
      const content = validContentFor(a);
      delete content.annexes[0].purposes[1].art9Condition;
      content.annexes[0].breachNotificationHours = 96;
      content.schedules.workforce.arrsPosts[0].hostPracticeIds = [b.practices[0].id];
      const error = expectError(await createDraft(cdA, a.pcn.id, { content }), 422, 'CONTENT_INVALID');
      expect(Object.keys(error.fieldErrors).sort()).toEqual(
        ['annexes[0].breachNotificationHours', 'annexes[0].purposes[1].art9Condition', 'schedules.workforce.arrsPosts[0].hostPracticeIds[0]'].sort(),
      );
      expect(error.message).toMatch(/3 fields/);
    });

    it('malformed values are refused by the DTOs with 422 VALIDATION_FAILED keyed by the path inside the content, like the rules', async () => {
      const content = validContentFor(a) as unknown as Record<string, any>;
      content.financialYear = '2026-27';
      content.annexes[0].parties[0].dpo.email = 'not-an-email';
      const error = expectError(await createDraft(cdA, a.pcn.id, { content }), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors).sort()).toEqual(['annexes[0].parties[0].dpo.email', 'financialYear']);

      // The same on PUT draft.
      const draft = await newDraft();
      const broken = clone(draft.content) as unknown as Record<string, any>;
      broken.schedules.finances.distributionBasis = 'WHOEVER_SHOUTS';
      broken.annexes[0].purposes[1].art6Basis = 'Z';
      const put = expectError(await saveDraft(cdA, draft.id, { baseRevision: 1, content: broken }), 422, 'VALIDATION_FAILED');
      expect(Object.keys(put.fieldErrors).sort()).toEqual(['annexes[0].purposes[1].art6Basis', 'schedules.finances.distributionBasis']);
      expect(await revisionCount(draft.id)).toBe(1);
    });

    it('a list size outside 30,000–50,000 is saved (201) with a warning', async () => {
      const small = await createAgreementFixture(t, { listSizes: [2_000] });
      const cd = await createUserWithRole(t, UserRole.ClinicalDirector, small.pcn.id);
      const body = expectStatus(await createDraft(cd, small.pcn.id, { content: validContentFor(small) }), 201);
      expect(body.revision.number).toBe(1);
      expect(body.warnings['schedules.keyDetails.corePractices']).toEqual([expect.stringMatching(/8,000.*30,000.*50,000/)]);
      // The warning is stored with the revision.
      const stored = expectStatus(await t.http.get(`/api/v1/agreements/${body.agreement.id}/revisions`).set('Authorization', cd.bearer), 200);
      expect(Object.keys(stored[0].warnings)).toEqual(['schedules.keyDetails.corePractices']);
    });
  });

  // ---- concurrency ----------------------------------------------------------------

  describe('stale edits', () => {
    it('a stale baseRevision is 409 STALE_REVISION and nothing is saved (PUT and annex)', async () => {
      const draft = await newDraft();
      expectStatus(await saveDraft(cdA, draft.id, { baseRevision: 1, content: { ...draft.content, title: 'Someone else saved first' } }), 200);
      const before = await revisionCount(draft.id);

      const error = expectError(await saveDraft(cdA, draft.id, { baseRevision: 1, content: { ...draft.content, title: 'My late edit' } }), 409, 'STALE_REVISION');
      expect(error.message).toMatch(/revision 2/);
      expectError(await addAnnex(cdA, draft.id, { baseRevision: 1, annex: secondAnnex() }), 409, 'STALE_REVISION');
      expectError(await saveDraft(cdA, draft.id, { baseRevision: 7, content: draft.content }), 409, 'STALE_REVISION');

      expect(await revisionCount(draft.id)).toBe(before);
      expect(expectStatus(await getAgreement(cdA, draft.id), 200).revision.content.title).toBe('Someone else saved first');
    });

    it('two saves on the same base revision at once: exactly one wins, the other is 409', async () => {
      const draft = await newDraft();
      const results = await Promise.all([
        saveDraft(cdA, draft.id, { baseRevision: 1, content: { ...draft.content, title: 'Edit one' } }),
        saveDraft(cdA, draft.id, { baseRevision: 1, content: { ...draft.content, title: 'Edit two' } }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await revisionCount(draft.id)).toBe(2);
    });
  });

  // ---- who may see and edit -------------------------------------------------------

  describe('access', () => {
    let agreementId: string;
    let content: AgreementContent;

    beforeAll(async () => {
      const draft = await newDraft();
      agreementId = draft.id;
      content = draft.content;
    });

    it('a clinical director of another PCN gets 404 (not 403) for PCN A and its agreement, indistinguishable from a missing record', async () => {
      const missing = '00000000-0000-4000-8000-000000000001';
      const notFound = expectError(await getAgreement(cdB, missing), 404, 'NOT_FOUND');
      const hidden = expectError(await getAgreement(cdB, agreementId), 404, 'NOT_FOUND');
      expect(hidden.message).toBe(notFound.message);

      expectError(await saveDraft(cdB, agreementId, { baseRevision: 1, content }), 404, 'NOT_FOUND');
      expectError(await addAnnex(cdB, agreementId, { baseRevision: 1, annex: secondAnnex() }), 404, 'NOT_FOUND');
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}/revisions`).set('Authorization', cdB.bearer), 404, 'NOT_FOUND');
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/1`).set('Authorization', cdB.bearer), 404, 'NOT_FOUND');
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}/revisions/1/diff/1`).set('Authorization', cdB.bearer), 404, 'NOT_FOUND');
      expectError(await t.http.get(`/api/v1/pcns/${a.pcn.id}`).set('Authorization', cdB.bearer), 404, 'NOT_FOUND');
      expectError(await t.http.get(`/api/v1/pcns/${a.pcn.id}/agreements`).set('Authorization', cdB.bearer), 404, 'NOT_FOUND');
      expectError(await t.http.get(`/api/v1/pcns/${a.pcn.id}/agreements/new`).set('Authorization', cdB.bearer), 404, 'NOT_FOUND');
      expectError(await createDraft(cdB, a.pcn.id, { content: validContentFor(a) }), 404, 'NOT_FOUND');
      expect(await revisionCount(agreementId)).toBe(1);

      // Their own PCN is fine.
      expectStatus(await t.http.get(`/api/v1/pcns/${b.pcn.id}`).set('Authorization', cdB.bearer), 200);
    });

    it('a practice signatory of a member practice can read the agreement but gets 403 on PUT (no agreement.draft)', async () => {
      const read = expectStatus(await getAgreement(signatoryA, agreementId), 200);
      expect(read.agreement.id).toBe(agreementId);
      expectStatus(await t.http.get(`/api/v1/agreements/${agreementId}/revisions`).set('Authorization', signatoryA.bearer), 200);
      expectStatus(await t.http.get(`/api/v1/pcns/${a.pcn.id}`).set('Authorization', signatoryA.bearer), 200);

      expectError(await saveDraft(signatoryA, agreementId, { baseRevision: 1, content }), 403, 'PERMISSION_DENIED');
      expectError(await addAnnex(signatoryA, agreementId, { baseRevision: 1, annex: secondAnnex() }), 403, 'PERMISSION_DENIED');
      expectError(await createDraft(signatoryA, a.pcn.id, { content }), 403, 'PERMISSION_DENIED');
      expect(await revisionCount(agreementId)).toBe(1);
    });

    it('a practice signatory of a practice outside the PCN gets 404', async () => {
      expectError(await getAgreement(signatoryElsewhere, agreementId), 404, 'NOT_FOUND');
    });

    it('without a token every drafting route is 401 NOT_AUTHENTICATED', async () => {
      expectError(await t.http.get(`/api/v1/agreements/${agreementId}`), 401, 'NOT_AUTHENTICATED');
      expectError(await t.http.put(`/api/v1/agreements/${agreementId}/draft`).send({ baseRevision: 1, content }), 401, 'NOT_AUTHENTICATED');
      expectError(await t.http.post(`/api/v1/pcns/${a.pcn.id}/agreements`).send({ content }), 401, 'NOT_AUTHENTICATED');
    });

    it.each([
      ['GET', '/api/v1/agreements/not-a-uuid'],
      ['PUT', '/api/v1/agreements/123/draft'],
      ['POST', '/api/v1/agreements/%27%20OR%201=1/annexes'],
      ['GET', '/api/v1/pcns/xyz'],
      ['GET', '/api/v1/pcns/xyz/agreements'],
      ['POST', '/api/v1/pcns/xyz/agreements'],
      ['GET', '/api/v1/agreements/VALID/revisions/abc'],
      ['GET', '/api/v1/agreements/VALID/revisions/1/diff/two'],
    ])('a malformed id in %s %s is 400, not 500', async (method, path) => {
      const url = path.replace('VALID', agreementId);
      const req = method === 'GET' ? t.http.get(url) : method === 'PUT' ? t.http.put(url) : t.http.post(url);
      const res = await req.set('Authorization', cdA.bearer).send(method === 'GET' ? undefined : { baseRevision: 1, content });
      expectError(res, 400, 'BAD_REQUEST');
    });
  });

  // ---- request shape --------------------------------------------------------------

  describe('request shape', () => {
    let agreementId: string;
    let content: AgreementContent;

    beforeAll(async () => {
      const draft = await newDraft();
      agreementId = draft.id;
      content = draft.content;
    });

    it('an unknown top-level field is 400 UNKNOWN_FIELD naming it', async () => {
      const error = expectError(await saveDraft(cdA, agreementId, { baseRevision: 1, content, status: 'EXECUTED' }), 400, 'UNKNOWN_FIELD');
      expect(error.message).toContain('status');
      expect(Object.keys(error.fieldErrors)).toEqual(['status']);
    });

    it.each([
      ['schedules.finances', (c: any) => (c.schedules.finances.bonusPot = 1000), 'schedules.finances.bonusPot'],
      ['an annex party', (c: any) => (c.annexes[0].parties[2].isAdmin = true), 'annexes[0].parties[2].isAdmin'],
      ['the content root', (c: any) => (c.signedAt = '2026-01-01'), 'signedAt'],
    ])('an unknown nested field (in %s) is 400 UNKNOWN_FIELD with its path', async (_where, mutate, path) => {
      const body = clone(content);
      mutate(body);
      const error = expectError(await saveDraft(cdA, agreementId, { baseRevision: 1, content: body }), 400, 'UNKNOWN_FIELD');
      expect(error.message).toContain(path);
      expect(Object.keys(error.fieldErrors)).toEqual([path]);
      expect(await revisionCount(agreementId)).toBe(1);
    });

    it('an unknown field in an annex body is 400 UNKNOWN_FIELD', async () => {
      const error = expectError(await addAnnex(cdA, agreementId, { baseRevision: 1, annex: { ...secondAnnex(), approvedBy: 'me' } }), 400, 'UNKNOWN_FIELD');
      expect(Object.keys(error.fieldErrors)).toEqual(['annex.approvedBy']);
    });

    it('a body over the limit (256kb in tests) is 413 PAYLOAD_TOO_LARGE and nothing is saved', async () => {
      const huge = { ...content, schedules: { ...content.schedules, insurance: { ...content.schedules.insurance, otherTerms: 'x'.repeat(300 * 1024) } } };
      expectError(await saveDraft(cdA, agreementId, { baseRevision: 1, content: huge }), 413, 'PAYLOAD_TOO_LARGE');
      // Even before authentication: the body is refused before it is parsed.
      expectError(await t.http.put(`/api/v1/agreements/${agreementId}/draft`).send({ baseRevision: 1, content: huge }), 413, 'PAYLOAD_TOO_LARGE');
      expect(await revisionCount(agreementId)).toBe(1);
    });

    it('malformed JSON is 400 MALFORMED_JSON', async () => {
      const res = await t.http.put(`/api/v1/agreements/${agreementId}/draft`).set('Authorization', cdA.bearer).set('Content-Type', 'application/json').send('{"baseRevision": 1, "content": ');
      expectError(res, 400, 'MALFORMED_JSON');
      // strict mode: a bare JSON scalar is not an acceptable body either.
      const scalar = await t.http.put(`/api/v1/agreements/${agreementId}/draft`).set('Authorization', cdA.bearer).set('Content-Type', 'application/json').send('"just a string"');
      expectError(scalar, 400, 'MALFORMED_JSON');
    });

    it('a missing body is refused with 422 naming the required fields', async () => {
      const error = expectError(await t.http.put(`/api/v1/agreements/${agreementId}/draft`).set('Authorization', cdA.bearer), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors).sort()).toEqual(['baseRevision', 'content']);
    });

    it.each([
      ['PUT draft without content', 'put', 'draft', { baseRevision: 1 }, 'content'],
      ['PUT draft with content as an array', 'put', 'draft', { baseRevision: 1, content: [] }, 'content'],
      ['POST annex without an annex', 'post', 'annexes', { baseRevision: 1 }, 'annex'],
      ['POST annex with an array', 'post', 'annexes', { baseRevision: 1, annex: [] }, 'annex'],
    ] as const)('%s is 422 on that field, not 500', async (_label, method, path, body, field) => {
      const error = expectError(await t.http[method](`/api/v1/agreements/${agreementId}/${path}`).set('Authorization', cdA.bearer).send(body), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors)).toEqual([field]);
      expect(await revisionCount(agreementId)).toBe(1);
    });

    it('creating without content is 422 on content, not 500', async () => {
      const error = expectError(await createDraft(cdA, a.pcn.id, {}), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors)).toEqual(['content']);
    });
  });

  // ---- content hashes -----------------------------------------------------------

  describe('revision hash', () => {
    it('identical content gives the same hash; any single change a different one; key order does not matter', async () => {
      const draft = await newDraft();
      let base = 1;
      const save = async (content: AgreementContent): Promise<string> => {
        const body = expectStatus(await saveDraft(cdA, draft.id, { baseRevision: base, content }), 200);
        base = body.revision.number;
        return body.revision.contentHash;
      };

      const same1 = await save(draft.content);
      const same2 = await save(draft.content);
      expect(same1).toBe(draft.hash);
      expect(same2).toBe(draft.hash);

      const reordered = await save(reverseKeys(draft.content));
      expect(JSON.stringify(reverseKeys(draft.content))).not.toBe(JSON.stringify(draft.content));
      expect(reordered).toBe(draft.hash);

      const changes: [string, (c: AgreementContent) => void][] = [
        ['title', (c) => (c.title = `${c.title}.`)],
        ['a nested number', (c) => (c.schedules.keyDetails.clinicalDirector.sessionsPerWeek = 3)],
        ['a boolean deep in an annex', (c) => (c.annexes[0].flows[0].encrypted = false)],
        ['array order', (c) => c.schedules.additionalTerms.push({ heading: 'Second term', text: 'More text.' })],
        ['a string in an array', (c) => (c.schedules.keyDetails.governance.decisionsRequiringUnanimity[0] += ' ')],
      ];
      const hashes = new Set([draft.hash]);
      for (const [what, change] of changes) {
        const content = clone(draft.content);
        change(content);
        const hash = await save(content);
        expect({ what, hash }).toEqual({ what, hash: expect.stringMatching(HEX64) });
        expect({ what, changed: !hashes.has(hash) }).toEqual({ what, changed: true });
        hashes.add(hash);
      }
      // And going back to the original content gives the original hash again.
      expect(await save(draft.content)).toBe(draft.hash);
    });
  });

  // ---- the pre-filled new draft ------------------------------------------------------

  describe('GET pcns/:id/agreements/new', () => {
    it('with a clinical director in the directory, the pre-filled draft is accepted unchanged: 201, CD and payee from the directory', async () => {
      const n = await createAgreementFixture(t);
      const cd = await createUserWithRole(t, UserRole.ClinicalDirector, n.pcn.id);
      const directory = t.app.get(DirectoryService);
      const person = await createPerson(t, 'Dr Nadia Hussain');
      await directory.addPersonRole(person.id, { organisationId: n.pcn.id, role: PersonRoleType.ClinicalDirector, validFrom: '2020-04-01' });
      await directory.addPersonRole(person.id, { organisationId: n.practices[2].id, role: PersonRoleType.Partner, validFrom: '2020-04-01' });

      const prefilled = expectStatus(await t.http.get(`/api/v1/pcns/${n.pcn.id}/agreements/new`).set('Authorization', cd.bearer), 200);
      expect(prefilled.schedules.keyDetails.clinicalDirector).toEqual(expect.objectContaining({ personId: person.id, name: 'Dr Nadia Hussain' }));
      expect(prefilled.schedules.keyDetails.payee).toEqual({ arrangement: 'NOMINATED_PRACTICE', organisationId: n.practices[2].id });

      const body = expectStatus(await createDraft(cd, n.pcn.id, { content: prefilled }), 201);
      expect(body.revision.number).toBe(1);
    });

    it('without one, the only missing field is the clinical director’s name: 422 keyed schedules.keyDetails.clinicalDirector.name', async () => {
      const n = await createAgreementFixture(t);
      const cd = await createUserWithRole(t, UserRole.ClinicalDirector, n.pcn.id);
      const prefilled = expectStatus(await t.http.get(`/api/v1/pcns/${n.pcn.id}/agreements/new`).set('Authorization', cd.bearer), 200);
      const error = expectError(await createDraft(cd, n.pcn.id, { content: prefilled }), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors)).toEqual(['schedules.keyDetails.clinicalDirector.name']);
    });
  });

  // ---- saving one section at a time ------------------------------------------------

  describe('PUT agreements/:id/sections/:section', () => {
    const saveSection = (user: TestUser, id: string, section: string, body: unknown) =>
      t.http.put(`/api/v1/agreements/${id}/sections/${encodeURIComponent(section)}`).set('Authorization', user.bearer).send(body as object);
    const revisionSavedEvents = async (id: string): Promise<number> =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE agreement_id = $1 AND type = 'REVISION_SAVED'`, [id]))[0].n;
    const customShares = (percentages: number[]) => a.practices.map((p, i) => ({ organisationId: p.id, percentage: percentages[i] }));

    it('saves Schedule 4 alone as a new revision: only the finances change, one REVISION_SAVED event', async () => {
      const draft = await newDraft();
      const finances = { ...draft.content.schedules.finances, distributionBasis: DistributionBasis.CUSTOM_PERCENTAGES, shares: customShares([25, 25, 25, 25]) };
      const body = expectStatus(await saveSection(cdA, draft.id, 'schedule4', { baseRevisionNumber: 1, value: finances }), 200);
      expect(body.revision.number).toBe(2);
      expect(body.warnings).toEqual({});
      expect(await revisionSavedEvents(draft.id)).toBe(1);

      const diff = expectStatus(await t.http.get(`/api/v1/agreements/${draft.id}/revisions/1/diff/2`).set('Authorization', cdA.bearer), 200);
      expect(diff.changes.map((c: { path: string }) => c.path)).toEqual(['schedules.finances.distributionBasis', 'schedules.finances.shares']);
      const { revision } = expectStatus(await getAgreement(cdA, draft.id), 200);
      expect(revision.content).toEqual({ ...draft.content, schedules: { ...draft.content.schedules, finances } });
    });

    it('the diff endpoint also answers in words (readable)', async () => {
      const draft = await newDraft();
      const finances = { ...draft.content.schedules.finances, distributionBasis: DistributionBasis.CUSTOM_PERCENTAGES, shares: customShares([25, 25, 25, 25]) };
      expectStatus(await saveSection(cdA, draft.id, 'schedule4', { baseRevisionNumber: 1, value: finances }), 200);
      expectStatus(await saveSection(cdA, draft.id, 'schedule4', { baseRevisionNumber: 2, value: { ...finances, shares: customShares([25, 30, 20, 25]) } }), 200);
      const diff = expectStatus(await t.http.get(`/api/v1/agreements/${draft.id}/revisions/2/diff/3`).set('Authorization', cdA.bearer), 200);
      const [p1, p2] = [a.practices[1], a.practices[2]];
      expect(diff.readable).toEqual([
        { section: 'Schedule 4 — Financial arrangements', where: `Practice shares, row 2 (${p1.name})`, field: 'Percentage', change: 'changed', before: '25%', after: '30%' },
        { section: 'Schedule 4 — Financial arrangements', where: `Practice shares, row 3 (${p2.name})`, field: 'Percentage', change: 'changed', before: '25%', after: '20%' },
      ]);
      expect(diff.changes.map((c: { path: string }) => c.path)).toEqual(['schedules.finances.shares[1].percentage', 'schedules.finances.shares[2].percentage']);
    });

    it('a business rule broken by the section → 422 CONTENT_INVALID keyed by the full content path, nothing saved', async () => {
      const draft = await newDraft();
      const value = { ...draft.content.schedules.finances, distributionBasis: DistributionBasis.CUSTOM_PERCENTAGES, shares: customShares([25, 25, 25, 15]) };
      const error = expectError(await saveSection(cdA, draft.id, 'schedule4', { baseRevisionNumber: 1, value }), 422, 'CONTENT_INVALID');
      expect(Object.keys(error.fieldErrors)).toEqual(['schedules.finances.shares']);
      expect(await revisionCount(draft.id)).toBe(1);
    });

    it('a malformed value → 422 VALIDATION_FAILED keyed by the full content path', async () => {
      const draft = await newDraft();
      const value = { ...draft.content.schedules.finances, distributionBasis: DistributionBasis.CUSTOM_PERCENTAGES, shares: [...customShares([25, 25, 25, 25])] } as any;
      value.shares[0].percentage = 'a quarter';
      const error = expectError(await saveSection(cdA, draft.id, 'schedule4', { baseRevisionNumber: 1, value }), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors)).toEqual(['schedules.finances.shares[0].percentage']);
      expect(await revisionCount(draft.id)).toBe(1);
    });

    it('saves an annex part by annex id; its errors are keyed annexes[<index>]…', async () => {
      const draft = await newDraft();
      const annexId = draft.content.annexes[0].id!;
      const purposes = clone(draft.content.annexes[0].purposes);
      delete purposes[1].art9Condition;
      const ruleError = expectError(await saveSection(cdA, draft.id, `annex:${annexId}:purposes`, { baseRevisionNumber: 1, value: { purposes } }), 422, 'CONTENT_INVALID');
      expect(Object.keys(ruleError.fieldErrors)).toEqual(['annexes[0].purposes[1].art9Condition']);

      (purposes[1] as any).art6Basis = 'Z';
      const shapeError = expectError(await saveSection(cdA, draft.id, `annex:${annexId}:purposes`, { baseRevisionNumber: 1, value: { purposes } }), 422, 'VALIDATION_FAILED');
      expect(Object.keys(shapeError.fieldErrors)).toEqual(['annexes[0].purposes[1].art6Basis']);

      const unknown = expectError(await saveSection(cdA, draft.id, `annex:${annexId}:details`, { baseRevisionNumber: 1, value: { title: 'Renamed', purposes: [] } }), 400, 'UNKNOWN_FIELD');
      expect(Object.keys(unknown.fieldErrors)).toEqual(['annexes[0].purposes']);
      expect(await revisionCount(draft.id)).toBe(1);

      const details = { title: 'Direct care sharing (renamed)', kind: draft.content.annexes[0].kind, effectiveFrom: draft.content.annexes[0].effectiveFrom, rightsRequestsHandledBy: draft.content.annexes[0].rightsRequestsHandledBy, privacyNoticeUrl: draft.content.annexes[0].privacyNoticeUrl };
      const saved = expectStatus(await saveSection(cdA, draft.id, `annex:${annexId}:details`, { baseRevisionNumber: 1, value: details }), 200);
      expect(saved.revision.number).toBe(2);
      const { revision } = expectStatus(await getAgreement(cdA, draft.id), 200);
      expect(revision.content.annexes[0]).toEqual(expect.objectContaining({ id: annexId, title: 'Direct care sharing (renamed)', reviewBy: '2027-04-01' }));
    });

    it('a stale base revision is 409 STALE_REVISION; an unknown section 404 SECTION_NOT_FOUND; an unknown annex 404 ANNEX_NOT_FOUND', async () => {
      const draft = await newDraft();
      const value = draft.content.schedules.insurance;
      expectStatus(await saveSection(cdA, draft.id, 'schedule6', { baseRevisionNumber: 1, value: { ...value, otherTerms: 'First.' } }), 200);
      expectError(await saveSection(cdA, draft.id, 'schedule6', { baseRevisionNumber: 1, value: { ...value, otherTerms: 'Late.' } }), 409, 'STALE_REVISION');
      expectError(await saveSection(cdA, draft.id, 'schedule8', { baseRevisionNumber: 2, value }), 404, 'SECTION_NOT_FOUND');
      expectError(await saveSection(cdA, draft.id, 'annex:00000000-0000-4000-8000-000000000009:dpia', { baseRevisionNumber: 2, value: { dpia: { required: false, screeningSummary: 'x' } } }), 404, 'ANNEX_NOT_FOUND');
      const missing = expectError(await saveSection(cdA, draft.id, 'schedule6', { baseRevisionNumber: 2 }), 422, 'VALIDATION_FAILED');
      expect(Object.keys(missing.fieldErrors)).toEqual(['value']);
      expect(await revisionCount(draft.id)).toBe(2);
    });

    it('same access rule as PUT draft: another PCN’s clinical director 404, a practice signatory 403', async () => {
      const draft = await newDraft();
      const body = { baseRevisionNumber: 1, value: draft.content.schedules.insurance };
      expectError(await saveSection(cdB, draft.id, 'schedule6', body), 404, 'NOT_FOUND');
      expectError(await saveSection(signatoryA, draft.id, 'schedule6', body), 403, 'PERMISSION_DENIED');
      expectError(await t.http.put(`/api/v1/agreements/${draft.id}/sections/schedule6`).send(body), 401, 'NOT_AUTHENTICATED');
      expect(await revisionCount(draft.id)).toBe(1);
    });

    it('DELETE agreements/:id/annexes/:annexId removes an annex as a new revision', async () => {
      const draft = await newDraft();
      const annexId = draft.content.annexes[0].id!;
      expectError(await t.http.delete(`/api/v1/agreements/${draft.id}/annexes/${annexId}?baseRevisionNumber=1`).set('Authorization', cdB.bearer), 404, 'NOT_FOUND');
      const body = expectStatus(await t.http.delete(`/api/v1/agreements/${draft.id}/annexes/${annexId}?baseRevisionNumber=1`).set('Authorization', cdA.bearer), 200);
      expect(body.revision.number).toBe(2);
      expect(expectStatus(await getAgreement(cdA, draft.id), 200).revision.content.annexes).toEqual([]);
      expectError(await t.http.delete(`/api/v1/agreements/${draft.id}/annexes/${annexId}?baseRevisionNumber=2`).set('Authorization', cdA.bearer), 404, 'ANNEX_NOT_FOUND');
      expectError(await t.http.delete(`/api/v1/agreements/${draft.id}/annexes/${annexId}?baseRevisionNumber=1`).set('Authorization', cdA.bearer), 409, 'STALE_REVISION');
    });
  });

  // ---- immutability at the database level ----------------------------------------

  describe('agreement_revision is append-only in the database', () => {
    it('refuses UPDATE, DELETE and TRUNCATE whatever the caller', async () => {
      const draft = await newDraft();
      await expect(t.dataSource.query(`UPDATE agreement_revision SET content_hash = repeat('0', 64) WHERE agreement_id = $1`, [draft.id])).rejects.toThrow(/immutable/);
      await expect(t.dataSource.query(`UPDATE agreement_revision SET content = '{}'::jsonb WHERE agreement_id = $1`, [draft.id])).rejects.toThrow(/immutable/);
      await expect(t.dataSource.query(`DELETE FROM agreement_revision WHERE agreement_id = $1`, [draft.id])).rejects.toThrow(/immutable/);
      await expect(t.dataSource.query(`TRUNCATE agreement_revision CASCADE`)).rejects.toThrow(/immutable/);
      const rows = await t.dataSource.query(`SELECT content_hash FROM agreement_revision WHERE agreement_id = $1`, [draft.id]);
      expect(rows).toEqual([{ content_hash: draft.hash }]);
    });
  });
});
