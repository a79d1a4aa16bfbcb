import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { logger } from '../runtime/log';
import { webRoutes } from '../web/routes';
import { matchesApiKey, RateLimiter } from './auth';
import type { ApiDeps, ApiEnv, Caller } from './context';
import { ApiError, toErrorResponse } from './errors';
import { fairnessRoutes } from './fairness';
import { leadRoutes } from './leads';
import { withMetrics } from './metrics';
import { opsRoutes } from './ops';

export const MAX_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The caller's address: the socket's, or the first X-Forwarded-For hop when a trusted proxy sets it. */
function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}

const retryAfter = (waitMs: number) => ({ 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });

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
  withMetrics(app, deps);
  const limits = deps.limits ?? { perKey: 600, perBuyer: 60, perIp: 30 };
  const byKey = new RateLimiter(limits.perKey);
  const byBuyer = new RateLimiter(limits.perBuyer);
  const byIp = new RateLimiter(limits.perIp);
  const demo = deps.apiKeys.length === 0;

  app.onError((err, c) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500 && body.error.code === 'internal') logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled API error');
    return c.json(body, status as 400, headers);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  if (deps.allowedOrigins?.length) {
    app.use(
      '/v1/*',
      cors({
        origin: deps.allowedOrigins,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
        exposeHeaders: ['Retry-After'],
        maxAge: 600,
      }),
    );
  }

  // Who is calling: a server with an API key, a buyer with their lead's token, or nobody.
  app.use('/v1/*', async (c, next) => {
    const ip = clientIp(c, deps.trustProxy ?? false);
    const header = c.req.header('authorization');
    const fromHeader = header ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null) : undefined;
    // EventSource cannot send headers, so a buyer token may also come as `?token=`; API keys may not
    // (query strings end up in access logs and browser history).
    const fromQuery = new URL(c.req.url).searchParams.get('token') ?? undefined;
    const rejectAuth = (message: string): never => {
      const wait = byIp.take(ip); // failed attempts count against the address, so guessing is slow
      if (wait > 0) throw new ApiError(429, 'rate_limited', 'too many requests', undefined, retryAfter(wait));
      throw new ApiError(401, 'unauthorized', message);
    };

    let caller: Caller = demo ? { kind: 'server' } : { kind: 'anonymous' };
    let bucket: { limiter: RateLimiter; key: string } | null = caller.kind === 'anonymous' ? { limiter: byIp, key: ip } : null;
    if (fromHeader === null && !demo) rejectAuth('the Authorization header must be "Bearer <API key or buyer token>"');
    const bearer = fromHeader ?? fromQuery;
    if (bearer) {
      const leadId = deps.tokens.verify(bearer);
      if (fromHeader && matchesApiKey(bearer, deps.apiKeys)) {
        caller = { kind: 'server' };
        bucket = { limiter: byKey, key: bearer };
      } else if (leadId) {
        caller = { kind: 'buyer', leadId };
        bucket = { limiter: byBuyer, key: bearer };
      } else if (!demo) {
        rejectAuth(fromHeader ? 'invalid or expired API key or buyer token' : 'invalid or expired buyer token (API keys go in the Authorization header)');
      }
    }
    const wait = bucket ? bucket.limiter.take(bucket.key) : 0;
    if (wait > 0) throw new ApiError(429, 'rate_limited', 'too many requests', undefined, retryAfter(wait));
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

  app.route('/', leadRoutes(deps));
  app.route('/', opsRoutes(deps));
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
        '413 for bodies over 64 KiB, 415 for non-JSON bodies, 429 with Retry-After when rate limited, 503 when Temporal is unreachable.',
    },
  });
  app.route('/', webRoutes(deps));
  return app;
}

export type BatonApp = ReturnType<typeof createApp>;
