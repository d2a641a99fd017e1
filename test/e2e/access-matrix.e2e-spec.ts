import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, INestApplicationContext } from '@nestjs/common';
import type { Response } from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { FAST_WORKFLOW_ENV, startTestWorker } from '../support/test-worker';
import { startSmtpTestServer, SmtpTestServer } from '../support/smtp-test-server';
import { appRoutes } from '../support/app-routes';
import { Column, COLUMNS, MatrixRow, Outcome, outcomesOf, ROWS } from '../support/access-matrix/matrix';
import { formBody } from '../support/access-matrix/forms';
import { csrfTokenIn } from '../support/page-session';
import { RECIPES } from '../support/access-matrix/recipes';
import { DOC_PATH, REGENERATE, renderAccessMatrix } from '../support/access-matrix/render';
import { buildWorld, Caller, World } from '../support/access-matrix/world';

/*
 * The access matrix (test/support/access-matrix/rows.ts, docs/access-matrix.md): every
 * route the app serves, called as every column with valid input, answering exactly the
 * outcome the matrix names. ACCESS_MATRIX_RECORD=1 prints what every cell answers, as rows
 * to paste (for a new route; the outcomes still have to be judged before they go in).
 */
const RECORD = process.env.ACCESS_MATRIX_RECORD === '1';
const SUCCESS = new Set<Outcome>(['200', '201', '204', '303']);

const isApi = (path: string) => path.startsWith('/api/') || path === '/health' || path.startsWith('/assets/');
/** A page's "sign in first" (not a form's success that happens to land on the sign-in page). */
const SIGN_IN_FIRST = /^\/sign-in\?(.*&)?returnTo=/;
const outcomeOf = (res: Response): Outcome | '500' => (res.status === 303 && SIGN_IN_FIRST.test(String(res.headers.location ?? '')) ? 'sign-in' : (String(res.status) as Outcome));

/** A page's error summary in words, to say why a form was refused. */
const pageErrors = (html: string | undefined) => /nhsuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html ?? '')?.[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() ?? '';

describe('access matrix: every route × every role and relationship', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let smtp: SmtpTestServer;
  let w: World;
  let served: string[];
  const started = Date.now();

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    // Rate limits raised so that they never stand in for an access outcome.
    t = await createTestApp({ ...FAST_WORKFLOW_ENV, ...smtp.env(), LOGIN_MAX_FAILURES_PER_ADDRESS: '100000', LOGIN_MAX_FAILURES: '1000', VERIFY_UPLOAD_LIMIT: '100000', VERIFY_LOOKUP_LIMIT: '100000', LINK_LIMIT: '100000', ...(process.env.ACCESS_MATRIX_LOG ? { LOG_LEVEL: process.env.ACCESS_MATRIX_LOG } : {}) });
    worker = await startTestWorker();
    served = appRoutes(t).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    w = await buildWorld(t, worker, smtp);
    if (process.env.ACCESS_MATRIX_LOG) t.app.useLogger(new ConsoleLogger());
    console.log(`access matrix: world built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await smtp?.close();
  });

  it(`${DOC_PATH} is generated from the matrix`, () => {
    const onDisk = readFileSync(join(__dirname, '../..', DOC_PATH), 'utf8');
    if (onDisk !== renderAccessMatrix()) throw new Error(`${DOC_PATH} differs from the matrix: run \`${REGENERATE}\``);
  });

  it('names exactly the routes the running app serves, each with a way to call it', () => {
    const named = ROWS.map((r) => r.route);
    expect({ missingFromMatrix: served.filter((r) => !named.includes(r)), notServed: named.filter((r) => !served.includes(r)), duplicated: named.filter((r, i) => named.indexOf(r) !== i) }).toEqual({ missingFromMatrix: RECORD ? expect.any(Array) : [], notServed: [], duplicated: [] });
    expect(served.filter((r) => !RECIPES[r])).toEqual([]);
    expect(Object.keys(RECIPES).filter((r) => !served.includes(r))).toEqual([]);
  });

  async function call(route: string, caller: Caller, fresh: boolean): Promise<Response> {
    const [method] = route.split(' ');
    const spec = await RECIPES[route].build(w, caller, fresh);
    const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    if (isApi(spec.path)) {
      let req = t.http[verb](spec.path).query(spec.query ?? {});
      if (caller.bearer) req = req.set('Authorization', caller.bearer);
      if (spec.file) return req.attach(spec.file.field, spec.file.content, spec.file.name);
      return verb === 'get' ? req : req.send(spec.body ?? {});
    }
    const { agent, csrf } = spec.pages ?? { agent: caller.pages, csrf: caller.csrf };
    const req = agent[verb](spec.path).query(spec.query ?? {});
    if (verb === 'get') return req;
    if (spec.file) return req.attach(spec.file.field, spec.file.content, spec.file.name);
    return req.type('form').send(formBody({ ...(spec.body ?? {}), _csrf: csrf }));
  }

  /** After a row that signs in again: each signed-in caller's new session has a new CSRF token. */
  async function renewCsrfTokens() {
    for (const column of COLUMNS.filter((c) => c !== 'anonymous')) w.callers[column].csrf = csrfTokenIn((await w.callers[column].pages.get('/tasks')).text);
  }

  it('every cell answers its outcome', async () => {
    const rowsByRoute = new Map(ROWS.map((r) => [r.route, r]));
    const order = [...served].sort((a, b) => (RECIPES[a]?.last ?? 0) - (RECIPES[b]?.last ?? 0));
    const failures: string[] = [];
    const defectsSeen: string[] = [];
    const recorded: string[] = [];
    const slowRows: string[] = [];
    let cells = 0;
    for (const route of order) {
      const row: MatrixRow | undefined = rowsByRoute.get(route);
      const expected = row ? outcomesOf(row) : undefined;
      const recipe = RECIPES[route];
      const observed = {} as Record<Column, string>;
      const rowStarted = Date.now();
      const slow = () => Date.now() - rowStarted > 3_000 && slowRows.push(`${route} ${Date.now() - rowStarted} ms`);
      const one = async (column: Column) => {
        const wanted = row?.defects?.[column]?.actual ?? expected?.[column];
        const fresh = !!recipe.consumes && (wanted === undefined || SUCCESS.has(wanted as Outcome));
        const res = await call(route, w.callers[column], fresh);
        const got = outcomeOf(res);
        observed[column] = got;
        cells++;
        if (!expected) return;
        const defect = row!.defects?.[column];
        if (defect) {
          if (got === expected[column]) failures.push(`${route} as ${column}: now answers the intended ${got}; remove its known-defect entry`);
          else if (got !== defect.actual) failures.push(`${route} as ${column}: known defect answered ${defect.actual}, now ${got} (intended ${expected[column]})`);
          else defectsSeen.push(`${route} as ${column}: ${got}, intended ${expected[column]} (${defect.why})`);
        } else if (got !== expected[column]) {
          failures.push(`${route} as ${column}: expected ${expected[column]}, got ${got} ${String(res.headers.location ?? '')} ${JSON.stringify(res.body?.code ?? res.body?.message ?? pageErrors(res.text)).slice(0, 240)}`);
        }
      };
      // A row's cells are independent (a cell that changes state has a fresh record), so they run at once;
      // the late rows end sessions or change memberships and run one cell at a time.
      if (recipe.last) for (const column of COLUMNS) await one(column);
      else await Promise.all(COLUMNS.map(one));
      slow();
      if (recipe.renewsSession) await renewCsrfTokens();
      if (RECORD) {
        recorded.push(`  { route: '${route}', on: '${row?.on ?? ''}', expect: '${COLUMNS.map((c) => observed[c]).join(' ')}' }, // ${Date.now() - rowStarted} ms`);
        appendFileSync('/tmp/access-matrix-record.txt', `${recorded.at(-1)}\n`);
      }
    }
    if (RECORD) console.log(`recorded outcomes:\n${recorded.join('\n')}`);
    if (defectsSeen.length) console.warn(`access matrix: ${defectsSeen.length} known defect(s), asserted as they are today:\n- ${defectsSeen.join('\n- ')}`);
    if (slowRows.length) console.log(`access matrix: rows over 3 s: ${slowRows.join('; ')}`);
    console.log(`access matrix: ${order.length} routes, ${cells} cells in ${((Date.now() - started) / 1000).toFixed(1)} s since start`);
    expect(failures).toEqual([]);
  }, 600_000);
});
