import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request } from 'express';
import { HttpErrorFilter } from '@pcn/common';
import { isApiPath, PageErrorFilter } from '@pcn/web';

/**
 * The global filter: errors under /api keep the API's JSON shape; anything else (a path no
 * page matched, an error outside a page controller) is answered with a page.
 */
@Catch()
export class HttpOrPageErrorFilter implements ExceptionFilter {
  private readonly api = new HttpErrorFilter();
  private readonly pages = new PageErrorFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const path = host.switchToHttp().getRequest<Request>().path;
    if (isApiPath(path) || path === '/health' || path.startsWith('/admin/queues')) return this.api.catch(exception, host);
    return this.pages.catch(exception, host);
  }
}
