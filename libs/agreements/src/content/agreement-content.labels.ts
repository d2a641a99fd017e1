import {
  Art6Basis,
  Art9Condition,
  ArrsRole,
  ClinicalDirectorAppointmentMethod,
  ConfidentialityBasis,
  DataRole,
  DataSharingAnnexKind,
  DataSubjectCategory,
  DistributionBasis,
  DsptStatus,
  MeetingFrequency,
  NonGpInstrument,
  NonGpProviderType,
  PayeeArrangement,
  PracticeLegalForm,
  PurposeCategory,
  ServiceSpecification,
  VotingRule,
} from './agreement-content.enums';

// Human wording for enum values, shared by validation messages and the PDF renderer.

export const SERVICE_SPECIFICATION_LABELS: Readonly<Record<ServiceSpecification, string>> = Object.freeze({
  [ServiceSpecification.STRUCTURED_MEDICATION_REVIEW]: 'Structured Medication Review and Medicines Optimisation',
  [ServiceSpecification.ENHANCED_HEALTH_IN_CARE_HOMES]: 'Enhanced Health in Care Homes',
  [ServiceSpecification.ANTICIPATORY_CARE]: 'Anticipatory Care',
  [ServiceSpecification.PERSONALISED_CARE]: 'Personalised Care',
  [ServiceSpecification.EARLY_CANCER_DIAGNOSIS]: 'Supporting Early Cancer Diagnosis',
  [ServiceSpecification.CVD_PREVENTION_AND_DIAGNOSIS]: 'Cardiovascular Disease Prevention and Diagnosis',
  [ServiceSpecification.TACKLING_NEIGHBOURHOOD_HEALTH_INEQUALITIES]: 'Tackling Neighbourhood Health Inequalities',
  [ServiceSpecification.ENHANCED_ACCESS]: 'Enhanced Access',
});

export const ARRS_ROLE_LABELS: Readonly<Record<ArrsRole, string>> = Object.freeze({
  [ArrsRole.CLINICAL_PHARMACIST]: 'clinical pharmacist',
  [ArrsRole.PHARMACY_TECHNICIAN]: 'pharmacy technician',
  [ArrsRole.SOCIAL_PRESCRIBING_LINK_WORKER]: 'social prescribing link worker',
  [ArrsRole.HEALTH_AND_WELLBEING_COACH]: 'health and wellbeing coach',
  [ArrsRole.CARE_COORDINATOR]: 'care coordinator',
  [ArrsRole.PHYSICIAN_ASSOCIATE]: 'physician associate',
  [ArrsRole.APPRENTICE_PHYSICIAN_ASSOCIATE]: 'apprentice physician associate',
  [ArrsRole.FIRST_CONTACT_PHYSIOTHERAPIST]: 'first contact physiotherapist',
  [ArrsRole.DIETITIAN]: 'dietitian',
  [ArrsRole.PODIATRIST]: 'podiatrist',
  [ArrsRole.OCCUPATIONAL_THERAPIST]: 'occupational therapist',
  [ArrsRole.PARAMEDIC]: 'paramedic',
  [ArrsRole.MENTAL_HEALTH_PRACTITIONER]: 'mental health practitioner',
  [ArrsRole.NURSING_ASSOCIATE]: 'nursing associate',
  [ArrsRole.TRAINEE_NURSING_ASSOCIATE]: 'trainee nursing associate',
  [ArrsRole.ADVANCED_PRACTITIONER]: 'advanced practitioner',
  [ArrsRole.GP_ASSISTANT]: 'GP assistant',
  [ArrsRole.DIGITAL_AND_TRANSFORMATION_LEAD]: 'digital and transformation lead',
  [ArrsRole.ENHANCED_PRACTICE_NURSE]: 'enhanced practice nurse',
  [ArrsRole.RECENTLY_QUALIFIED_GP]: 'recently qualified GP',
  [ArrsRole.GENERAL_PRACTICE_NURSE]: 'general practice nurse',
});

export const DISTRIBUTION_BASIS_LABELS: Readonly<Record<DistributionBasis, string>> = Object.freeze({
  [DistributionBasis.WEIGHTED_LIST_SIZE]: 'by weighted list size',
  [DistributionBasis.EQUAL_SHARES]: 'in equal shares',
  [DistributionBasis.CUSTOM_PERCENTAGES]: 'by agreed percentages',
});

export const PAYEE_ARRANGEMENT_LABELS: Readonly<Record<PayeeArrangement, string>> = Object.freeze({
  [PayeeArrangement.NOMINATED_PRACTICE]: 'a nominated member practice',
  [PayeeArrangement.OTHER_PROVIDER]: 'another provider on our behalf',
  [PayeeArrangement.PCN_OWN_ACCOUNT]: "the network's own bank account",
});

export const ANNEX_KIND_LABELS: Readonly<Record<DataSharingAnnexKind, string>> = Object.freeze({
  [DataSharingAnnexKind.JOINT_CONTROLLER_DSA]: 'joint-controller data sharing agreement',
  [DataSharingAnnexKind.INDEPENDENT_CONTROLLER_DSA]: 'independent-controller data sharing agreement',
  [DataSharingAnnexKind.ART28_DPA]: 'Article 28 data processing agreement',
});

export const DATA_ROLE_LABELS: Readonly<Record<DataRole, string>> = Object.freeze({
  [DataRole.CONTROLLER]: 'controller',
  [DataRole.JOINT_CONTROLLER]: 'joint controller',
  [DataRole.PROCESSOR]: 'processor',
  [DataRole.SUB_PROCESSOR]: 'sub-processor',
});

// ---- one source of labels for every enum -------------------------------------------------

/** How one enum value reads: `label` for forms and pages, `short` where a table (or the PDF) needs fewer words. */
export interface EnumLabel {
  label: string;
  /** Shorter wording for tables and the sealed PDF, e.g. "6(1)(e) public task". Defaults to `label`. */
  short?: string;
  /** One line in plain words, shown under a lawful basis, condition or confidentiality basis. */
  explanation?: string;
}

/** An option for a labelled select list or radio group, in the enum's declaration order. */
export interface EnumOption<V extends string = string> {
  value: V;
  label: string;
  explanation?: string;
}

type Labels<E extends string> = Readonly<Record<E, Readonly<EnumLabel>>>;

const fromWords = <E extends string>(words: Readonly<Record<E, string>>, capitalised = true): Labels<E> =>
  Object.fromEntries(Object.entries<string>(words).map(([value, label]) => [value, { label: capitalised ? label[0].toUpperCase() + label.slice(1) : label }])) as unknown as Labels<E>;

const ART6: Labels<Art6Basis> = {
  [Art6Basis.A]: { label: 'Article 6(1)(a) — consent', short: '6(1)(a) consent', explanation: 'The person has given clear consent for their data to be used for this purpose.' },
  [Art6Basis.B]: { label: 'Article 6(1)(b) — contract', short: '6(1)(b) contract', explanation: 'Processing is necessary for a contract with the person, or to take steps they asked for before entering one.' },
  [Art6Basis.C]: { label: 'Article 6(1)(c) — legal obligation', short: '6(1)(c) legal obligation', explanation: 'Processing is necessary to comply with the law, such as a statutory duty to report or keep records.' },
  [Art6Basis.D]: { label: 'Article 6(1)(d) — vital interests', short: '6(1)(d) vital interests', explanation: 'Processing is necessary to protect someone’s life, for example in an emergency.' },
  [Art6Basis.E]: {
    label: 'Article 6(1)(e) — public task',
    short: '6(1)(e) public task',
    explanation: 'Processing is necessary for a task in the public interest or official authority, such as providing NHS care.',
  },
  [Art6Basis.F]: {
    label: 'Article 6(1)(f) — legitimate interests',
    short: '6(1)(f) legitimate interests',
    explanation: 'Processing is necessary for legitimate interests that are not overridden by the person’s rights; public bodies cannot use it for their public tasks.',
  },
};

const ART9: Labels<Art9Condition> = {
  [Art9Condition.A]: { label: 'Article 9(2)(a) — explicit consent', short: '9(2)(a) explicit consent', explanation: 'The person has given explicit consent to this use of their health or other special-category data.' },
  [Art9Condition.B]: {
    label: 'Article 9(2)(b) — employment, social security and social protection',
    short: '9(2)(b) employment, social security and social protection',
    explanation: 'Processing is necessary for obligations in employment, social security or social protection law, such as occupational health.',
  },
  [Art9Condition.C]: { label: 'Article 9(2)(c) — vital interests', short: '9(2)(c) vital interests', explanation: 'Processing is necessary to protect someone’s life when they cannot give consent.' },
  [Art9Condition.D]: { label: 'Article 9(2)(d) — not-for-profit bodies', short: '9(2)(d) not-for-profit bodies', explanation: 'A not-for-profit body processes data about its own members or regular contacts.' },
  [Art9Condition.E]: { label: 'Article 9(2)(e) — made public by the data subject', short: '9(2)(e) made public by the data subject', explanation: 'The person has deliberately made the information public themselves.' },
  [Art9Condition.F]: { label: 'Article 9(2)(f) — legal claims and judicial acts', short: '9(2)(f) legal claims and judicial acts', explanation: 'Processing is necessary to make or defend legal claims, or for courts acting in their judicial capacity.' },
  [Art9Condition.G]: {
    label: 'Article 9(2)(g) — substantial public interest',
    short: '9(2)(g) substantial public interest',
    explanation: 'Processing is necessary for reasons of substantial public interest set out in DPA 2018 Schedule 1 Part 2, such as safeguarding.',
  },
  [Art9Condition.H]: {
    label: 'Article 9(2)(h) — health or social care',
    short: '9(2)(h) health or social care',
    explanation: 'Processing is necessary for providing health or social care or managing health and care services, by or under a health professional.',
  },
  [Art9Condition.I]: { label: 'Article 9(2)(i) — public health', short: '9(2)(i) public health', explanation: 'Processing is necessary for public health, such as protecting against serious threats to health or ensuring safe medicines.' },
  [Art9Condition.J]: {
    label: 'Article 9(2)(j) — archiving, research and statistics',
    short: '9(2)(j) archiving, research and statistics',
    explanation: 'Processing is necessary for archiving in the public interest, scientific or historical research, or statistics, with safeguards.',
  },
};

const CONFIDENTIALITY: Labels<ConfidentialityBasis> = {
  [ConfidentialityBasis.IMPLIED_CONSENT_DIRECT_CARE]: {
    label: 'Implied consent for direct care',
    explanation: 'Patients reasonably expect the people caring for them to share relevant information, so no separate consent is asked for direct care.',
  },
  [ConfidentialityBasis.EXPLICIT_CONSENT]: { label: 'Explicit consent', explanation: 'The patient has agreed, clearly and specifically, to this sharing of their confidential information.' },
  [ConfidentialityBasis.S251]: {
    label: 'Section 251 support (NHS Act 2006)',
    explanation: 'The Secretary of State has approved setting aside confidentiality for this purpose, on the advice of the Confidentiality Advisory Group.',
  },
  [ConfidentialityBasis.LEGAL_REQUIREMENT]: { label: 'Required by law', explanation: 'A law or a court order requires the information to be shared.' },
  [ConfidentialityBasis.PUBLIC_INTEREST]: {
    label: 'Overriding public interest',
    explanation: 'Sharing is justified because the public interest, such as preventing serious harm, outweighs the duty of confidentiality.',
  },
};

/**
 * Every enum in agreement-content.enums.ts, value → words. Pages build labelled select
 * lists from it (`enumOptions`), diffs print values with it (`enumLabel`), and the PDF
 * uses `short` where set. Typed `Record<Enum, …>`, so a new enum value without a label
 * does not compile.
 */
export const LABELS = Object.freeze({
  PracticeLegalForm: { [PracticeLegalForm.PARTNERSHIP]: { label: 'Partnership' }, [PracticeLegalForm.SOLE_TRADER]: { label: 'Sole trader' }, [PracticeLegalForm.COMPANY]: { label: 'Company' } } as Labels<PracticeLegalForm>,
  ClinicalDirectorAppointmentMethod: {
    [ClinicalDirectorAppointmentMethod.ELECTED_BY_MEMBERS]: { label: 'Elected by the member practices' },
    [ClinicalDirectorAppointmentMethod.APPOINTED_BY_CONSENSUS]: { label: 'Appointed by consensus' },
    [ClinicalDirectorAppointmentMethod.ROTATION]: { label: 'By rotation' },
    [ClinicalDirectorAppointmentMethod.OTHER]: { label: 'Other arrangement' },
  } as Labels<ClinicalDirectorAppointmentMethod>,
  PayeeArrangement: {
    [PayeeArrangement.NOMINATED_PRACTICE]: { label: 'A nominated member practice' },
    [PayeeArrangement.OTHER_PROVIDER]: { label: 'Another provider on our behalf' },
    [PayeeArrangement.PCN_OWN_ACCOUNT]: { label: 'The network’s own bank account' },
  } as Labels<PayeeArrangement>,
  MeetingFrequency: {
    [MeetingFrequency.WEEKLY]: { label: 'Weekly' },
    [MeetingFrequency.FORTNIGHTLY]: { label: 'Fortnightly' },
    [MeetingFrequency.MONTHLY]: { label: 'Monthly' },
    [MeetingFrequency.BI_MONTHLY]: { label: 'Every two months' },
    [MeetingFrequency.QUARTERLY]: { label: 'Quarterly' },
  } as Labels<MeetingFrequency>,
  VotingRule: {
    [VotingRule.SIMPLE_MAJORITY]: { label: 'Simple majority, one vote per core network practice' },
    [VotingRule.WEIGHTED_BY_LIST_SIZE]: { label: 'Majority of votes weighted by registered list size' },
    [VotingRule.UNANIMOUS]: { label: 'Unanimous agreement of all core network practices' },
  } as Labels<VotingRule>,
  ServiceSpecification: fromWords(SERVICE_SPECIFICATION_LABELS, false),
  DistributionBasis: {
    [DistributionBasis.WEIGHTED_LIST_SIZE]: { label: 'By weighted list size' },
    [DistributionBasis.EQUAL_SHARES]: { label: 'In equal shares' },
    [DistributionBasis.CUSTOM_PERCENTAGES]: { label: 'By agreed percentages' },
  } as Labels<DistributionBasis>,
  ArrsRole: fromWords(ARRS_ROLE_LABELS),
  NonGpProviderType: {
    [NonGpProviderType.COMMUNITY_SERVICES]: { label: 'Community services provider' },
    [NonGpProviderType.COMMUNITY_MH]: { label: 'Community mental health provider' },
    [NonGpProviderType.COMMUNITY_PHARMACY]: { label: 'Community pharmacy' },
    [NonGpProviderType.VCSE]: { label: 'Voluntary, community or social enterprise (VCSE)' },
    [NonGpProviderType.SOCIAL_CARE]: { label: 'Social care provider' },
    [NonGpProviderType.OTHER]: { label: 'Other provider' },
  } as Labels<NonGpProviderType>,
  NonGpInstrument: {
    [NonGpInstrument.MOU]: { label: 'Memorandum of understanding (MOU)' },
    [NonGpInstrument.COLLABORATION_AGREEMENT]: { label: 'Collaboration agreement' },
    [NonGpInstrument.SUBCONTRACT]: { label: 'Subcontract' },
  } as Labels<NonGpInstrument>,
  DataSharingAnnexKind: fromWords(ANNEX_KIND_LABELS),
  DataRole: fromWords(DATA_ROLE_LABELS),
  DsptStatus: {
    [DsptStatus.NOT_PUBLISHED]: { label: 'Not published' },
    [DsptStatus.APPROACHING]: { label: 'Approaching standards' },
    [DsptStatus.MET]: { label: 'Standards met' },
    [DsptStatus.EXCEEDED]: { label: 'Standards exceeded' },
  } as Labels<DsptStatus>,
  PurposeCategory: {
    [PurposeCategory.DIRECT_CARE]: { label: 'Direct care' },
    [PurposeCategory.SERVICE_PLANNING]: { label: 'Service planning' },
    [PurposeCategory.ARRS_WORKFORCE_ADMIN]: { label: 'ARRS workforce administration' },
    [PurposeCategory.PAYMENT_VALIDATION]: { label: 'Payment validation' },
    [PurposeCategory.AUDIT]: { label: 'Audit' },
    [PurposeCategory.OTHER]: { label: 'Other' },
  } as Labels<PurposeCategory>,
  Art6Basis: ART6,
  Art9Condition: ART9,
  ConfidentialityBasis: CONFIDENTIALITY,
  DataSubjectCategory: {
    [DataSubjectCategory.PATIENTS]: { label: 'Patients' },
    [DataSubjectCategory.CARERS]: { label: 'Carers' },
    [DataSubjectCategory.STAFF]: { label: 'Staff' },
    [DataSubjectCategory.ARRS_STAFF]: { label: 'ARRS staff' },
  } as Labels<DataSubjectCategory>,
});

/** The name of a labelled enum, e.g. `'Art6Basis'`. */
export type LabelledEnum = keyof typeof LABELS;

/** Values of a labelled enum, e.g. `EnumValue<'Art6Basis'>` is `Art6Basis`. */
export type EnumValue<K extends LabelledEnum> = keyof (typeof LABELS)[K] & string;

function entry(kind: LabelledEnum, value: string): Readonly<EnumLabel> | undefined {
  return (LABELS[kind] as Readonly<Record<string, Readonly<EnumLabel>>>)[value];
}

/** `SOME_VALUE` → `Some value`: for values stored by older code that no label knows. */
export function humaniseCode(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.length === 0 ? words : words[0].toUpperCase() + words.slice(1);
}

/** The label for a value; '' for no value; an unknown value is humanised, never printed raw. */
export function enumLabel(kind: LabelledEnum, value: string | undefined | null): string {
  if (value === undefined || value === null || value === '') return '';
  return entry(kind, value)?.label ?? humaniseCode(value);
}

/** The short form (PDF and tables), falling back to the label. */
export function enumShortLabel(kind: LabelledEnum, value: string | undefined | null): string {
  if (value === undefined || value === null || value === '') return '';
  const found = entry(kind, value);
  return found?.short ?? found?.label ?? humaniseCode(value);
}

/** The one-line explanation of a lawful basis, condition or confidentiality basis, if it has one. */
export function enumExplanation(kind: LabelledEnum, value: string | undefined | null): string | undefined {
  return value ? entry(kind, value)?.explanation : undefined;
}

/** Options for a labelled select list, in declaration order. */
export function enumOptions<K extends LabelledEnum>(kind: K): EnumOption<EnumValue<K>>[] {
  return Object.entries<Readonly<EnumLabel>>(LABELS[kind] as Readonly<Record<string, Readonly<EnumLabel>>>).map(([value, l]) => ({
    value: value as EnumValue<K>,
    label: l.label,
    ...(l.explanation ? { explanation: l.explanation } : {}),
  }));
}

/** One labelled enum as `value → short form (or label)`: the shape the PDF label maps use. */
export function shortLabelMap<K extends LabelledEnum>(kind: K): Readonly<Record<EnumValue<K>, string>> {
  return Object.freeze(
    Object.fromEntries(Object.entries<Readonly<EnumLabel>>(LABELS[kind] as Readonly<Record<string, Readonly<EnumLabel>>>).map(([value, l]) => [value, l.short ?? l.label])),
  ) as Readonly<Record<EnumValue<K>, string>>;
}

/**
 * Common Data Protection Act 2018 Schedule 1 conditions for health and care sharing.
 * `dpaSchedule1Condition` stays free text (a purpose may cite any paragraph); pages offer
 * these as suggestions and store `value`.
 */
export const DPA_SCHEDULE_1_CONDITIONS: readonly Readonly<{ value: string; label: string; explanation: string }>[] = Object.freeze([
  {
    value: 'DPA 2018 Schedule 1 Part 1 paragraph 1 (employment, social security and social protection)',
    label: 'Schedule 1 Part 1 paragraph 1 — employment, social security and social protection',
    explanation: 'Needed to meet obligations or rights as an employer, for example occupational health records of ARRS staff.',
  },
  {
    value: 'DPA 2018 Schedule 1 Part 1 paragraph 2 (health or social care purposes)',
    label: 'Schedule 1 Part 1 paragraph 2 — health or social care purposes',
    explanation: 'Pairs with Article 9(2)(h): providing or managing health or social care, by or under a health professional’s duty of confidentiality.',
  },
  {
    value: 'DPA 2018 Schedule 1 Part 1 paragraph 3 (public health)',
    label: 'Schedule 1 Part 1 paragraph 3 — public health',
    explanation: 'Pairs with Article 9(2)(i): protecting against serious threats to health, by or under a health professional.',
  },
  {
    value: 'DPA 2018 Schedule 1 Part 1 paragraph 4 (research)',
    label: 'Schedule 1 Part 1 paragraph 4 — research, archiving and statistics',
    explanation: 'Pairs with Article 9(2)(j): research or statistics in the public interest, with safeguards.',
  },
  {
    value: 'DPA 2018 Schedule 1 Part 2 paragraph 6 (statutory and government purposes)',
    label: 'Schedule 1 Part 2 paragraph 6 — statutory and government purposes',
    explanation: 'Needed to carry out a function given by law, in the substantial public interest.',
  },
  {
    value: 'DPA 2018 Schedule 1 Part 2 paragraph 18 (safeguarding of children and individuals at risk)',
    label: 'Schedule 1 Part 2 paragraph 18 — safeguarding of children and individuals at risk',
    explanation: 'Needed to protect a child or an adult at risk from neglect or harm when consent cannot reasonably be sought.',
  },
]);
