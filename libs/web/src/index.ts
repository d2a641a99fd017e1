export * from './web.config';
export * from './web.module';
export { installPages, isApiPath } from './shell/install-pages';
export { renderNotFoundPage } from './shell/not-found';
export { PageErrorFilter, safeReturnTo } from './shell/page-error.filter';
export { PageController } from './shell/page-controller.decorator';
