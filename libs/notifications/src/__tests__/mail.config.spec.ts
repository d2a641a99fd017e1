import { ConfigurationError, loadTypedConfig } from '@pcn/common';
import { MailEnv } from '../mail.config';

describe('MailEnv', () => {
  it('has working defaults for a local mail catcher', () => {
    expect({ ...loadTypedConfig(MailEnv, {}) }).toEqual({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: 1025,
      SMTP_SECURE: false,
      SMTP_REQUIRE_TLS: false,
      SMTP_USER: '',
      SMTP_PASS: '',
      MAIL_FROM: '"PCN Agreements" <no-reply@pcn-agreements.localhost>',
      SMTP_TIMEOUT_MS: 10000,
    });
  });

  it.each([
    ['false', false],
    ['true', true],
    ['FALSE', false],
    [' true ', true],
    ['0', false],
    ['1', true],
  ])('reads SMTP_SECURE=%j as %s', (raw, expected) => {
    expect(loadTypedConfig(MailEnv, { SMTP_SECURE: raw }).SMTP_SECURE).toBe(expected);
    expect(loadTypedConfig(MailEnv, { SMTP_REQUIRE_TLS: raw }).SMTP_REQUIRE_TLS).toBe(expected);
  });

  it('reads numbers and a display-name mailbox', () => {
    const config = loadTypedConfig(MailEnv, { SMTP_PORT: '2525', SMTP_TIMEOUT_MS: '5000', MAIL_FROM: 'Riverside PCN <pcn@riverside.nhs.uk>' });
    expect(config.SMTP_PORT).toBe(2525);
    expect(config.SMTP_TIMEOUT_MS).toBe(5000);
    expect(config.MAIL_FROM).toBe('Riverside PCN <pcn@riverside.nhs.uk>');
  });

  it.each([
    [{ SMTP_PORT: 'smtp' }, 'SMTP_PORT'],
    [{ SMTP_PORT: '70000' }, 'SMTP_PORT'],
    [{ SMTP_PORT: '25.5' }, 'SMTP_PORT'],
    [{ SMTP_SECURE: 'maybe' }, 'SMTP_SECURE'],
    [{ SMTP_REQUIRE_TLS: 'yes please' }, 'SMTP_REQUIRE_TLS'],
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM'],
    [{ SMTP_USER: 'relay-user' }, 'SMTP_PASS'],
    [{ SMTP_TIMEOUT_MS: '10' }, 'SMTP_TIMEOUT_MS'],
  ])('refuses %j with one line naming %s', (env, variable) => {
    const load = () => loadTypedConfig(MailEnv, env);
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(new RegExp(`^Invalid configuration: ${variable}: ${variable} must`));
  });
});
