import { Logger } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { dataSourceOptions } from '../data-source-options';
import { DatabaseErrorLogger } from '../database-error.logger';
import { pgErrorCode } from '../pg-errors';
import { queryPrepared } from '../prepared-query';

/** queryPrepared: a named statement on the transaction's own connection, failing exactly as TypeORM's queries fail. */
describe('queryPrepared', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource({ ...dataSourceOptions(db.url, [], 2, 1000), logger: new DatabaseErrorLogger() }).initialize();
    await ds.query(`CREATE TABLE t_prepared (id int PRIMARY KEY, note text NOT NULL)`);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => warn.mockClear());

  const INSERT = `INSERT INTO t_prepared (id, note) VALUES ($1, $2) RETURNING id, note`;

  it('prepares the statement once on the connection and runs it with each call’s values, inside the transaction', async () => {
    const seen = await ds.transaction(async (em) => {
      const first = await queryPrepared(em, INSERT, [1, 'one']);
      const second = await queryPrepared(em, INSERT, [2, 'two']);
      const prepared: { n: number }[] = await em.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, [INSERT]);
      const inTransaction: { n: number }[] = await queryPrepared(em, `SELECT count(*)::int AS n FROM t_prepared`, []);
      return { first, second, prepared: prepared[0].n, inTransaction: inTransaction[0].n };
    });
    expect(seen).toEqual({ first: [{ id: 1, note: 'one' }], second: [{ id: 2, note: 'two' }], prepared: 1, inTransaction: 2 });
  });

  it('fails as a QueryFailedError with the driver’s code, logged as TypeORM’s own failures are, and the transaction rolls back', async () => {
    const error = await ds
      .transaction(async (em) => {
        await queryPrepared(em, INSERT, [10, 'kept only if the transaction commits']);
        await queryPrepared(em, INSERT, [1, 'duplicate']);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(pgErrorCode(error)).toBe('23505');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^unique violation \(23505\) on constraint t_prepared_pkey, table t_prepared: INSERT INTO t_prepared/);
    expect(await ds.query(`SELECT id FROM t_prepared WHERE id = 10`)).toEqual([]);
  });

  it('outside a transaction prepares the statement once on each pooled connection that runs it', async () => {
    const ADD = `SELECT $1::int + 1 AS n, pg_backend_pid() AS pid`;
    const PREPARED_HERE = `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = '${ADD}'`;
    // Two calls at once take both of the pool's two connections; the third reuses one of them.
    const [a, b] = await Promise.all([queryPrepared<{ n: number; pid: number }>(ds, ADD, [41]), queryPrepared<{ n: number; pid: number }>(ds.manager, ADD, [1])]);
    const c = await queryPrepared<{ n: number; pid: number }>(ds, ADD, [2]);
    expect([a[0].n, b[0].n, c[0].n]).toEqual([42, 2, 3]);
    expect(new Set([a[0].pid, b[0].pid, c[0].pid]).size).toBe(2);
    // Each connection holds the statement once, however often it ran it.
    const held = await Promise.all([ds.query(PREPARED_HERE), ds.query(PREPARED_HERE)]);
    expect(held.map((rows: { n: number }[]) => rows[0].n)).toEqual([1, 1]);
  });

  it('outside a transaction fails as a QueryFailedError too, and is logged', async () => {
    const error = await queryPrepared(ds, INSERT, [1, 'duplicate of the committed row']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(pgErrorCode(error)).toBe('23505');
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
