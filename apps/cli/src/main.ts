import 'reflect-metadata';
import { join } from 'node:path';
import { generateMigration, pendingSchemaChanges, runMigrations } from './migrations';
import { syncTemplates } from './reference-data';

const USAGE = `Usage: node dist/apps/cli/src/main.js <command>
  migrate                 apply pending migrations and reference data to DATABASE_URL
  migration:generate Name write a migration for entity changes (run from the repository root)
  migration:check         exit 1 if entities and migrations differ
  seed                    load the demo PCNs, users and a draft agreement
  documents:prune-verifications [DAYS]
                          delete verification counts older than DAYS (default VERIFY_LOG_RETENTION_DAYS)
  documents:renew-timestamps
                          add a fresh document timestamp (new version) to every document whose last one
                          is older than DOCUMENT_TIMESTAMP_RENEW_AFTER_DAYS (needs TSA_URL and the seal)
  audit:verify [agreementId]
                          recompute the audit hash chains (one agreement's, or all); exit 1 if broken
  documents:verify FILE   check a sealed PDF against the trusted seal and TSA certificates; exit 0 if authentic, else 1
  jobs:failed             list background jobs that failed for good (needs REDIS_URL, REDIS_PREFIX)
  jobs:retry --all | ID   run one failed job again, or all of them`;

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    console.error('DATABASE_URL: must be set to a postgres:// URL (it is not set)');
    process.exit(1);
  }
  return url;
}

async function main(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  switch (command) {
    case 'migrate':
      await runMigrations(databaseUrl());
      await syncTemplates(databaseUrl());
      return;
    case 'migration:generate': {
      if (!arg) throw new Error('Give the migration a PascalCase name, e.g. migration:generate AddOutbox');
      const file = await generateMigration(databaseUrl(), arg, join(process.cwd(), 'libs/database/src/migrations'));
      console.log(file ? `wrote ${file}` : 'entities match the database: nothing to generate');
      return;
    }
    case 'migration:check': {
      const { up } = await pendingSchemaChanges(databaseUrl());
      if (up.length > 0) {
        console.error(`Entities and migrations have drifted; a new migration is needed:\n${up.join(';\n')}`);
        process.exit(1);
      }
      console.log('no drift: entities match the migrations');
      return;
    }
    case 'seed': {
      const { seedDemo } = await import('./seed/seed-demo');
      await seedDemo();
      return;
    }
    case 'audit:verify': {
      const { verifyAuditChain, auditChainKey, PLATFORM_CHAIN } = await import('@pcn/audit');
      const { cliDataSource } = await import('./migrations');
      if (arg !== undefined && arg !== PLATFORM_CHAIN && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(arg)) {
        throw new Error(`audit:verify takes an agreement id (a UUID) or '${PLATFORM_CHAIN}', not "${arg}"`);
      }
      const ds = await cliDataSource(databaseUrl()).initialize();
      try {
        const result = await verifyAuditChain(ds.manager, arg === undefined || arg === PLATFORM_CHAIN ? arg : auditChainKey(arg));
        console.log(JSON.stringify(result, null, 2));
        if (result.chains === 0) console.error(arg ? `no audit events for ${arg}` : 'no audit events at all');
        if (!result.ok) process.exitCode = 1;
      } finally {
        await ds.destroy();
      }
      return;
    }
    case 'documents:verify': {
      const { verifyDocumentCommand } = await import('./verify-document');
      process.exitCode = await verifyDocumentCommand(arg);
      return;
    }
    case 'documents:renew-timestamps': {
      const { renewTimestampsCommand } = await import('./renew-timestamps');
      await renewTimestampsCommand(databaseUrl());
      return;
    }
    case 'documents:prune-verifications': {
      const { pruneVerificationsCommand } = await import('./prune-verifications');
      await pruneVerificationsCommand(databaseUrl(), arg);
      return;
    }
    case 'jobs:failed': {
      const { listFailedJobsCommand } = await import('./failed-jobs');
      await listFailedJobsCommand(databaseUrl());
      return;
    }
    case 'jobs:retry': {
      const { retryFailedJobsCommand } = await import('./failed-jobs');
      await retryFailedJobsCommand(databaseUrl(), arg);
      return;
    }
    default:
      console.error(USAGE);
      process.exit(command ? 1 : 0);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
