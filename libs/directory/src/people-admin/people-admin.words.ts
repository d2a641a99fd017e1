import { UserRole } from '@pcn/auth';
import { OrganisationKind, PersonRoleType } from '../directory.enums';

/** Platform roles in words, as the invite form offers them. */
export const PLATFORM_ROLE_WORDS: Record<UserRole, string> = {
  [UserRole.PlatformAdmin]: 'Platform administrator',
  [UserRole.ClinicalDirector]: 'Clinical director of the PCN',
  [UserRole.PcnManager]: 'PCN manager',
  [UserRole.PracticeSignatory]: 'Signs for the practice (partner, sole practitioner or director)',
  [UserRole.PracticeManager]: 'Practice manager',
  [UserRole.PartnerSignatory]: 'Signs for the partner organisation',
  [UserRole.Auditor]: 'Auditor',
};

/** Directory roles in words. */
export const PERSON_ROLE_WORDS: Record<PersonRoleType, string> = {
  [PersonRoleType.Partner]: 'Partner',
  [PersonRoleType.Director]: 'Director',
  [PersonRoleType.SolePractitioner]: 'Sole practitioner',
  [PersonRoleType.ClinicalDirector]: 'Clinical director',
  [PersonRoleType.PracticeManager]: 'Practice manager',
  [PersonRoleType.Dpo]: 'Data Protection Officer',
  [PersonRoleType.CaldicottGuardian]: 'Caldicott Guardian',
  [PersonRoleType.IgLead]: 'Information governance lead',
  [PersonRoleType.Siro]: 'Senior Information Risk Owner',
  [PersonRoleType.AuthorisedSignatory]: 'Authorised signatory',
};

/** Which directory roles each kind of organisation records. */
export function personRolesFor(kind: OrganisationKind): PersonRoleType[] {
  if (kind === OrganisationKind.GpPractice) {
    return [PersonRoleType.Partner, PersonRoleType.SolePractitioner, PersonRoleType.Director, PersonRoleType.PracticeManager, PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian, PersonRoleType.IgLead, PersonRoleType.Siro];
  }
  if (kind === OrganisationKind.Pcn) return [PersonRoleType.ClinicalDirector];
  // An ICB's people are not recorded here: its auditors are accounts scoped by its code.
  if (kind === OrganisationKind.Icb) return [];
  return [PersonRoleType.AuthorisedSignatory, PersonRoleType.Dpo, PersonRoleType.CaldicottGuardian, PersonRoleType.IgLead, PersonRoleType.Siro];
}

/** Which platform roles an account can be given for each kind of organisation (the clinical director only by a platform admin). */
export function platformRolesFor(kind: OrganisationKind, byAdmin: boolean): UserRole[] {
  if (kind === OrganisationKind.GpPractice) return [UserRole.PracticeSignatory, UserRole.PracticeManager];
  if (kind === OrganisationKind.Pcn) return byAdmin ? [UserRole.ClinicalDirector, UserRole.PcnManager] : [UserRole.PcnManager];
  if (kind === OrganisationKind.Icb) return [];
  return [UserRole.PartnerSignatory];
}
