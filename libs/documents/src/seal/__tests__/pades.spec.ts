import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { startTestTsa, TestTsa, testPki } from '../../../../../test/support/test-tsa';
import { buildDocumentModel } from '../../testing/document-model.factory';
import { runTool, tempDir, writeTemp } from '../../testing/pdf-tools';
import { renderAndSeal } from '../render-and-seal';
import { nssDatabase } from './nss-trust-store';
import { SealService } from '../seal.service';
import { sealTrustFromConfig } from '../seal-trust';
import { SealError } from '../signer';
import { HttpTimestampAuthority } from '../tsa-client';
import type { SealConfig } from '../../documents.config';

jest.setTimeout(120_000);

interface PdfSignature {
  byteRange: [number, number, number, number];
  der: Buffer;
}

/** Every /ByteRange signature of a file, in file order, with its /Contents DER (padding removed). */
function signatures(pdf: Buffer): PdfSignature[] {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map((m) => {
    const br = [1, 2, 3, 4].map((i) => Number(m[i])) as [number, number, number, number];
    const hex = text.slice(br[1] + 1, br[2] - 1);
    const der = Buffer.from(hex, 'hex');
    const parsed = asn1js.fromBER(new Uint8Array(der));
    return { byteRange: br, der: der.subarray(0, parsed.offset) };
  });
}

const signedRanges = (pdf: Buffer, br: number[]) => Buffer.concat([pdf.subarray(br[0], br[0] + br[1]), pdf.subarray(br[2], br[2] + br[3])]);

/** The signature value and the signature-time-stamp-token of a CMS (read with asn1js/pkijs; judged by openssl). */
function signatureAndToken(cms: Buffer): { signature: Buffer; token: Buffer } {
  const ci = pkijs.ContentInfo.fromBER(new Uint8Array(cms));
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0];
  const attr = si.unsignedAttrs!.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14')!;
  return { signature: Buffer.from(si.signature.valueBlock.valueHexView), token: Buffer.from(attr.values[0].toBER()) };
}

describe('PAdES baseline seal with trusted time (independent judges: pdfsig, openssl, qpdf)', () => {
  let tsa: TestTsa;
  let dir: string;
  let nss: string;
  let lta: SealService;
  const model = buildDocumentModel({ practices: 6, annexes: 2 });
  const parts: Array<{ name: string; pdf: Buffer }> = [];

  beforeAll(async () => {
    tsa = await startTestTsa();
    dir = tempDir();
    nss = nssDatabase(dir, [tsa.pki.sealCa.pemPath, tsa.pki.tsaCa.pemPath]);
    lta = SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase, {
      tsa: new HttpTimestampAuthority({ url: tsa.url }),
      validationData: { certificates: [tsa.pki.tsaCa.der], crls: tsa.pki.crls },
    });
    parts.push({ name: 'agreement', pdf: (await renderAndSeal(model, lta)).pdf });
    for (const annex of model.annexes) {
      parts.push({ name: annex.id, pdf: (await renderAndSeal(model, lta, { annexId: annex.id })).pdf });
    }
  });
  afterAll(() => tsa.close());

  it('says which level it seals at, and that the time is trusted', () => {
    expect(lta.timeSource).toEqual({
      level: 'B-LTA',
      trustedTime: true,
      tsaUrl: tsa.url,
      statement: `Sealed at PAdES B-LTA with an RFC 3161 timestamp from ${tsa.url}, validation data and a document timestamp.`,
    });
    expect(parts).toHaveLength(3);
  });

  it('pdfsig: the seal is valid and trusted for the agreement and every annex; the document timestamp signs the total document', () => {
    for (const part of parts) {
      const path = writeTemp(dir, `${part.name}.pdf`, part.pdf);
      const out = runTool('pdfsig', ['-nssdir', nss, path]).stdout;
      const [seal, docTs] = out.split(/Signature #\d+:/).slice(1);
      expect(seal).toContain('Signature Field Name: Signature1');
      expect(seal).toContain('Signature is Valid.');
      expect(seal).toContain('Certificate is Trusted.');
      expect(seal).toContain('Signer Certificate Common Name: PCN Agreements Test Seal');
      expect(docTs).toContain('Signature Field Name: DocumentTimestamp1');
      expect(docTs).toContain('Signer Certificate Common Name: PCN Agreements Test TSA');
      expect(docTs).toContain('Total document signed');
      expect(out.match(/Signature #\d+:/g)).toHaveLength(2);
    }
  });

  it('pdfsig: one flipped byte in the sealed range is a Digest Mismatch, in every part', () => {
    for (const part of parts) {
      const tampered = Buffer.from(part.pdf);
      const [first] = signatures(tampered);
      const at = first.byteRange[2] + 200;
      tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
      const out = runTool('pdfsig', ['-nssdir', nss, writeTemp(dir, `${part.name}-tampered.pdf`, tampered)]).stdout;
      expect(out.split(/Signature #\d+:/)[1]).toContain('Digest Mismatch.');
    }
  });

  it('openssl cms -verify accepts the seal over the signed ranges, chained to the test seal CA', () => {
    for (const part of parts) {
      const [seal] = signatures(part.pdf);
      const cms = writeTemp(dir, `${part.name}.p7s`, seal.der);
      const content = writeTemp(dir, `${part.name}.ranges`, signedRanges(part.pdf, seal.byteRange));
      const out = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', content, '-CAfile', tsa.pki.sealCa.pemPath, '-out', '/dev/null']);
      expect(out.stderr).toContain('Verification successful');
    }
  });

  it('openssl cms -print: ESS signing-certificate-v2, no signing-time, and the signature timestamp attribute', () => {
    const [seal] = signatures(parts[0].pdf);
    const out = runTool('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp(dir, 'print.p7s', seal.der)]).stdout;
    expect(out).toContain('id-smime-aa-signingCertificateV2');
    expect(out).toContain('id-smime-aa-timeStampToken');
    // The seal's own signed attributes (the TSA's token, printed inside unsignedAttrs, has its own).
    const signedAttrs = out.slice(out.indexOf('signedAttrs:'), out.indexOf('unsignedAttrs:'));
    expect(signedAttrs).toContain('id-smime-aa-signingCertificateV2');
    expect(signedAttrs).toContain('messageDigest');
    expect(signedAttrs).not.toContain('signingTime');
    expect(signedAttrs).not.toContain('1.2.840.113549.1.9.5');
  });

  it('openssl ts -verify: the signature timestamp covers the signature value and chains to the test TSA CA', () => {
    for (const part of parts) {
      const [seal] = signatures(part.pdf);
      const { signature, token } = signatureAndToken(seal.der);
      const out = runTool('openssl', ['ts', '-verify', '-in', writeTemp(dir, `${part.name}.tst`, token), '-token_in',
        '-data', writeTemp(dir, `${part.name}.sigvalue`, signature), '-CAfile', tsa.pki.tsaCa.pemPath]);
      expect(out.stdout.trim()).toBe('Verification: OK');
    }
  });

  it('openssl ts -verify: the document timestamp covers the whole file after the DSS', () => {
    const pdf = parts[0].pdf;
    const [, docTs] = signatures(pdf);
    expect(docTs.byteRange[2] + docTs.byteRange[3]).toBe(pdf.length);
    const out = runTool('openssl', ['ts', '-verify', '-in', writeTemp(dir, 'doc.tst', docTs.der), '-token_in',
      '-data', writeTemp(dir, 'doc.ranges', signedRanges(pdf, docTs.byteRange)), '-CAfile', tsa.pki.tsaCa.pemPath]);
    expect(out.stdout.trim()).toBe('Verification: OK');
  });

  it('qpdf: clean after the DSS (B-LT) and the document timestamp (B-LTA); the DSS holds both chains and both CRLs', async () => {
    const blt = new SealService(lta.signer, { tsa: new HttpTimestampAuthority({ url: tsa.url }), level: 'B-LT', validationData: { certificates: [tsa.pki.tsaCa.der], crls: tsa.pki.crls } });
    const ltPdf = (await renderAndSeal(model, blt)).pdf;
    for (const [name, pdf] of [['b-lt', ltPdf], ['b-lta', parts[0].pdf]] as const) {
      const path = writeTemp(dir, `${name}.pdf`, pdf);
      const check = runTool('qpdf', ['--check', path]);
      expect(check.stdout).toContain('No syntax or stream encoding errors found');
      expect(check.stderr.trim()).toBe('');
      const { objects } = JSON.parse(runTool('qpdf', ['--json=1', '--json-key=objects', path]).stdout) as { objects: Record<string, Record<string, unknown>> };
      const trailer = objects.trailer as { '/Root': string };
      const catalog = objects[trailer['/Root']] as { '/DSS': string };
      const dss = objects[catalog['/DSS']] as { '/Certs': string[]; '/CRLs': string[]; '/Type': string };
      expect(dss['/Type']).toBe('/DSS');
      expect(dss['/Certs']).toHaveLength(4); // seal, seal CA, TSA CA, TSA
      expect(dss['/CRLs']).toHaveLength(2);
    }
    const out = runTool('pdfsig', ['-nssdir', nss, writeTemp(dir, 'b-lt-sig.pdf', ltPdf)]).stdout;
    expect(out.match(/Signature #\d+:/g)).toHaveLength(1);
    expect(out).toContain('Signature is Valid.');
  });

  it('renewal: a further document timestamp keeps every earlier signature valid and qpdf clean', async () => {
    const renewed = await lta.addDocumentTimestamp(parts[1].pdf);
    expect(renewed.subarray(0, parts[1].pdf.length).equals(parts[1].pdf)).toBe(true);
    const path = writeTemp(dir, 'renewed.pdf', renewed);
    expect(runTool('qpdf', ['--check', path]).stdout).toContain('No syntax or stream encoding errors found');
    const out = runTool('pdfsig', ['-nssdir', nss, path]).stdout;
    expect(out).toContain('Signature Field Name: DocumentTimestamp2');
    expect(out.split(/Signature #\d+:/)[3]).toContain('Total document signed');
    expect(out.split(/Signature #\d+:/)[1]).toContain('Signature is Valid.');
  });

  it('asks the TSA with basic credentials when configured, and fails clearly when refused', async () => {
    const locked = await startTestTsa({ username: 'seal', password: 's3cret' });
    try {
      const ok = SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase, { tsa: new HttpTimestampAuthority({ url: locked.url, username: 'seal', password: 's3cret' }), level: 'B-T' });
      const sealed = await renderAndSeal(model, ok, { annexId: model.annexes[0].id });
      expect(sealed.level).toBe('B-T');
      expect(locked.requests).toBe(1);
      const refused = SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase, { tsa: new HttpTimestampAuthority({ url: locked.url, username: 'seal', password: 'wrong' }) });
      await expect(renderAndSeal(model, refused)).rejects.toThrow(new SealError(`The timestamp authority ${locked.url} answered HTTP 401`));
    } finally {
      await locked.close();
    }
  });
});

describe('PAdES B-B without a timestamp authority', () => {
  it('seals B-B and says the time is the platform clock only; pdfsig: valid, trusted, total document', async () => {
    const tsa = await startTestTsa();
    await tsa.close();
    const seal = SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase);
    expect(seal.timeSource).toEqual({
      level: 'B-B',
      trustedTime: false,
      tsaUrl: null,
      statement: "No timestamp authority was configured: the seal carries the platform clock's time only (PAdES B-B), not a trusted time.",
    });
    const model = buildDocumentModel({ practices: 2, annexes: 0 });
    const sealed = await renderAndSeal(model, seal, { signingTime: new Date('2026-03-20T12:00:00Z') });
    expect(sealed.level).toBe('B-B');
    const dir = tempDir();
    const out = runTool('pdfsig', ['-nssdir', nssDatabase(dir, [tsa.pki.sealCa.pemPath]), writeTemp(dir, 'bb.pdf', sealed.pdf)]).stdout;
    expect(out).toContain('Signature is Valid.');
    expect(out).toContain('Certificate is Trusted.');
    expect(out).toContain('Total document signed');
    expect(out).toContain('Signing Time: Mar 20 2026 12:00:00');
    expect(signatures(sealed.pdf)).toHaveLength(1);
  });
});

describe('seal rotation: trusted seal and TSA certificates for the verifier', () => {
  it('lists the current seal (from the PKCS#12), every retired one, and the TSA anchors', () => {
    const p = testPki();
    const older = p.issueSeal('PCN Agreements Test Seal 2025');
    const config = {
      SEAL_P12_BASE64: p.seal.p12.toString('base64'),
      SEAL_P12_PASSPHRASE: p.seal.passphrase,
      SEAL_P12_PATH: '',
      SEAL_CERTIFICATE: '',
      SEAL_RETIRED_CERTIFICATES: `${older.pemPath}, ${p.sealCa.der.toString('base64')}`,
      TSA_TRUSTED_CERTIFICATES: p.tsaCa.pemPath,
    } as SealConfig;
    const trust = sealTrustFromConfig(config);
    expect(trust.sealCertificates.map((c) => c.toString('hex'))).toEqual([p.seal.der, older.der, p.sealCa.der].map((c) => c.toString('hex')));
    expect(trust.tsaCertificates).toEqual([p.tsaCa.der]);
    // A process without the key (the API) names the current seal by its certificate alone.
    const apiTrust = sealTrustFromConfig({ ...config, SEAL_P12_BASE64: '', SEAL_CERTIFICATE: p.seal.pemPath, SEAL_RETIRED_CERTIFICATES: '' });
    expect(apiTrust.sealCertificates).toEqual([p.seal.der]);
  });
});
