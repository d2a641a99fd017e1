import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { MIGRATIONS } from './migrations';

export interface SessionTimeouts {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
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
    // A request waits at most connectTimeoutMs for a connection (a database outage becomes a 503, not a hang).
    // Session timeouts are set by node-postgres at connect, so every pooled connection has them.
    extra: {
      max: poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      ...(timeouts ? { statement_timeout: timeouts.statementTimeoutMs, idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs } : {}),
    },
  };
}
