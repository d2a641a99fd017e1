#!/usr/bin/env node
// Creates a self-signed development seal certificate (RSA-2048, C=GB, keyUsage
// digitalSignature + nonRepudiation) as a PKCS#12 in .secrets/dev-seal.p12,
// unless one already exists. `.secrets/` is git-ignored: never commit a key.
//   DEV_SEAL_PASSPHRASE=... node scripts/dev-seal-cert.js [--force]
'use strict';
require('./ts-register'); // compiles libs/documents on the fly (no build needed)
const fs = require('node:fs');
const path = require('node:path');
const { generateDevSealCertificate } = require('@pcn/documents/seal/dev-seal-cert');

const dir = path.resolve(__dirname, '..', '.secrets');
const file = path.join(dir, 'dev-seal.p12');
const passphrase = process.env.DEV_SEAL_PASSPHRASE || 'dev-seal-passphrase';

if (fs.existsSync(file) && !process.argv.includes('--force')) {
  console.log(`${path.relative(process.cwd(), file)} already exists; use --force to replace it.`);
  process.exit(0);
}
const cert = generateDevSealCertificate({ passphrase });
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
fs.writeFileSync(file, cert.p12, { mode: 0o600 });
console.log(`Wrote ${path.relative(process.cwd(), file)} (SHA-256 ${cert.fingerprint}).`);
console.log('Configure: SEAL_P12_PATH=.secrets/dev-seal.p12 SEAL_P12_PASSPHRASE=<the passphrase above>');
