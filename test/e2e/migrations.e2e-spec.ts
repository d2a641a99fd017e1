import { Client } from 'pg';
import { pendingSchemaChanges } from '../../apps/cli/src/migrations';
import { LZ4_COLUMNS } from '../../libs/database/src/migrations/1796176955000-Lz4Compression';
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

  it('the large columns compress new values with lz4 (this server has it), and a stored value reads back whole', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const methods = await client.query<{ col: string; method: string }>(
        `SELECT c.relname || '.' || a.attname AS col, a.attcompression AS method FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE (c.relname, a.attname) IN (${LZ4_COLUMNS.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}) ORDER BY 1`,
        LZ4_COLUMNS.flat(),
      );
      expect(methods.rows).toEqual(LZ4_COLUMNS.map(([t, c]) => `${t}.${c}`).sort().map((col) => ({ col, method: 'l' })));
      // A value as the column would hold it: a compressible megabyte goes in with lz4 and comes back unchanged.
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE lz4_probe (bytes bytea COMPRESSION lz4)`);
      const value = Buffer.from('<< /Type /StructElem /S /LI >>\n'.repeat(32_768));
      await client.query(`INSERT INTO lz4_probe VALUES ($1)`, [value]);
      const stored = await client.query<{ method: string; size: number; bytes: Buffer }>(`SELECT pg_column_compression(bytes) AS method, pg_column_size(bytes) AS size, bytes FROM lz4_probe`);
      expect(stored.rows[0].method).toBe('lz4');
      expect(stored.rows[0].size).toBeLessThan(value.length / 4);
      expect(stored.rows[0].bytes.equals(value)).toBe(true);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});
