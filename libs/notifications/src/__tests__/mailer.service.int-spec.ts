import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@nestjs/config';
import { startSmtpTestServer, SmtpTestServer } from '@pcn/testing/smtp-test-server';
import { loadTypedConfig } from '@pcn/common';
import { MailEnv } from '../mail.config';
import { MailerService, MESSAGE_KEY_HEADER } from '../mailer.service';
import { NotificationsErrorCode, NotificationsException } from '../notifications.exception';
import { NotificationsModule } from '../notifications.module';
import { NotificationType, renderNotification } from '../templates';
import { buildNotificationModel } from './notification.factory';

const RECIPIENT = 'asha.patel@riverside-surgery.example.nhs.uk';

async function rejectionOf(promise: Promise<unknown>): Promise<NotificationsException> {
  try {
    await promise;
  } catch (error) {
    return error as NotificationsException;
  }
  throw new Error('Expected the send to fail, but it succeeded');
}

describe('MailerService over SMTP', () => {
  let smtp: SmtpTestServer;
  let moduleRef: TestingModule;
  let mailer: MailerService;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    Object.assign(process.env, smtp.env(), { SMTP_TIMEOUT_MS: '5000' });
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot({ ignoreEnvFile: true }), NotificationsModule] }).compile();
    await moduleRef.init();
    mailer = moduleRef.get(MailerService);
  });

  afterEach(() => smtp.clear());

  afterAll(async () => {
    await moduleRef?.close();
    await smtp?.close();
    process.env = savedEnv;
  });

  function signatureRequest(messageKey: string) {
    const rendered = renderNotification(NotificationType.SignatureRequested, buildNotificationModel());
    return { to: `Dr Asha Patel <${RECIPIENT}>`, messageKey, ...rendered };
  }

  it('delivers a rendered signature request with the message key header', async () => {
    const sent = await mailer.send(signatureRequest('outbox/0001'));

    expect(sent.accepted).toEqual([RECIPIENT]);
    expect(sent.rejected).toEqual([]);
    expect(sent.messageId).toMatch(/^<pcn\.[0-9a-f]{32}@pcn-agreements\.localhost>$/);

    const mail = await smtp.waitFor((m) => m.headers[MESSAGE_KEY_HEADER.toLowerCase()] === 'outbox/0001');
    expect(mail.to).toEqual([RECIPIENT]);
    expect(mail.envelope.rcptTo).toEqual([RECIPIENT]);
    expect(mail.from).toBe('no-reply@pcn-agreements.localhost');
    expect(mail.subject).toBe('Please sign: Network Agreement 2026/27 (NA-U12345-2026-001) – Riverside Health PCN, step 2: Member practice and partner signatures');
    expect(mail.text).toContain('Riverside Health PCN has asked you to sign revision 3 of Network Agreement 2026/27');
    expect(mail.text).toContain('Please sign by 5pm on Friday 4 December 2026 (UK time).');
    expect(mail.text).toContain('https://agreements.example.nhs.uk/review/9b2f0c1e-8d7a-4c3b-9e2f-1a2b3c4d5e6f');
    expect(mail.text).not.toMatch(/fingerprint/i);
    expect(mail.html).toContain('Review and sign</a>');
    expect(mail.messageId).toBe(sent.messageId);
  });

  it('gives a retried job the same Message-ID, so duplicates can be recognised', async () => {
    const first = await mailer.send(signatureRequest('outbox/0002'));
    const again = await mailer.send(signatureRequest('outbox/0002'));
    const other = await mailer.send(signatureRequest('outbox/0003'));
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect((await smtp.waitForCount(3)).map((m) => m.headers['x-pcn-message-key'])).toEqual(['outbox/0002', 'outbox/0002', 'outbox/0003']);
  });

  it('rejects with the SMTP reply on a temporary failure, then the next send succeeds', async () => {
    smtp.failNext(1, { code: 451, message: 'Try again later (test)' });

    const failure = await rejectionOf(mailer.send(signatureRequest('outbox/0004')));
    expect(failure).toBeInstanceOf(NotificationsException);
    expect(failure.code).toBe(NotificationsErrorCode.SmtpRejected);
    expect(failure.responseCode).toBe(451);
    expect(failure.smtpResponse).toContain('451 Try again later (test)');
    expect(failure.message).toContain('451 Try again later (test)');
    expect(failure.retryable).toBe(true);
    expect(smtp.messages).toHaveLength(0);

    const retried = await mailer.send(signatureRequest('outbox/0004'));
    expect(retried.accepted).toEqual([RECIPIENT]);
    const mail = await smtp.waitFor((m) => m.headers['x-pcn-message-key'] === 'outbox/0004');
    expect(mail.subject).toContain('Please sign');
  });

  it('marks a permanent refusal at DATA as not worth retrying', async () => {
    smtp.failNext(1, { code: 554, message: 'Message rejected (test)', at: 'DATA' });
    const failure = await rejectionOf(mailer.send(signatureRequest('outbox/0005')));
    expect(failure.code).toBe(NotificationsErrorCode.SmtpRejected);
    expect(failure.responseCode).toBe(554);
    expect(failure.command).toBe('DATA');
    expect(failure.retryable).toBe(false);
    expect(smtp.messages).toHaveLength(0);
  });

  it('fails the next n transactions at RCPT TO, then recovers', async () => {
    smtp.failNext(2, { code: 452, message: 'Too many recipients this hour (test)', at: 'RCPT' });
    for (const key of ['outbox/0010', 'outbox/0011']) {
      const failure = await rejectionOf(mailer.send(signatureRequest(key)));
      expect(failure.responseCode).toBe(452);
      expect(failure.retryable).toBe(true);
    }
    await mailer.send(signatureRequest('outbox/0012'));
    expect((await smtp.waitForCount(1)).map((m) => m.headers['x-pcn-message-key'])).toEqual(['outbox/0012']);
  });

  it('reports refused recipients: all refused fails, some refused still sends', async () => {
    smtp.rejectRecipients(/@closed-practice\.example$/, { code: 550, message: 'Mailbox unavailable (test)' });

    const failure = await rejectionOf(mailer.send({ ...signatureRequest('outbox/0006'), to: 'gone@closed-practice.example' }));
    expect(failure.code).toBe(NotificationsErrorCode.SmtpRejected);
    expect(failure.responseCode).toBe(550);
    expect(failure.smtpResponse).toContain('550 Mailbox unavailable (test)');
    expect(failure.retryable).toBe(false);

    const partial = await mailer.send({ ...signatureRequest('outbox/0007'), to: [RECIPIENT, 'gone@closed-practice.example'] });
    expect(partial.accepted).toEqual([RECIPIENT]);
    expect(partial.rejected).toEqual(['gone@closed-practice.example']);
    expect((await smtp.waitForCount(1))[0].envelope.rcptTo).toEqual([RECIPIENT]);
  });

  it('refuses a message key that could break the header, without contacting the server', async () => {
    const failure = await rejectionOf(mailer.send(signatureRequest('job\r\nBcc: everyone@example.org')));
    expect(failure.code).toBe(NotificationsErrorCode.InvalidMessage);
    expect(smtp.messages).toHaveLength(0);
  });
});

describe('MailerService when the server is unreachable or wants a login', () => {
  it('fails with SMTP_UNAVAILABLE when nothing listens on the port', async () => {
    const smtp = await startSmtpTestServer();
    const port = smtp.port;
    await smtp.close();
    const mailer = new MailerService(loadTypedConfig(MailEnv, { SMTP_PORT: String(port), SMTP_TIMEOUT_MS: '2000' }));
    try {
      const failure = await rejectionOf(mailer.send({ to: RECIPIENT, subject: 'Hello', text: 'Hello', messageKey: 'outbox/0100' }));
      expect(failure.code).toBe(NotificationsErrorCode.SmtpUnavailable);
      expect(failure.retryable).toBe(true);
      expect(failure.message).toMatch(/ECONNREFUSED/);
    } finally {
      mailer.onApplicationShutdown();
    }
  });

  it('logs in with SMTP_USER and SMTP_PASS, and reports a wrong password', async () => {
    const smtp = await startSmtpTestServer({ auth: { user: 'relay', pass: 'secret-pass' } });
    const good = new MailerService(loadTypedConfig(MailEnv, smtp.env()));
    const bad = new MailerService(loadTypedConfig(MailEnv, { ...smtp.env(), SMTP_PASS: 'wrong' }));
    try {
      await good.send({ to: RECIPIENT, subject: 'Logged in', text: 'Hello', messageKey: 'outbox/0101' });
      expect((await smtp.waitForCount(1))[0].subject).toBe('Logged in');

      const failure = await rejectionOf(bad.send({ to: RECIPIENT, subject: 'Hello', text: 'Hello', messageKey: 'outbox/0102' }));
      expect(failure.code).toBe(NotificationsErrorCode.SmtpRejected);
      expect(failure.responseCode).toBe(535);
    } finally {
      good.onApplicationShutdown();
      bad.onApplicationShutdown();
      await smtp.close();
    }
  });
});

describe('the SMTP test server in headers-only mode', () => {
  it('a headers-only test server (the national drill\'s) reads the same sender, recipient, subject and Message-ID as the parsing one', async () => {
    const light = await startSmtpTestServer({ headersOnly: true });
    const mailer = new MailerService(loadTypedConfig(MailEnv, light.env()));
    try {
      const sent = await mailer.send({ to: `Dr Asha Patel <${RECIPIENT}>`, subject: 'Headers only', text: 'Hello', messageKey: 'outbox/0201' });
      const [mail] = await light.waitForCount(1);
      expect(mail.messageId).toBe(sent.messageId);
      expect(mail.from).toBe('no-reply@pcn-agreements.localhost');
      expect(mail.to).toEqual([RECIPIENT]);
      expect(mail.subject).toBe('Headers only');
      expect(mail.headers[MESSAGE_KEY_HEADER.toLowerCase()]).toBe('outbox/0201');
      expect([mail.text, mail.html, mail.raw]).toEqual(['', '', '']);
    } finally {
      mailer.onApplicationShutdown();
      await light.close();
    }
  });
});
