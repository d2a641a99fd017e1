/**
 * A throwaway PKI and RFC 3161 timestamp authority on loopback, for tests and `npm run demo`.
 * Everything is made with the openssl command line in a temp folder per process: a seal CA
 * issuing a seal certificate (PKCS#12), a TSA CA issuing a TSA certificate (extendedKeyUsage
 * timeStamping, critical), a CRL from each CA, and an HTTP server answering timestamp queries
 * with `openssl ts -reply`.
 *
 *   node -r ./scripts/ts-register.js test/support/test-tsa.ts [env-file]
 * starts the TSA until killed and writes TSA_URL, TSA_TRUSTED_CERTIFICATES and SEAL_CRL_PATHS
 * (one per line) to env-file (or stdout).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TestCertificate {
  pemPath: string;
  pem: string;
  der: Buffer;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  sealCa: TestCertificate;
  seal: TestCertificate & { p12: Buffer; passphrase: string };
  tsaCa: TestCertificate;
  tsa: TestCertificate;
  /** DER CRLs of the seal CA and the TSA CA (nothing revoked). */
  crlPaths: string[];
  crls: Buffer[];
  /** Issues another seal certificate (e.g. a rotated or a foreign one) from the seal CA or self-signed. */
  issueSeal(name: string, options?: { selfSigned?: boolean }): TestCertificate & { p12: Buffer; passphrase: string };
}

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

function certificate(dir: string, name: string): TestCertificate {
  const pemPath = join(dir, `${name}.pem`);
  const pem = readFileSync(pemPath, 'latin1');
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return { pemPath, pem, der, keyPath: join(dir, `${name}.key`) };
}

function makeCa(dir: string, name: string, commonName: string): TestCertificate {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3650', '-sha256',
    '-subj', `/C=GB/O=PCN Agreements Test PKI/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash'], dir);
  writeFileSync(join(dir, `${name}.index.txt`), '');
  writeFileSync(join(dir, `${name}.crlnumber`), '01\n');
  writeFileSync(join(dir, `${name}.cnf`), [
    '[ ca ]', 'default_ca = ca_default', '[ ca_default ]',
    `database = ${join(dir, `${name}.index.txt`)}`, `crlnumber = ${join(dir, `${name}.crlnumber`)}`,
    'default_md = sha256', 'default_crl_days = 3650', '',
  ].join('\n'));
  return certificate(dir, name);
}

function issue(dir: string, ca: TestCertificate | null, name: string, commonName: string, extensions: string[]): TestCertificate {
  writeFileSync(join(dir, `${name}.ext`), ['[ v3 ]', ...extensions, 'subjectKeyIdentifier = hash', ...(ca ? ['authorityKeyIdentifier = keyid'] : []), ''].join('\n'));
  const subject = `/C=GB/O=PCN Agreements Test PKI/CN=${commonName}`;
  if (!ca) {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '825', '-sha256',
      '-subj', subject, '-extensions', 'v3', '-config', `${name}.ext`], dir);
  } else {
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.pemPath, '-CAkey', ca.keyPath, '-set_serial', `0x${randomBytes(12).toString('hex')}`,
      '-days', '825', '-sha256', '-extfile', `${name}.ext`, '-extensions', 'v3', '-out', `${name}.pem`], dir);
  }
  return certificate(dir, name);
}

function pkcs12(dir: string, cert: TestCertificate, ca: TestCertificate | null, passphrase: string): Buffer {
  const out = `${cert.pemPath}.p12`;
  openssl(['pkcs12', '-export', '-inkey', cert.keyPath, '-in', cert.pemPath, ...(ca ? ['-certfile', ca.pemPath] : []),
    '-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256', '-passout', `pass:${passphrase}`, '-out', out], dir);
  return readFileSync(out);
}

function crl(dir: string, ca: TestCertificate, name: string): string {
  openssl(['ca', '-config', `${name}.cnf`, '-gencrl', '-keyfile', ca.keyPath, '-cert', ca.pemPath, '-out', `${name}.crl.pem`], dir);
  openssl(['crl', '-in', `${name}.crl.pem`, '-outform', 'DER', '-out', `${name}.crl`], dir);
  return join(dir, `${name}.crl`);
}

const SEAL_EXTENSIONS = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation'];

let pki: TestPki | null = null;

/** The test PKI of this process (made once, in a temp folder removed at exit). */
export function testPki(): TestPki {
  if (pki) return pki;
  const dir = mkdtempSync(join(tmpdir(), 'pcn-test-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const sealCa = makeCa(dir, 'seal-ca', 'PCN Agreements Test Seal CA');
  const tsaCa = makeCa(dir, 'tsa-ca', 'PCN Agreements Test TSA CA');
  const tsa = issue(dir, tsaCa, 'tsa', 'PCN Agreements Test TSA', [
    'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation', 'extendedKeyUsage = critical, timeStamping']);
  const issueSeal = (name: string, options: { selfSigned?: boolean } = {}) => {
    const file = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const cert = issue(dir, options.selfSigned ? null : sealCa, file, name, SEAL_EXTENSIONS);
    const passphrase = randomBytes(8).toString('hex');
    return { ...cert, p12: pkcs12(dir, cert, options.selfSigned ? null : sealCa, passphrase), passphrase };
  };
  const seal = issueSeal('PCN Agreements Test Seal');
  const crlPaths = [crl(dir, sealCa, 'seal-ca'), crl(dir, tsaCa, 'tsa-ca')];
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  writeFileSync(join(dir, 'tsa.cnf'), [
    '[ tsa ]', 'default_tsa = tsa_config', '[ tsa_config ]',
    `serial = ${join(dir, 'tsaserial')}`, 'crypto_device = builtin',
    `signer_cert = ${tsa.pemPath}`, `certs = ${tsaCa.pemPath}`, `signer_key = ${tsa.keyPath}`,
    'signer_digest = sha256', 'default_policy = 1.3.6.1.4.1.4146.2.3', 'digests = sha256, sha384, sha512',
    'accuracy = secs:1', 'ordering = yes', 'tsa_name = yes', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
  ].join('\n'));
  pki = { dir, sealCa, seal, tsaCa, tsa, crlPaths, crls: crlPaths.map((p) => readFileSync(p)), issueSeal };
  return pki;
}

export interface TestTsa {
  url: string;
  pki: TestPki;
  /** Requests answered so far. */
  readonly requests: number;
  /** Environment for the seal: TSA_URL, TSA_TRUSTED_CERTIFICATES, SEAL_CRL_PATHS. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the loopback TSA (one openssl process per query, queries answered one at a time). */
export async function startTestTsa(options: { username?: string; password?: string } = {}): Promise<TestTsa> {
  const p = testPki();
  let queue: Promise<unknown> = Promise.resolve();
  let count = 0;
  const answer = async (query: Buffer): Promise<Buffer> => {
    const id = randomBytes(6).toString('hex');
    const q = join(p.dir, `${id}.tsq`);
    const r = join(p.dir, `${id}.tsr`);
    writeFileSync(q, query);
    try {
      await execFileAsync('openssl', ['ts', '-reply', '-config', join(p.dir, 'tsa.cnf'), '-queryfile', q, '-out', r]);
      return readFileSync(r);
    } finally {
      rmSync(q, { force: true });
      rmSync(r, { force: true });
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(415).end();
        return;
      }
      if (options.username) {
        const expected = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401).end();
          return;
        }
      }
      const job = queue.then(() => answer(Buffer.concat(chunks)));
      queue = job.catch(() => undefined);
      job.then(
        (body) => {
          count++;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': body.length }).end(body);
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  return {
    url,
    pki: p,
    get requests() {
      return count;
    },
    env: { TSA_URL: url, TSA_TRUSTED_CERTIFICATES: p.tsaCa.pemPath, SEAL_CRL_PATHS: p.crlPaths.join(',') },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (require.main === module) {
  void startTestTsa().then((tsa) => {
    const lines = Object.entries(tsa.env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
    if (process.argv[2]) writeFileSync(process.argv[2], lines);
    else process.stdout.write(lines);
    console.error(`Test timestamp authority listening on ${tsa.url} (test PKI in ${tsa.pki.dir})`);
    const stop = () => void tsa.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
