/**
 * A small local HTTP server for contract tests: the real SDKs talk to it on 127.0.0.1 (random
 * port); it records every request (method, path, query, headers, body) and answers with canned,
 * documented responses. No request ever leaves the machine.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Decoded query parameters; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON body parsed, a form body as a record, else the raw text (undefined when empty). */
  body: unknown;
  /** Set when the client closed the connection before the answer was sent (an aborted request). */
  closedByClient?: boolean;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Raw body (use for malformed JSON, HTML error pages, ...). */
  body?: string;
  /** Destroy the socket without answering (a network failure). */
  hangUp?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

type Responder = Reply | ((req: RecordedRequest) => Reply);

interface Route {
  method: string;
  path: string | RegExp;
  reply: Responder;
  once: boolean;
  used: boolean;
}

export class HttpRecorder {
  readonly requests: RecordedRequest[] = [];
  /** Requests no route matched (answered 501): a test should usually assert this stays empty. */
  readonly unmatched: RecordedRequest[] = [];
  private routes: Route[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<HttpRecorder> {
    let recorder!: HttpRecorder;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => recorder.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    recorder = new HttpRecorder(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => {
      recorder.sockets.add(socket);
      socket.on('close', () => recorder.sockets.delete(socket));
    });
    return recorder;
  }

  /** A persistent route: answers every matching request. */
  on(method: string, path: string | RegExp, reply: Responder): this {
    this.routes.push({ method: method.toUpperCase(), path, reply, once: false, used: false });
    return this;
  }

  /** A one-shot route: answers the first matching request, and wins over persistent routes. */
  once(method: string, path: string | RegExp, reply: Responder): this {
    this.routes.push({ method: method.toUpperCase(), path, reply, once: true, used: false });
    return this;
  }

  /** Forgets routes and recorded requests. */
  reset(): void {
    this.routes = [];
    this.requests.length = 0;
    this.unmatched.length = 0;
  }

  /** Recorded requests to one path (string equality or RegExp). */
  to(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && matches(path, r.path));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, rawUrl: string, headers: IncomingHttpHeaders, rawBody: string, res: ServerResponse): void {
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const prev = query[key];
      query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    const recorded: RecordedRequest = {
      method,
      path: decodeURIComponent(url.pathname),
      query,
      headers,
      rawBody,
      body: parseBody(rawBody, headers['content-type']),
    };
    this.requests.push(recorded);
    const candidates = this.routes.filter((r) => r.method === method && matches(r.path, recorded.path) && !(r.once && r.used));
    const route = candidates.find((r) => r.once) ?? candidates[0];
    if (!route) {
      this.unmatched.push(recorded);
      send(res, { status: 501, json: { error: `no route for ${method} ${recorded.path}` } });
      return;
    }
    route.used = true;
    const reply = typeof route.reply === 'function' ? route.reply(recorded) : route.reply;
    if (!reply.hangUp) {
      res.on('close', () => {
        if (!res.writableFinished) recorded.closedByClient = true;
      });
    }
    if (reply.hangUp) {
      res.socket?.destroy();
      return;
    }
    if (reply.delayMs) setTimeout(() => send(res, reply), reply.delayMs);
    else send(res, reply);
  }
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  return raw;
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  let body = reply.body ?? '';
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

// ---- fixtures --------------------------------------------------------------------------------

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface FixtureRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  body?: unknown;
}

export interface Fixture {
  /** Where the shapes come from (the provider's API reference page). */
  source?: string;
  request?: FixtureRequest;
  response: Reply;
}

/** Reads `test/integrations/fixtures/<name>.json`. */
export function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;
}

/** Registers a fixture's response for its request's method and path (one-shot). */
export function replay(server: HttpRecorder, name: string, path?: string | RegExp): Fixture {
  const fx = fixture(name);
  if (!fx.request && !path) throw new Error(`fixture ${name} has no request to route by`);
  server.once(fx.request?.method ?? 'GET', path ?? fx.request!.path, fx.response);
  return fx;
}

/** A port on 127.0.0.1 that nothing listens on (for connection-refused tests). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
