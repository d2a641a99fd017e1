import * as Enums from '@pcn/agreements/content/agreement-content.enums';
import { AgreementStatus, DistributionBasis, NETWORK_AGREEMENT_2025_26 } from '@pcn/agreements';
import {
  BYTES_COMMUNITY_TRUST,
  BYTES_IDS,
  BYTES_PRACTICES,
  buildValidContent,
} from '@pcn/agreements/content/testing/content.factory';
import type { AgreementDocumentModel, AnnexSection, Block, DocumentSection, SignatureBlock, TableBlock } from '../../render/document-model';
import { renderAgreementPdf } from '../../render/render-agreement';
import { pdfTextFlat, tempDir, writeTemp } from '../../testing/pdf-tools';
import {
  AgreementDocumentInput,
  AgreementDocumentInputError,
  annexSectionId,
  buildAgreementDocumentModel,
} from '..';
import { referencedOrganisationIds } from '@pcn/agreements';

jest.setTimeout(60_000);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Every enum value worth searching for as a whole word (single letters and printed acronyms excluded). */
const RAW_ENUM_VALUES = [
  ...new Set(
    ([...Object.values(Enums), AgreementStatus] as unknown[])
      .filter((e): e is Record<string, string> => typeof e === 'object' && e !== null)
      .flatMap((e) => Object.values(e))
      .filter((v) => typeof v === 'string' && v.length > 1 && !['MOU', 'VCSE'].includes(v)),
  ),
];

const ORGANISATIONS: AgreementDocumentInput['organisations'] = {
  ...Object.fromEntries(BYTES_PRACTICES.map((p) => [p.organisationId, { name: p.name, odsCode: p.odsCode, kind: 'GP_PRACTICE' }])),
  [BYTES_COMMUNITY_TRUST.organisationId]: { name: BYTES_COMMUNITY_TRUST.name, odsCode: 'RYX', kind: BYTES_COMMUNITY_TRUST.kind },
};

function signature(organisation: string, odsCode: string, person: string, step: number): SignatureBlock {
  return { organisation, odsCode, person, capacity: 'Partner', step, approvedAt: '2026-03-20T10:00:00.000Z', authMethod: 'NHS CIS2 smartcard' };
}

function buildInput(overrides: Partial<AgreementDocumentInput> = {}): AgreementDocumentInput {
  return {
    reference: 'NA-U70101-2026-0001',
    title: 'Bytes Primary Care Network Agreement',
    versionNumber: 2,
    status: AgreementStatus.Executed,
    pcn: { name: 'Bytes PCN', code: 'U70101', icbCode: 'QE1' },
    revision: { number: 3, contentHash: 'a'.repeat(64), content: buildValidContent() },
    clauses: NETWORK_AGREEMENT_2025_26.clauses,
    organisations: ORGANISATIONS,
    draft: false,
    generatedAt: '2026-03-21T09:00:00.000Z',
    signatures: [
      ...BYTES_PRACTICES.map((p, i) => signature(p.name, p.odsCode, `Dr Partner ${i + 1}`, 1)),
      signature(BYTES_COMMUNITY_TRUST.name, 'RYX', 'Jo Director', 2),
    ],
    igApprovals: [signature(BYTES_PRACTICES[0].name, BYTES_PRACTICES[0].odsCode, 'Dana DPO', 0)],
    events: [
      {
        at: '2026-03-20T10:00:00.000Z',
        actor: 'Dr Partner 1',
        organisation: BYTES_PRACTICES[0].name,
        action: 'Approved (step 1)',
        ip: '10.0.0.1',
        userAgent: 'jest',
      },
    ],
    sealCertificateRef: 'CN=PCN Agreements Platform Seal (test)',
    verificationUrl: 'https://agreements.example.nhs.uk/verify/NA-U70101-2026-0001-r3',
    ...overrides,
  };
}

function section(model: AgreementDocumentModel, id: string): DocumentSection {
  const s = model.sections.find((x) => x.id === id);
  if (!s) throw new Error(`missing section ${id}`);
  return s;
}

function tables(s: DocumentSection): TableBlock[] {
  return s.blocks.filter((b): b is TableBlock => b.kind === 'table');
}

function headers(t: TableBlock): string[] {
  return t.columns.map((c) => c.header);
}

function allText(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

/** The model minus structural section ids (annex ids embed the content annex uuid by design). */
function printable(model: AgreementDocumentModel): string {
  return JSON.stringify({ ...model, annexes: model.annexes.map(({ id: _id, ...rest }) => rest) });
}

describe('buildAgreementDocumentModel', () => {
  const model = buildAgreementDocumentModel(buildInput());
  const annexId = annexSectionId(BYTES_IDS.directCareAnnex);

  it('fills the document header from the input', () => {
    expect(model.reference).toBe('NA-U70101-2026-0001-r3');
    expect(model.version).toBe('2 (variation)');
    expect(buildAgreementDocumentModel(buildInput({ versionNumber: 1 })).version).toBe('1 (original)');
    expect(model.status).toBe('Executed');
    expect(model.effectiveFrom).toBe('2026-04-01');
    expect(model.revisionHash).toBe('a'.repeat(64));
    expect(model.certificate).toMatchObject({ revisionHash: 'a'.repeat(64), verificationUrl: expect.stringContaining('-r3') });
    expect(model.clauses).toHaveLength(NETWORK_AGREEMENT_2025_26.clauses.length);
    expect(model.clauses[0]).not.toHaveProperty('editable');
  });

  it('builds schedules 1 to 7, in order, with the expected tables', () => {
    expect(model.sections.map((s) => s.id)).toEqual(['schedule-1', 'schedule-2', 'schedule-3', 'schedule-4', 'schedule-5', 'schedule-6', 'schedule-7']);

    const s1 = section(model, 'schedule-1');
    const [core] = tables(s1);
    expect(headers(core)).toEqual(['Practice', 'ODS code', 'List size', 'List size date', 'Legal form']);
    expect(core.rows).toHaveLength(BYTES_PRACTICES.length + 1);
    expect(core.rows[0]).toEqual(['Riverside Medical Centre', 'A81001', '9,800', '1 January 2026', 'Partnership']);
    expect(core.rows[2][4]).toBe('Sole trader');
    expect(core.rows[BYTES_PRACTICES.length]).toEqual(['Total (4 practices)', '', '37,300', '', '']);
    const s1Text = allText(s1.blocks);
    expect(s1Text).toContain('Dr Asha Patel');
    expect(s1Text).toContain('15 March 2026');
    expect(s1Text).toContain('Elected by the member practices');
    expect(s1Text).toContain('Riverside Medical Centre (A81001)');
    expect(s1Text).toContain('Monthly');
    expect(s1Text).toContain('At least 3 core network practices.');
    expect(s1Text).toContain('Simple majority');
    expect(s1Text).toContain('• Admitting a new core network practice');

    const s2 = section(model, 'schedule-2');
    expect(s2.blocks).toEqual([
      { kind: 'subheading', text: 'Clinical director duties' },
      { kind: 'paragraph', text: expect.stringContaining('ARRS spending') },
    ]);

    const [activities] = tables(section(model, 'schedule-3'));
    expect(headers(activities)).toEqual(['Service specification', 'Delivered by', 'Subcontracted', 'CQC-registered provider']);
    expect(activities.rows[1]).toEqual([
      'Anticipatory Care',
      `Riverside Medical Centre (A81001); ${BYTES_COMMUNITY_TRUST.name} (RYX)`,
      'No',
      'Not applicable',
    ]);
    expect(activities.rows[2][3]).toBe('Castle Street Surgery (A81002)');

    const s4 = section(model, 'schedule-4');
    expect(tables(s4)).toHaveLength(0); // weighted list size: no shares table
    expect(allText(s4.blocks)).toContain('Network funding is distributed by weighted list size.');
    expect(allText(s4.blocks)).toContain('ring-fenced account');

    const [posts] = tables(section(model, 'schedule-5'));
    expect(headers(posts)).toEqual(['Role', 'Employer', 'WTE', 'Start', 'Host practices']);
    expect(posts.rows[0]).toEqual([
      'Clinical pharmacist',
      'Riverside Medical Centre (A81001)',
      '1.0',
      '1 April 2026',
      'Riverside Medical Centre (A81001); Castle Street Surgery (A81002)',
    ]);

    const s6 = section(model, 'schedule-6');
    expect(s6.blocks).toContainEqual({ kind: 'paragraph', text: 'None' }); // empty "other terms"
    expect(allText(s6.blocks)).toContain('CNSGP');

    const [nonGp] = tables(section(model, 'schedule-7'));
    expect(headers(nonGp)).toEqual(['Organisation', 'Provider type', 'Instrument', 'Voting rights', 'Sees finances', 'From', 'To']);
    expect(nonGp.rows).toEqual([
      [`${BYTES_COMMUNITY_TRUST.name} (RYX)`, 'Community services provider', 'Collaboration agreement', 'No', 'No', '1 April 2026', 'Open-ended'],
    ]);
  });

  it('prints a shares table only for custom percentages', () => {
    const content = buildValidContent({
      schedules: {
        finances: {
          distributionBasis: DistributionBasis.CUSTOM_PERCENTAGES,
          shares: [
            { organisationId: BYTES_IDS.riverside, percentage: 40 },
            { organisationId: BYTES_IDS.castleStreet, percentage: 30.5 },
            { organisationId: BYTES_IDS.hillview, percentage: 29.5 },
          ],
        },
      },
    });
    const custom = buildAgreementDocumentModel(buildInput({ revision: { number: 1, contentHash: 'b'.repeat(64), content } }));
    const [shares] = tables(section(custom, 'schedule-4'));
    expect(headers(shares)).toEqual(['Practice', 'ODS code', 'Share']);
    expect(shares.rows).toEqual([
      ['Riverside Medical Centre', 'A81001', '40%'],
      ['Castle Street Surgery', 'A81002', '30.5%'],
      ['Hillview Practice', 'A81003', '29.5%'],
      ['Total', '', '100%'],
    ]);
  });

  it('never prints raw enum values or organisation uuids', () => {
    const json = printable(model);
    expect(json).not.toMatch(UUID);
    const leaked = RAW_ENUM_VALUES.filter((v) => new RegExp(`\\b${v}\\b`).test(json));
    expect(leaked).toEqual([]);
    expect(RAW_ENUM_VALUES).toEqual(expect.arrayContaining(['WEIGHTED_LIST_SIZE', 'JOINT_CONTROLLER', 'EXECUTED', 'CLINICAL_PHARMACIST']));
  });

  it('builds one annex section per data-sharing annex, findable by the content annex id', () => {
    expect(model.annexes.map((a) => a.id)).toEqual([annexId]);
    const annex = model.annexes.find((a) => a.id === annexId) as AnnexSection;
    expect(annex.title).toBe('Annex A — Direct care and ARRS workforce data sharing');
    expect(annex.purpose).toMatch(/^Providing direct care to patients/);
    expect(annex.parties).toEqual(['A81001', 'A81002', 'A81003', 'Y01234', 'RYX']);

    const [parties, purposes, items, flows] = tables(annex);
    expect(headers(parties)).toEqual(['Organisation', 'ODS', 'Data role', 'DPO', 'Caldicott Guardian', 'DSPT']);
    expect(parties.rows[0]).toEqual([
      'Riverside Medical Centre',
      'A81001',
      'Joint controller',
      'DPO for Riverside Medical Centre, dpo@riverside-medical-centre.example.nhs.uk',
      'Caldicott Guardian for Riverside Medical Centre, caldicott@riverside-medical-centre.example.nhs.uk',
      'Standards met (2025-26)',
    ]);
    expect(parties.rows[4][5]).toBe('Standards exceeded (2025-26)');

    expect(headers(purposes)).toEqual(['Purpose', 'Category', 'Article 6 basis', 'Article 9 condition', 'DPA 2018 Sch 1 condition', 'Confidentiality basis']);
    expect(purposes.rows[0].slice(1)).toEqual([
      'Direct care',
      '6(1)(e) public task',
      '9(2)(h) health or social care',
      'Schedule 1 Part 1 paragraph 2 (health or social care purposes)',
      'Implied consent for direct care',
    ]);
    expect(purposes.rows[1].slice(1, 4)).toEqual(['ARRS workforce administration', '6(1)(c) legal obligation', '9(2)(b) employment, social security and social protection']);

    expect(headers(items)).toEqual(['Item', 'Justification', 'Special category', 'Criminal offence']);
    expect(items.rows[1]).toEqual(['Diagnoses', 'Clinicians need the problem list to treat safely.', 'Yes', 'No']);

    expect(headers(flows)).toEqual(['From', 'To', 'System', 'Method', 'Encrypted', 'Frequency']);
    expect(flows.rows[0]).toEqual([
      'Riverside Medical Centre (A81001)',
      `${BYTES_COMMUNITY_TRUST.name} (RYX)`,
      'EMIS Web shared care record',
      'GP Connect over HSCN',
      'Yes',
      'Real time',
    ]);

    const text = allText(annex.blocks);
    expect(text).toContain('Joint-controller data sharing agreement');
    expect(text).toContain('Patients, ARRS staff');
    expect(text).toContain('NHS Records Management Code of Practice 2023');
    expect(text).toContain('• Role-based access with NHS smartcards');
    expect(text).toContain('DPIA-BYTES-2026-01');
    expect(text).toContain('1 March 2026');
    expect(text).toContain('Within 24 hours of discovery');
    expect(text).toContain('31 March 2027');
    expect(text).toContain('No fixed end date');
    expect(text).toContain('https://bytes-pcn.example.nhs.uk/privacy');
  });

  it('keeps schedule content (finance, workforce) out of annex sections', () => {
    const annexText = JSON.stringify(model.annexes);
    expect(annexText).not.toContain('Schedule 4');
    expect(annexText).not.toContain('ring-fenced account');
    expect(annexText).not.toContain('Clinical pharmacist');
    expect(annexText).not.toContain('37,300');
  });

  it('applies dispute clause overrides to the template clauses', () => {
    const meetingClause = 'We will first discuss any dispute at a members’ meeting chaired by the clinical director.';
    const content = buildValidContent({ disputeClauseOverrides: { meetingClause } });
    const overridden = buildAgreementDocumentModel(buildInput({ revision: { number: 1, contentHash: 'c'.repeat(64), content } }));
    const meetingIndex = NETWORK_AGREEMENT_2025_26.clauses.findIndex((c) => c.editable === 'dispute-meeting');
    expect(meetingIndex).toBeGreaterThanOrEqual(0);
    expect(overridden.clauses[meetingIndex].text).toBe(meetingClause);
    expect(model.clauses[meetingIndex].text).toBe(NETWORK_AGREEMENT_2025_26.clauses[meetingIndex].text);
    const lmcIndex = NETWORK_AGREEMENT_2025_26.clauses.findIndex((c) => c.editable === 'dispute-lmc');
    expect(overridden.clauses[lmcIndex].text).toBe(NETWORK_AGREEMENT_2025_26.clauses[lmcIndex].text);
  });

  it('throws a clear error when a referenced organisation is not supplied', () => {
    const { [BYTES_IDS.communityTrust]: _trust, ...withoutTrust } = ORGANISATIONS;
    const build = () => buildAgreementDocumentModel(buildInput({ organisations: withoutTrust }));
    expect(build).toThrow(AgreementDocumentInputError);
    expect(build).toThrow(new RegExp(`no entry for 1 referenced organisation id\\(s\\): ${BYTES_IDS.communityTrust} \\(schedules\\.activities\\[1\\]\\.deliveredBy\\[1\\]`));
    expect(build).toThrow(/schedules\.nonGpArrangements\[0\]\.organisationId/);
    expect(build).toThrow(/annexes\[0\]\.parties\[4\]\.organisationId/);
  });

  it('lists the organisation ids the caller must supply', () => {
    expect(referencedOrganisationIds(buildValidContent()).sort()).toEqual(Object.keys(ORGANISATIONS).sort());
  });

  it('refuses an annex party without an ODS code', () => {
    const organisations = { ...ORGANISATIONS, [BYTES_IDS.communityTrust]: { ...ORGANISATIONS[BYTES_IDS.communityTrust], odsCode: null } };
    expect(() => buildAgreementDocumentModel(buildInput({ organisations }))).toThrow(/has no ODS code/);
  });

  it('renders to a PDF that shows the practices and the annex purpose', async () => {
    const pdf = await renderAgreementPdf(model);
    const text = pdfTextFlat(writeTemp(tempDir(), 'agreement.pdf', pdf));
    for (const p of BYTES_PRACTICES) expect(text).toContain(p.name);
    expect(text).toContain('Providing direct care to patients through network services');
    expect(text).toContain('Schedule 7');
    expect(text).toContain('6(1)(e) public task');
    expect(text).not.toMatch(UUID);
  });
});
