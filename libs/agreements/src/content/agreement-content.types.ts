import type {
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

/**
 * Plain shapes of a Network Agreement draft's editable content. The DTO classes
 * `implements` these, so the API shape and the stored/rendered shape cannot drift.
 * All dates are ISO `YYYY-MM-DD` strings; all organisation ids are directory uuids.
 */

/** `YYYY-MM-DD` */
export type IsoDate = string;

export interface DisputeClauseOverrides {
  /** Replaces the template's "members' meeting under Schedule 1" clause text. */
  meetingClause?: string;
  /** Replaces the template's "referral to the Local Medical Committee" clause text. */
  lmcReferralClause?: string;
}

export interface CorePractice {
  organisationId: string;
  odsCode: string;
  name: string;
  listSize: number;
  listSizeDate: IsoDate;
  legalForm: PracticeLegalForm;
}

export interface ClinicalDirector {
  personId?: string;
  name: string;
  appointedOn: IsoDate;
  appointmentMethod: ClinicalDirectorAppointmentMethod;
  sessionsPerWeek: number;
}

export interface Payee {
  arrangement: PayeeArrangement;
  organisationId?: string;
  bankAccountName?: string;
}

export interface Quorum {
  minimumPractices?: number;
  description?: string;
}

export interface Governance {
  meetingFrequency: MeetingFrequency;
  quorum: Quorum;
  votingRule: VotingRule;
  decisionsRequiringUnanimity: string[];
}

/** Commissioner-approved exception to the 30,000–50,000 patient guide size (business rule 2). */
export interface ListSizeException {
  reference: string;
  approvedOn: IsoDate;
  reason: string;
}

export interface KeyDetails {
  networkArea: string;
  /** Filled by the server from active core memberships; anything a client sends is overwritten. */
  corePractices?: CorePractice[];
  listSizeException?: ListSizeException;
  clinicalDirector: ClinicalDirector;
  payee: Payee;
  governance: Governance;
}

export interface AdditionalTerm {
  heading: string;
  text: string;
}

export interface ServiceActivity {
  specification: ServiceSpecification;
  deliveredBy: string[];
  subcontracted: boolean;
  cqcRegisteredProviderId?: string;
}

export interface FinanceShare {
  organisationId: string;
  percentage: number;
}

export interface Finances {
  /** When set, must be the same organisation as the Schedule 1 payee. */
  payeeOrganisationId?: string;
  distributionBasis: DistributionBasis;
  shares?: FinanceShare[];
  distributionTiming: string;
  liabilitySharing: string;
  bankingArrangements: string;
}

export interface ArrsPost {
  role: ArrsRole;
  employerOrganisationId: string;
  wte: number;
  startDate: IsoDate;
  hostPracticeIds: string[];
}

export interface Workforce {
  arrsPosts: ArrsPost[];
}

export interface InsuranceTerms {
  indemnityArrangements: string;
  intellectualProperty: string;
  otherTerms: string;
}

export interface NonGpArrangement {
  organisationId: string;
  providerType: NonGpProviderType;
  instrument: NonGpInstrument;
  votingRights: boolean;
  financeVisibility: boolean;
  startDate: IsoDate;
  endDate?: IsoDate;
}

export interface Schedules {
  keyDetails: KeyDetails;
  additionalTerms: AdditionalTerm[];
  activities: ServiceActivity[];
  finances: Finances;
  workforce: Workforce;
  insurance: InsuranceTerms;
  nonGpArrangements: NonGpArrangement[];
}

export interface Contact {
  name: string;
  email: string;
}

export interface AnnexParty {
  organisationId: string;
  dataRole: DataRole;
  dpo?: Contact;
  caldicottGuardian?: Contact;
  dsptStatus?: DsptStatus;
  /** DSPT assessment year, e.g. "2025-26". */
  dsptYear?: string;
}

export interface Purpose {
  description: string;
  category: PurposeCategory;
  art6Basis: Art6Basis;
  art9Condition?: Art9Condition;
  dpaSchedule1Condition?: string;
  confidentialityBasis: ConfidentialityBasis;
}

export interface DataItem {
  name: string;
  justification: string;
  specialCategory: boolean;
  criminalOffence: boolean;
}

export interface DataFlow {
  fromOrganisationId: string;
  toOrganisationId: string;
  system: string;
  transferMethod: string;
  encrypted: boolean;
  frequency: string;
}

export interface Retention {
  period: string;
  rule: string;
  disposalMethod: string;
}

export interface Dpia {
  required: boolean;
  reference?: string;
  date?: IsoDate;
  outcome?: string;
  screeningSummary?: string;
}

export interface DataSharingAnnex {
  /** Assigned by the server (`applyContentDefaults`) when absent. */
  id?: string;
  title: string;
  kind: DataSharingAnnexKind;
  parties: AnnexParty[];
  purposes: Purpose[];
  dataSubjects: DataSubjectCategory[];
  dataItems: DataItem[];
  flows: DataFlow[];
  retention?: Retention;
  securityMeasures: string[];
  dpia: Dpia;
  breachNotificationHours: number;
  effectiveFrom: IsoDate;
  /** Defaults to effectiveFrom + 12 months (`applyContentDefaults`). */
  reviewBy?: IsoDate;
  endOn?: IsoDate;
  rightsRequestsHandledBy?: string;
  privacyNoticeUrl?: string;
}

export interface AgreementContent {
  title: string;
  /** e.g. "2026/27" */
  financialYear: string;
  effectiveFrom: IsoDate;
  disputeClauseOverrides?: DisputeClauseOverrides;
  schedules: Schedules;
  annexes: DataSharingAnnex[];
}

/** Keyed by field path, e.g. `schedules.finances.shares`, `annexes[0].purposes[1].art9Condition`. */
export type FieldMessages = Record<string, string[]>;

export interface ContentValidationResult {
  errors: FieldMessages;
  warnings: FieldMessages;
}

export interface ValidationContext {
  /** Active core member practices of the PCN. */
  memberPractices: { organisationId: string; odsCode: string; name: string; listSize: number }[];
  /** Every organisation the content may reference (practices, trusts, federations...). */
  knownOrganisations: { organisationId: string; name: string; kind: string }[];
  /** `YYYY-MM-DD`; injected so tests do not depend on the clock. */
  today: IsoDate;
  /**
   * Given when the revision is bound for sealing (sent for approval): the Data Protection
   * Officers and Caldicott Guardians the directory records, per organisation — the people the
   * information-governance step asks. Every officer an annex names must be one of them.
   */
  officersOnRecord?: OfficerOnRecord[];
}

export interface OfficerOnRecord {
  organisationId: string;
  role: 'DPO' | 'CALDICOTT_GUARDIAN';
  name: string;
  email: string;
}
