import { AGREEMENT_SCHEDULES, ANNEX_PARTS, AnnexPartId, DPA_SCHEDULE_1_CONDITIONS, GENERAL_SECTION } from '@pcn/agreements';
import type { FieldDef, ListDef, SectionFormDef } from './form-model';

/* One form per schedule and per annex part: what a drafter fills in, in words. */

const text = (key: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ key, label, type: 'text', ...extra });
const area = (key: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ key, label, type: 'textarea', ...extra });
const date = (key: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ key, label, type: 'date', hint: 'For example, 1 4 2026', ...extra });
const yesNo = (key: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ key, label, type: 'bool', ...extra });

export const GENERAL_FORM: SectionFormDef = {
  groups: [
    {
      items: [
        text('title', 'Title of the agreement'),
        text('financialYear', 'Financial year', { hint: 'For example, 2026/27', width: 10 }),
        date('effectiveFrom', 'Start date'),
      ],
    },
    {
      heading: 'Dispute resolution wording',
      hint: 'Leave these blank to keep the national template’s wording.',
      items: [
        area('disputeClauseOverrides.meetingClause', 'Members’ meeting clause (11.1)', { optional: true }),
        area('disputeClauseOverrides.lmcReferralClause', 'Local Medical Committee referral clause (11.2)', { optional: true }),
      ],
    },
  ],
  optionalObjects: ['disputeClauseOverrides'],
};

const SCHEDULE_FORMS: Record<string, SectionFormDef> = {
  schedule1: {
    groups: [
      { items: [area('networkArea', 'Network area', { hint: 'The area the network covers, as the commissioner describes it.' })] },
      {
        heading: 'Clinical director',
        items: [
          text('clinicalDirector.name', 'Name'),
          date('clinicalDirector.appointedOn', 'Appointed on'),
          { key: 'clinicalDirector.appointmentMethod', label: 'How the clinical director was appointed', type: 'enum', enumKind: 'ClinicalDirectorAppointmentMethod' },
          { key: 'clinicalDirector.sessionsPerWeek', label: 'Sessions per week', type: 'number', width: 4 },
        ],
      },
      {
        heading: 'Who receives network payments',
        items: [
          { key: 'payee.arrangement', label: 'Payment arrangement', type: 'enum', enumKind: 'PayeeArrangement', radios: true },
          { key: 'payee.organisationId', label: 'Payee organisation', type: 'org', orgs: 'all', optional: true, hint: 'The practice or provider whose bank account receives network payments.' },
          text('payee.bankAccountName', 'Bank account name', { optional: true }),
        ],
      },
      {
        heading: 'Governance',
        items: [
          { key: 'governance.meetingFrequency', label: 'How often the network meets', type: 'enum', enumKind: 'MeetingFrequency' },
          { key: 'governance.votingRule', label: 'How decisions are voted on', type: 'enum', enumKind: 'VotingRule', radios: true },
          { key: 'governance.quorum.minimumPractices', label: 'Minimum number of practices present (quorum)', type: 'integer', optional: true, width: 3 },
          text('governance.quorum.description', 'Quorum in words', { optional: true }),
          { key: 'governance.decisionsRequiringUnanimity', label: 'Decisions that need every practice to agree', type: 'textList', hint: 'One decision on each line.' },
        ],
      },
      {
        heading: 'List size exception',
        hint: 'Only if the commissioner approved a network outside 30,000 to 50,000 patients. Leave blank otherwise.',
        items: [
          text('listSizeException.reference', 'Commissioner’s reference', { optional: true }),
          date('listSizeException.approvedOn', 'Approved on', { optional: true }),
          area('listSizeException.reason', 'Reason', { optional: true }),
        ],
      },
    ],
    optionalObjects: ['listSizeException'],
  },
  schedule2: {
    groups: [{ items: [{ list: '', label: 'Additional terms', rowNoun: 'term', hint: 'Terms the practices have agreed beyond the national template.', fields: [text('heading', 'Heading'), area('text', 'Wording')] }] }],
  },
  schedule3: {
    groups: [
      {
        items: [
          {
            list: '',
            label: 'Services the network delivers',
            rowNoun: 'service',
            fields: [
              { key: 'specification', label: 'Service', type: 'enum', enumKind: 'ServiceSpecification' },
              { key: 'deliveredBy', label: 'Delivered by', type: 'orgMulti', orgs: 'all' },
              yesNo('subcontracted', 'Is this service subcontracted?'),
              { key: 'cqcRegisteredProviderId', label: 'CQC-registered provider', type: 'org', orgs: 'all', optional: true },
            ],
          },
        ],
      },
    ],
  },
  schedule4: {
    groups: [
      {
        items: [
          { key: 'payeeOrganisationId', label: 'Payee', type: 'org', orgs: 'all', optional: true, hint: 'Must be the same organisation as the payee in Schedule 1.' },
          { key: 'distributionBasis', label: 'How funding is distributed', type: 'enum', enumKind: 'DistributionBasis', radios: true },
          {
            list: 'shares',
            label: 'Practice shares',
            hint: 'Only when funding is split by agreed percentages. The percentages must add up to 100.',
            rowNoun: 'share',
            fields: [
              { key: 'organisationId', label: 'Practice', type: 'org', orgs: 'members' },
              { key: 'percentage', label: 'Percentage', type: 'number', width: 4, suffix: '%' },
            ],
          },
          area('distributionTiming', 'When payments are passed on to practices'),
          area('liabilitySharing', 'How profits, losses and liabilities are shared'),
          area('bankingArrangements', 'Banking and accounting arrangements'),
        ],
      },
    ],
  },
  schedule5: {
    groups: [
      {
        items: [
          {
            list: 'arrsPosts',
            label: 'Additional Roles Reimbursement Scheme (ARRS) posts',
            rowNoun: 'post',
            fields: [
              { key: 'role', label: 'Role', type: 'enum', enumKind: 'ArrsRole' },
              { key: 'employerOrganisationId', label: 'Employer', type: 'org', orgs: 'all' },
              { key: 'wte', label: 'Whole-time equivalent', type: 'number', width: 4, hint: 'More than 0 and no more than 1, for example 0.6' },
              date('startDate', 'Start date'),
              { key: 'hostPracticeIds', label: 'Host practices', type: 'orgMulti', orgs: 'members' },
            ],
          },
        ],
      },
    ],
  },
  schedule6: {
    groups: [{ items: [area('indemnityArrangements', 'Indemnity arrangements'), area('intellectualProperty', 'Intellectual property'), area('otherTerms', 'Other terms')] }],
  },
  schedule7: {
    groups: [
      {
        items: [
          {
            list: '',
            label: 'Arrangements with non-GP organisations',
            rowNoun: 'arrangement',
            fields: [
              { key: 'organisationId', label: 'Organisation', type: 'org', orgs: 'nonGp' },
              { key: 'providerType', label: 'Type of provider', type: 'enum', enumKind: 'NonGpProviderType' },
              { key: 'instrument', label: 'Type of agreement', type: 'enum', enumKind: 'NonGpInstrument' },
              yesNo('votingRights', 'Does the organisation have voting rights?'),
              yesNo('financeVisibility', 'Does the organisation see network finances?'),
              date('startDate', 'Start date'),
              date('endDate', 'End date', { optional: true, hint: 'Leave blank if it has no end date.' }),
            ],
          },
        ],
      },
    ],
  },
};

const contact = (key: string, who: string): FieldDef[] => [text(`${key}.name`, `${who}: name`, { optional: true }), text(`${key}.email`, `${who}: email address`, { optional: true })];

const PARTIES: ListDef = {
  list: 'parties',
  label: 'Parties',
  rowNoun: 'party',
  optionalObjects: ['dpo', 'caldicottGuardian'],
  fields: [
    { key: 'organisationId', label: 'Organisation', type: 'org', orgs: 'all' },
    { key: 'dataRole', label: 'Role in this annex', type: 'enum', enumKind: 'DataRole' },
    ...contact('dpo', 'Data Protection Officer'),
    ...contact('caldicottGuardian', 'Caldicott Guardian'),
    { key: 'dsptStatus', label: 'Data Security and Protection Toolkit status', type: 'enum', enumKind: 'DsptStatus', optional: true },
    text('dsptYear', 'Toolkit assessment year', { optional: true, hint: 'For example, 2025-26', width: 10 }),
  ],
};

const PURPOSES: ListDef = {
  list: 'purposes',
  label: 'Purposes',
  rowNoun: 'purpose',
  fields: [
    area('description', 'What the data is used for'),
    { key: 'category', label: 'Category', type: 'enum', enumKind: 'PurposeCategory' },
    { key: 'art6Basis', label: 'Article 6 lawful basis (UK GDPR)', type: 'enum', enumKind: 'Art6Basis', radios: true },
    { key: 'art9Condition', label: 'Article 9 condition, for health or other special-category data', type: 'enum', enumKind: 'Art9Condition', radios: true, optional: true },
    { key: 'dpaSchedule1Condition', label: 'Data Protection Act 2018 Schedule 1 condition', type: 'suggest', suggestions: DPA_SCHEDULE_1_CONDITIONS, optional: true, hint: 'Needed with some Article 9 conditions.' },
    { key: 'confidentialityBasis', label: 'Common law duty of confidentiality: basis', type: 'enum', enumKind: 'ConfidentialityBasis', radios: true },
  ],
};

const DATA_ITEMS: ListDef = {
  list: 'dataItems',
  label: 'Data items',
  rowNoun: 'data item',
  fields: [text('name', 'Data item'), area('justification', 'Why it is needed'), yesNo('specialCategory', 'Is it special-category data (such as health)?'), yesNo('criminalOffence', 'Is it criminal-offence data?')],
};

const FLOWS: ListDef = {
  list: 'flows',
  label: 'Data flows',
  rowNoun: 'flow',
  fields: [
    { key: 'fromOrganisationId', label: 'From', type: 'org', orgs: 'all' },
    { key: 'toOrganisationId', label: 'To', type: 'org', orgs: 'all' },
    text('system', 'System'),
    text('transferMethod', 'How it is transferred'),
    yesNo('encrypted', 'Is it encrypted in transit?'),
    text('frequency', 'How often'),
  ],
};

export const ANNEX_FORMS: Record<AnnexPartId, SectionFormDef> = {
  details: {
    groups: [
      {
        items: [
          text('title', 'Title of the annex'),
          { key: 'kind', label: 'Type of agreement', type: 'enum', enumKind: 'DataSharingAnnexKind', radios: true },
          date('effectiveFrom', 'Start date'),
          date('reviewBy', 'Review by', { optional: true, hint: 'Leave blank for 12 months after the start date.' }),
          date('endOn', 'End date', { optional: true }),
          { key: 'rightsRequestsHandledBy', label: 'Who handles people’s data protection rights requests', type: 'org', orgs: 'all', optional: true },
          text('privacyNoticeUrl', 'Link to the privacy notice', { optional: true }),
        ],
      },
    ],
  },
  parties: { groups: [{ items: [PARTIES] }] },
  purposes: { groups: [{ items: [PURPOSES] }] },
  dataItems: {
    groups: [{ items: [{ key: 'dataSubjects', label: 'Whose data is shared', type: 'enumMulti', enumKind: 'DataSubjectCategory' }, DATA_ITEMS] }],
  },
  flows: { groups: [{ items: [FLOWS] }] },
  retentionSecurity: {
    groups: [
      {
        heading: 'Retention',
        items: [text('retention.period', 'How long data is kept'), text('retention.rule', 'Rule that sets the period'), text('retention.disposalMethod', 'How data is disposed of')],
      },
      {
        heading: 'Security and breaches',
        items: [
          { key: 'securityMeasures', label: 'Security measures', type: 'textList', hint: 'One measure on each line.' },
          { key: 'breachNotificationHours', label: 'Hours within which a party tells the others about a breach', type: 'integer', width: 4, suffix: 'hours' },
        ],
      },
    ],
    optionalObjects: ['retention'],
  },
  dpia: {
    groups: [
      {
        items: [
          yesNo('dpia.required', 'Is a data protection impact assessment required?'),
          text('dpia.reference', 'Reference', { optional: true }),
          date('dpia.date', 'Date completed', { optional: true }),
          area('dpia.outcome', 'Outcome', { optional: true }),
          area('dpia.screeningSummary', 'Screening summary', { optional: true }),
        ],
      },
    ],
  },
};

/** The whole annex on one page, for a new annex. */
export const NEW_ANNEX_FORM: SectionFormDef = {
  groups: ANNEX_PARTS.flatMap((p) => ANNEX_FORMS[p.part].groups.map((g, i) => ({ ...g, heading: i === 0 ? p.title : g.heading }))),
  optionalObjects: ['retention'],
};

export interface SectionPage {
  sectionId: string;
  title: string;
  form: SectionFormDef;
  /** Where the section lives in the content. */
  base: string;
  kind: 'general' | 'schedule' | 'annex';
  annexId?: string;
  annexIndex?: number;
  part?: AnnexPartId;
  contentKey?: string;
}

export function schedulePages(): SectionPage[] {
  return [
    { sectionId: GENERAL_SECTION.id, title: GENERAL_SECTION.title, form: GENERAL_FORM, base: '', kind: 'general' },
    ...AGREEMENT_SCHEDULES.map((s) => ({ sectionId: s.id, title: s.heading, form: SCHEDULE_FORMS[s.id], base: `schedules.${s.contentKey}`, kind: 'schedule' as const, contentKey: s.contentKey })),
  ];
}
