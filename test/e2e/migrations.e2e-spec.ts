import { Client } from 'pg';
import { pendingSchemaChanges } from '../../apps/cli/src/migrations';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Entities and committed migrations must describe the same schema. If this fails, an
 * entity changed without a migration: run `npm run db:migration:generate -- <Name>`.
 */
describe('migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('a freshly migrated database has no pending schema changes (entities and migrations do not drift)', async () => {
    const { up } = await pendingSchemaChanges(db.url);
    expect(up).toEqual([]);
  });

  it('every migration ran and the national template is loaded', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { MIGRATIONS } = await import('../../libs/database/src/migrations');
      const applied = await client.query<{ name: string }>('SELECT name FROM schema_migration ORDER BY id');
      expect(applied.rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => (m as unknown as { name: string }).name));
      const templates = await client.query<{ version: string }>('SELECT version FROM agreement_template');
      expect(templates.rows.map((r) => r.version)).toContain('2025/26');
    } finally {
      await client.end();
    }
  });
});
