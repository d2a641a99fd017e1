import { createServer, type Server, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@pcn/common';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { dataSourceOptions } from '../data-source-options';
import { DatabaseErrorLogger } from '../database-error.logger';
import { pgErrorCode } from '../pg-errors';

/** The pool's session timeouts are really set on every connection, and what they refuse is logged. */
describe('database pool timeouts', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource({
      ...dataSourceOptions(db.url, [], 2, 1000, { statementTimeoutMs: 300, idleInTransactionTimeoutMs: 1000 }),
      logger: new DatabaseErrorLogger(),
    }).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => warn.mockClear());

  it('sets statement_timeout and idle_in_transaction_session_timeout on the session', async () => {
    expect(await ds.query(`SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i`)).toEqual([{ s: '300ms', i: '1s' }]);
  });

  it('cancels a statement that runs past the timeout, and logs it', async () => {
    const error = await ds.query(`SELECT pg_sleep(2)`).catch((e: unknown) => e);
    expect(pgErrorCode(error)).toBe('57014');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('statement cancelled (DATABASE_STATEMENT_TIMEOUT_MS) (57014): SELECT pg_sleep(2)');
  });

  it('ends a transaction left idle past the timeout', async () => {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    await runner.query('SELECT 1');
    await new Promise((r) => setTimeout(r, 1500));
    // PostgreSQL ended the session (FATAL 25P03); TypeORM dropped the runner with its connection.
    await expect(runner.query('SELECT 1')).rejects.toThrow(/already released|idle-in-transaction timeout|terminat/i);
    expect(runner.isReleased).toBe(true);
    // The pool goes on with a fresh connection.
    expect(await ds.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('logs a unique violation naming the constraint and table, never the values', async () => {
    await ds.query(`CREATE TABLE t_unique (email text CONSTRAINT t_unique_email UNIQUE)`);
    await ds.query(`INSERT INTO t_unique VALUES ('a@example.nhs.uk')`);
    const error = await ds.query(`INSERT INTO t_unique VALUES ($1)`, ['a@example.nhs.uk']).catch((e: unknown) => e);
    expect(pgErrorCode(error)).toBe('23505');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('unique violation (23505) on constraint t_unique_email, table t_unique: INSERT INTO t_unique VALUES ($1)');
  });

  describe('queueing for a busy pool is not an outage', () => {
    it('waits for a busy connection up to the pool-wait limit, past the connect timeout', async () => {
      // One connection, connect timeout 300 ms, pool wait 5 s: the second query queues for ~1 s.
      const small = await new DataSource({
        ...dataSourceOptions(db.url, [], 1, 300, { statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 10_000, poolWaitTimeoutMs: 5000 }),
        logging: false,
      }).initialize();
      try {
        const holding = small.query('SELECT pg_sleep(1)');
        const queued = small.query('SELECT 2 AS n');
        await holding;
        expect(await queued).toEqual([{ n: 2 }]);
      } finally {
        await small.destroy();
      }
    });

    it('gives up opening a connection to an unresponsive server within the connect timeout, as "unavailable"', async () => {
      // A server that accepts TCP and never answers the start-up message: a hung database.
      const sockets: Socket[] = [];
      const server: Server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const hung = new DataSource({
        ...dataSourceOptions(`postgres://postgres@127.0.0.1:${port}/none`, [], 1, 300, { statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 10_000, poolWaitTimeoutMs: 5000 }),
        logging: false,
      });
      try {
        const started = Date.now();
        const error = await hung.initialize().catch((e: unknown) => e);
        const tookMs = Date.now() - started;
        expect(isDatabaseUnavailable(error)).toBe(true);
        // Well under the 5 s pool wait: the connect timeout (300 ms) decided, plus scheduling slack.
        expect(tookMs).toBeLessThan(2500);
      } finally {
        if (hung.isInitialized) await hung.destroy();
        sockets.forEach((s) => s.destroy());
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
