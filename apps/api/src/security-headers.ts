import type { NextFunction, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import helmet from 'helmet';
import { isApiPath } from '@pcn/web';

/**
 * Security headers on every response (helmet): X-Content-Type-Options, Referrer-Policy,
 * Strict-Transport-Security (production), frame-ancestors 'none' / X-Frame-Options DENY,
 * Cross-Origin-Opener/Resource-Policy, and a Content-Security-Policy:
 *  - pages: no inline script at all except nhsuk-frontend's one-line body-class script,
 *    which carries the per-request nonce (`cspNonce`, a template variable of nhsuk-frontend);
 *    styles and images from this origin only;
 *  - JSON API: `default-src 'none'` (nothing in a JSON answer may load anything);
 *  - Swagger UI and the queue dashboard (their own markup carries inline <style>): inline
 *    styles allowed there, scripts still from this origin only.
 */
export function securityHeaders(production: boolean) {
  const nonce = (_req: unknown, res: unknown) => `'nonce-${(res as Response).locals.cspNonce as string}'`;
  const common = {
    hsts: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' as const },
    frameguard: { action: 'deny' as const },
    crossOriginEmbedderPolicy: false,
  };
  const pages = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", nonce],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
  });
  const api = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } } });
  const tools = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    if (req.path === '/api/docs' || req.path.startsWith('/api/docs/') || req.path.startsWith('/admin/queues')) return tools(req, res, next);
    if (isApiPath(req.path) || req.path === '/health') return api(req, res, next);
    return pages(req, res, next);
  };
}
