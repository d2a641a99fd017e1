import { UserRole } from '@pcn/auth';
import { DirectoryService, ExitReason } from '@pcn/directory';
import { createTestApp, TestApp } from '../../../../test/support/test-app';
import { expectError, expectStatus } from '../../../../test/support/http-expect';
import { createPcn, createPcnWithPractices, createPractice, createUserWithRole, TestUser } from '../../../../test/support/factories';

describe('directory (integration)', () => {
  let t: TestApp;
  let admin: TestUser;
  let directory: DirectoryService;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUserWithRole(t, UserRole.PlatformAdmin);
    directory = t.app.get(DirectoryService);
  });

  afterAll(async () => {
    await t?.close();
  });

  const post = (path: string, body: object, user: TestUser = admin) => t.http.post(`/api/v1${path}`).set('Authorization', user.bearer).send(body);
  const patch = (path: string, body: object, user: TestUser = admin) => t.http.patch(`/api/v1${path}`).set('Authorization', user.bearer).send(body);
  const get = (path: string, user: TestUser = admin) => t.http.get(`/api/v1${path}`).set('Authorization', user.bearer);

  const practiceBody = (overrides: Record<string, unknown> = {}) => ({
    name: 'Riverside Medical Centre',
    odsCode: 'A81001',
    contractType: 'GMS',
    legalForm: 'PARTNERSHIP',
    listSize: 9800,
    listSizeDate: '2026-04-01',
    ...overrides,
  });
  const pcnBody = (overrides: Record<string, unknown> = {}) => ({ name: 'Riverside PCN', code: 'U10001', icbCode: 'QHM', networkArea: 'Riverside wards', ...overrides });

  describe('identifier validation over HTTP', () => {
    it('creates a practice with valid codes', async () => {
      const body = expectStatus(await post('/practices', practiceBody()), 201);
      expect(body).toEqual(expect.objectContaining({ id: expect.any(String), kind: 'GP_PRACTICE', odsCode: 'A81001', listSize: 9800 }));
    });

    it.each([
      ['lower-case letter', 'a81001'],
      ['too short', 'A8100'],
      ['two letters', 'AB1001'],
      ['PCN code', 'U12345X'],
    ])('a practice ODS code that is not one capital and five digits (%s) is 422 with odsCode', async (_label, odsCode) => {
      const error = expectError(await post('/practices', practiceBody({ odsCode })), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors)).toEqual(['odsCode']);
      expect(error.fieldErrors.odsCode[0]).toMatch(/A81001/);
    });

    it('a duplicate practice ODS code is 409 DUPLICATE_CODE on odsCode', async () => {
      expectStatus(await post('/practices', practiceBody({ odsCode: 'B82001' })), 201);
      const error = expectError(await post('/practices', practiceBody({ odsCode: 'B82001', name: 'Another' })), 409, 'DUPLICATE_CODE');
      expect(Object.keys(error.fieldErrors)).toEqual(['odsCode']);
    });

    it('other practice fields are checked too: contract type, legal form, list size date', async () => {
      const error = expectError(await post('/practices', practiceBody({ odsCode: 'C83001', contractType: 'NHS', legalForm: 'LLP', listSizeDate: '2026-02-30' })), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors).sort()).toEqual(['contractType', 'legalForm', 'listSizeDate']);
    });

    it('creates a PCN with a valid code and ICB', async () => {
      const body = expectStatus(await post('/pcns', pcnBody()), 201);
      expect(body).toEqual(expect.objectContaining({ kind: 'PCN', odsCode: 'U10001', icbCode: 'QHM' }));
    });

    it('a PCN code may be left out until ODS issues one', async () => {
      const body = expectStatus(await post('/pcns', pcnBody({ code: undefined, name: 'New PCN' })), 201);
      expect(body.odsCode).toBeNull();
    });

    it.each([['X12345'], ['U1234'], ['u12345']])('a PCN code that is not U and five digits (%s) is 422 with code', async (code) => {
      const error = expectError(await post('/pcns', pcnBody({ code })), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors)).toEqual(['code']);
    });

    it.each([['QH'], ['RHM'], ['qhm'], ['QHMX']])('an ICB code that is not Q and two letters/digits (%s) is 422 with icbCode', async (icbCode) => {
      const error = expectError(await post('/pcns', pcnBody({ code: 'U10099', icbCode })), 422, 'VALIDATION_FAILED');
      expect(Object.keys(error.fieldErrors)).toEqual(['icbCode']);
      expect(error.fieldErrors.icbCode[0]).toMatch(/ICB/);
    });

    it('the database refuses a malformed code even if a code path skipped the DTO', async () => {
      await expect(
        t.dataSource.query(`INSERT INTO organisation (kind, name, ods_code, contract_type, legal_form) VALUES ('GP_PRACTICE', 'Bad', 'bad123', 'GMS', 'PARTNERSHIP')`),
      ).rejects.toThrow(/organisation_practice_ods_check/);
      await expect(t.dataSource.query(`INSERT INTO organisation (kind, name, icb_code, network_area) VALUES ('PCN', 'Bad', 'XYZ', 'Somewhere')`)).rejects.toThrow(
        /organisation_pcn_code_check/,
      );
    });

    it('directory writes need directory.write: a clinical director gets 403', async () => {
      const pcn = await createPcn(t);
      const cd = await createUserWithRole(t, UserRole.ClinicalDirector, pcn.id);
      expectError(await post('/practices', practiceBody({ odsCode: 'D84001' }), cd), 403, 'PERMISSION_DENIED');
    });
  });

  describe('core membership: one PCN at a time', () => {
    it('a practice cannot join a second PCN for an overlapping period (409 ALREADY_CORE_MEMBER) but can join after leaving', async () => {
      const first = await createPcn(t);
      const second = await createPcn(t);
      const practice = await createPractice(t);

      const joined = expectStatus(await post(`/pcns/${first.id}/memberships`, { practiceId: practice.id, joinedOn: '2020-04-01' }), 201);
      const clash = expectError(await post(`/pcns/${second.id}/memberships`, { practiceId: practice.id, joinedOn: '2025-04-01' }), 409, 'ALREADY_CORE_MEMBER');
      expect(Object.keys(clash.fieldErrors)).toEqual(['practiceId']);
      expect(clash.message).toContain(practice.odsCode);
      // Joining the same PCN twice overlaps as well.
      expectError(await post(`/pcns/${first.id}/memberships`, { practiceId: practice.id, joinedOn: '2021-04-01' }), 409, 'ALREADY_CORE_MEMBER');

      const ended = expectStatus(await patch(`/pcns/${first.id}/memberships/${joined.id}`, { leftOn: '2025-03-31', exitReason: ExitReason.Voluntary }), 200);
      expect(ended).toEqual(expect.objectContaining({ leftOn: '2025-03-31', exitReason: 'VOLUNTARY' }));

      // The leaving day still counts as a member day: joining elsewhere that day overlaps.
      expectError(await post(`/pcns/${second.id}/memberships`, { practiceId: practice.id, joinedOn: '2025-03-31' }), 409, 'ALREADY_CORE_MEMBER');
      expectStatus(await post(`/pcns/${second.id}/memberships`, { practiceId: practice.id, joinedOn: '2025-04-01' }), 201);

      const history = expectStatus(await get(`/pcns/${first.id}/memberships`), 200);
      expect(history).toHaveLength(1);
      expect(history[0].practice.id).toBe(practice.id);
    });

    it('a membership cannot end before it began (422 INVALID_DATES)', async () => {
      const pcn = await createPcn(t);
      const practice = await createPractice(t);
      const joined = expectStatus(await post(`/pcns/${pcn.id}/memberships`, { practiceId: practice.id, joinedOn: '2024-04-01' }), 201);
      const error = expectError(await patch(`/pcns/${pcn.id}/memberships/${joined.id}`, { leftOn: '2024-03-31', exitReason: 'VOLUNTARY' }), 422, 'INVALID_DATES');
      expect(Object.keys(error.fieldErrors)).toEqual(['leftOn']);
    });

    it('only GP practices can be core members (422 NOT_A_PRACTICE), and only of PCNs (404)', async () => {
      const pcn = await createPcn(t);
      const otherPcn = await createPcn(t);
      const practice = await createPractice(t);
      expectError(await post(`/pcns/${pcn.id}/memberships`, { practiceId: otherPcn.id, joinedOn: '2024-04-01' }), 422, 'NOT_A_PRACTICE');
      expectError(await post(`/pcns/${practice.id}/memberships`, { practiceId: practice.id, joinedOn: '2024-04-01' }), 404, 'NOT_FOUND');
    });

    it('the database itself enforces it: a raw overlapping INSERT fails on the exclusion constraint', async () => {
      const { practices } = await createPcnWithPractices(t, { practices: 1, joinedOn: '2020-04-01' });
      const elsewhere = await createPcn(t);
      const insert = (joinedOn: string, leftOn: string | null) =>
        t.dataSource.query(`INSERT INTO membership (pcn_id, practice_id, joined_on, left_on) VALUES ($1, $2, $3, $4)`, [elsewhere.id, practices[0].id, joinedOn, leftOn]);

      const error = await insert('2022-01-01', '2022-12-31').then(
        () => null,
        (e: { driverError?: { code?: string; constraint?: string } }) => e,
      );
      expect(error?.driverError?.code).toBe('23P01');
      expect(error?.driverError?.constraint).toBe('membership_one_core_pcn_at_a_time');
      // A period entirely before the first membership does not overlap.
      await expect(insert('2018-01-01', '2019-12-31')).resolves.toBeDefined();
      // Leaving before joining is refused by a check constraint.
      await expect(insert('2017-06-01', '2017-01-01')).rejects.toThrow(/membership_dates_check/);
    });
  });

  describe('currentMembers', () => {
    it('counts a practice from the day it joins through the day it leaves, and not outside that', async () => {
      const pcn = await createPcn(t);
      const stays = await createPractice(t, { name: 'A stays' });
      const leaves = await createPractice(t, { name: 'B leaves' });
      const joinsLater = await createPractice(t, { name: 'C joins later' });
      await directory.addMembership(pcn.id, { practiceId: stays.id, joinedOn: '2020-04-01' });
      const leaving = await directory.addMembership(pcn.id, { practiceId: leaves.id, joinedOn: '2020-04-01' });
      await directory.endMembership(pcn.id, leaving.id, { leftOn: '2025-03-31', exitReason: ExitReason.Merger });
      await directory.addMembership(pcn.id, { practiceId: joinsLater.id, joinedOn: '2025-04-01' });

      const namesOn = async (date: string) => (await directory.currentMembers(pcn.id, date)).map((m) => m.name);
      expect(await namesOn('2020-03-31')).toEqual([]);
      expect(await namesOn('2020-04-01')).toEqual(['A stays', 'B leaves']);
      expect(await namesOn('2025-03-31')).toEqual(['A stays', 'B leaves']);
      expect(await namesOn('2025-04-01')).toEqual(['A stays', 'C joins later']);
      expect(await namesOn('2030-01-01')).toEqual(['A stays', 'C joins later']);

      const [member] = await directory.currentMembers(pcn.id, '2026-01-01');
      expect(member).toEqual(
        expect.objectContaining({ organisationId: stays.id, odsCode: stays.odsCode, listSize: stays.listSize, legalForm: stays.legalForm, joinedOn: '2020-04-01' }),
      );
    });

    it('GET /pcns/:id shows today’s members and their total list size', async () => {
      const { pcn, practices } = await createPcnWithPractices(t, { practices: 3, listSizes: [10_000, 12_000, 9_500] });
      const future = await createPractice(t, { listSize: 50_000 });
      await directory.addMembership(pcn.id, { practiceId: future.id, joinedOn: '2099-01-01' });
      const body = expectStatus(await get(`/pcns/${pcn.id}`), 200);
      expect(body.members.map((m: { organisationId: string }) => m.organisationId).sort()).toEqual(practices.map((p) => p.id).sort());
      expect(body.totalListSize).toBe(31_500);
    });
  });

  describe('listVisiblePcns (GET /pcns) scoping', () => {
    let north1: string;
    let north2: string;
    let south: string;
    let southPractice: string;

    beforeAll(async () => {
      north1 = (await createPcn(t, { icbCode: 'QN1', name: 'North One' })).id;
      north2 = (await createPcn(t, { icbCode: 'QN1', name: 'North Two' })).id;
      const southFixture = await createPcnWithPractices(t, { icbCode: 'QS2', name: 'South', practices: 1 });
      south = southFixture.pcn.id;
      southPractice = southFixture.practices[0].id;
    });

    const visible = async (user: TestUser): Promise<string[]> => (expectStatus(await get('/pcns', user), 200) as { id: string }[]).map((p) => p.id);

    it('a clinical director sees only their PCN', async () => {
      const cd = await createUserWithRole(t, UserRole.ClinicalDirector, north1);
      expect(await visible(cd)).toEqual([north1]);
    });

    it('a PCN manager of two PCNs sees both', async () => {
      const manager = await createUserWithRole(t, UserRole.PcnManager, north1, { extraGrants: [{ role: UserRole.PcnManager, organisationId: south, icbCode: null }] });
      expect((await visible(manager)).sort()).toEqual([north1, south].sort());
    });

    it('a practice signatory sees the PCN their practice is a current member of', async () => {
      const signatory = await createUserWithRole(t, UserRole.PracticeSignatory, southPractice);
      expect(await visible(signatory)).toEqual([south]);
      expectStatus(await get(`/pcns/${south}`, signatory), 200);
      expectError(await get(`/pcns/${north1}`, signatory), 404, 'NOT_FOUND');
    });

    it('a practice signatory of a practice that left sees nothing', async () => {
      const { pcn, practices } = await createPcnWithPractices(t, { practices: 1, joinedOn: '2019-04-01' });
      const [membership] = await directory.membershipHistory(pcn.id);
      await directory.endMembership(pcn.id, membership.id, { leftOn: '2024-03-31', exitReason: ExitReason.Voluntary });
      const signatory = await createUserWithRole(t, UserRole.PracticeSignatory, practices[0].id);
      expect(await visible(signatory)).toEqual([]);
      expectError(await get(`/pcns/${pcn.id}`, signatory), 404, 'NOT_FOUND');
    });

    it('an ICB auditor sees only the PCNs of their ICB', async () => {
      const auditor = await createUserWithRole(t, UserRole.Auditor, null, { icbCode: 'QN1' });
      expect((await visible(auditor)).sort()).toEqual([north1, north2].sort());
      expectStatus(await get(`/pcns/${north2}`, auditor), 200);
      expectError(await get(`/pcns/${south}`, auditor), 404, 'NOT_FOUND');
    });

    it('a national auditor sees every PCN', async () => {
      const auditor = await createUserWithRole(t, UserRole.Auditor, null, { icbCode: null });
      const all = (await t.dataSource.query(`SELECT id FROM organisation WHERE kind = 'PCN'`)).map((r: { id: string }) => r.id);
      expect((await visible(auditor)).sort()).toEqual(all.sort());
      expect(all.length).toBeGreaterThan(3);
    });

    it('a platform admin sees every PCN', async () => {
      const all = (await t.dataSource.query(`SELECT id FROM organisation WHERE kind = 'PCN'`)).map((r: { id: string }) => r.id);
      expect((await visible(admin)).sort()).toEqual(all.sort());
    });

    it('a partner-organisation signatory (no directory.read) is refused', async () => {
      const partner = await t.app.get(DirectoryService).createPartnerOrganisation({ kind: 'NHS_TRUST' as never, name: 'Some Trust', odsCode: 'RZZ' });
      const user = await createUserWithRole(t, UserRole.PartnerSignatory, partner.id);
      expectError(await get('/pcns', user), 403, 'PERMISSION_DENIED');
    });
  });
});
