export enum UserRole {
  PlatformAdmin = 'PLATFORM_ADMIN',
  ClinicalDirector = 'PCN_CLINICAL_DIRECTOR',
  PcnManager = 'PCN_MANAGER',
  PracticeSignatory = 'PRACTICE_SIGNATORY',
  PracticeManager = 'PRACTICE_MANAGER',
  PartnerSignatory = 'PARTNER_SIGNATORY',
  Auditor = 'AUDITOR',
}

export enum Permission {
  DirectoryRead = 'directory.read',
  DirectoryWrite = 'directory.write',
  AgreementRead = 'agreement.read',
  AgreementDraft = 'agreement.draft',
  AgreementSubmit = 'agreement.submit',
  AgreementSign = 'agreement.sign',
  AuditRead = 'audit.read',
  AdminQueues = 'admin.queues',
  /** Invite people, maintain people and roles, disable accounts, within the organisations the service allows. */
  PeopleManage = 'people.manage',
}

/** Coarse, per-route permissions. Which records a role may touch is decided per resource by the owning service. */
export const ROLE_PERMISSIONS: Record<UserRole, readonly Permission[]> = {
  [UserRole.PlatformAdmin]: Object.values(Permission),
  [UserRole.ClinicalDirector]: [Permission.DirectoryRead, Permission.AgreementRead, Permission.AgreementDraft, Permission.AgreementSubmit, Permission.AgreementSign, Permission.AuditRead, Permission.PeopleManage],
  [UserRole.PcnManager]: [Permission.DirectoryRead, Permission.AgreementRead, Permission.AgreementDraft, Permission.AgreementSubmit, Permission.AuditRead, Permission.PeopleManage],
  [UserRole.PracticeSignatory]: [Permission.DirectoryRead, Permission.AgreementRead, Permission.AgreementSign],
  [UserRole.PracticeManager]: [Permission.DirectoryRead, Permission.AgreementRead, Permission.PeopleManage],
  [UserRole.PartnerSignatory]: [Permission.AgreementRead, Permission.AgreementSign],
  [UserRole.Auditor]: [Permission.DirectoryRead, Permission.AgreementRead, Permission.AuditRead],
};

/** Roles whose grant names the organisation it applies to. */
export const ORGANISATION_SCOPED_ROLES: readonly UserRole[] = [
  UserRole.ClinicalDirector,
  UserRole.PcnManager,
  UserRole.PracticeSignatory,
  UserRole.PracticeManager,
  UserRole.PartnerSignatory,
];
