import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createTestDatabase, TestDatabase } from './test-database';
import { TEST_REDIS_URL } from './test-env';
import { generateDevSealCertificate } from '../../libs/documents/src/seal/dev-seal-cert';

let sealCertificate: { base64: string; passphrase: string } | null = null;

/** One throwaway seal certificate per test process (generated in memory, never written). */
export function testSealCertificate(): { base64: string; passphrase: string } {
  if (!sealCertificate) {
    const passphrase = randomBytes(32).toString('hex'); // passes the production passphrase check (StrongSecret)
    sealCertificate = { base64: generateDevSealCertificate({ passphrase }).p12.toString('base64'), passphrase };
  }
  return sealCertificate;
}

/**
 * Sets the environment a test app reads at start-up: its own cloned database and its
 * own Redis key prefix, so files never share state.
 */
export function testEnvironment(db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  const startedAsTest = !extra.NODE_ENV || extra.NODE_ENV === 'test';
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `t${randomBytes(4).toString('hex')}`,
    JWT_ACCESS_SECRET: randomBytes(32).toString('hex'),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_BASE_URL: 'http://localhost:3000',
    BODY_LIMIT: '256kb',
    // The real argon2id at its cheapest cost (allowed only when NODE_ENV is test): the suite
    // makes and signs in thousands of accounts, and at the production cost each took about a
    // second of CPU (hash, then verify). An app started as production gets the default cost
    // (empty reads as unset; set, since process.env keeps what an earlier app of the file set).
    PASSWORD_HASH_MEMORY_KIB: startedAsTest ? '1024' : '',
    PASSWORD_HASH_PASSES: startedAsTest ? '1' : '',
    SEAL_P12_BASE64: testSealCertificate().base64,
    SEAL_P12_PASSPHRASE: testSealCertificate().passphrase,
    ...extra,
  };
  Object.assign(process.env, env);
  return env;
}

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  db: TestDatabase;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** The real API module with the real global pipes and filters, on a fresh database. */
export async function createTestApp(extraEnv: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  testEnvironment(db, extraEnv);
  // Imported late so configuration is read after the environment above is set.
  const { ApiModule } = await import('../../apps/api/src/api.module');
  const { addNotFoundFallback, configureApp } = await import('../../apps/api/src/setup-app');
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  configureApp(app);
  await app.init();
  addNotFoundFallback(app);
  return {
    app,
    http: request(app.getHttpServer()),
    db,
    dataSource: app.get(DataSource),
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
