import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { freePort, PrivatePostgres } from '../../support/private-postgres';
import { PrivateRedis } from '../../support/private-redis';
import { startSmtpTestServer, SmtpTestServer } from '../../support/smtp-test-server';
import { TestApp, testEnvironment } from '../../support/test-app';
import { runMigrations } from '../../../apps/cli/src/migrations';
import { syncTemplates } from '../../../apps/cli/src/reference-data';
import { ChildService } from './child-service';
import { httpCall } from './http-client';

/** How long the API waits for a PostgreSQL connection before answering 503 (and what the drills allow a request while PostgreSQL is down). */
export const CONNECT_TIMEOUT_MS = 2000;

/** Fast workflow clocks: a "day" of 3 s for reminders, a quick relay and sweeper. */
const FAULT_WORKFLOW_ENV = {
  WORKFLOW_DAY_MS: '3000',
  OUTBOX_POLL_MS: '100',
  SWEEPER_INTERVAL_MS: '1000',
  STALE_DISPATCH_MS: '5000',
};

export interface QuietSnapshot {
  quiet: boolean;
  /** Outbox rows neither done nor failed whose run time has come. */
  outboxDue: number;
  executionsWithoutDocuments: number;
  /** Waiting, active and prioritised jobs over every queue (delayed jobs do not count). */
  queuedJobs: number;
}

/**
 * Everything the drills break, of their own: a PostgreSQL cluster and a Redis they can stop,
 * the SMTP test server, and the API and worker as real processes (ChildService). The test
 * process seeds through an in-process API app (the real services) before the children start.
 */
export class FaultSystem {
  readonly logDir = mkdtempSync(join(tmpdir(), 'pcn-faults-'));
  pg!: PrivatePostgres;
  redis!: PrivateRedis;
  smtp!: SmtpTestServer;
  env!: Record<string, string>;
  api!: ChildService;
  worker!: ChildService;
  apiPort!: number;
  /** The test's own connections, for the final checks (opened once PostgreSQL is up). */
  db!: Pool;

  static async start(extraEnv: Record<string, string> = {}): Promise<FaultSystem> {
    const system = new FaultSystem();
    await system.boot(extraEnv);
    return system;
  }

  private async boot(extraEnv: Record<string, string>): Promise<void> {
    [this.pg, this.redis, this.smtp, this.apiPort] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start(), startSmtpTestServer(), freePort()]);
    await runMigrations(this.pg.url, () => undefined);
    await syncTemplates(this.pg.url, () => undefined);
    this.env = testEnvironment(
      { name: 'postgres', url: this.pg.url, drop: async () => undefined },
      {
        ...this.smtp.env(),
        ...FAULT_WORKFLOW_ENV,
        REDIS_URL: this.redis.url,
        PORT: String(this.apiPort),
        PUBLIC_BASE_URL: `http://127.0.0.1:${this.apiPort}`,
        DATABASE_POOL_SIZE: '10',
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        LOG_LEVEL: 'warn',
        ...extraEnv,
      },
    );
    this.db = new Pool({ connectionString: this.pg.url, max: 3, connectionTimeoutMillis: 5000 });
    this.db.on('error', () => undefined);
    this.api = new ChildService('api', 'apps/api/src/main.ts', () => this.env, async () => (await httpCall(this.apiPort, 'GET', '/health', { timeoutMs: 2000 })).status !== null, this.logDir);
    // The worker has no HTTP port: it is ready when it says so (LOG_LEVEL info for that line).
    this.worker = new ChildService('worker', 'apps/worker/src/main.ts', () => ({ ...this.env, LOG_LEVEL: 'info' }), async () => /Worker ready/.test(this.worker.tail(400)), this.logDir);
    console.log(`fault system: PostgreSQL :${this.pg.port}, Redis :${this.redis.port}, SMTP :${this.smtp.port}, API :${this.apiPort}; logs in ${this.logDir}`);
  }

  /**
   * The real API module in this process, on the same database and secrets as the children,
   * for the factories (real services, real sign-in); closed before the drills start.
   */
  async seedingApp(): Promise<TestApp> {
    const { ApiModule } = await import('../../../apps/api/src/api.module');
    const { addNotFoundFallback, configureApp } = await import('../../../apps/api/src/setup-app');
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
    configureApp(app);
    await app.init();
    addNotFoundFallback(app);
    return { app, http: request(app.getHttpServer()), db: { name: 'postgres', url: this.pg.url, drop: async () => undefined }, dataSource: app.get(DataSource), close: () => app.close() };
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, params)).rows as T[];
  }

  /** BullMQ queues as the workflow named them in Redis (found by their meta keys, so a new queue is included). */
  async queues(): Promise<Queue[]> {
    const redis = new Redis(this.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      const prefix = this.env.REDIS_PREFIX;
      const keys = await redis.keys(`${prefix}:*:meta`);
      const names = [...new Set(keys.map((k) => k.slice(prefix.length + 1, -':meta'.length)))];
      return names.map((name) => new Queue(name, { connection: { host: '127.0.0.1', port: this.redis.port, maxRetriesPerRequest: 1 }, prefix }));
    } finally {
      redis.disconnect();
    }
  }

  async snapshot(): Promise<QuietSnapshot> {
    const [{ due }] = await this.query<{ due: number }>(`SELECT count(*)::int AS due FROM outbox WHERE status NOT IN ('DONE', 'FAILED') AND run_at <= now()`);
    const [{ pending }] = await this.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM agreement_execution WHERE document_status <> 'GENERATED'`);
    let queued = 0;
    for (const queue of await this.queues()) {
      const counts = await queue.getJobCounts('wait', 'active', 'prioritized', 'waiting-children');
      queued += Object.values(counts).reduce((a, b) => a + b, 0);
      await queue.close();
    }
    return { quiet: due === 0 && pending === 0 && queued === 0, outboxDue: due, executionsWithoutDocuments: pending, queuedJobs: queued };
  }

  /** Polls until nothing is due, queued or missing a document (twice in a row, 1 s apart), or `timeoutMs` passes. */
  async waitUntilQuiet(timeoutMs: number): Promise<QuietSnapshot & { waitedMs: number }> {
    const started = Date.now();
    let last: QuietSnapshot = { quiet: false, outboxDue: -1, executionsWithoutDocuments: -1, queuedJobs: -1 };
    let quietTimes = 0;
    while (Date.now() - started < timeoutMs) {
      last = await this.snapshot().catch(() => last);
      quietTimes = last.quiet ? quietTimes + 1 : 0;
      if (quietTimes === 2) return { ...last, waitedMs: Date.now() - started };
      await new Promise((r) => setTimeout(r, 1000));
    }
    return { ...last, quiet: false, waitedMs: Date.now() - started };
  }

  /** The audit lib's own chain verification over every chain in the database. */
  async verifyAuditChains(): Promise<{ ok: boolean; chains: number; eventsChecked: number; firstBroken?: unknown }> {
    const { cliDataSource } = await import('../../../apps/cli/src/migrations');
    const { verifyAuditChain } = await import('@pcn/audit');
    const ds = await cliDataSource(this.pg.url).initialize();
    try {
      return await verifyAuditChain(ds.manager);
    } finally {
      await ds.destroy();
    }
  }

  /** The children's last log lines, for a failure message. */
  logs(): string {
    return `--- api (${this.api.logFile}) ---\n${this.api.tail(30)}\n--- worker (${this.worker.logFile}) ---\n${this.worker.tail(30)}`;
  }

  async close(): Promise<void> {
    await this.api?.stop();
    await this.worker?.stop();
    await this.db?.end().catch(() => undefined);
    await this.smtp?.close();
    await this.redis?.stop();
    await this.pg?.destroy();
  }
}
