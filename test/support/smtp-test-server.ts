import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { AddressObject, simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

/** One message as the test SMTP server received and parsed it. */
export interface ReceivedMail {
  from: string;
  /** Addresses in the To header. */
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Lower-case header name → value (the last one, unfolded; decoded where mailparser decodes it). */
  headers: Record<string, string>;
  /** What the client said in MAIL FROM and RCPT TO. */
  envelope: { mailFrom: string; rcptTo: string[] };
  raw: string;
}

export interface SmtpFailure {
  /** SMTP reply code; 4xx tells the client to retry later, 5xx that it never will work. Default 451. */
  code?: number;
  message?: string;
  /** Where to fail: the sender (MAIL FROM), each recipient (RCPT TO) or the message body (DATA). Default MAIL. */
  at?: 'MAIL' | 'RCPT' | 'DATA';
}

export interface SmtpTestServer {
  host: string;
  port: number;
  /** Every message received since start or the last clear(), in arrival order. */
  messages: ReceivedMail[];
  /** Resolves with the first received message (already here or still to come) that matches. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Resolves once at least n messages have arrived. */
  waitForCount(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Refuse the next n mail transactions with an SMTP error. */
  failNext(n: number, failure?: SmtpFailure): void;
  /** Refuse RCPT TO for matching addresses until cleared with `rejectRecipients(null)`. */
  rejectRecipients(pattern: RegExp | string | null, failure?: Omit<SmtpFailure, 'at'>): void;
  /** Forget received messages and any failure switches. */
  clear(): void;
  close(): Promise<void>;
  /** Env for MailConfig pointing at this server. */
  env(): Record<string, string>;
}

export interface SmtpTestServerOptions {
  /** Require this login (AUTH PLAIN/LOGIN over the plain connection). */
  auth?: { user: string; pass: string };
  /** Leave STARTTLS on (smtp-server's built-in self-signed certificate). Off by default. */
  starttls?: boolean;
  /**
   * Keep only each message's headers, read from its header block without mailparser; `text`,
   * `html` and `raw` stay empty. For load runs (the national drill receives some 60,000
   * messages and checks their Message-IDs), where parsing and keeping whole messages would
   * take CPU from the platform under test and gigabytes of memory.
   */
  headersOnly?: boolean;
}

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

function addressList(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = Array.isArray(value) ? value : value ? [value] : [];
  return objects.flatMap((o) => o.value.map((a) => a.address ?? '').filter(Boolean));
}

function headerMap(parsed: Awaited<ReturnType<typeof simpleParser>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    headers[key.toLowerCase()] = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
  }
  for (const [key, value] of parsed.headers) {
    if (typeof value === 'string') headers[key.toLowerCase()] = value;
  }
  return headers;
}

/** A message as `headersOnly` keeps it: the unfolded header block, nothing decoded. */
function headersOnlyMail(data: Buffer, envelope: ReceivedMail['envelope']): ReceivedMail {
  const end = data.indexOf('\r\n\r\n');
  const block = data.subarray(0, end < 0 ? data.length : end).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const addresses = (value = '') => [...value.matchAll(/[^\s<>,"]+@[^\s<>,"]+/g)].map((m) => m[0]);
  return {
    from: addresses(headers.from)[0] ?? '',
    to: addresses(headers.to),
    cc: addresses(headers.cc),
    subject: headers.subject ?? '',
    text: '',
    html: '',
    messageId: headers['message-id'] ?? '',
    headers,
    envelope,
    raw: '',
  };
}

/**
 * A real SMTP server on 127.0.0.1 and a random free port, in this process. Messages are
 * parsed with mailparser, so tests assert on what a mail client would show.
 */
export async function startSmtpTestServer(options: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  let failures: { remaining: number; failure: Required<SmtpFailure> } = { remaining: 0, failure: { code: 451, message: '', at: 'MAIL' } };
  let rejectPattern: { pattern: RegExp | string; code: number; message: string } | null = null;
  /** Connections whose current transaction was picked to fail at RCPT or DATA. */
  const failing = new WeakSet<object>();
  const failureReply = (): SmtpReplyError => {
    const { code, message } = failures.failure;
    return new SmtpReplyError(code, message || (code >= 500 ? 'Requested action not taken: mailbox unavailable (test)' : 'Requested action aborted: local error in processing (test)'));
  };

  const serverOptions: SMTPServerOptions = {
    authOptional: !options.auth,
    allowInsecureAuth: true,
    disabledCommands: options.starttls ? [] : ['STARTTLS'],
    logger: false,
    banner: 'pcn smtp test server',
    closeTimeout: 500,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Authentication credentials invalid (test)'), { responseCode: 535 }));
    },
    onMailFrom(_address, session, callback) {
      // Each MAIL FROM starts a transaction: decide here whether this one fails, and where.
      failing.delete(session);
      if (failures.remaining > 0) {
        failures.remaining--;
        if (failures.failure.at === 'MAIL') return callback(failureReply());
        failing.add(session);
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      if (rejectPattern) {
        const { pattern, code, message } = rejectPattern;
        const hit = typeof pattern === 'string' ? address.address.toLowerCase().includes(pattern.toLowerCase()) : pattern.test(address.address);
        if (hit) return callback(new SmtpReplyError(code, message));
      }
      callback(failing.has(session) && failures.failure.at === 'RCPT' ? failureReply() : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if (failing.has(session) && failures.failure.at === 'DATA') {
          failing.delete(session);
          return callback(failureReply());
        }
        const envelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        if (options.headersOnly) {
          messages.push(headersOnlyMail(Buffer.concat(chunks), envelope));
          notify();
          return callback();
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              from: addressList(parsed.from)[0] ?? '',
              to: addressList(parsed.to),
              cc: addressList(parsed.cc),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              headers: headerMap(parsed),
              envelope,
              raw,
            });
            notify();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  const waitUntil = <T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${describe()} within ${timeoutMs} ms. Received ${messages.length}: ${messages.map((m) => JSON.stringify(m.subject)).join(', ') || 'none'}.`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });

  return {
    host: '127.0.0.1',
    port,
    messages,
    waitFor: (predicate, timeoutMs = 5000) => waitUntil(() => messages.find(predicate), timeoutMs, () => 'No matching email arrived'),
    waitForCount: (n, timeoutMs = 5000) => waitUntil(() => (messages.length >= n ? messages.slice() : undefined), timeoutMs, () => `Fewer than ${n} emails arrived`),
    failNext(n, failure = {}) {
      failures = { remaining: n, failure: { code: failure.code ?? 451, message: failure.message ?? '', at: failure.at ?? 'MAIL' } };
    },
    rejectRecipients(pattern, failure = {}) {
      rejectPattern = pattern === null ? null : { pattern, code: failure.code ?? 550, message: failure.message ?? 'Mailbox unavailable (test)' };
    },
    clear() {
      messages.length = 0;
      failures = { remaining: 0, failure: { code: 451, message: '', at: 'MAIL' } };
      rejectPattern = null;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    env: () => ({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_SECURE: 'false', SMTP_REQUIRE_TLS: 'false', ...(options.auth ? { SMTP_USER: options.auth.user, SMTP_PASS: options.auth.pass } : {}) }),
  };
}
