#!/usr/bin/env node
// Documents worker: CPU per sealed part, wall time and peak RSS of the real worker process.
//
//   npm run drill -- --pcns 120 --keep --no-write        # once: a database of executed agreements
//   node bench/pdf/documents-worker.bench.js --source pcn_drill_<pid> [--root DIR] [--label TEXT]
//        [--runs 1] [--rounds 1] [--tsa] [--cpu-prof DIR] [--probe FILE] [--capture DIR] [--write] [--keep] [--node-args 'FLAGS']
//
// Each run clones the source database (CREATE DATABASE … TEMPLATE), empties sealed_document in
// the clone and sets every execution back to PENDING, starts `apps/worker/src/main.ts` with
// WORKER_QUEUES=documents (queue concurrency 2, as in the drill) from `--root` (default this
// checkout; point it at an export of another commit to measure before/after in one session),
// adds one `documents.generate` job per execution to a fresh Redis prefix, and samples the
// worker from /proc every 100 ms until every execution is GENERATED. It reports the worker's
// CPU seconds per sealed part (from the first job added to the last part stored), the wall time
// of that phase, the worker's RSS when idle before the jobs and its peak RSS (VmHWM), and checks
// 10 stored parts with pdfsig, qpdf --check and our verifier (verifySealedPdf: AUTHENTIC). --rounds K renders every execution K times in the
// same worker process (documents emptied and executions reset between rounds), to see whether
// its memory stays bounded as the parts add up. With --tsa the parts are sealed at B-LTA against
// the loopback test TSA, which runs in this process (its CPU is not the worker's). --probe FILE
// has the worker append process.memoryUsage() and V8 heap space sizes to FILE every 500 ms.
// --capture DIR has the worker write each execution's render request to DIR (capture-render-requests.js),
// for bench/pdf/certificate-cost.bench.js.
'use strict';
require('../../scripts/ts-register');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes, randomUUID, X509Certificate } = require('node:crypto');
const { Client } = require('pg');
const { Queue } = require('bullmq');
const IORedis = require('ioredis');
const { verifySealedPdf } = require('@pcn/documents/verify/verify-sealed-pdf');

const ROOT = path.resolve(__dirname, '../..');
const argv = process.argv.slice(2);
const arg = (name, def) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : def);
const OPTS = {
  source: arg('source'),
  root: path.resolve(arg('root', ROOT)),
  label: arg('label', 'this checkout'),
  runs: Number(arg('runs', 1)),
  rounds: Number(arg('rounds', 1)),
  tsa: argv.includes('--tsa'),
  cpuProf: arg('cpu-prof') ? path.resolve(arg('cpu-prof')) : null,
  probe: arg('probe') ? path.resolve(arg('probe')) : null,
  capture: arg('capture') ? path.resolve(arg('capture')) : null,
  write: argv.includes('--write'),
  // Keep each run's clone, with the parts it sealed, to look at them afterwards.
  keep: argv.includes('--keep'),
  // V8 flags for the worker that NODE_OPTIONS refuses (e.g. --single-threaded-gc), space-separated.
  nodeArgs: (arg('node-args', '') || '').split(' ').filter(Boolean),
};
if (OPTS.capture && OPTS.root !== ROOT) {
  // The preload wraps this checkout's DocumentsGenerator; a worker from another tree would never call it.
  console.error('--capture works with this checkout only (not with --root)');
  process.exit(2);
}
if (!OPTS.source) {
  console.error('usage: node bench/pdf/documents-worker.bench.js --source <database of executed agreements> [--root DIR] [--label TEXT] [--runs N] [--tsa] [--cpu-prof DIR] [--write]');
  process.exit(2);
}
const ADMIN_URL = process.env.DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const dbUrl = (name) => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
const TICKS_PER_SECOND = 100; // USER_HZ for /proc/<pid>/stat on Linux
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

async function sql(url, text, params) {
  let c;
  for (let attempt = 1; ; attempt++) {
    try {
      c = new Client({ connectionString: url });
      await c.connect();
      break;
    } catch (error) {
      // The server is shared: wait for a free connection slot rather than fail the run.
      if (error.code !== '53300' || attempt >= 60) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** CPU seconds (user + system), RSS and VmHWM of one process from /proc; null once it is gone. */
function readProc(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
    return { cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

/** Polls `check` until it is true. The PostgreSQL server is shared: a refused connection (too many clients) is tried again. */
async function waitFor(check, what, ms = 120_000, everyMs = 250) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error.code !== '53300') throw error;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function oneRun(run, tsaEnv) {
  const clone = `pcn_dwbench_${process.pid}_${run}`;
  const prefix = `dwbench${process.pid}r${run}`;
  await sql(ADMIN_URL, `CREATE DATABASE "${clone}" TEMPLATE "${OPTS.source}"`);
  const url = dbUrl(clone);
  let worker = null;
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    // A scratch copy: the immutability triggers are lifted only here, to start from no documents.
    const [{ parts }] = await sql(url, `SELECT count(*)::int AS parts FROM sealed_document`);
    const reset = () => sql(url, `ALTER TABLE sealed_document DISABLE TRIGGER ALL; TRUNCATE sealed_document CASCADE; ALTER TABLE sealed_document ENABLE TRIGGER ALL;
                    UPDATE agreement_execution SET document_status = 'PENDING', document_generated_at = NULL`);
    await reset();
    const executions = (await sql(url, `SELECT id FROM agreement_execution ORDER BY created_at`)).map((r) => r.id);
    const { generateDevSealCertificate } = require('@pcn/documents/seal/dev-seal-cert');
    const sealPass = randomBytes(24).toString('hex');
    const env = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '6',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      WORKER_QUEUES: 'documents',
      // The bench adds the jobs itself; the sweeper would re-queue executions still PENDING.
      SWEEPER_INTERVAL_MS: String(24 * 3600 * 1000),
      JWT_ACCESS_SECRET: randomBytes(32).toString('hex'),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: 'http://localhost:3000',
      ...tsaEnv,
    };
    const devSeal = generateDevSealCertificate({ passphrase: sealPass });
    if (!tsaEnv.SEAL_P12_BASE64) Object.assign(env, { SEAL_P12_BASE64: devSeal.p12.toString('base64'), SEAL_P12_PASSPHRASE: sealPass });
    const trust = tsaEnv.SEAL_P12_BASE64 ? trustWithTsa : { sealCertificates: [new X509Certificate(devSeal.certificatePem).raw], tsaCertificates: [] };
    const nodeOptions = [process.env.NODE_OPTIONS || ''];
    if (OPTS.probe) {
      nodeOptions.push(`--require ${path.join(__dirname, 'memory-probe.js')}`);
      env.MEMORY_PROBE_FILE = OPTS.probe;
    }
    if (OPTS.capture) {
      fs.mkdirSync(OPTS.capture, { recursive: true });
      nodeOptions.push(`--require ${path.join(__dirname, 'capture-render-requests.js')}`);
      env.CAPTURE_RENDER_REQUESTS_DIR = OPTS.capture;
    }
    env.NODE_OPTIONS = nodeOptions.join(' ').trim();
    const logFile = path.join(os.tmpdir(), `${clone}-worker.log`);
    worker = spawn(process.execPath, [...OPTS.nodeArgs, ...(OPTS.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${OPTS.cpuProf}`] : []), '-r', './scripts/ts-register.js', 'apps/worker/src/main.ts'], { cwd: OPTS.root, env, stdio: ['ignore', fs.openSync(logFile, 'w'), fs.openSync(logFile, 'a')] });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await waitFor(async () => {
      if (worker.exitCode !== null) throw new Error(`the worker exited while starting; see ${logFile}`);
      return (await redis.keys(`${prefix}:documents:*`)).length > 0 || (await redis.client('LIST')).includes(`${prefix}`);
    }, 'the worker to start');
    // Let start-up (compilation, module loading) finish before the idle reading.
    await new Promise((r) => setTimeout(r, 3000));
    const idle = readProc(worker.pid);

    let peakRss = idle.rss;
    const samples = [];
    const timer = setInterval(() => {
      const p = readProc(worker.pid);
      if (!p) return;
      peakRss = Math.max(peakRss, p.rss);
      samples.push({ t: Date.now(), rss: p.rss });
    }, 100);
    const queue = new Queue('documents', { connection: redis, prefix });
    // One connection for the whole wait (max_connections is shared with other work on this machine).
    const poller = new Client({ connectionString: url });
    await poller.connect();
    const t0 = Date.now();
    const cpu0 = readProc(worker.pid).cpu;
    let stored = 0;
    let lastRound = 0;
    for (let round = 1; round <= OPTS.rounds; round++) {
      // Later rounds render the same executions again in the same worker process (is memory bounded?).
      if (round > 1) await reset();
      await queue.addBulk(executions.map((executionId) => ({
        name: 'documents.generate',
        data: { executionId },
        opts: { jobId: randomUUID(), attempts: 5, backoff: { type: 'exponential', delay: 2000 } },
      })));
      await waitFor(async () => {
        const [row] = (await poller.query(`SELECT (SELECT count(*)::int FROM agreement_execution WHERE document_status = 'GENERATED') AS done, (SELECT count(*)::int FROM sealed_document) AS stored`)).rows;
        if (row.done !== executions.length) return false;
        lastRound = row.stored;
        stored += row.stored;
        return true;
      }, 'every execution to be GENERATED', 30 * 60_000, 500);
      const p = readProc(worker.pid);
      log(`  round ${round}: ${stored} parts so far, RSS ${MB(p.rss)} MB, peak ${MB(Math.max(peakRss, p.hwm))} MB`);
    }
    const wall = (Date.now() - t0) / 1000;
    const end = readProc(worker.pid);
    clearInterval(timer);
    await poller.end();
    const failed = await queue.getJobCountByTypes('failed');
    await queue.close();

    // pdfsig, qpdf and our verifier on 10 parts from the middle of the last round.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dwbench-'));
    const sample = await sql(url, `SELECT reference, bytes FROM sealed_document ORDER BY reference LIMIT 10 OFFSET $1`, [Math.max(0, Math.floor(lastRound / 2) - 5)]);
    let valid = 0;
    let qpdfClean = 0;
    let authentic = 0;
    for (const doc of sample) {
      const file = path.join(dir, `${doc.reference}.pdf`);
      fs.writeFileSync(file, doc.bytes);
      const sig = (() => { try { return execFileSync('pdfsig', [file], { encoding: 'utf8' }); } catch (e) { return `${e.stdout}`; } })();
      // The seal is signature #1; pdfsig cannot validate a document timestamp (B-LTA's #2), only flag it broken.
      const [seal] = sig.split(/Signature #\d+:/).slice(1);
      if (seal && seal.includes('Signature is Valid.') && !/Digest Mismatch|Signature is Invalid/.test(sig)) valid += 1;
      if ((await verifySealedPdf(doc.bytes, trust)).verdict === 'AUTHENTIC') authentic += 1;
      try {
        execFileSync('qpdf', ['--check', file], { stdio: 'ignore' });
        qpdfClean += 1;
      } catch {
        // counted as not clean
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });

    worker.kill('SIGTERM');
    await exited;
    worker = null;
    return {
      executions: executions.length,
      rounds: OPTS.rounds,
      parts: stored,
      expectedParts: parts * OPTS.rounds,
      failed,
      wall,
      cpuPerPart: (end.cpu - cpu0) / stored,
      cpu: end.cpu - cpu0,
      idleRss: idle.rss,
      peakRss: Math.max(peakRss, end.hwm),
      samples,
      checked: sample.length,
      valid,
      qpdfClean,
      authentic,
      load: os.loadavg().map((x) => x.toFixed(1)).join(' '),
    };
  } finally {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    if (OPTS.keep) log(`kept ${clone} (--keep)`);
    else await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${clone}" WITH (FORCE)`);
  }
}

/** What the verifier trusts in a --tsa run: the test seal CA's seal and the test TSA CA. */
let trustWithTsa = null;

async function startTsa() {
  const { startTestTsa } = require('../../test/support/test-tsa');
  const tsa = await startTestTsa();
  const p = tsa.pki;
  // The seal from the test seal CA, so the DSS holds a chain (as in bench/pdf/pades-lta.bench.js),
  // exported again with a passphrase long enough for NODE_ENV=production.
  const passphrase = randomBytes(24).toString('hex');
  const p12 = path.join(p.dir, 'bench-seal.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', p.seal.keyPath, '-in', p.seal.pemPath, '-certfile', p.sealCa.pemPath,
    '-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256', '-passout', `pass:${passphrase}`, '-out', p12]);
  trustWithTsa = { sealCertificates: [p.seal.der], tsaCertificates: [p.tsaCa.der] };
  return { tsa, env: { ...tsa.env, SEAL_P12_BASE64: fs.readFileSync(p12).toString('base64'), SEAL_P12_PASSPHRASE: passphrase, SEAL_CHAIN_CERTIFICATES: p.sealCa.pemPath } };
}

const MB = (b) => (b / 1048576).toFixed(1);

async function main() {
  const loadAtStart = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const tsa = OPTS.tsa ? await startTsa() : null;
  const results = [];
  try {
    for (let run = 1; run <= OPTS.runs; run++) {
      const r = await oneRun(run, tsa ? tsa.env : {});
      results.push(r);
      log(`${OPTS.label} run ${run}: ${r.executions} executions, ${r.parts} parts (source had ${r.expectedParts}), failed jobs ${r.failed}; wall ${r.wall.toFixed(1)} s; worker CPU ${r.cpu.toFixed(1)} s = ${r.cpuPerPart.toFixed(3)} s per part; RSS idle ${MB(r.idleRss)} MB, peak ${MB(r.peakRss)} MB; pdfsig valid ${r.valid}/${r.checked}, qpdf --check clean ${r.qpdfClean}/${r.checked}, verifier authentic ${r.authentic}/${r.checked}; load ${r.load}`);
      const rssEvery = r.samples.filter((_, i) => i % Math.max(1, Math.floor(r.samples.length / 12)) === 0).map((s) => MB(s.rss)).join(' ');
      log(`  RSS (MB) through the run: ${rssEvery}`);
    }
  } finally {
    if (tsa) await tsa.tsa.close();
  }
  const out = { label: OPTS.label, root: OPTS.root, source: OPTS.source, tsa: OPTS.tsa, loadAtStart, loadAtEnd: os.loadavg().map((x) => x.toFixed(1)).join(' '), runs: results.map((r) => ({ ...r, samples: undefined })) };
  if (OPTS.write) fs.appendFileSync(path.join(os.tmpdir(), 'documents-worker-bench.jsonl'), `${JSON.stringify(out)}\n`);
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
