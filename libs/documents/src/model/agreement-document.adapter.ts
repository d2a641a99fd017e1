import {
  AgreementContent,
  ANNEX_KIND_LABELS,
  ARRS_ROLE_LABELS,
  CorePractice,
  DATA_ROLE_LABELS,
  DataSharingAnnex,
  DISTRIBUTION_BASIS_LABELS,
  DistributionBasis,
  NetworkAgreementTemplate,
  PAYEE_ARRANGEMENT_LABELS,
  resolveClauses,
  SERVICE_SPECIFICATION_LABELS,
  TemplateClause,
  organisationReferences,
} from '@pcn/agreements';
import type {
  AgreementDocumentModel,
  AnnexSection,
  Block,
  CertificateEvent,
  Clause,
  CompletionCertificate,
  DocumentSection,
  KeyValueBlock,
  SignatureBlock,
  TableBlock,
} from '../render/document-model';
import { formatDate } from '../render/format';
import {
  AGREEMENT_STATUS_LABELS,
  APPOINTMENT_METHOD_LABELS,
  ART6_BASIS_LABELS,
  ART9_CONDITION_LABELS,
  capitalise,
  CONFIDENTIALITY_BASIS_LABELS,
  DATA_SUBJECT_LABELS,
  DSPT_STATUS_LABELS,
  labelFor,
  MEETING_FREQUENCY_LABELS,
  NON_GP_INSTRUMENT_LABELS,
  NON_GP_PROVIDER_TYPE_LABELS,
  PRACTICE_LEGAL_FORM_LABELS,
  PURPOSE_CATEGORY_LABELS,
  VOTING_RULE_LABELS,
} from './agreement-document.labels';

/**
 * Maps a stored agreement revision (domain content from `@pcn/agreements`) onto the
 * renderer's `AgreementDocumentModel`. Pure: no Nest, no database, no clock — the
 * caller supplies every organisation the content references and the timestamps.
 *
 * Every printed value is a readable label: enum values go through the label maps,
 * organisation ids are looked up in `input.organisations` and printed "Name (ODS)".
 * Schedules (finance, workforce …) live only in `sections`; annex sections carry
 * only annex data, so an annex-only render never leaks schedule content.
 */

export interface OrganisationDisplay {
  name: string;
  odsCode: string | null;
  kind: string;
}

export interface AgreementDocumentInput {
  /** e.g. `NA-U70101-2026-0001`; the revision suffix `-r<n>` is added here. */
  reference: string;
  title: string;
  /** 1 = original agreement, 2+ = variations. */
  versionNumber: number;
  /** Agreement status, e.g. `EXECUTED`, `DRAFT` (printed as a label). */
  status: string;
  pcn: { name: string; code: string | null; icbCode: string };
  revision: { number: number; contentHash: string; content: AgreementContent };
  /** Template clauses; `content.disputeClauseOverrides` is applied here. */
  clauses: readonly TemplateClause[];
  /** Every organisation id the content references → display data (see `referencedOrganisationIds`). */
  organisations: Readonly<Record<string, OrganisationDisplay>>;
  draft: boolean;
  /** ISO instant; deterministic. */
  generatedAt: string;
  signatures: SignatureBlock[];
  igApprovals: SignatureBlock[];
  events: CertificateEvent[];
  sealCertificateRef: string;
  verificationUrl: string;
  /** Evidence for the certificate of completion of an executed revision (summary, rounds, signers, parts, deliveries). */
  certificate?: Pick<CompletionCertificate, 'summary' | 'rounds' | 'signers' | 'parts' | 'deliveries'>;
}

/** The caller supplied input the document cannot be built from (e.g. an unknown organisation id). */
export class AgreementDocumentInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgreementDocumentInputError';
  }
}

/** Section id of the annex built from the content annex with this id. */
export function annexSectionId(annexId: string): string {
  return `annex-${annexId}`;
}

export const SCHEDULE_SECTION_IDS = Object.freeze({
  keyDetails: 'schedule-1',
  additionalTerms: 'schedule-2',
  activities: 'schedule-3',
  finances: 'schedule-4',
  workforce: 'schedule-5',
  insurance: 'schedule-6',
  nonGpArrangements: 'schedule-7',
});


const NONE = 'None';
const NOT_APPLICABLE = 'Not applicable';
const DASH = '—';
const INTEGER = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const DECIMAL = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const WTE = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 2 });

const yesNo = (b: boolean | undefined) => (b ? 'Yes' : 'No');
const date = (d: string | undefined | null) => (d ? formatDate(d) : DASH);
const text = (t: string | undefined | null, empty = NONE) => (t?.trim() ? t.trim() : empty);
const bullets = (items: string[]) => items.map((i) => `• ${i}`).join('\n');

function annexLetter(index: number): string {
  let n = index;
  let out = '';
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

/**
 * Resolves organisation ids to display data. `input.organisations` wins; core practices
 * fall back to the name/ODS snapshot stored in the content (which is what was signed).
 */
class Organisations {
  private readonly snapshot = new Map<string, OrganisationDisplay>();

  constructor(
    private readonly supplied: Readonly<Record<string, OrganisationDisplay>>,
    corePractices: CorePractice[],
  ) {
    for (const p of corePractices) this.snapshot.set(p.organisationId, { name: p.name, odsCode: p.odsCode, kind: 'GP_PRACTICE' });
  }

  has(id: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.supplied, id) || this.snapshot.has(id);
  }

  get(id: string): OrganisationDisplay {
    const org = Object.prototype.hasOwnProperty.call(this.supplied, id) ? this.supplied[id] : this.snapshot.get(id);
    // organisationReferences() is checked up front, so this only guards against a missed path.
    if (!org) throw new AgreementDocumentInputError(`No organisation details supplied for organisation id ${id}`);
    return org;
  }

  /** "Name (ODS)", or just the name when the organisation has no ODS code. */
  display(id: string | undefined | null): string {
    if (!id) return DASH;
    const org = this.get(id);
    return org.odsCode ? `${org.name} (${org.odsCode})` : org.name;
  }

  list(ids: string[] | undefined): string {
    return ids && ids.length > 0 ? ids.map((id) => this.display(id)).join('; ') : DASH;
  }
}

export function buildAgreementDocumentModel(input: AgreementDocumentInput): AgreementDocumentModel {
  const content = input.revision.content;
  const corePractices = content.schedules.keyDetails.corePractices ?? [];
  const orgs = new Organisations(input.organisations, corePractices);

  const missing = new Map<string, string[]>();
  for (const ref of organisationReferences(content)) {
    if (!orgs.has(ref.organisationId)) missing.set(ref.organisationId, [...(missing.get(ref.organisationId) ?? []), ref.path]);
  }
  if (missing.size > 0) {
    const detail = [...missing].map(([id, paths]) => `${id} (${paths.join(', ')})`).join('; ');
    throw new AgreementDocumentInputError(
      `Cannot build the document for ${input.reference}: input.organisations has no entry for ${missing.size} referenced organisation id(s): ${detail}`,
    );
  }

  const template: NetworkAgreementTemplate = { version: '', title: input.title, clauses: input.clauses };
  const clauses: Clause[] = resolveClauses(template, content.disputeClauseOverrides).map(({ number, heading, text: body }) => ({
    number,
    heading,
    text: body,
  }));

  return {
    reference: `${input.reference}-r${input.revision.number}`,
    title: input.title,
    pcn: { name: input.pcn.name, code: input.pcn.code ?? 'not yet assigned', icbCode: input.pcn.icbCode },
    version: input.versionNumber <= 1 ? `${input.versionNumber} (original)` : `${input.versionNumber} (variation)`,
    status: labelFor(AGREEMENT_STATUS_LABELS, input.status),
    effectiveFrom: content.effectiveFrom,
    revisionHash: input.revision.contentHash,
    draft: input.draft,
    generatedAt: input.generatedAt,
    clauses,
    sections: [
      schedule1(content, corePractices, orgs),
      schedule2(content),
      schedule3(content, orgs),
      schedule4(content, orgs),
      schedule5(content, orgs),
      schedule6(content),
      schedule7(content, orgs),
    ],
    annexes: (content.annexes ?? []).map((annex, i) => annexSection(annex, i, orgs)),
    signatures: input.signatures,
    igApprovals: input.igApprovals,
    certificate: {
      events: input.events,
      revisionHash: input.revision.contentHash,
      sealCertificateRef: input.sealCertificateRef,
      verificationUrl: input.verificationUrl,
      ...input.certificate,
    },
  };
}

// ---------------------------------------------------------------------------
// Schedules

/** `caption` is left out where a subheading already names the table. */
function table(caption: string | undefined, columns: [string, number][], rows: string[][]): TableBlock {
  const block: TableBlock = { kind: 'table', columns: columns.map(([header, width]) => ({ header, width })), rows };
  return caption ? { ...block, caption } : block;
}

/** A table, or a "none recorded" paragraph when there are no rows. */
function tableOrNone(caption: string | undefined, columns: [string, number][], rows: string[][], none: string): Block {
  return rows.length > 0 ? table(caption, columns, rows) : { kind: 'paragraph', text: none };
}

function kv(items: [string, string][]): KeyValueBlock {
  return { kind: 'keyValue', items: items.map(([label, value]) => ({ label, value })) };
}

function schedule1(content: AgreementContent, corePractices: CorePractice[], orgs: Organisations): DocumentSection {
  const { keyDetails } = content.schedules;
  const { clinicalDirector: cd, payee, governance } = keyDetails;
  const blocks: Block[] = [
    { kind: 'subheading', text: 'Network area' },
    { kind: 'paragraph', text: text(keyDetails.networkArea, 'Not recorded.') },
  ];
  const total = corePractices.reduce((sum, p) => sum + (p.listSize ?? 0), 0);
  const rows = corePractices.map((p) => [
    p.name,
    p.odsCode,
    INTEGER.format(p.listSize),
    date(p.listSizeDate),
    labelFor(PRACTICE_LEGAL_FORM_LABELS, p.legalForm),
  ]);
  if (rows.length > 0) {
    rows.push([`Total (${corePractices.length} ${corePractices.length === 1 ? 'practice' : 'practices'})`, '', INTEGER.format(total), '', '']);
  }
  blocks.push(
    tableOrNone(
      'Core network practices',
      [
        ['Practice', 4],
        ['ODS code', 1.2],
        ['List size', 1.2],
        ['List size date', 1.6],
        ['Legal form', 1.4],
      ],
      rows,
      'No core network practices are recorded.',
    ),
  );
  if (keyDetails.listSizeException) {
    const ex = keyDetails.listSizeException;
    blocks.push(
      { kind: 'subheading', text: 'List size exception' },
      kv([
        ['Commissioner reference', text(ex.reference, DASH)],
        ['Approved on', date(ex.approvedOn)],
        ['Reason', text(ex.reason, DASH)],
      ]),
    );
  }
  blocks.push(
    { kind: 'subheading', text: 'Clinical director' },
    kv([
      ['Name', text(cd.name, DASH)],
      ['Appointed on', date(cd.appointedOn)],
      ['Appointment method', labelFor(APPOINTMENT_METHOD_LABELS, cd.appointmentMethod)],
      ['Sessions per week', DECIMAL.format(cd.sessionsPerWeek)],
    ]),
    { kind: 'subheading', text: 'Nominated payee' },
    kv([
      ['Payment arrangement', capitalise(labelFor(PAYEE_ARRANGEMENT_LABELS, payee.arrangement))],
      ['Payee', payee.organisationId ? orgs.display(payee.organisationId) : "The network's own account"],
      ...(payee.bankAccountName?.trim() ? [['Bank account name', payee.bankAccountName.trim()] as [string, string]] : []),
    ]),
    { kind: 'subheading', text: 'Governance and decision-making' },
    kv([
      ['Meeting frequency', labelFor(MEETING_FREQUENCY_LABELS, governance.meetingFrequency)],
      ['Quorum', quorum(governance.quorum)],
      ['Voting rule', labelFor(VOTING_RULE_LABELS, governance.votingRule)],
    ]),
  );
  const unanimity = (governance.decisionsRequiringUnanimity ?? []).filter((d) => d.trim());
  blocks.push(
    unanimity.length > 0
      ? { kind: 'paragraph', text: `The following decisions need the agreement of every core network practice:\n${bullets(unanimity)}` }
      : { kind: 'paragraph', text: 'No decisions are reserved for unanimous agreement beyond those in the terms of the agreement.' },
  );
  return { id: SCHEDULE_SECTION_IDS.keyDetails, title: 'Schedule 1 — Key network details and governance', blocks };
}

function quorum(q: { minimumPractices?: number; description?: string } | undefined): string {
  const parts: string[] = [];
  if (q?.minimumPractices) parts.push(`At least ${q.minimumPractices} core network ${q.minimumPractices === 1 ? 'practice' : 'practices'}.`);
  if (q?.description?.trim()) parts.push(q.description.trim());
  return parts.length > 0 ? parts.join(' ') : DASH;
}

function schedule2(content: AgreementContent): DocumentSection {
  const terms = (content.schedules.additionalTerms ?? []).filter((t) => t.heading?.trim() || t.text?.trim());
  const blocks: Block[] =
    terms.length > 0
      ? terms.flatMap((t, i): Block[] => [
          { kind: 'subheading', text: text(t.heading, `Additional term ${i + 1}`) },
          { kind: 'paragraph', text: text(t.text) },
        ])
      : [{ kind: 'paragraph', text: NONE }];
  return { id: SCHEDULE_SECTION_IDS.additionalTerms, title: 'Schedule 2 — Additional terms', blocks };
}

function schedule3(content: AgreementContent, orgs: Organisations): DocumentSection {
  const rows = (content.schedules.activities ?? []).map((a) => [
    labelFor(SERVICE_SPECIFICATION_LABELS, a.specification),
    orgs.list(a.deliveredBy),
    yesNo(a.subcontracted),
    a.cqcRegisteredProviderId ? orgs.display(a.cqcRegisteredProviderId) : NOT_APPLICABLE,
  ]);
  return {
    id: SCHEDULE_SECTION_IDS.activities,
    title: 'Schedule 3 — Activities',
    blocks: [
      tableOrNone(
        'Network services and who delivers them',
        [
          ['Service specification', 3],
          ['Delivered by', 3.7],
          ['Subcontracted', 1.9],
          ['CQC-registered provider', 2.6],
        ],
        rows,
        'No network activities are recorded.',
      ),
    ],
  };
}

function schedule4(content: AgreementContent, orgs: Organisations): DocumentSection {
  const { finances, keyDetails } = content.schedules;
  const payeeId = finances.payeeOrganisationId ?? keyDetails.payee?.organisationId;
  const blocks: Block[] = [
    kv([
      ['Payee', payeeId ? orgs.display(payeeId) : capitalise(labelFor(PAYEE_ARRANGEMENT_LABELS, keyDetails.payee?.arrangement))],
      ['Distribution basis', `Network funding is distributed ${labelFor(DISTRIBUTION_BASIS_LABELS, finances.distributionBasis)}.`],
    ]),
  ];
  const shares = finances.shares ?? [];
  if (finances.distributionBasis === DistributionBasis.CUSTOM_PERCENTAGES && shares.length > 0) {
    const total = shares.reduce((sum, s) => sum + (s.percentage ?? 0), 0);
    blocks.push(
      table(
        'Agreed shares of network funding',
        [
          ['Practice', 4],
          ['ODS code', 1.2],
          ['Share', 1.2],
        ],
        [
          ...shares.map((s) => {
            const org = orgs.get(s.organisationId);
            return [org.name, org.odsCode ?? DASH, `${DECIMAL.format(s.percentage)}%`];
          }),
          ['Total', '', `${DECIMAL.format(total)}%`],
        ],
      ),
    );
  }
  blocks.push(
    { kind: 'subheading', text: 'Timing of distributions' },
    { kind: 'paragraph', text: text(finances.distributionTiming) },
    { kind: 'subheading', text: 'Sharing of surpluses, losses and liabilities' },
    { kind: 'paragraph', text: text(finances.liabilitySharing) },
    { kind: 'subheading', text: 'Banking arrangements' },
    { kind: 'paragraph', text: text(finances.bankingArrangements) },
  );
  return { id: SCHEDULE_SECTION_IDS.finances, title: 'Schedule 4 — Financial arrangements', blocks };
}

function schedule5(content: AgreementContent, orgs: Organisations): DocumentSection {
  const posts = content.schedules.workforce?.arrsPosts ?? [];
  const rows = posts.map((p) => [
    capitalise(labelFor(ARRS_ROLE_LABELS, p.role)),
    orgs.display(p.employerOrganisationId),
    WTE.format(p.wte),
    date(p.startDate),
    orgs.list(p.hostPracticeIds),
  ]);
  if (rows.length > 0) {
    rows.push([`Total (${posts.length} ${posts.length === 1 ? 'post' : 'posts'})`, '', WTE.format(posts.reduce((sum, p) => sum + (p.wte ?? 0), 0)), '', '']);
  }
  return {
    id: SCHEDULE_SECTION_IDS.workforce,
    title: 'Schedule 5 — Workforce',
    blocks: [
      tableOrNone(
        'Additional Roles Reimbursement Scheme (ARRS) posts',
        [
          ['Role', 2.6],
          ['Employer', 3],
          ['WTE', 0.8],
          ['Start', 1.5],
          ['Host practices', 3.4],
        ],
        rows,
        'No ARRS posts are recorded.',
      ),
    ],
  };
}

function schedule6(content: AgreementContent): DocumentSection {
  const ins = content.schedules.insurance;
  return {
    id: SCHEDULE_SECTION_IDS.insurance,
    title: 'Schedule 6 — Insurance and other terms',
    blocks: [
      { kind: 'subheading', text: 'Indemnity and insurance' },
      { kind: 'paragraph', text: text(ins?.indemnityArrangements) },
      { kind: 'subheading', text: 'Intellectual property' },
      { kind: 'paragraph', text: text(ins?.intellectualProperty) },
      { kind: 'subheading', text: 'Other terms' },
      { kind: 'paragraph', text: text(ins?.otherTerms) },
    ],
  };
}

function schedule7(content: AgreementContent, orgs: Organisations): DocumentSection {
  const rows = (content.schedules.nonGpArrangements ?? []).map((n) => [
    orgs.display(n.organisationId),
    labelFor(NON_GP_PROVIDER_TYPE_LABELS, n.providerType),
    labelFor(NON_GP_INSTRUMENT_LABELS, n.instrument),
    yesNo(n.votingRights),
    yesNo(n.financeVisibility),
    date(n.startDate),
    n.endDate ? date(n.endDate) : 'Open-ended',
  ]);
  return {
    id: SCHEDULE_SECTION_IDS.nonGpArrangements,
    title: 'Schedule 7 — Arrangements with non-GP organisations',
    blocks: [
      tableOrNone(
        'Non-GP organisations working with the network',
        [
          ['Organisation', 3],
          ['Provider type', 1.9],
          ['Instrument', 1.9],
          ['Voting rights', 1.2],
          ['Sees finances', 1.3],
          ['From', 1.6],
          ['To', 1.6],
        ],
        rows,
        'No arrangements with non-GP organisations are recorded.',
      ),
    ],
  };
}

// ---------------------------------------------------------------------------
// Annexes (annex data only: an annex-only PDF goes to non-GP parties)

function contact(c: { name: string; email: string } | undefined): string {
  if (!c) return DASH;
  return [c.name?.trim(), c.email?.trim()].filter(Boolean).join(', ') || DASH;
}

function annexSection(annex: DataSharingAnnex, index: number, orgs: Organisations): AnnexSection {
  if (!annex.id) {
    throw new AgreementDocumentInputError(`Annex ${index + 1} ("${annex.title}") has no id; stored content must have been through applyContentDefaults`);
  }
  const parties = annex.parties ?? [];
  const partyCodes = parties.map((p) => {
    const org = orgs.get(p.organisationId);
    if (!org.odsCode) {
      throw new AgreementDocumentInputError(
        `Annex "${annex.title}": party ${org.name} has no ODS code, so its signature block could not be matched to the annex`,
      );
    }
    return org.odsCode;
  });
  const purposes = annex.purposes ?? [];
  const blocks: Block[] = [
    kv([['Agreement type', capitalise(labelFor(ANNEX_KIND_LABELS, annex.kind))]]),
    { kind: 'subheading', text: 'Parties and roles' },
    tableOrNone(
      undefined,
      [
        ['Organisation', 3],
        ['ODS', 1],
        ['Data role', 1.4],
        ['DPO', 2.4],
        ['Caldicott Guardian', 2.4],
        ['DSPT', 1.6],
      ],
      parties.map((p) => {
        const org = orgs.get(p.organisationId);
        const dspt = p.dsptStatus ? labelFor(DSPT_STATUS_LABELS, p.dsptStatus) + (p.dsptYear ? ` (${p.dsptYear})` : '') : 'Not recorded';
        return [org.name, org.odsCode ?? DASH, capitalise(labelFor(DATA_ROLE_LABELS, p.dataRole)), contact(p.dpo), contact(p.caldicottGuardian), dspt];
      }),
      'No parties are recorded.',
    ),
    { kind: 'subheading', text: 'Purposes and lawful bases' },
    tableOrNone(
      undefined,
      [
        ['Purpose', 3.2],
        ['Category', 1.6],
        ['Article 6 basis', 1.5],
        ['Article 9 condition', 1.8],
        ['DPA 2018 Sch 1 condition', 1.9],
        ['Confidentiality basis', 1.9],
      ],
      purposes.map((p) => [
        text(p.description, DASH),
        labelFor(PURPOSE_CATEGORY_LABELS, p.category),
        labelFor(ART6_BASIS_LABELS, p.art6Basis),
        p.art9Condition ? labelFor(ART9_CONDITION_LABELS, p.art9Condition) : NOT_APPLICABLE,
        text(p.dpaSchedule1Condition, NOT_APPLICABLE),
        labelFor(CONFIDENTIALITY_BASIS_LABELS, p.confidentialityBasis),
      ]),
      'No purposes are recorded.',
    ),
    { kind: 'subheading', text: 'Data subjects' },
    {
      kind: 'paragraph',
      text: (annex.dataSubjects ?? []).length > 0 ? (annex.dataSubjects ?? []).map((d) => labelFor(DATA_SUBJECT_LABELS, d)).join(', ') : 'None recorded.',
    },
    { kind: 'subheading', text: 'Data items' },
    tableOrNone(
      undefined,
      [
        ['Item', 3],
        ['Justification', 4],
        ['Special category', 1.2],
        ['Criminal offence', 1.2],
      ],
      (annex.dataItems ?? []).map((d) => [text(d.name, DASH), text(d.justification, DASH), yesNo(d.specialCategory), yesNo(d.criminalOffence)]),
      'No data items are recorded.',
    ),
    { kind: 'subheading', text: 'Data flows' },
    tableOrNone(
      undefined,
      [
        ['From', 2.4],
        ['To', 2.4],
        ['System', 1.9],
        ['Method', 1.9],
        ['Encrypted', 1.3],
        ['Frequency', 1.4],
      ],
      (annex.flows ?? []).map((f) => [
        orgs.display(f.fromOrganisationId),
        orgs.display(f.toOrganisationId),
        text(f.system, DASH),
        text(f.transferMethod, DASH),
        yesNo(f.encrypted),
        text(f.frequency, DASH),
      ]),
      'No data flows are recorded.',
    ),
    { kind: 'subheading', text: 'Retention and disposal' },
    annex.retention
      ? kv([
          ['Retention period', text(annex.retention.period, DASH)],
          ['Retention rule', text(annex.retention.rule, DASH)],
          ['Disposal method', text(annex.retention.disposalMethod, DASH)],
        ])
      : { kind: 'paragraph', text: 'No retention arrangements are recorded.' },
    { kind: 'subheading', text: 'Security measures' },
    {
      kind: 'paragraph',
      text: (annex.securityMeasures ?? []).filter((m) => m.trim()).length > 0 ? bullets(annex.securityMeasures.filter((m) => m.trim())) : 'None recorded.',
    },
    { kind: 'subheading', text: 'Data protection impact assessment' },
    kv(dpiaItems(annex.dpia)),
    { kind: 'subheading', text: 'Breaches, dates and individual rights' },
    kv([
      ['Breach notification', `Within ${INTEGER.format(annex.breachNotificationHours)} hours of discovery, to the other parties`],
      ['Effective from', date(annex.effectiveFrom)],
      ['Review by', date(annex.reviewBy)],
      ['Ends on', annex.endOn ? date(annex.endOn) : 'No fixed end date'],
      ['Rights requests handled by', annex.rightsRequestsHandledBy ? orgs.display(annex.rightsRequestsHandledBy) : 'Each party for its own records'],
      ['Privacy notice', text(annex.privacyNoticeUrl, 'Not recorded')],
    ]),
  ];
  return {
    id: annexSectionId(annex.id),
    title: `Annex ${annexLetter(index)} — ${annex.title}`,
    purpose: purposes[0]?.description?.trim() || undefined,
    parties: [...new Set(partyCodes)],
    blocks,
  };
}

function dpiaItems(dpia: DataSharingAnnex['dpia'] | undefined): [string, string][] {
  if (!dpia) return [['DPIA required', 'Not recorded']];
  const items: [string, string][] = [['DPIA required', yesNo(dpia.required)]];
  if (dpia.reference?.trim()) items.push(['Reference', dpia.reference.trim()]);
  if (dpia.date) items.push(['Date', date(dpia.date)]);
  if (dpia.outcome?.trim()) items.push(['Outcome', dpia.outcome.trim()]);
  if (dpia.screeningSummary?.trim()) items.push(['Screening summary', dpia.screeningSummary.trim()]);
  return items;
}
