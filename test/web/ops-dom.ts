/**
 * The ops page in jsdom with a scripted API (no browser, no server): the page's own HTML and
 * exactly the scripts it names, in its order, so a view the page forgets to load is missing here too.
 */
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { opsPage } from '../../web/pages';
import { ROOT } from '../helpers/paths';

export type Reply = { status: number; body?: unknown };
export interface Sent {
  method: string;
  path: string;
  body: unknown;
  /** The Authorization header sent, if any. */
  auth: string | null;
}

const PAGE = opsPage();
/** The page's scripts, as it lists them (`<script src="/assets/<name>">`). */
export const OPS_SCRIPTS = [...PAGE.matchAll(/<script src="\/assets\/([^"]+)"><\/script>/g)].map((m) => m[1]!);
const CODE = OPS_SCRIPTS.map((name) => readFileSync(join(ROOT, 'web', 'static', name), 'utf8'));

const doms: JSDOM[] = [];
/** Closes every page mounted so far (call from `afterEach`). */
export function closeOpsPages(): void {
  for (const d of doms.splice(0)) d.window.close();
}

/**
 * The ops page at `/ops<hash>` with `answer(method, path, body)` as the API; signed in with `key`
 * (default `key-1`; `null`: no key stored yet).
 */
export function mountOps(hash: string, answer: (method: string, path: string, body: unknown) => Reply, key: string | null = 'key-1') {
  const sent: Sent[] = [];
  const dom = new JSDOM(PAGE, { url: `http://baton.test/ops${hash}`, runScripts: 'outside-only' });
  doms.push(dom);
  const w = dom.window as unknown as Window & typeof globalThis & { eval(code: string): void };
  if (key !== null) w.sessionStorage.setItem('baton:ops:key', key);
  Object.assign(w, {
    fetch: async (url: string, init: { method: string; body?: string; headers?: Record<string, string> }) => {
      const where = new URL(url, 'http://baton.test');
      const path = where.pathname + where.search;
      const body = init.body ? JSON.parse(init.body) : undefined;
      sent.push({ method: init.method, path, body, auth: init.headers?.Authorization ?? null });
      const reply = answer(init.method, path, body);
      return new Response(JSON.stringify(reply.body ?? {}), { status: reply.status, headers: { 'content-type': 'application/json' } });
    },
  });
  for (const code of CODE) w.eval(code);
  return { w, d: w.document, sent, posts: () => sent.filter((s) => s.method === 'POST') };
}
