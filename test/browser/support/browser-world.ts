import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../support/test-app';
import { startTestWorker } from '../../support/test-worker';
import { startSmtpTestServer, type SmtpTestServer } from '../../support/smtp-test-server';

/** Debian's chromium; the tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Everything a browser journey needs, all real and in this process: the API app listening
 * on 127.0.0.1 (PUBLIC_BASE_URL is its address, so links in emails open in the browser),
 * the worker (BullMQ, outbox relay, sweeper), a test SMTP server and headless chromium.
 */
export interface BrowserWorld {
  t: TestApp;
  worker: INestApplicationContext | null;
  smtp: SmtpTestServer;
  browser: Browser;
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  baseUrl: string;
  /** A fresh browser context (one per person: own cookies) and a page in it. */
  person(options?: { javaScriptEnabled?: boolean }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export interface BrowserWorldOptions {
  /** Default for person(): false runs the journey the way a browser without JavaScript would. */
  javaScriptEnabled?: boolean;
  /** Start the worker too (default true). */
  worker?: boolean;
  env?: Record<string, string>;
}

/**
 * Quick background work (outbox relay, sweeper) but real-length days: a journey takes
 * minutes, and with FAST_WORKFLOW_ENV's 400 ms "day" its rounds would expire on the way.
 */
export const BROWSER_WORKFLOW_ENV = { OUTBOX_POLL_MS: '50', SWEEPER_INTERVAL_MS: '300', STALE_DISPATCH_MS: '1500' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startBrowserWorld(options: BrowserWorldOptions = {}): Promise<BrowserWorld> {
  const smtp = await startSmtpTestServer();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ ...BROWSER_WORKFLOW_ENV, ...smtp.env(), PUBLIC_BASE_URL: baseUrl, ...options.env });
  await t.app.listen(port, '127.0.0.1');
  const worker = options.worker === false ? null : await startTestWorker();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  return {
    t,
    worker,
    smtp,
    browser,
    baseUrl,
    async person(personOptions = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        javaScriptEnabled: personOptions.javaScriptEnabled ?? options.javaScriptEnabled ?? true,
        viewport: { width: 1100, height: 900 },
        locale: 'en-GB',
        timezoneId: 'Europe/London',
        acceptDownloads: true,
      });
      contexts.push(context);
      // Fail with Playwright's own message (what it waited for) well before Jest's timeout.
      context.setDefaultTimeout(30_000);
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await worker?.close();
      await t.close();
      await smtp.close();
    },
  };
}
