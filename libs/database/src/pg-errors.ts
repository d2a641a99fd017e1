import { QueryFailedError } from 'typeorm';

/** The PostgreSQL SQLSTATE of a failed query, if that is what `error` is. */
export function pgErrorCode(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  return (error as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
}

export function pgConstraintName(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  return (error as QueryFailedError & { driverError?: { constraint?: string } }).driverError?.constraint;
}
