import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ACCESS_RULE, AccessRule, SESSION_PAGES } from '@pcn/auth';
import { createTestApp, TestApp } from '../../../../test/support/test-app';

/*
 * Deny by default, checked: every route the API serves must declare who may call it
 * (@Public, @Authenticated or @RequirePermission). The list of routes and their rules
 * is snapshotted, so adding a route or loosening a rule shows up in review and needs
 * `jest -u` on purpose.
 */

interface Route {
  method: string;
  path: string;
  controller: string;
  handler: string;
  rule: AccessRule | undefined;
  /** A server-rendered page (session cookie), served at the root, not under /api/v1. */
  page: boolean;
}

const API_PREFIX = '/api/v1';
/** Controllers served at the root: /health and the pages (see RouterModule in api.module.ts). */
const UNPREFIXED_CONTROLLERS = new Set(['HealthController']);

const join = (...parts: (string | undefined)[]) =>
  `/${parts
    .flatMap((p) => (p ?? '').split('/'))
    .filter(Boolean)
    .join('/')}`;

function discoverRoutes(t: TestApp): Route[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as Function | undefined;
    if (!controller) continue;
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
    const page = Reflect.getMetadata(SESSION_PAGES, controller) === true;
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = controller.prototype[name] as Function;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (path === undefined) continue; // a helper method, not a route
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      for (const b of [base].flat()) {
        for (const p of [path].flat()) {
          const local = join(b, p);
          const full = page || UNPREFIXED_CONTROLLERS.has(controller.name) ? local : join(API_PREFIX, local);
          routes.push({ method, path: full, controller: controller.name, handler: name, rule: reflector.getAllAndOverride<AccessRule>(ACCESS_RULE, [handler, controller]), page });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** Routes as Express actually registered them, in `METHOD /path/:param` form. */
function expressRoutes(t: TestApp): string[] {
  const app = t.app.getHttpAdapter().getInstance() as { router?: { stack: unknown[] }; _router?: { stack: unknown[] } };
  const stack = (app.router ?? app._router)?.stack ?? [];
  const out: string[] = [];
  for (const layer of stack as { route?: { path: string; methods: Record<string, boolean> } }[]) {
    if (!layer.route) continue;
    const methods = Object.entries(layer.route.methods).filter(([, on]) => on).map(([m]) => m);
    // Nest's not-found handlers are registered for every method at once; they are not routes.
    if (methods.includes('_all') || methods.length > 5) continue;
    for (const method of methods) out.push(`${method.toUpperCase()} ${layer.route.path.replace(/(.)\/$/, '$1')}`);
  }
  return [...new Set(out)];
}

function describeRule(rule: AccessRule | undefined): string {
  if (!rule) return 'NONE';
  if (rule.kind === 'permission') return `permission(${rule.permissions.join(' | ')})`;
  return rule.kind;
}

const SAMPLE_UUID = '00000000-0000-4000-8000-000000000000';
const samplePath = (path: string) => path.replace(/:([A-Za-z]+)/g, (_, name: string) => (/^(number|from|to)$/.test(name) ? '1' : SAMPLE_UUID));

describe('route access rules', () => {
  let t: TestApp;
  let routes: Route[];

  beforeAll(async () => {
    t = await createTestApp();
    routes = discoverRoutes(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('finds the controllers of every feature module', () => {
    const controllers = new Set(routes.map((r) => r.controller));
    expect([...controllers]).toEqual(expect.arrayContaining(['AuthController', 'DirectoryController', 'AgreementsController', 'HealthController']));
    expect(routes.length).toBeGreaterThan(20);
  });

  it('discovery sees exactly the routes Express serves (apart from the API docs and static assets)', () => {
    const served = expressRoutes(t).filter((r) => !/ \/(api\/docs|assets\/)/.test(r));
    expect(served.length).toBeGreaterThan(0);
    expect(served.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('every route declares an access rule', () => {
    const missing = routes.filter((r) => !r.rule).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`);
    expect(missing).toEqual([]);
  });

  it('every permission named in a rule exists', () => {
    const { Permission } = jest.requireActual('@pcn/auth') as typeof import('@pcn/auth');
    const known = new Set<string>(Object.values(Permission));
    for (const route of routes) {
      if (route.rule?.kind !== 'permission') continue;
      expect(route.rule.permissions.length).toBeGreaterThan(0);
      for (const p of route.rule.permissions) expect({ route: `${route.method} ${route.path}`, p, known: known.has(p) }).toEqual({ route: `${route.method} ${route.path}`, p, known: true });
    }
  });

  it('the route → rule table is a conscious decision (update the snapshot on purpose)', () => {
    expect(routes.map((r) => `${r.method} ${r.path} → ${describeRule(r.rule)}`)).toMatchSnapshot();
  });

  it('the global guard enforces it: without a token, every non-public route is 401 and no route is closed for lack of a rule', async () => {
    const outcomes: string[] = [];
    for (const route of routes.filter((r) => !r.page)) {
      const url = samplePath(route.path);
      const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
      const res = await t.http[method](url).send({});
      const public_ = route.rule?.kind === 'public';
      // A public route may answer 404 for a record that does not exist, never for a route that does not.
      const ok = public_ ? !['NOT_AUTHENTICATED', 'NO_ACCESS_RULE', 'PERMISSION_DENIED'].includes(res.body?.code) && (res.status !== 404 || route.path.includes(':')) : res.status === 401 && res.body.code === 'NOT_AUTHENTICATED';
      if (!ok) outcomes.push(`${route.method} ${url} (${describeRule(route.rule)}) → ${res.status} ${res.body?.code}`);
    }
    expect(outcomes).toEqual([]);
  });

  it('pages without a session: a form post is refused for its missing CSRF token, a signed-in page sends the person to sign in', async () => {
    const outcomes: string[] = [];
    for (const route of routes.filter((r) => r.page)) {
      const url = samplePath(route.path);
      const public_ = route.rule?.kind === 'public';
      let ok: boolean;
      let res;
      if (route.method === 'GET') {
        res = await t.http.get(url);
        ok = public_ ? res.status < 400 || (res.status === 404 && route.path.includes(':')) : res.status === 303 && res.headers.location === `/sign-in?returnTo=${encodeURIComponent(url)}`;
      } else {
        res = await t.http[route.method.toLowerCase() as 'post'](url).type('form').send({});
        ok = res.status === 403 && res.text.includes('This form has expired');
      }
      if (!ok) outcomes.push(`${route.method} ${url} (${describeRule(route.rule)}) → ${res.status} ${res.headers.location ?? ''}`);
    }
    expect(outcomes).toEqual([]);
  });
});
