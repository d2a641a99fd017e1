import type { LabelledEnum } from './agreement-content.labels';
import { enumLabel } from './agreement-content.labels';
import { ANNEX_PARTS, AGREEMENT_SCHEDULES, GENERAL_SECTION } from './agreement-sections';
import type { AgreementContent, DataSharingAnnex } from './agreement-content.types';
import { formatDate } from './date-only';

/** One change between two revisions, every value in words, for people who sign the agreement. */
export interface ReadableChange {
  /** "Schedule 4 — Financial arrangements", "Annex A — Direct care data sharing", "Agreement details" or "Annexes". */
  section: string;
  /** Where in the section: "Practice shares, row 2 (Yarm Medical Practice)", "Clinical director", "Financial arrangements". */
  where: string;
  /** "Percentage"; "Row added" / "Row removed" for whole rows, "Annex added" / "Annex removed" for whole annexes. */
  field: string;
  change: 'added' | 'removed' | 'changed';
  /** "25%", "1 April 2026", "Yes", "Article 6(1)(e) — public task", "Yarm Medical Practice (A87001)"; "Not set" when absent. */
  before: string;
  after: string;
}

/** Organisation id → display name and ODS code, for every organisation either revision names. */
export type OrganisationNames = Readonly<Record<string, { name: string; odsCode?: string | null }>>;

type Kind =
  | 'text' | 'date' | 'number' | 'percent' | 'hours' | 'bool' | 'org' | 'orgList' | 'textList' | 'contact' | 'skip'
  | { enum: LabelledEnum } | { enumList: LabelledEnum };

type Spec =
  | { label: string; kind: Kind }
  | { label: string; object: Schema }
  | { label: string; rows: Schema; rowName: (row: Row, names: Namer) => string | undefined };

type Schema = Readonly<Record<string, Spec>>;
type Row = Record<string, unknown>;
type Namer = { org: (id: unknown) => string; orgName: (id: unknown) => string };

const NOT_SET = 'Not set';
const leaf = (label: string, kind: Kind = 'text'): Spec => ({ label, kind });
const en = (label: string, kind: LabelledEnum): Spec => ({ label, kind: { enum: kind } });

const CONTACT = leaf('', 'contact');

const GENERAL: Schema = {
  title: leaf('Title'),
  financialYear: leaf('Financial year'),
  effectiveFrom: leaf('Start date', 'date'),
  disputeClauseOverrides: {
    label: 'Dispute resolution wording',
    object: { meetingClause: leaf('Members’ meeting clause (11.1)'), lmcReferralClause: leaf('Local Medical Committee referral clause (11.2)') },
  },
};

const SCHEDULES: Readonly<Record<string, Spec>> = {
  keyDetails: {
    label: 'Key network details and governance',
    object: {
      networkArea: leaf('Network area'),
      corePractices: {
        label: 'Core practices',
        rowName: (r) => (typeof r.name === 'string' ? r.name : undefined),
        rows: {
          organisationId: leaf('Practice', 'org'),
          odsCode: leaf('ODS code'),
          name: leaf('Name'),
          listSize: leaf('List size', 'number'),
          listSizeDate: leaf('List size date', 'date'),
          legalForm: en('Legal form', 'PracticeLegalForm'),
        },
      },
      listSizeException: {
        label: 'List size exception',
        object: { reference: leaf('Commissioner’s reference'), approvedOn: leaf('Approved on', 'date'), reason: leaf('Reason') },
      },
      clinicalDirector: {
        label: 'Clinical director',
        object: {
          personId: leaf('Person', 'skip'),
          name: leaf('Name'),
          appointedOn: leaf('Appointed on', 'date'),
          appointmentMethod: en('Appointment method', 'ClinicalDirectorAppointmentMethod'),
          sessionsPerWeek: leaf('Sessions per week', 'number'),
        },
      },
      payee: {
        label: 'Payee',
        object: { arrangement: en('Payment arrangement', 'PayeeArrangement'), organisationId: leaf('Payee organisation', 'org'), bankAccountName: leaf('Bank account name') },
      },
      governance: {
        label: 'Governance',
        object: {
          meetingFrequency: en('Meeting frequency', 'MeetingFrequency'),
          quorum: { label: 'Quorum', object: { minimumPractices: leaf('Minimum practices present', 'number'), description: leaf('Quorum') } },
          votingRule: en('Voting rule', 'VotingRule'),
          decisionsRequiringUnanimity: leaf('Decisions requiring unanimity', 'textList'),
        },
      },
    },
  },
  additionalTerms: { label: 'Additional terms', rowName: (r) => (typeof r.heading === 'string' ? r.heading : undefined), rows: { heading: leaf('Heading'), text: leaf('Text') } },
  activities: {
    label: 'Activities',
    rowName: (r) => enumLabel('ServiceSpecification', r.specification as string) || undefined,
    rows: {
      specification: en('Service', 'ServiceSpecification'),
      deliveredBy: leaf('Delivered by', 'orgList'),
      subcontracted: leaf('Subcontracted', 'bool'),
      cqcRegisteredProviderId: leaf('CQC-registered provider', 'org'),
    },
  },
  finances: {
    label: 'Financial arrangements',
    object: {
      payeeOrganisationId: leaf('Payee', 'org'),
      distributionBasis: en('How funding is distributed', 'DistributionBasis'),
      shares: { label: 'Practice shares', rowName: (r, n) => n.orgName(r.organisationId), rows: { organisationId: leaf('Practice', 'org'), percentage: leaf('Percentage', 'percent') } },
      distributionTiming: leaf('When payments are passed on'),
      liabilitySharing: leaf('How profits, losses and liabilities are shared'),
      bankingArrangements: leaf('Banking and accounting arrangements'),
    },
  },
  workforce: {
    label: 'Workforce',
    object: {
      arrsPosts: {
        label: 'ARRS posts',
        rowName: (r) => enumLabel('ArrsRole', r.role as string) || undefined,
        rows: {
          role: en('Role', 'ArrsRole'),
          employerOrganisationId: leaf('Employer', 'org'),
          wte: leaf('Whole-time equivalent', 'number'),
          startDate: leaf('Start date', 'date'),
          hostPracticeIds: leaf('Host practices', 'orgList'),
        },
      },
    },
  },
  insurance: {
    label: 'Insurance and other terms',
    object: { indemnityArrangements: leaf('Indemnity arrangements'), intellectualProperty: leaf('Intellectual property'), otherTerms: leaf('Other terms') },
  },
  nonGpArrangements: {
    label: 'Arrangements with non-GP organisations',
    rowName: (r, n) => n.orgName(r.organisationId),
    rows: {
      organisationId: leaf('Organisation', 'org'),
      providerType: en('Type of provider', 'NonGpProviderType'),
      instrument: en('Type of agreement', 'NonGpInstrument'),
      votingRights: leaf('Voting rights', 'bool'),
      financeVisibility: leaf('Sees network finances', 'bool'),
      startDate: leaf('Start date', 'date'),
      endDate: leaf('End date', 'date'),
    },
  },
};

const ANNEX: Schema = {
  id: leaf('Annex id', 'skip'),
  title: leaf('Title'),
  kind: en('Type of agreement', 'DataSharingAnnexKind'),
  effectiveFrom: leaf('Start date', 'date'),
  reviewBy: leaf('Review by', 'date'),
  endOn: leaf('End date', 'date'),
  rightsRequestsHandledBy: leaf('Rights requests handled by', 'org'),
  privacyNoticeUrl: leaf('Privacy notice'),
  parties: {
    label: 'Parties',
    rowName: (r, n) => n.orgName(r.organisationId),
    rows: {
      organisationId: leaf('Organisation', 'org'),
      dataRole: en('Role', 'DataRole'),
      dpo: { ...CONTACT, label: 'Data Protection Officer' },
      caldicottGuardian: { ...CONTACT, label: 'Caldicott Guardian' },
      dsptStatus: en('DSPT status', 'DsptStatus'),
      dsptYear: leaf('DSPT year'),
    },
  },
  purposes: {
    label: 'Purposes',
    rowName: (r) => enumLabel('PurposeCategory', r.category as string) || undefined,
    rows: {
      description: leaf('Description'),
      category: en('Category', 'PurposeCategory'),
      art6Basis: en('Article 6 lawful basis', 'Art6Basis'),
      art9Condition: en('Article 9 condition', 'Art9Condition'),
      dpaSchedule1Condition: leaf('DPA 2018 Schedule 1 condition'),
      confidentialityBasis: en('Confidentiality basis', 'ConfidentialityBasis'),
    },
  },
  dataSubjects: { label: 'Whose data', kind: { enumList: 'DataSubjectCategory' } },
  dataItems: {
    label: 'Data items',
    rowName: (r) => (typeof r.name === 'string' ? r.name : undefined),
    rows: { name: leaf('Name'), justification: leaf('Why it is needed'), specialCategory: leaf('Special-category data', 'bool'), criminalOffence: leaf('Criminal-offence data', 'bool') },
  },
  flows: {
    label: 'Data flows',
    rowName: (r, n) => `${n.orgName(r.fromOrganisationId)} to ${n.orgName(r.toOrganisationId)}`,
    rows: {
      fromOrganisationId: leaf('From', 'org'),
      toOrganisationId: leaf('To', 'org'),
      system: leaf('System'),
      transferMethod: leaf('Transfer method'),
      encrypted: leaf('Encrypted in transit', 'bool'),
      frequency: leaf('Frequency'),
    },
  },
  retention: {
    label: 'Retention',
    object: { period: leaf('Retention period'), rule: leaf('Rule that sets the period'), disposalMethod: leaf('Disposal method') },
  },
  securityMeasures: leaf('Security measures', 'textList'),
  dpia: {
    label: 'Data protection impact assessment',
    object: {
      required: leaf('DPIA required', 'bool'),
      reference: leaf('Reference'),
      date: leaf('Date completed', 'date'),
      outcome: leaf('Outcome'),
      screeningSummary: leaf('Screening summary'),
    },
  },
  breachNotificationHours: leaf('Breach notification between parties', 'hours'),
};

/** Annex fields outside a nested object are placed under their part's title ("About this annex"). */
const ANNEX_PART_TITLE: Readonly<Record<string, string>> = Object.fromEntries(ANNEX_PARTS.flatMap((p) => p.fields.map((f) => [f, p.title])));

/** "A", "B" … "Z", "AA": the letter the PDF gives the annex at this position. */
export function annexLetter(index: number): string {
  let n = index;
  let out = '';
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

const isObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => [k, canonical(v[k])]));
  return v;
}
const humaniseKey = (key: string) => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words[0].toUpperCase() + words.slice(1);
};

class Describer {
  readonly out: ReadableChange[] = [];
  readonly namer: Namer;

  constructor(names: OrganisationNames) {
    const orgName = (id: unknown) => (typeof id === 'string' && names[id] ? names[id].name : 'an organisation not in the directory');
    this.namer = {
      orgName,
      org: (id) => {
        if (typeof id !== 'string' || !names[id]) return 'An organisation not in the directory';
        const { name, odsCode } = names[id];
        return odsCode ? `${name} (${odsCode})` : name;
      },
    };
  }

  value(kind: Kind, v: unknown): string {
    if (absent(v) || v === '') return NOT_SET;
    if (typeof kind === 'object') {
      if ('enum' in kind) return enumLabel(kind.enum, String(v));
      return Array.isArray(v) && v.length > 0 ? v.map((x) => enumLabel(kind.enumList, String(x))).join(', ') : 'None';
    }
    switch (kind) {
      case 'date':
        return typeof v === 'string' ? formatDate(v) : String(v);
      case 'number':
        return typeof v === 'number' ? v.toLocaleString('en-GB', { maximumFractionDigits: 4 }) : String(v);
      case 'percent':
        return typeof v === 'number' ? `${v.toLocaleString('en-GB', { maximumFractionDigits: 4 })}%` : String(v);
      case 'hours':
        return v === 1 ? '1 hour' : `${String(v)} hours`;
      case 'bool':
        return v === true ? 'Yes' : v === false ? 'No' : String(v);
      case 'org':
        return this.namer.org(v);
      case 'orgList':
        return Array.isArray(v) && v.length > 0 ? v.map((id) => this.namer.org(id)).join(', ') : 'None';
      case 'textList':
        return Array.isArray(v) && v.length > 0 ? v.map(String).join('; ') : 'None';
      case 'contact':
        return isObject(v) ? (v.email ? `${String(v.name ?? '')} (${String(v.email)})` : String(v.name ?? NOT_SET)) : String(v);
      default:
        return typeof v === 'string' ? v : JSON.stringify(v);
    }
  }

  /** A whole object or row in one line: "Practice: Yarm Medical Practice (A87001); Percentage: 30%". */
  summary(schema: Schema, v: unknown): string {
    if (!isObject(v)) return this.value('text', v);
    const parts: string[] = [];
    for (const [key, spec] of Object.entries(schema)) {
      const x = v[key];
      if (absent(x) || x === '' || ('kind' in spec && spec.kind === 'skip')) continue;
      if ('kind' in spec) parts.push(`${spec.label}: ${this.value(spec.kind, x)}`);
      else if ('object' in spec) parts.push(`${spec.label}: ${this.summary(spec.object, x)}`);
      else if (Array.isArray(x)) parts.push(`${spec.label}: ${x.length} ${x.length === 1 ? 'row' : 'rows'}`);
    }
    return parts.join('; ') || NOT_SET;
  }

  push(section: string, where: string, field: string, before: string, after: string, change: ReadableChange['change']): void {
    this.out.push({ section, where, field, change, before, after });
  }

  field(section: string, where: string, spec: Spec, b: unknown, a: unknown): void {
    if (same(b, a) || (absent(b) && absent(a))) return;
    const change = absent(b) ? 'added' : absent(a) ? 'removed' : 'changed';
    if ('kind' in spec) {
      if (spec.kind === 'skip') return;
      this.push(section, where, spec.label, this.value(spec.kind, b), this.value(spec.kind, a), change);
    } else if ('object' in spec) {
      if (isObject(b) && isObject(a)) this.object(section, spec.label, spec.object, b, a);
      else this.push(section, where, spec.label, absent(b) ? NOT_SET : this.summary(spec.object, b), absent(a) ? NOT_SET : this.summary(spec.object, a), change);
    } else {
      const before = Array.isArray(b) ? b : [];
      const after = Array.isArray(a) ? a : [];
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        const row = (i < after.length ? after[i] : before[i]) as Row;
        const name = isObject(row) ? spec.rowName(row, this.namer) : undefined;
        const rowWhere = `${spec.label}, row ${i + 1}${name ? ` (${name})` : ''}`;
        if (i >= before.length) this.push(section, rowWhere, 'Row added', NOT_SET, this.summary(spec.rows, after[i]), 'added');
        else if (i >= after.length) this.push(section, rowWhere, 'Row removed', this.summary(spec.rows, before[i]), NOT_SET, 'removed');
        else if (isObject(before[i]) && isObject(after[i])) this.object(section, rowWhere, spec.rows, before[i] as Row, after[i] as Row);
        else if (!same(before[i], after[i])) this.push(section, rowWhere, spec.label, this.value('text', before[i]), this.value('text', after[i]), 'changed');
      }
    }
  }

  object(section: string, where: string | ((key: string) => string), schema: Schema, b: Row, a: Row): void {
    const keys = [...Object.keys(schema), ...[...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !(k in schema)).sort()];
    for (const key of keys) {
      const spec = schema[key] ?? leaf(humaniseKey(key));
      this.field(section, typeof where === 'string' ? where : where(key), spec, b[key], a[key]);
    }
  }
}

/**
 * What changed between two revisions, in words a GP partner reads: sections named as in the
 * PDF, rows named by the organisation or item they are about, enum values by their labels,
 * organisations by name and ODS code, dates as "1 April 2026", booleans as Yes/No. Pure.
 * Rows are compared by position (as the PDF numbers them); annexes by id when every annex
 * has one, so adding or removing an annex does not report the others as changed.
 */
export function describeRevisionDiff(before: AgreementContent, after: AgreementContent, organisationNames: OrganisationNames): ReadableChange[] {
  const d = new Describer(organisationNames);
  const general = GENERAL_SECTION.title;
  d.object(general, general, GENERAL, pick(before, Object.keys(GENERAL)), pick(after, Object.keys(GENERAL)));

  for (const schedule of AGREEMENT_SCHEDULES) {
    const spec = SCHEDULES[schedule.contentKey];
    const b = (before.schedules as unknown as Row | undefined)?.[schedule.contentKey];
    const a = (after.schedules as unknown as Row | undefined)?.[schedule.contentKey];
    if ('object' in spec && isObject(b) && isObject(a)) d.object(schedule.heading, schedule.title, spec.object, b, a);
    else d.field(schedule.heading, schedule.title, spec, b, a);
  }

  describeAnnexes(d, before.annexes ?? [], after.annexes ?? []);
  return d.out;
}

function pick(content: AgreementContent, keys: string[]): Row {
  const row = content as unknown as Row;
  return Object.fromEntries(keys.filter((k) => k in row).map((k) => [k, row[k]]));
}

function describeAnnexes(d: Describer, before: DataSharingAnnex[], after: DataSharingAnnex[]): void {
  const heading = (annex: DataSharingAnnex, index: number) => `Annex ${annexLetter(index)} — ${annex.title}`;
  const byId = [...before, ...after].every((a) => typeof a.id === 'string' && a.id) && new Set(before.map((a) => a.id)).size === before.length && new Set(after.map((a) => a.id)).size === after.length;
  const pairs: { b?: DataSharingAnnex; bi: number; a?: DataSharingAnnex; ai: number }[] = [];
  if (byId) {
    const afterIndex = new Map(after.map((a, i) => [a.id, i]));
    before.forEach((b, bi) => pairs.push({ b, bi, a: after[afterIndex.get(b.id) ?? -1], ai: afterIndex.get(b.id) ?? -1 }));
    const beforeIds = new Set(before.map((b) => b.id));
    after.forEach((a, ai) => {
      if (!beforeIds.has(a.id)) pairs.push({ bi: -1, a, ai });
    });
    const kept = before.filter((b) => afterIndex.has(b.id)).map((b) => b.id);
    const keptAfter = after.filter((a) => kept.includes(a.id)).map((a) => a.id);
    if (kept.some((id, i) => id !== keptAfter[i])) {
      d.push('Annexes', 'Order of annexes', 'Order', before.map(heading).join('; '), after.map(heading).join('; '), 'changed');
    }
  } else {
    for (let i = 0; i < Math.max(before.length, after.length); i++) pairs.push({ b: before[i], bi: i, a: after[i], ai: i });
  }
  for (const { b, bi, a, ai } of pairs) {
    if (b && a) {
      d.object(heading(a, ai), (key) => ANNEX_PART_TITLE[key] ?? 'About this annex', ANNEX, b as unknown as Row, a as unknown as Row);
    } else if (a) {
      d.push(heading(a, ai), 'Annex', 'Annex added', NOT_SET, `${a.title} (${enumLabel('DataSharingAnnexKind', a.kind)})`, 'added');
    } else if (b) {
      d.push(heading(b, bi), 'Annex', 'Annex removed', `${b.title} (${enumLabel('DataSharingAnnexKind', b.kind)})`, NOT_SET, 'removed');
    }
  }
}
