import {
  AgreementContent, Art6Basis, Art9Condition, ArrsRole, ClinicalDirectorAppointmentMethod, ConfidentialityBasis, DataRole, DataSharingAnnexKind,
  DataSubjectCategory, DistributionBasis, DsptStatus, MeetingFrequency, NonGpInstrument, NonGpProviderType, PayeeArrangement, PurposeCategory,
  ServiceSpecification, VotingRule,
} from '@pcn/agreements';

export interface DemoContact {
  name: string;
  email: string;
}

export interface DemoIds {
  practices: Record<string, string>;
  trust: string;
  vcse: string;
  clinicalDirectorPersonId: string;
  /**
   * Organisation id → its Data Protection Officer and Caldicott Guardian as the directory
   * records them: the same people the information-governance step asks to approve.
   */
  igContacts: Record<string, { dpo: DemoContact; caldicottGuardian: DemoContact }>;
}

/** The BYTES draft: complete schedules and one joint-controller annex that includes the community trust. */
export function demoAgreementContent(ids: DemoIds, effectiveFrom: string): AgreementContent {
  const p = ids.practices;
  const contacts = (organisationId: string) => {
    const found = ids.igContacts[organisationId];
    if (!found) throw new Error(`The demo directory records no DPO and Caldicott Guardian for organisation ${organisationId}.`);
    return { dpo: found.dpo, caldicottGuardian: found.caldicottGuardian };
  };
  return {
    title: 'BYTES PCN Network Agreement 2026/27',
    financialYear: '2026/27',
    effectiveFrom,
    schedules: {
      keyDetails: {
        networkArea: 'Yarm, Eaglescliffe, Thornaby and Barwick in Stockton-on-Tees; the registered lists of the four core practices.',
        clinicalDirector: { personId: ids.clinicalDirectorPersonId, name: 'Dr Amira Okafor', appointedOn: effectiveFrom, appointmentMethod: ClinicalDirectorAppointmentMethod.ELECTED_BY_MEMBERS, sessionsPerWeek: 2 },
        payee: { arrangement: PayeeArrangement.NOMINATED_PRACTICE, organisationId: p.yarm },
        governance: {
          meetingFrequency: MeetingFrequency.MONTHLY,
          quorum: { minimumPractices: 3, description: 'Three of the four practices, each represented by a partner or director.' },
          votingRule: VotingRule.WEIGHTED_BY_LIST_SIZE,
          decisionsRequiringUnanimity: ['Admitting or removing a core network practice', 'Changing the nominated payee'],
        },
      },
      additionalTerms: [{ heading: 'Clinical director deputy', text: 'The clinical director names a deputy from another core practice who acts when the clinical director is away for more than two weeks.' }],
      activities: [
        { specification: ServiceSpecification.STRUCTURED_MEDICATION_REVIEW, deliveredBy: [p.yarm, p.eaglescliffe, p.tbmg, p.parklane], subcontracted: false },
        { specification: ServiceSpecification.ENHANCED_HEALTH_IN_CARE_HOMES, deliveredBy: [p.tbmg, ids.trust], subcontracted: false },
        { specification: ServiceSpecification.ENHANCED_ACCESS, deliveredBy: [p.yarm, p.tbmg], subcontracted: false },
      ],
      finances: {
        payeeOrganisationId: p.yarm,
        distributionBasis: DistributionBasis.CUSTOM_PERCENTAGES,
        shares: [
          { organisationId: p.yarm, percentage: 31 },
          { organisationId: p.eaglescliffe, percentage: 26 },
          { organisationId: p.tbmg, percentage: 28 },
          { organisationId: p.parklane, percentage: 15 },
        ],
        distributionTiming: 'Within 10 working days of the nominated payee receiving each monthly payment.',
        liabilitySharing: 'Losses and liabilities arising from joint network activity are shared in the same proportions as funding.',
        bankingArrangements: 'A designated network account held by the nominated payee, reconciled quarterly and reported to the members.',
      },
      workforce: {
        arrsPosts: [
          { role: ArrsRole.CLINICAL_PHARMACIST, employerOrganisationId: p.yarm, wte: 1, startDate: effectiveFrom, hostPracticeIds: [p.yarm, p.eaglescliffe] },
          { role: ArrsRole.SOCIAL_PRESCRIBING_LINK_WORKER, employerOrganisationId: p.tbmg, wte: 0.8, startDate: effectiveFrom, hostPracticeIds: [p.tbmg, p.parklane] },
        ],
      },
      insurance: {
        indemnityArrangements: 'Each practice keeps its own clinical negligence cover under the state-backed scheme and public liability cover of at least £5m.',
        intellectualProperty: 'Materials made for the network belong to the members jointly and may be used by any member.',
        otherTerms: 'None.',
      },
      nonGpArrangements: [
        { organisationId: ids.trust, providerType: NonGpProviderType.COMMUNITY_SERVICES, instrument: NonGpInstrument.COLLABORATION_AGREEMENT, votingRights: false, financeVisibility: false, startDate: effectiveFrom },
        { organisationId: ids.vcse, providerType: NonGpProviderType.VCSE, instrument: NonGpInstrument.MOU, votingRights: false, financeVisibility: false, startDate: effectiveFrom },
      ],
    },
    annexes: [
      {
        title: 'Direct care data sharing: anticipatory care and care homes',
        kind: DataSharingAnnexKind.JOINT_CONTROLLER_DSA,
        parties: [
          ...(['yarm', 'eaglescliffe', 'tbmg', 'parklane'] as const).map((k) => ({
            organisationId: p[k], dataRole: DataRole.JOINT_CONTROLLER, ...contacts(p[k]), dsptStatus: DsptStatus.MET, dsptYear: '2025-26',
          })),
          { organisationId: ids.trust, dataRole: DataRole.JOINT_CONTROLLER, ...contacts(ids.trust), dsptStatus: DsptStatus.EXCEEDED, dsptYear: '2025-26' },
        ],
        purposes: [
          {
            description: 'Planning and delivering anticipatory care and enhanced health in care homes for registered patients',
            category: PurposeCategory.DIRECT_CARE,
            art6Basis: Art6Basis.E,
            art9Condition: Art9Condition.H,
            dpaSchedule1Condition: 'DPA 2018 Schedule 1 Part 1 paragraph 2 (health or social care purposes)',
            confidentialityBasis: ConfidentialityBasis.IMPLIED_CONSENT_DIRECT_CARE,
          },
        ],
        dataSubjects: [DataSubjectCategory.PATIENTS, DataSubjectCategory.CARERS],
        dataItems: [
          { name: 'NHS number, name, date of birth and address', justification: 'To identify the right patient across organisations', specialCategory: false, criminalOffence: false },
          { name: 'Diagnoses, medications and care plans', justification: 'Needed by the multidisciplinary team to plan and give care', specialCategory: true, criminalOffence: false },
        ],
        flows: [
          { fromOrganisationId: p.yarm, toOrganisationId: ids.trust, system: 'EMIS Web shared record', transferMethod: 'Shared care record access over HSCN', encrypted: true, frequency: 'Continuous' },
          { fromOrganisationId: ids.trust, toOrganisationId: p.tbmg, system: 'SystmOne', transferMethod: 'Care plan updates via shared record', encrypted: true, frequency: 'Daily' },
        ],
        retention: { period: 'As the NHS Records Management Code of Practice sets for GP records', rule: 'Records Management Code of Practice 2023', disposalMethod: 'Secure deletion with a destruction certificate' },
        securityMeasures: ['Role-based access through NHS smartcards', 'Encryption in transit (TLS 1.2+) and at rest', 'Audit of record access every quarter'],
        dpia: { required: true, reference: 'DPIA-BYTES-2026-01', date: effectiveFrom, outcome: 'Residual risk low; approved by all DPOs' },
        breachNotificationHours: 24,
        effectiveFrom,
        rightsRequestsHandledBy: p.yarm,
        privacyNoticeUrl: 'https://bytes-pcn.demo.nhs.uk/privacy',
      },
    ],
  } as AgreementContent;
}
