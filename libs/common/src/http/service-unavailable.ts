/** Seconds a client is told to wait when a backing service (PostgreSQL) is unreachable. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 30;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** SQLSTATEs that mean "the database is not there right now", not "your request is wrong". */
const UNAVAILABLE_SQLSTATES = /^(08\d{3}|57P0[1-4]|53300|53400)$/;
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|timeout expired|Connection terminated|connection is closed|Client has encountered a connection error|the database system is (starting up|shutting down)|Pool is ending|Cannot use a pool after calling end/i;

/**
 * True when `error` (or what it wraps: TypeORM's driverError, a cause, an AggregateError's
 * errors) says the database could not be reached or dropped the connection.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.test(e.code))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
