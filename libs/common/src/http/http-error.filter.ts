import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { CommonErrorCode, DomainException } from '../errors/domain.exception';
import { ErrorResponse } from './error-response';
import { correlationIdOf } from './correlation-id';
import { isDatabaseUnavailable, SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } from './service-unavailable';

const HTTP_CODES: Record<number, CommonErrorCode> = {
  400: CommonErrorCode.BadRequest,
  401: CommonErrorCode.Unauthorized,
  403: CommonErrorCode.Forbidden,
  404: CommonErrorCode.NotFound,
  409: CommonErrorCode.Conflict,
  413: CommonErrorCode.PayloadTooLarge,
  415: CommonErrorCode.UnsupportedMediaType,
  422: CommonErrorCode.ValidationFailed,
  429: CommonErrorCode.TooManyRequests,
  503: CommonErrorCode.ServiceUnavailable,
};

/** PostgreSQL error codes that are the caller's fault, not ours. */
const PG_ERRORS: Record<string, { status: number; code: CommonErrorCode; message: string }> = {
  '23505': { status: 409, code: CommonErrorCode.Conflict, message: 'A record with the same unique details already exists.' },
  '23P01': { status: 409, code: CommonErrorCode.Conflict, message: 'This overlaps an existing record for the same period.' },
  '23503': { status: 422, code: CommonErrorCode.ValidationFailed, message: 'The request refers to a record that does not exist.' },
  '23514': { status: 422, code: CommonErrorCode.ValidationFailed, message: 'The request breaks a rule the data must follow.' },
  // Two transactions collided; nothing was saved and the same request can simply be sent again.
  '40P01': { status: 409, code: CommonErrorCode.Conflict, message: 'Someone else changed this at the same moment. Nothing was saved; please try again.' },
  '40001': { status: 409, code: CommonErrorCode.Conflict, message: 'Someone else changed this at the same moment. Nothing was saved; please try again.' },
  '22P02': { status: 400, code: CommonErrorCode.BadRequest, message: 'A value in the request has the wrong format.' },
  '22007': { status: 400, code: CommonErrorCode.BadRequest, message: 'A date in the request is not valid.' },
  '22008': { status: 400, code: CommonErrorCode.BadRequest, message: 'A date in the request is out of range.' },
  // Backstops: the edge refuses these first (bounded integers, NUL bytes), so they should never reach the database.
  '22003': { status: 400, code: CommonErrorCode.BadRequest, message: 'A number in the request is outside the range that can be stored.' },
  '22021': { status: 400, code: CommonErrorCode.BadRequest, message: 'The request contains characters that cannot be stored.' },
  '22P05': { status: 400, code: CommonErrorCode.BadRequest, message: 'The request contains characters that cannot be stored.' },
  '54000': { status: 400, code: CommonErrorCode.BadRequest, message: 'A value in the request is too large to store.' },
};

/** Seconds to put in Retry-After for this error, if any (429 and 503 answers). */
export function retryAfterOf(exception: unknown): number | undefined {
  const seconds = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof seconds === 'number' && seconds > 0) return Math.ceil(seconds);
  return isDatabaseUnavailable(exception) ? SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS : undefined;
}

/** Sets Retry-After on the response when the error carries one (rate limits, outages). */
export function setRetryAfter(exception: unknown, response: Response): void {
  const seconds = retryAfterOf(exception);
  if (seconds !== undefined && !response.headersSent) response.setHeader('Retry-After', String(seconds));
}

export function toErrorResponse(exception: unknown, correlationId: string): ErrorResponse {
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      code: CommonErrorCode.ServiceUnavailable,
      message: 'The service is unavailable at the moment (its database cannot be reached). Nothing was saved. Try again in a few minutes.',
      correlationId,
    };
  }
  if (exception instanceof DomainException) {
    return {
      status: exception.status,
      code: exception.code,
      message: exception.message,
      ...(exception.fieldErrors ? { fieldErrors: exception.fieldErrors } : {}),
      ...(exception.warnings ? { warnings: exception.warnings } : {}),
      correlationId,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    return { status, code: HTTP_CODES[status] ?? (status >= 500 ? CommonErrorCode.Internal : CommonErrorCode.BadRequest), message, correlationId };
  }
  if (exception instanceof QueryFailedError) {
    const pgCode = (exception as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
    const known = pgCode ? PG_ERRORS[pgCode] : undefined;
    if (known) return { ...known, correlationId };
  }
  const bodyParserError = exception as { type?: string; status?: number };
  if (bodyParserError?.type === 'entity.too.large') {
    return { status: 413, code: CommonErrorCode.PayloadTooLarge, message: 'The request body is larger than this endpoint accepts.', correlationId };
  }
  if (bodyParserError?.type === 'entity.parse.failed') {
    return { status: 400, code: CommonErrorCode.MalformedJson, message: 'The request body is not valid JSON.', correlationId };
  }
  if (typeof bodyParserError?.status === 'number' && bodyParserError.status >= 400 && bodyParserError.status < 500) {
    return { status: bodyParserError.status, code: HTTP_CODES[bodyParserError.status] ?? CommonErrorCode.BadRequest, message: 'The request could not be read.', correlationId };
  }
  return {
    status: 500,
    code: CommonErrorCode.Internal,
    message: 'Something went wrong on our side. Nothing was saved. Quote the correlation id if you contact support.',
    correlationId,
  };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const body = toErrorResponse(exception, correlationIdOf(request));
    if (body.status === 503) {
      this.logger.warn({ err: exception, correlationId: body.correlationId }, 'Service unavailable');
    } else if (body.status >= 500) {
      this.logger.error({ err: exception, correlationId: body.correlationId }, 'Unhandled error');
    }
    if (response.headersSent) return;
    setRetryAfter(exception, response);
    // Always JSON, even where the route had set another type up front (a CSV download).
    response.status(body.status).type('application/json').json(body);
  }
}
