#!/usr/bin/env node
// CI step: `npm audit --omit=dev --audit-level=high` judged against .ci/audit-allowlist.json.
//  - advisory service reachable: a high or critical finding fails CI unless allow-listed with a
//    reason and an expiry date that has not passed; an expired entry fails CI too;
//  - advisory service unreachable (as on machines without internet): prints so clearly and
//    exits 0 — dependency risk was NOT checked in that run.
'use strict';
const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const allowlistPath = join(root, '.ci', 'audit-allowlist.json');

function loadAllowlist(today = new Date()) {
  const raw = JSON.parse(readFileSync(allowlistPath, 'utf8'));
  const problems = [];
  const active = new Map();
  for (const entry of raw.entries ?? []) {
    const label = `${entry.advisory ?? '?'} (${entry.package ?? '?'})`;
    if (!entry.advisory || !entry.package || !entry.reason || !entry.expires) problems.push(`allow-list entry ${label} needs advisory, package, reason and expires`);
    else if (!(new Date(`${entry.expires}T23:59:59Z`) >= today)) problems.push(`allow-list entry ${label} expired on ${entry.expires}: fix the dependency or renew the entry with a reason`);
    else active.set(String(entry.advisory), entry);
  }
  return { active, problems };
}

/** Advisories of high/critical severity in an `npm audit --json` report, as { advisory, package, severity, title }. */
function findings(report) {
  const out = [];
  for (const [name, vuln] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vuln.via ?? []) {
      if (typeof via !== 'object' || !['high', 'critical'].includes(via.severity)) continue;
      const advisory = String(via.url ?? via.source ?? '').replace(/^https:\/\/github\.com\/advisories\//, '');
      out.push({ advisory, package: name, severity: via.severity, title: via.title ?? '' });
    }
  }
  return out;
}

function unreachable(result, report) {
  const text = `${result.stderr ?? ''}\n${JSON.stringify(report?.error ?? '')}`;
  return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|audit endpoint returned an error|request to .* failed|network/i.test(text);
}

function main() {
  const { active, problems } = loadAllowlist();
  const result = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  let report = null;
  try {
    report = JSON.parse(result.stdout || 'null');
  } catch {
    report = null;
  }
  if (result.error || !report || report.error) {
    if (result.error?.code === 'ETIMEDOUT' || unreachable(result, report)) {
      console.log('npm audit: advisory service unreachable, not checked (dependency risk was NOT measured in this run)');
      for (const p of problems) console.log(`npm audit: ${p}`);
      return 0;
    }
    console.error(`npm audit failed: ${report?.error?.summary ?? result.stderr ?? result.error}`);
    return 1;
  }
  const open = findings(report).filter((f) => !active.has(f.advisory));
  for (const f of findings(report).filter((f) => active.has(f.advisory))) console.log(`npm audit: allowed until ${active.get(f.advisory).expires}: ${f.advisory} in ${f.package} (${active.get(f.advisory).reason})`);
  for (const f of open) console.error(`npm audit: ${f.severity} ${f.advisory} in ${f.package}: ${f.title}`);
  for (const p of problems) console.error(`npm audit: ${p}`);
  if (open.length || problems.length) return 1;
  console.log('npm audit: no high or critical advisories in production dependencies (apart from the allow-list)');
  return 0;
}

if (require.main === module) process.exit(main());
module.exports = { findings, loadAllowlist };
