#!/usr/bin/env node
// What the certificate of completion costs to render and seal, on real executions.
//
//   npm run drill -- --pcns 200 --keep --no-write                      # once: a database of executed agreements
//   node bench/pdf/documents-worker.bench.js --source pcn_drill_<pid> --capture DIR
//   node --max-old-space-size=320 bench/pdf/certificate-cost.bench.js --inputs DIR [--passes 3]
//
// Renders and seals every captured execution's parts in this process through the worker's own
// DocumentsGenerator.render (model, renderer, seal; not the store), once as sealed ("as sealed")
// and once with each of the certificate's tables left out, and with all four left out ("no
// certificate tables": the summary and parts list stay). Each pass runs every variant over all
// executions, the variants in a rotating order, and reports CPU milliseconds (this process's
// user + system, garbage collection included) and kilobytes per sealed part. The first pass
// warms the caches (fonts, line breaks) and is not counted. Left out is not a design option: the
// evidence issue requires every table in every part; this measures what they cost.
'use strict';
require('../../scripts/ts-register');
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { DocumentsGenerator } = require('@pcn/documents/generation/documents-generator.service');
const { SealService } = require('@pcn/documents/seal/seal.service');
const { generateDevSealCertificate } = require('@pcn/documents/seal/dev-seal-cert');

const argv = process.argv.slice(2);
const arg = (name, def) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : def);
const inputs = arg('inputs');
const passes = Number(arg('passes', 3));
if (!inputs || !Number.isInteger(passes) || passes < 2) {
  console.error('usage: node bench/pdf/certificate-cost.bench.js --inputs DIR [--passes N ≥ 2]');
  process.exit(2);
}

const requests = fs
  .readdirSync(inputs)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(inputs, f), 'utf8')));
if (requests.length === 0) throw new Error(`no captured render requests in ${inputs}`);

const without = (...tables) => (request) => {
  const r = structuredClone(request);
  if (tables.includes('events')) r.input.events = [];
  for (const t of ['signers', 'deliveries', 'rounds']) if (tables.includes(t)) r.input.certificate[t] = [];
  return r;
};
const VARIANTS = [
  ['as sealed', (r) => structuredClone(r)],
  ['without the event history', without('events')],
  ['without the signers table', without('signers')],
  ['without the emails table', without('deliveries')],
  ['no certificate tables', without('events', 'signers', 'deliveries', 'rounds')],
];

const passphrase = randomBytes(16).toString('hex');
const seal = SealService.fromPkcs12(generateDevSealCertificate({ passphrase }).p12, passphrase);
const generator = new DocumentsGenerator({ seal }, { PUBLIC_BASE_URL: 'https://agreements.example.nhs.uk' }, null);

(async () => {
  const totals = new Map(VARIANTS.map(([name]) => [name, { cpuMs: [], bytes: 0, parts: 0 }]));
  for (let pass = 0; pass < passes; pass++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + pass) % VARIANTS.length]);
    for (const [name, variant] of order) {
      // Copies made outside the measured time.
      const copies = requests.map((r) => ({ ...variant(r), executedAt: new Date(r.executedAt) }));
      let parts = 0;
      let bytes = 0;
      const before = process.cpuUsage();
      for (const request of copies) {
        for (const document of await generator.render(request)) {
          parts++;
          bytes += document.sizeBytes;
        }
      }
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000 / parts;
      console.log(`pass ${pass + 1} ${name}: ${ms.toFixed(1)} ms per part, ${(bytes / parts / 1024).toFixed(0)} KB per part${pass === 0 ? ' (warm-up, not counted)' : ''}`);
      if (pass > 0) {
        const t = totals.get(name);
        t.cpuMs.push(ms);
        t.bytes = bytes;
        t.parts = parts;
      }
    }
  }
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const base = median(totals.get('as sealed').cpuMs);
  console.log(`\n${requests.length} executions, ${totals.get('as sealed').parts} parts; passes 2–${passes}, median CPU per part (render + seal):\n`);
  console.log('| variant | CPU per part, ms (each pass) | median | of "as sealed" | KB per part |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, t] of totals) {
    const m = median(t.cpuMs);
    console.log(`| ${name} | ${t.cpuMs.map((x) => x.toFixed(1)).join(', ')} | ${m.toFixed(1)} | ${((100 * m) / base).toFixed(0)} % | ${(t.bytes / t.parts / 1024).toFixed(0)} |`);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
