#!/usr/bin/env node
// PAdES B-LTA render + seal against the loopback test TSA, as a ratio to B-B in the same run.
//   node bench/pdf/pades-lta.bench.js [--runs 40] [--no-write]
// B-LTA = the B-B seal + an RFC 3161 signature timestamp + a DSS update (chains, CRLs) + a
// document timestamp update. The TSA is the loopback test TSA (test/support/test-tsa.ts), which
// builds its responses in process with pkijs: each timestamp costs an HTTP round trip on
// loopback and the TSA's RSA signature, as a nearby real TSA would, not an openssl process.
'use strict';
require('../../scripts/ts-register');
const fs = require('node:fs');
const path = require('node:path');
const { renderAndSeal } = require('@pcn/documents/seal/render-and-seal');
const { SealService } = require('@pcn/documents/seal/seal.service');
const { HttpTimestampAuthority } = require('@pcn/documents/seal/tsa-client');
const { buildDocumentModel } = require('@pcn/documents/testing/document-model.factory');
const { startTestTsa } = require('../../test/support/test-tsa');

const args = process.argv.slice(2);
const RUNS = (() => { const i = args.indexOf('--runs'); return i >= 0 ? Number(args[i + 1]) : 40; })();
const WRITE = !args.includes('--no-write');
const MODEL_OPTIONS = { practices: 10, annexes: 3, clauses: 42 };
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

const loadAverage = () => require('node:os').loadavg().map((x) => x.toFixed(1)).join(' / ');

async function main() {
  const loadAtStart = loadAverage();
  const tsa = await startTestTsa();
  const p = tsa.pki;
  const bb = SealService.fromPkcs12(p.seal.p12, p.seal.passphrase);
  const lta = SealService.fromPkcs12(p.seal.p12, p.seal.passphrase, {
    tsa: new HttpTimestampAuthority({ url: tsa.url }),
    validationData: { certificates: [p.tsaCa.der], crls: p.crls },
  });
  const model = buildDocumentModel(MODEL_OPTIONS);
  for (let i = 0; i < 5; i++) { await renderAndSeal(model, bb); await renderAndSeal(model, lta); }
  const times = { bb: [], lta: [] };
  let pages = 0;
  let sizes = {};
  for (let i = 0; i < RUNS; i++) {
    // Interleaved so both levels see the same machine state.
    let t0 = process.hrtime.bigint();
    const a = await renderAndSeal(model, bb);
    times.bb.push(ms(t0));
    t0 = process.hrtime.bigint();
    const b = await renderAndSeal(model, lta);
    times.lta.push(ms(t0));
    sizes = { bb: a.pdf.length, lta: b.pdf.length };
    pages = (a.pdf.toString('latin1').match(/\/Type \/Page\b/g) || []).length;
  }
  await tsa.close();
  const row = (k) => ({ median: pct(times[k], 50), p95: pct(times[k], 95) });
  const r = { bb: row('bb'), lta: row('lta') };
  const ratio = { median: r.lta.median / r.bb.median, p95: r.lta.p95 / r.bb.p95 };
  const f = (x) => x.toFixed(1);
  const section = [
    '## PAdES B-LTA seal (trusted time)',
    '',
    `\`node bench/pdf/pades-lta.bench.js --runs ${RUNS}\` (also run by \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${require('node:os').cpus().length} cores.`,
    `Render + seal of the same ${pages}-page agreement (${MODEL_OPTIONS.practices} practices, ${MODEL_OPTIONS.annexes} annexes), ${RUNS} runs of each level interleaved in one process,`,
    'against the loopback test TSA (test/support/test-tsa.ts: an HTTP server in the same process whose RFC 3161 responses are built with pkijs and signed with the TSA key; `openssl ts -verify` judges its tokens in libs/documents/src/seal/__tests__/test-tsa.spec.ts). B-LTA = B-B + signature timestamp + DSS (seal and TSA chains, 2 CRLs) + document timestamp.',
    '',
    '| level | median ms | p95 ms | file size |',
    '|---|---|---|---|',
    `| B-B (no TSA) | ${f(r.bb.median)} | ${f(r.bb.p95)} | ${sizes.bb} B |`,
    `| B-LTA | ${f(r.lta.median)} | ${f(r.lta.p95)} | ${sizes.lta} B |`,
    `| **ratio B-LTA / B-B** | **${ratio.median.toFixed(2)}** | **${ratio.p95.toFixed(2)}** | |`,
    '',
    `Target: ratio ≤ 1.5. ${ratio.median <= 1.5 ? 'Met' : 'Not met'} at the median in this run. Load average (1 / 5 / 15 min) ${loadAtStart} at the start and ${loadAverage()} at the end, on a machine shared with other work: single figures move with the load, the ratio is measured under the same conditions.`,
    'The TSA\'s own work (parsing the request, building and signing the token) runs in this process and is counted in B-LTA; a remote TSA instead adds its network latency twice per document.',
  ].join('\n');
  console.log(section);
  if (WRITE) {
    const file = path.resolve(__dirname, '../../docs/benchmarks.md');
    let text = fs.readFileSync(file, 'utf8');
    const heading = '## PAdES B-LTA seal (trusted time)';
    const start = text.indexOf(heading);
    if (start >= 0) {
      const next = text.indexOf('\n## ', start + heading.length);
      text = text.slice(0, start) + section + '\n\n' + (next >= 0 ? text.slice(next + 1) : '');
    } else text = `${text.replace(/\s*$/, '\n')}\n${section}\n`;
    fs.writeFileSync(file, text.replace(/\s*$/, '\n'));
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
