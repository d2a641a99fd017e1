/** Field path → human-readable messages, e.g. `{"annexes[0].purposes[1].art9Condition": ["..."]}`. */
export type FieldMessages = Record<string, string[]>;

/**
 * Base for every lib's exception. Each lib declares its own subclass with an enum of
 * codes and the HTTP status each code means; the global filter turns it into the one
 * error shape the API answers with.
 */
export abstract class DomainException extends Error {
  protected constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fieldErrors?: FieldMessages,
    readonly warnings?: FieldMessages,
  ) {
    super(message);
  }

  /** Set on 429/503 refusals: the filters send it as Retry-After. */
  retryAfterSeconds?: number;
}

/** Errors that belong to no single domain (request shape, generic not-found). */
export enum CommonErrorCode {
  NotFound = 'NOT_FOUND',
  BadRequest = 'BAD_REQUEST',
  UnknownField = 'UNKNOWN_FIELD',
  ValidationFailed = 'VALIDATION_FAILED',
  Conflict = 'CONFLICT',
  Forbidden = 'FORBIDDEN',
  Unauthorized = 'UNAUTHORIZED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  MalformedJson = 'MALFORMED_JSON',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Internal = 'INTERNAL_ERROR',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
}

export class CommonException extends DomainException {
  constructor(code: CommonErrorCode, status: number, message: string, fieldErrors?: FieldMessages) {
    super(code, status, message, fieldErrors);
  }

  /** "Not found or no access": used for records the caller may not know exist. */
  static notFound(what: string): CommonException {
    return new CommonException(CommonErrorCode.NotFound, 404, `${what} was not found, or you do not have access to it.`);
  }

  static validation(message: string, fieldErrors: FieldMessages): CommonException {
    return new CommonException(CommonErrorCode.ValidationFailed, 422, message, fieldErrors);
  }
}

/**
 * True for the "not found or no access" refusal (and any other 403/404 a domain throws):
 * what a `catch` that turns "you may not see this" into `false` may swallow. Anything else
 * (the database is down, a bug) must propagate, so an outage is a 503, not "not found".
 */
export function isAccessRefusal(error: unknown): boolean {
  return error instanceof DomainException && (error.status === 404 || error.status === 403);
}
