/**
 * 405 Method Not Allowed, with `Allow`, for a method a known path does not have (Hono's router
 * answers such a request with the 404 of an unknown path, which tells a client the wrong thing).
 * OPTIONS on a known path answers 204 with `Allow`, unless it is a CORS preflight for the CORS
 * middleware.
 */
import type { Hono } from 'hono';
import type { ApiEnv } from './context';

type Route = { pattern: RegExp; methods: Set<string> };

function compile(routes: readonly { method: string; path: string }[]): Route[] {
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue; // middleware
    const methods = byPath.get(r.path) ?? new Set<string>();
    methods.add(r.method.toUpperCase());
    byPath.set(r.path, methods);
  }
  return [...byPath].map(([path, methods]) => {
    const source = path
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    if (methods.has('GET')) methods.add('HEAD');
    return { pattern: new RegExp(`^${source}/?$`), methods };
  });
}

export function rejectUnknownMethods(app: Hono<ApiEnv>): void {
  let table: Route[] | undefined;
  let compiledFrom = -1;
  app.use('*', async (c, next) => {
    // Routes are added after this middleware; compile them on first use (and again if more were added).
    if (!table || compiledFrom !== app.routes.length) {
      table = compile(app.routes);
      compiledFrom = app.routes.length;
    }
    const matching = table.filter((r) => r.pattern.test(c.req.path));
    if (matching.length === 0) return next();
    const allowed = new Set(matching.flatMap((r) => [...r.methods]));
    const method = c.req.method.toUpperCase();
    if (allowed.has(method)) return next();
    const allow = [...allowed, 'OPTIONS'].join(', ');
    if (method === 'OPTIONS') {
      if (c.req.header('origin') && c.req.header('access-control-request-method')) return next(); // a CORS preflight
      return c.body(null, 204, { Allow: allow });
    }
    return c.json({ error: { code: 'method_not_allowed', message: `${method} is not allowed on ${c.req.path}; allowed: ${allow}` } }, 405, { Allow: allow });
  });
}
