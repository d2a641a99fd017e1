import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SessionPages } from '@pcn/auth';
import { PageErrorFilter } from './page-error.filter';

/**
 * A controller of server-rendered pages: signed in by the session cookie (not Bearer),
 * errors rendered as pages, left out of the API documentation. Routes still declare
 * @Public(), @Authenticated() or @RequirePermission(...) like every API route.
 */
export const PageController = (path?: string) => applyDecorators(Controller(path ?? ''), SessionPages(), UseFilters(PageErrorFilter), ApiExcludeController());
