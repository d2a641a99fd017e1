import { loadTypedConfig } from '@pcn/common';
import { VerifyLimitsEnv } from '@pcn/documents';
import { cliDataSource } from './migrations';

/**
 * `documents:prune-verifications [DAYS]`: deletes verification counts (document_verification,
 * kept outside the audit chains) older than DAYS, by default VERIFY_LOG_RETENTION_DAYS (90).
 * Safe to run from cron at any time; audit chains are never touched.
 */
export async function pruneVerificationsCommand(url: string, arg: string | undefined, log: (line: string) => void = console.log): Promise<number> {
  const days = arg === undefined ? loadTypedConfig(VerifyLimitsEnv).VERIFY_LOG_RETENTION_DAYS : Number(arg);
  if (!Number.isInteger(days) || days < 1) throw new Error(`documents:prune-verifications takes a whole number of days (at least 1), not "${arg}"`);
  const ds = await cliDataSource(url).initialize();
  try {
    const [, deleted] = (await ds.query(`DELETE FROM document_verification WHERE at < now() - make_interval(days => $1::int)`, [days])) as [unknown, number];
    log(`deleted ${deleted} verification count(s) older than ${days} day(s)`);
    return deleted;
  } finally {
    await ds.destroy();
  }
}
