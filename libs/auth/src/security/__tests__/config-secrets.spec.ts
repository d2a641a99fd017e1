import { loadTypedConfig } from '@pcn/common';
import { AuthEnv } from '../../auth.config';
import { WebEnv } from '../../../../web/src/web.config';
import { SealEnv } from '../../../../documents/src/documents.config';

/** The real config classes: the example values of .env.example do not start outside development. */
describe('start-up secret checks', () => {
  const strong = 'Jq3v0Zb9xN2kR7tL1wP8mC4sE6yH5aUd';
  it('JWT_ACCESS_SECRET', () => {
    expect(() => loadTypedConfig(AuthEnv, { NODE_ENV: 'production', JWT_ACCESS_SECRET: 'change-me-to-32-or-more-random-characters' })).toThrow(/JWT_ACCESS_SECRET is the example value/);
    expect(() => loadTypedConfig(AuthEnv, { NODE_ENV: 'production', JWT_ACCESS_SECRET: '1'.repeat(48) })).toThrow(/JWT_ACCESS_SECRET is too predictable/);
    expect(() => loadTypedConfig(AuthEnv, { NODE_ENV: 'production', JWT_ACCESS_SECRET: strong })).not.toThrow();
    expect(() => loadTypedConfig(AuthEnv, { NODE_ENV: 'development', JWT_ACCESS_SECRET: 'change-me-to-32-or-more-random-characters' })).not.toThrow();
  });
  it('SESSION_SECRET', () => {
    expect(() => loadTypedConfig(WebEnv, { NODE_ENV: 'production', SESSION_SECRET: 'change-me-to-another-32-or-more-random-characters' })).toThrow(/SESSION_SECRET is the example value/);
    expect(() => loadTypedConfig(WebEnv, { NODE_ENV: 'test', SESSION_SECRET: 'ab'.repeat(20) })).toThrow(/SESSION_SECRET is too predictable/);
    expect(() => loadTypedConfig(WebEnv, { NODE_ENV: 'production', SESSION_SECRET: strong })).not.toThrow();
  });
  it('SEAL_P12_PASSPHRASE (production)', () => {
    expect(() => loadTypedConfig(SealEnv, { NODE_ENV: 'production', SEAL_P12_PASSPHRASE: 'dev-seal-passphrase' })).toThrow(/SEAL_P12_PASSPHRASE is shorter than 32 bytes/);
    expect(() => loadTypedConfig(SealEnv, { NODE_ENV: 'production', SEAL_P12_PASSPHRASE: 'z'.repeat(40) })).toThrow(/SEAL_P12_PASSPHRASE is too predictable/);
    expect(() => loadTypedConfig(SealEnv, { NODE_ENV: 'production', SEAL_P12_PASSPHRASE: strong })).not.toThrow();
  });
});
