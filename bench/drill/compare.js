#!/usr/bin/env node
// Compares drill runs from their result files (`npm run drill -- … --result x.json`):
//
//   node bench/drill/compare.js baseline.json scaled.json [baseline2.json scaled2.json …]
//
// Prints one Markdown table, a column per run and, for each pair (baseline, scaled) in the
// order given, the ratio scaled / baseline. "Faster" ratios are above 1 for rates and below 1
// for times. CPU is in cores: CPU seconds of the processes of a kind over the phase's seconds.
'use strict';
const fs = require('node:fs');

const files = process.argv.slice(2);
if (files.length < 2 || files.length % 2) {
  console.error('usage: node bench/drill/compare.js baseline.json scaled.json [baseline2.json scaled2.json …]');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));

const phase = (r, name) => r.phases.find((p) => p.phase.startsWith(name));
const cores = (r, name, is) => {
  const p = phase(r, name);
  return p ? Object.entries(p.cpu).reduce((t, [g, c]) => t + (is(g) ? c : 0), 0) / p.seconds : NaN;
};
const isApi = (g) => /^api(-\d+)?$/.test(g);
const isDocuments = (g) => /^worker-documents(-\d+)?$/.test(g);
const isPostgres = (g) => g.startsWith('postgres');
/** CPU seconds of the processes of a kind over the phases whose names start with one of `names`. */
const cpuSeconds = (r, names, is) => r.phases.filter((p) => names.some((n) => p.phase.startsWith(n))).reduce((t, p) => t + Object.entries(p.cpu).reduce((u, [g, c]) => u + (is(g) ? c : 0), 0), 0);
const renewal = (r) => r.phases.filter((p) => !['directory', 'login'].includes(p.phase) && !p.phase.startsWith('emails')).reduce((t, p) => t + p.seconds, 0);
const sessionsIn = (list, what) => (list || []).filter((x) => x.what === what).reduce((t, x) => t + x.sessions, 0);

// [label, value(run), decimals]
const ROWS = [
  ['processes (API / documents / notifications)', (r) => `${r.opts.apiProcesses ?? 1} / ${r.opts.documentsWorkers ?? 1} / ${r.opts.notificationWorkers ?? 1}`],
  ['code (commit + uncommitted diff; content of apps/ and libs/)', (r) => (r.code ? `${r.code.commit}${r.code.diffSha ? ` + ${r.code.diffSha}` : ''}${r.code.sourceSha ? `; ${r.code.sourceSha}` : ''}` : 'n/a')],
  ['load average before', (r) => r.loadBefore],
  ['sign-in phase, s', (r) => phase(r, 'login').seconds, 1],
  ['draft phase, s', (r) => phase(r, 'draft').seconds, 1],
  ['submit phase, s', (r) => phase(r, 'submit').seconds, 1],
  ['approval phase, s', (r) => r.approveSeconds, 1],
  ['approvals/s', (r) => r.approvalsPerSecond, 1],
  ['approval call latency p50, ms', (r) => r.latency.p50, 0],
  ['approval call latency p95, ms', (r) => r.latency.p95, 0],
  ['sealing after the last approval, s', (r) => phase(r, 'seal').seconds, 1],
  ['last approval → all parts sealed p95, ms', (r) => r.toSealed.p95, 0],
  ['renewal time (draft → all sealed), s', renewal, 1],
  ['last part sealed → every email settled, s', (r) => r.emailsAfterSealSeconds ?? NaN, 1],
  ['API cores, approval phase', (r) => cores(r, 'approve', isApi), 2],
  ['documents cores, approval phase', (r) => cores(r, 'approve', isDocuments), 2],
  ['documents cores, sealing phase', (r) => cores(r, 'seal', isDocuments), 2],
  // The cost of the work, whatever share of the machine the run got: more processes that add no
  // overhead keep these ratios at 1.
  ['API CPU per approved request, ms', (r) => (cpuSeconds(r, ['approve'], isApi) * 1000) / r.approved, 2],
  ['documents CPU per sealed part, s', (r) => cpuSeconds(r, ['approve', 'seal'], isDocuments) / r.parts, 3],
  ['PostgreSQL CPU per approved request, ms', (r) => (cpuSeconds(r, ['approve'], isPostgres) * 1000) / r.approved, 2],
  ["all the run's processes: CPU per approved request, ms", (r) => (cpuSeconds(r, ['approve'], () => true) * 1000) / r.approved, 2],
  ["the run's share of the busy machine, approval phase", (r) => cpuSeconds(r, ['approve'], () => true) / phase(r, 'approve').machineBusy, 2],
  ["the run's share of the busy machine, sealing phase", (r) => cpuSeconds(r, ['seal'], () => true) / phase(r, 'seal').machineBusy, 2],
  ['PostgreSQL cores, approval phase', (r) => cores(r, 'approve', isPostgres), 2],
  ['machine busy, approval phase (cores)', (r) => phase(r, 'approve').machineBusy / phase(r, 'approve').seconds, 2],
  ['machine busy, sealing phase (cores)', (r) => phase(r, 'seal').machineBusy / phase(r, 'seal').seconds, 2],
  ['sessions idle in transaction, approval phase', (r) => sessionsIn(r.sessionsApprove, 'idle in transaction'), 1],
  ['sessions waiting on Lock:advisory, approval phase', (r) => sessionsIn(r.sessionsApprove, 'Lock:advisory'), 1],
  ['end checks', (r) => (r.checks.every((c) => c.ok) ? `${r.checks.length}/${r.checks.length} PASS` : `FAIL: ${r.checks.filter((c) => !c.ok).map((c) => c.name).join('; ')}`)],
];

const show = (v, d) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(d) : 'n/a') : String(v));
const header = ['figure'];
for (let i = 0; i < runs.length; i += 2) header.push(`run ${i + 1}: ${runs[i].date}`, `run ${i + 2}: ${runs[i + 1].date}`, `ratio ${i + 2} / ${i + 1}`);
const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
for (const [label, value, d] of ROWS) {
  const cells = [label];
  for (let i = 0; i < runs.length; i += 2) {
    const a = value(runs[i]);
    const b = value(runs[i + 1]);
    cells.push(show(a, d), show(b, d), typeof a === 'number' && typeof b === 'number' && a ? (b / a).toFixed(2) : '');
  }
  lines.push(`| ${cells.join(' | ')} |`);
}
console.log(`Commands:\n${runs.map((r, i) => `  run ${i + 1}: ${r.command}`).join('\n')}\n`);
console.log(lines.join('\n'));
