import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { startTestTsa, TestTsa } from '../../../../../test/support/test-tsa';
import { describeVerdict, verifyDocumentCommand } from '../../../../../apps/cli/src/verify-document';
import { buildDocumentModel } from '../../testing/document-model.factory';
import { runTool, tempDir, writeTemp } from '../../testing/pdf-tools';
import { renderAgreementPdf } from '../../render/render-agreement';
import { generateDevSealCertificate } from '../../seal/dev-seal-cert';
import { renderAndSeal } from '../../seal/render-and-seal';
import { SealService } from '../../seal/seal.service';
import { HttpTimestampAuthority } from '../../seal/tsa-client';
import { readPdfStructure } from '../pdf-structure';
import { SealTrust, SealVerdict, verifySealedPdf } from '../verify-sealed-pdf';

jest.setTimeout(120_000);

const ALTERED = 'The file has been changed since it was sealed: the sealed content no longer matches its seal.';
const fingerprint = (der: Buffer) => new X509Certificate(der).fingerprint256.replace(/:/g, '').toLowerCase();

/** One flipped byte inside the first signature's second signed range (page content, cross-reference, trailer). */
function flipInSealedRange(pdf: Buffer, offsetFromGap = 200): Buffer {
  const [seal] = readPdfStructure(pdf).signatures;
  const out = Buffer.from(pdf);
  const at = seal.byteRange[2] + offsetFromGap;
  out[at] = out[at] === 0x41 ? 0x42 : 0x41;
  return out;
}

function nssDatabase(dir: string, caPems: string[]): string {
  const db = join(dir, 'nss');
  runTool('mkdir', ['-p', db]);
  runTool('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  caPems.forEach((pem, i) => runTool('certutil', ['-A', '-d', `sql:${db}`, '-n', `ca${i}`, '-t', 'C,C,C', '-i', pem]));
  return `sql:${db}`;
}

describe('verifySealedPdf on real sealed PDFs (renderer + seal), cross-checked with pdfsig', () => {
  const model = buildDocumentModel({ practices: 6, annexes: 2 });
  let tsa: TestTsa;
  let dir: string;
  let nss: string;
  let trust: SealTrust;
  let bb: Buffer; // B-B, sealed with the test PKI's seal certificate
  let lta: Buffer; // B-LTA: signature timestamp, DSS, document timestamp
  let ltaService: SealService;
  let annexLta: Buffer;
  let sealPem: string; // our own copy: issueSeal() below reuses file names in the PKI folder

  beforeAll(async () => {
    tsa = await startTestTsa();
    dir = tempDir('pcn-verify-');
    nss = nssDatabase(dir, [tsa.pki.sealCa.pemPath, tsa.pki.tsaCa.pemPath]);
    trust = { sealCertificates: [tsa.pki.seal.der], tsaCertificates: [tsa.pki.tsaCa.der] };
    sealPem = writeTemp(dir, 'seal.pem', Buffer.from(tsa.pki.seal.pem, 'latin1'));
    bb = (await renderAndSeal(model, SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase))).pdf;
    ltaService = SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase, {
      tsa: new HttpTimestampAuthority({ url: tsa.url }),
      validationData: { certificates: [tsa.pki.tsaCa.der], crls: tsa.pki.crls },
    });
    lta = (await renderAndSeal(model, ltaService)).pdf;
    annexLta = (await renderAndSeal(model, ltaService, { annexId: model.annexes[1].id })).pdf;
  });
  afterAll(() => tsa.close());

  it('untouched B-B seal → AUTHENTIC, with the reference, fingerprint and level', async () => {
    const v = await verifySealedPdf(bb, trust);
    expect(v).toMatchObject({
      verdict: 'AUTHENTIC',
      embeddedReference: model.reference,
      sealCertificateFingerprint: fingerprint(tsa.pki.seal.der),
      signatureTimestamp: null,
      documentTimestamps: 0,
      level: 'B-B',
    });
    expect(v.sealedRevisionSha256).toBe(v.documentSha256);
    expect(v.detail).toBe(
      'This is the document the platform sealed, unchanged: the seal checks out and was made with a trusted seal certificate (C=GB, O=PCN Agreements Test PKI, CN=PCN Agreements Test Seal). It carries no trusted timestamp, so its sealing time is only claimed. Signature level: PAdES B-B.',
    );
  });

  it('untouched B-LTA seal → AUTHENTIC with a trusted signature timestamp and one document timestamp', async () => {
    const v = await verifySealedPdf(lta, trust);
    expect(v).toMatchObject({ verdict: 'AUTHENTIC', level: 'B-LTA', documentTimestamps: 1, embeddedReference: model.reference });
    expect(v.signatureTimestamp).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/), tsaSubject: 'C=GB, O=PCN Agreements Test PKI, CN=PCN Agreements Test TSA', trusted: true });
    expect(v.sealedRevisionSha256).not.toBe(v.documentSha256);
    // the annex part verifies the same way and names itself
    const annex = await verifySealedPdf(annexLta, trust);
    expect(annex).toMatchObject({ verdict: 'AUTHENTIC', level: 'B-LTA', documentTimestamps: 1 });
    expect(annex.embeddedReference).not.toBeNull();
  });

  it('a trusted seal CA (not the seal certificate itself) is enough: the signer chains to it', async () => {
    expect((await verifySealedPdf(lta, { ...trust, sealCertificates: [tsa.pki.sealCa.der] })).verdict).toBe('AUTHENTIC');
  });

  it('B-T and B-LT levels are named', async () => {
    const bt = SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase, { tsa: new HttpTimestampAuthority({ url: tsa.url }), level: 'B-T' });
    const blt = SealService.fromPkcs12(tsa.pki.seal.p12, tsa.pki.seal.passphrase, { tsa: new HttpTimestampAuthority({ url: tsa.url }), level: 'B-LT' });
    expect(await verifySealedPdf((await renderAndSeal(model, bt)).pdf, trust)).toMatchObject({ verdict: 'AUTHENTIC', level: 'B-T', documentTimestamps: 0 });
    expect(await verifySealedPdf((await renderAndSeal(model, blt)).pdf, trust)).toMatchObject({ verdict: 'AUTHENTIC', level: 'B-LT', documentTimestamps: 0 });
  });

  it('a renewed document timestamp (second B-LTA update) stays AUTHENTIC and counts 2', async () => {
    const renewed = await ltaService.addDocumentTimestamp(lta);
    expect(await verifySealedPdf(renewed, trust)).toMatchObject({ verdict: 'AUTHENTIC', level: 'B-LTA', documentTimestamps: 2 });
  });

  it('an untrusted TSA is reported (trusted: false), the seal itself still authentic', async () => {
    const v = await verifySealedPdf(lta, { ...trust, tsaCertificates: [] });
    expect(v.verdict).toBe('AUTHENTIC');
    expect(v.signatureTimestamp?.trusted).toBe(false);
    expect(v.detail).toContain('a time-stamping authority that is not trusted here, so that time is only claimed');
  });

  it('one flipped byte inside the signed range → ALTERED, and pdfsig says "Digest Mismatch." (B-B and B-LTA, agreement and annex)', async () => {
    for (const [name, pdf] of [['bb', bb], ['lta', lta], ['annex', annexLta]] as const) {
      const tampered = flipInSealedRange(pdf);
      const v = await verifySealedPdf(tampered, trust);
      expect(v.verdict).toBe('ALTERED');
      expect(v.detail).toBe(ALTERED);
      const out = runTool('pdfsig', ['-nssdir', nss, writeTemp(dir, `${name}-flipped.pdf`, tampered)]).stdout;
      expect(out.split(/Signature #\d+:/)[1]).toContain('Digest Mismatch.');
    }
  });

  it('the untouched files are judged valid and trusted by pdfsig, as we judge them AUTHENTIC', () => {
    const out = runTool('pdfsig', ['-nssdir', nss, writeTemp(dir, 'lta.pdf', lta)]).stdout;
    const [seal] = out.split(/Signature #\d+:/).slice(1);
    expect(seal).toContain('Signature is Valid.');
    expect(seal).toContain('Certificate is Trusted.');
  });

  it('bytes appended → MODIFIED_AFTER_SEAL (B-B and B-LTA)', async () => {
    for (const pdf of [bb, lta]) {
      const v = await verifySealedPdf(Buffer.concat([pdf, Buffer.from('\n% appended\n%%EOF\n')]), trust);
      expect(v.verdict).toBe('MODIFIED_AFTER_SEAL');
      expect(v.detail).toBe('The sealed content is intact, but the file was changed after it was sealed: bytes were added after the end of the sealed file. Ask for the copy the platform holds.');
      const garbage = await verifySealedPdf(Buffer.concat([pdf, Buffer.from('trailing bytes')]), trust);
      expect(garbage.verdict).toBe('MODIFIED_AFTER_SEAL');
    }
  });

  it('an incremental update that changes a page after the seal → MODIFIED_AFTER_SEAL', async () => {
    const text = bb.toString('latin1');
    const page = /(\d+) 0 obj\s*<<\s*\/Type \/Page\b[\s\S]*?endobj/.exec(text)!;
    const changed = page[0].replace('/Type /Page', '/Type /Page /Rotate 90');
    const prevXref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
    const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(text.slice(prevXref))![1].replace(/\/Prev \d+/, '');
    const offset = bb.length + 1;
    const body = `\n${changed}\n`;
    const xref = `xref\n${page[1]} 1\n${String(offset).padStart(10, '0')} 00000 n \ntrailer\n<<${trailer} /Prev ${prevXref}>>\nstartxref\n${offset + body.length - 1}\n%%EOF\n`;
    const updated = Buffer.concat([bb, Buffer.from(body.slice(0), 'latin1'), Buffer.from(xref, 'latin1')]);
    const v = await verifySealedPdf(updated, trust);
    expect(v.verdict).toBe('MODIFIED_AFTER_SEAL');
    expect(v.detail).toBe('The sealed content is intact, but the file was changed after it was sealed: a later update changes a page (Rotate). Ask for the copy the platform holds.');
  });

  it('a byte changed in the DSS update (after the seal, under the document timestamp) → MODIFIED_AFTER_SEAL', async () => {
    const s = readPdfStructure(lta);
    const sealEnd = s.signatures[0].coveredEnd;
    const at = lta.toString('latin1').indexOf('/Type /DSS', sealEnd) + 2;
    const tampered = Buffer.from(lta);
    tampered.write('/Type /DSX', at - 2, 'latin1');
    expect(at).toBeGreaterThan(sealEnd);
    const v = await verifySealedPdf(tampered, trust);
    expect(v.verdict).toBe('MODIFIED_AFTER_SEAL');
    expect(v.detail).toMatch(/: the document timestamp of \S+ no longer matches the file, so it was changed after that timestamp\./);
  });

  it('a copy re-sealed with another key → UNTRUSTED_KEY', async () => {
    const other = generateDevSealCertificate({ passphrase: 'other' });
    const foreign = (await renderAndSeal(model, SealService.fromPkcs12(other.p12, other.passphrase))).pdf;
    const v = await verifySealedPdf(foreign, trust);
    expect(v.verdict).toBe('UNTRUSTED_KEY');
    expect(v.sealCertificateFingerprint).toBe(other.fingerprint);
    expect(v.detail).toBe(
      `The file is intact, but it was sealed with a key the platform does not trust (C=GB, O=PCN Agreements Platform (development), CN=PCN Agreements Platform Seal (development), certificate SHA-256 ${other.fingerprint}). It was not sealed by this platform, or by a seal it no longer recognises.`,
    );
    // a self-signed certificate with the same name as the trusted seal is still not trusted
    const lookalike = tsa.pki.issueSeal('PCN Agreements Test Seal', { selfSigned: true });
    const forged = (await renderAndSeal(model, SealService.fromPkcs12(lookalike.p12, lookalike.passphrase))).pdf;
    expect((await verifySealedPdf(forged, { ...trust, sealCertificates: [tsa.pki.sealCa.der] })).verdict).toBe('UNTRUSTED_KEY');
  });

  it('a document sealed with a seal now retired but still listed as trusted → AUTHENTIC', async () => {
    const retired = tsa.pki.issueSeal('PCN Agreements Retired Seal', { selfSigned: true });
    const current = generateDevSealCertificate({ passphrase: 'current' });
    const old = (await renderAndSeal(model, SealService.fromPkcs12(retired.p12, retired.passphrase))).pdf;
    const currentDer = new X509Certificate(current.certificatePem).raw;
    expect((await verifySealedPdf(old, { sealCertificates: [currentDer, retired.der], tsaCertificates: [] })).verdict).toBe('AUTHENTIC');
    expect((await verifySealedPdf(old, { sealCertificates: [currentDer], tsaCertificates: [] })).verdict).toBe('UNTRUSTED_KEY');
  });

  it('a plain PDF → NOT_SEALED; random bytes → NOT_A_PDF', async () => {
    const plain = await verifySealedPdf(await renderAgreementPdf(model), trust);
    expect(plain).toMatchObject({ verdict: 'NOT_SEALED', level: null, sealCertificateFingerprint: null, embeddedReference: model.reference });
    expect(plain.detail).toBe('This PDF carries no seal. Documents sealed by the platform always carry one, so this is not a sealed copy.');
    const random = Buffer.alloc(4096, 0);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) & 0xff;
    const v = await verifySealedPdf(random, trust);
    expect(v).toMatchObject({ verdict: 'NOT_A_PDF', level: null });
    expect(v.detail).toBe('This file is not a PDF, so it cannot be a document sealed by the platform. Upload the PDF you downloaded from the platform.');
    expect((await verifySealedPdf(Buffer.alloc(0), trust)).verdict).toBe('NOT_A_PDF');
  });

  it('truncated files get a clear verdict, never a throw', async () => {
    const head = await verifySealedPdf(lta.subarray(0, 2000), trust);
    expect(head.verdict).toBe('NOT_SEALED');
    expect(head.detail).toBe(
      'This PDF carries no seal. Documents sealed by the platform always carry one, so this is not a sealed copy. The file is also incomplete: it stops before its end-of-file marker.',
    );
    const [seal] = readPdfStructure(bb).signatures;
    const cut = await verifySealedPdf(bb.subarray(0, seal.coveredEnd - 10), trust);
    expect(cut.verdict).toBe('ALTERED');
    expect(cut.detail).toBe(`${ALTERED} The file is incomplete: it stops at byte ${seal.coveredEnd - 10}, but the sealed content runs to byte ${seal.coveredEnd}. It was probably cut off in transfer; upload the whole file.`);
    // every prefix length gives a verdict
    for (let n = 0; n <= lta.length; n += Math.ceil(lta.length / 37)) {
      const v: SealVerdict = await verifySealedPdf(lta.subarray(0, n), trust);
      expect(['NOT_A_PDF', 'NOT_SEALED', 'ALTERED', 'MODIFIED_AFTER_SEAL']).toContain(v.verdict);
    }
  });

  it('a damaged seal (garbage in /Contents) → ALTERED, not a throw', async () => {
    const [seal] = readPdfStructure(bb).signatures;
    const damaged = Buffer.from(bb);
    damaged.write('DEADBEEF', seal.byteRange[1] + 1, 'latin1');
    const v = await verifySealedPdf(damaged, trust);
    expect(v.verdict).toBe('ALTERED');
    expect(v.detail).toMatch(/^The file has been changed since it was sealed: the sealed content no longer matches its seal\. The seal itself is damaged: /);
  });

  it('CLI documents:verify prints the verdict in words and exits 0 for AUTHENTIC, 1 otherwise', async () => {
    const env = { SEAL_CERTIFICATE: sealPem, SEAL_P12_PASSPHRASE: 'unused', TSA_TRUSTED_CERTIFICATES: tsa.pki.tsaCa.pemPath };
    const good = writeTemp(dir, 'cli-good.pdf', lta);
    const bad = writeTemp(dir, 'cli-bad.pdf', flipInSealedRange(lta));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await verifyDocumentCommand(good, env)).toBe(0);
      expect(log.mock.calls[0][0]).toBe(describeVerdict(good, await verifySealedPdf(lta, trust)));
      expect(log.mock.calls[0][0]).toMatch(/^.*cli-good\.pdf: Authentic: sealed by the platform and unchanged\nThis is the document the platform sealed, unchanged/);
      expect(await verifyDocumentCommand(bad, env)).toBe(1);
      expect(log.mock.calls[1][0]).toContain(`cli-bad.pdf: Altered: changed since it was sealed\n${ALTERED}\n`);
    } finally {
      log.mockRestore();
    }
  });

  it('CLI through apps/cli/src/main.ts: exit codes 0 and 1', () => {
    const env = { ...process.env, SEAL_CERTIFICATE: sealPem, SEAL_P12_PASSPHRASE: 'unused', TSA_TRUSTED_CERTIFICATES: tsa.pki.tsaCa.pemPath };
    const run = (file: string) =>
      spawnSync(process.execPath, ['-r', './scripts/ts-register.js', 'apps/cli/src/main.ts', 'documents:verify', file], { cwd: join(__dirname, '../../../../..'), env, encoding: 'utf8' });
    const ok = run(writeTemp(dir, 'main-good.pdf', lta));
    expect(ok.stdout).toContain('Authentic: sealed by the platform and unchanged');
    expect(ok.status).toBe(0);
    const appended = run(writeTemp(dir, 'main-appended.pdf', Buffer.concat([lta, Buffer.from('junk')])));
    expect(appended.stdout).toContain('Modified after sealing: content was added after the seal');
    expect(appended.status).toBe(1);
  });
});
