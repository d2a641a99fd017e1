import { createHash, X509Certificate } from 'node:crypto';
import {
  generateDevSealCertificate,
  renderAgreementPdf,
  Pkcs12Signer,
  SealError,
  SealService,
} from '@pcn/documents';
import { buildDocumentModel } from '../../testing/document-model.factory';
import { runTool, tempDir, writeTemp } from '../../testing/pdf-tools';

/**
 * The one signature of a sealed PDF, cut out with nothing but the /ByteRange: the CMS
 * (DER, without the placeholder's zero padding) and the bytes it signs. The judges below
 * (openssl cms, pdfsig) are independent of our own parser in verify-pdf.ts.
 */
function cutSignature(pdf: Buffer): { cms: Buffer; signedBytes: Buffer } {
  const matches = [...pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  expect(matches).toHaveLength(1);
  const [a0, l0, a1, l1] = matches[0].slice(1).map(Number);
  expect(a0).toBe(0);
  expect(a1 + l1).toBe(pdf.length);
  const hex = pdf.subarray(l0, a1).toString('latin1');
  expect(hex).toMatch(/^<[0-9a-fA-F]+>$/);
  const padded = Buffer.from(hex.slice(1, -1), 'hex');
  // The DER SEQUENCE's own length says where the CMS ends and the zero padding begins.
  expect(padded[0]).toBe(0x30);
  const lengthBytes = padded[1] & 0x80 ? padded[1] & 0x7f : 0;
  const bodyLength = lengthBytes ? padded.subarray(2, 2 + lengthBytes).reduce((n, b) => n * 256 + b, 0) : padded[1];
  return { cms: padded.subarray(0, 2 + lengthBytes + bodyLength), signedBytes: Buffer.concat([pdf.subarray(a0, l0), pdf.subarray(a1, a1 + l1)]) };
}

describe('SealService', () => {
  const dev = generateDevSealCertificate({ passphrase: 'correct horse' });

  it('exposes the certificate fingerprint (SHA-256 of the DER) and subject', () => {
    const service = SealService.fromPkcs12(dev.p12, 'correct horse');
    const der = new X509Certificate(dev.certificatePem).raw;
    expect(service.certificateFingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    expect(service.certificateFingerprint).toBe(dev.fingerprint);
    expect(service.certificateSubject).toBe(
      'C=GB, O=PCN Agreements Platform (development), CN=PCN Agreements Platform Seal (development)',
    );
    const x509 = new X509Certificate(dev.certificatePem);
    expect(x509.checkPrivateKey((service.signer as Pkcs12Signer).material.privateKey)).toBe(true);
    const dir = tempDir();
    const pem = writeTemp(dir, 'seal.pem', Buffer.from(dev.certificatePem));
    const ext = runTool('openssl', ['x509', '-in', pem, '-noout', '-ext', 'keyUsage']).stdout;
    expect(ext).toMatch(/Digital Signature, Non Repudiation/);
  });

  it('seals any number of documents with one instance (the stock P12Signer signs once), each judged by openssl and pdfsig', async () => {
    const service = SealService.fromPkcs12(dev.p12, 'correct horse');
    const model = buildDocumentModel({ practices: 3, annexes: 1 });
    const signingTime = new Date('2026-03-20T12:00:00Z');
    const dir = tempDir();
    const ca = writeTemp(dir, 'seal-ca.pem', Buffer.from(dev.certificatePem));
    for (let i = 0; i < 3; i++) {
      const sealed = await service.sealPdf(await renderAgreementPdf(model, { sealPlaceholder: { signingTime } }));
      const { cms, signedBytes } = cutSignature(sealed);
      const cmsFile = writeTemp(dir, `seal-${i}.p7s`, cms);
      const contentFile = writeTemp(dir, `signed-${i}.bin`, signedBytes);

      // openssl checks the signature over exactly the signed ranges, and the chain to the seal certificate.
      const verified = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsFile, '-content', contentFile, '-CAfile', ca, '-out', '/dev/null'], { allowFailure: true });
      expect(verified.stderr).toContain('Verification successful');
      expect(verified.status).toBe(0);
      // ...and refuses it once one signed byte changes.
      const altered = Buffer.from(signedBytes);
      altered[Math.floor(altered.length / 2)] ^= 0x01;
      const alteredFile = writeTemp(dir, `altered-${i}.bin`, altered);
      const refused = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsFile, '-content', alteredFile, '-CAfile', ca, '-out', '/dev/null'], { allowFailure: true });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/digest failure|content verify error/i);

      // PAdES baseline: detached, signing-certificate-v2 naming our certificate, no CMS signing-time
      // (the claimed time is the signature dictionary's /M).
      const printed = runTool('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cmsFile]).stdout;
      expect(printed).toMatch(/id-smime-aa-signingCertificateV2/);
      expect(printed).not.toMatch(/signingTime/);
      expect(printed).toMatch(/eContent: <ABSENT>/);
      // The signed attributes carry the digest of exactly the signed ranges and the hash of our certificate.
      const octets = [...runTool('openssl', ['asn1parse', '-inform', 'DER', '-in', cmsFile]).stdout.matchAll(/OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)/g)].map((m) => m[1].toLowerCase());
      expect(octets).toContain(createHash('sha256').update(signedBytes).digest('hex'));
      expect(octets).toContain(createHash('sha256').update(new X509Certificate(dev.certificatePem).raw).digest('hex'));
      expect(sealed.toString('latin1')).toContain('/M (D:20260320120000Z)');

      // poppler agrees, and the signature covers the whole file.
      const sig = runTool('pdfsig', [writeTemp(dir, `sealed-${i}.pdf`, sealed)]).stdout;
      expect(sig).toContain('Signature is Valid.');
      expect(sig).toContain('Total document signed');
      expect(sig).toContain('Signature Type: ETSI.CAdES.detached');
    }
  });

  it('reads legacy (3DES) PKCS#12 files too', () => {
    const legacy = generateDevSealCertificate({ passphrase: 'p', legacy: true });
    expect(SealService.fromPkcs12(legacy.p12, 'p').certificateFingerprint).toBe(legacy.fingerprint);
  });

  it('fails clearly on a wrong passphrase or a PDF without placeholder', async () => {
    expect(() => SealService.fromPkcs12(dev.p12, 'wrong')).toThrow(SealError);
    const service = SealService.fromPkcs12(dev.p12, 'correct horse');
    const unsigned = await renderAgreementPdf(buildDocumentModel({ practices: 2, annexes: 0 }));
    await expect(service.sealPdf(unsigned)).rejects.toThrow(SealError);
  });
});
