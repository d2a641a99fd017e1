/// <reference lib="dom" />
// The functions passed to page.evaluate run in the browser, hence the DOM types.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import axe from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import type { ReceivedMail, SmtpTestServer } from '../../support/smtp-test-server';

/** WCAG 2.2 AA and everything below it, as axe-core tags them. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs `action` (a click on a submit button or a link) and waits for the page it leads to
 * to load. Works the same with JavaScript on and off, since every form is a plain form.
 */
export async function navigateBy(page: Page, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), action()]);
}

/** Clicks the button with this visible name and waits for the next page. */
export async function press(page: Page, buttonName: string | RegExp, within?: Locator): Promise<void> {
  const button = (within ?? page).getByRole('button', { name: buttonName, exact: typeof buttonName === 'string' });
  await navigateBy(page, () => button.click());
}

/** Opens a path (or a full URL) and checks the status the server answered with. */
export async function open(page: Page, url: string, expectedStatus = 200): Promise<void> {
  const response = await page.goto(url);
  if (!response) throw new Error(`no response for ${url}`);
  if (response.status() !== expectedStatus) throw new Error(`${url} answered ${response.status()}, expected ${expectedStatus}`);
}

/** Signs in through the sign-in form, as a person would. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  if (!new URL(page.url(), 'http://x').pathname.startsWith('/sign-in')) await open(page, '/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await press(page, 'Sign in');
}

/** Signs out with the header's "Sign out" button. */
export async function signOut(page: Page): Promise<void> {
  await press(page, 'Sign out');
}

/** URLs in an email's plain-text body. */
export function linksIn(mail: ReceivedMail): string[] {
  return [...mail.text.matchAll(/https?:\/\/[^\s<>")\]]+/g)].map((m) => m[0].replace(/[.,;]+$/, ''));
}

/**
 * The link of the most recent email to `to` (waiting for one if none has come yet) whose
 * subject matches `subject`: the first link into `baseUrl` (or any link when not given)
 * whose path starts with `pathPrefix`.
 */
export async function linkFromLatestEmail(
  smtp: SmtpTestServer,
  to: string,
  options: { subject?: RegExp | string; pathPrefix?: string; baseUrl?: string; timeoutMs?: number; after?: number } = {},
): Promise<string> {
  const matches = (m: ReceivedMail, index: number) =>
    index >= (options.after ?? 0) &&
    m.to.map((a) => a.toLowerCase()).includes(to.toLowerCase()) &&
    (options.subject === undefined || (typeof options.subject === 'string' ? m.subject.includes(options.subject) : options.subject.test(m.subject)));
  await smtp.waitFor((m) => matches(m, smtp.messages.indexOf(m)), options.timeoutMs ?? 20_000);
  const mail = [...smtp.messages].reverse().find((m) => matches(m, smtp.messages.indexOf(m)))!;
  const link = linksIn(mail).find((url) => (!options.baseUrl || url.startsWith(options.baseUrl)) && (!options.pathPrefix || new URL(url).pathname.startsWith(options.pathPrefix)));
  if (!link) throw new Error(`no matching link in the email to ${to} "${mail.subject}":\n${mail.text}`);
  return link;
}

interface Violation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

function describeViolations(violations: Violation[]): string {
  return violations
    .map((v) => `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.slice(0, 5).map((n) => `    at ${n.target.join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`).join('\n')}`)
    .join('\n');
}

/** Whether scripts run in this page (a <noscript>'s content is parsed as markup only when they do not). */
export async function scriptsEnabled(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const probe = document.createElement('div');
    probe.innerHTML = '<noscript><p>x</p></noscript>';
    return probe.querySelector('noscript p') === null;
  });
}

const checkers = new WeakMap<Browser, Promise<Page>>();

/**
 * The page axe runs in. axe needs timers, which do not run when JavaScript is off, so for
 * such a page its HTML as the browser received it, without its scripts, is loaded at the
 * same address (same stylesheets and images) into a page of a JavaScript-enabled context:
 * the same DOM and styles a browser without JavaScript shows.
 */
async function axeTarget(page: Page): Promise<Page> {
  if (await scriptsEnabled(page)) return page;
  const browser = page.context().browser();
  if (!browser) throw new Error('page has no browser');
  if (!checkers.has(browser)) checkers.set(browser, browser.newContext({ javaScriptEnabled: true, viewport: page.viewportSize() ?? undefined }).then((c) => c.newPage()));
  const checker = await checkers.get(browser)!;
  const url = page.url().replace(/#.*$/, '');
  const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  const isDocument = (u: URL) => u.href === url;
  await checker.route(isDocument, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  try {
    await checker.goto(url);
  } finally {
    await checker.unroute(isDocument);
  }
  return checker;
}

/** axe's best-practice rules for the page's structure, which every page must also pass. */
const STRUCTURE_RULES = new Set([
  'landmark-one-main',
  'page-has-heading-one',
  'heading-order',
  'landmark-no-duplicate-main',
  'landmark-no-duplicate-banner',
  'landmark-banner-is-top-level',
  'landmark-main-is-top-level',
]);

/**
 * Best-practice rules that are neither WCAG rules nor structure rules: their findings are
 * never reported (below), so they are not run. Same tags, same rules otherwise.
 */
const IGNORED_BEST_PRACTICE_RULES = axe
  .getRules(['best-practice'])
  .filter((r) => !r.tags.some((t) => WCAG_TAGS.includes(t)) && !STRUCTURE_RULES.has(r.ruleId))
  .map((r) => r.ruleId);

/**
 * One axe-core pass (WCAG 2.2 AA plus best practice) on the page as it is now: the serious or
 * critical violations of a WCAG rule, and any violation of a structure rule. One pass rather
 * than one per rule set, because every pass (and, without JavaScript, every reload into the
 * checker page) costs seconds per page on a busy machine. Legacy mode runs axe.run in the
 * page itself: the default opens a new blank page for every check to merge the results of
 * cross-origin frames, which these pages do not have (no frames at all), and that page was
 * half of each check's time. Only violations are collected (passes were serialised too).
 */
async function axeProblems(page: Page): Promise<{ wcag: Violation[]; structure: Violation[] }> {
  const results = await new AxeBuilder({ page: await axeTarget(page) })
    .withTags([...WCAG_TAGS, 'best-practice'])
    .disableRules(IGNORED_BEST_PRACTICE_RULES)
    .options({ resultTypes: ['violations'] })
    .setLegacyMode(true)
    .analyze();
  const violations = results.violations as (Violation & { tags: string[] })[];
  return {
    wcag: violations.filter((v) => v.tags.some((t) => WCAG_TAGS.includes(t)) && (v.impact === 'serious' || v.impact === 'critical')),
    structure: violations.filter((v) => STRUCTURE_RULES.has(v.id)),
  };
}

/**
 * The page's structure in the DOM: exactly one main landmark, one h1 and a banner, and
 * headings that never skip a level going down. axe's structure rules say the same things
 * their way; both must agree.
 */
async function structureProblems(page: Page): Promise<{ problems: string[]; headings: string }> {
  const dom = await page.evaluate(() => {
    const visible = (el: Element) => !(el as HTMLElement).closest('[hidden]') && getComputedStyle(el).display !== 'none';
    const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')].filter(visible).map((h) => ({
      level: Number(h.getAttribute('aria-level') ?? h.tagName.slice(1)),
      text: (h.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60),
    }));
    return {
      mains: document.querySelectorAll('main, [role="main"]').length,
      h1s: headings.filter((h) => h.level === 1).length,
      banners: [...document.querySelectorAll('header, [role="banner"]')].filter((el) => el.getAttribute('role') === 'banner' || !el.closest('article, aside, main, nav, section')).length,
      headings,
    };
  });
  const problems: string[] = [];
  if (dom.mains !== 1) problems.push(`${dom.mains} main landmarks (want exactly 1)`);
  if (dom.h1s !== 1) problems.push(`${dom.h1s} h1 headings (want exactly 1): ${dom.headings.filter((h) => h.level === 1).map((h) => `"${h.text}"`).join(', ')}`);
  if (dom.banners < 1) problems.push('no banner (site header)');
  if (dom.headings[0] && dom.headings[0].level !== 1 && dom.headings.some((h) => h.level === 1)) {
    const firstH1 = dom.headings.findIndex((h) => h.level === 1);
    const before = dom.headings.slice(0, firstH1).filter((h) => h.level !== 2);
    if (before.length) problems.push(`headings before the h1 that are not h2: ${before.map((h) => `h${h.level} "${h.text}"`).join(', ')}`);
  }
  for (let i = 1; i < dom.headings.length; i++) {
    const [prev, cur] = [dom.headings[i - 1], dom.headings[i]];
    if (cur.level > prev.level + 1) problems.push(`heading level skipped: h${prev.level} "${prev.text}" then h${cur.level} "${cur.text}"`);
  }
  return { problems, headings: dom.headings.map((h) => `h${h.level} ${h.text}`).join(' | ') };
}

/** What every page of a journey must pass: WCAG 2.2 AA (axe) and a sound structure (DOM and axe). */
export async function checkPage(page: Page): Promise<void> {
  const axe = await axeProblems(page);
  if (axe.wcag.length) throw new Error(`Accessibility problems on ${page.url()} ("${await page.title()}"):\n${describeViolations(axe.wcag)}`);
  const { problems, headings } = await structureProblems(page);
  if (axe.structure.length) problems.push(`axe: ${describeViolations(axe.structure)}`);
  if (problems.length) throw new Error(`Page structure problems on ${page.url()} ("${await page.title()}"):\n- ${problems.join('\n- ')}\nHeadings: ${headings}`);
}

let screenshotDir: string | null = null;

/** Where screenshots go: $SCREENSHOT_DIR, else a temporary folder made once per process. */
export function screenshotDirectory(): string {
  if (!screenshotDir) {
    screenshotDir = process.env.SCREENSHOT_DIR ? process.env.SCREENSHOT_DIR : mkdtempSync(join(tmpdir(), 'pcn-browser-shots-'));
    mkdirSync(screenshotDir, { recursive: true });
  }
  return screenshotDir;
}

/** A PNG of the page as it is now (the full page unless told otherwise); returns its path. */
export async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const path = join(screenshotDirectory(), `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}
