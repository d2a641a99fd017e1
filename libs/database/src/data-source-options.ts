import { Client, type ClientConfig } from 'pg';
import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { MIGRATIONS } from './migrations';

export interface SessionTimeouts {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  /**
   * How long a request may queue for a pooled connection while all of them are busy (a
   * burst of approvals of one round waits on the round's row lock, each holding one).
   * Distinct from the connect timeout: a slow queue is load, not an outage. Defaults to the
   * connect timeout.
   */
  poolWaitTimeoutMs?: number;
}

/**
 * node-postgres uses the pool's `connectionTimeoutMillis` both for queueing for a busy pool
 * and for opening a new connection. The pool's value becomes the queueing limit; this client
 * keeps its own, shorter, limit for opening a connection, so an unreachable database is a
 * 503 within the connect timeout while a busy pool is simply waited for.
 */
function clientWithConnectTimeout(connectTimeoutMs: number): typeof Client {
  return class ConnectTimeoutClient extends Client {
    constructor(config?: string | ClientConfig) {
      super({ ...(typeof config === 'string' ? { connectionString: config } : config), connectionTimeoutMillis: connectTimeoutMs });
    }
  };
}

/**
 * The one place that says how we talk to PostgreSQL. Schema changes only ever come from
 * committed migrations (`npm run db:migrate`), never from synchronize or start-up.
 */
export function dataSourceOptions(
  url: string,
  entities: MixedList<Function | string | EntitySchema> = [],
  poolSize = 10,
  connectTimeoutMs = 3000,
  /** For the apps' pools; the CLI (migrations) runs without them. */
  timeouts?: SessionTimeouts,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    // gen_random_uuid() is built into PostgreSQL 13+; no extension to install.
    uuidExtension: 'pgcrypto',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    // Opening a connection takes at most connectTimeoutMs (a database outage becomes a 503, not a hang);
    // queueing for a busy pool at most poolWaitTimeoutMs. Session timeouts are set by node-postgres at
    // connect, so every pooled connection has them.
    extra: {
      max: poolSize,
      Client: clientWithConnectTimeout(connectTimeoutMs),
      connectionTimeoutMillis: Math.max(connectTimeoutMs, timeouts?.poolWaitTimeoutMs ?? connectTimeoutMs),
      ...(timeouts ? { statement_timeout: timeouts.statementTimeoutMs, idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs } : {}),
    },
  };
}
