import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import express, { NextFunction, Request, Response } from 'express';
import { apiDocsEnabled, appConfig, AppConfig, assignCorrelationId, correlationIdOf, createValidationPipe, rejectDeepJson, rejectNulBytes, toErrorResponse } from '@pcn/common';
import { installPages, isApiPath, renderNotFoundPage } from '@pcn/web';
import { HttpOrPageErrorFilter } from './http-or-page-error.filter';
import { securityHeaders } from './security-headers';

/**
 * Everything that makes the HTTP app what it is, shared by main.ts and the e2e tests so
 * the tests exercise the same pipes, filters, limits and routes as production.
 */
export function configureApp(app: NestExpressApplication): INestApplication {
  const config = app.get<AppConfig>(appConfig.KEY);
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  // First, so even a request the body parser rejects carries a correlation id.
  app.use((req: Request, res: Response, next: NextFunction) => {
    assignCorrelationId(req, res);
    next();
  });
  // Security headers (and the pages' CSP nonce) on every response, errors included.
  app.use(securityHeaders(config.NODE_ENV === 'production'));
  app.use(express.json({ limit: config.BODY_LIMIT, strict: true }));
  app.use(rejectDeepJson);
  // Body-parser failures (too large, not JSON) happen before Nest routing, so they get
  // their own error middleware that speaks the same error shape.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    const body = toErrorResponse(err, correlationIdOf(req));
    res.status(body.status).json(body);
  });
  // Pages: templates, assets, form bodies, session cookie, CSRF (none of it on /api paths).
  installPages(app);
  // After both body parsers (JSON above, forms in installPages), before any route or guard.
  app.use(rejectNulBytes);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpOrPageErrorFilter());
  app.enableShutdownHooks();

  // Off in production unless API_DOCS_ENABLED=true: the route list helps an attacker more than a reader.
  if (!apiDocsEnabled(config)) return app;
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('PCN Network Agreements API')
      .setDescription('Draft, approve, sign and verify PCN Network Agreements and their data-sharing annexes.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

/**
 * After init, once Nest's routes are in place: anything no route matched answers 404 — the
 * NHS-style page outside /api, the API's JSON error shape inside it.
 */
export function addNotFoundFallback(app: NestExpressApplication): void {
  app.use((req: Request, res: Response) => {
    if (!isApiPath(req.path)) return renderNotFoundPage(req, res);
    res.status(404).json({ status: 404, code: 'NOT_FOUND', message: `There is nothing at ${req.method} ${req.path}.`, correlationId: correlationIdOf(req) });
  });
}
