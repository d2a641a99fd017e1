import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { csrfTokenIn, signInToPages } from '../support/page-session';
import { DEMO_PASSWORD, EMAIL, loadBytes, tokenFor } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

const today = () => new Date().toISOString().slice(0, 10);
const dateFields = (prefix: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  // As the browser posts nhsuk-frontend's date input: prefix[day], prefix[month], prefix[year].
  return { [`${prefix}[day]`]: String(Number(d)), [`${prefix}[month]`]: String(Number(m)), [`${prefix}[year]`]: y };
};
const decode = (html: string) => html.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** A platform admin onboards an ICB, its PCNs with member practices, and each PCN's clinical director (pages + API + worker + SMTP). */
describe('onboarding ICBs and PCNs', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let demo: DemoData;
  const auth = async (email: string) => ({ Authorization: `Bearer ${await tokenFor(t.http, email)}` });
  /** Platform-chain audit events by type, and the authentication trail's, since `before`. */
  const auditSince = async (before: number) =>
    Object.fromEntries(((await t.dataSource.query(`SELECT type, count(*)::int AS n FROM audit_event WHERE chain_key = 'platform' AND seq > $1 GROUP BY type ORDER BY type`, [before])) as { type: string; n: number }[]).map((r) => [r.type, r.n]));
  const lastSeq = async () => Number((await t.dataSource.query(`SELECT coalesce(max(seq), 0)::int AS seq FROM audit_event WHERE chain_key = 'platform'`))[0].seq);

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env() });
    worker = await startTestWorker();
    demo = await loadBytes(t);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  it('an ICB: the code is checked in words (422), a code already registered is refused in words (409), and one audit event is written', async () => {
    const admin = await signInToPages(t, EMAIL.admin, DEMO_PASSWORD);
    const home = await admin.agent.get('/onboarding');
    expect(home.status).toBe(200);
    expect(home.text).toContain('href="/onboarding"');
    const before = await lastSeq();
    const bad = await admin.submit('/onboarding/icbs/new', '/onboarding/icbs/new', { name: 'NHS Humber and North Yorkshire ICB', odsCode: 'X42' });
    expect(bad.status).toBe(422);
    expect(decode(bad.text)).toContain("Enter the ICB's ODS code: Q and two letters or digits, like QHM");
    expect(bad.text).toContain('value="NHS Humber and North Yorkshire ICB"');
    const made = await admin.submit('/onboarding/icbs/new', '/onboarding/icbs/new', { name: 'NHS Humber and North Yorkshire ICB', odsCode: 'qoq' });
    expect(made.status).toBe(303);
    const icbId = /^\/onboarding\/icbs\/([0-9a-f-]{36})\?done=icb$/.exec(made.headers.location)![1];
    const page = await admin.agent.get(made.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Integrated Care Board, ODS code QOQ');
    expect(page.text).toContain('No PCN has been added to this ICB yet.');
    const again = await admin.submit('/onboarding/icbs/new', '/onboarding/icbs/new', { name: 'Humber again', odsCode: 'QOQ' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('QOQ is already registered to NHS Humber and North Yorkshire ICB');
    expect(await auditSince(before)).toEqual({ ORGANISATION_ONBOARDED: 1 });
    const [row] = await t.dataSource.query(`SELECT kind, ods_code AS "odsCode" FROM organisation WHERE id = $1`, [icbId]);
    expect(row).toEqual({ kind: 'ICB', odsCode: 'QOQ' });
  });

  it('a PCN: practices the directory does not know are asked for, then the PCN, the practices and the memberships are saved at once', async () => {
    const admin = await signInToPages(t, EMAIL.admin, DEMO_PASSWORD);
    const icb = await t.http.post('/api/v1/icbs').set(await auth(EMAIL.admin)).send({ name: 'NHS Cheshire and Merseyside ICB', odsCode: 'QYG' });
    expect(icb.status).toBe(201);
    const form = `/onboarding/icbs/${icb.body.id}/pcns/new`;
    const fields = { name: 'Wirral Peninsula PCN', odsCode: 'U99001', networkArea: 'Birkenhead and Wallasey', practices: 'A99001\nA99002', ...dateFields('joinedOn', today()) };
    const before = await lastSeq();

    const asked = await admin.submit(form, form, fields);
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Practices we do not know yet');
    expect(asked.text).toContain('Practice with ODS code A99001');
    expect(asked.text).toContain('Practice with ODS code A99002');
    expect(asked.text).toContain('value="A99001,A99002"');
    expect(asked.text).toContain('General Medical Services (GMS)');
    expect(await auditSince(before)).toEqual({});

    const details = { askedFor: 'A99001,A99002', 'new-A99001-name': 'Birkenhead Medical Centre', 'new-A99001-contractType': 'GMS', 'new-A99001-legalForm': 'PARTNERSHIP', 'new-A99002-name': 'Wallasey Village Surgery', 'new-A99002-legalForm': 'COMPANY' };
    const missing = await admin.agent.post(form).type('form').send({ ...fields, ...details, _csrf: csrfTokenIn(asked.text) });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Select the contract of the practice with ODS code A99002: GMS, PMS or APMS');
    expect(missing.text).toContain('href="#new-A99002-contractType"');
    expect(await auditSince(before)).toEqual({});

    const saved = await admin.agent.post(form).type('form').send({ ...fields, ...details, 'new-A99002-contractType': 'APMS', _csrf: csrfTokenIn(missing.text) });
    expect(saved.status).toBe(303);
    const pcnId = /^\/onboarding\/pcns\/([0-9a-f-]{36})\?done=pcn$/.exec(saved.headers.location)![1];
    const pcn = await admin.agent.get(saved.headers.location);
    expect(pcn.status).toBe(200);
    expect(pcn.text).toContain('NHS Cheshire and Merseyside ICB (QYG)');
    expect(pcn.text).toContain('Birkenhead Medical Centre');
    expect(pcn.text).toContain('Wallasey Village Surgery');
    expect(pcn.text).toContain('Nobody is recorded as the clinical director yet.');
    expect(await auditSince(before)).toEqual({ ORGANISATION_ONBOARDED: 3, MEMBERSHIP_ADDED: 2 });
    const rows = await t.dataSource.query(`SELECT o.ods_code AS "odsCode", o.contract_type AS "contractType", o.legal_form AS "legalForm" FROM membership m JOIN organisation o ON o.id = m.practice_id WHERE m.pcn_id = $1 AND m.type = 'CORE' ORDER BY 1`, [pcnId]);
    expect(rows).toEqual([{ odsCode: 'A99001', contractType: 'GMS', legalForm: 'PARTNERSHIP' }, { odsCode: 'A99002', contractType: 'APMS', legalForm: 'COMPANY' }]);
    const [{ icbCode }] = await t.dataSource.query(`SELECT icb_code AS "icbCode" FROM organisation WHERE id = $1`, [pcnId]);
    expect(icbCode).toBe('QYG');
  });

  it('a PCN is refused in words: its code already registered (409), a practice already a core member of another PCN (409), bad fields (422); nothing is saved', async () => {
    const admin = await signInToPages(t, EMAIL.admin, DEMO_PASSWORD);
    const icb = await t.http.post('/api/v1/icbs').set(await auth(EMAIL.admin)).send({ name: 'NHS Lancashire and South Cumbria ICB', odsCode: 'QE1' });
    expect(icb.status).toBe(201);
    const form = `/onboarding/icbs/${icb.body.id}/pcns/new`;
    const before = await lastSeq();
    const organisations = Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM organisation`))[0].n);

    const taken = await admin.submit(form, form, { name: 'Copy of BYTES', odsCode: 'U70101', networkArea: 'Stockton', practices: '', ...dateFields('joinedOn', today()) });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('Enter the ODS code of at least one member practice');

    const duplicate = await admin.submit(form, form, { name: 'Copy of BYTES', odsCode: 'U70101', networkArea: 'Stockton', practices: 'A87003', ...dateFields('joinedOn', today()) });
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toContain('U70101 is already registered to BYTES PCN');

    const member = await admin.submit(form, form, { name: 'Preston North PCN', odsCode: 'U99101', networkArea: 'Preston', practices: 'A87001', ...dateFields('joinedOn', today()) });
    expect(member.status).toBe(409);
    expect(member.text).toContain('Yarm Medical Practice (A87001) is a core member of BYTES PCN');

    const invalid = await admin.submit(form, form, { name: 'P', odsCode: '70101', networkArea: '', practices: 'A87001, 12345', ...dateFields('joinedOn', '2026-02-30') });
    expect(invalid.status).toBe(422);
    const text = decode(invalid.text);
    expect(text).toContain("Enter the PCN's name, like Stockton Central PCN");
    expect(text).toContain("Enter the PCN's ODS code: U and five digits, like U70101");
    expect(text).toContain('Describe the area the PCN covers');
    expect(text).toContain('12345 is not a GP practice ODS code: one letter and five digits, like A87001');
    expect(text).toContain('href="#joinedOn-day"');

    expect(await auditSince(before)).toEqual({});
    expect(Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM organisation`))[0].n)).toBe(organisations);
  });

  it("the clinical director's invitation: person, role and account invitation by email; the link sets up the account; a second clinical director is refused (409)", async () => {
    const admin = await signInToPages(t, EMAIL.admin, DEMO_PASSWORD);
    const headers = await auth(EMAIL.admin);
    const icb = await t.http.post('/api/v1/icbs').set(headers).send({ name: 'NHS Kent and Medway ICB', odsCode: 'QKS' });
    const pcn = await t.http.post(`/api/v1/icbs/${icb.body.id}/pcns`).set(headers).send({ name: 'Ashford Rural PCN', odsCode: 'U99201', networkArea: 'Ashford and villages', joinedOn: today(), practices: [{ odsCode: 'A99201', name: 'Wye Surgery', contractType: 'GMS', legalForm: 'SOLE_TRADER' }] });
    expect(pcn.status).toBe(201);
    const page = `/onboarding/pcns/${pcn.body.id}/clinical-director`;
    const before = await lastSeq();

    const blank = await admin.submit(page, page, { fullName: '', email: 'not-an-email' });
    expect(blank.status).toBe(422);
    expect(decode(blank.text)).toContain('Enter the clinical director’s full name');
    expect(blank.text).toContain('Enter their email address, like name@example.nhs.uk');

    const sent = await admin.submit(page, page, { fullName: 'Dr Hannah Morley', email: 'Hannah.Morley@wye.demo.nhs.uk' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/onboarding/pcns/${pcn.body.id}?done=invited`);
    const shown = await admin.agent.get(sent.headers.location);
    expect(shown.text).toContain('Dr Hannah Morley (hannah.morley@wye.demo.nhs.uk)');
    expect(shown.text).toContain('Invited');
    expect(await auditSince(before)).toEqual({ PERSON_ADDED: 1, PERSON_ROLE_ADDED: 1, USER_INVITED: 1 });
    const [role] = await t.dataSource.query(`SELECT r.role, r.valid_from::text AS "validFrom", r.valid_to AS "validTo" FROM person_role r JOIN person p ON p.id = r.person_id WHERE p.email = 'hannah.morley@wye.demo.nhs.uk'`);
    expect(role).toEqual({ role: 'CLINICAL_DIRECTOR', validFrom: today(), validTo: null });
    const [event] = await t.dataSource.query(`SELECT e.type, e.actor_user_id AS "actorUserId", e.detail FROM auth_event e WHERE e.email = 'hannah.morley@wye.demo.nhs.uk'`);
    const [adminRow] = await t.dataSource.query(`SELECT id FROM user_account WHERE email = $1`, [EMAIL.admin]);
    expect(event).toMatchObject({ type: 'INVITATION_SENT', actorUserId: adminRow.id, detail: { roles: ['PCN_CLINICAL_DIRECTOR'], organisationId: pcn.body.id } });

    const mail = await smtp.waitFor((m) => m.to.includes('hannah.morley@wye.demo.nhs.uk'), 15_000);
    expect(mail.text).toContain('Clinical director of the PCN — Ashford Rural PCN (U99201)');
    const link = /http:\/\/localhost:3000(\/invitation\/[A-Za-z0-9_-]+)/.exec(mail.text)![1];
    const visitor = request.agent(t.app.getHttpServer());
    const invitation = await visitor.get(link);
    expect(invitation.status).toBe(200);
    const set = await visitor.post(link).type('form').send({ password: 'wye valley orchard 2026', confirmPassword: 'wye valley orchard 2026', _csrf: csrfTokenIn(invitation.text) });
    expect(set.status).toBe(303);
    const cd = await signInToPages(t, 'hannah.morley@wye.demo.nhs.uk', 'wye valley orchard 2026');
    const people = await cd.agent.get(`/people/${pcn.body.id}`);
    expect(people.status).toBe(200);
    expect((await admin.agent.get(`/onboarding/pcns/${pcn.body.id}`)).text).toContain('Has an account');

    const second = await admin.submit(page, page, { fullName: 'Dr Someone Else', email: 'someone.else@wye.demo.nhs.uk' });
    expect(second.status).toBe(409);
    expect(second.text).toContain('Dr Hannah Morley is already recorded as the clinical director of Ashford Rural PCN');
  });

  it('a clinical director who already has an account (a partner elsewhere) is given the role on it, with no invitation', async () => {
    const admin = await signInToPages(t, EMAIL.admin, DEMO_PASSWORD);
    const headers = await auth(EMAIL.admin);
    const icb = await t.http.post('/api/v1/icbs').set(headers).send({ name: 'NHS Black Country ICB', odsCode: 'QUA' });
    const pcn = await t.http.post(`/api/v1/icbs/${icb.body.id}/pcns`).set(headers).send({ name: 'Dudley Central PCN', odsCode: 'U99401', networkArea: 'Dudley town centre', joinedOn: today(), practices: [{ odsCode: 'A99401', name: 'Dudley Health Centre', contractType: 'GMS', legalForm: 'PARTNERSHIP' }] });
    expect(pcn.status).toBe(201);
    const page = `/onboarding/pcns/${pcn.body.id}/clinical-director`;
    const before = await lastSeq();
    const sent = await admin.submit(page, page, { fullName: 'Dr Priya Raman', email: EMAIL.raman });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/onboarding/pcns/${pcn.body.id}?done=granted`);
    const shown = await admin.agent.get(sent.headers.location);
    expect(decode(shown.text)).toContain('They already had an account, which now has the clinical director’s role');
    expect(shown.text).toContain('Has an account');
    expect(await auditSince(before)).toEqual({ PERSON_ROLE_ADDED: 1, ROLE_GRANTED: 1 });
    expect(Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM invitation WHERE email = $1`, [EMAIL.raman]))[0].n)).toBe(0);
    const [raman] = await t.dataSource.query(`SELECT id FROM user_account WHERE email = $1`, [EMAIL.raman]);
    const grants = await t.dataSource.query(`SELECT role FROM role_grant WHERE user_id = $1 AND organisation_id = $2`, [raman.id, pcn.body.id]);
    expect(grants).toEqual([{ role: 'PCN_CLINICAL_DIRECTOR' }]);
    const [adminRow] = await t.dataSource.query(`SELECT id FROM user_account WHERE email = $1`, [EMAIL.admin]);
    const trail = await t.dataSource.query(`SELECT type, actor_user_id AS "actorUserId", detail FROM auth_event WHERE user_id = $1 AND type = 'ROLE_CHANGED'`, [raman.id]);
    expect(trail).toEqual([{ type: 'ROLE_CHANGED', actorUserId: adminRow.id, detail: { added: { role: 'PCN_CLINICAL_DIRECTOR', organisationId: pcn.body.id, icbCode: null } } }]);
    // The person in the directory is the one the account belongs to (no second Dr Raman).
    expect(Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM person WHERE email = $1`, [EMAIL.raman]))[0].n)).toBe(1);
  });

  it('the API: 201 with the created records, 422 field by field in words, 409 for a code already registered; anyone but a platform admin is refused', async () => {
    const headers = await auth(EMAIL.admin);
    const bad = await t.http.post('/api/v1/icbs').set(headers).send({ name: 'N', odsCode: 'QQQQ' });
    expect(bad.status).toBe(422);
    expect(bad.body.fieldErrors).toEqual({ name: ["Enter the ICB's name, like NHS North East and North Cumbria ICB"], odsCode: ["Enter the ICB's ODS code: Q and two letters or digits, like QHM"] });
    const icb = await t.http.post('/api/v1/icbs').set(headers).send({ name: 'NHS Somerset ICB', odsCode: 'QSL' });
    expect(icb.status).toBe(201);
    expect(icb.body).toEqual({ id: expect.any(String), kind: 'ICB', name: 'NHS Somerset ICB', odsCode: 'QSL' });
    const dup = await t.http.post('/api/v1/icbs').set(headers).send({ name: 'Somerset again', odsCode: 'QSL' });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('The ODS code QSL is already registered to NHS Somerset ICB. Check the code, or find that organisation instead of adding it again.');

    const unknown = await t.http.post(`/api/v1/icbs/${icb.body.id}/pcns`).set(headers).send({ name: 'Taunton PCN', odsCode: 'U99301', networkArea: 'Taunton', joinedOn: today(), practices: [{ odsCode: 'A99301' }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.fieldErrors).toEqual({
      'practices.A99301.name': ['Enter the name of the practice with ODS code A99301'],
      'practices.A99301.contractType': ['Select the contract of the practice with ODS code A99301: GMS, PMS or APMS'],
      'practices.A99301.legalForm': ['Select how the practice with ODS code A99301 is run: a partnership, a sole practitioner or a company'],
    });
    const made = await t.http.post(`/api/v1/icbs/${icb.body.id}/pcns`).set(headers).send({ name: 'Taunton PCN', odsCode: 'U99301', networkArea: 'Taunton', joinedOn: today(), practices: [{ odsCode: 'A99301', name: 'Taunton Vale Practice', contractType: 'PMS', legalForm: 'PARTNERSHIP' }] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ kind: 'PCN', name: 'Taunton PCN', odsCode: 'U99301', icbCode: 'QSL', practices: [{ name: 'Taunton Vale Practice', odsCode: 'A99301', joinedOn: today() }], clinicalDirector: null });
    // The list counts each ICB's PCNs; one ICB's PCNs are described by its own route.
    const somerset = async () => (await t.http.get('/api/v1/icbs').set(headers).expect(200)).body.find((i: { odsCode: string }) => i.odsCode === 'QSL');
    expect(await somerset()).toEqual({ id: icb.body.id, kind: 'ICB', name: 'NHS Somerset ICB', odsCode: 'QSL', pcnCount: 1, pcnsWithoutClinicalDirector: 1 });
    const described = await t.http.get(`/api/v1/icbs/${icb.body.id}`).set(headers);
    expect(described.status).toBe(200);
    expect(described.body.pcns.map((p: { name: string }) => p.name)).toEqual(['Taunton PCN']);
    const cd = await t.http.post(`/api/v1/pcns/${made.body.id}/clinical-director`).set(headers).send({ fullName: 'Dr Tom Vale', email: 'tom.vale@taunton.demo.nhs.uk' });
    expect(cd.status).toBe(201);
    expect(await somerset()).toMatchObject({ pcnCount: 1, pcnsWithoutClinicalDirector: 0 });
    expect(cd.body).toMatchObject({ fullName: 'Dr Tom Vale', email: 'tom.vale@taunton.demo.nhs.uk', invitationId: expect.any(String), grantedToUserId: null, grants: [{ role: 'PCN_CLINICAL_DIRECTOR', organisationId: made.body.id, icbCode: null }] });

    // A clinical director (no directory.write) is refused on the API and the pages; nothing is written.
    const before = await lastSeq();
    const refused = await t.http.post('/api/v1/icbs').set(await auth(EMAIL.cd)).send({ name: 'NHS Dorset ICB', odsCode: 'QVV' });
    expect(refused.status).toBe(403);
    expect((await t.http.post(`/api/v1/pcns/${demo.pcnId}/clinical-director`).set(await auth(EMAIL.cd)).send({ fullName: 'Dr Mallory', email: 'mallory@example.org' })).status).toBe(403);
    const cdPages = await signInToPages(t, EMAIL.cd, DEMO_PASSWORD);
    expect((await cdPages.agent.get('/onboarding')).status).toBe(403);
    expect((await cdPages.agent.get(`/onboarding/icbs/${icb.body.id}`)).status).toBe(403);
    expect(await auditSince(before)).toEqual({});
  });
});
