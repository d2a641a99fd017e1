/**
 * A throwaway PKI and RFC 3161 timestamp authority on loopback, for tests and `npm run demo`.
 * The PKI is made once per process with the openssl command line in a temp folder: a seal CA
 * issuing a seal certificate (PKCS#12), a TSA CA issuing a TSA certificate (extendedKeyUsage
 * timeStamping, critical), and a CRL from each CA. The TSA answers in process: an HTTP server
 * whose responses (TSTInfo in a CMS SignedData signed by the TSA key, RFC 3161 §2.4.2) are built
 * with pkijs, so a timestamp costs what a real TSA's network round trip would, not an openssl
 * process. `openssl ts -verify` judges its tokens (libs/documents/src/seal/__tests__/test-tsa.spec.ts).
 *
 *   node -r ./scripts/ts-register.js test/support/test-tsa.ts [env-file]
 * starts the TSA until killed and writes TSA_URL, TSA_TRUSTED_CERTIFICATES and SEAL_CRL_PATHS
 * (one per line) to env-file (or stdout).
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildCmsSignedData, OID, parseCertificate, toBuffer } from '@pcn/documents/seal/cms';
import { Pkcs12Signer } from '@pcn/documents/seal/signer';

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

/** The policy the test TSA issues tokens under (the one openssl's example configuration uses). */
export const TEST_TSA_POLICY = '1.3.6.1.4.1.4146.2.3';
const DIGEST_LENGTH: Record<string, number> = { [OID.sha256]: 32, '2.16.840.1.101.3.4.2.2': 48, '2.16.840.1.101.3.4.2.3': 64 };

/**
 * Answers a DER TimeStampReq with a DER TimeStampResp (RFC 3161 §2.4.2): granted, TSTInfo with
 * the request's imprint and nonce, a random serial, genTime to the second (accuracy 1 s) and the
 * TSA's name, signed with ESS signing-certificate-v2; the TSA and TSA CA certificates when the
 * request asks for them. Malformed requests, unknown digests and other policies are rejected.
 */
export function testTimestampResponder(p: TestPki, clock: () => Date = () => new Date()): (query: Buffer) => Promise<Buffer> {
  const signer = new Pkcs12Signer({ privateKey: createPrivateKey(readFileSync(p.tsa.keyPath)), certificate: p.tsa.der, chain: [p.tsaCa.der] });
  const tsaName = new pkijs.GeneralName({ type: 4, value: parseCertificate(p.tsa.der).subject });
  const respond = (status: pkijs.PKIStatus, token?: Buffer, why?: string) =>
    toBuffer(new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status, ...(why ? { statusStrings: [new asn1js.Utf8String({ value: why })] } : {}) }),
      ...(token ? { timeStampToken: pkijs.ContentInfo.fromBER(new Uint8Array(token)) } : {}),
    }).toSchema().toBER());
  return async (query) => {
    let request: pkijs.TimeStampReq;
    try {
      request = pkijs.TimeStampReq.fromBER(new Uint8Array(query));
    } catch {
      return respond(pkijs.PKIStatus.rejection, undefined, 'not a timestamp request');
    }
    const imprint = request.messageImprint;
    if (DIGEST_LENGTH[imprint.hashAlgorithm.algorithmId] !== imprint.hashedMessage.valueBlock.valueHexView.byteLength) {
      return respond(pkijs.PKIStatus.rejection, undefined, 'unsupported digest algorithm');
    }
    if (request.reqPolicy && request.reqPolicy !== TEST_TSA_POLICY) return respond(pkijs.PKIStatus.rejection, undefined, 'unaccepted policy');
    const serial = randomBytes(10);
    serial[0] = (serial[0] & 0x3f) | 0x40; // positive, no leading zero byte
    const tstInfo = toBuffer(new pkijs.TSTInfo({
      version: 1,
      policy: TEST_TSA_POLICY,
      messageImprint: imprint,
      serialNumber: new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer }),
      genTime: new Date(Math.floor(clock().getTime() / 1000) * 1000),
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(request.nonce ? { nonce: request.nonce } : {}),
      tsa: tsaName,
    }).toSchema().toBER());
    const token = await buildCmsSignedData({
      contentDigest: createHash('sha256').update(tstInfo).digest(),
      signer,
      encapsulated: { contentType: OID.tstInfo, content: tstInfo },
      // RFC 3161 §2.4.1: certificates only when the request sets certReq.
      certificates: request.certReq ? undefined : [],
    });
    return respond(pkijs.PKIStatus.granted, token);
  };
}

/** Starts the loopback TSA (answered in process, see `testTimestampResponder`). */
export async function startTestTsa(options: { username?: string; password?: string } = {}): Promise<TestTsa> {
  const p = testPki();
  let count = 0;
  const answer = testTimestampResponder(p);
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
      answer(Buffer.concat(chunks)).then(
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
