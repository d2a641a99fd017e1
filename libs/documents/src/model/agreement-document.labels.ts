import {
  AgreementStatus,
  Art6Basis,
  Art9Condition,
  ClinicalDirectorAppointmentMethod,
  ConfidentialityBasis,
  DataSubjectCategory,
  DsptStatus,
  humaniseCode,
  MeetingFrequency,
  NonGpInstrument,
  NonGpProviderType,
  PracticeLegalForm,
  PurposeCategory,
  shortLabelMap,
  VotingRule,
} from '@pcn/agreements';

/*
 * Printed wording for enum values. Content enums come from the one source of labels in
 * `@pcn/agreements` (`LABELS`, using each value's short form where it has one, e.g.
 * "6(1)(e) public task"); only the agreement status is labelled here. Every map is typed
 * `Record<Enum, string>`, so adding an enum value without a label is a compile error
 * rather than a raw `SOME_VALUE` in a signed PDF.
 */

export const PRACTICE_LEGAL_FORM_LABELS: Readonly<Record<PracticeLegalForm, string>> = shortLabelMap('PracticeLegalForm');
export const APPOINTMENT_METHOD_LABELS: Readonly<Record<ClinicalDirectorAppointmentMethod, string>> = shortLabelMap('ClinicalDirectorAppointmentMethod');
export const MEETING_FREQUENCY_LABELS: Readonly<Record<MeetingFrequency, string>> = shortLabelMap('MeetingFrequency');
export const VOTING_RULE_LABELS: Readonly<Record<VotingRule, string>> = shortLabelMap('VotingRule');
export const NON_GP_PROVIDER_TYPE_LABELS: Readonly<Record<NonGpProviderType, string>> = shortLabelMap('NonGpProviderType');
export const NON_GP_INSTRUMENT_LABELS: Readonly<Record<NonGpInstrument, string>> = shortLabelMap('NonGpInstrument');
export const DSPT_STATUS_LABELS: Readonly<Record<DsptStatus, string>> = shortLabelMap('DsptStatus');
export const PURPOSE_CATEGORY_LABELS: Readonly<Record<PurposeCategory, string>> = shortLabelMap('PurposeCategory');
/** UK GDPR Article 6(1), printed "6(1)(e) public task". */
export const ART6_BASIS_LABELS: Readonly<Record<Art6Basis, string>> = shortLabelMap('Art6Basis');
/** UK GDPR Article 9(2), printed "9(2)(h) health or social care". */
export const ART9_CONDITION_LABELS: Readonly<Record<Art9Condition, string>> = shortLabelMap('Art9Condition');
export const CONFIDENTIALITY_BASIS_LABELS: Readonly<Record<ConfidentialityBasis, string>> = shortLabelMap('ConfidentialityBasis');
export const DATA_SUBJECT_LABELS: Readonly<Record<DataSubjectCategory, string>> = shortLabelMap('DataSubjectCategory');

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
  return humaniseCode(value);
}

export function capitalise(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
