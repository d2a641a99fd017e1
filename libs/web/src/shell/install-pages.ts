import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import RedisStore from 'connect-redis';
import { csrfSync } from 'csrf-sync';
import nunjucks from 'nunjucks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { appConfig, AppConfig, correlationIdOf } from '@pcn/common';
import { REDIS_CLIENT, redisConfig, RedisConfig } from '@pcn/database';
import { SessionRevocation } from '@pcn/auth';
import { webConfig, WebConfig } from '../web.config';
import { NHSUK_ASSETS_DIRECTORY, NHSUK_DIST_DIRECTORY, VIEWS_DIRECTORY } from './views-directory';
import { addPageFilters } from './page-filters';
import { navigationFor } from './navigation';

/** Paths that belong to the JSON API: no session, no CSRF, JSON errors. */
export const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');
/** Bull Board posts JSON with its own client; SameSite=Lax keeps other sites' posts cookie-less. */
const CSRF_EXEMPT = (path: string) => isApiPath(path) || path.startsWith('/admin/queues');

export const SESSION_COOKIE = 'pcn_session';

declare module 'express-serve-static-core' {
  interface Request {
    /** The browser sent a session cookie, but the session behind it has ended. */
    sessionExpired?: boolean;
  }
}

/**
 * nhsuk-frontend's stylesheet loads the Frutiger web font from assets.nhs.uk. Pages must
 * not depend on a CDN, so the @font-face rules are dropped and the stylesheet's own
 * fallback (Arial) is used — what the NHS design system does when the font is unavailable.
 */
function localStylesheet(): string {
  const css = readFileSync(join(NHSUK_DIST_DIRECTORY, 'nhsuk', 'nhsuk-frontend.min.css'), 'utf8');
  return css.replace(/@font-face\{[^}]*\}/g, '');
}

/**
 * Everything server-rendered pages need from Express, installed once by the API app:
 * the template engine, local assets, form bodies, the session cookie and CSRF protection.
 * None of it touches /api paths.
 */
export function installPages(app: NestExpressApplication): void {
  const app_ = app.get<AppConfig>(appConfig.KEY);
  const web = app.get<WebConfig>(webConfig.KEY);
  const redis = app.get<Redis>(REDIS_CLIENT);
  const redisSettings = app.get<RedisConfig>(redisConfig.KEY);
  const expressApp = app.getHttpAdapter().getInstance() as express.Express;

  const env = nunjucks.configure([VIEWS_DIRECTORY, NHSUK_DIST_DIRECTORY], { autoescape: true, express: expressApp, noCache: app_.NODE_ENV === 'development', throwOnUndefined: false });
  addPageFilters(env);
  expressApp.set('view engine', 'njk');
  expressApp.set('views', [VIEWS_DIRECTORY, NHSUK_DIST_DIRECTORY]);

  const stylesheet = localStylesheet();
  const appStylesheet = readFileSync(join(VIEWS_DIRECTORY, 'assets', 'app.css'), 'utf8');
  const appScript = readFileSync(join(VIEWS_DIRECTORY, 'assets', 'app.js'), 'utf8');
  const cacheable = (type: string, body: string) => (_req: Request, res: Response) => {
    res.type(type).setHeader('Cache-Control', 'public, max-age=3600');
    res.send(body);
  };
  expressApp.get('/assets/nhsuk-frontend.css', cacheable('text/css', stylesheet));
  expressApp.get('/assets/app.css', cacheable('text/css', appStylesheet));
  expressApp.get('/assets/app.js', cacheable('text/javascript', appScript));
  expressApp.get('/assets/nhsuk-frontend.min.js', (_req, res) => res.sendFile(join(NHSUK_DIST_DIRECTORY, 'nhsuk', 'nhsuk-frontend.min.js'), { maxAge: 3_600_000 }));
  expressApp.use('/assets', express.static(NHSUK_ASSETS_DIRECTORY, { maxAge: 3_600_000, index: false, fallthrough: false }));

  const pagesOnly = (middleware: express.RequestHandler): express.RequestHandler => (req, res, next) => (isApiPath(req.path) ? next() : middleware(req, res, next));

  // Form posts: `rows[3][name]` becomes nested arrays/objects (qs), as repeatable rows need.
  expressApp.use(pagesOnly(express.urlencoded({ extended: true, limit: app_.BODY_LIMIT, parameterLimit: 5000 })));

  const secure = app_.NODE_ENV === 'production';
  expressApp.use(
    pagesOnly(
      session({
        name: SESSION_COOKIE,
        secret: web.SESSION_SECRET,
        store: new RedisStore({ client: redis, prefix: `${redisSettings.REDIS_PREFIX}:session:` }),
        resave: false,
        saveUninitialized: false,
        rolling: true, // every request restarts the idle timeout
        unset: 'destroy',
        cookie: { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: web.SESSION_IDLE_MINUTES * 60_000 },
      }),
    ),
  );
  // The absolute timeout, and telling "your session ended" apart from "never signed in".
  expressApp.use(
    pagesOnly((req, _res, next) => {
      const hadCookie = typeof req.headers.cookie === 'string' && req.headers.cookie.includes(`${SESSION_COOKIE}=`);
      const s = req.session;
      if (s?.principal && s.signedInAt && Date.now() - s.signedInAt > web.SESSION_ABSOLUTE_HOURS * 3_600_000) {
        req.sessionExpired = true;
        return s.regenerate((err) => next(err));
      }
      if (hadCookie && !s?.principal) req.sessionExpired = true;
      next();
    }),
  );
  // Revoked at once (account disabled, sign out everywhere): a session that started before
  // the user's revocation mark ends on its next request.
  const revocation = app.get(SessionRevocation, { strict: false });
  expressApp.use(
    pagesOnly((req, _res, next) => {
      const s = req.session;
      if (!s?.principal) return next();
      revocation.isRevoked(s.principal.id, s.signedInAt ?? 0).then((revoked) => {
        if (!revoked) return next();
        req.sessionExpired = true;
        s.regenerate((err) => next(err));
      }, next);
    }),
  );

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    // Multipart forms (file uploads) carry the token in the query, as the body is read later.
    getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined ?? (req.query._csrf as string | undefined) ?? (req.headers['x-csrf-token'] as string | undefined),
  });
  expressApp.use((req, res, next) => (CSRF_EXEMPT(req.path) ? next() : csrfSynchronisedProtection(req, res, next)));

  // What every template may read.
  expressApp.use(
    pagesOnly((req, res, next) => {
      res.locals.currentPath = req.originalUrl;
      res.locals.user = req.session?.principal ?? null;
      res.locals.navigation = navigationFor(req.session?.principal ?? null, req.path);
      // Lazily: only pages that render a form create the session that stores the token.
      res.locals.csrfToken = () => generateToken(req);
      next();
    }),
  );

  // Errors raised by the middleware above (CSRF, body too large, bad form encoding) on pages.
  expressApp.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (isApiPath(req.path) || res.headersSent) return next(err);
    const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode ?? 500;
    const code = (err as { code?: string }).code;
    res.locals.correlationId = correlationIdOf(req);
    if (code === 'EBADCSRFTOKEN') {
      return res.status(403).render('errors/form-expired', { returnTo: req.headers.referer && sameOriginPath(req.headers.referer, app_.PUBLIC_BASE_URL) });
    }
    if (status === 413) return res.status(413).render('errors/problem', { status, title: 'What you sent is too large', message: 'The form or file is larger than this page accepts. Go back and try a smaller one.' });
    if (status >= 400 && status < 500) return res.status(status).render('errors/problem', { status, title: 'We could not read what you sent', message: 'Go back, reload the page and try again.' });
    next(err);
  });
}

/** A Referer from our own site as a local path; anything else is ignored. */
export function sameOriginPath(url: string, base: string): string | undefined {
  try {
    const u = new URL(url, base);
    return u.origin === new URL(base).origin ? u.pathname + u.search : undefined;
  } catch {
    return undefined;
  }
}
