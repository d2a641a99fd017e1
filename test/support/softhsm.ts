/**
 * A throwaway SoftHSM v2 token (Debian's softhsm2) for the PKCS#11 seal signer's tests: a
 * private token directory and SOFTHSM2_CONF in a temp folder, a token initialised with
 * `softhsm2-util --init-token`, a PKCS#8 key imported with `softhsm2-util --import`, and
 * optionally the key's certificate written as a CKO_CERTIFICATE object with the same CKA_ID.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import * as asn1js from 'asn1js';

/** Where distributions put SoftHSM's PKCS#11 library. */
const MODULE_PATHS = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

/** SoftHSM's PKCS#11 library when softhsm2 is installed (library and softhsm2-util), else null. */
export function softHsmModule(): string | null {
  const module = MODULE_PATHS.find((p) => existsSync(p));
  if (!module) return null;
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return module;
}

export interface SoftHsmKey {
  /** PKCS#8 PEM file of the RSA private key. */
  keyPath: string;
  /** CKA_LABEL of the key (and of its certificate when stored). */
  label: string;
  /** CKA_ID (hex) shared by the key and its certificate. */
  id: string;
  /** DER certificate to store on the token next to the key. */
  certificate?: Buffer;
}

export interface SoftHsmToken {
  module: string;
  /** SOFTHSM2_CONF for this token's directory (see `useSoftHsmConfiguration`). */
  conf: string;
  label: string;
  /** The slot id SoftHSM assigned to the token (as `softhsm2-util --show-slots` prints it). */
  slot: number;
  pin: string;
  dir: string;
  remove(): void;
}

/**
 * Creates a token in a temp folder and imports the keys. Every command runs with this token's
 * SOFTHSM2_CONF; the library is not loaded into this process (the signer under test does that).
 */
export function createSoftHsmToken(options: { label: string; pin: string; keys: SoftHsmKey[] }): SoftHsmToken {
  const module = softHsmModule();
  if (!module) throw new Error('softhsm2 is not installed (apt-get install softhsm2)');
  const dir = mkdtempSync(join(tmpdir(), 'pcn-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const run = (command: string, args: string[]) => execFileSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  const init = run('softhsm2-util', ['--init-token', '--free', '--label', options.label, '--so-pin', `so-${options.pin}`, '--pin', options.pin]);
  const slot = Number(/reassigned to slot (\d+)/.exec(init)?.[1]);
  if (!Number.isInteger(slot)) throw new Error(`softhsm2-util did not say which slot the token is in: ${init}`);
  for (const key of options.keys) {
    run('softhsm2-util', ['--import', key.keyPath, '--token', options.label, '--label', key.label, '--id', key.id, '--pin', options.pin]);
    // softhsm2-util imports key pairs only; the certificate object is written through PKCS#11
    // in a child process, so this process never initialises the library with a configuration
    // the signer under test would then share.
    if (key.certificate) {
      const args = [module, options.label, options.pin, key.label, key.id, key.certificate.toString('base64'), subjectOf(key.certificate).toString('base64')];
      run(process.execPath, ['-e', WRITE_CERTIFICATE, ...args]);
    }
  }
  return { module, conf, label: options.label, slot, pin: options.pin, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The subject Name of a certificate, as the DER bytes in it (PKCS#11 requires CKA_SUBJECT on a certificate object). */
function subjectOf(certificateDer: Buffer): Buffer {
  const tbs = (asn1js.fromBER(new Uint8Array(certificateDer)).result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const fields = tbs.valueBlock.value;
  const offset = fields[0].idBlock.tagClass === 3 ? 1 : 0; // explicit [0] version
  return Buffer.from(fields[offset + 4].valueBeforeDecodeView);
}

const WRITE_CERTIFICATE = `
const [module, tokenLabel, pin, label, id, der, subject] = process.argv.slice(1);
const pkcs11js = require('pkcs11js');
const p = new pkcs11js.PKCS11();
p.load(module);
p.C_Initialize();
try {
  const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trimEnd() === tokenLabel);
  const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  p.C_Login(session, pkcs11js.CKU_USER, pin);
  p.C_CreateObject(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
    { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') },
    { type: pkcs11js.CKA_SUBJECT, value: Buffer.from(subject, 'base64') },
    { type: pkcs11js.CKA_VALUE, value: Buffer.from(der, 'base64') },
  ]);
  p.C_Logout(session);
  p.C_CloseSession(session);
} finally {
  p.C_Finalize();
}
`;

/**
 * Points SoftHSM in this process at a token's configuration: call it before the library is first
 * initialised here (SoftHSM reads SOFTHSM2_CONF with getenv once, in C_Initialize). Under Jest,
 * `process.env` is a per-file copy that never reaches the C environment, so the variable is set
 * from a worker thread sharing the process environment (SHARE_ENV), which writes the real one.
 */
export async function useSoftHsmConfiguration(conf: string): Promise<void> {
  process.env.SOFTHSM2_CONF = conf;
  await new Promise<void>((resolve, reject) => {
    new Worker('process.env.SOFTHSM2_CONF = require("node:worker_threads").workerData', { eval: true, env: SHARE_ENV, workerData: conf })
      .once('error', reject)
      .once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`setting SOFTHSM2_CONF failed (worker exit ${code})`))));
  });
}
