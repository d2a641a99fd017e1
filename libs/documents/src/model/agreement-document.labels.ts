import {
  AgreementStatus,
  Art6Basis,
  Art9Condition,
  ClinicalDirectorAppointmentMethod,
  ConfidentialityBasis,
  DataSubjectCategory,
  DsptStatus,
  MeetingFrequency,
  NonGpInstrument,
  NonGpProviderType,
  PracticeLegalForm,
  PurposeCategory,
  VotingRule,
} from '@pcn/agreements';

/*
 * Printed wording for enum values that `@pcn/agreements` does not label itself
 * (its shared labels live in agreement-content.labels.ts and are reused as-is).
 * Every map is typed `Record<Enum, string>`, so adding an enum value without a
 * label is a compile error rather than a raw `SOME_VALUE` in a signed PDF.
 */

export const PRACTICE_LEGAL_FORM_LABELS: Readonly<Record<PracticeLegalForm, string>> = Object.freeze({
  [PracticeLegalForm.PARTNERSHIP]: 'Partnership',
  [PracticeLegalForm.SOLE_TRADER]: 'Sole trader',
  [PracticeLegalForm.COMPANY]: 'Company',
});

export const APPOINTMENT_METHOD_LABELS: Readonly<Record<ClinicalDirectorAppointmentMethod, string>> = Object.freeze({
  [ClinicalDirectorAppointmentMethod.ELECTED_BY_MEMBERS]: 'Elected by the member practices',
  [ClinicalDirectorAppointmentMethod.APPOINTED_BY_CONSENSUS]: 'Appointed by consensus',
  [ClinicalDirectorAppointmentMethod.ROTATION]: 'By rotation',
  [ClinicalDirectorAppointmentMethod.OTHER]: 'Other arrangement',
});

export const MEETING_FREQUENCY_LABELS: Readonly<Record<MeetingFrequency, string>> = Object.freeze({
  [MeetingFrequency.WEEKLY]: 'Weekly',
  [MeetingFrequency.FORTNIGHTLY]: 'Fortnightly',
  [MeetingFrequency.MONTHLY]: 'Monthly',
  [MeetingFrequency.BI_MONTHLY]: 'Every two months',
  [MeetingFrequency.QUARTERLY]: 'Quarterly',
});

export const VOTING_RULE_LABELS: Readonly<Record<VotingRule, string>> = Object.freeze({
  [VotingRule.SIMPLE_MAJORITY]: 'Simple majority, one vote per core network practice',
  [VotingRule.WEIGHTED_BY_LIST_SIZE]: 'Majority of votes weighted by registered list size',
  [VotingRule.UNANIMOUS]: 'Unanimous agreement of all core network practices',
});

export const NON_GP_PROVIDER_TYPE_LABELS: Readonly<Record<NonGpProviderType, string>> = Object.freeze({
  [NonGpProviderType.COMMUNITY_SERVICES]: 'Community services provider',
  [NonGpProviderType.COMMUNITY_MH]: 'Community mental health provider',
  [NonGpProviderType.COMMUNITY_PHARMACY]: 'Community pharmacy',
  [NonGpProviderType.VCSE]: 'Voluntary, community or social enterprise (VCSE)',
  [NonGpProviderType.SOCIAL_CARE]: 'Social care provider',
  [NonGpProviderType.OTHER]: 'Other provider',
});

export const NON_GP_INSTRUMENT_LABELS: Readonly<Record<NonGpInstrument, string>> = Object.freeze({
  [NonGpInstrument.MOU]: 'Memorandum of understanding (MOU)',
  [NonGpInstrument.COLLABORATION_AGREEMENT]: 'Collaboration agreement',
  [NonGpInstrument.SUBCONTRACT]: 'Subcontract',
});

export const DSPT_STATUS_LABELS: Readonly<Record<DsptStatus, string>> = Object.freeze({
  [DsptStatus.NOT_PUBLISHED]: 'Not published',
  [DsptStatus.APPROACHING]: 'Approaching standards',
  [DsptStatus.MET]: 'Standards met',
  [DsptStatus.EXCEEDED]: 'Standards exceeded',
});

export const PURPOSE_CATEGORY_LABELS: Readonly<Record<PurposeCategory, string>> = Object.freeze({
  [PurposeCategory.DIRECT_CARE]: 'Direct care',
  [PurposeCategory.SERVICE_PLANNING]: 'Service planning',
  [PurposeCategory.ARRS_WORKFORCE_ADMIN]: 'ARRS workforce administration',
  [PurposeCategory.PAYMENT_VALIDATION]: 'Payment validation',
  [PurposeCategory.AUDIT]: 'Audit',
  [PurposeCategory.OTHER]: 'Other',
});

/** UK GDPR Article 6(1). */
export const ART6_BASIS_LABELS: Readonly<Record<Art6Basis, string>> = Object.freeze({
  [Art6Basis.A]: '6(1)(a) consent',
  [Art6Basis.B]: '6(1)(b) contract',
  [Art6Basis.C]: '6(1)(c) legal obligation',
  [Art6Basis.D]: '6(1)(d) vital interests',
  [Art6Basis.E]: '6(1)(e) public task',
  [Art6Basis.F]: '6(1)(f) legitimate interests',
});

/** UK GDPR Article 9(2). */
export const ART9_CONDITION_LABELS: Readonly<Record<Art9Condition, string>> = Object.freeze({
  [Art9Condition.A]: '9(2)(a) explicit consent',
  [Art9Condition.B]: '9(2)(b) employment, social security and social protection',
  [Art9Condition.C]: '9(2)(c) vital interests',
  [Art9Condition.D]: '9(2)(d) not-for-profit bodies',
  [Art9Condition.E]: '9(2)(e) made public by the data subject',
  [Art9Condition.F]: '9(2)(f) legal claims and judicial acts',
  [Art9Condition.G]: '9(2)(g) substantial public interest',
  [Art9Condition.H]: '9(2)(h) health or social care',
  [Art9Condition.I]: '9(2)(i) public health',
  [Art9Condition.J]: '9(2)(j) archiving, research and statistics',
});

export const CONFIDENTIALITY_BASIS_LABELS: Readonly<Record<ConfidentialityBasis, string>> = Object.freeze({
  [ConfidentialityBasis.IMPLIED_CONSENT_DIRECT_CARE]: 'Implied consent for direct care',
  [ConfidentialityBasis.EXPLICIT_CONSENT]: 'Explicit consent',
  [ConfidentialityBasis.S251]: 'Section 251 support (NHS Act 2006)',
  [ConfidentialityBasis.LEGAL_REQUIREMENT]: 'Required by law',
  [ConfidentialityBasis.PUBLIC_INTEREST]: 'Overriding public interest',
});

export const DATA_SUBJECT_LABELS: Readonly<Record<DataSubjectCategory, string>> = Object.freeze({
  [DataSubjectCategory.PATIENTS]: 'Patients',
  [DataSubjectCategory.CARERS]: 'Carers',
  [DataSubjectCategory.STAFF]: 'Staff',
  [DataSubjectCategory.ARRS_STAFF]: 'ARRS staff',
});

export const AGREEMENT_STATUS_LABELS: Readonly<Record<AgreementStatus, string>> = Object.freeze({
  [AgreementStatus.Draft]: 'Draft',
  [AgreementStatus.InIgReview]: 'In information governance review',
  [AgreementStatus.AwaitingSignatures]: 'Awaiting signatures',
  [AgreementStatus.Executed]: 'Executed',
  [AgreementStatus.Expired]: 'Expired',
  [AgreementStatus.Superseded]: 'Superseded',
  [AgreementStatus.Terminated]: 'Terminated',
});

/**
 * Looks `value` up in `labels`; a value the map does not know (e.g. from content
 * stored by older code) is humanised (`SOME_VALUE` → `Some value`) rather than
 * printed raw or allowed to crash rendering.
 */
export function labelFor<K extends string>(labels: Readonly<Record<K, string>>, value: K | string | undefined | null): string {
  if (value === undefined || value === null || value === '') return '—';
  const label = (labels as Readonly<Record<string, string>>)[value];
  return label ?? humanise(value);
}

export function humanise(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return capitalise(words);
}

export function capitalise(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
