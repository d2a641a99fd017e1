// First: Jest's moduleNameMapper does not apply to global setup, so this resolves @pcn/* aliases.
import './register-aliases';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL, databaseUrl, processAlive } from './test-env';
import { runMigrations } from '../../apps/cli/src/migrations';
import { syncTemplates } from '../../apps/cli/src/reference-data';

/**
 * Migrates a template database once per run; every test file clones it. The name carries
 * this run's pid (workers inherit it through the environment), and only databases of
 * runs that are no longer alive are cleaned up, so concurrent runs leave each other alone.
 */
export default async function globalSetup(): Promise<void> {
  const template = `pcn_test_template_${process.pid}`;
  process.env.TEST_TEMPLATE_DATABASE = template;
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    const existing = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^pcn_(t|test_template)_[0-9]+'`);
    for (const { datname } of existing.rows) {
      const pid = Number(/_(\d+)/.exec(datname.replace('pcn_test_template', 'x'))?.[1]);
      if (pid && pid !== process.pid && !processAlive(pid)) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await client.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${template}"`);
  } finally {
    await client.end();
  }
  await runMigrations(databaseUrl(template), () => undefined);
  await syncTemplates(databaseUrl(template), () => undefined);
}
