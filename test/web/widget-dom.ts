/**
 * The chat widget in jsdom, with a scripted fetch and a fake EventSource (no browser, no server):
 * what the widget tests in this folder mount.
 */
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths';

const WIDGET = readFileSync(join(ROOT, 'web', 'static', 'widget.js'), 'utf8');
export const API = 'http://api.test';
export const LEAD_ID = 'lead-1';
export const LEAD_PATH = `/v1/leads/${LEAD_ID}`;

export interface Sent {
  method: string;
  path: string;
  body: unknown;
  at: number;
}
export type Reply = { status: number; body?: unknown; retryAfter?: string };
/** Answers to one `METHOD path`: a queue (the last answer repeats), or a function asked each time. */
export type Script = Record<string, Reply[] | ((body: unknown) => Reply)>;

/** An EventSource that never connects; the test pushes events through `emit`. */
export class FakeEventSource {
  static readonly CLOSED = 2;
  static last: FakeEventSource | null = null;
  readyState = 1;
  onerror: (() => void) | null = null;
  private readonly listeners = new Map<string, ((ev: { data: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, fn: (ev: { data: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  emit(type: string, data: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn({ data: JSON.stringify(data) });
  }
}

const doms: JSDOM[] = [];
/** For `afterEach`: closes every widget window mounted since. */
export function closeDoms() {
  for (const d of doms.splice(0)) d.window.close();
}

/**
 * The widget mounted with a buyer's conversation open, and a fetch that
 * answers each `METHOD path` from `script`.
 */
export function mount(script: Script) {
  const sent: Sent[] = [];
  const dom = new JSDOM(`<!doctype html><body><script data-baton-api="${API}"></script></body>`, { url: 'http://shop.test/', runScripts: 'outside-only' });
  doms.push(dom);
  const w = dom.window as unknown as Window & typeof globalThis & { eval(code: string): void };
  Object.assign(w, {
    EventSource: FakeEventSource,
    fetch: async (url: string, init: { method: string; body?: string }) => {
      const path = url.replace(API, '');
      const key = `${init.method} ${path}`;
      const body = init.body ? JSON.parse(init.body) : undefined;
      sent.push({ method: init.method, path, body, at: Date.now() });
      const answers = script[key];
      if (!answers || (Array.isArray(answers) && !answers.length)) throw new Error(`unexpected ${key}`);
      const reply = typeof answers === 'function' ? answers(body) : answers.length > 1 ? answers.shift()! : answers[0]!;
      return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
        status: reply.status,
        headers: { 'content-type': 'application/json', ...(reply.retryAfter ? { 'retry-after': reply.retryAfter } : {}) },
      });
    },
  });
  w.sessionStorage.setItem(`baton:lead:${API}`, JSON.stringify({ leadId: LEAD_ID, buyerToken: 'token', email: 'jane@shop.test' }));
  w.eval(WIDGET);
  const root = w.document.querySelector('.baton-widget')!.shadowRoot!;
  const notice = () => ((root.querySelector('#bt-notice') as HTMLElement).hidden ? '' : root.querySelector('#bt-notice')!.textContent!);
  return { w, root, sent, notice, events: FakeEventSource.last! };
}
