export enum OrganisationKind {
  GpPractice = 'GP_PRACTICE',
  Pcn = 'PCN',
  /** An Integrated Care Board: its ODS code is what PCNs' icbCode and auditors' scopes name. */
  Icb = 'ICB',
  NhsTrust = 'NHS_TRUST',
  CommunityPharmacy = 'COMMUNITY_PHARMACY',
  Federation = 'FEDERATION',
  PcnCompany = 'PCN_COMPANY',
  Vcse = 'VCSE',
  LocalAuthority = 'LOCAL_AUTHORITY',
  Other = 'OTHER',
}

export const NON_GP_KINDS = [
  OrganisationKind.NhsTrust,
  OrganisationKind.CommunityPharmacy,
  OrganisationKind.Federation,
  OrganisationKind.PcnCompany,
  OrganisationKind.Vcse,
  OrganisationKind.LocalAuthority,
  OrganisationKind.Other,
] as const;

export enum ContractType { Gms = 'GMS', Pms = 'PMS', Apms = 'APMS' }
export enum LegalForm { Partnership = 'PARTNERSHIP', SoleTrader = 'SOLE_TRADER', Company = 'COMPANY' }
export enum DsptStatus { NotPublished = 'NOT_PUBLISHED', Approaching = 'APPROACHING', Met = 'MET', Exceeded = 'EXCEEDED' }
/** CORE: a GP practice's core membership. PARTNER: a non-GP organisation working with the PCN (its people may be invited by the PCN). */
export enum MembershipType { Core = 'CORE', Partner = 'PARTNER' }
export enum ExitReason { Voluntary = 'VOLUNTARY', Expelled = 'EXPELLED', DesOptOut = 'DES_OPT_OUT', Merger = 'MERGER', Closure = 'CLOSURE' }

export enum PersonRoleType {
  Partner = 'PARTNER',
  Director = 'DIRECTOR',
  SolePractitioner = 'SOLE_PRACTITIONER',
  ClinicalDirector = 'CLINICAL_DIRECTOR',
  PracticeManager = 'PRACTICE_MANAGER',
  Dpo = 'DPO',
  CaldicottGuardian = 'CALDICOTT_GUARDIAN',
  IgLead = 'IG_LEAD',
  Siro = 'SIRO',
  AuthorisedSignatory = 'AUTHORISED_SIGNATORY',
}

export const ODS_PRACTICE = /^[A-Z][0-9]{5}$/;
export const PCN_CODE = /^U[0-9]{5}$/;
export const ICB_CODE = /^Q[0-9A-Z]{2}$/;
export const SUB_ICB_CODE = /^[0-9A-Z]{3}([0-9A-Z]{2})?$/;
/** Trusts, pharmacies and other bodies have ODS codes of 3–6 letters and digits. */
export const ODS_OTHER = /^[A-Z0-9]{3,6}$/;
export const ICO_REGISTRATION = /^[A-Z]{1,2}[0-9]{6,8}$/;
export const DSPT_YEAR = /^20[0-9]{2}-[0-9]{2}$/;
