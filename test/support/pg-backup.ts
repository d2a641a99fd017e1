import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { withAdminClient } from './test-database';
import { databaseUrl } from './test-env';

const REPO_ROOT = resolve(__dirname, '../..');

/** The newest installed PostgreSQL's client tools (pg_dump and pg_restore must not be older than the server). */
export function pgTool(tool: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return join('/usr/lib/postgresql', versions[0], 'bin', tool);
}

export interface ToolRun {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program to completion; never throws for a non-zero exit (the caller asserts on it). */
export function runProgram(program: string, args: string[], env: NodeJS.ProcessEnv = process.env): ToolRun {
  const started = process.hrtime.bigint();
  const res = spawnSync(program, args, { encoding: 'utf8', env, cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 });
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** The operator CLI (apps/cli) as an operator runs it, against `databaseUrl`. */
export function runCli(args: string[], databaseUrlForCli: string, env: NodeJS.ProcessEnv = process.env): ToolRun {
  return runProgram(process.execPath, ['-r', './scripts/ts-register.js', 'apps/cli/src/main.ts', ...args], { ...env, DATABASE_URL: databaseUrlForCli });
}

/** `pg_dump -Fc` of a database to `file`: how long it took and how big the archive is. */
export function dumpDatabase(url: string, file: string): { ms: number; bytes: number } {
  const run = runProgram(pgTool('pg_dump'), ['--format=custom', '--file', file, '--dbname', url]);
  if (run.status !== 0) throw new Error(`pg_dump exited ${run.status}: ${run.stderr}`);
  return { ms: run.ms, bytes: statSync(file).size };
}

/** `pg_restore` of a custom-format archive into an existing empty database, as docs/operations.md says. */
export function restoreDatabase(url: string, file: string, jobs = 2): { ms: number } {
  const run = runProgram(pgTool('pg_restore'), ['--no-owner', '--no-privileges', '--exit-on-error', `--jobs=${jobs}`, '--dbname', url, file]);
  if (run.status !== 0) throw new Error(`pg_restore exited ${run.status}: ${run.stderr}`);
  return { ms: run.ms };
}

export interface EmptyDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A brand-new empty database (from template0, not the migrated test template), named like the
 * test databases so a crashed run's leftovers are cleaned up by the next global setup.
 */
export async function createEmptyDatabase(label: string): Promise<EmptyDatabase> {
  const name = `pcn_t_${process.pid}_${label}_${randomBytes(3).toString('hex')}`;
  await withAdminClient(async (c) => void (await c.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`)));
  return { name, url: databaseUrl(name), drop: () => withAdminClient(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))) };
}

/** Runs `fn` with a plain pg client on `url`, then closes it. */
export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Exact row count of every table outside the system schemas, keyed "schema.table". */
export async function tableRowCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (c) => {
    const tables = await c.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    const counts: Record<string, number> = {};
    for (const { schema, name } of tables.rows) {
      const res = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${name}"`);
      counts[`${schema}.${name}`] = res.rows[0].n;
    }
    return counts;
  });
}
