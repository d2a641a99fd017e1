import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs `text` as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call. For the few statements on a hot path whose text is
 * fixed (the approval path, an email's reads and writes, a job's completion); everything else
 * goes through TypeORM. The name is derived from the text, so a changed statement is a new one.
 *
 * Inside a transaction it runs on the transaction's connection. Outside one (a DataSource, or
 * a manager with no transaction) it runs on whichever pooled connection is free: the driver
 * (node-postgres) remembers which names each connection has prepared, and prepares on first use.
 *
 * Errors are wrapped as TypeORM's QueryFailedError, so the HTTP error filter maps them
 * exactly as it maps TypeORM's (503 for an unreachable database, 409 for a conflict).
 * Behind PgBouncer in transaction mode, named statements need PgBouncer 1.21+ with
 * `max_prepared_statements` set (docs/deployment.md).
 */
export async function queryPrepared<T = Record<string, unknown>>(on: EntityManager | DataSource, text: string, params: unknown[]): Promise<T[]> {
  const dataSource = on instanceof DataSource ? on : on.connection;
  const runner = on instanceof DataSource ? undefined : on.queryRunner;
  const statement: QueryConfig = { name: statementName(text), text, values: params };
  try {
    if (runner?.isTransactionActive) {
      const client = (await runner.connect()) as PoolClient;
      return (await client.query(statement)).rows as T[];
    }
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    return (await pool.query(statement)).rows as T[];
  } catch (error) {
    // What TypeORM's own query runner does with a failed statement: log it, then wrap it.
    dataSource.logger.logQueryError(error as Error, text, params, runner);
    throw new QueryFailedError(text, params, error as Error);
  }
}

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `pcn_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}
