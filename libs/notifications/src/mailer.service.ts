import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import { mailConfig, MailConfig } from './mail.config';
import { NotificationsErrorCode, NotificationsException } from './notifications.exception';
import { singleLine } from './templates/format';

/** Carries the caller's idempotency key (outbox row or job id) so an email can be matched to the job that sent it. */
export const MESSAGE_KEY_HEADER = 'X-PCN-Message-Key';

const MESSAGE_KEY = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

export interface OutgoingMail {
  to: string | string[];
  cc?: string | string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * Idempotency key, e.g. the outbox id or BullMQ job id: sent as X-PCN-Message-Key and
   * used to derive the Message-ID, so a retried send of the same job has the same Message-ID.
   */
  messageKey: string;
  /** Extra headers; X-PCN-Message-Key cannot be overridden. */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while still taking the message for the others. */
  rejected: string[];
  /** The server's final reply, e.g. `250 OK: queued as 1A2B3C`. */
  response: string;
}

type MailTransport = Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

/** One pooled SMTP transport for the whole process, configured from MailConfig. */
export function createMailTransport(config: MailConfig): MailTransport {
  const timeout = config.SMTP_TIMEOUT_MS;
  return createTransport({
    pool: true,
    maxConnections: 3,
    maxMessages: 100,
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    requireTLS: config.SMTP_REQUIRE_TLS,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASS } } : {}),
    tls: { minVersion: 'TLSv1.2' },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    dnsTimeout: timeout,
    // Inactivity on an open connection; a reply to one command should never take longer.
    socketTimeout: timeout * 2,
    idleTimeout: 60_000,
  });
}

/** Domain of the MAIL_FROM address, for Message-IDs. */
function senderDomain(from: string): string {
  const match = /@([^\s<>@"]+)>?\s*$/.exec(from);
  return match ? match[1].toLowerCase() : 'pcn-agreements.localhost';
}

function addresses(list: unknown): string[] {
  return Array.isArray(list) ? list.map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address ?? a))) : [];
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

/** RFC 5321: 4yz is transient; 5yz is permanent, except 503 (wrong state, try a new connection). */
function isRetryableReply(code: number): boolean {
  return code < 500 || code === 503;
}

export function toNotificationsException(error: unknown): NotificationsException {
  if (error instanceof NotificationsException) return error;
  const e = (error ?? {}) as SmtpError;
  const reply = typeof e.response === 'string' ? singleLine(e.response) : undefined;
  const where = e.command ? ` (${e.command})` : '';
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new NotificationsException(
      NotificationsErrorCode.SmtpRejected,
      `The mail server refused the message${where}: ${reply ?? e.message ?? e.responseCode}`,
      { smtpResponse: reply, responseCode: e.responseCode, command: e.command, retryable: isRetryableReply(e.responseCode) },
      { cause: error },
    );
  }
  if (e.code === 'ETIMEDOUT') {
    return new NotificationsException(NotificationsErrorCode.SmtpTimeout, `The mail server did not answer in time${where}: ${e.message}`, { smtpResponse: reply, command: e.command, retryable: true }, { cause: error });
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return new NotificationsException(NotificationsErrorCode.InvalidMessage, `The message could not be sent as addressed: ${e.message}`, { smtpResponse: reply, command: e.command, retryable: false }, { cause: error });
  }
  return new NotificationsException(
    NotificationsErrorCode.SmtpUnavailable,
    `The mail server could not be reached${where}: ${e.message ?? String(error)}`,
    { smtpResponse: reply, command: e.command, retryable: true },
    { cause: error },
  );
}

@Injectable()
export class MailerService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailerService.name);
  private readonly transport: MailTransport;
  private readonly domain: string;

  constructor(@Inject(mailConfig.KEY) private readonly config: MailConfig) {
    this.transport = createMailTransport(config);
    this.domain = senderDomain(config.MAIL_FROM);
  }

  /**
   * Hands one message to the SMTP server. Resolves once the server has accepted it for at
   * least one recipient; otherwise throws NotificationsException with the server's reply
   * and whether a retry may work. A send that passes the overall deadline (3 × SMTP_TIMEOUT_MS)
   * is reported as SMTP_TIMEOUT but may still be delivered: the Message-ID and
   * X-PCN-Message-Key of a retry are the same, so duplicates can be recognised.
   */
  async send(message: OutgoingMail): Promise<SentMail> {
    this.check(message);
    const messageId = this.messageIdFor(message.messageKey);
    const deadlineMs = this.sendDeadlineMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new NotificationsException(NotificationsErrorCode.SmtpTimeout, `Sending did not finish within ${deadlineMs} ms.`, { retryable: true })),
        deadlineMs,
      );
    });
    try {
      const info = await Promise.race([
        this.transport.sendMail({
          from: this.config.MAIL_FROM,
          to: message.to,
          cc: message.cc,
          replyTo: message.replyTo,
          subject: singleLine(message.subject),
          text: message.text,
          html: message.html,
          messageId,
          headers: { ...message.headers, [MESSAGE_KEY_HEADER]: message.messageKey },
        }),
        deadline,
      ]);
      return { messageId: info.messageId ?? messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected), response: String(info.response ?? '') };
    } catch (error) {
      const failure = toNotificationsException(error);
      this.logger.warn({ messageKey: message.messageKey, code: failure.code, responseCode: failure.responseCode, retryable: failure.retryable }, failure.message);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The Message-ID send() gives the message with this key: known before sending, the same on every retry. */
  messageIdFor(messageKey: string): string {
    return `<pcn.${createHash('sha256').update(messageKey).digest('hex').slice(0, 32)}@${this.domain}>`;
  }

  /** The longest one send() can take before it gives up (and the message may still arrive). */
  get sendDeadlineMs(): number {
    return this.config.SMTP_TIMEOUT_MS * 3;
  }

  /**
   * Closed in the last phase of shutdown, not in onModuleDestroy: the worker drains its
   * running jobs in onModuleDestroy (QueueRunner), and an email job still sending needs the pool.
   */
  onApplicationShutdown(): void {
    this.transport.close();
  }

  private check(message: OutgoingMail): void {
    const to = Array.isArray(message.to) ? message.to : [message.to];
    if (to.length === 0 || to.some((a) => typeof a !== 'string' || a.trim() === '')) throw NotificationsException.invalidMessage('The email has no recipient.');
    if (!message.subject?.trim()) throw NotificationsException.invalidMessage('The email has no subject.');
    if (typeof message.messageKey !== 'string' || !MESSAGE_KEY.test(message.messageKey)) {
      throw NotificationsException.invalidMessage('messageKey must be 1-200 characters: letters, digits and . _ : @ / + = -');
    }
  }
}
