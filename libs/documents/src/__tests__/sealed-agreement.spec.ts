import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgreementDocumentModel,
  generateDevSealCertificate,
  inspectSealedPdf,
  renderAgreementPdf,
  renderAndSeal,
  renderAnnexPdf,
  SealService,
} from '@pcn/documents';
import { annexPartReference } from '../render/render-agreement';
import { buildDocumentModel, FINANCE_SCHEDULE_TEXT, makePractices } from '../testing/document-model.factory';
import { normaliseText, pageCount, pdfPages, pdfTextFlat, runTool, tempDir, wordBoxes, writeTemp } from '../testing/pdf-tools';

jest.setTimeout(60_000);

const STANDARD_14 =
  /^(?:[A-Z]{6}\+)?(Courier|Helvetica|Times|Symbol|ZapfDingbats)(-(Bold|Oblique|BoldOblique|Roman|Italic|BoldItalic))?$/;

describe('sealed Network Agreement PDF (real external readers)', () => {
  let dir: string;
  let model: AgreementDocumentModel;
  let seal: SealService;
  let sealedPath: string;
  let sealed: Buffer;
  let flatText: string;

  beforeAll(async () => {
    dir = tempDir();
    model = buildDocumentModel({ practices: 20, annexes: 5 });
    const dev = generateDevSealCertificate({ passphrase: 'test-passphrase' });
    seal = SealService.fromPkcs12(dev.p12, dev.passphrase);
    model.certificate.sealCertificateRef = seal.certificateRef;
    const result = await renderAndSeal(model, seal);
    sealed = result.pdf;
    sealedPath = writeTemp(dir, 'sealed.pdf', sealed);
    flatText = pdfTextFlat(sealedPath);
  });

  it('builds a realistic model (20 practices, 5 annexes, ~30 signers)', () => {
    expect(model.signatures.length).toBeGreaterThanOrEqual(28);
    expect(model.annexes).toHaveLength(5);
  });

  it('passes qpdf --check', () => {
    const out = runTool('qpdf', ['--check', sealedPath]);
    expect(out.stdout).toContain('No syntax or stream encoding errors found');
    expect(out.stderr.trim()).toBe('');
  });

  it('is reported valid and complete by pdfsig', () => {
    const out = runTool('pdfsig', [sealedPath]).stdout;
    expect(out).toContain('Signature is Valid.');
    expect(out).toContain('Total document signed');
    expect(out).toContain('ETSI.CAdES.detached');
    expect(out).toContain('SHA-256');
  });

  it('embeds every font and uses no Standard-14 font', () => {
    const lines = runTool('pdffonts', [sealedPath]).stdout.trim().split('\n').slice(2);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      const [name] = cols;
      // columns from the right: object ID (2), uni, sub, emb
      const emb = cols[cols.length - 5];
      expect({ name, emb }).toEqual({ name, emb: 'yes' });
      expect(name).not.toMatch(STANDARD_14);
    }
  });

  it('is tagged, in en-GB, with a title and bookmarks', () => {
    const info = runTool('pdfinfo', [sealedPath]).stdout;
    expect(info).toMatch(/Tagged:\s+yes/);
    expect(info).toContain(`Title:           ${model.title}`);
    const raw = sealed.toString('latin1');
    expect(raw).toContain('/Lang (en-GB)');
    expect(raw).toContain('/DisplayDocTitle true');
    expect(raw).toMatch(/\/Outlines \d+ 0 R/);
    expect(raw).toContain('/PageMode /UseOutlines');
    for (const title of ['Contents', 'Signatures', 'Certificate of completion']) expect(raw).toContain(`/Title (${title})`);
    expect(raw).toContain('/StructTreeRoot');
  });

  it('shows every practice name, ODS code, signer, annex purpose and the revision hash in the text', () => {
    for (const p of makePractices(20)) {
      expect(flatText).toContain(normaliseText(p.name));
      expect(flatText).toContain(p.odsCode);
    }
    for (const s of [...model.signatures, ...model.igApprovals]) {
      expect(flatText).toContain(normaliseText(s.person));
      expect(flatText).toContain(normaliseText(s.organisation));
    }
    for (const a of model.annexes) expect(flatText).toContain(normaliseText(a.purpose ?? ''));
    // long hex strings may wrap inside their column; compare without whitespace
    const compact = flatText.replace(/\s/g, '');
    expect(compact).toContain(model.revisionHash);
    expect(compact).toContain(seal.certificateFingerprint);
  });

  it('prints approval times in UTC and Europe/London', () => {
    // 2026-03-02T09:15Z is before the clocks change (GMT); a July approval would read BST.
    expect(flatText).toContain('02 Mar 2026, 09:15:00 UTC');
    expect(flatText).toContain('02 Mar 2026, 09:15:00 GMT');
  });

  it('numbers pages "Page X of Y" and the contents page points at the right pages', () => {
    const pages = pdfPages(sealedPath);
    const total = pageCount(sealedPath);
    expect(pages).toHaveLength(total);
    pages.forEach((text, i) => expect(text).toContain(`Page ${i + 1} of ${total}`));
    const contents = pages[1];
    const sigPage = Number(/Signatures\s+(\d+)/.exec(contents)?.[1]);
    const certPage = Number(/Certificate of completion\s+(\d+)/.exec(contents)?.[1]);
    expect(pages[sigPage - 1]).toMatch(/Signatures\s*\n/);
    expect(pages[sigPage - 1]).toContain('SIGNATORY');
    expect(pages[sigPage - 2]).not.toContain('SIGNATORY');
    expect(pages[certPage - 1]).toContain('Certificate of completion');
    expect(pages[certPage - 1]).toContain('Event history');
  });

  it('keeps every word inside the page margins (nothing overflows)', () => {
    const boxes = wordBoxes(sealedPath);
    expect(boxes.length).toBeGreaterThan(1000);
    const outside = boxes.filter((b) => b.xMin < 56 - 0.5 || b.xMax > b.pageWidth - 56 + 0.5 || b.yMin < 20 || b.yMax > b.pageHeight - 20);
    expect(outside).toEqual([]);
    // and no line of the layout text is wider than an A4 page set in 8pt type
    for (const line of pdfPages(sealedPath).join('\n').split('\n')) expect(line.length).toBeLessThan(140);
  });

  it('shows the ESS signing-certificate-v2 attribute in the CMS (PAdES B-B)', () => {
    const dumpDir = tempDir();
    const copy = writeTemp(dumpDir, 'doc.pdf', sealed);
    runTool('pdfsig', ['-dump', copy], { cwd: dumpDir }); // writes <file>.sig0 into the cwd
    const cms = runTool('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dumpDir, 'doc.pdf.sig0')]).stdout;
    expect(cms).toContain('1.2.840.113549.1.9.16.2.47');
    expect(cms).toContain('messageDigest');
    // PAdES baseline: the claimed time is the signature dictionary's /M, never a CMS signing-time.
    expect(cms).not.toContain('signingTime');
  });

  it('agrees with pdfsig on a valid document', () => {
    const r = inspectSealedPdf(readFileSync(sealedPath));
    expect(r).toMatchObject({
      isPdf: true,
      signed: true,
      byteRangeCoversWholeFile: true,
      digestMatches: true,
      signatureValid: true,
      signingCertificateV2Matches: true,
      signerCertFingerprint: seal.certificateFingerprint,
      reference: model.reference,
      subFilter: 'ETSI.CAdES.detached',
    });
    expect(r.reason).toBeUndefined();
  });

  it('detects one flipped byte inside the signed range', () => {
    const tampered = Buffer.from(sealed);
    const at = tampered.indexOf('/Title') + 2; // inside the first signed range? pick a byte in the last range instead
    const lastRange = /\/ByteRange \[0 (\d+) (\d+) (\d+)\]/.exec(tampered.toString('latin1'));
    const offset = lastRange ? Number(lastRange[2]) + 500 : at;
    tampered[offset] = tampered[offset] === 0x41 ? 0x42 : 0x41;
    const path = writeTemp(dir, 'tampered.pdf', tampered);
    const out = runTool('pdfsig', [path]).stdout; // exits 0 even when tampered
    expect(out).toContain('Digest Mismatch.');
    expect(out).not.toContain('Signature is Valid.');
    const r = inspectSealedPdf(tampered);
    expect(r.digestMatches).toBe(false);
    expect(r.reason).toMatch(/digest mismatch/);
  });

  it('reports bytes appended after the seal', () => {
    const r = inspectSealedPdf(Buffer.concat([sealed, Buffer.from('\n% appended\n%%EOF\n')]));
    expect(r.byteRangeCoversWholeFile).toBe(false);
    expect(r.digestMatches).toBe(true);
  });
});

describe('deterministic output', () => {
  it('renders the same model to identical bytes', async () => {
    const model = buildDocumentModel({ practices: 12, annexes: 3 });
    const [a, b] = [await renderAgreementPdf(model), await renderAgreementPdf(model)];
    expect(a.equals(b)).toBe(true);
    const signingTime = new Date('2026-03-20T12:00:00Z');
    const [c, d] = [
      await renderAgreementPdf(model, { sealPlaceholder: { signingTime } }),
      await renderAgreementPdf(model, { sealPlaceholder: { signingTime } }),
    ];
    expect(c.equals(d)).toBe(true);
    expect(a.toString('latin1')).toContain('/CreationDate');
    expect(runTool('pdfinfo', [writeTemp(tempDir(), 'a.pdf', a)]).stdout).toMatch(/CreationDate:\s+Thu Mar 12 10:30:00 2026 UTC/);
  });
});

describe('a large partnership on the signature pages', () => {
  it('continues a card longer than a page on the next pages, with every signatory and no near-empty page', async () => {
    const model = buildDocumentModel({ practices: 4, annexes: 3 });
    // Ten partners of one practice, each approving the agreement and all three annexes: 40 grids
    // in one card, about six pages of them (the national drill's largest practices look like this).
    const big = { organisation: 'Saltmarsh Bay Medical Partnership', odsCode: 'B99001' };
    const parts = [undefined, ...model.annexes.map((a) => a.id)];
    const partners = Array.from({ length: 10 }, (_, i) => `Dr Partner ${String.fromCharCode(65 + i)} Saltmarsh`);
    const bigBlocks = partners.flatMap((person, i) =>
      parts.map((part, j) => ({ ...big, person, capacity: part ? `Partner (annex ${j})` : 'Partner', step: 2, approvedAt: new Date(Date.UTC(2026, 2, 2, 9, i, j)).toISOString(), authMethod: 'Password sign-in', part: part ?? null })),
    );
    model.signatures = [...model.signatures.filter((s) => s.step !== 2), ...bigBlocks, ...model.signatures.filter((s) => s.step === 2)];
    const path = writeTemp(tempDir(), 'partnership.pdf', await renderAgreementPdf(model));

    const pages = pdfPages(path);
    const contents = pages[1];
    const first = Number(/Signatures\s+(\d+)/.exec(contents)?.[1]);
    const next = Number(/(?:Information governance approvals|Certificate of completion)\s+(\d+)/.exec(contents)?.[1]);
    const signaturePages = pages.slice(first - 1, next - 1);
    // Each page holds at least five grids; before the fix one card of 40 grids took hundreds of pages.
    const grids = signaturePages.map((text) => (text.match(/SIGNATORY/g) ?? []).length);
    expect(grids.reduce((a, b) => a + b, 0)).toBe(model.signatures.length);
    expect(signaturePages.length).toBeLessThanOrEqual(Math.ceil(model.signatures.length / 5) + 1);
    grids.slice(0, -1).forEach((n) => expect(n).toBeGreaterThanOrEqual(5));
    // The card's later pages say whose card goes on; the name is on the first.
    const cardPages = signaturePages.filter((text) => text.includes(big.organisation)).length;
    expect(cardPages).toBeGreaterThanOrEqual(3);
    expect(signaturePages.filter((text) => text.includes(`${big.organisation} (continued)`))).toHaveLength(cardPages - 1);
    expect(signaturePages.filter((text) => new RegExp(`${big.organisation}\\s+ODS ${big.odsCode}`).test(text))).toHaveLength(1);
    const flat = pdfTextFlat(path);
    for (const person of partners) expect(flat.split(person).length - 1).toBe(parts.length);
    const outside = wordBoxes(path).filter((b) => b.yMin < 20 || b.yMax > b.pageHeight - 20);
    expect(outside).toEqual([]);
  });
});

describe('annex-only PDF', () => {
  it('contains the annex and its parties only, never the financial or workforce schedules', async () => {
    const model = buildDocumentModel({ practices: 20, annexes: 5 });
    const annex = model.annexes[2];
    const dev = generateDevSealCertificate({ passphrase: 'x' });
    const seal = SealService.fromPkcs12(dev.p12, 'x');
    const { pdf } = await renderAndSeal(model, seal, { annexId: annex.id });
    const dir = tempDir();
    const path = writeTemp(dir, 'annex.pdf', pdf);
    const text = pdfTextFlat(path);
    expect(text).toContain(normaliseText(annex.title));
    expect(text).toContain(normaliseText(annex.purpose ?? ''));
    expect(text).not.toContain(normaliseText(FINANCE_SCHEDULE_TEXT).slice(0, 60));
    expect(text).not.toMatch(/Schedule 4|Schedule 5|Financial arrangements|Distribution of network funds|Employing practice/);
    const parties = new Set(annex.parties);
    for (const s of model.signatures) {
      if (parties.has(s.odsCode)) expect(text).toContain(normaliseText(s.person));
    }
    const outsider = model.signatures.find((s) => !parties.has(s.odsCode) && s.organisation !== model.pcn.name);
    expect(outsider).toBeDefined();
    expect(text).not.toContain(normaliseText(outsider!.organisation));
    expect(runTool('pdfsig', [path]).stdout).toContain('Signature is Valid.');
    // The annex's own part reference: the same string printed on its pages and stored.
    expect(inspectSealedPdf(pdf).reference).toBe(annexPartReference(model.reference, model.annexes.indexOf(annex)));
    expect(text).toContain(annexPartReference(model.reference, model.annexes.indexOf(annex)));
    await expect(renderAnnexPdf(model, 'annex-zz')).rejects.toThrow(/Unknown annex/);
  });
});

describe('draft mode', () => {
  it('watermarks every page with DRAFT and is never sealed', async () => {
    const model = buildDocumentModel({ practices: 8, annexes: 2, draft: true });
    const pdf = await renderAgreementPdf(model);
    const path = writeTemp(tempDir(), 'draft.pdf', pdf);
    const pages = pdfPages(path, false);
    expect(pages.length).toBeGreaterThan(5);
    pages.forEach((p) => expect(p).toContain('DRAFT'));
    expect(runTool('pdfsig', [path], { allowFailure: true }).stdout + runTool('pdfsig', [path], { allowFailure: true }).stderr).toMatch(
      /does not contain any signatures/,
    );
    expect(inspectSealedPdf(pdf)).toMatchObject({ isPdf: true, signed: false, reason: 'the PDF carries no signature' });
    await expect(renderAgreementPdf(model, { sealPlaceholder: true })).rejects.toThrow(/never sealed/);
    const dev = generateDevSealCertificate({ passphrase: 'x' });
    await expect(renderAndSeal(model, SealService.fromPkcs12(dev.p12, 'x'))).rejects.toThrow(/never sealed/);
  });
});

describe('inspectSealedPdf on bad input', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['garbage', Buffer.from('this is not a pdf at all')],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['fake header', Buffer.from('%PDF-1.7\n/ByteRange [0 10 20 30] /Contents <zz>\n%%EOF')],
    ['bad CMS', Buffer.from('%PDF-1.7\n/ByteRange [0 9 15 9] <3082>\n%%EOF\n')],
  ])('%s gives a negative result without throwing', (_name, buf) => {
    const r = inspectSealedPdf(buf);
    expect(r.digestMatches).toBe(false);
    expect(r.signatureValid).toBe(false);
    expect(r.reason).toEqual(expect.any(String));
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('handles truncated and unsigned PDFs', async () => {
    const model = buildDocumentModel({ practices: 4, annexes: 1 });
    const dev = generateDevSealCertificate({ passphrase: 'x' });
    const { pdf } = await renderAndSeal(model, SealService.fromPkcs12(dev.p12, 'x'));
    const truncated = inspectSealedPdf(pdf.subarray(0, Math.floor(pdf.length / 2)));
    expect(truncated).toMatchObject({ isPdf: true, truncated: true, signed: false, digestMatches: false });
    expect(truncated.reason).toMatch(/truncated/);
    const unsigned = inspectSealedPdf(await renderAgreementPdf(model));
    expect(unsigned).toMatchObject({ isPdf: true, signed: false, reference: model.reference });
    expect(inspectSealedPdf(undefined as unknown as Buffer).isPdf).toBe(false);
  });
});
