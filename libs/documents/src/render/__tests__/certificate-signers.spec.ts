import type { AgreementDocumentModel, CertificateSigner } from '../document-model';
import { renderAgreementPdf, renderAnnexPdf } from '../render-agreement';
import { formatLondon, formatUtc } from '../format';
import { buildDocumentModel } from '../../testing/document-model.factory';
import { normaliseText, pdfPages, pdfTextFlat, tempDir, writeTemp } from '../../testing/pdf-tools';

jest.setTimeout(60_000);

const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';

/** A model whose certificate carries the evidence of `count` approvals (agreement and annex parts, one decline, one never viewed). */
function modelWithSigners(count: number): { model: AgreementDocumentModel; annexId: string } {
  const model = buildDocumentModel({ practices: 4, annexes: 2 });
  const annex = model.annexes[0];
  const base = Date.parse('2026-12-02T08:22:49Z');
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const signers: CertificateSigner[] = Array.from({ length: count }, (_, i) => {
    const onAnnex = i % 3 === 2;
    return {
      name: `Dr Signer ${i + 1}`,
      email: `signer.${i + 1}@practice${i % 4}.nhs.uk`,
      organisation: `Practice ${i % 4} Medical Centre`,
      odsCode: `A8700${i % 4}`,
      capacity: onAnnex ? 'Data Protection Officer' : 'Partner',
      step: onAnnex ? '1: Information governance review' : '2: Member practice and partner signatures',
      part: onAnnex ? annex.id : null,
      partTitle: onAnnex ? annex.title : 'The agreement',
      outcome: i === count - 1 ? 'Declined' : onAnnex ? 'Approved (information governance)' : 'Signed',
      sentAt: at(i),
      viewedAt: i === 1 ? null : at(i + 30),
      actedAt: at(i + 45),
      ip: i % 2 ? '2001:db8::17' : '10.24.3.17',
      userAgent: i === 0 ? '' : CHROME_UA,
      authMethod: i % 2 ? 'NHS Care Identity Service 2 (smartcard)' : 'Password sign-in',
      typedName: `Dr Signer ${i + 1}`,
      authority: `Confirmed they have authority to ${onAnnex ? `approve ${annex.title}` : 'sign the agreement'} for Practice ${i % 4} Medical Centre as ${onAnnex ? 'Data Protection Officer' : 'Partner'}`,
    };
  });
  model.certificate.signers = signers;
  model.certificate.summary = {
    agreementReference: model.reference,
    revisionNumber: 1,
    sender: 'Dr Amira Okafor',
    createdAt: at(-600),
    sentAt: at(-1),
    completedAt: at(count + 60),
    seal: { subject: 'CN=PCN Agreements Platform Seal (test)', fingerprint: 'ab'.repeat(32), validFrom: at(-10_000), validTo: at(1_000_000) },
    timestamp: null,
  };
  return { model, annexId: annex.id };
}

/** The row the certificate prints for one approval, cell after cell, as pdftotext reads it. */
function expectedRow(s: CertificateSigner, withPart: boolean): string {
  const when = (label: string, iso: string | null) => (iso ? `${label} ${formatUtc(iso)} (${formatLondon(iso)})` : `${label}: not recorded`);
  return normaliseText(
    [
      s.name,
      `${s.organisation} (ODS ${s.odsCode})`,
      s.email,
      `Capacity: ${s.capacity}`,
      `Sign-in method: ${s.authMethod}`,
      ...(withPart ? [`Part: ${s.partTitle}`] : []),
      `Step ${s.step}`,
      `Authority: ${s.authority}`,
      `Adopted signature: “${s.typedName}” (the name the signer typed as their signature)`,
      when('Sent', s.sentAt),
      when('Viewed', s.viewedAt),
      when(s.outcome.startsWith('Declined') ? 'Declined' : s.outcome.startsWith('Approved') ? 'Approved' : s.outcome, s.actedAt),
      `IP address: ${s.ip}`,
      `User agent: ${s.userAgent || '—'}`,
    ].join(' '),
  );
}

/** Table rows in the structure tree (pdfkit writes structure elements as plain, uncompressed objects). */
const tableRows = (pdf: Buffer) => pdf.toString('latin1').split('/S /TR\n').length - 1;

describe('certificate of completion: the signers table', () => {
  const dir = tempDir();

  it('prints every approval as one row with all of its evidence, in order', async () => {
    const { model } = modelWithSigners(16);
    const flat = pdfTextFlat(writeTemp(dir, 'agreement.pdf', await renderAgreementPdf(model)));
    const signers = model.certificate.signers!;
    let from = flat.indexOf('Signer and how they signed in');
    expect(from).toBeGreaterThan(0);
    for (const s of signers) {
      const row = expectedRow(s, true);
      const found = flat.indexOf(row, from);
      expect({ signer: s.name, found: found > 0 }).toEqual({ signer: s.name, found: true });
      from = found + row.length;
    }
    expect(flat).toContain(`Signers ${signers.length} approvals by ${signers.length} people`);
  });

  it('adds exactly one table row per approval (and one header row) to the structure tree', async () => {
    const { model } = modelWithSigners(16);
    const withSigners = await renderAgreementPdf(model);
    const none = await renderAgreementPdf({ ...model, certificate: { ...model.certificate, signers: [] } });
    expect(tableRows(withSigners) - tableRows(none)).toBe(16 + 1);
  });

  it("shows an annex's own approvals only, without the part column's part line", async () => {
    const { model, annexId } = modelWithSigners(16);
    const flat = pdfTextFlat(writeTemp(dir, 'annex.pdf', await renderAnnexPdf(model, annexId)));
    const own = model.certificate.signers!.filter((s) => s.part === annexId);
    expect(own).toHaveLength(5);
    for (const s of own) expect(flat).toContain(expectedRow(s, false));
    for (const s of model.certificate.signers!.filter((x) => x.part !== annexId)) expect(flat).not.toContain(`${s.name} `);
  });

  it('keeps the "Signers" heading on the page of the first row, wherever the page breaks', async () => {
    // Each round listed above the signers moves the heading down the page by a row, so one of
    // these positions leaves room for the heading but not for the table's first row.
    const { model } = modelWithSigners(3);
    const positions = new Set<number>();
    for (let rounds = 0; rounds <= 14; rounds++) {
      const cert = {
        ...model.certificate,
        rounds: Array.from({ length: rounds }, (_, i) => ({
          number: i + 1,
          sentAt: '2026-12-01T09:00:00Z',
          sentBy: 'Dr Amira Okafor',
          endedAt: '2026-12-01T10:00:00Z',
          outcome: 'Withdrawn',
          reason: 'Withdrawn to correct the list of practices.',
        })),
      };
      const pages = pdfPages(writeTemp(dir, `rounds-${rounds}.pdf`, await renderAgreementPdf({ ...model, certificate: cert })));
      const heading = pages.findIndex((p) => /^\s*Signers$/m.test(p));
      const firstRow = pages.findIndex((p) => /^Dr Signer 1\s/m.test(p));
      expect({ rounds, heading }).toEqual({ rounds, heading: firstRow });
      positions.add(heading);
    }
    // The heading did move across a page break in these renders.
    expect(positions.size).toBeGreaterThan(1);
  });
});
