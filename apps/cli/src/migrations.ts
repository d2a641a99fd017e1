import { DataSource } from 'typeorm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataSourceOptions } from '@pcn/database';
import { ALL_ENTITIES } from './entities';
import { writeMigrationIndex } from './migration-index';

export function cliDataSource(url: string): DataSource {
  return new DataSource({ ...dataSourceOptions(url, ALL_ENTITIES, 2), logging: ['error'] });
}

/** Applies every pending migration, each in its own transaction. */
export async function runMigrations(url: string, log: (line: string) => void = console.log): Promise<string[]> {
  const ds = await cliDataSource(url).initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied ${m.name}`);
    if (applied.length === 0) log('database is up to date');
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** SQL that would bring the database in line with the entities; empty when there is no drift. */
export async function pendingSchemaChanges(url: string): Promise<{ up: string[]; down: string[] }> {
  const ds = await cliDataSource(url).initialize();
  try {
    const sql = await ds.driver.createSchemaBuilder().log();
    return { up: sql.upQueries.map((q) => q.query), down: sql.downQueries.map((q) => q.query) };
  } finally {
    await ds.destroy();
  }
}

const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');

/** Writes a migration from the entity/database difference and regenerates the migrations index. */
export async function generateMigration(url: string, name: string, folder: string): Promise<string | null> {
  if (!/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('Migration name must be PascalCase, e.g. AddOutbox');
  const { up, down } = await pendingSchemaChanges(url);
  if (up.length === 0) return null;
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const body = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up.map((q) => `    await queryRunner.query(\`${escape(q)}\`);`).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down.reverse().map((q) => `    await queryRunner.query(\`${escape(q)}\`);`).join('\n')}
  }
}
`;
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${timestamp}-${name}.ts`);
  writeFileSync(file, body);
  writeMigrationIndex(folder);
  return file;
}
