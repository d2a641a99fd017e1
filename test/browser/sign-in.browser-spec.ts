import type { Page } from 'playwright-core';
import { UserRole } from '@pcn/auth';
import { createPcn, createUserWithRole } from '../support/factories';
import { startBrowserWorld, type BrowserWorld } from './support/browser-world';
import { checkPage, open, scriptsEnabled, shot, signIn, signOut } from './support/page-checks';

/**
 * Sign-in, My tasks, sign-out and the 404 page in a real browser, checked with axe (WCAG 2.2
 * AA) and for landmarks on every page; once with JavaScript and once without.
 */
describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('sign-in and the shell in chromium %s', (_label, javaScriptEnabled) => {
  let world: BrowserWorld;
  let page: Page;
  let user: { email: string; password: string };
  const suffix = javaScriptEnabled ? 'js' : 'nojs';

  beforeAll(async () => {
    world = await startBrowserWorld({ javaScriptEnabled, worker: false });
    const pcn = await createPcn(world.t);
    user = await createUserWithRole(world.t, UserRole.PcnManager, pcn.id, { displayName: 'Priya Shah' });
    ({ page } = await world.person());
  });
  afterAll(() => world?.close());

  it(`JavaScript really is ${javaScriptEnabled ? 'on' : 'off'} in this context`, async () => {
    await open(page, '/sign-in');
    expect(await scriptsEnabled(page)).toBe(javaScriptEnabled);
  });

  it('the root leads to the sign-in page, which passes axe and has one main, one h1 and a banner', async () => {
    await open(page, '/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.title()).toBe('Sign in – PCN Agreements');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in to PCN Agreements');
    await checkPage(page);
    await shot(page, `sign-in-${suffix}`);
  });

  it('a wrong password shows the error summary, linked to the field, and keeps the email', async () => {
    await signIn(page, user.email, 'not-the-password');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.title()).toBe('Error: Sign in – PCN Agreements');
    const summary = page.locator('.nhsuk-error-summary');
    await expect(summary.getByRole('heading').textContent()).resolves.toContain('There is a problem');
    const link = summary.getByRole('link', { name: 'The email address or password is not right' });
    expect(await link.count()).toBe(1);
    expect(await page.getByLabel('Email address').inputValue()).toBe(user.email);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await checkPage(page);
    await shot(page, `sign-in-error-${suffix}`);
  });

  it('the right password opens My tasks with the person named in the header', async () => {
    await signIn(page, user.email, user.password);
    expect(new URL(page.url()).pathname).toBe('/tasks');
    expect(await page.title()).toBe('My tasks – PCN Agreements');
    expect(await page.locator('header').innerText()).toContain('Priya Shah');
    expect(await page.locator('main').innerText()).toContain('Nothing is waiting for you');
    await checkPage(page);
    await shot(page, `tasks-empty-${suffix}`);
  });

  it('an unknown address shows the NHS-style "Page not found" page', async () => {
    await open(page, '/no-such-page', 404);
    expect(await page.title()).toBe('Page not found – PCN Agreements');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page not found');
    await checkPage(page);
  });

  it('the page check itself fails a page with an image without a text alternative, faint text, no main landmark and a skipped heading level', async () => {
    const pages: Record<string, string> = {
      '/check-self-test/wcag': '<main><h1>Faults</h1><img src="/favicon.ico"><p style="color:#c8c8c8;background:#fff">Faint text</p></main>',
      '/check-self-test/structure': '<div><h1>Faults</h1><h3>Skipped a level</h3><p>Not in a main landmark.</p></div>',
    };
    for (const [path, body] of Object.entries(pages)) {
      await page.route(`**${path}`, (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html><html lang="en"><head><title>Check</title></head><body><header>Site</header>${body}</body></html>` }));
    }
    await open(page, `${world.baseUrl}/check-self-test/wcag`);
    const wcag = await checkPage(page).then(() => 'passed', (e: Error) => e.message);
    expect(wcag).toMatch(/^Accessibility problems on /);
    expect(wcag).toContain('image-alt');
    expect(wcag).toContain('color-contrast');
    await open(page, `${world.baseUrl}/check-self-test/structure`);
    const structure = await checkPage(page).then(() => 'passed', (e: Error) => e.message);
    expect(structure).toMatch(/^Page structure problems on /);
    expect(structure).toContain('0 main landmarks (want exactly 1)');
    expect(structure).toContain('heading level skipped: h1 "Faults" then h3 "Skipped a level"');
    // axe's own structure rules (best practice) still run beside the WCAG ones.
    expect(structure).toContain('landmark-one-main');
    expect(structure).toContain('heading-order');
    await page.unrouteAll();
  });

  it('signing out ends the session: My tasks asks to sign in again', async () => {
    await open(page, '/tasks');
    await signOut(page);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/sign-in?signedOut=1');
    expect(await page.locator('main').innerText()).toContain('You have signed out.');
    await checkPage(page);
    await open(page, '/tasks');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/tasks');
  });
});
