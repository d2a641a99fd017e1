import { DomainException } from '@pcn/common';

export enum AuthErrorCode {
  InvalidCredentials = 'INVALID_CREDENTIALS',
  InvalidRefreshToken = 'INVALID_REFRESH_TOKEN',
  RefreshTokenReused = 'REFRESH_TOKEN_REUSED',
  NotAuthenticated = 'NOT_AUTHENTICATED',
  PermissionDenied = 'PERMISSION_DENIED',
  NoAccessRule = 'NO_ACCESS_RULE',
  EmailTaken = 'EMAIL_TAKEN',
  TooManyAttempts = 'TOO_MANY_ATTEMPTS',
  SessionRevoked = 'SESSION_REVOKED',
}

const STATUS: Record<AuthErrorCode, number> = {
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.InvalidRefreshToken]: 401,
  [AuthErrorCode.RefreshTokenReused]: 401,
  [AuthErrorCode.NotAuthenticated]: 401,
  [AuthErrorCode.PermissionDenied]: 403,
  [AuthErrorCode.NoAccessRule]: 403,
  [AuthErrorCode.EmailTaken]: 409,
  [AuthErrorCode.TooManyAttempts]: 429,
  [AuthErrorCode.SessionRevoked]: 401,
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string, retryAfterSeconds?: number) {
    super(code, STATUS[code], message);
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** "a minute", "3 minutes", "2 hours" — for messages people read. */
export function waitInWords(seconds: number): string {
  if (seconds <= 60) return 'a minute';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}
