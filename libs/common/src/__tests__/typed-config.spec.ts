import 'reflect-metadata';
import { AppEnv, ConfigurationError, loadTypedConfig } from '@pcn/common';
import { DatabaseEnv, RedisEnv } from '@pcn/database';
import { AuthEnv } from '@pcn/auth';

const GOOD_SECRET = 'a'.repeat(32);

/** Runs `fn`, expecting a ConfigurationError, and returns it. */
function configError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError, but the configuration loaded');
}

function expectOneLineNaming(error: ConfigurationError, variable: string): void {
  expect(error.name).toBe('ConfigurationError');
  expect(error.message).not.toContain('\n');
  expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable}: `));
}

describe('loadTypedConfig', () => {
  describe('refuses a bad environment with a one-line ConfigurationError naming the variable', () => {
    it('DATABASE_URL missing', () => {
      const error = configError(() => loadTypedConfig(DatabaseEnv, {}));
      expectOneLineNaming(error, 'DATABASE_URL');
      expect(error.message).toContain('it is not set');
    });

    it('DATABASE_URL empty counts as missing', () => {
      expectOneLineNaming(configError(() => loadTypedConfig(DatabaseEnv, { DATABASE_URL: '' })), 'DATABASE_URL');
    });

    it('DATABASE_URL that is not a postgres URL', () => {
      const error = configError(() => loadTypedConfig(DatabaseEnv, { DATABASE_URL: 'mysql://db/pcn' }));
      expectOneLineNaming(error, 'DATABASE_URL');
      expect(error.message).toContain('postgres://');
      expect(error.message).toContain('check its value');
    });

    it('REDIS_URL malformed', () => {
      const error = configError(() => loadTypedConfig(RedisEnv, { REDIS_URL: 'http://127.0.0.1:6379' }));
      expectOneLineNaming(error, 'REDIS_URL');
      expect(error.message).toContain('redis://');
    });

    it('REDIS_PREFIX with characters Redis keys should not carry', () => {
      expectOneLineNaming(configError(() => loadTypedConfig(RedisEnv, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'Bad Prefix!' })), 'REDIS_PREFIX');
    });

    it('JWT_ACCESS_SECRET shorter than 32 characters', () => {
      const error = configError(() => loadTypedConfig(AuthEnv, { JWT_ACCESS_SECRET: 'short-secret' }));
      expectOneLineNaming(error, 'JWT_ACCESS_SECRET');
      expect(error.message).toContain('at least 32 characters');
    });

    it('JWT_ACCESS_SECRET missing', () => {
      expectOneLineNaming(configError(() => loadTypedConfig(AuthEnv, {})), 'JWT_ACCESS_SECRET');
    });

    it('PORT=abc', () => {
      const error = configError(() => loadTypedConfig(AppEnv, { PORT: 'abc' }));
      expectOneLineNaming(error, 'PORT');
      expect(error.message).toContain('whole number');
    });

    it.each([
      ['PORT', '70000'],
      ['PORT', '3000.5'],
      ['NODE_ENV', 'staging'],
      ['BODY_LIMIT', '10gb'],
      ['LOG_LEVEL', 'verbose'],
      ['PUBLIC_BASE_URL', 'ftp://example.org'],
    ])('%s=%s', (variable, value) => {
      expectOneLineNaming(configError(() => loadTypedConfig(AppEnv, { [variable]: value })), variable);
    });

    it('JWT_ACCESS_TTL_SECONDS out of range', () => {
      expectOneLineNaming(configError(() => loadTypedConfig(AuthEnv, { JWT_ACCESS_SECRET: GOOD_SECRET, JWT_ACCESS_TTL_SECONDS: '5' })), 'JWT_ACCESS_TTL_SECONDS');
    });
  });

  describe('defaults and conversion', () => {
    it('applies the class defaults when variables are unset or empty', () => {
      const app = loadTypedConfig(AppEnv, { PORT: '', LOG_LEVEL: undefined });
      expect({ ...app }).toEqual({
        NODE_ENV: 'development',
        PORT: 3000,
        PUBLIC_BASE_URL: 'http://localhost:3000',
        BODY_LIMIT: '1mb',
        LOG_LEVEL: 'info',
        SERVICE_NAME: 'pcn-agreements',
        SHUTDOWN_GRACE_MS: 20_000,
        API_DOCS_ENABLED: 'auto',
      });
      const auth = loadTypedConfig(AuthEnv, { JWT_ACCESS_SECRET: GOOD_SECRET });
      expect(auth.JWT_ACCESS_TTL_SECONDS).toBe(900);
      expect(auth.REFRESH_TOKEN_TTL_DAYS).toBe(14);
      const db = loadTypedConfig(DatabaseEnv, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/pcn' });
      expect(db.DATABASE_POOL_SIZE).toBe(10);
      expect(loadTypedConfig(RedisEnv, { REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_PREFIX).toBe('pcn');
    });

    it('converts numbers from strings and keeps given values', () => {
      const app = loadTypedConfig(AppEnv, { PORT: '8080', NODE_ENV: 'production', BODY_LIMIT: '256kb' });
      expect(app.PORT).toBe(8080);
      expect(app.NODE_ENV).toBe('production');
      expect(app.BODY_LIMIT).toBe('256kb');
      expect(loadTypedConfig(DatabaseEnv, { DATABASE_URL: 'postgresql://u@h/db', DATABASE_POOL_SIZE: '3' }).DATABASE_POOL_SIZE).toBe(3);
    });

    it('ignores variables the class does not declare', () => {
      const app = loadTypedConfig(AppEnv, { PATH: '/usr/bin', HOME: '/root' }) as unknown as Record<string, unknown>;
      expect(app.PATH).toBeUndefined();
      expect(app.HOME).toBeUndefined();
    });

    it('returns a frozen object', () => {
      const app = loadTypedConfig(AppEnv, {});
      expect(Object.isFrozen(app)).toBe(true);
    });

    it('reads process.env by default', () => {
      const saved = process.env.PORT;
      process.env.PORT = 'abc';
      try {
        expectOneLineNaming(configError(() => loadTypedConfig(AppEnv)), 'PORT');
      } finally {
        if (saved === undefined) delete process.env.PORT;
        else process.env.PORT = saved;
      }
    });
  });
});
