import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs `text` as a named prepared statement on the connection of the caller's transaction:
 * PostgreSQL parses and plans it once per connection instead of on every call. For the few
 * statements on a hot path whose text is fixed (the approval path); everything else goes
 * through TypeORM. The name is derived from the text, so a changed statement is a new one.
 *
 * Errors are wrapped as TypeORM's QueryFailedError, so the HTTP error filter maps them
 * exactly as it maps TypeORM's (503 for an unreachable database, 409 for a conflict).
 * Outside a transaction it falls back to an ordinary query. Behind PgBouncer in transaction
 * mode, named statements need PgBouncer 1.21+ with `max_prepared_statements` set
 * (docs/deployment.md).
 */
export async function queryPrepared<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) return em.query(text, params) as Promise<T[]>;
  const client = (await runner.connect()) as PoolClient;
  try {
    const result = await client.query({ name: statementName(text), text, values: params });
    return result.rows as T[];
  } catch (error) {
    // What TypeORM's own query runner does with a failed statement: log it, then wrap it.
    em.connection.logger.logQueryError(error as Error, text, params, runner);
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
