import { Client } from 'pg';
import { ADMIN_DATABASE_URL, databaseUrl, TEMPLATE_DATABASE } from './test-env';
import { runMigrations } from '../../apps/cli/src/migrations';
import { syncTemplates } from '../../apps/cli/src/reference-data';

/** Migrates a template database once per run; every test file clones it. */
export default async function globalSetup(): Promise<void> {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    // Leftovers from an interrupted earlier run.
    const stale = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'pcn\\_t\\_%'`);
    for (const row of stale.rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await client.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DATABASE}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  } finally {
    await client.end();
  }
  await runMigrations(databaseUrl(TEMPLATE_DATABASE), () => undefined);
  await syncTemplates(databaseUrl(TEMPLATE_DATABASE), () => undefined);
}
