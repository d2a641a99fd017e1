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
} from '../agreement-content.enums';
import type { AgreementContent, AnnexParty, DataSharingAnnex, ValidationContext } from '../agreement-content.types';

/*
 * A complete, valid agreement for "Bytes PCN": four practices (37,300 patients),
 * one community trust collaborating under Schedule 7, and one joint-controller
 * direct-care data sharing annex. It passes the DTOs and produces no errors and
 * no warnings with `buildValidationContext()`. Test code only; not exported from index.ts.
 */

export type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

export const BYTES_IDS = Object.freeze({
  riverside: '5f1c2a10-0d3e-4b6a-9c01-000000000001',
  castleStreet: '5f1c2a10-0d3e-4b6a-9c01-000000000002',
  hillview: '5f1c2a10-0d3e-4b6a-9c01-000000000003',
  northgate: '5f1c2a10-0d3e-4b6a-9c01-000000000004',
  communityTrust: '5f1c2a10-0d3e-4b6a-9c01-000000000010',
  federation: '5f1c2a10-0d3e-4b6a-9c01-000000000020',
  clinicalDirector: '7a2d3b20-1e4f-4c7b-8d12-000000000001',
  directCareAnnex: '9b3e4c30-2f50-4d8c-ae23-000000000001',
});

export const BYTES_PRACTICES = Object.freeze([
  { organisationId: BYTES_IDS.riverside, odsCode: 'A81001', name: 'Riverside Medical Centre', listSize: 9_800, legalForm: PracticeLegalForm.PARTNERSHIP },
  { organisationId: BYTES_IDS.castleStreet, odsCode: 'A81002', name: 'Castle Street Surgery', listSize: 11_200, legalForm: PracticeLegalForm.PARTNERSHIP },
  { organisationId: BYTES_IDS.hillview, odsCode: 'A81003', name: 'Hillview Practice', listSize: 8_400, legalForm: PracticeLegalForm.SOLE_TRADER },
  { organisationId: BYTES_IDS.northgate, odsCode: 'Y01234', name: 'Northgate Health Centre', listSize: 7_900, legalForm: PracticeLegalForm.COMPANY },
] as const);

export const BYTES_COMMUNITY_TRUST = Object.freeze({
  organisationId: BYTES_IDS.communityTrust,
  name: 'Bytesford Community Health NHS Trust',
  kind: 'NHS_TRUST',
});

/** Known to the directory but not part of the agreement; handy for "unknown party" tests. */
export const BYTES_FEDERATION = Object.freeze({
  organisationId: BYTES_IDS.federation,
  name: 'Bytesford GP Federation',
  kind: 'FEDERATION',
});

const slug = (name: string) => name.toLowerCase().replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '');

export function buildParty(organisationId: string, name: string, dataRole: DataRole = DataRole.JOINT_CONTROLLER): AnnexParty {
  const domain = `${slug(name)}.example.nhs.uk`;
  return {
    organisationId,
    dataRole,
    dpo: { name: `DPO for ${name}`, email: `dpo@${domain}` },
    caldicottGuardian: { name: `Caldicott Guardian for ${name}`, email: `caldicott@${domain}` },
    dsptStatus: DsptStatus.MET,
    dsptYear: '2025-26',
  };
}

export function buildDirectCareAnnex(): DataSharingAnnex {
  return {
    id: BYTES_IDS.directCareAnnex,
    title: 'Direct care and ARRS workforce data sharing',
    kind: DataSharingAnnexKind.JOINT_CONTROLLER_DSA,
    parties: [
      ...BYTES_PRACTICES.map((p) => buildParty(p.organisationId, p.name)),
      { ...buildParty(BYTES_COMMUNITY_TRUST.organisationId, BYTES_COMMUNITY_TRUST.name), dsptStatus: DsptStatus.EXCEEDED },
    ],
    purposes: [
      {
        description: 'Providing direct care to patients through network services, including shared clinics and care home rounds.',
        category: PurposeCategory.DIRECT_CARE,
        art6Basis: Art6Basis.E,
        art9Condition: Art9Condition.H,
        dpaSchedule1Condition: 'Schedule 1 Part 1 paragraph 2 (health or social care purposes)',
        confidentialityBasis: ConfidentialityBasis.IMPLIED_CONSENT_DIRECT_CARE,
      },
      {
        description: 'Managing rotas, supervision and occupational health for ARRS staff working across practices.',
        category: PurposeCategory.ARRS_WORKFORCE_ADMIN,
        art6Basis: Art6Basis.C,
        art9Condition: Art9Condition.B,
        dpaSchedule1Condition: 'Schedule 1 Part 1 paragraph 1 (employment, social security and social protection)',
        confidentialityBasis: ConfidentialityBasis.LEGAL_REQUIREMENT,
      },
    ],
    dataSubjects: [DataSubjectCategory.PATIENTS, DataSubjectCategory.ARRS_STAFF],
    dataItems: [
      { name: 'Name, address, NHS number and date of birth', justification: 'To identify the patient safely.', specialCategory: false, criminalOffence: false },
      { name: 'Diagnoses', justification: 'Clinicians need the problem list to treat safely.', specialCategory: true, criminalOffence: false },
      { name: 'Medications', justification: 'Needed for structured medication reviews.', specialCategory: true, criminalOffence: false },
      { name: 'ARRS staff rota and sickness absence', justification: 'To cover sessions across host practices.', specialCategory: true, criminalOffence: false },
    ],
    flows: [
      {
        fromOrganisationId: BYTES_IDS.riverside,
        toOrganisationId: BYTES_IDS.communityTrust,
        system: 'EMIS Web shared care record',
        transferMethod: 'GP Connect over HSCN',
        encrypted: true,
        frequency: 'Real time',
      },
      {
        fromOrganisationId: BYTES_IDS.communityTrust,
        toOrganisationId: BYTES_IDS.castleStreet,
        system: 'SystmOne',
        transferMethod: 'NHSmail to NHSmail',
        encrypted: true,
        frequency: 'Daily',
      },
    ],
    retention: {
      period: 'For the life of the GP record; staff records six years after employment ends',
      rule: 'NHS Records Management Code of Practice 2023',
      disposalMethod: 'Secure deletion from shared systems; paper shredded by an approved contractor with a destruction certificate',
    },
    securityMeasures: [
      'Role-based access with NHS smartcards',
      'Transfers only over HSCN or NHSmail',
      'Quarterly audit of shared record access',
    ],
    dpia: {
      required: true,
      reference: 'DPIA-BYTES-2026-01',
      date: '2026-03-01',
      outcome: 'Approved by all DPOs with access-audit mitigations',
    },
    breachNotificationHours: 24,
    effectiveFrom: '2026-04-01',
    reviewBy: '2027-03-31',
    rightsRequestsHandledBy: BYTES_IDS.riverside,
    privacyNoticeUrl: 'https://bytes-pcn.example.nhs.uk/privacy',
  };
}

/**
 * An Article 28 annex in which the Riverside practice (controller) instructs the
 * federation (processor). Adding it also requires adding the federation to Schedule 7.
 */
export function buildProcessorAnnex(processorId: string = BYTES_IDS.federation): DataSharingAnnex {
  return {
    ...buildDirectCareAnnex(),
    id: '9b3e4c30-2f50-4d8c-ae23-000000000002',
    title: 'Federation processing for Enhanced Access bookings',
    kind: DataSharingAnnexKind.ART28_DPA,
    parties: [
      buildParty(BYTES_IDS.riverside, 'Riverside Medical Centre', DataRole.CONTROLLER),
      buildParty(processorId, 'Bytesford GP Federation', DataRole.PROCESSOR),
    ],
    flows: [
      {
        fromOrganisationId: BYTES_IDS.riverside,
        toOrganisationId: processorId,
        system: 'EMIS Web appointment book',
        transferMethod: 'Booking API over HSCN',
        encrypted: true,
        frequency: 'Real time',
      },
    ],
    rightsRequestsHandledBy: BYTES_IDS.riverside,
  };
}

export function buildValidContent(overrides: DeepPartial<AgreementContent> = {}): AgreementContent {
  const base: AgreementContent = {
    title: 'Bytes Primary Care Network Agreement',
    financialYear: '2026/27',
    effectiveFrom: '2026-04-01',
    schedules: {
      keyDetails: {
        networkArea: 'The Riverside, Castlegate, Hillview and Northgate wards of Bytesford, as shown on the map lodged with the ICB.',
        corePractices: BYTES_PRACTICES.map((p) => ({ ...p, listSizeDate: '2026-01-01' })),
        clinicalDirector: {
          personId: BYTES_IDS.clinicalDirector,
          name: 'Dr Asha Patel',
          appointedOn: '2026-03-15',
          appointmentMethod: ClinicalDirectorAppointmentMethod.ELECTED_BY_MEMBERS,
          sessionsPerWeek: 2,
        },
        payee: { arrangement: PayeeArrangement.NOMINATED_PRACTICE, organisationId: BYTES_IDS.riverside },
        governance: {
          meetingFrequency: MeetingFrequency.MONTHLY,
          quorum: { minimumPractices: 3, description: 'Three practices, each represented by a partner or director.' },
          votingRule: VotingRule.SIMPLE_MAJORITY,
          decisionsRequiringUnanimity: ['Admitting a new core network practice', 'Changing the nominated payee'],
        },
      },
      additionalTerms: [
        { heading: 'Clinical director duties', text: 'The clinical director reports to the members’ meeting each quarter on ARRS spending.' },
      ],
      activities: [
        {
          specification: ServiceSpecification.STRUCTURED_MEDICATION_REVIEW,
          deliveredBy: BYTES_PRACTICES.map((p) => p.organisationId),
          subcontracted: false,
        },
        {
          specification: ServiceSpecification.ANTICIPATORY_CARE,
          deliveredBy: [BYTES_IDS.riverside, BYTES_IDS.communityTrust],
          subcontracted: false,
        },
        {
          specification: ServiceSpecification.ENHANCED_ACCESS,
          deliveredBy: [BYTES_IDS.castleStreet, BYTES_IDS.hillview],
          subcontracted: false,
          cqcRegisteredProviderId: BYTES_IDS.castleStreet,
        },
      ],
      finances: {
        payeeOrganisationId: BYTES_IDS.riverside,
        distributionBasis: DistributionBasis.WEIGHTED_LIST_SIZE,
        distributionTiming: 'Within ten working days of the payee receiving each monthly payment.',
        liabilitySharing: 'Surpluses, losses and liabilities are shared in proportion to weighted list size.',
        bankingArrangements: 'A separate ring-fenced account held by Riverside Medical Centre, reconciled quarterly.',
      },
      workforce: {
        arrsPosts: [
          {
            role: ArrsRole.CLINICAL_PHARMACIST,
            employerOrganisationId: BYTES_IDS.riverside,
            wte: 1,
            startDate: '2026-04-01',
            hostPracticeIds: [BYTES_IDS.riverside, BYTES_IDS.castleStreet],
          },
          {
            role: ArrsRole.SOCIAL_PRESCRIBING_LINK_WORKER,
            employerOrganisationId: BYTES_IDS.hillview,
            wte: 0.8,
            startDate: '2026-05-01',
            hostPracticeIds: [BYTES_IDS.hillview, BYTES_IDS.northgate],
          },
        ],
      },
      insurance: {
        indemnityArrangements: 'Each practice keeps its own clinical negligence cover under CNSGP and public liability cover of at least £5m.',
        intellectualProperty: 'Material created for the network is licensed to all members free of charge.',
        otherTerms: '',
      },
      nonGpArrangements: [
        {
          organisationId: BYTES_IDS.communityTrust,
          providerType: NonGpProviderType.COMMUNITY_SERVICES,
          instrument: NonGpInstrument.COLLABORATION_AGREEMENT,
          votingRights: false,
          financeVisibility: false,
          startDate: '2026-04-01',
        },
      ],
    },
    annexes: [buildDirectCareAnnex()],
  };
  return deepMerge(base, overrides);
}

export function buildValidationContext(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return {
    memberPractices: BYTES_PRACTICES.map(({ organisationId, odsCode, name, listSize }) => ({ organisationId, odsCode, name, listSize })),
    knownOrganisations: [
      ...BYTES_PRACTICES.map((p) => ({ organisationId: p.organisationId, name: p.name, kind: 'GP_PRACTICE' })),
      { ...BYTES_COMMUNITY_TRUST },
      { ...BYTES_FEDERATION },
    ],
    today: '2026-05-01',
    ...overrides,
  };
}

/** Objects merge recursively; arrays and scalars replace; an explicit `undefined` removes the key. */
function deepMerge<T>(base: T, overrides: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return (overrides === undefined ? base : overrides) as T;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[key];
    else result[key] = isPlainObject(value) && isPlainObject(result[key]) ? deepMerge(result[key], value) : value;
  }
  return result as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
