import { DomainException, FieldMessages } from '@pcn/common';

export enum AccountsErrorCode {
  InvitationNotValid = 'INVITATION_NOT_VALID',
  InvitationUnknown = 'INVITATION_UNKNOWN',
  InvitationPending = 'INVITATION_PENDING',
  AccountExists = 'ACCOUNT_EXISTS',
  PasswordTooWeak = 'PASSWORD_TOO_WEAK',
  AccountNotFound = 'ACCOUNT_NOT_FOUND',
  CannotDisableSelf = 'CANNOT_DISABLE_SELF',
  /** The CIS2 identity used to accept an invitation is already linked to an account. */
  IdentityLinked = 'IDENTITY_ALREADY_LINKED',
}

const STATUS: Record<AccountsErrorCode, number> = {
  [AccountsErrorCode.InvitationNotValid]: 410,
  [AccountsErrorCode.InvitationUnknown]: 404,
  [AccountsErrorCode.InvitationPending]: 409,
  [AccountsErrorCode.AccountExists]: 409,
  [AccountsErrorCode.PasswordTooWeak]: 422,
  [AccountsErrorCode.AccountNotFound]: 404,
  [AccountsErrorCode.CannotDisableSelf]: 422,
  [AccountsErrorCode.IdentityLinked]: 409,
};

export class AccountsException extends DomainException {
  constructor(code: AccountsErrorCode, message: string, fieldErrors?: FieldMessages) {
    super(code, STATUS[code], message, fieldErrors);
  }
}
