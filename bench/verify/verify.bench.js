#!/usr/bin/env node
// Verification of an uploaded sealed PDF.   node bench/verify/verify.bench.js [--runs 200]
// Seals a ~30-page agreement at B-B and at B-LTA (local test TSA), then times verifySealedPdf
// (interleaved, after warm-up) against a plain SHA-256 of the same bytes. Prints a Markdown table.
'use strict';
require('../../scripts/ts-register');
const os = require('node:os');
const { createHash } = require('node:crypto');
const { renderAndSeal, SealService, HttpTimestampAuthority, verifySealedPdf } = require('@pcn/documents');
const { buildDocumentModel } = require('@pcn/documents/testing/document-model.factory');
const { startTestTsa } = require('@pcn/testing/test-tsa');

const args = process.argv.slice(2);
const i = args.indexOf('--runs');
const RUNS = i >= 0 ? Number(args[i + 1]) : 200;
const WARM_UP = 20;

const pages = (pdf) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
const ms = (ns) => Number(ns) / 1e6;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p95 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]; };

async function main() {
  const tsa = await startTestTsa();
  try {
    const model = buildDocumentModel({ practices: 12, annexes: 3, clauses: 62 });
    const bb = (await renderAndSeal(model, SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase))).pdf;
    const lta = (await renderAndSeal(model, SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase, {
      tsa: new HttpTimestampAuthority({ url: tsa.url }),
      validationData: { certificates: [tsa.pki.tsaCa.der], crls: tsa.pki.crls },
    }))).pdf;
    const trust = { sealCertificates: [tsa.pki.sealCa.der, tsa.pki.seal.der], tsaCertificates: [tsa.pki.tsaCa.der] };
    for (const [name, pdf] of [['B-B', bb], ['B-LTA', lta]]) {
      const v = await verifySealedPdf(pdf, trust);
      if (v.verdict !== 'AUTHENTIC' || v.level !== name) throw new Error(`${name}: ${v.verdict} ${v.level}: ${v.detail}`);
    }
    const t = { bb: [], lta: [], sha: [], ltaCpu: [] };
    const loadAtStart = os.loadavg().map((x) => x.toFixed(2)).join(' / ');
    for (let r = 0; r < WARM_UP + RUNS; r++) {
      // CPU time of the process during the call (microseconds, all threads): unlike the wall
      // clock it does not grow when other processes on a busy machine take the cores.
      const cpu = process.cpuUsage();
      let s = process.hrtime.bigint();
      await verifySealedPdf(lta, trust);
      const a = process.hrtime.bigint() - s;
      const used = process.cpuUsage(cpu);
      if (r >= WARM_UP) t.ltaCpu.push((used.user + used.system) / 1000);
      s = process.hrtime.bigint();
      await verifySealedPdf(bb, trust);
      const b = process.hrtime.bigint() - s;
      s = process.hrtime.bigint();
      createHash('sha256').update(lta).digest('hex');
      const c = process.hrtime.bigint() - s;
      if (r >= WARM_UP) { t.lta.push(ms(a)); t.bb.push(ms(b)); t.sha.push(ms(c)); }
    }
    const load = os.loadavg().map((x) => x.toFixed(2)).join(' / ');
    console.log(`Command: \`node bench/verify/verify.bench.js --runs ${RUNS}\`. Date: ${new Date().toISOString().slice(0, 10)}.`);
    console.log(`Machine: nproc ${os.cpus().length}, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}; load average (1 / 5 / 15 min) ${loadAtStart} at the start and ${load} at the end.`);
    console.log(`Document: factory model (12 practices, 3 annexes, 62 clauses) → ${pages(lta)} A4 pages; B-B ${(bb.length / 1024).toFixed(0)} KiB, B-LTA ${(lta.length / 1024).toFixed(0)} KiB (seal from the test seal CA, signature timestamp, DSS with chains and CRLs, one document timestamp from the local test TSA).`);
    console.log('');
    console.log('| Measure | Result | Target |');
    console.log('|---|---|---|');
    console.log(`| verifySealedPdf, B-LTA upload, median | ${median(t.lta).toFixed(1)} ms | ≤ 50 ms |`);
    console.log(`| verifySealedPdf, B-LTA upload, p95 | ${p95(t.lta).toFixed(1)} ms | |`);
    console.log(`| CPU time per B-LTA verification (process.cpuUsage), median | ${median(t.ltaCpu).toFixed(1)} ms | |`);
    console.log(`| verifySealedPdf, B-B upload, median | ${median(t.bb).toFixed(1)} ms | |`);
    console.log(`| SHA-256 of the B-LTA file only (the old lookup), median | ${median(t.sha).toFixed(2)} ms | |`);
    console.log(`| ratio B-LTA verify / B-B verify (medians) | ${(median(t.lta) / median(t.bb)).toFixed(2)} | |`);
  } finally {
    await tsa.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
