import {
  ArrsRole,
  DataRole,
  DataSharingAnnexKind,
  DistributionBasis,
  PayeeArrangement,
  ServiceSpecification,
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
