import { DomainException, FieldMessages } from '@pcn/common';

export enum DirectoryErrorCode {
  OrganisationNotFound = 'ORGANISATION_NOT_FOUND',
  NotAPractice = 'NOT_A_PRACTICE',
  NotAPcn = 'NOT_A_PCN',
  AlreadyCoreMember = 'ALREADY_CORE_MEMBER',
  DuplicateCode = 'DUPLICATE_CODE',
  DuplicateEmail = 'DUPLICATE_EMAIL',
  InvalidDates = 'INVALID_DATES',
  MembershipNotFound = 'MEMBERSHIP_NOT_FOUND',
  /** A PCN has one clinical director at a time. */
  ClinicalDirectorInPost = 'CLINICAL_DIRECTOR_IN_POST',
}

const STATUS: Record<DirectoryErrorCode, number> = {
  [DirectoryErrorCode.OrganisationNotFound]: 404,
  [DirectoryErrorCode.NotAPractice]: 422,
  [DirectoryErrorCode.NotAPcn]: 422,
  [DirectoryErrorCode.AlreadyCoreMember]: 409,
  [DirectoryErrorCode.DuplicateCode]: 409,
  [DirectoryErrorCode.DuplicateEmail]: 409,
  [DirectoryErrorCode.InvalidDates]: 422,
  [DirectoryErrorCode.MembershipNotFound]: 404,
  [DirectoryErrorCode.ClinicalDirectorInPost]: 409,
};

export class DirectoryException extends DomainException {
  constructor(code: DirectoryErrorCode, message: string, fieldErrors?: FieldMessages) {
    super(code, STATUS[code], message, fieldErrors);
  }
}
