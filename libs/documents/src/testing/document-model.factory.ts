import { createHash } from 'node:crypto';
import type {
  AgreementDocumentModel,
  AnnexSection,
  CertificateEvent,
  Clause,
  DocumentSection,
  SignatureBlock,
} from '../render/document-model';

export interface FactoryPractice {
  name: string;
  odsCode: string;
  listSize: number;
  partners: string[];
}

export interface DocumentModelFactoryOptions {
  practices?: number;
  annexes?: number;
  clauses?: number;
  draft?: boolean;
  overrides?: Partial<AgreementDocumentModel>;
}

/** Deliberately long names: the renderer must wrap them, never cut them. */
const PRACTICE_NAMES = [
  'The Riverside and Old Town Medical Partnership incorporating Millbrook Surgery',
  'St Aldhelm’s Health Centre (Dr Okonkwo-Pemberton, Dr Fairweather-Lansdowne & Partners)',
  'Harbourside Family Practice',
  'Kingsmead, Abbeyfields and Lower Wharfedale Integrated Primary Care Group Practice',
  'Beechwood Surgery',
  'North Quay & Saltmarsh Community Medical Centre',
  'Dr Siobhan Ní Mhurchú and Dr Krzysztof Wiśniewski Practice',
  'Greenlane Surgery',
  'The Chantry, Cathedral Close and Minster Yard Health Partnership',
  'Parkview Medical Centre',
  'Elmstead Market & Great Bromley Villages Rural Dispensing Practice',
  'Hollybush Lane Surgery',
  'Westgate, Eastgate and Northgate Collaborative Medical Practice',
  'Orchard House Health Centre',
  'Lindisfarne Way Family Doctors',
  'Cross Keys Practice',
  'The Avenue Surgery and Cottage Hospital Branch',
  'Marshfield Road Medical Practice',
  'Wyvern Vale GP Partnership (formerly Wyvern and Vale Surgeries)',
  'Brook Street Surgery',
  'Fenland Edge Practice',
  'Meadowbank Health',
];

const FIRST = ['Aisha', 'Ben', 'Catriona', 'Dev', 'Eleanor', 'Femi', 'Gwen', 'Harpreet', 'Ifeoma', 'Jonah', 'Kasia', 'Liam'];
const LAST = ['Adeyemi-Whitworth', 'Bhattacharya', 'Cholmondeley', 'Dlamini', 'Evans', 'Fitzgerald-O’Neill', 'Gupta', 'Hughes'];

function person(i: number): string {
  return `Dr ${FIRST[i % FIRST.length]} ${LAST[(i * 5 + 3) % LAST.length]}`;
}

export function makePractices(n: number): FactoryPractice[] {
  return Array.from({ length: n }, (_, i) => ({
    name: PRACTICE_NAMES[i % PRACTICE_NAMES.length] + (i >= PRACTICE_NAMES.length ? ` (${i + 1})` : ''),
    odsCode: `${i % 3 === 0 ? 'Y' : 'B'}${String(81001 + i * 37).padStart(5, '0')}`,
    listSize: 4200 + ((i * 2719) % 14000),
    partners: [person(i * 2), person(i * 2 + 1)],
  }));
}

const CLAUSE_TITLES = [
  'Definitions and interpretation',
  'Principles of the Network',
  'General obligations of the members',
  'Patient involvement',
  'Financial arrangements',
  'Workforce',
  'Information sharing and confidentiality',
  'Conflicts of interest',
  'Meetings and governance',
  'Joining and leaving the Network',
  'Duration and variation',
  'Termination',
  'Dispute resolution',
  'Events outside our control',
];

const LOREM =
  'We will work together in good faith to deliver the Network Contract Directed Enhanced Service for the population of our network area, sharing information, workforce and resources as set out in the schedules. Each of us remains responsible for the services we provide under our own primary medical services contract. Nothing in this agreement creates a partnership, an employment relationship or a legal entity between us.';

export const FINANCE_SCHEDULE_TEXT =
  'Network funds received by the nominated payee are distributed to members monthly in arrears, pro rata to registered list size at 1 January, after deduction of the agreed clinical director and network management costs.';

function clauses(n: number): Clause[] {
  return Array.from({ length: n }, (_, i) => ({
    number: `${i + 1}.`,
    heading: CLAUSE_TITLES[i % CLAUSE_TITLES.length],
    text: `${LOREM}\n\n${i + 1}.1 ${LOREM.slice(0, 240)}.`,
  }));
}

function schedules(practices: FactoryPractice[], pcnName: string): DocumentSection[] {
  return [
    {
      id: 'schedule-1',
      title: 'Schedule 1 — Key network details and governance',
      blocks: [
        { kind: 'paragraph', text: `The core network practices of ${pcnName} are listed below with their ODS codes and registered list sizes.` },
        {
          kind: 'table',
          caption: 'Core network practices',
          columns: [
            { header: 'Practice', width: 4 },
            { header: 'ODS code', width: 1.1 },
            { header: 'List size', width: 1 },
            { header: 'Signing partners', width: 2.6 },
          ],
          rows: practices.map((p) => [p.name, p.odsCode, p.listSize.toLocaleString('en-GB'), p.partners.join('; ')]),
        },
        { kind: 'subheading', text: 'Clinical director and nominated payee' },
        {
          kind: 'keyValue',
          items: [
            { label: 'Clinical director', value: `${practices[0].partners[0]}, ${practices[0].name}` },
            { label: 'Nominated payee', value: `${practices[1].name} (${practices[1].odsCode})` },
            { label: 'Decisions', value: 'Simple majority of members present, each member practice having one vote; unanimity for admission or expulsion of a member.' },
          ],
        },
      ],
    },
    {
      id: 'schedule-3',
      title: 'Schedule 3 — Activities',
      blocks: [
        {
          kind: 'table',
          columns: [
            { header: 'Service specification', width: 3 },
            { header: 'Lead practice', width: 3 },
            { header: 'Delivery arrangement', width: 3 },
          ],
          rows: [
            'Structured Medication Review & Medicines Optimisation',
            'Enhanced Health in Care Homes',
            'Anticipatory Care',
            'Personalised Care',
            'Supporting Early Cancer Diagnosis',
            'Cardiovascular Disease Prevention & Diagnosis',
            'Tackling Neighbourhood Health Inequalities',
            'Enhanced Access (6.30–8pm weekdays, 9am–5pm Saturdays)',
          ].map((s, i) => [s, practices[i % practices.length].name, 'Delivered by ARRS staff hosted by the lead practice on behalf of all members; clinical supervision by a named GP partner.']),
        },
      ],
    },
    {
      id: 'schedule-4',
      title: 'Schedule 4 — Financial arrangements',
      blocks: [
        { kind: 'paragraph', text: FINANCE_SCHEDULE_TEXT },
        {
          kind: 'table',
          caption: 'Distribution of network funds',
          columns: [
            { header: 'Member practice', width: 4 },
            { header: 'Share of core PCN funding', width: 1.6 },
            { header: 'Share of capacity and access payment', width: 1.6 },
          ],
          rows: practices.map((p, i) => [p.name, `${(100 / practices.length).toFixed(2)}%`, `${(100 / practices.length + (i % 2 ? 0.1 : -0.1)).toFixed(2)}%`]),
        },
      ],
    },
    {
      id: 'schedule-5',
      title: 'Schedule 5 — Workforce',
      blocks: [
        { kind: 'paragraph', text: 'ARRS staff are employed by the employing practice named below and work across all member practices under an honorary contract. Employment costs are recharged quarterly.' },
        {
          kind: 'table',
          columns: [
            { header: 'Role', width: 2.4 },
            { header: 'WTE', width: 0.8 },
            { header: 'Employing practice', width: 4 },
          ],
          rows: ['Clinical pharmacist', 'Social prescribing link worker', 'Care coordinator', 'First contact physiotherapist', 'Mental health practitioner', 'Paramedic'].map(
            (r, i) => [r, (1 + (i % 3) * 0.5).toFixed(1), practices[(i * 3) % practices.length].name],
          ),
        },
      ],
    },
  ];
}

export const ANNEX_PURPOSES = [
  'Joint-controller data sharing for direct care across member practices',
  'Art 28 processing by the lead practice for ARRS workforce administration',
  'Collaboration with the community pharmacy partners on medicines optimisation',
  'Sharing with the community mental health trust for integrated neighbourhood teams',
  'Payment validation and audit data flows with the ICB',
  'Voluntary sector social prescribing referrals',
];

function annexes(n: number, practices: FactoryPractice[], nonGp: SignatureBlock[]): AnnexSection[] {
  return Array.from({ length: n }, (_, i) => {
    const letter = String.fromCharCode(65 + i);
    const extra = nonGp[i % Math.max(nonGp.length, 1)];
    const parties = practices.slice(0, 6 + i).map((p) => p.odsCode);
    if (i > 0 && extra) parties.push(extra.odsCode);
    return {
      id: `annex-${letter.toLowerCase()}`,
      title: `Annex ${letter} — ${i === 1 ? 'Data processing agreement' : 'Data sharing agreement'}`,
      purpose: ANNEX_PURPOSES[i % ANNEX_PURPOSES.length],
      parties,
      blocks: [
        {
          kind: 'keyValue',
          items: [
            { label: 'Agreement type', value: i === 1 ? 'Art 28 data processing agreement' : 'Joint-controller data sharing agreement (UK GDPR Art 26)' },
            { label: 'Lawful basis (Art 6)', value: 'Art 6(1)(e) public task' },
            { label: 'Special category condition (Art 9)', value: 'Art 9(2)(h) health or social care, DPA 2018 Sch 1 Pt 1 para 2' },
            { label: 'Common-law duty of confidentiality', value: 'Implied consent for direct care' },
            { label: 'Retention', value: 'NHS Records Management Code of Practice 2023; secure deletion at end of retention' },
          ],
        },
        { kind: 'subheading', text: 'Data flows' },
        {
          kind: 'table',
          columns: [
            { header: 'From', width: 3 },
            { header: 'To', width: 3 },
            { header: 'System and method', width: 2.2 },
            { header: 'Frequency', width: 1.2 },
          ],
          rows: parties.slice(0, 5).map((ods, j) => [
            practices.find((p) => p.odsCode === ods)?.name ?? (extra ? extra.organisation : ods),
            practices[(j + 1) % practices.length].name,
            'EMIS Web / SystmOne shared record; NHSmail (encrypted)',
            j % 2 ? 'Daily' : 'As needed for care',
          ]),
        },
        { kind: 'paragraph', text: 'Personal data breaches are reported to the other parties within 24 hours of discovery so that the controller can notify the ICO within 72 hours.' },
      ],
    };
  });
}

export function buildDocumentModel(options: DocumentModelFactoryOptions = {}): AgreementDocumentModel {
  const practices = makePractices(options.practices ?? 20);
  const pcnName = 'Riverside, Saltmarsh and Lower Wharfedale Villages Primary Care Network';
  const signatures: SignatureBlock[] = [];
  const base = Date.parse('2026-03-02T09:15:00Z');
  practices.forEach((p, i) => {
    // One signing partner per practice; larger partnerships get a second signatory.
    const partners = i % 2 === 0 ? p.partners : p.partners.slice(0, 1);
    partners.forEach((name, j) =>
      signatures.push({
        organisation: p.name,
        odsCode: p.odsCode,
        person: name,
        capacity: j === 0 ? 'Senior partner' : 'Partner',
        step: 1,
        approvedAt: options.draft ? null : new Date(base + (i * 7 + j) * 3_600_000 * 5).toISOString(),
        authMethod: i % 3 === 0 ? 'NHS CIS2 smartcard' : 'Email one-time code + password',
      }),
    );
  });
  const nonGp: SignatureBlock[] = [
    { organisation: 'Wharfedale Community Pharmacy Partnership Limited', odsCode: 'FA123', person: 'Priya Raman', capacity: 'Superintendent pharmacist', step: 2, approvedAt: null, authMethod: 'Email one-time code' },
    { organisation: 'Lower Wharfedale Community Mental Health Services NHS Foundation Trust', odsCode: 'RX4', person: 'Tom Ashworth-Greene', capacity: 'Director of Operations', step: 2, approvedAt: null, authMethod: 'NHS CIS2 smartcard' },
  ].map((s, i) => ({ ...s, approvedAt: options.draft ? null : new Date(base + (200 + i) * 3_600_000).toISOString() }));
  signatures.push(...nonGp);
  signatures.push({
    organisation: pcnName,
    odsCode: 'U12345',
    person: practices[0].partners[0],
    capacity: 'Clinical director (countersignature)',
    step: 3,
    approvedAt: options.draft ? null : new Date(base + 240 * 3_600_000).toISOString(),
    authMethod: 'NHS CIS2 smartcard',
  });
  const igApprovals: SignatureBlock[] = [
    { organisation: practices[1].name, odsCode: practices[1].odsCode, person: 'Helen Mistry', capacity: 'Data Protection Officer', step: 0, approvedAt: null, authMethod: 'Email one-time code' },
    { organisation: practices[0].name, odsCode: practices[0].odsCode, person: practices[0].partners[1], capacity: 'Caldicott Guardian', step: 0, approvedAt: null, authMethod: 'NHS CIS2 smartcard' },
  ].map((s, i) => ({ ...s, approvedAt: options.draft ? null : new Date(base - (48 - i) * 3_600_000).toISOString() }));

  const revisionHash = createHash('sha256').update(`revision-3:${pcnName}`).digest('hex');
  const events: CertificateEvent[] = [
    { at: new Date(base - 72 * 3_600_000).toISOString(), actor: practices[0].partners[0], organisation: pcnName, action: 'Sent for approval (revision 3)', ip: '10.24.3.17', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36 Edg/128.0' },
    ...igApprovals.map((s) => ({ at: s.approvedAt ?? '', actor: s.person, organisation: s.organisation, action: `IG approval (${s.capacity})`, ip: '10.24.8.40', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/131.0' })),
    ...signatures.map((s, i) => ({
      at: s.approvedAt ?? new Date(base).toISOString(),
      actor: s.person,
      organisation: s.organisation,
      action: s.approvedAt ? `Approved (step ${s.step})` : 'Viewed',
      ip: `194.176.${100 + (i % 50)}.${(i * 37) % 254}`,
      userAgent: i % 2 ? 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/128.0 Safari/537.36',
    })),
    { at: new Date(base + 241 * 3_600_000).toISOString(), actor: 'PCN Agreements Platform', organisation: '', action: 'Completed and sealed', ip: '—', userAgent: 'pdf-seal worker' },
  ];

  const model: AgreementDocumentModel = {
    reference: 'NA-U12345-2026-0001-r3',
    title: 'Network Agreement 2026/27 and data-sharing annexes',
    pcn: { name: pcnName, code: 'U12345', icbCode: 'QWO', icbName: 'NHS West Yorkshire Integrated Care Board' },
    version: '2026/27 r3',
    status: options.draft ? 'Draft' : 'Completed',
    effectiveFrom: '2026-04-01',
    revisionHash,
    draft: options.draft ?? false,
    generatedAt: '2026-03-12T10:30:00.000Z',
    clauses: clauses(options.clauses ?? 14),
    sections: schedules(practices, pcnName),
    annexes: annexes(options.annexes ?? 5, practices, nonGp),
    signatures,
    igApprovals,
    certificate: {
      events,
      revisionHash,
      sealCertificateRef: 'CN=PCN Agreements Platform Seal (development), O=PCN Agreements Platform, C=GB; SHA-256 fingerprint to be confirmed at sealing',
      verificationUrl: 'https://agreements.example.nhs.uk/verify/NA-U12345-2026-0001-r3',
    },
  };
  return { ...model, ...options.overrides };
}
