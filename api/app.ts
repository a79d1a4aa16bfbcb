import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { logger } from '../runtime/log';
import { isLoopbackHost } from '../runtime/settings';
import { webRoutes } from '../web/routes';
import { matchesApiKey } from './auth';
import type { ApiDeps, ApiEnv, Caller } from './context';
import { ApiError, toErrorResponse } from './errors';
import { DEFAULT_STREAM_LIMITS, EventHub } from './event-hub';
import { fairnessRoutes } from './fairness';
import { temporalCalls } from './lead-access';
import { leadCreateRoutes } from './lead-create';
import { leadEventRoutes } from './lead-events';
import { leadRoutes } from './leads';
import { clientAddress, DEFAULT_RATE_LIMITS, RateLimiter, rateKeyOfAddress, retryAfter, type RateLimits } from './limits';
import { rejectUnknownMethods } from './methods';
import { withMetrics } from './metrics';
import { meetingRoutes } from './meetings';
import { opsRoutes } from './ops';

export const MAX_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The only route that takes a buyer token in the query string (EventSource cannot send headers). */
const EVENTS_PATH = /^\/v1\/leads\/[^/]+\/events$/;

function socketAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}

const rateLimited = (wait: number, limit: number, scope: string) =>
  new ApiError(429, 'rate_limited', `too many requests (at most ${limit} a minute per ${scope})`, { limit, per: 'minute', scope }, retryAfter(wait));

/** The Hono app as a value: the server serves it, tests call `app.request()` without a socket. */
export function createApp(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const target = (result as { target?: string }).target ?? 'body';
        const issue = result.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : target === 'json' ? 'body' : target;
        throw new ApiError(400, 'invalid_input', `${where}: ${issue?.message ?? 'invalid'}`, {
          in: target === 'json' ? 'body' : target,
          issues: result.error.issues.slice(0, 10).map((i) => ({ path: i.path, code: i.code, message: i.message })),
        });
      }
    },
  });
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...deps.limits };
  const byKey = new RateLimiter(limits.perKey, limits.maxKeys);
  const byBuyer = new RateLimiter(limits.perBuyer, limits.maxKeys);
  const byIp = new RateLimiter(limits.perIp, limits.maxKeys);
  const authFailures = new RateLimiter(limits.authFailuresPerIp, limits.maxKeys);
  const messagesPerLead = new RateLimiter(limits.messagesPerLead, limits.maxKeys);
  const demo = deps.apiKeys.length === 0;
  const addressKey = (c: Context) => rateKeyOfAddress(clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), deps.trustedProxies ?? { kind: 'none' }));

  /**
   * Failed authentication is throttled per address on every route that checks credentials (the API
   * and /metrics): past the limit, every credentialed request from that address is refused before
   * its credentials are even looked at, so a right guess is not told apart from a wrong one.
   */
  const credentialGate = {
    blocked(c: Context) {
      const wait = authFailures.peek(addressKey(c));
      if (wait > 0) throw rateLimited(wait, limits.authFailuresPerIp, 'address for failed authentication');
    },
    failed(c: Context, message: string): never {
      authFailures.take(addressKey(c));
      throw new ApiError(401, 'unauthorized', message);
    },
  };

  app.onError((err, c) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500 && body.error.code === 'internal') logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled API error');
    return c.json(body, status as 400, headers);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  // A local demo answers only to loopback names: a web page elsewhere that points its own DNS name at
  // 127.0.0.1 (DNS rebinding) would otherwise read the ops routes of a server with no keys.
  if (demo) {
    app.use('*', async (c, next) => {
      const host = new URL(c.req.url).hostname;
      if (!isLoopbackHost(host)) {
        throw new ApiError(421, 'misdirected_request', `this demo server (no API keys) answers only to localhost or 127.0.0.1, not "${host}"`);
      }
      await next();
    });
  }
  withMetrics(app, deps, { credentials: credentialGate });
  rejectUnknownMethods(app);

  if (deps.allowedOrigins?.length) {
    app.use(
      '/v1/*',
      cors({
        origin: deps.allowedOrigins,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'Idempotency-Key'],
        exposeHeaders: ['Retry-After'],
        maxAge: 600,
      }),
    );
  }

  // Who is calling: a server with an API key, a buyer with their lead's token, or nobody.
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    const fromHeader = header ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null) : undefined;
    // EventSource cannot send headers, so the events route alone takes a buyer token as `?token=`;
    // everywhere else credentials go in the header (query strings end up in logs and browser history).
    const fromQuery = new URL(c.req.url).searchParams.get('token') ?? undefined;
    if (fromQuery !== undefined && !EVENTS_PATH.test(c.req.path)) {
      throw new ApiError(401, 'unauthorized', 'send the buyer token in the Authorization header ("Bearer <token>"); ?token= is accepted only on /v1/leads/{leadId}/events');
    }
    const ip = addressKey(c);
    let caller: Caller = demo ? { kind: 'server', credential: `address:${ip}` } : { kind: 'anonymous' };
    let bucket: { limiter: RateLimiter; key: string; scope: string } | null = demo ? null : { limiter: byIp, key: ip, scope: 'address' };
    if (fromHeader === null && !demo) credentialGate.failed(c, 'the Authorization header must be "Bearer <API key or buyer token>"');
    const bearer = fromHeader ?? fromQuery;
    if (bearer) {
      if (!demo) credentialGate.blocked(c);
      const leadId = deps.tokens.verify(bearer);
      if (fromHeader && matchesApiKey(bearer, deps.apiKeys)) {
        caller = { kind: 'server', credential: bearer };
        bucket = { limiter: byKey, key: bearer, scope: 'API key' };
      } else if (leadId) {
        caller = { kind: 'buyer', leadId, credential: bearer };
        bucket = { limiter: byBuyer, key: bearer, scope: 'buyer token' };
      } else if (!demo) {
        credentialGate.failed(c, fromHeader ? 'invalid or expired API key or buyer token' : 'invalid or expired buyer token (API keys go in the Authorization header)');
      }
    }
    const wait = bucket ? bucket.limiter.take(bucket.key) : 0;
    if (wait > 0) throw rateLimited(wait, bucket!.limiter.perMinute, bucket!.scope);
    c.set('caller', caller);
    await next();
  });

  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  // Every body is JSON; say so up front instead of failing validation with a confusing message.
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'POST' && !JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new ApiError(415, 'unsupported_media_type', 'send the request body as JSON with "Content-Type: application/json"');
    }
    await next();
  });

  const hub = new EventHub(deps.client, { ...DEFAULT_STREAM_LIMITS, ...deps.sse }, temporalCalls(deps).timed);
  app.route('/', leadCreateRoutes(deps, hub));
  app.route('/', leadRoutes(deps, hub, messagesPerLead));
  app.route('/', leadEventRoutes(deps, hub));
  app.route('/', opsRoutes(deps));
  app.route('/', meetingRoutes(deps));
  app.route('/', fairnessRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (server-to-server, from BATON_API_KEYS) or the buyerToken of one lead. With no keys configured (local demo) no credentials are needed.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Baton API',
      version: '0.1.0',
      description:
        'AI lead routing and instant booking on Temporal. Errors are `{ "error": { "code", "message", "details"? } }`; ' +
        '405 (with Allow) for a method a path does not have, 413 for bodies over 64 KiB, 415 for non-JSON bodies, 429 with Retry-After when rate limited, ' +
        '503 with Retry-After when Temporal or a worker is unreachable.',
    },
  });
  app.route('/', webRoutes(deps));
  return app;
}

export type BatonApp = ReturnType<typeof createApp>;
