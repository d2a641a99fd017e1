/** What happened. Stored as text (not a PostgreSQL enum), so adding a type needs no migration. */
export enum AuditEventType {
  // Drafting
  AgreementCreated = 'AGREEMENT_CREATED',
  RevisionSaved = 'REVISION_SAVED',
  Submitted = 'SUBMITTED',
  // Approval / signing rounds
  RequestSent = 'REQUEST_SENT',
  Viewed = 'VIEWED',
  Approved = 'APPROVED',
  Signed = 'SIGNED',
  Declined = 'DECLINED',
  Delegated = 'DELEGATED',
  Reminded = 'REMINDED',
  Withdrawn = 'WITHDRAWN',
  Expired = 'EXPIRED',
  Extended = 'EXTENDED',
  Executed = 'EXECUTED',
  Superseded = 'SUPERSEDED',
  Terminated = 'TERMINATED',
  // Delivery
  EmailSent = 'EMAIL_SENT',
  EmailFailed = 'EMAIL_FAILED',
  // Documents
  DocumentGenerated = 'DOCUMENT_GENERATED',
  DocumentDownloaded = 'DOCUMENT_DOWNLOADED',
  DocumentVerified = 'DOCUMENT_VERIFIED',
  // The trail itself, and platform events (chain 'platform')
  AuditTrailExported = 'AUDIT_TRAIL_EXPORTED',
  RoleGranted = 'ROLE_GRANTED',
  RoleRevoked = 'ROLE_REVOKED',
  // People and accounts (chain 'platform')
  OrganisationOnboarded = 'ORGANISATION_ONBOARDED',
  MembershipAdded = 'MEMBERSHIP_ADDED',
  PersonAdded = 'PERSON_ADDED',
  PersonRoleAdded = 'PERSON_ROLE_ADDED',
  PersonRoleEnded = 'PERSON_ROLE_ENDED',
  UserInvited = 'USER_INVITED',
  InvitationAccepted = 'INVITATION_ACCEPTED',
  AccountDisabled = 'ACCOUNT_DISABLED',
  AccountEnabled = 'ACCOUNT_ENABLED',
}
