#!/usr/bin/env node
// Lists, searches and main pages against the large-data database (bench/large-data/load.js):
//
//   node bench/large-data/lists.bench.js [--database-url postgres://postgres@127.0.0.1:5432/pcn_large] \
//     [--requests 200] [--warmup 20] [--concurrency 8] [--concurrent-rounds 25] [--no-write] [--only REGEX]
//
// Starts the real API from source (scripts/ts-register.js, NODE_ENV=production, LOG_LEVEL=warn)
// on the loaded database, signs in as people the loader created (password "large-data-password";
// one ICB-scoped auditor account is added if missing, with the national auditor's password hash),
// then for every list/search endpoint and main page: `--warmup` requests, `--requests`
// sequential requests (p50/p95/p99 against the 50 ms target), and a mixed run of all of them
// from `--concurrency` clients at once. A second API process with the SQL capture preload
// (bench/workflow/pg-capture.js) answers each endpoint once; every SELECT it sent is run again
// under EXPLAIN (ANALYZE, BUFFERS) and the slowest one's plan is reported. Writes the
// "## Large data: lists and pages" section of docs/benchmarks.md unless --no-write.
'use strict';
require('../../scripts/ts-register');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const DB_URL = opt('database-url', 'postgres://postgres@127.0.0.1:5432/pcn_large');
const REQUESTS = Number(opt('requests', 200));
const WARMUP = Number(opt('warmup', 20));
const CONCURRENCY = Number(opt('concurrency', 8));
const CONCURRENT_ROUNDS = Number(opt('concurrent-rounds', 25));
const ONLY = opt('only', null) ? new RegExp(opt('only', null)) : null; // measure only the rows whose name matches (implies --no-write)
const WRITE = !args.includes('--no-write') && !ONLY;
const TARGET_MS = 50;
const PASSWORD = 'large-data-password';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `lists${process.pid}`;
const RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'pcn-lists-bench-'));
const CAPTURE_FILE = path.join(RUN_DIR, 'captured-sql.jsonl');

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');

// ---- processes ----------------------------------------------------------------------

const children = new Map();
const stopping = new Set();

function startChild(name, env, preload = []) {
  const out = fs.openSync(path.join(RUN_DIR, `${name}.log`), 'a');
  const child = spawn(process.execPath, ['-r', './scripts/ts-register.js', ...preload.flatMap((p) => ['-r', p]), 'apps/api/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping.has(name)) log(`${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${path.join(RUN_DIR, `${name}.log`)}`);
  });
}

async function stopChildren() {
  await Promise.all(
    [...children.entries()].map(async ([name, child]) => {
      stopping.add(name);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping the API`);
    stopChildren().finally(() => process.exit(130));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(name, port, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(name)) throw new Error(`${name} died during start-up; see ${path.join(RUN_DIR, `${name}.log`)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${name} did not become healthy on port ${port}`);
}

// ---- who signs in, and what they look at ------------------------------------------------

async function pickSubjects(db) {
  const one = async (sql, params = []) => {
    const { rows } = await db.query(sql, params);
    if (!rows[0]) throw new Error(`the loaded database has nothing for: ${sql.slice(0, 80)}…`);
    return rows[0];
  };
  const counts = await one(`SELECT (SELECT count(*) FROM network_agreement)::int AS agreements, (SELECT count(*) FROM signature_request)::int AS requests,
                                   (SELECT reltuples::bigint FROM pg_class WHERE relname = 'audit_event') AS "auditEvents", (SELECT count(*) FROM organisation WHERE kind = 'PCN')::int AS pcns`);
  // The clinical director of the first PCN by name that has agreements, and that PCN's newest executed agreement.
  const cd = await one(
    `SELECT u.email, g.organisation_id AS "pcnId" FROM role_grant g JOIN user_account u ON u.id = g.user_id JOIN organisation o ON o.id = g.organisation_id
      WHERE g.role = 'PCN_CLINICAL_DIRECTOR' AND EXISTS (SELECT 1 FROM network_agreement a WHERE a.pcn_id = o.id) ORDER BY o.name, o.id LIMIT 1`,
  );
  const pcn = await one(`SELECT id, name, ods_code AS "odsCode", icb_code AS "icbCode" FROM organisation WHERE id = $1`, [cd.pcnId]);
  const agreement = await one(
    `SELECT a.id, (SELECT count(*) FROM audit_event e WHERE e.chain_key = a.id::text)::int AS events FROM network_agreement a
      WHERE a.pcn_id = $1 AND a.status = 'EXECUTED' ORDER BY a.executed_at DESC, a.id DESC LIMIT 1`,
    [cd.pcnId],
  );
  const practice = await one(`SELECT o.id, o.ods_code AS "odsCode" FROM membership m JOIN organisation o ON o.id = m.practice_id WHERE m.pcn_id = $1 ORDER BY o.name LIMIT 1`, [cd.pcnId]);
  // The person with the most requests waiting for them now (their task list is the longest).
  const signer = await one(
    `SELECT u.email, count(*)::int AS tasks FROM signature_request r JOIN approval_round ro ON ro.id = r.round_id JOIN user_account u ON u.person_id = r.person_id
      WHERE r.status = 'PENDING' AND ro.status = 'ACTIVE' AND ro.current_step = r.step GROUP BY u.email ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  // One long-lived agreement's chain (the loader pads one to --large-chain-events).
  const largest = await one(`SELECT chain_key AS id, max(seq)::int AS events FROM audit_event WHERE chain_key <> 'platform' GROUP BY chain_key ORDER BY 2 DESC LIMIT 1`);
  // An auditor scoped to the CD's ICB (the loader creates only a national one): same password.
  const icbAuditor = { email: 'icb-auditor@large.invalid' };
  await db.query(
    `INSERT INTO user_account (id, email, display_name, password_hash, created_at)
     SELECT gen_random_uuid(), $1, 'ICB Auditor', password_hash, now() FROM user_account WHERE email = 'auditor@large.invalid'
     ON CONFLICT DO NOTHING`,
    [icbAuditor.email],
  );
  await db.query(
    `INSERT INTO role_grant (id, user_id, role, organisation_id, icb_code)
     SELECT gen_random_uuid(), u.id, 'AUDITOR', NULL, $2 FROM user_account u WHERE u.email = $1
        AND NOT EXISTS (SELECT 1 FROM role_grant g WHERE g.user_id = u.id AND g.role = 'AUDITOR')`,
    [icbAuditor.email, pcn.icbCode],
  );
  return { counts, cd, pcn, agreement, practice, signer, largest, icbAuditor };
}

/** Every list/search endpoint and main page, as who. `next: true` follows the first page's `Link: rel="next"`. */
function targets(s) {
  const q = (o) => new URLSearchParams(o).toString();
  return [
    // The floor: an authenticated request that lists nothing (what every row pays before its own work, on this machine now).
    { name: 'GET /api/v1/auth/me (floor: no list)', as: 'cd', path: '/api/v1/auth/me', floor: true },
    { name: 'GET /api/v1/pcns (national auditor, first 50)', as: 'auditor', path: '/api/v1/pcns' },
    { name: 'GET /api/v1/pcns, page 2 (Link: next)', as: 'auditor', path: '/api/v1/pcns', next: true },
    { name: 'GET /api/v1/pcns/:id/agreements (CD, first 50)', as: 'cd', path: `/api/v1/pcns/${s.pcn.id}/agreements` },
    { name: 'GET /api/v1/pcns/:id/agreements, page 2', as: 'cd', path: `/api/v1/pcns/${s.pcn.id}/agreements`, next: true },
    { name: 'GET /api/v1/pcns/:id/memberships', as: 'cd', path: `/api/v1/pcns/${s.pcn.id}/memberships` },
    { name: 'GET /api/v1/agreements/:id/revisions', as: 'cd', path: `/api/v1/agreements/${s.agreement.id}/revisions` },
    { name: 'GET /api/v1/agreements/:id/rounds', as: 'cd', path: `/api/v1/agreements/${s.agreement.id}/rounds` },
    { name: 'GET /api/v1/agreements/:id/documents', as: 'cd', path: `/api/v1/agreements/${s.agreement.id}/documents` },
    { name: `GET /api/v1/agreements/:id/audit (${s.agreement.events} events)`, as: 'cd', path: `/api/v1/agreements/${s.agreement.id}/audit` },
    { name: `GET /api/v1/me/tasks (signer with ${s.signer.tasks} waiting)`, as: 'signer', path: '/api/v1/me/tasks' },
    { name: 'GET /api/v1/documents/search (national auditor, no filter)', as: 'auditor', path: '/api/v1/documents/search' },
    { name: 'GET /api/v1/documents/search, page 2', as: 'auditor', path: '/api/v1/documents/search', next: true },
    { name: 'GET /api/v1/documents/search?icbCode', as: 'auditor', path: `/api/v1/documents/search?${q({ icbCode: s.pcn.icbCode })}` },
    { name: 'GET /api/v1/documents/search?pcnCode', as: 'auditor', path: `/api/v1/documents/search?${q({ pcnCode: s.pcn.odsCode })}` },
    { name: 'GET /api/v1/documents/search?pcnName (part of a name)', as: 'auditor', path: `/api/v1/documents/search?${q({ pcnName: s.pcn.name.split(' ')[0] })}` },
    { name: 'GET /api/v1/documents/search?practiceOdsCode', as: 'auditor', path: `/api/v1/documents/search?${q({ practiceOdsCode: s.practice.odsCode })}` },
    { name: 'GET /api/v1/documents/search?executedFrom&executedTo', as: 'auditor', path: `/api/v1/documents/search?${q({ executedFrom: '2024-04-01', executedTo: '2025-03-31' })}` },
    { name: 'GET /api/v1/documents/search (ICB auditor)', as: 'icbAuditor', path: '/api/v1/documents/search' },
    { name: 'GET /api/v1/organisations?q=Surgery', as: 'admin', path: '/api/v1/organisations?q=Surgery' },
    { name: 'GET /api/v1/organisations?kind=GP_PRACTICE', as: 'admin', path: '/api/v1/organisations?kind=GP_PRACTICE' },
    { name: 'GET /api/v1/organisations/:id/people', as: 'cd', path: `/api/v1/organisations/${s.practice.id}/people` },
    { name: 'GET /api/v1/icbs', as: 'admin', path: '/api/v1/icbs' },
    { name: 'page /tasks', as: 'signer', path: '/tasks', page: true },
    { name: 'page /agreements (national auditor, 25 PCNs)', as: 'auditor', path: '/agreements', page: true },
    { name: 'page /agreements (CD)', as: 'cd', path: '/agreements', page: true },
    { name: 'page /pcns/:id (CD)', as: 'cd', path: `/pcns/${s.pcn.id}`, page: true },
    { name: 'page /agreements/:id (CD)', as: 'cd', path: `/agreements/${s.agreement.id}`, page: true },
    { name: `page /agreements/:id/audit (${s.agreement.events} events)`, as: 'cd', path: `/agreements/${s.agreement.id}/audit`, page: true },
    { name: 'page /audit/search (national auditor, no filter)', as: 'auditor', path: '/audit/search?searched=1', page: true },
    { name: 'page /audit/search?icb', as: 'auditor', path: `/audit/search?${q({ searched: '1', icb: s.pcn.icbCode })}`, page: true },
    { name: 'page /audit/search?practice', as: 'auditor', path: `/audit/search?${q({ searched: '1', practice: s.practice.odsCode })}`, page: true },
    { name: 'page /people (CD)', as: 'cd', path: '/people', page: true },
    { name: 'page /people/:organisationId (CD)', as: 'cd', path: `/people/${s.practice.id}`, page: true },
  ];
}

/** The padded 100,000-event chain: the API pages it; the page reads it whole (the audit lib's work). Reported, not part of the table's verdict. */
function largeChainTargets(s) {
  return [
    { name: `GET /api/v1/agreements/:id/audit (largest chain, ${s.largest.events} events)`, as: 'admin', path: `/api/v1/agreements/${s.largest.id}/audit` },
    { name: `page /agreements/:id/audit (largest chain, ${s.largest.events} events)`, as: 'admin', path: `/agreements/${s.largest.id}/audit`, page: true },
  ];
}

// ---- HTTP ---------------------------------------------------------------------------------

async function apiToken(port, email) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (res.status !== 200 && res.status !== 201) throw new Error(`API sign-in as ${email}: ${res.status} ${await res.text()}`);
  return (await res.json()).accessToken;
}

/** Signs in through the page form; the session cookie is Secure in production, so say the proxy saw https (trusted from loopback). */
async function pageCookie(port, email) {
  const base = `http://127.0.0.1:${port}`;
  const headers = { 'x-forwarded-proto': 'https' };
  const form = await fetch(`${base}/sign-in`, { headers });
  const cookie = (form.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on /sign-in');
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: PASSWORD, _csrf: csrf, returnTo: '/tasks' }).toString(),
  });
  if (res.status !== 303) throw new Error(`page sign-in as ${email}: ${res.status}`);
  const session = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('pcn_session='));
  if (!session) throw new Error(`no session cookie for ${email}`);
  return session;
}

function requestFor(port, auth, target, nextPath) {
  const url = `http://127.0.0.1:${port}${nextPath ?? target.path}`;
  const headers = target.page ? { cookie: auth[target.as].cookie, 'x-forwarded-proto': 'https' } : { authorization: `Bearer ${auth[target.as].token}` };
  return async () => {
    const started = process.hrtime.bigint();
    const res = await fetch(url, { headers, redirect: 'manual' });
    const body = await res.arrayBuffer();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 200) throw new Error(`${target.name}: ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 300)}`);
    return { ms, bytes: body.byteLength, link: res.headers.get('link'), body };
  };
}

/** The first page's `Link: <…>; rel="next"` target, for the "page 2" rows. */
async function nextPagePath(port, auth, target) {
  const first = await requestFor(port, auth, target)();
  const m = /<([^>]+)>;\s*rel="next"/.exec(first.link ?? '');
  return m ? m[1] : null;
}

async function measureSequential(port, auth, target, nextPath) {
  const send = requestFor(port, auth, target, nextPath);
  for (let i = 0; i < WARMUP; i++) await send();
  const times = [];
  let last;
  for (let i = 0; i < REQUESTS; i++) {
    last = await send();
    times.push(last.ms);
  }
  let rows = null;
  if (!target.page) {
    try {
      const parsed = JSON.parse(Buffer.from(last.body).toString('utf8'));
      rows = Array.isArray(parsed) ? parsed.length : Array.isArray(parsed.events) ? parsed.events.length : null;
    } catch {
      rows = null;
    }
  }
  return { p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), bytes: last.bytes, rows, hasNext: !!last.link };
}

async function measureConcurrent(port, auth, list) {
  const times = new Map(list.map((t) => [t.name, []]));
  const senders = list.map((t) => ({ t, send: requestFor(port, auth, t, t.nextPath) }));
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
        for (let k = 0; k < senders.length; k++) {
          const { t, send } = senders[(k + w * 3) % senders.length];
          times.get(t.name).push((await send()).ms);
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const total = CONCURRENCY * CONCURRENT_ROUNDS * senders.length;
  return { seconds, total, perSecond: total / seconds, byName: new Map([...times].map(([n, xs]) => [n, { p50: pct(xs, 50), p95: pct(xs, 95) }])) };
}

// ---- plans -------------------------------------------------------------------------------

const SKIP_SQL = /^\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|START TRANSACTION)|pg_advisory|FROM "?schema_migration|current_schema|version\(\)/i;

/** Asks the capture API once and returns the statements it sent for that request. */
async function captureStatements(port, auth, target) {
  fs.writeFileSync(CAPTURE_FILE, '');
  await requestFor(port, auth, target, target.nextPath)();
  await sleep(50);
  return fs
    .readFileSync(CAPTURE_FILE, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((s) => /^\s*(SELECT|WITH)/i.test(s.text) && !SKIP_SQL.test(s.text));
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement; the slowest one's plan, abbreviated to nodes, index conditions and buffers. */
async function slowestPlan(db, statements) {
  let worst = null;
  for (const s of statements) {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values);
    const lines = rows.map((r) => r['QUERY PLAN']);
    const exec = Number(/Execution Time: ([\d.]+)/.exec(lines.join('\n'))?.[1] ?? 0);
    if (!worst || exec > worst.exec) worst = { exec, lines, text: s.text };
  }
  if (!worst) return null;
  const keep = worst.lines.filter((l, i) => i === 0 || /->|Index Cond|Filter|Sort Key|Buffers|Execution Time|Rows Removed/.test(l)).map((l) => l.replace(/\s+$/, ''))
    // Long IN-lists and filters are cut: the node, its index and its buffers are what matter.
    .map((l) => (l.length > 200 ? `${l.slice(0, 197)}…` : l));
  return { exec: worst.exec, statements: statements.length, plan: keep.slice(0, 24), sql: worst.text.replace(/\s+/g, ' ').slice(0, 400) };
}

// ---- report ------------------------------------------------------------------------------

const BEGIN = '<!-- lists.bench.js: measured run (rewritten by each run) -->';
const END = '<!-- lists.bench.js: end of measured run -->';

/**
 * Puts the run between the markers inside "## Large data: lists and pages", keeping the
 * section's hand-written text; adds the section at the end of the file if it is missing.
 */
function writeSection(markdown) {
  const file = path.join(ROOT, 'docs/benchmarks.md');
  const doc = fs.readFileSync(file, 'utf8');
  const block = `${BEGIN}\n${markdown.trim()}\n${END}`;
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const next = begin >= 0 && end > begin ? doc.slice(0, begin) + block + doc.slice(end + END.length) : `${doc.replace(/\s*$/, '\n\n')}## Large data: lists and pages\n\n${block}\n`;
  fs.writeFileSync(file, next);
}

async function main() {
  const db = new Client({ connectionString: DB_URL });
  await db.connect();
  const subjects = await pickSubjects(db);
  const { counts } = subjects;
  log(`database ${new URL(DB_URL).pathname.slice(1)}: ${counts.agreements} agreements, ${counts.requests} signature requests, ~${counts.auditEvents} audit events, ${counts.pcns} PCNs`);
  const { generateDevSealCertificate } = require('@pcn/documents/seal/dev-seal-cert');
  const passphrase = randomBytes(32).toString('hex');
  const [apiPort, capturePort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: DB_URL,
    REDIS_URL,
    REDIS_PREFIX,
    JWT_ACCESS_SECRET: randomBytes(32).toString('hex'),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    JWT_ACCESS_TTL_SECONDS: '3600',
    // Nothing here sends email; the API only needs a configured transport.
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    SMTP_SECURE: 'false',
    SMTP_REQUIRE_TLS: 'false',
    SMTP_USER: '',
    SMTP_PASS: '',
    SEAL_P12_BASE64: generateDevSealCertificate({ passphrase }).p12.toString('base64'),
    SEAL_P12_PASSPHRASE: passphrase,
  };
  startChild('api', { ...env, PORT: String(apiPort), PUBLIC_BASE_URL: `http://localhost:${apiPort}`, DATABASE_POOL_SIZE: '10' });
  startChild('capture-api', { ...env, PORT: String(capturePort), PUBLIC_BASE_URL: `http://localhost:${capturePort}`, DATABASE_POOL_SIZE: '2', BENCH_PG_CAPTURE: CAPTURE_FILE }, ['./bench/workflow/pg-capture.js']);
  try {
    await Promise.all([waitHealthy('api', apiPort), waitHealthy('capture-api', capturePort)]);
    log(`API on ${apiPort}, capture API on ${capturePort}; logs in ${RUN_DIR}`);
    const emails = { admin: 'admin@large.invalid', auditor: 'auditor@large.invalid', icbAuditor: subjects.icbAuditor.email, cd: subjects.cd.email, signer: subjects.signer.email };
    const signIn = async (port) => {
      const auth = {};
      for (const [who, email] of Object.entries(emails)) auth[who] = { token: await apiToken(port, email), cookie: await pageCookie(port, email) };
      return auth;
    };
    const auth = await signIn(apiPort);
    const captureAuth = await signIn(capturePort);
    const list = [];
    for (const t of targets(subjects).filter((x) => !ONLY || ONLY.test(x.name))) {
      if (t.next && !(t.nextPath = await nextPagePath(apiPort, auth, t))) {
        log(`${t.name}: skipped, the first page is the only one on this data`);
        continue;
      }
      list.push(t);
    }

    const results = [];
    for (const t of list) {
      const r = await measureSequential(apiPort, auth, t, t.nextPath);
      results.push({ t, ...r });
      log(`${t.name}: p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms, p99 ${fmt(r.p99)} ms${r.rows !== null ? `, ${r.rows} rows` : ''}${r.hasNext ? ', more pages' : ''}`);
    }
    const large = [];
    for (const t of largeChainTargets(subjects).filter((x) => !ONLY || ONLY.test(x.name))) {
      const send = requestFor(apiPort, auth, t);
      const times = [];
      for (let i = 0; i < 5; i++) times.push((await send()).ms);
      large.push({ t, p50: pct(times, 50), max: Math.max(...times) });
      log(`${t.name}: p50 ${fmt(pct(times, 50))} ms over 5 requests`);
    }
    const load1 = os.loadavg()[0];
    log(`concurrent: ${CONCURRENCY} clients, ${CONCURRENT_ROUNDS} rounds of all ${list.length}`);
    const concurrent = await measureConcurrent(apiPort, auth, list);
    log(`concurrent: ${concurrent.total} requests in ${concurrent.seconds.toFixed(1)} s (${concurrent.perSecond.toFixed(0)}/s)`);

    const plans = [];
    for (const t of list.filter((x) => !x.floor)) {
      const plan = await slowestPlan(db, await captureStatements(capturePort, captureAuth, t));
      plans.push({ t, plan });
    }

    const over = results.filter((r) => !r.t.floor && r.p95 > TARGET_MS);
    const measured = results.filter((r) => !r.t.floor).length;
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const cmd = `node bench/large-data/lists.bench.js${DB_URL === 'postgres://postgres@127.0.0.1:5432/pcn_large' ? '' : ` --database-url ${DB_URL}`} --requests ${REQUESTS} --warmup ${WARMUP} --concurrency ${CONCURRENCY} --concurrent-rounds ${CONCURRENT_ROUNDS}`;
    const md = [];
    md.push(`### ${when} UTC — \`${cmd}\``, '');
    md.push(
      `Database \`${new URL(DB_URL).pathname.slice(1)}\` filled by \`bench/large-data/load.js\`: ${counts.agreements.toLocaleString('en-GB')} agreements, ${counts.requests.toLocaleString('en-GB')} signature requests, ~${Number(counts.auditEvents).toLocaleString('en-GB')} audit events, ${counts.pcns.toLocaleString('en-GB')} PCNs. ` +
        `The real API from source (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, pool 10), signed in as the national auditor, an ICB auditor (added by the bench), the clinical director of ${subjects.pcn.name} and the person with the most waiting requests (${subjects.signer.tasks}). ` +
        `Each row: ${WARMUP} warm-up then ${REQUESTS} sequential requests, timed at the client (loopback HTTP, whole body read). Load average (1 min) before the concurrent run: ${load1.toFixed(2)} on ${os.cpus().length} cores, shared with other work.`,
      '',
    );
    md.push(`**${measured - over.length} of ${measured} within p95 ≤ ${TARGET_MS} ms**${over.length ? ` (over: ${over.map((r) => r.t.name).join('; ')})` : ''}.`, '');
    md.push(`| Endpoint or page | rows | p50 ms | p95 ms | p99 ms | ≤ ${TARGET_MS} ms | p50 / p95 ms with ${CONCURRENCY} clients |`, '|---|---|---|---|---|---|---|');
    for (const r of results) {
      const c = concurrent.byName.get(r.t.name);
      const verdict = r.t.floor ? '(floor)' : r.p95 <= TARGET_MS ? 'yes' : '**no**';
      md.push(`| ${r.t.name} | ${r.t.floor ? '–' : (r.rows ?? '–')}${r.hasNext ? ' (+ next)' : ''} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${verdict} | ${fmt(c.p50)} / ${fmt(c.p95)} |`);
    }
    md.push('', `Concurrent run: ${CONCURRENCY} clients, each ${CONCURRENT_ROUNDS} times through every row above, ${concurrent.total} requests in ${concurrent.seconds.toFixed(1)} s (${concurrent.perSecond.toFixed(0)} requests/s).`, '');
    md.push('Outside the table, the longest chain (the API answers it 1,000 events a page; the page reads and verifies the whole chain; see the note above):', '');
    for (const l of large) md.push(`- ${l.t.name}: p50 ${fmt(l.p50)} ms, max ${fmt(l.max)} ms over 5 requests.`);
    md.push('', '#### Plans', '', 'For each row, the SQL the API sent for one request (captured by a second API process with `bench/workflow/pg-capture.js`), each statement run again under `EXPLAIN (ANALYZE, BUFFERS)`; shown: the slowest statement, its plan abbreviated to nodes, conditions and buffers.', '');
    for (const { t, plan } of plans) {
      if (!plan) continue;
      md.push(`**${t.name}** — ${plan.statements} SELECT statement(s); slowest ${plan.exec.toFixed(2)} ms:`, '', '```', plan.sql, '', ...plan.plan, '```', '');
    }
    const text = md.join('\n');
    console.log(`\n${text}`);
    if (WRITE) {
      writeSection(`${text}\n`);
      log('wrote docs/benchmarks.md');
    }
  } finally {
    await stopChildren();
    await db.end();
  }
}

main().catch(async (error) => {
  console.error(error);
  await stopChildren();
  process.exit(1);
});
