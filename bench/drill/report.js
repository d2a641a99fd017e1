// Formats one drill run and appends it to the "## National renewal drill" section of
// docs/benchmarks.md (the section is created with its description on the first run).
'use strict';
const fs = require('node:fs');

const HEADING = '## National renewal drill';
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a');

const INTRO = `${HEADING}

\`npm run drill\` (\`bench/drill/national-drill.js\`; size \`--pcns N\`, default the national 1,250 PCNs in \`--icbs 42\` ICBs): a fresh database and Redis prefix, the real API and workers started from source against it, an in-process SMTP test server. By default one API process, one documents worker (\`WORKER_QUEUES=documents\`) and one notifications/schedules worker; \`--api-processes N\`, \`--documents-workers M\` and \`--notification-workers K\` run more of each against the same PostgreSQL and Redis (the drill sends its calls to the API processes in turn, call by call). Pools are per process, \`--api-pool\` (default 40 / N, so 40 API sessions in all) and \`--worker-pool\` (default 6, plus the relay's LISTEN connection), and their sum is checked against \`max_connections\` before anything starts; each run prints them, and the commit it ran with the uncommitted files under apps/ and libs/. Each PCN has 3–8 practices (70 % partnerships of 2–10 partners, 30 % of them authorising one partner to sign; 15 % companies of 1–2 directors; 15 % sole traders), and its agreement 0–3 data-sharing annexes (40 % with the ICB's community trust as joint controller, 25 % with a VCSE as joint controller, whose lead is its signatory, DPO and Caldicott Guardian); each ICB has one shared DPO service for its practices. The directory is created through \`DirectoryService\` in the drill's process; accounts are inserted in SQL with one argon2id hash of the cheapest cost (1 MiB, 1 pass), so every person still signs in through \`POST /api/v1/auth/login\` and the server verifies a real argon2 hash in about a millisecond instead of the production cost's ~1 s. Drafting (\`POST /pcns/:id/agreements\`), submitting (\`POST /agreements/:id/submit\`, default reminders, the clinical director countersigns) and every approval go through the HTTP API; approvals run step by step per agreement with \`--clients\` calls in flight across the country and at most \`--per-round\` (default 1) in any one round (approvals of one round serialise on its row lock; runs before 14:40 on 2026-12-01 had no such limit, so clients queued on the same rounds), and a person with several requests in one step (the shared DPO, a partner signing the agreement and its annexes) uses \`POST /requests/approve\`. "Approvals/s" counts signature requests approved per second of the approval phase; latency is per HTTP call (a batch call is one). "Last approval → all parts sealed" is per agreement, from the response to its last approval to the newest \`sealed_document.created_at\` of its execution. End checks (the run exits non-zero if one fails): every agreement executed exactly once; exactly one sealed document per part (agreement + each annex); 50 random parts valid in \`pdfsig\`; \`audit:verify\` over every chain; \`jobs:failed\` empty; no email sent twice (\`sent_email\` rows with more than one attempt, and Message-IDs received more than once at the SMTP server, which must equal the SENT rows); no event enqueued twice (two outbox rows with the same queue, job and payload, and one \`documents.generate\` per execution); no process stopped on its own. All are checked in the shared database and SMTP server, so they cover every process of a run.
`;

const sessions = (list) => (list && list.length ? list.map((x) => `${x.what} ${x.sessions.toFixed(1)}`).join(', ') : 'not sampled');
/** Per process: its average session count, then its three commonest states. */
const sessionsByProcess = (byProcess) =>
  Object.entries(byProcess || {})
    .map(([app, list]) => `${app} ${list.reduce((t, x) => t + x.sessions, 0).toFixed(1)} (${list.slice(0, 3).map((x) => `${x.what} ${x.sessions.toFixed(1)}`).join(', ')})`)
    .join('; ');
// Documents are made only once agreements execute, i.e. from the approval phase on.
const documentsPhases = (r) => r.phases.filter((p) => /^(approve|seal)/.test(p.phase));
const isDocuments = (group) => /^worker-documents(-\d+)?$/.test(group);
const documentsCpu = (r) => documentsPhases(r).reduce((t, p) => t + Object.entries(p.cpu).reduce((u, [g, c]) => u + (isDocuments(g) ? c : 0), 0), 0);
/** Documents CPU seconds per documents worker: how evenly the processes shared the sealing. */
const documentsShare = (r) => {
  const by = {};
  for (const p of documentsPhases(r)) for (const [g, c] of Object.entries(p.cpu)) if (isDocuments(g)) by[g] = (by[g] || 0) + c;
  return Object.entries(by).map(([g, c]) => `${g} ${c.toFixed(1)} s`).join(', ');
};
// Several processes of a kind also get a column with their sum.
const KINDS = [
  ['all API', (g) => /^api-\d+$/.test(g)],
  ['all documents workers', (g) => /^worker-documents-\d+$/.test(g)],
  ['all notifications workers', (g) => /^worker-notifications-\d+$/.test(g)],
];
const processLine = (r) => {
  const o = r.opts;
  if (!o.apiProcesses) return `API pool ${o.apiPool}`;
  const c = r.connections;
  return `${o.apiProcesses} API process${o.apiProcesses > 1 ? 'es' : ''} (pool ${o.apiPool}${o.apiProcesses > 1 ? ' each; the drill sends its calls to them in turn' : ''}), ${o.documentsWorkers} documents worker${o.documentsWorkers > 1 ? 's' : ''} and ${o.notificationWorkers} notifications/schedules worker${o.notificationWorkers > 1 ? 's' : ''} (pool ${o.workerPool} + 1 LISTEN each); ${c.total} connections planned (API ${c.api}, workers ${c.workers}, drill ${c.drill}) of max_connections ${c.max} (${c.reserved} reserved, ${c.others} open by others at the start)${o.cpuShares ? `; CPU shares: ${o.cpuShares === 'deployment' ? 'as deployed (notifications worker at nice 6, the rest at 0)' : 'equal'}; V8 old space: documents workers ${o.documentsHeapMb ? `${o.documentsHeapMb} MB` : "V8's default"}${o.heapMb === undefined ? '' : `, API and notifications workers ${o.heapMb ? `${o.heapMb} MB` : "V8's default"}`}` : ''}`;
};
const codeLine = (r) => {
  if (!r.code) return '';
  const changed = r.code.changed.length ? ` plus uncommitted changes in ${r.code.changed.length} file${r.code.changed.length > 1 ? 's' : ''} under apps/ and libs/ (diff ${r.code.diffSha}: ${r.code.changed.slice(0, 6).map((f) => `\`${f}\``).join(', ')}${r.code.changed.length > 6 ? ` and ${r.code.changed.length - 6} more` : ''})` : ', no uncommitted changes under apps/ and libs/';
  return ` Code: commit \`${r.code.commit}\`${changed}${r.code.sourceSha ? `; apps/ and libs/ content ${r.code.sourceSha}` : ''}.`;
};

// The renewal: draft, submit, approve and seal (not the set-up, nor the emails after the last part).
const renewalPhases = (r) => r.phases.filter((p) => !['directory', 'login'].includes(p.phase) && !p.phase.startsWith('emails'));
const renewalSeconds = (r) => renewalPhases(r).reduce((t, p) => t + p.seconds, 0);
/**
 * What the renewal cost in CPU-seconds, per column of the CPU table and for the whole machine,
 * and the least time `nproc` cores need for that work even if every phase kept them all busy:
 * how far a faster renewal has to come from less work rather than better overlap.
 */
const renewalBudget = (r, columns, cpuOf) => {
  const phases = renewalPhases(r);
  const machine = phases.reduce((t, p) => t + p.machineBusy, 0);
  const by = columns.map((g) => `${g} ${phases.reduce((t, p) => t + cpuOf(p, g), 0).toFixed(0)}`).join(', ');
  const cores = Math.max(r.nproc || 1, 1);
  return `CPU-seconds over the renewal (draft, submit, approve, seal): ${by}; the whole machine ${machine.toFixed(0)}. On ${cores} core${cores > 1 ? 's' : ''} that work needs at least ${(machine / cores).toFixed(0)} s even with every core busy throughout; the renewal took ${renewalSeconds(r).toFixed(1)} s.`;
};

function format(r) {
  const groups = [...new Set(r.phases.flatMap((p) => Object.keys(p.cpu)))];
  const sums = KINDS.filter(([, is]) => groups.filter(is).length > 1);
  const cpuGroups = [...groups, ...sums.map(([label]) => label)];
  const cpuOf = (p, g) => {
    const sum = sums.find(([label]) => label === g);
    return sum ? Object.entries(p.cpu).reduce((t, [k, c]) => t + (sum[1](k) ? c : 0), 0) : p.cpu[g] || 0;
  };
  const phaseRows = r.phases.map((p) => `| ${p.phase} | ${p.seconds.toFixed(1)} | ${cpuGroups.map((g) => (cpuOf(p, g) / p.seconds).toFixed(2)).join(' | ')} | ${(p.machineBusy / p.seconds).toFixed(2)} | ${p.load.toFixed(1)} |`);
  const calls = r.apiCalls && Object.keys(r.apiCalls).length > 1 ? `\n| API calls per process (sign-in, draft, submit, approve) | ${Object.entries(r.apiCalls).map(([k, v]) => `${k} ${v}`).join(', ')} |` : '';
  const byProcess = r.sessionsApproveByProcess ? ` By process (average sessions, then their three commonest states): approval phase ${sessionsByProcess(r.sessionsApproveByProcess)}; sealing ${sessionsByProcess(r.sessionsSealByProcess)}.` : '';
  return `### ${r.date} UTC — \`${r.command}\`

${r.opts.pcns} PCNs in ${Math.min(r.opts.icbs, r.opts.pcns)} ICBs, ${r.practices} practices, ${r.people} accounts, ${r.agreements} agreements with ${r.annexes} annexes (${r.parts} sealed parts), ${r.requests} signature requests of which ${r.approved} approved (one per signing group; the rest became not needed) in ${r.calls} calls (${r.batchCalls} batch), ${r.opts.clients} clients (at most ${r.opts.perRound ?? 'unlimited'} per round). Processes: ${processLine(r)}. Machine: ${r.nproc} cores shared with other work; load average ${r.loadBefore} before, ${r.loadAfter} after.${codeLine(r)}

| figure | value |
| --- | --- |
| total wall time (fresh database → every part sealed) | ${r.wallSeconds.toFixed(1)} s |
| renewal time (first draft → every part sealed; without directory and sign-in) | ${renewalSeconds(r).toFixed(1)} s |
| approval phase | ${r.approveSeconds.toFixed(1)} s: ${r.approvalsPerSecond.toFixed(1)} approvals/s (${r.callsPerSecond.toFixed(1)} calls/s) |
| approval call latency p50 / p95 / p99 | ${ms(r.latency.p50)} / ${ms(r.latency.p95)} / ${ms(r.latency.p99)} |
| last approval → all parts sealed p50 / p95 / max | ${ms(r.toSealed.p50)} / ${ms(r.toSealed.p95)} / ${ms(r.toSealed.max)} |
${r.emailsAfterSealSeconds === undefined ? '' : `| last part sealed → every email job settled (sent or skipped) | ${r.emailsAfterSealSeconds.toFixed(1)} s |\n`}| peak RSS | ${Object.entries(r.peakRss).map(([k, v]) => `${k} ${mb(v)}`).join(', ')} |
| PostgreSQL database size | ${mb(r.dbBytes)} (sealed PDFs ${mb(r.docBytes)}, ${mb(r.docBytes / Math.max(r.agreements, 1))} per agreement) |
| Redis | ${mb(r.redis.prefixBytes)} in ${r.redis.keys} keys under the drill's prefix; server used_memory ${mb(r.redis.usedMemory)} (shared) |
| emails | ${r.emails} |${calls}

CPU by process and phase, in cores (1.00 = one core busy for the whole phase; "machine" is everything on the machine, other helpers' work included):

| phase | seconds | ${cpuGroups.join(' | ')} | machine | load (1 min) |
| --- | --- | ${cpuGroups.map(() => '---').join(' | ')} | --- | --- |
${phaseRows.join('\n')}

${renewalBudget(r, cpuGroups, cpuOf)}

Database sessions (average count by state or wait event, sampled every ${r.sessionSampleMs ?? 200} ms): approval phase ${sessions(r.sessionsApprove)}; sealing after the last approval ${sessions(r.sessionsSeal)}.${byProcess} The documents worker${r.opts.documentsWorkers > 1 ? 's' : ''} spent ${(documentsCpu(r) / Math.max(r.parts, 1)).toFixed(2)} s of CPU per sealed part (approval and sealing phases)${r.opts.documentsWorkers > 1 ? `: ${documentsShare(r)}` : ''}.

End checks: ${r.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name} (${c.detail})`).join('; ')}.
`;
}

/** Returns the run's text; appends it to the drill section of `file` when a file is given. */
function writeDrillSection(result, file) {
  const text = format(result);
  if (!file) return text;
  let doc = fs.readFileSync(file, 'utf8');
  const start = doc.indexOf(HEADING);
  if (start < 0) {
    doc = `${doc.replace(/\s*$/, '\n')}\n${INTRO}\n${text}`;
  } else {
    const next = doc.indexOf('\n## ', start + HEADING.length);
    const end = next >= 0 ? next + 1 : doc.length;
    doc = `${doc.slice(0, end).replace(/\s*$/, '\n')}\n${text}${next >= 0 ? `\n${doc.slice(end)}` : ''}`;
  }
  fs.writeFileSync(file, doc.replace(/\s*$/, '\n'));
  return text;
}

module.exports = { writeDrillSection, INTRO };
