import { DomainException, FieldMessages } from '@pcn/common';

export enum AuditErrorCode {
  /** A caller tried to record a malformed event: a programming error, never the user's. */
  InvalidEvent = 'AUDIT_INVALID_EVENT',
}

const STATUS: Record<AuditErrorCode, number> = {
  [AuditErrorCode.InvalidEvent]: 500,
};

export class AuditException extends DomainException {
  constructor(code: AuditErrorCode, message: string, fieldErrors?: FieldMessages) {
    super(code, STATUS[code], message, fieldErrors);
  }
}
