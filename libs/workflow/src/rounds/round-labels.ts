import { PersonRoleType } from '@pcn/directory';
import { RoundStatus } from './approval-round.entity';
import { RequestStatus, SignerCapacity } from './signature-request.entity';

/** Words for the capacity a person acts in, for pages and lists. */
export const CAPACITY_LABELS: Record<SignerCapacity, string> = {
  [SignerCapacity.Partner]: 'Partner',
  [SignerCapacity.Director]: 'Director',
  [SignerCapacity.SoleTrader]: 'Sole practitioner',
  [SignerCapacity.AuthorisedSignatory]: 'Authorised signatory',
  [SignerCapacity.ClinicalDirector]: 'Clinical director',
  [SignerCapacity.Dpo]: 'Data Protection Officer',
  [SignerCapacity.CaldicottGuardian]: 'Caldicott Guardian',
};

export const ROLE_LABELS: Record<PersonRoleType, string> = {
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

export const REQUEST_STATUS_LABELS: Record<RequestStatus, string> = {
  [RequestStatus.Pending]: 'Waiting',
  [RequestStatus.Approved]: 'Approved',
  [RequestStatus.Declined]: 'Declined',
  [RequestStatus.Delegated]: 'Delegated',
  [RequestStatus.NotNeeded]: 'Not needed',
  [RequestStatus.Void]: 'Cancelled',
};

export const ROUND_STATUS_LABELS: Record<RoundStatus, string> = {
  [RoundStatus.Active]: 'In progress',
  [RoundStatus.Completed]: 'Completed',
  [RoundStatus.Declined]: 'Declined',
  [RoundStatus.Withdrawn]: 'Withdrawn',
  [RoundStatus.Expired]: 'Expired',
  [RoundStatus.Restarted]: 'Restarted',
};

/** Who the trail and the certificate name for what the platform does itself (execution, emails, expiry). */
export const PLATFORM_ACTOR_NAME = 'The platform';
