import { DomainException } from '@pcn/common';

export enum AuthErrorCode {
  InvalidCredentials = 'INVALID_CREDENTIALS',
  InvalidRefreshToken = 'INVALID_REFRESH_TOKEN',
  RefreshTokenReused = 'REFRESH_TOKEN_REUSED',
  NotAuthenticated = 'NOT_AUTHENTICATED',
  PermissionDenied = 'PERMISSION_DENIED',
  NoAccessRule = 'NO_ACCESS_RULE',
  EmailTaken = 'EMAIL_TAKEN',
}

const STATUS: Record<AuthErrorCode, number> = {
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.InvalidRefreshToken]: 401,
  [AuthErrorCode.RefreshTokenReused]: 401,
  [AuthErrorCode.NotAuthenticated]: 401,
  [AuthErrorCode.PermissionDenied]: 403,
  [AuthErrorCode.NoAccessRule]: 403,
  [AuthErrorCode.EmailTaken]: 409,
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
