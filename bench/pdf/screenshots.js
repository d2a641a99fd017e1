#!/usr/bin/env node
// Renders the sample agreement, seals it with a throw-away development certificate
// and writes PNGs of page 1 and the first signature page to docs/screenshots/.
//   node bench/pdf/screenshots.js
'use strict';
require('../../scripts/ts-register');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { renderAndSeal, SealService, generateDevSealCertificate } = require('@pcn/documents');
const { buildDocumentModel } = require('@pcn/documents/testing/document-model.factory');

(async () => {
  const dev = generateDevSealCertificate({ passphrase: 'screens' });
  const seal = SealService.fromPkcs12(dev.p12, 'screens');
  const model = buildDocumentModel({ practices: 20, annexes: 5 });
  model.certificate.sealCertificateRef = seal.certificateRef;
  const { pdf } = await renderAndSeal(model, seal);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcn-shots-'));
  const file = path.join(tmp, 'agreement.pdf');
  fs.writeFileSync(file, pdf);
  const pages = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f');
  const sigPage = pages.findIndex((p) => p.includes('SIGNATORY')) + 1;
  const out = path.resolve(__dirname, '../../docs/screenshots');
  fs.mkdirSync(out, { recursive: true });
  for (const [page, name] of [[1, 'agreement-cover'], [sigPage, 'agreement-signatures']]) {
    execFileSync('pdftoppm', ['-r', '60', '-png', '-singlefile', '-f', String(page), '-l', String(page), file, path.join(out, name)]);
    console.log(`docs/screenshots/${name}.png (page ${page})`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
