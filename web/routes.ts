import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { ApiDeps } from '../api/context';
import { docsPage, homePage, opsPage } from './pages';

/** Static assets, read once: plain JS and CSS, nothing fetched from anywhere else. */
const asset = (name: string) => readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8');
const TYPES = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' } as const;
const ASSETS: Record<string, { body: string; type: string }> = Object.fromEntries(
  ['base.css', 'home.css', 'docs.css', 'docs.js', 'ops.css', 'ops.js', 'ops-meetings.css', 'ops-meetings.js', 'ops-fairness.css', 'ops-fairness.js'].map((name) => [
    name,
    { body: asset(name), type: TYPES[name.endsWith('.css') ? 'css' : 'js'] },
  ]),
);
const WIDGET = asset('widget.js');

/** Our own pages load scripts and styles only from this origin and talk only to it. */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** The buyer chat widget (`/`, `/widget.js`), the ops page (`/ops`) and the API docs (`/docs`). */
export function webRoutes(deps: ApiDeps) {
  const app = new Hono();
  const company = deps.companyName || 'us';

  app.get('/', (c) => c.html(homePage(company, new URL(c.req.url).origin), 200, PAGE_HEADERS));
  app.get('/ops', (c) => c.html(opsPage(), 200, PAGE_HEADERS));
  app.get('/docs', (c) => c.html(docsPage(), 200, PAGE_HEADERS));

  // Loaded by other sites' pages as a classic <script>: readable cross-origin by design.
  app.get('/widget.js', (c) =>
    c.body(WIDGET, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    }),
  );
  app.get('/assets/:name', (c) => {
    const file = ASSETS[c.req.param('name')];
    if (!file) return c.json({ error: { code: 'not_found', message: `no asset ${c.req.param('name')}` } }, 404);
    return c.body(file.body, 200, { 'Content-Type': file.type, 'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff' });
  });
  return app;
}
