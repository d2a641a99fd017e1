import { DataSource } from 'typeorm';
import { UserRole } from '@pcn/auth';
import { AgreementRevisionEntity, NetworkAgreementEntity } from '@pcn/agreements';
import { createTestApp, TestApp } from '../support/test-app';
import { createPcn, createUserWithRole } from '../support/factories';
import { csrfTokenIn, signInToPages } from '../support/page-session';
import { DEMO_PASSWORD, EMAIL, loadBytes } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** What a person reads: the page's text without tags or attributes. */
function visibleText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

/** A form body as a browser sends it: `v[shares][0][percentage]=40` (superagent drops the indices). */
function formBody(fields: Record<string, unknown>): string {
  const out = new URLSearchParams();
  const walk = (value: unknown, name: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${name}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, name ? `${name}[${k}]` : k);
    else if (value !== undefined) out.append(name, String(value));
  };
  walk(fields, '');
  return out.toString();
}

/** Signs in; `submit` GETs the page for its CSRF token and posts the form as a browser would. */
async function pagesAs(t: TestApp, email: string, password: string) {
  const { agent } = await signInToPages(t, email, password);
  return {
    agent,
    async submit(pagePath: string, action: string, fields: Record<string, unknown>) {
      const page = await agent.get(pagePath);
      return agent.post(action).type('form').send(formBody({ ...fields, _csrf: csrfTokenIn(page.text) }));
    },
  };
}

/** The error summary's links, as [text, href]. */
function summaryErrors(html: string): [string, string][] {
  const list = /<ul class="nhsuk-list nhsuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<a href="([^"]+)">([\s\S]*?)<\/a>/g)].map((m) => [m[2].trim().replace(/&#39;/g, '’'), m[1]]);
}

describe('drafting pages', () => {
  let t: TestApp;
  let demo: DemoData;
  let otherManager: { email: string; password: string };
  let agreementId: string;
  let revisions: () => Promise<number>;

  beforeAll(async () => {
    t = await createTestApp();
    demo = await loadBytes(t);
    const otherPcn = await createPcn(t);
    otherManager = await createUserWithRole(t, UserRole.PcnManager, otherPcn.id, { displayName: 'Other Manager' });
    revisions = () => t.app.get(DataSource).getRepository(AgreementRevisionEntity).countBy({ agreementId });
  });
  afterAll(() => t?.close());

  it('the agreements list and the PCN overview show practices, list sizes, signatories and partners in words', async () => {
    const { agent } = await pagesAs(t, EMAIL.manager, DEMO_PASSWORD);
    const list = await agent.get('/agreements');
    expect(list.status).toBe(200);
    expect(list.text).toContain('BYTES PCN');
    expect(list.text).toContain('Start a new agreement for BYTES PCN');
    expect(list.text).toContain('Draft');
    const pcn = await agent.get(`/pcns/${demo.pcnId}`);
    expect(pcn.status).toBe(200);
    const text = visibleText(pcn.text);
    for (const words of ['Yarm Medical Practice', 'A87001', '14,250', '45,550', 'Dr Thomas Whitfield', 'Partner', 'Every partner signs.', 'Any one director signs for the company.', 'Tees Valley Community Health NHS Trust (RX9)', 'NHS trust']) {
      expect(text).toContain(words);
    }
    expect(text).not.toContain('List size outside the usual range');
    expect(text).not.toMatch(UUID);
  });

  it('a PCN manager starts a new agreement through the form: redirect to the edit page, revision 1 exists', async () => {
    const { agent } = await pagesAs(t, EMAIL.manager, DEMO_PASSWORD);
    const form = await agent.get(`/pcns/${demo.pcnId}/agreements/new`);
    expect(form.status).toBe(200);
    expect(visibleText(form.text)).toContain('Dr Amira Okafor');
    const before = await t.app.get(DataSource).getRepository(NetworkAgreementEntity).countBy({ pcnId: demo.pcnId });
    const res = await agent.post(`/pcns/${demo.pcnId}/agreements/new`).type('form').send({ _csrf: csrfTokenIn(form.text) });
    expect(res.status).toBe(303);
    const match = /^\/agreements\/([0-9a-f-]{36})\/edit\?saved=new$/.exec(res.headers.location);
    expect(match).not.toBeNull();
    agreementId = match![1];
    expect(await t.app.get(DataSource).getRepository(NetworkAgreementEntity).countBy({ pcnId: demo.pcnId })).toBe(before + 1);
    expect(await revisions()).toBe(1);
    const edit = await agent.get(res.headers.location);
    expect(edit.status).toBe(200);
    const text = visibleText(edit.text);
    expect(text).toContain('The new draft saved as revision 1');
    for (let n = 1; n <= 7; n++) expect(text).toContain(`Schedule ${n} —`);
    expect(edit.text).toContain(`href="/agreements/${agreementId}/edit/schedule4"`);
    expect(edit.text).toContain(`href="/agreements/${agreementId}/annexes/new"`);
    expect(edit.text).toContain(`href="/agreements/${agreementId}/revisions"`);
    expect(edit.text).toContain(`href="/agreements/${agreementId}/send"`);
    expect(text).not.toMatch(UUID);
  });

  it('schedule 4 with three errors shows exactly those three, linked to their fields; fixed, it saves a new revision with warnings on the overview', async () => {
    const { agent, submit } = await pagesAs(t, EMAIL.manager, DEMO_PASSWORD);
    const page = `/agreements/${agreementId}/edit/schedule4`;
    const p = demo.practiceIds;
    const bad = await submit(page, page, {
      baseRevisionNumber: '1',
      action: 'save',
      v: {
        payeeOrganisationId: p.eaglescliffe,
        distributionBasis: 'CUSTOM_PERCENTAGES',
        shares: [
          { organisationId: p.yarm, percentage: '40' },
          { organisationId: p.yarm, percentage: '50' },
        ],
        distributionTiming: 'Within 10 working days',
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<title>Error: Schedule 4 — Financial arrangements');
    const errors = summaryErrors(bad.text);
    expect(errors.map(([, href]) => href)).toEqual(['#schedules-finances-payeeOrganisationId', '#schedules-finances-shares', '#schedules-finances-shares-1-organisationId']);
    expect(errors[0][0]).toContain('Schedule 4 names “Eaglescliffe Medical Practice” as the payee');
    expect(errors[1][0]).toContain('add up to 90%');
    expect(errors[2][0]).toContain('more than one share');
    // Each link lands on an element with that id, and the inline message is on the field.
    for (const [, href] of errors) expect(bad.text).toContain(`id="${href.slice(1)}"`);
    expect(bad.text).toContain('id="schedules-finances-payeeOrganisationId-error"');
    // What was typed comes back.
    expect(bad.text).toMatch(/id="schedules-finances-shares-1-percentage" name="v\[shares\]\[1\]\[percentage\]"[^>]*value="50"/);
    expect(await revisions()).toBe(1);

    const good = await submit(page, page, {
      baseRevisionNumber: '1',
      action: 'save',
      v: {
        payeeOrganisationId: p.yarm,
        distributionBasis: 'CUSTOM_PERCENTAGES',
        shares: [
          { organisationId: p.yarm, percentage: '40' },
          { organisationId: p.eaglescliffe, percentage: '30' },
          { organisationId: p.tbmg, percentage: '20' },
          { organisationId: p.parklane, percentage: '10' },
        ],
        distributionTiming: 'Within 10 working days',
      },
    });
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe(`/agreements/${agreementId}/edit?saved=schedule4`);
    expect(await revisions()).toBe(2);
    const saved = await t.app.get(DataSource).getRepository(AgreementRevisionEntity).findOneByOrFail({ agreementId, number: 2 });
    expect(saved.content.schedules.finances.shares).toEqual([
      { organisationId: p.yarm, percentage: 40 },
      { organisationId: p.eaglescliffe, percentage: 30 },
      { organisationId: p.tbmg, percentage: 20 },
      { organisationId: p.parklane, percentage: 10 },
    ]);
    const overview = visibleText((await agent.get(good.headers.location)).text);
    expect(overview).toContain('Schedule 4 — Financial arrangements saved as revision 2');
    expect(overview).toContain('Check before you send this for signature');
    expect(overview).toContain('does not yet say how profits, losses and liabilities are shared');
  });

  it('"Add another row" and "Remove" re-render the form without JavaScript and save nothing; a stale revision gets the 409 message', async () => {
    const { submit } = await pagesAs(t, EMAIL.manager, DEMO_PASSWORD);
    const page = `/agreements/${agreementId}/edit/schedule4`;
    const p = demo.practiceIds;
    const v = {
      payeeOrganisationId: p.yarm,
      distributionBasis: 'CUSTOM_PERCENTAGES',
      shares: [
        { organisationId: p.yarm, percentage: '40' },
        { organisationId: p.eaglescliffe, percentage: '60' },
      ],
    };
    const added = await submit(page, page, { baseRevisionNumber: '2', action: 'add-row:shares', v });
    expect(added.status).toBe(200);
    expect(added.text).toContain('id="schedules-finances-shares-2-percentage"');
    expect(added.text).not.toContain('id="schedules-finances-shares-3-percentage"');
    expect(added.text).toMatch(/id="schedules-finances-shares-1-percentage"[^>]*value="60"/);
    expect(added.text).not.toContain('There is a problem');
    const removed = await submit(page, page, { baseRevisionNumber: '2', action: 'remove-row:shares:0', v });
    expect(removed.status).toBe(200);
    expect(removed.text).toMatch(/id="schedules-finances-shares-0-percentage"[^>]*value="60"/);
    expect(removed.text).not.toContain('id="schedules-finances-shares-1-percentage"');
    expect(await revisions()).toBe(2);

    const stale = await submit(page, page, { baseRevisionNumber: '1', action: 'save', v });
    expect(stale.status).toBe(409);
    expect(visibleText(stale.text)).toContain('Someone else saved this draft');
    expect(stale.text).toContain(`<a href="${page}">Reload this section</a>`);
    expect(await revisions()).toBe(2);
  });

  it('adds a data-sharing annex whose purpose takes Article 6 from a labelled list with explanations', async () => {
    const { agent, submit } = await pagesAs(t, EMAIL.manager, DEMO_PASSWORD);
    const page = `/agreements/${agreementId}/annexes/new`;
    const form = await agent.get(page);
    expect(form.status).toBe(200);
    const text = visibleText(form.text);
    expect(text).toContain('Article 6(1)(e) — public task');
    expect(text).toContain('Processing is necessary for a task in the public interest or official authority, such as providing NHS care.');
    expect(text).toContain('Article 9(2)(h) — health or social care');
    expect(form.text).toContain('value="Fiona Gallagher"');
    expect(form.text).toContain('name="v[purposes][0][art6Basis]" type="radio" value="E"');
    const p = demo.practiceIds;
    const party = (organisationId: string, cg: string) => ({
      organisationId,
      dataRole: 'JOINT_CONTROLLER',
      dpo: { name: 'Fiona Gallagher', email: 'fiona.gallagher@dpo.demo.nhs.uk' },
      caldicottGuardian: { name: cg, email: 'cg@example.nhs.uk' },
      dsptStatus: 'MET',
      dsptYear: '2025-26',
    });
    const v = {
      title: 'Direct care records sharing',
      kind: 'JOINT_CONTROLLER_DSA',
      effectiveFrom: { day: '1', month: '4', year: '2026' },
      rightsRequestsHandledBy: p.yarm,
      privacyNoticeUrl: 'https://bytes.example.nhs.uk/privacy',
      parties: [party(p.yarm, 'Dr Thomas Whitfield'), party(p.eaglescliffe, 'Dr Priya Raman')],
      purposes: [
        {
          description: 'Extended access appointments across the network',
          category: 'DIRECT_CARE',
          art6Basis: 'E',
          art9Condition: 'H',
          dpaSchedule1Condition: 'DPA 2018 Schedule 1 Part 1 paragraph 2 (health or social care purposes)',
          confidentialityBasis: 'IMPLIED_CONSENT_DIRECT_CARE',
        },
      ],
      dataSubjects: ['PATIENTS'],
      dataItems: [{ name: 'GP record summary', justification: 'To treat the patient safely', specialCategory: 'yes', criminalOffence: 'no' }],
      flows: [{ fromOrganisationId: p.yarm, toOrganisationId: p.eaglescliffe, system: 'EMIS Web', transferMethod: 'Shared record', encrypted: 'yes', frequency: 'Each appointment' }],
      retention: { period: 'As the GP record', rule: 'NHS Records Management Code of Practice', disposalMethod: 'Secure deletion' },
      securityMeasures: 'Smartcard access\r\nRole-based access',
      breachNotificationHours: '24',
      dpia: { required: 'no', screeningSummary: 'Screened: routine direct care sharing.' },
    };
    const res = await submit(page, page, { baseRevisionNumber: '2', action: 'save', v });
    if (res.status !== 303) throw new Error(summaryErrors(res.text).map((e) => e.join(' → ')).join('\n') || res.text.slice(0, 2000));
    expect(res.headers.location).toBe(`/agreements/${agreementId}/edit?saved=annex`);
    expect(await revisions()).toBe(3);
    const saved = await t.app.get(DataSource).getRepository(AgreementRevisionEntity).findOneByOrFail({ agreementId, number: 3 });
    expect(saved.content.annexes).toHaveLength(1);
    expect(saved.content.annexes[0].purposes[0]).toMatchObject({ art6Basis: 'E', art9Condition: 'H', confidentialityBasis: 'IMPLIED_CONSENT_DIRECT_CARE' });
    expect(saved.content.annexes[0].securityMeasures).toEqual(['Smartcard access', 'Role-based access']);
    expect(saved.content.annexes[0].effectiveFrom).toBe('2026-04-01');

    const edit = await agent.get(res.headers.location);
    expect(visibleText(edit.text)).toContain('Annex A — Direct care records sharing');
    const annexId = saved.content.annexes[0].id!;
    const purposes = await agent.get(`/agreements/${agreementId}/edit/annex:${annexId}:purposes`);
    expect(purposes.status).toBe(200);
    expect(purposes.text).toMatch(/name="v\[purposes\]\[0\]\[art6Basis\]" type="radio" value="E" checked/);

    // An annex-part error is placed on its field by content path.
    const wrong = await submit(`/agreements/${agreementId}/edit/annex:${annexId}:purposes`, `/agreements/${agreementId}/edit/annex:${annexId}:purposes`, {
      baseRevisionNumber: '3',
      action: 'save',
      v: { purposes: [{ ...v.purposes[0], art9Condition: '' }] },
    });
    expect(wrong.status).toBe(422);
    expect(summaryErrors(wrong.text).map(([, href]) => href)).toEqual(['#annexes-0-purposes-0-art9Condition']);
    expect(await revisions()).toBe(3);
  });

  it('the revision history names who saved each revision; the diff reads in words, with no paths or ids', async () => {
    const { agent } = await pagesAs(t, EMAIL.manager, DEMO_PASSWORD);
    const history = await agent.get(`/agreements/${agreementId}/revisions`);
    expect(history.status).toBe(200);
    const h = visibleText(history.text);
    expect(h).toContain('Joanne Barker');
    expect(h).toContain('Schedule 4 — Financial arrangements:');
    expect(h).toContain('First version');
    expect(history.text).toContain(`href="/agreements/${agreementId}/revisions/1/diff/2"`);

    const diff = await agent.get(`/agreements/${agreementId}/revisions/1/diff/2`);
    expect(diff.status).toBe(200);
    const d = visibleText(diff.text);
    expect(d).toContain('Schedule 4 — Financial arrangements');
    expect(d).toContain('Where Field Before After');
    expect(d).toMatch(/Practice shares, row 1 \(Yarm Medical Practice\) Row added Not set Practice: Yarm Medical Practice \(A87001\); Percentage: 40%/);
    expect(d).toContain('By agreed percentages');
    expect(d).not.toContain('schedules.');
    expect(d).not.toMatch(UUID);

    const annexDiff = visibleText((await agent.get(`/agreements/${agreementId}/revisions/2/diff/3`)).text);
    expect(annexDiff).toContain('Annex added');
    expect(annexDiff).not.toMatch(UUID);
  });

  it('another PCN’s manager gets the 404 page; a signatory without draft permission gets the 403 page; a form without its token is refused', async () => {
    const other = await signInToPages(t, otherManager.email, otherManager.password);
    for (const path of [`/agreements/${agreementId}/edit`, `/agreements/${agreementId}/edit/schedule4`, `/agreements/${agreementId}/revisions`, `/agreements/${agreementId}/annexes/new`, `/pcns/${demo.pcnId}`, `/pcns/${demo.pcnId}/agreements/new`]) {
      const res = await other.agent.get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).toContain('Page not found');
    }
    const list = await other.agent.get('/agreements');
    expect(list.text).not.toContain('BYTES PCN');

    const signatory = await signInToPages(t, EMAIL.whitfield, DEMO_PASSWORD);
    const edit = await signatory.agent.get(`/agreements/${agreementId}/edit`);
    expect(edit.status).toBe(403);
    expect((await signatory.agent.get(`/pcns/${demo.pcnId}/agreements/new`)).status).toBe(403);
    // Signatories can read the history of their PCN's agreements.
    expect((await signatory.agent.get(`/agreements/${agreementId}/revisions`)).status).toBe(200);

    const manager = await pagesAs(t, EMAIL.manager, DEMO_PASSWORD);
    const noToken = await manager.agent.post(`/agreements/${agreementId}/edit/schedule6`).type('form').send({ baseRevisionNumber: '3', v: { otherTerms: 'x' } });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('This form has expired');
    expect(await revisions()).toBe(3);
  });
});
