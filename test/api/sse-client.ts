/**
 * Test tools for event streams over real sockets: the app served by runtime/http-server.ts, a small
 * server-sent-events reader on its own TCP connection (as a browser tab has), and a Temporal client
 * that counts the queries made through it.
 */
import type { Client } from '@temporalio/client';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveGracefully, type GracefulServer } from '../../runtime/http-server';

export interface SseEvent {
  id: number;
  type: string;
  data: { id: number; type: string; stage?: string; message?: { from: string; text: string } };
}

export interface SseStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every event so far, in the order received. */
  readonly events: SseEvent[];
  /** The error body of a refused stream (status other than 200). */
  readonly error: { error: { code: string; message: string; details?: unknown } } | null;
  /** Resolves when the server ends the stream (or the socket closes). */
  readonly ended: Promise<void>;
  readonly isEnded: boolean;
  /** Waits until `ok(events)` holds, or throws after `timeoutMs`. */
  until(ok: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Hangs up, as closing a browser tab does. */
  close(): void;
}

/** Opens `path` on the server as an SSE request on a connection of its own; resolves once the response head is in. */
export function openStream(base: string, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buffered = '';
      let raw = '';
      let isEnded = false;
      let endedResolve: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      const finish = () => {
        if (isEnded) return;
        isEnded = true;
        endedResolve();
        for (const w of waiters) w();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffered += chunk;
        let cut: number;
        while ((cut = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, cut);
          buffered = buffered.slice(cut + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m) fields[m[1]!] = fields[m[1]!] !== undefined && m[1] === 'data' ? `${fields.data}\n${m[2]}` : m[2]!;
          }
          if (fields.data !== undefined) events.push({ id: Number(fields.id), type: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
        for (const w of waiters) w();
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        get error() {
          return res.statusCode === 200 || !raw ? null : JSON.parse(raw);
        },
        ended,
        get isEnded() {
          return isEnded;
        },
        until(ok, timeoutMs = 10_000) {
          return new Promise<void>((done, fail) => {
            const check = () => {
              if (ok(events)) {
                cleanup();
                done();
              } else if (isEnded) {
                cleanup();
                fail(new Error(`the stream ended first; got events ${events.map((e) => e.id).join(',')}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`timed out; got events ${events.map((e) => `${e.id}:${e.data.stage ?? e.data.message?.from}`).join(',')}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close() {
          req.destroy();
          finish();
        },
      };
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The app on a real socket on loopback, with the base URL to reach it. */
export async function serveApp(app: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> }): Promise<{ base: string; server: GracefulServer }> {
  const server = await serveGracefully(app.fetch, { port: 0, hostname: '127.0.0.1' });
  const { port } = server.server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, server };
}

export interface QueryRecord {
  at: number;
  workflowId: string;
  name: string;
  args: unknown[];
}

/**
 * The same client, with every workflow query made through it recorded (when, which workflow,
 * which query, with what arguments): the Temporal load the API puts on the server, measured from
 * outside the code under test.
 */
export function countingClient(client: Client): { client: Client; queries: QueryRecord[] } {
  const queries: QueryRecord[] = [];
  const bind = <T extends object>(target: T, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target) as unknown;
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const workflow = new Proxy(client.workflow, {
    get(target, prop) {
      if (prop !== 'getHandle') return bind(target, prop);
      return (...getArgs: Parameters<Client['workflow']['getHandle']>) => {
        const handle = target.getHandle(...getArgs);
        return new Proxy(handle, {
          get(h, p) {
            if (p !== 'query') return bind(h, p);
            return (query: string | { name: string }, ...args: unknown[]) => {
              queries.push({ at: Date.now(), workflowId: getArgs[0], name: typeof query === 'string' ? query : query.name, args });
              return (h.query as (q: unknown, ...a: unknown[]) => Promise<unknown>)(query, ...args);
            };
          },
        });
      };
    },
  });
  const wrapped = new Proxy(client, { get: (target, prop) => (prop === 'workflow' ? workflow : bind(target, prop)) });
  return { client: wrapped, queries };
}
