import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

interface PgDriverError {
  code?: string;
  constraint?: string;
  table?: string;
}

/** SQLSTATEs worth a line in the log whatever the caller does with them. */
const LOGGED: Record<string, string> = {
  '23505': 'unique violation',
  '23503': 'foreign-key violation',
  '23P01': 'exclusion violation',
  '23514': 'check violation',
  '57014': 'statement cancelled (DATABASE_STATEMENT_TIMEOUT_MS)',
  '25P03': 'idle in transaction too long (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS)',
};

/**
 * TypeORM's logger for the apps: silent except for the database refusals that are usually
 * bugs (an integrity violation no service expected reaches the error filter as a 409/422,
 * so it must at least leave a trace here) and for the pool's timeouts. The constraint and
 * table are named; values never are (they can be personal data).
 */
export class DatabaseErrorLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  logQueryError(error: string | Error, query: string): void {
    const driver = (typeof error === 'object' ? ((error as Error & { driverError?: PgDriverError }).driverError ?? error) : {}) as PgDriverError;
    const what = driver.code ? LOGGED[driver.code] : undefined;
    if (!what) return;
    const where = [driver.constraint && `constraint ${driver.constraint}`, driver.table && `table ${driver.table}`].filter(Boolean).join(', ');
    this.logger.warn(`${what} (${driver.code})${where ? ` on ${where}` : ''}: ${query.replace(/\s+/g, ' ').slice(0, 200)}`);
  }

  logQuery(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
