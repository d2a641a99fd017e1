#!/usr/bin/env node
// National renewal drill: every PCN renews its Network Agreement at once, through the real API
// and workers, until every agreement is executed and every part is sealed and stored.
//
//   npm run drill -- [--pcns 1250] [--icbs 42] [--clients 48] [--per-round 1] [--no-write] [--keep]
//                    [--api-processes 1] [--documents-workers 1] [--notification-workers 1]
//                    [--api-pool 40/api-processes] [--worker-pool 6] [--result file.json]
//                    [--cpu-prof DIR] [--memory-probe DIR] [--cpu-shares deployment|equal] [--heap-mb 256] [--documents-heap-mb 320]
//
// Creates and drops its own database (pcn_drill_<pid>) and Redis prefix (drill<pid>); runs
// `--api-processes` API processes, `--documents-workers` workers with WORKER_QUEUES=documents
// and `--notification-workers` with WORKER_QUEUES=notifications,schedules, all from source
// through scripts/ts-register.js against the same database and Redis, with an in-process SMTP
// test server. With several API processes the drill's calls go to them in turn, call by call
// (see `apiPorts`). Pools are per process (`--api-pool`, `--worker-pool`); their sum must fit
// the server's max_connections, checked before anything starts. Phases:
//   directory  organisations, people and roles through DirectoryService (in this process);
//              accounts in SQL with one cheap argon2 hash (see directory.js)
//   login      every person signs in once through POST /api/v1/auth/login
//   draft      each clinical director creates the agreement (POST /pcns/:id/agreements)
//   submit     and sends it (POST /agreements/:id/submit)
//   approve    every signer approves, step by step, `--clients` requests in flight; a person
//              with several requests in a step uses POST /requests/approve (batch)
//   seal       wait until every execution is GENERATED with its parts in sealed_document
// Then checks the end state and writes "## National renewal drill" in docs/benchmarks.md.
'use strict';
require('../../scripts/ts-register');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');
const { execFileSync } = require('node:child_process');
const { randomBytes, createHash } = require('node:crypto');
const { Client } = require('pg');
const { ProcessGroup } = require('./processes');
const { planCountry, loadCountry, drillContent, eachLimit } = require('./directory');
const { writeDrillSection } = require('./report');

const ROOT = path.resolve(__dirname, '../..');
const argv = process.argv.slice(2);
const num = (name, def) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : def);
const apiProcesses = num('api-processes', 1);
const OPTS = {
  pcns: num('pcns', 1250),
  icbs: num('icbs', 42),
  clients: num('clients', 48),
  perRound: num('per-round', 1),
  apiProcesses,
  documentsWorkers: num('documents-workers', 1),
  notificationWorkers: num('notification-workers', 1),
  // Per API process. The default keeps 40 sessions across all API processes, so a scale-out run
  // differs from the baseline in processes, not in database sessions.
  apiPool: num('api-pool', Math.floor(40 / apiProcesses)),
  workerPool: num('worker-pool', 6),
  write: !argv.includes('--no-write'),
  // Also write the run's figures (result.json) to this file, e.g. for bench/drill/compare.js.
  resultFile: argv.includes('--result') ? path.resolve(argv[argv.indexOf('--result') + 1]) : null,
  keep: argv.includes('--keep'),
  // Every API and worker process writes a V8 CPU profile to DIR/<process name>/ when it stops.
  cpuProfileDir: argv.includes('--cpu-prof') ? path.resolve(argv[argv.indexOf('--cpu-prof') + 1]) : null,
  // Every API and worker process appends its memory every 500 ms to DIR/<process name>.jsonl.
  memoryProbeDir: argv.includes('--memory-probe') ? path.resolve(argv[argv.indexOf('--memory-probe') + 1]) : null,
  // How the processes share the cores when all want them: `deployment` gives each the CPU weight
  // its CPU request in docs/deployment.md gives it on Kubernetes (see CPU_SHARES); `equal` runs
  // them all at the same priority, as the runs before 2026-12-01 22:30 did.
  cpuShares: argv.includes('--cpu-shares') ? argv[argv.indexOf('--cpu-shares') + 1] : 'deployment',
  // V8's old-space limit for the documents workers, as docs/deployment.md §5 sets it
  // (NODE_OPTIONS=--max-old-space-size). Unset, V8 sizes it from this machine's 24 GiB and lets
  // the heap of a busy renderer grow past 512 MB before it collects (0 = leave it to V8).
  documentsHeapMb: num('documents-heap-mb', 320),
  // The same for the API and notifications workers (docs/deployment.md §2 sets 256): unbounded, the
  // API's heap grew to 376 MB (RSS 491 MB) while signing people in, for about 100 MB live.
  heapMb: num('heap-mb', 256),
};
for (const [flag, mb] of [['heap-mb', OPTS.heapMb], ['documents-heap-mb', OPTS.documentsHeapMb]]) {
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`--${flag} must be a whole number of MB, or 0 for V8's default (got ${mb})`);
}
if (!['deployment', 'equal'].includes(OPTS.cpuShares)) throw new Error(`--cpu-shares must be deployment or equal (got ${OPTS.cpuShares})`);
/**
 * CPU requests of docs/deployment.md §5 (API 1 core, documents worker 1 core, notifications and
 * schedules worker 250m) as nice values. Kubernetes turns a request into the container's CFS
 * weight, so under contention each gets CPU in proportion to its request; nice sets the same
 * CFS weight for a process, and each step of nice is a factor of about 1.25 (the kernel's
 * sched_prio_to_weight: 0 → 1024, 6 → 272). PostgreSQL and the drill stay at 0.
 */
const CPU_SHARES = { deployment: { api: 0, 'worker-documents': 0, 'worker-notifications': 6 }, equal: { api: 0, 'worker-documents': 0, 'worker-notifications': 0 } }[OPTS.cpuShares];
for (const k of ['pcns', 'icbs', 'clients', 'perRound', 'apiProcesses', 'documentsWorkers', 'notificationWorkers', 'apiPool', 'workerPool']) {
  if (!Number.isInteger(OPTS[k]) || OPTS[k] < 1) throw new Error(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number of at least 1 (got ${OPTS[k]})`);
}
/** Connections the drill process itself may hold at once: the directory context's pool, its session sampler, one CLI command. */
const DRILL_OWN_CONNECTIONS = 8 + 1 + 2;
const COMMAND = `npm run drill -- ${argv.join(' ')}`.trim();

const ADMIN_URL = process.env.DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const DB_NAME = `pcn_drill_${process.pid}`;
const DB_URL = Object.assign(new URL(ADMIN_URL), { pathname: `/${DB_NAME}` }).toString();
const REDIS_PREFIX = `drill${process.pid}`;
const PASSWORD = `drill-${randomBytes(9).toString('base64url')}`;
const RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'pcn-drill-'));

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN);

const procs = new ProcessGroup(ROOT, RUN_DIR, log, OPTS.cpuProfileDir, OPTS.memoryProbeDir);
const teardown = [];
let tornDown = null;
/** Stops the processes, then drops what the run made; a second caller (a signal during the run, then main's end) waits for the same teardown rather than exiting half-way. */
function tearDown() {
  tornDown ??= (async () => {
    await procs.stopAll();
    clientAgent.destroy();
    for (const step of teardown.reverse()) await step().catch((e) => log(`teardown: ${e.message}`));
  })();
  return tornDown;
}
process.on('SIGINT', () => tearDown().finally(() => process.exit(130)));
process.on('SIGTERM', () => tearDown().finally(() => process.exit(143)));

async function sql(url, text, params) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/**
 * The API processes and how many calls each answered. The drill sends its calls to them in
 * turn, call by call, itself: a loopback proxy or a cluster primary would be one more process
 * handling every request on the same two cores, a cost a real load balancer on its own host
 * does not put on the application. Turn by call (not by client) means a token issued by one
 * process is checked by another and consecutive approvals of one round reach different
 * processes, so only the shared PostgreSQL and Redis keep them correct.
 */
const apis = { names: [], ports: [], calls: [], next: 0 };

/**
 * Keep-alive connections for the clients, through node:http rather than fetch: the load
 * generator shares the two cores with the platform, and fetch (undici's WHATWG layer: headers
 * objects, streams, promises per chunk) spends several times the CPU of http.request per call.
 */
const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One JSON call to the next API process; throws with the body on any status but `expect`. */
async function call(method, url, token, body, expect) {
  const i = apis.next++ % apis.ports.length;
  apis.calls[i]++;
  const payload = body === undefined ? null : JSON.stringify(body);
  const headers = { ...(payload === null ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const { status, text } = await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: apis.ports[i], method, path: `/api/v1${url}`, headers, agent: clientAgent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
  if (status !== expect) throw new Error(`${method} ${url}: ${status} ${text.slice(0, 800)}`);
  return text ? JSON.parse(text) : undefined;
}

async function deleteRedisPrefix() {
  const Redis = require('ioredis');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const stream = redis.scanStream({ match: `${REDIS_PREFIX}:*`, count: 1000 });
    for await (const keys of stream) if (keys.length) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
}

/** Bytes of Redis memory under the drill's prefix (MEMORY USAGE summed), and the server's used_memory. */
async function redisSizes() {
  const Redis = require('ioredis');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let prefixBytes = 0;
    let keys = 0;
    for await (const batch of redis.scanStream({ match: `${REDIS_PREFIX}:*`, count: 1000 })) {
      for (const k of batch) {
        prefixBytes += Number(await redis.memory('USAGE', k)) || 0;
        keys++;
      }
    }
    const info = await redis.info('memory');
    return { prefixBytes, keys, usedMemory: Number((info.match(/used_memory:(\d+)/) || [])[1]) };
  } finally {
    redis.disconnect();
  }
}

/** Runs an apps/cli command against the drill's database and Redis; returns { code, out }. */
function cli(args) {
  try {
    const out = execFileSync(process.execPath, ['-r', './scripts/ts-register.js', 'apps/cli/src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: DB_URL, REDIS_URL, REDIS_PREFIX }, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { code: 0, out };
  } catch (error) {
    return { code: error.status ?? 1, out: `${error.stdout ?? ''}${error.stderr ?? ''}` };
  }
}

/**
 * The code a run used: HEAD, and the uncommitted changes under apps/ and libs/ (the processes
 * run from source, so other people's edits in the shared tree are part of the run). The diff's
 * hash tells whether two runs ran the same code. --no-optional-locks: reading never takes the
 * index lock another person's commit needs.
 */
function codeVersion() {
  const git = (...args) => execFileSync('git', ['--no-optional-locks', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  try {
    const commit = git('rev-parse', '--short=12', 'HEAD').trim();
    const changed = git('status', '--porcelain', '--', 'apps', 'libs').split('\n').filter(Boolean).map((l) => l.slice(3));
    const untracked = changed.filter((f) => fs.existsSync(path.join(ROOT, f)) && !git('ls-files', '--', f).trim());
    const diff = git('diff', 'HEAD', '--', 'apps', 'libs') + untracked.map((f) => `${f}\n${fs.statSync(path.join(ROOT, f)).isFile() ? fs.readFileSync(path.join(ROOT, f), 'utf8') : ''}`).join('\n');
    // The content of every file under apps/ and libs/, whatever is committed: two runs with the
    // same sourceSha ran the same code even if someone committed in between.
    const source = createHash('sha256');
    for (const f of git('ls-files', '-co', '--exclude-standard', '--', 'apps', 'libs').split('\n').filter(Boolean).sort()) {
      if (fs.existsSync(path.join(ROOT, f))) source.update(`${f}\0`).update(fs.readFileSync(path.join(ROOT, f))).update('\0');
    }
    return { commit, changed, diffSha: changed.length ? createHash('sha256').update(diff).digest('hex').slice(0, 12) : null, sourceSha: source.digest('hex').slice(0, 12) };
  } catch (error) {
    return { commit: 'unknown', changed: [], diffSha: null, error: error.message };
  }
}

/**
 * Every connection the run's processes may open at once, against what the server allows:
 * max_connections, less the superuser reserve, less the sessions already open (other people's
 * tests and drills on this shared server). Throws before anything starts when it does not fit,
 * rather than meeting "too many clients" half-way through.
 */
async function connectionPlan() {
  const [pg] = await sql(
    ADMIN_URL,
    `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved,
            (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()) AS others`,
  );
  const workers = OPTS.documentsWorkers + OPTS.notificationWorkers;
  const plan = {
    api: OPTS.apiProcesses * OPTS.apiPool,
    // A worker's pool, plus the outbox relay's own LISTEN connection.
    workers: workers * (OPTS.workerPool + 1),
    drill: DRILL_OWN_CONNECTIONS,
    max: pg.max,
    reserved: pg.reserved,
    others: pg.others,
  };
  plan.total = plan.api + plan.workers + plan.drill;
  plan.text = `${OPTS.apiProcesses} API × ${OPTS.apiPool} + ${workers} workers × (${OPTS.workerPool} + 1 LISTEN) + drill ${plan.drill} = ${plan.total} connections; max_connections ${pg.max}, ${pg.reserved} reserved for superusers, ${pg.others} open by others`;
  if (plan.total > pg.max - pg.reserved - pg.others) throw new Error(`the pools do not fit: ${plan.text}. Lower --api-pool/--worker-pool, or wait for the other sessions to end.`);
  return plan;
}

async function main() {
  const t0 = Date.now();
  const result = { opts: OPTS, command: COMMAND, date: new Date().toISOString().slice(0, 16).replace('T', ' '), nproc: os.cpus().length, loadBefore: os.loadavg().map((x) => x.toFixed(1)).join(' '), code: codeVersion() };
  log(`drill: ${OPTS.pcns} PCNs in ${OPTS.icbs} ICBs, ${OPTS.clients} clients; run dir ${RUN_DIR}; load ${result.loadBefore}`);
  log(`code: source ${result.code.sourceSha}, commit ${result.code.commit}${result.code.changed.length ? ` + uncommitted changes in ${result.code.changed.length} files under apps/ libs/ (diff ${result.code.diffSha}): ${result.code.changed.join(', ')}` : ', no uncommitted changes under apps/ libs/'}`);
  result.connections = await connectionPlan();
  log(`processes: ${OPTS.apiProcesses} API (pool ${OPTS.apiPool} each), ${OPTS.documentsWorkers} documents worker(s), ${OPTS.notificationWorkers} notifications/schedules worker(s) (pool ${OPTS.workerPool} each); ${result.connections.text}`);
  const heapWords = (mb) => (mb ? `${mb} MB` : "V8's default");
  log(`V8 old space: documents workers ${heapWords(OPTS.documentsHeapMb)}, API and notifications workers ${heapWords(OPTS.heapMb)}`);
  log(`CPU shares: ${OPTS.cpuShares} (nice ${Object.entries(CPU_SHARES).map(([k, v]) => `${k} ${v}`).join(', ')})`);

  await sql(ADMIN_URL, `CREATE DATABASE "${DB_NAME}"`);
  if (!OPTS.keep) teardown.push(() => sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`));
  teardown.push(deleteRedisPrefix);
  const { runMigrations } = require('../../apps/cli/src/migrations.ts');
  const { syncTemplates } = require('../../apps/cli/src/reference-data.ts');
  await runMigrations(DB_URL, () => undefined);
  await syncTemplates(DB_URL, () => undefined);

  const { startSmtpTestServer } = require('../../test/support/smtp-test-server.ts');
  // Headers only: the checks need each Message-ID, and parsing 60,000 whole messages would take CPU from the platform.
  const smtp = await startSmtpTestServer({ headersOnly: true });
  teardown.push(() => smtp.close());
  const { generateDevSealCertificate } = require('@pcn/documents/seal/dev-seal-cert');
  const sealPass = randomBytes(24).toString('hex');
  for (let i = 0; i < OPTS.apiProcesses; i++) apis.ports.push(await freePort());
  apis.calls = apis.ports.map(() => 0);
  const env = {
    ...process.env,
    ...smtp.env(),
    NODE_ENV: 'production',
    DATABASE_URL: DB_URL,
    REDIS_URL,
    REDIS_PREFIX,
    JWT_ACCESS_SECRET: randomBytes(32).toString('hex'),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    JWT_ACCESS_TTL_SECONDS: '7200',
    LOG_LEVEL: 'warn',
    // The accounts carry the cheapest argon2 hash on purpose (directory.js); re-hashing each at
    // the production cost on its first sign-in would cost about a second of CPU per person.
    PASSWORD_REHASH_ON_SIGN_IN: 'false',
    PUBLIC_BASE_URL: `http://localhost:${apis.ports[0]}`,
    SEAL_P12_BASE64: generateDevSealCertificate({ passphrase: sealPass }).p12.toString('base64'),
    SEAL_P12_PASSPHRASE: sealPass,
  };
  // One name per process ("api" alone, "api-1", "api-2" for several), also its application_name
  // in PostgreSQL, so CPU, memory and database sessions are reported per process.
  const names = (kind, n) => Array.from({ length: n }, (_, i) => (n === 1 ? kind : `${kind}-${i + 1}`));
  const asApp = (name) => Object.assign(new URL(DB_URL), { search: `?application_name=${name}` }).toString();
  apis.names = names('api', OPTS.apiProcesses);
  // NODE_OPTIONS=--max-old-space-size, as docs/deployment.md §2 sets it per kind of process.
  const heapBound = (mb) => (mb ? { NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --max-old-space-size=${mb}`.trim() } : {});
  apis.names.forEach((name, i) => procs.start(name, 'apps/api/src/main.ts', { ...env, DATABASE_URL: asApp(name), PORT: String(apis.ports[i]), DATABASE_POOL_SIZE: String(OPTS.apiPool), ...heapBound(OPTS.heapMb) }, CPU_SHARES.api));
  for (const name of names('worker-documents', OPTS.documentsWorkers)) procs.start(name, 'apps/worker/src/main.ts', { ...env, DATABASE_URL: asApp(name), WORKER_QUEUES: 'documents', DATABASE_POOL_SIZE: String(OPTS.workerPool), ...heapBound(OPTS.documentsHeapMb) }, CPU_SHARES['worker-documents']);
  for (const name of names('worker-notifications', OPTS.notificationWorkers)) procs.start(name, 'apps/worker/src/main.ts', { ...env, DATABASE_URL: asApp(name), WORKER_QUEUES: 'notifications,schedules', DATABASE_POOL_SIZE: String(OPTS.workerPool), ...heapBound(OPTS.heapMb) }, CPU_SHARES['worker-notifications']);
  const sampler = procs.sampler(DB_NAME);

  // The in-process directory context reads the same configuration as the children.
  Object.assign(process.env, { DATABASE_URL: DB_URL, DATABASE_POOL_SIZE: '8', REDIS_URL, REDIS_PREFIX, JWT_ACCESS_SECRET: env.JWT_ACCESS_SECRET });
  const country = await loadCountry(planCountry(OPTS), { password: PASSWORD });
  const practices = country.pcns.reduce((n, p) => n + p.practices.length, 0);
  Object.assign(result, { practices, people: country.accounts.length, annexes: country.pcns.reduce((n, p) => n + p.annexes.length, 0) });
  await Promise.all(apis.names.map((name, i) => procs.waitForHealth(name, apis.ports[i])));
  sampler.mark('directory');
  log(`directory: ${OPTS.pcns} PCNs, ${practices} practices, ${country.accounts.length} accounts`);

  const tokens = new Map();
  await eachLimit(country.accounts, 8, async (a) => {
    tokens.set(a.personId, (await call('POST', '/auth/login', null, { email: a.email, password: PASSWORD }, 200)).accessToken);
  });
  sampler.mark('login');
  log(`login: ${tokens.size} tokens`);

  const drafts = [];
  await eachLimit(country.pcns, OPTS.clients, async (pcn) => {
    const saved = await call('POST', `/pcns/${pcn.pcnId}/agreements`, tokens.get(pcn.cd.personId), { content: drillContent(pcn) }, 201);
    drafts.push({ pcn, agreementId: saved.agreement.id, revisionNumber: saved.revision.number });
  });
  sampler.mark('draft');
  const rounds = [];
  await eachLimit(drafts, OPTS.clients, async (d) => {
    const opened = await call('POST', `/agreements/${d.agreementId}/submit`, tokens.get(d.pcn.cd.personId), { revisionNumber: d.revisionNumber }, 201);
    rounds.push({ agreementId: d.agreementId, lastStep: opened.round.lastStep, requests: opened.requests });
  });
  sampler.mark('submit');
  const requestCount = rounds.reduce((n, r) => n + r.requests.length, 0);
  log(`submitted ${rounds.length} agreements, ${requestCount} requests`);

  // Approvals: every agreement walks its steps; within a step each person sends one call
  // (batch when they hold several requests), `--clients` calls in flight across the country
  // but at most `--per-round` (default 1) in one round: approvals of one round serialise on
  // its row lock, and people of one PCN do not all press Approve in the same millisecond.
  const latencies = [];
  const lastApprovalAt = new Map();
  let inFlight = 0;
  const waiters = [];
  const slot = async () => {
    if (inFlight < OPTS.clients) return void inFlight++;
    await new Promise((r) => waiters.push(r));
  };
  const release = () => (waiters.length ? waiters.shift()() : inFlight--);
  let calls = 0;
  let batchCalls = 0;
  let approvedRequests = 0;
  const db = new Client({ connectionString: DB_URL });
  await db.connect();
  teardown.push(() => db.end());
  const waits = sampleSessions(db);
  const tApprove = Date.now();
  await Promise.all(
    rounds.map(async (round) => {
      for (let step = 1; step <= round.lastStep; step++) {
        // One approval per group: where several people may act for an organisation (two
        // directors, a trust's signatories), the first one's approval makes the rest not needed.
        const firstOfGroup = new Map();
        for (const q of round.requests) if (q.step === step && !firstOfGroup.has(q.groupKey)) firstOfGroup.set(q.groupKey, q);
        const byPerson = new Map();
        for (const q of firstOfGroup.values()) byPerson.set(q.personId, [...(byPerson.get(q.personId) || []), q]);
        approvedRequests += firstOfGroup.size;
        await eachLimit([...byPerson], OPTS.perRound, async ([personId, qs]) => {
          await slot();
          const started = performance.now();
          try {
            if (qs.length === 1) {
              const q = qs[0];
              await call('POST', `/requests/${q.id}/approve`, tokens.get(personId), { typedName: q.personName, capacity: q.capacity, confirmAuthority: true, hash: q.boundHash }, 200);
            } else {
              batchCalls++;
              await call('POST', '/requests/approve', tokens.get(personId), { typedName: qs[0].personName, confirmAuthority: true, approvals: qs.map((q) => ({ requestId: q.id, hash: q.boundHash, capacity: q.capacity })) }, 200);
            }
          } finally {
            release();
          }
          latencies.push(performance.now() - started);
          calls++;
          lastApprovalAt.set(round.agreementId, Date.now());
        });
      }
    }),
  );
  const approveSeconds = (Date.now() - tApprove) / 1000;
  sampler.mark('approve');
  result.sessionsApprove = waits.cut();
  result.sessionSampleMs = SESSION_SAMPLE_MS;
  result.sessionsApproveByProcess = result.sessionsApprove.byProcess;
  log(`approved: ${approvedRequests} of ${requestCount} requests in ${calls} calls (${batchCalls} batch) in ${approveSeconds.toFixed(1)} s`);

  // Sealing: poll until every execution is GENERATED.
  const sealDeadline = Date.now() + 60 * 60_000;
  for (;;) {
    const [{ done }] = (await db.query(`SELECT count(*)::int AS done FROM agreement_execution WHERE document_status = 'GENERATED'`)).rows;
    if (done >= rounds.length) break;
    if (Date.now() > sealDeadline) throw new Error(`only ${done} of ${rounds.length} executions sealed after an hour`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const wallSeconds = (Date.now() - t0) / 1000;
  sampler.mark('seal (after last approval)');
  result.sessionsSeal = waits.cut();
  result.sessionsSealByProcess = result.sessionsSeal.byProcess;

  // Emails still queued when the last part is sealed (the execution notices of the last
  // agreements) are waited for, so the email check sees every job settled, not a count taken
  // while a worker is still sending.
  const tEmails = Date.now();
  const emailDeadline = tEmails + 15 * 60_000;
  for (;;) {
    const [{ jobs, settled }] = (
      await db.query(
        `SELECT (SELECT count(*) FROM outbox WHERE job_name = 'email.send' AND run_at <= now())::int AS jobs,
                (SELECT count(*) FROM sent_email WHERE status IN ('SENT', 'SKIPPED', 'FAILED'))::int AS settled`,
      )
    ).rows;
    if (settled >= jobs) break;
    if (Date.now() > emailDeadline) {
      log(`only ${settled} of ${jobs} email jobs settled 15 minutes after the last part was sealed`);
      break;
    }
    // Once a second: each poll counts the whole outbox (40 ms at national size).
    await new Promise((r) => setTimeout(r, 1000));
  }
  result.emailsAfterSealSeconds = (Date.now() - tEmails) / 1000;
  // A phase of a few milliseconds would only show sampling noise as cores.
  if (result.emailsAfterSealSeconds >= 1) sampler.mark('emails (after every part sealed)');
  await waits.stop();
  const sealedAt = new Map((await db.query(`SELECT agreement_id, extract(epoch FROM max(created_at)) * 1000 AS at FROM sealed_document GROUP BY agreement_id`)).rows.map((r) => [r.agreement_id, Number(r.at)]));
  const toSealed = rounds.map((r) => sealedAt.get(r.agreementId) - lastApprovalAt.get(r.agreementId)).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);

  // Sizes, then the end checks.
  const [{ bytes: dbBytes }] = (await db.query(`SELECT pg_database_size(current_database())::bigint AS bytes`)).rows;
  const [{ bytes: docBytes, parts }] = (await db.query(`SELECT coalesce(sum(size_bytes), 0)::bigint AS bytes, count(*)::int AS parts FROM sealed_document`)).rows;
  Object.assign(result, {
    agreements: rounds.length,
    requests: requestCount,
    approved: approvedRequests,
    calls,
    batchCalls,
    wallSeconds,
    approveSeconds,
    approvalsPerSecond: approvedRequests / approveSeconds,
    callsPerSecond: calls / approveSeconds,
    latency: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99) },
    toSealed: { p50: quantile(toSealed, 0.5), p95: quantile(toSealed, 0.95), max: toSealed[toSealed.length - 1] },
    parts,
    dbBytes: Number(dbBytes),
    docBytes: Number(docBytes),
    redis: await redisSizes(),
    emails: smtp.messages.length,
    apiCalls: Object.fromEntries(apis.names.map((name, i) => [name, apis.calls[i]])),
  });
  result.checks = await endChecks(db, rounds, smtp);
  const stoppedOnTheirOwn = procs.unexpectedExits();
  result.checks.push({ name: 'no process stopped on its own', ok: stoppedOnTheirOwn.length === 0, detail: stoppedOnTheirOwn.length ? stoppedOnTheirOwn.join(', ') : `${procs.procs.size} processes ran to the end` });
  Object.assign(result, sampler.stop(), { loadAfter: os.loadavg().map((x) => x.toFixed(1)).join(' ') });
  fs.writeFileSync(path.join(RUN_DIR, 'result.json'), JSON.stringify(result, null, 2));
  if (OPTS.resultFile) fs.writeFileSync(OPTS.resultFile, JSON.stringify(result, null, 2));
  const failed = result.checks.filter((c) => !c.ok);
  const text = writeDrillSection(result, OPTS.write ? path.join(ROOT, 'docs/benchmarks.md') : null);
  console.log(`\n${text}`);
  if (failed.length) {
    log(`FAILED end checks: ${failed.map((c) => c.name).join('; ')}`);
    process.exitCode = 1;
  }
}

/**
 * How often the sessions are sampled. Every 200 ms (runs before 2026-12-02 16:00), sampling
 * cost PostgreSQL about 1 % of the machine over a national run (3.8 ms a sample on a busy
 * machine, measured in pg_stat_statements): the observer slowed what it observed.
 */
const SESSION_SAMPLE_MS = 500;

/**
 * What the drill database's sessions are doing (pg_stat_activity every SESSION_SAMPLE_MS): the average
 * number of sessions per state or wait event, in all and per process (application_name; the
 * drill's own sessions have none); `cut()` returns the figures so far and starts a new
 * period, `stop()` ends sampling and returns the last period.
 */
function sampleSessions(db) {
  let counts = new Map();
  let byApp = new Map();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      // Named, so it is planned once: unprepared, its planning alone was a third of its cost.
      const { rows } = await db.query({
        name: 'drill-sessions',
        text: `SELECT coalesce(nullif(application_name, ''), 'drill') AS app,
                CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'active on CPU') ELSE state END AS what, count(*)::int AS n
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY 1, 2`,
      });
      samples++;
      for (const r of rows) {
        counts.set(r.what, (counts.get(r.what) || 0) + r.n);
        if (!byApp.has(r.app)) byApp.set(r.app, new Map());
        byApp.get(r.app).set(r.what, (byApp.get(r.app).get(r.what) || 0) + r.n);
      }
      await new Promise((r) => setTimeout(r, SESSION_SAMPLE_MS));
    }
  })();
  const averages = (m) => [...m].map(([what, n]) => ({ what, sessions: n / Math.max(samples, 1) })).sort((a, b) => b.sessions - a.sessions);
  const cut = () => {
    const out = averages(counts);
    out.byProcess = Object.fromEntries([...byApp].sort(([a], [b]) => a.localeCompare(b)).map(([app, m]) => [app, averages(m)]));
    counts = new Map();
    byApp = new Map();
    samples = 0;
    return out;
  };
  return {
    cut,
    async stop() {
      running = false;
      await loop;
      return cut();
    },
  };
}

/** Every end check, each { name, ok, detail }. */
async function endChecks(db, rounds, smtp) {
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });
  const q = async (text) => (await db.query(text)).rows;

  const [ex] = await q(`SELECT count(*)::int AS n, count(DISTINCT agreement_id)::int AS agreements, count(*) FILTER (WHERE document_status <> 'GENERATED')::int AS pending FROM agreement_execution`);
  const [ag] = await q(`SELECT count(*) FILTER (WHERE status = 'EXECUTED')::int AS executed, count(*)::int AS n FROM network_agreement`);
  check('every agreement executed exactly once', ex.n === rounds.length && ex.agreements === rounds.length && ag.executed === rounds.length && ex.pending === 0, `${ex.n} executions of ${ex.agreements} agreements, ${ag.executed}/${ag.n} agreements EXECUTED, ${ex.pending} pending`);

  // Expected parts: the agreement plus one per annex, per execution.
  const [parts] = await q(`
    WITH expected AS (
      SELECT e.id AS execution_id, 1 + coalesce(jsonb_array_length(r.content -> 'annexes'), 0) AS n
        FROM agreement_execution e JOIN agreement_revision r ON r.id = e.revision_id),
    got AS (SELECT execution_id, count(*) AS n, count(DISTINCT (kind, part)) AS distinct_parts FROM sealed_document GROUP BY execution_id)
    SELECT count(*) FILTER (WHERE g.n IS DISTINCT FROM x.n OR g.distinct_parts IS DISTINCT FROM g.n)::int AS wrong, sum(x.n)::int AS expected, sum(g.n)::int AS got
      FROM expected x LEFT JOIN got g USING (execution_id)`);
  check('exactly one sealed document per part', parts.wrong === 0, `${parts.got} documents for ${parts.expected} parts; ${parts.wrong} executions with a missing or extra part`);

  // A second API or worker process must not turn one event into two jobs: every outbox row is
  // a job (its id is the BullMQ job id), and the payload names the event (round, person, step,
  // kind; agreement and execution), so two identical rows would be one event enqueued twice.
  const [dup] = await q(`
    SELECT (SELECT count(*)::int FROM (SELECT 1 FROM outbox GROUP BY queue, job_name, payload HAVING count(*) > 1) d) AS twice,
           count(*)::int AS jobs, count(*) FILTER (WHERE job_name = 'documents.generate')::int AS documents
      FROM outbox`);
  check('no event enqueued twice', dup.twice === 0 && dup.documents === rounds.length, `${dup.jobs} outbox jobs, ${dup.twice} with an identical twin; ${dup.documents} documents.generate jobs for ${rounds.length} executions`);

  const sample = await q(`SELECT id, reference, bytes FROM sealed_document ORDER BY random() LIMIT 50`);
  const bad = [];
  const dir = fs.mkdtempSync(path.join(RUN_DIR, 'pdfsig-'));
  for (const doc of sample) {
    const file = path.join(dir, `${doc.id}.pdf`);
    fs.writeFileSync(file, doc.bytes);
    let out = '';
    try {
      out = execFileSync('pdfsig', [file], { encoding: 'utf8' });
    } catch (error) {
      out = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    }
    if (!out.includes('Signature is Valid.')) bad.push(doc.reference);
  }
  check('pdfsig: sampled parts valid', sample.length > 0 && bad.length === 0, `${sample.length - bad.length}/${sample.length} valid${bad.length ? `; invalid: ${bad.slice(0, 5).join(', ')}` : ''}`);

  const audit = cli(['audit:verify']);
  const summary = (() => {
    try {
      const j = JSON.parse(audit.out.slice(audit.out.indexOf('{'), audit.out.lastIndexOf('}') + 1));
      return `${j.chains} chains, ${j.eventsChecked} events, ok=${j.ok}`;
    } catch {
      return audit.out.slice(-300);
    }
  })();
  check('every audit chain intact (audit:verify)', audit.code === 0, summary);

  const jobs = cli(['jobs:failed']);
  const failedJobs = Number((jobs.out.match(/(\d+) failed job\(s\)/) || [])[1]);
  check('no job failed (jobs:failed)', jobs.code === 0 && failedJobs === 0, Number.isNaN(failedJobs) ? jobs.out.slice(-300) : `${failedJobs} failed`);

  const [mail] = await q(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'SENT')::int AS sent, count(*) FILTER (WHERE possible_duplicate OR attempts > 1)::int AS repeated FROM sent_email`);
  const perMessageId = new Map();
  for (const m of smtp.messages) perMessageId.set(m.messageId, (perMessageId.get(m.messageId) || 0) + 1);
  const twice = [...perMessageId.values()].filter((n) => n > 1).length;
  check('no email sent twice', mail.repeated === 0 && twice === 0 && smtp.messages.length === mail.sent, `${mail.n} sent_email rows (${mail.sent} SENT, ${mail.repeated} with attempts > 1), ${smtp.messages.length} messages at the SMTP server, ${twice} Message-IDs received more than once`);
  return checks;
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => tearDown().then(() => process.exit()));
