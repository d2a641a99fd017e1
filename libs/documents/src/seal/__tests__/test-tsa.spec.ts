import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { startTestTsa, TEST_TSA_POLICY, TestTsa, testPki, testTimestampResponder } from '../../../../../test/support/test-tsa';
import { runTool, tempDir, writeTemp } from '../../testing/pdf-tools';
import { SealError } from '../signer';
import { HttpTimestampAuthority, readTimestampToken, timestampRequest, timestampTokenFromResponse } from '../tsa-client';

jest.setTimeout(60_000);

/** The in-process test TSA, judged by openssl as client and as verifier. */
describe('test timestamp authority (independent judge: openssl ts)', () => {
  let tsa: TestTsa;
  let dir: string;

  beforeAll(async () => {
    tsa = await startTestTsa();
    dir = tempDir();
  });
  afterAll(() => tsa.close());

  const post = async (query: Buffer) => {
    const response = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: new Uint8Array(query) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/timestamp-reply');
    return Buffer.from(await response.arrayBuffer());
  };

  it('answers an openssl query: openssl ts -verify accepts the reply against the TSA CA; the reply reads as granted', async () => {
    const data = writeTemp(dir, 'data.bin', randomBytes(1000));
    const query = join(dir, 'q.tsq');
    runTool('openssl', ['ts', '-query', '-data', data, '-sha256', '-cert', '-out', query]);
    const reply = writeTemp(dir, 'r.tsr', await post(readFileSync(query)));

    const verified = runTool('openssl', ['ts', '-verify', '-queryfile', query, '-in', reply, '-CAfile', tsa.pki.tsaCa.pemPath]);
    expect(verified.stdout.trim()).toBe('Verification: OK');
    const text = runTool('openssl', ['ts', '-reply', '-in', reply, '-text']).stdout;
    expect(text).toContain('Status: Granted.');
    expect(text).toContain(`Policy OID: ${TEST_TSA_POLICY}`);
    expect(text).toContain('Hash Algorithm: sha256');
    expect(text).toContain('Accuracy: 0x01 seconds, unspecified millis, unspecified micros');
    expect(text).toContain('TSA: DirName:/C=GB/O=PCN Agreements Test PKI/CN=PCN Agreements Test TSA');
    expect(text).toMatch(/Nonce: 0x[0-9A-F]+/);
  });

  it('leaves the certificates out when the query does not ask for them (openssl then needs the TSA certificate given)', async () => {
    const data = writeTemp(dir, 'data2.bin', randomBytes(100));
    const query = join(dir, 'q2.tsq');
    runTool('openssl', ['ts', '-query', '-data', data, '-sha512', '-no_nonce', '-out', query]);
    const reply = await post(readFileSync(query));
    const token = writeTemp(dir, 'r2.tsr', reply);
    const withoutCertificate = runTool('openssl', ['ts', '-verify', '-queryfile', query, '-in', token, '-CAfile', tsa.pki.tsaCa.pemPath], { allowFailure: true });
    expect(withoutCertificate.stdout.trim()).toBe('Verification: FAILED');
    const given = runTool('openssl', ['ts', '-verify', '-queryfile', query, '-in', token, '-CAfile', tsa.pki.tsaCa.pemPath, '-untrusted', tsa.pki.tsa.pemPath]);
    expect(given.stdout.trim()).toBe('Verification: OK');
  });

  it('the platform client gets tokens openssl verifies over the digest, with our nonce, the TSA and TSA CA certificates', async () => {
    const digest = createHash('sha256').update(randomBytes(64)).digest();
    const token = await new HttpTimestampAuthority({ url: tsa.url }).timestamp(digest);
    const out = runTool('openssl', ['ts', '-verify', '-digest', digest.toString('hex'), '-in', writeTemp(dir, 'client.tst', token), '-token_in', '-CAfile', tsa.pki.tsaCa.pemPath]);
    expect(out.stdout.trim()).toBe('Verification: OK');
    const info = readTimestampToken(token);
    expect(info.imprint).toBe(digest.toString('hex'));
    expect(info.certificates).toEqual([tsa.pki.tsa.der, tsa.pki.tsaCa.der]);
    expect(Math.abs(Date.parse(info.time) - Date.now())).toBeLessThan(5_000);
  });

  it('rejects what it cannot timestamp, in RFC 3161 terms the client reports', async () => {
    const sha1Query = join(dir, 'sha1.tsq');
    runTool('openssl', ['ts', '-query', '-data', writeTemp(dir, 'data3.bin', randomBytes(10)), '-sha1', '-out', sha1Query]);
    const sha1Reply = runTool('openssl', ['ts', '-reply', '-in', writeTemp(dir, 'sha1.tsr', await post(readFileSync(sha1Query))), '-text']).stdout;
    expect(sha1Reply).toContain('Status: Rejected.');
    expect(sha1Reply).toContain('Status description: unsupported digest algorithm');
    expect(sha1Reply).toContain('TST info:\nNot included.');

    const garbage = runTool('openssl', ['ts', '-reply', '-in', writeTemp(dir, 'garbage.tsr', await post(Buffer.from('not DER'))), '-text']).stdout;
    expect(garbage).toContain('Status: Rejected.');
    expect(garbage).toContain('Status description: not a timestamp request');

    // A digest of the wrong length for its algorithm, through the platform client.
    await expect(new HttpTimestampAuthority({ url: tsa.url }).timestamp(Buffer.alloc(20))).rejects.toThrow(
      new SealError('The timestamp authority refused the request (status 2: unsupported digest algorithm)'),
    );
  });
});

describe('timestamp client: what it accepts from a TSA', () => {
  const respond = testTimestampResponder(testPki());
  const digest = createHash('sha256').update('the signature value').digest();
  const nonce = Buffer.from('0102030405060708', 'hex');

  it('returns the token exactly as received when the imprint and nonce are ours', async () => {
    const response = await respond(timestampRequest(digest, nonce));
    const token = timestampTokenFromResponse(response, digest, nonce);
    expect(response.includes(token)).toBe(true);
    expect(readTimestampToken(token)).toMatchObject({ imprint: digest.toString('hex'), nonce: `01${nonce.toString('hex')}` });
  });

  it('refuses garbage, a grant without a token, a token for other data and a token without our nonce', async () => {
    expect(() => timestampTokenFromResponse(Buffer.from('<html>busy</html>'), digest, nonce)).toThrow(
      new SealError("The timestamp authority's answer is not a timestamp response (not DER)"),
    );
    const grantOnly = Buffer.from(new asn1js.Sequence({ value: [new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }).toSchema()] }).toBER());
    expect(() => timestampTokenFromResponse(grantOnly, digest, nonce)).toThrow(new SealError('The timestamp authority granted the request but sent no token'));
    const forOtherData = await respond(timestampRequest(createHash('sha256').update('something else').digest(), nonce));
    expect(() => timestampTokenFromResponse(forOtherData, digest, nonce)).toThrow(new SealError('The timestamp token is for other data than we sent'));
    const withOtherNonce = await respond(timestampRequest(digest, Buffer.from('0807060504030201', 'hex')));
    expect(() => timestampTokenFromResponse(withOtherNonce, digest, nonce)).toThrow(new SealError('The timestamp token does not carry our nonce'));
  });

  it('readTimestampToken refuses what is not a token', () => {
    expect(() => readTimestampToken(Buffer.from('30030201ff', 'hex'))).toThrow(new SealError('The timestamp token is not CMS SignedData'));
  });
});
