import { Hono } from 'hono';
import type { ApiDeps } from '../api/context';

/** The buyer chat widget (`/`) and the ops page (`/ops`); filled in by the web UI work. */
export function webRoutes(_deps: ApiDeps) {
  const app = new Hono();
  app.get('/', (c) => c.text('Baton is running. POST /v1/leads to start a lead; API docs at /docs.'));
  return app;
}
