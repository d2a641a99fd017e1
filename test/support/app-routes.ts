import type { TestApp } from './test-app';

export interface AppRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express form, e.g. `/api/v1/agreements/:agreementId/revisions/:number`. */
  path: string;
}

/** Every route the running app serves, read from Express's router (as route-access.int-spec.ts does). */
export function appRoutes(t: TestApp): AppRoute[] {
  const app = t.app.getHttpAdapter().getInstance() as { router?: { stack: unknown[] }; _router?: { stack: unknown[] } };
  const stack = (app.router ?? app._router)?.stack ?? [];
  const out = new Map<string, AppRoute>();
  for (const layer of stack as { route?: { path: string; methods: Record<string, boolean> } }[]) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    const methods = Object.entries(layer.route.methods).filter(([, on]) => on).map(([m]) => m);
    if (methods.includes('_all') || methods.length > 5) continue;
    for (const method of methods) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const path = layer.route.path.replace(/(.)\/$/, '$1');
      out.set(`${method} ${path}`, { method: method as AppRoute['method'], path });
    }
  }
  return [...out.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

export const paramNames = (path: string) => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
