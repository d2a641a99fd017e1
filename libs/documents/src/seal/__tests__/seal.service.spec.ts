import { createHash, X509Certificate } from 'node:crypto';
import {
  generateDevSealCertificate,
  inspectSealedPdf,
  renderAgreementPdf,
  Pkcs12Signer,
  SealError,
  SealService,
} from '@pcn/documents';
import { buildDocumentModel } from '../../testing/document-model.factory';
import { runTool, tempDir, writeTemp } from '../../testing/pdf-tools';

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

  it('seals any number of documents with one instance (the stock P12Signer signs once)', async () => {
    const service = SealService.fromPkcs12(dev.p12, 'correct horse');
    const model = buildDocumentModel({ practices: 3, annexes: 1 });
    const signingTime = new Date('2026-03-20T12:00:00Z');
    for (let i = 0; i < 3; i++) {
      const sealed = await service.sealPdf(await renderAgreementPdf(model, { sealPlaceholder: { signingTime } }));
      const r = inspectSealedPdf(sealed);
      expect(r).toMatchObject({ signed: true, digestMatches: true, signatureValid: true, signingCertificateV2Matches: true });
      // The claimed time is the signature dictionary's /M (PAdES), not a CMS signing-time attribute.
      expect(sealed.toString('latin1')).toContain("/M (D:20260320120000Z)");
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
