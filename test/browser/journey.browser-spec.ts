import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { UserRole } from '@pcn/auth';
import { createPcn, createUserWithRole } from '../support/factories';
import { eventually } from '../support/test-worker';
import { DEMO_PASSWORD, EMAIL, FULL_NAME, loadBytes } from '../support/workflow-scenario';
import type { DemoData } from '../../apps/cli/src/seed/seed-demo';
import { startBrowserWorld, type BrowserWorld } from './support/browser-world';
import { checkPage, linkFromLatestEmail, navigateBy, open, press, shot, signIn } from './support/page-checks';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** The Caldicott Guardians of the four BYTES practices (the directory's, filled into the annex). */
const CALDICOTT = [EMAIL.raman, EMAIL.lindqvist, EMAIL.adeyemi, EMAIL.whitfield];
/** Everyone who signs at step 2 (agreement and annex, for their practice). */
const SIGNERS = [EMAIL.whitfield, EMAIL.raman, EMAIL.adeyemi, EMAIL.lindqvist, EMAIL.cd];

/**
 * The whole life of an agreement through the pages, in chromium, as the people would do
 * it: drafting with an annex, sending, the DPO's one-action approval for four practices,
 * a decline with a reason, the fix and the readable diff, every signature from the link in
 * its email, execution, and the auditor finding, downloading and verifying the sealed PDF.
 * Every page is checked with axe (WCAG 2.2 AA) and for landmarks. Run with JavaScript on
 * and off; SCREENSHOT_DIR=docs/screenshots keeps the screenshots of the JavaScript run.
 */
describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('agreement journey in chromium %s', (_label, javaScriptEnabled) => {
  let world: BrowserWorld;
  let demo: DemoData;
  let agreementId: string;
  let reference: string;
  /** Emails from this index on belong to the second round. */
  let secondRoundFrom = 0;
  const pages = new Map<string, Page>();
  const shotName = (name: string) => (javaScriptEnabled ? name : `${name}-nojs`);
  const text = (page: Page) => page.locator('main').innerText();

  /** This person's own browser context, signed in on first use. */
  async function as(email: string, password = DEMO_PASSWORD): Promise<Page> {
    if (!pages.has(email)) {
      const { page } = await world.person();
      await open(page, '/sign-in');
      await signIn(page, email, password);
      expect(new URL(page.url()).pathname).toBe('/tasks');
      pages.set(email, page);
    }
    return pages.get(email)!;
  }

  /**
   * Follows the review link of this person's latest email matching `subject` (received
   * after message number `after`) and approves everything offered. Returns the page text:
   * the "done" page, or the review page with "Approval recorded" when the approval
   * completed a step that asks this person again.
   */
  async function approveFromEmail(email: string, subject: RegExp, after: number): Promise<string> {
    const page = await as(email);
    const link = await linkFromLatestEmail(world.smtp, email, { subject, pathPrefix: '/review/', baseUrl: world.baseUrl, after });
    await open(page, link);
    expect(await page.title()).not.toMatch(/Page not found/);
    await checkPage(page);
    for (const box of await page.locator('input[name="approve"][type="checkbox"]').all()) await box.check();
    await page.locator('#typedName').fill(FULL_NAME[email]);
    await page.locator('#confirmAuthority').check();
    await press(page, 'Approve');
    const body = await text(page);
    expect(body).toMatch(/What you approved|Approval recorded/);
    await checkPage(page);
    return body;
  }

  async function agreementStatus(): Promise<string> {
    const [row] = await world.t.dataSource.query(`SELECT status FROM network_agreement WHERE id = $1`, [agreementId]);
    return row.status;
  }

  beforeAll(async () => {
    world = await startBrowserWorld({ javaScriptEnabled });
    demo = await loadBytes(world.t);
  });
  afterAll(() => world?.close());

  it('the clinical director starts a draft and adds an annex, fixing the errors the form points out', async () => {
    const cd = await as(EMAIL.cd);
    await checkPage(cd);
    await open(cd, `/pcns/${demo.pcnId}/agreements/new`);
    await checkPage(cd);
    await press(cd, 'Start the draft');
    const match = /\/agreements\/([0-9a-f-]{36})\/edit\?saved=new$/.exec(cd.url());
    expect(match).not.toBeNull();
    agreementId = match![1];
    reference = (await world.t.dataSource.query(`SELECT reference FROM network_agreement WHERE id = $1`, [agreementId]))[0].reference;
    expect(await text(cd)).toContain('The new draft saved as revision 1');
    await checkPage(cd);

    await navigateBy(cd, () => cd.getByRole('link', { name: 'Add a data-sharing annex' }).click());
    expect(new URL(cd.url()).pathname).toBe(`/agreements/${agreementId}/annexes/new`);
    await checkPage(cd);
    // First attempt: only a title. The error summary lists what is missing, each linked to its field.
    await cd.locator('#annexes-0-title').fill('Direct care records sharing');
    await press(cd, 'Add annex');
    expect(await cd.title()).toMatch(/^Error: /);
    const summary = cd.locator('.nhsuk-error-summary');
    const links = await summary.locator('a').evaluateAll((as_) => as_.map((a) => ({ text: (a.textContent ?? '').trim(), href: a.getAttribute('href') ?? '' })));
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const { href } of links) expect(await cd.locator(href).count()).toBe(1);
    const summaryText = await summary.innerText();
    expect(summaryText).not.toMatch(UUID);
    expect(summaryText).not.toMatch(/annexes\.|\bart6Basis\b|dataRole/);
    await checkPage(cd);
    await shot(cd, shotName('drafting-form-errors'), { fullPage: false });

    // Fix them.
    expect(await cd.locator('#annexes-0-title').inputValue()).toBe('Direct care records sharing');
    await cd.locator('#annexes-0-kind').check();
    await cd.locator('#annexes-0-rightsRequestsHandledBy').selectOption({ label: 'Yarm Medical Practice (A87001)' });
    await cd.locator('#annexes-0-privacyNoticeUrl').fill('https://bytes.example.nhs.uk/privacy');
    for (let i = 0; i < 4; i++) await cd.locator(`#annexes-0-parties-${i}-dataRole`).selectOption({ label: 'Joint controller' });
    await cd.locator('#annexes-0-purposes-0-description').fill('Extended access appointments across the network');
    await cd.locator('#annexes-0-purposes-0-category').selectOption({ index: 1 });
    await cd.locator('#annexes-0-purposes-0-art6Basis-5').check();
    await cd.locator('#annexes-0-purposes-0-art9Condition-8').check();
    const dpaCondition = cd.locator('#annexes-0-purposes-0-dpaSchedule1Condition');
    await dpaCondition.selectOption({ label: (await dpaCondition.locator('option', { hasText: 'health or social care' }).first().textContent())!.trim() });
    await cd.locator('#annexes-0-purposes-0-confidentialityBasis').check();
    await cd.locator('#annexes-0-dataSubjects').check();
    await cd.locator('#annexes-0-dataItems-0-name').fill('GP record summary');
    await cd.locator('#annexes-0-dataItems-0-justification').fill('To treat the patient safely');
    await cd.locator('#annexes-0-dataItems-0-specialCategory').check();
    await cd.locator('#annexes-0-dataItems-0-criminalOffence-2').check();
    await cd.locator('#annexes-0-retention-period').fill('As the GP record');
    await cd.locator('#annexes-0-retention-rule').fill('NHS Records Management Code of Practice');
    await cd.locator('#annexes-0-retention-disposalMethod').fill('Secure deletion');
    await cd.locator('#annexes-0-securityMeasures').fill('Smartcard access\nRole-based access');
    await cd.locator('#annexes-0-dpia-required-2').check();
    await cd.locator('#annexes-0-dpia-screeningSummary').fill('Screened: routine direct care sharing.');
    await press(cd, 'Add annex');
    if (!new URL(cd.url()).pathname.endsWith('/edit')) throw new Error(`annex not saved:\n${await cd.locator('.nhsuk-error-summary').innerText().catch(() => text(cd))}`);
    expect(await text(cd)).toContain('Annex A — Direct care records sharing');
    await checkPage(cd);
  });

  it('the clinical director checks who will sign and sends it; the round progress page shows the steps', async () => {
    const cd = await as(EMAIL.cd);
    await navigateBy(cd, () => cd.getByRole('link', { name: 'Check who will sign and send for signature' }).click());
    expect(new URL(cd.url()).pathname).toBe(`/agreements/${agreementId}/send`);
    const body = await text(cd);
    for (const words of ['Fiona Gallagher', 'Data Protection Officer', 'Caldicott Guardian', 'Dr Thomas Whitfield', 'Yarm Medical Practice (A87001)', 'Clinical director']) expect(body).toContain(words);
    expect(body).not.toMatch(UUID);
    await checkPage(cd);
    await cd.locator('#maxReminders').fill('0');
    await cd.locator('#message').fill('Please review before the members meeting.');
    await press(cd, 'Send for signature');
    expect(new URL(cd.url()).pathname).toBe(`/agreements/${agreementId}/progress`);
    expect(await agreementStatus()).toBe('IN_IG_REVIEW');
    const progress = await text(cd);
    expect(progress).toContain('Fiona Gallagher');
    expect(progress).not.toMatch(UUID);
    await checkPage(cd);
    await shot(cd, shotName('round-progress'));
  });

  it('the DPO opens the link in their email, signs in, and approves the annex for all four practices in one action', async () => {
    const link = await linkFromLatestEmail(world.smtp, EMAIL.dpo, { subject: reference, pathPrefix: '/review/', baseUrl: world.baseUrl });
    const { page } = await world.person();
    await open(page, link);
    // Not signed in yet: the sign-in page, then straight back to the review page.
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await checkPage(page);
    await signIn(page, EMAIL.dpo, DEMO_PASSWORD);
    expect(page.url()).toBe(link);
    pages.set(EMAIL.dpo, page);
    const body = await text(page);
    expect(body).toContain('for 4 organisations');
    await checkPage(page);
    await shot(page, shotName('review-and-sign'));
    const boxes = page.locator('input[name="approve"][type="checkbox"]');
    expect(await boxes.count()).toBe(4);
    for (const box of await boxes.all()) await box.check();
    await page.locator('#typedName').fill(FULL_NAME[EMAIL.dpo]);
    await page.locator('#confirmAuthority').check();
    await press(page, 'Approve');
    const done = await text(page);
    expect(done).toContain('What you approved');
    for (const practice of ['Yarm Medical Practice (A87001)', 'Eaglescliffe Medical Practice (A87002)', 'Thornaby and Barwick Medical Group (A87003)', 'Park Lane Surgery (A87004)']) expect(done).toContain(practice);
    await checkPage(page);
    const [{ approved }] = await world.t.dataSource.query(
      `SELECT count(*)::int AS approved FROM signature_request WHERE agreement_id = $1 AND person_email = $2 AND status = 'APPROVED'`,
      [agreementId, EMAIL.dpo],
    );
    expect(approved).toBe(4);
  });

  it('the Caldicott Guardians approve from their emails; then a partner declines with a reason', async () => {
    for (const email of CALDICOTT) await approveFromEmail(email, new RegExp(`^Information governance review needed: .*${reference}`), 0);
    await eventually('the signatures step', async () => (await agreementStatus()) === 'AWAITING_SIGNATURES');

    const raman = await as(EMAIL.raman);
    const link = await linkFromLatestEmail(world.smtp, EMAIL.raman, { subject: new RegExp(`^Please sign: .*${reference}`), pathPrefix: '/review/', baseUrl: world.baseUrl });
    await open(raman, link);
    await checkPage(raman);
    await raman.getByText('I do not agree: decline').click();
    const radios = raman.locator('input[name="part"][type="radio"]');
    if (await radios.count()) await radios.first().check();
    await raman.locator('#reason').fill('Schedule 4 must say when payments are passed on to the practices.');
    await press(raman, 'Decline');
    const body = await text(raman);
    expect(body).toContain('What you declined');
    expect(body).toContain('Schedule 4 must say when payments are passed on to the practices.');
    await checkPage(raman);
    await eventually('the round to stop', async () => (await agreementStatus()) !== 'AWAITING_SIGNATURES');
  });

  it('the clinical director fixes the draft, reads the change in words, and sends it again', async () => {
    const cd = await as(EMAIL.cd);
    await open(cd, `/agreements/${agreementId}/progress`);
    const progress = await text(cd);
    expect(progress).toContain('Schedule 4 must say when payments are passed on to the practices.');
    await checkPage(cd);
    await open(cd, `/agreements/${agreementId}/edit/schedule4`);
    await checkPage(cd);
    await cd.locator('#schedules-finances-distributionTiming').fill('Within 10 working days of the network receiving each payment.');
    await press(cd, 'Save and continue');
    expect(new URL(cd.url()).pathname).toBe(`/agreements/${agreementId}/edit`);
    const [{ latest }] = await world.t.dataSource.query(`SELECT max(number)::int AS latest FROM agreement_revision WHERE agreement_id = $1`, [agreementId]);
    await open(cd, `/agreements/${agreementId}/revisions`);
    await checkPage(cd);
    await navigateBy(cd, () => cd.getByRole('link', { name: `See the changes in revision ${latest}` }).click());
    expect(new URL(cd.url()).pathname).toBe(`/agreements/${agreementId}/revisions/${latest - 1}/diff/${latest}`);
    const diff = await text(cd);
    expect(diff).toContain('Schedule 4 — Financial arrangements');
    expect(diff).toContain('Within 10 working days of the network receiving each payment.');
    expect(diff).not.toMatch(UUID);
    expect(diff).not.toContain('schedules.');
    await checkPage(cd);

    await open(cd, `/agreements/${agreementId}/send`);
    await cd.locator('#maxReminders').fill('0');
    secondRoundFrom = world.smtp.messages.length;
    await press(cd, 'Send for signature');
    expect(new URL(cd.url()).pathname).toBe(`/agreements/${agreementId}/progress`);
    expect(await agreementStatus()).toBe('IN_IG_REVIEW');
    await checkPage(cd);
  });

  it('every reviewer and signer approves from the link in their email, and the agreement is executed and sealed', async () => {
    const from = secondRoundFrom;
    for (const email of [EMAIL.dpo, ...CALDICOTT]) await approveFromEmail(email, new RegExp(`^Information governance review needed: .*${reference}`), from);
    await eventually('the signatures step', async () => (await agreementStatus()) === 'AWAITING_SIGNATURES');
    // A partner's task list: the agreement waiting for them, with its step and due date in words.
    const whitfield = await as(EMAIL.whitfield);
    await open(whitfield, '/tasks');
    const tasks = await text(whitfield);
    expect(tasks).toContain('Member practice and partner signatures');
    expect(tasks).toContain(reference);
    expect(tasks).not.toMatch(UUID);
    await checkPage(whitfield);
    await shot(whitfield, shotName('my-tasks'));
    for (const email of SIGNERS.filter((e) => e !== EMAIL.cd)) await approveFromEmail(email, new RegExp(`^Please sign: .*${reference}`), from);
    // The clinical director signs for Yarm at step 2, then countersigns at step 3.
    await approveFromEmail(EMAIL.cd, new RegExp(`^Please sign: .*${reference}.*step 2`), from);
    await approveFromEmail(EMAIL.cd, new RegExp(`^Please sign: .*${reference}.*step 3`), from);
    await eventually('execution', async () => (await agreementStatus()) === 'EXECUTED');
    await eventually(
      'the sealed documents',
      async () => (await world.t.dataSource.query(`SELECT document_status FROM agreement_execution WHERE agreement_id = $1`, [agreementId]))[0]?.document_status === 'GENERATED',
      60_000,
    );
    const cd = await as(EMAIL.cd);
    await open(cd, `/agreements/${agreementId}`);
    expect(await text(cd)).toContain('Sealed documents');
    await checkPage(cd);
  });

  it('the auditor finds the agreement, downloads the sealed PDF (pdfsig: valid) and verifies it on the public page', async () => {
    const auditor = await as(EMAIL.auditor);
    await open(auditor, '/audit/search');
    await checkPage(auditor);
    await auditor.locator('#pcn').fill('U70101');
    await press(auditor, 'Search');
    const results = await text(auditor);
    expect(results).toContain(reference);
    await checkPage(auditor);
    await shot(auditor, shotName('auditor-search'));
    await navigateBy(auditor, () => auditor.locator(`a[href="/agreements/${agreementId}"]`).first().click());
    await checkPage(auditor);
    const downloadLink = auditor.getByRole('link', { name: /Download PDF/ }).first();
    const [download] = await Promise.all([auditor.waitForEvent('download'), downloadLink.click()]);
    const dir = mkdtempSync(join(tmpdir(), 'pcn-journey-'));
    const pdfPath = join(dir, 'sealed.pdf');
    await download.saveAs(pdfPath);
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
    const pdfsig = execFileSync('pdfsig', [pdfPath], { encoding: 'utf8' });
    expect(pdfsig).toContain('Signature is Valid.');
    if (javaScriptEnabled && process.env.SCREENSHOT_DIR) {
      // The sealed PDF's cover and its certificate (last) page, as images next to the screenshots.
      const pageCount = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' }))![1]);
      const pageText = (n: number) => execFileSync('pdftotext', ['-f', String(n), '-l', String(n), pdfPath, '-'], { encoding: 'utf8' });
      const pageNumbers = Array.from({ length: pageCount }, (_, i) => i + 1);
      const certificate = pageNumbers.find((n) => pageText(n).includes('This certificate records'));
      const signers = pageNumbers.find((n) => pageText(n).includes('Signer and how they signed in'));
      expect(certificate).toBeDefined();
      expect(signers).toBeDefined();
      for (const [n, name] of [[1, 'sealed-pdf-cover'], [certificate!, 'sealed-pdf-certificate'], [signers!, 'sealed-pdf-certificate-signers']] as const) {
        execFileSync('pdftoppm', ['-png', '-r', '60', '-f', String(n), '-l', String(n), '-singlefile', pdfPath, join(process.env.SCREENSHOT_DIR, name)]);
      }
    }

    const visitor = (await world.person()).page;
    await open(visitor, '/verify');
    await checkPage(visitor);
    await visitor.locator('input[type="file"][name="file"]').setInputFiles(pdfPath);
    await press(visitor, 'Check the document');
    const verdict = await text(visitor);
    expect(verdict).toContain(reference);
    expect(verdict).not.toMatch(/not sealed by|has been changed|could not/i);
    await checkPage(visitor);
    await shot(visitor, shotName('verification-result'));
  });

  it('a user of another PCN gets the "Page not found" page for the agreement; a form without its CSRF token is refused', async () => {
    const otherPcn = await createPcn(world.t);
    const outsider = await createUserWithRole(world.t, UserRole.PcnManager, otherPcn.id, { displayName: 'Other Manager' });
    const page = await as(outsider.email, outsider.password);
    await open(page, `/agreements/${agreementId}`, 404);
    expect(await page.title()).toBe('Page not found – PCN Agreements');
    await checkPage(page);

    const cd = await as(EMAIL.cd);
    const res = await cd.context().request.post(`/agreements/${agreementId}/edit/schedule6`, { form: { baseRevisionNumber: '1', 'v[otherTerms]': 'x' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('This form has expired');
  });
});
