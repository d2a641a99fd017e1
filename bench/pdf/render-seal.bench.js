#!/usr/bin/env node
// PDF render + seal benchmark.   node bench/pdf/render-seal.bench.js [--runs 50] [--seconds 5] [--no-write]
// Compiles the TypeScript library on the fly (scripts/ts-register.js), no build needed.
'use strict';
require('../../scripts/ts-register');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const PDFDocument = require('pdfkit');
const { renderAndSeal, SealService, generateDevSealCertificate } = require('@pcn/documents');
const { parsedFonts, clearFontMetricsCaches } = require('@pcn/documents/render/fonts');
const { clearLineBreakCaches } = require('@pcn/documents/render/line-breaks');
const { buildDocumentModel } = require('@pcn/documents/testing/document-model.factory');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('runs', 50);
const SECONDS = opt('seconds', 5);
const WRITE = !args.includes('--no-write');
const MODEL_OPTIONS = { practices: 10, annexes: 3, clauses: 42 };
const WARM_UP = 5;

function makeSeal(p12, passphrase) {
  return SealService.fromPkcs12(p12, passphrase);
}

/** Every string the agreement prints, for the plain-pdfkit baseline. */
function allText(model) {
  const out = [model.pcn.name, model.title, model.reference, model.revisionHash];
  for (const c of model.clauses) out.push(`${c.number} ${c.heading}`, c.text);
  const blocks = (s) => {
    out.push(s.title);
    if (s.purpose) out.push(s.purpose);
    for (const b of s.blocks) {
      if (b.kind === 'paragraph' || b.kind === 'subheading') out.push(b.text);
      if (b.kind === 'keyValue') b.items.forEach((i) => out.push(`${i.label}: ${i.value}`));
      if (b.kind === 'table') {
        out.push(b.columns.map((c) => c.header).join(' | '));
        b.rows.forEach((r) => out.push(r.join(' | ')));
      }
    }
  };
  model.sections.forEach(blocks);
  model.annexes.forEach(blocks);
  for (const s of [...model.signatures, ...model.igApprovals]) {
    out.push(`${s.organisation} ${s.odsCode}`, `${s.person} ${s.capacity} step ${s.step}`, `${s.approvedAt} ${s.authMethod}`);
  }
  for (const e of model.certificate.events) out.push(`${e.at} ${e.actor} ${e.organisation} ${e.action} ${e.ip} ${e.userAgent}`);
  return out;
}

/** Baseline: plain pdfkit, same embedded font (parsed once, like the renderer), one flowing text call per string, no seal. */
function plainPdfkit(texts) {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: 'A4', font: null });
    doc.font(parsedFonts().sans).fontSize(10);
    const chunks = [];
    doc.on('data', (c) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    for (const t of texts) doc.text(t);
    doc.end();
  });
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function workerLoop() {
  const seal = makeSeal(Buffer.from(workerData.p12), workerData.passphrase);
  const model = buildDocumentModel(MODEL_OPTIONS);
  for (let i = 0; i < WARM_UP; i++) await renderAndSeal(model, seal); // same warm-up as the main thread
  parentPort.postMessage({ ready: true });
  await new Promise((r) => parentPort.once('message', r));
  const end = Date.now() + workerData.seconds * 1000;
  let docs = 0;
  while (Date.now() < end) {
    await renderAndSeal(model, seal);
    docs++;
  }
  parentPort.postMessage({ docs });
}

async function concurrent(p12, passphrase) {
  const workers = [0, 1].map(() => new Worker(__filename, { workerData: { p12, passphrase, seconds: SECONDS }, argv: ['--worker'] }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const t0 = process.hrtime.bigint();
  const results = workers.map((w) => new Promise((r) => w.once('message', r)));
  workers.forEach((w) => w.postMessage('go'));
  const counts = await Promise.all(results);
  const seconds = ms(t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  const docs = counts.reduce((s, c) => s + c.docs, 0);
  return { docs, seconds, perSecond: docs / seconds };
}

function writeReport(section) {
  const file = path.resolve(__dirname, '../../docs/benchmarks.md');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const heading = '## PDF render and seal';
  const start = text.indexOf(heading);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + heading.length);
    text = text.slice(0, start) + section.replace(/\s*$/, '\n\n') + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    text = `${text.replace(/\s*$/, '\n')}\n${section}`;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text.replace(/\s*$/, '\n'));
}

async function main() {
  const dev = generateDevSealCertificate({ passphrase: 'bench' });
  const seal = makeSeal(dev.p12, 'bench');
  const model = buildDocumentModel(MODEL_OPTIONS);
  const texts = allText(model);

  const loadBefore = os.loadavg()[0];
  // warm-up (JIT, font parsing, Intl)
  for (let i = 0; i < WARM_UP; i++) {
    await renderAndSeal(model, seal);
    await plainPdfkit(texts);
  }
  const sealed = (await renderAndSeal(model, seal)).pdf;
  const pages = (sealed.toString('latin1').match(/\/Type \/Page\b/g) || []).length;
  const plainOut = await plainPdfkit(texts);
  const plainPages = (plainOut.toString('latin1').match(/\/Type \/Page\b/g) || []).length;
  const fontPrograms = (sealed.toString('latin1').match(/\/FontFile2\b/g) || []).length;

  const full = [];
  const plain = [];
  const cold = [];
  // interleave so all three see the same machine conditions
  for (let i = 0; i < RUNS; i++) {
    let t0 = process.hrtime.bigint();
    await renderAndSeal(model, seal);
    full.push(ms(t0));
    t0 = process.hrtime.bigint();
    await plainPdfkit(texts);
    plain.push(ms(t0));
    // Same document with the process-wide glyph/width and line-break caches emptied first:
    // what the first document of a worker (or text never seen before) costs. The steady-state
    // figure above re-renders the same model, so every word and line break is already cached.
    clearFontMetricsCaches();
    clearLineBreakCaches();
    t0 = process.hrtime.bigint();
    await renderAndSeal(model, seal);
    cold.push(ms(t0));
  }
  // seal alone
  const { renderAgreementPdf } = require('@pcn/documents');
  const unsigned = await renderAgreementPdf(model, { sealPlaceholder: true });
  const sealOnly = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await seal.sealPdf(unsigned);
    sealOnly.push(ms(t0));
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const conc = await concurrent(dev.p12, 'bench');
  const loadAfter = os.loadavg()[0];

  const r = {
    pages,
    bytes: sealed.length,
    median: pct(full, 50),
    p95: pct(full, 95),
    coldMedian: pct(cold, 50),
    plainMedian: pct(plain, 50),
    plainP95: pct(plain, 95),
    plainPages,
    sealMedian: pct(sealOnly, 50),
    ratio: pct(full, 50) / pct(plain, 50),
    peakRssMb,
    conc,
    fontPrograms,
    loadBefore,
    loadAfter,
  };
  const f = (n) => n.toFixed(1);
  console.log(JSON.stringify(r, null, 2));

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = `## PDF render and seal

Command: \`node bench/pdf/render-seal.bench.js\` (runs ${RUNS}, concurrency window ${SECONDS} s). Date: ${new Date().toISOString().slice(0, 10)}.
Machine: ${os.cpus().length} vCPU (nproc ${os.availableParallelism?.() ?? os.cpus().length}, ${cpu}), Node ${process.version}, ${os.platform()} ${os.release()}.

Document: factory model with 10 practices, 3 annexes, ${MODEL_OPTIONS.clauses} clauses, ${model.signatures.length} signers → ${pages} A4 pages, ${(sealed.length / 1024).toFixed(0)} KiB sealed
(tagged PDF, ${fontPrograms} embedded DejaVu subsets, contents page, bookmarks, PAdES seal with a self-signed RSA-2048 development certificate, 16 KiB placeholder).

| Measure | Result | Target |
|---|---|---|
| render + seal, median | ${f(r.median)} ms | ≤ 100 ms |
| render + seal, p95 | ${f(r.p95)} ms | |
| render + seal, median, shared glyph and line-break caches emptied before each run (cold start) | ${f(r.coldMedian)} ms | |
| seal only (CMS + splice), median | ${f(r.sealMedian)} ms | |
| plain pdfkit, same text, same embedded font, no layout/tagging/seal, median | ${f(r.plainMedian)} ms (${plainPages} pages) | |
| ratio render+seal / plain pdfkit (medians) | ${r.ratio.toFixed(2)} | ≤ 2 |
| peak RSS (main process, whole run) | ${f(r.peakRssMb)} MiB | |
| two worker_threads rendering + sealing for ${SECONDS} s | ${conc.docs} documents in ${conc.seconds.toFixed(1)} s = **${conc.perSecond.toFixed(1)} docs/s** | ≥ 15 docs/s |

Notes: runs are interleaved (full, plain, cold, full, plain, cold …) after ${WARM_UP} warm-up iterations, so all see the same machine load;
each worker thread also warms up ${WARM_UP} times before the timed window (each has its own module instance, parsed fonts and caches).
The baseline reuses the parsed font like the renderer does; with a font file path instead, plain pdfkit spends ~60 ms more per document parsing DejaVu.
The fonts are parsed once per process and shared between documents (this alone took a render from ~500 ms to ~110 ms).
Word glyph layouts, string widths and subset glyph data are also cached per process and per parsed font (bounded, see \`render/fonts.ts\`);
the steady-state rows re-render the same model, so they see every word cached — the cold-start row empties those caches before each run.
Single-line text (table cells, labels, signature fields) is drawn without pdfkit's line wrapper when it certainly fits, heights are measured
once per document per font, size, width and text, and each page's content operators are converted to bytes in one batch; none of this changes the output bytes.
Stream compression stays on: deflate is ~10 % of render time, and without it the sealed file grows from ~257 KiB to ~700 KiB.
All ${fontPrograms} font subsets are in use (serif body, serif bold cover title, sans and sans bold headings and labels, condensed and condensed bold tables and signature cards, mono hashes and codes); merging faces would change the look.
Load average (1 min) ${r.loadBefore.toFixed(1)} at the start and ${r.loadAfter.toFixed(1)} at the end of this run on ${os.cpus().length} cores; other engineers' processes share this machine, treat single figures as ±15 % and compare ratios from the same run.
`;
  if (WRITE) writeReport(section);
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  workerLoop().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
