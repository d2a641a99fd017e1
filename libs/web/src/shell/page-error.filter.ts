import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { correlationIdOf, setRetryAfter, toErrorResponse } from '@pcn/common';

/** Where the sign-in page sends the person afterwards: a local path only, never another site. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

/**
 * Errors on pages become pages: not signed in → the sign-in page (coming back here after);
 * 403/404 → pages that say what a person can do and reveal nothing about the record;
 * other refusals → their message (written for people); anything unexpected → a 500 page
 * with the correlation id and no internals.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('PageErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const body = toErrorResponse(exception, correlationIdOf(req));
    if (res.headersSent) return;
    res.locals.correlationId = body.correlationId;
    setRetryAfter(exception, res);
    if (body.status === 401) {
      const query = new URLSearchParams({ returnTo: req.method === 'GET' ? req.originalUrl : (req.get('referer') ? new URL(req.get('referer') as string, 'http://x').pathname : '/') });
      if (req.sessionExpired) query.set('expired', '1');
      res.redirect(303, `/sign-in?${query}`);
      return;
    }
    if (body.status === 404) return res.status(404).render('errors/404');
    if (body.status === 403) return res.status(403).render('errors/403', { message: body.message });
    if (body.status === 503) {
      this.logger.warn({ err: exception, correlationId: body.correlationId }, 'Service unavailable on a page');
      return res.status(503).render('errors/503');
    }
    if (body.status >= 500) {
      this.logger.error({ err: exception, correlationId: body.correlationId }, 'Unhandled error on a page');
      return res.status(500).render('errors/500');
    }
    res.status(body.status).render('errors/problem', { status: body.status, title: titleFor(body.status), message: body.message });
  }
}

function titleFor(status: number): string {
  if (status === 409) return 'This has changed since you opened it';
  if (status === 413) return 'What you sent is too large';
  if (status === 429) return 'Too many attempts';
  return 'There is a problem';
}
