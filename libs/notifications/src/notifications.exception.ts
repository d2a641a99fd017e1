import { DomainException } from '@pcn/common';

export enum NotificationsErrorCode {
  /** The mail server refused the message or a recipient (an SMTP 4xx/5xx reply). */
  SmtpRejected = 'SMTP_REJECTED',
  /** No usable connection: refused, reset, TLS or login failed, or a reply never came. */
  SmtpUnavailable = 'SMTP_UNAVAILABLE',
  /** The send took longer than the overall deadline; it may still arrive (see messageKey). */
  SmtpTimeout = 'SMTP_TIMEOUT',
  /** The message itself is unusable (no recipient, bad link, bad key). Retrying will not help. */
  InvalidMessage = 'INVALID_MESSAGE',
}

const STATUS: Record<NotificationsErrorCode, number> = {
  [NotificationsErrorCode.SmtpRejected]: 502,
  [NotificationsErrorCode.SmtpUnavailable]: 503,
  [NotificationsErrorCode.SmtpTimeout]: 504,
  [NotificationsErrorCode.InvalidMessage]: 422,
};

export interface SmtpFailureDetails {
  /** The server's reply as it sent it, e.g. `550 5.1.1 Mailbox unavailable`, when there was one. */
  smtpResponse?: string;
  /** The numeric SMTP reply code, e.g. 550 or 451. */
  responseCode?: number;
  /** The SMTP command that failed, e.g. `RCPT TO` or `DATA`. */
  command?: string;
  /** True when sending the same message again may work (4xx replies, network errors, timeouts). */
  retryable: boolean;
}

export class NotificationsException extends DomainException {
  readonly smtpResponse?: string;
  readonly responseCode?: number;
  readonly command?: string;
  readonly retryable: boolean;

  constructor(code: NotificationsErrorCode, message: string, details: SmtpFailureDetails = { retryable: false }, options?: { cause?: unknown }) {
    super(code, STATUS[code], message);
    this.name = 'NotificationsException';
    this.smtpResponse = details.smtpResponse;
    this.responseCode = details.responseCode;
    this.command = details.command;
    this.retryable = details.retryable;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }

  static invalidMessage(message: string): NotificationsException {
    return new NotificationsException(NotificationsErrorCode.InvalidMessage, message, { retryable: false });
  }
}
