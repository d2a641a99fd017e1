#!/usr/bin/env node
// Audit-chain verification speed on the large-data database (bench/large-data/load.js):
//
//   node bench/large-data/verify-chain.bench.js [--database-url postgres://postgres@127.0.0.1:5432/pcn_large]
//     [--chain <agreement id>] [--before-max-events 1000000] [--wait-for-load 4 --wait-minutes 10] [--no-write]
//
// Measures, in one session, events per second of:
//   - after: `verifyAuditChain` (streamed COPY pages, checked from the text bytes) over every
//     chain, and over one large chain (--chain, default: the loader's long chain, the first with seq > 1000);
//   - read only: the same COPY pages cut into lines with no checking (how fast PostgreSQL and
//     the reading alone go: the ceiling for the verification);
//   - before, string rows: the first streamed implementation (COPY rows turned into strings, the
//     payload parsed, bench/large-data/keyset-verify.ts), over the same walks;
//   - before, keyset: the implementation before streaming (TypeORM keyset pages of 1000 entities)
//     over the large chain, and over every chain stopped after --before-max-events events (it
//     needs minutes per 10 million).
// --wait-for-load L first waits (at most --wait-minutes) for a 1-minute load average below L, as
// other benchmarks on this shared machine do. Prints the figures, load average and peak RSS (sampled every 100 ms; a streamed walk must
// not grow with the number of events), and writes the "## Large data: audit chain
// verification" section of docs/benchmarks.md unless --no-write.
'use strict';
require('../../scripts/ts-register');
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function parseArgs(argv) {
  const opts = { databaseUrl: 'postgres://postgres@127.0.0.1:5432/pcn_large', parallelEvents: 2_000_000, chain: null, beforeMaxEvents: 1_000_000, waitForLoad: null, waitMinutes: 10, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--database-url') opts.databaseUrl = argv[++i];
    else if (a === '--chain') opts.chain = argv[++i];
    else if (a === '--before-max-events') opts.beforeMaxEvents = Number(argv[++i]);
    else if (a === '--wait-for-load') opts.waitForLoad = Number(argv[++i]);
    else if (a === '--wait-minutes') opts.waitMinutes = Number(argv[++i]);
    else if (a === '--no-write') opts.write = false;
    else if (a === '--parallel-events') opts.parallelEvents = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

/** CPU seconds (user + system) used so far by each PostgreSQL backend connected to this database. */
async function backendCpu(ds) {
  const rows = await ds.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = $1', ['client backend']);
  const out = new Map();
  for (const { pid } of rows) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / TICK);
    } catch {
      // not on this machine, or gone
    }
  }
  return out;
}

/**
 * Runs fn, timing it and sampling this process's RSS. Also the CPU time this process and the
 * database's backends used per event: unlike the wall clock, it hardly moves with the load other
 * processes put on the machine, and says what each side costs.
 */
async function measure(ds, label, fn) {
  const pgBefore = await backendCpu(ds);
  const cpuBefore = process.cpuUsage();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const loadBefore = load();
  const started = process.hrtime.bigint();
  try {
    const result = await fn();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const pgAfter = await backendCpu(ds);
    let pgSeconds = 0;
    for (const [pid, before] of pgBefore) if (pgAfter.has(pid)) pgSeconds += pgAfter.get(pid) - before;
    const events = result.eventsChecked;
    const row = {
      label, events, seconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(events / seconds), peakRssMiB: Math.round(peak / 1048576), loadBefore, loadAfter: load(), result,
      nodeMicros: (((cpu.user + cpu.system) / events) || 0).toFixed(2), pgMicros: ((pgSeconds * 1e6) / events || 0).toFixed(2),
    };
    console.log(`${label}: ${events} events in ${row.seconds} s = ${row.eventsPerSecond} events/s; CPU per event: node ${row.nodeMicros} µs, PostgreSQL ${row.pgMicros} µs; peak RSS ${row.peakRssMiB} MiB; load ${loadBefore} -> ${row.loadAfter}; ok=${result.ok}`);
    return row;
  } finally {
    clearInterval(timer);
  }
}

function upsertSection(file, heading, body) {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  const section = `${heading}\n\n${body.trim()}\n`;
  if (start === -1) return fs.writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
  const next = text.indexOf('\n## ', start + heading.length + 1);
  fs.writeFileSync(file, `${text.slice(0, start + 1)}${section}${next === -1 ? '' : `\n${text.slice(next + 1)}`}`);
}

/**
 * Child mode (`--child-walk <url> <where> <limit>`): checks one COPY of the events matching
 * `where` (at most `limit`) on its own connection and prints {events, cpuMicros}. The
 * parallel experiment runs two of these at once, or one after the other.
 */
async function childWalk(url, where, limit) {
  const { Client } = require('pg');
  const { to } = require('pg-copy-streams');
  const { AuditChainChecker, CHECK_COLUMNS } = require('@pcn/audit/audit-chain-check');
  const client = new Client({ connectionString: url });
  await client.connect();
  const checker = new AuditChainChecker();
  const cpuBefore = process.cpuUsage();
  let rest = null;
  for await (const chunk of client.query(to(`COPY (SELECT ${CHECK_COLUMNS.select} FROM audit_event WHERE ${where} ORDER BY chain_key, seq LIMIT ${limit}) TO STDOUT`))) {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      checker.line(buf, start, nl);
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : null;
  }
  await client.end();
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(JSON.stringify({ events: checker.eventsChecked, broken: checker.firstBroken ?? null, cpuMicros: cpu.user + cpu.system }));
}

/** Two halves of the key space (the loader's chain keys are uuids, and 'platform'), walked by two processes at once or one after the other. */
async function parallelExperiment(opts, together) {
  const { execFile } = require('node:child_process');
  const half = Math.floor(opts.parallelEvents / 2);
  const walk = (where) =>
    new Promise((resolve, reject) =>
      execFile(process.execPath, [__filename, '--child-walk', opts.databaseUrl, where, String(half)], { maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout)))),
    );
  const ranges = [`chain_key < '8'`, `chain_key >= '8'`];
  const results = together ? await Promise.all(ranges.map(walk)) : [await walk(ranges[0]), await walk(ranges[1])];
  const events = results.reduce((n, r) => n + r.events, 0);
  return { ok: results.every((r) => r.broken === null), eventsChecked: events, childNodeMicros: (results.reduce((n, r) => n + r.cpuMicros, 0) / events).toFixed(2) };
}

async function main() {
  if (process.argv[2] === '--child-walk') return childWalk(process.argv[3], process.argv[4], Number(process.argv[5]));
  const opts = parseArgs(process.argv.slice(2));
  const { DataSource } = require('typeorm');
  const { dataSourceOptions } = require('@pcn/database');
  const { AUDIT_ENTITIES, verifyAuditChain } = require('@pcn/audit');
  const { streamAuditLines } = require('@pcn/audit/audit-chain-stream');
  const { CHECK_COLUMNS } = require('@pcn/audit/audit-chain-check');
  const { verifyWithKeysetPages, verifyWithRowStrings } = require('./keyset-verify.ts');

  const ds = await new DataSource({ ...dataSourceOptions(opts.databaseUrl, AUDIT_ENTITIES, 2), logging: false }).initialize();
  try {
    const [{ total }] = await ds.query('SELECT count(*)::bigint AS total FROM audit_event');
    const chain = opts.chain ?? (await ds.query('SELECT chain_key FROM audit_event WHERE seq > 1000 LIMIT 1'))[0]?.chain_key;
    if (!chain) throw new Error('no chain longer than 1000 events: pass --chain');
    const [{ n: chainLength }] = await ds.query('SELECT count(*)::int AS n FROM audit_event WHERE chain_key = $1', [chain]);
    console.log(`${total} audit events; large chain ${chain} (${chainLength} events); load ${load()}`);

    if (opts.waitForLoad !== null) {
      const until = Date.now() + opts.waitMinutes * 60_000;
      while (os.loadavg()[0] >= opts.waitForLoad && Date.now() < until) await new Promise((r) => setTimeout(r, 5000));
      console.log(`waited for load: ${load()}`);
    }
    // Warm the caches the same way for everyone: one streamed read of every row first.
    const readAll = () => {
      let n = 0;
      return streamAuditLines(ds.manager, CHECK_COLUMNS, () => (n++, true)).then(() => ({ ok: true, eventsChecked: n }));
    };
    await readAll();

    const rows = [];
    rows.push(await measure(ds, 'after, one large chain', () => verifyAuditChain(ds.manager, chain)));
    rows.push(await measure(ds, 'before (string rows), one large chain', () => verifyWithRowStrings(ds.manager, chain)));
    rows.push(await measure(ds, 'before (keyset), one large chain', () => verifyWithKeysetPages(ds.manager, chain)));
    rows.push(await measure(ds, 'read only (COPY pages cut into lines, no checking), every chain', readAll));
    rows.push(await measure(ds, 'after, every chain', () => verifyAuditChain(ds.manager)));
    rows.push(await measure(ds, 'before (string rows), every chain', () => verifyWithRowStrings(ds.manager)));
    rows.push(await measure(ds, `before (keyset), every chain (first ${opts.beforeMaxEvents} events)`, () => verifyWithKeysetPages(ds.manager, undefined, opts.beforeMaxEvents)));
    const oneByOne = await measure(ds, `two halves one after the other (two processes), first ${opts.parallelEvents} events`, () => parallelExperiment(opts, false));
    const together = await measure(ds, `two halves at once (two processes), first ${opts.parallelEvents} events`, () => parallelExperiment(opts, true));
    rows.push(oneByOne, together);
    const [afterChain, stringsChain, keysetChain, readOnly, afterAll, stringsAll, keysetAll] = rows;
    for (const r of [afterChain, afterAll, stringsChain, stringsAll]) if (!r.result.ok) throw new Error(`${r.label}: chain broken: ${JSON.stringify(r.result.firstBroken)}`);

    const date = new Date().toISOString().slice(0, 10);
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const command = `node bench/large-data/verify-chain.bench.js${opts.databaseUrl.endsWith('/pcn_large') ? '' : ` --database-url ${opts.databaseUrl}`}${opts.chain ? ` --chain ${opts.chain}` : ''}${opts.beforeMaxEvents !== 1_000_000 ? ` --before-max-events ${opts.beforeMaxEvents}` : ''}`;
    const fmt = (n) => n.toLocaleString('en-GB');
    const body = `
Command: \`${command}\`. Date: ${date}. Database: \`pcn_large\` as \`bench/large-data/load.js\` fills it (${fmt(Number(total))} audit events, ${fmt(afterAll.result.chains)} chains).
Machine: nproc ${os.cpus().length}, ${cpu}, Node ${process.version}; load average (1 / 5 / 15 min) ${rows[0].loadBefore} at the start and ${rows[rows.length - 1].loadAfter} at the end (a shared machine: compare the ratios, measured in the same run).

| Walk | events | seconds | events/s | ratio to string rows | ratio to keyset | CPU µs/event: Node | CPU µs/event: PostgreSQL | peak RSS |
|---|---|---|---|---|---|---|---|---|
${[
  [`\`verifyAuditChain\`, every chain (COPY pages checked as bytes)`, afterAll, stringsAll, keysetAll],
  ['before: COPY pages as string rows, every chain', stringsAll, stringsAll, keysetAll],
  [`before: TypeORM keyset pages, every chain, first ${fmt(keysetAll.events)} events`, keysetAll, null, keysetAll],
  [`\`verifyAuditChain\`, one chain of ${fmt(chainLength)} events`, afterChain, stringsChain, keysetChain],
  ['before: COPY pages as string rows, the same chain', stringsChain, stringsChain, keysetChain],
  ['before: TypeORM keyset pages, the same chain', keysetChain, null, keysetChain],
  ['read only: the same COPY pages cut into lines, no checking, every chain', readOnly, null, null],
]
  .map(([what, r, strings, keyset]) => `| ${what} | ${fmt(r.events)} | ${r.seconds} | ${r === afterAll || r === afterChain ? `**${fmt(r.eventsPerSecond)}**` : fmt(r.eventsPerSecond)} | ${strings ? (r.eventsPerSecond / strings.eventsPerSecond).toFixed(1) : ''} | ${keyset ? (r.eventsPerSecond / keyset.eventsPerSecond).toFixed(1) : ''} | ${r.nodeMicros} | ${r.pgMicros} | ${r.peakRssMiB} MiB |`)
  .join('\n')}

Load average (1 min) before → after each walk: ${rows.map((r) => `${r.label} ${r.loadBefore.split(' / ')[0]} → ${r.loadAfter.split(' / ')[0]}`).join('; ')}.
All walks ran after one warm-up read of every row (so all found the table in the page cache), in the order of the load line above.
How it works: \`COPY (SELECT … ORDER BY chain_key, seq LIMIT 50000) TO STDOUT\` pages, keyset on (chain_key, seq), so PostgreSQL walks the unique index and only one network chunk is in memory (\`libs/audit/src/audit-chain-stream.ts\`). The columns are selected in the order the hashed JSON lists its members, so one pass over each line's bytes (\`libs/audit/src/audit-chain-check.ts\`) copies it into a reused buffer as that JSON: text columns between quotes, the payload's jsonb text rewritten canonically in place (spaces dropped, members sorted), occurred_at as the plain timestamp text (\`occurred_at AT TIME ZONE 'UTC'\`, which costs PostgreSQL about a third of what \`to_char\` did) turned into \`toISOString()\` form; SHA-256 is one \`crypto.hash\` call on that buffer, and chain links are compared as bytes. No string is made per row. A row with anything JSON would escape (a quote, backslash or control character), a non-ASCII payload key or a payload number other than a plain integer goes through the string path of the previous version instead; the hashed bytes are \`hashAuditEvent\`'s either way (unit tests on varied and generated payloads compare every recomputed hash with \`hashAuditEvent\`), and this run re-verified every hash the loader wrote with \`hashAuditEvent\`. The "read only" row is the ceiling for this way of reading.
Parallel verification (issue 11 asked whether disjoint key ranges verified at once help on 2 cores): not built into \`verifyAuditChain\`. Measured here with a prototype instead: two child processes, each checking the first ${fmt(together.events / 2)} events of one half of the key space (\`chain_key < '8'\`, \`chain_key >= '8'\`) on its own connection, one after the other: ${fmt(oneByOne.eventsPerSecond)} events/s (load ${oneByOne.loadBefore.split(' / ')[0]} → ${oneByOne.loadAfter.split(' / ')[0]}); at once: ${fmt(together.eventsPerSecond)} events/s (load ${together.loadBefore.split(' / ')[0]} → ${together.loadAfter.split(' / ')[0]}), ${(together.eventsPerSecond / oneByOne.eventsPerSecond).toFixed(2)} times; Node CPU per event in the children (start-up included) ${oneByOne.result.childNodeMicros} µs one after the other, ${together.result.childNodeMicros} µs at once. With Node at ${afterAll.nodeMicros} µs and PostgreSQL at ${afterAll.pgMicros} µs per event, one walk already keeps about ${((Number(afterAll.nodeMicros) + Number(afterAll.pgMicros)) / Number(afterAll.nodeMicros)).toFixed(1)} cores busy when it has them, so on 2 idle cores two walks could add at most ${Math.round(((Number(afterAll.nodeMicros) + Number(afterAll.pgMicros)) / 2 / Number(afterAll.nodeMicros)) ** -1 * 100 - 100)} %; on a shared, loaded machine they mostly win a bigger share of the CPU from other work.
Target ≥ 200,000 events/s: **${afterAll.eventsPerSecond >= 200_000 ? 'met' : 'not met'} in this run** (every chain: ${fmt(afterAll.eventsPerSecond)} events/s at a 1-minute load of ${afterAll.loadBefore.split(' / ')[0]} → ${afterAll.loadAfter.split(' / ')[0]} on 2 cores). The CPU time per event, which the load hardly changes, says what each side can do with a core to itself: Node ${afterAll.nodeMicros} µs → ${fmt(Math.round(1e6 / Number(afterAll.nodeMicros)))} events/s, PostgreSQL ${afterAll.pgMicros} µs → ${fmt(Math.round(1e6 / Number(afterAll.pgMicros)))} events/s; the walk runs at the slower of the two when each has a core, and at its share of the machine otherwise. Against the string rows in the same run: Node CPU per event ${stringsAll.nodeMicros} → ${afterAll.nodeMicros} µs, PostgreSQL ${stringsAll.pgMicros} → ${afterAll.pgMicros} µs.
`;
    console.log(body);
    if (opts.write) {
      upsertSection(path.join(__dirname, '../../docs/benchmarks.md'), '## Large data: audit chain verification', body);
      console.log('wrote docs/benchmarks.md');
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
