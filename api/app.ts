import { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { matchesApiKey, RateLimiter } from './auth';
import type { ApiDeps, ApiEnv, Caller } from './context';
import { ApiError, toErrorResponse } from './errors';
import { leadRoutes } from './leads';
import { opsRoutes } from './ops';
import { webRoutes } from '../web/routes';

const MAX_BODY_BYTES = 64 * 1024;

/** The Hono app as a value: the server serves it, tests call `app.request()` without a socket. */
export function createApp(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : 'body';
        throw new ApiError(400, 'invalid_input', `${where}: ${issue?.message ?? 'invalid'}`, { issues: result.error.issues.slice(0, 10) });
      }
    },
  });
  const limits = deps.limits ?? { perKey: 600, perBuyer: 60, perIp: 30 };
  const byKey = new RateLimiter(limits.perKey);
  const byBuyer = new RateLimiter(limits.perBuyer);
  const byIp = new RateLimiter(limits.perIp);

  app.onError((err, c) => {
    const { status, body, headers } = toErrorResponse(err);
    return c.json(body, status as 400, headers);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  if (deps.allowedOrigins?.length) {
    app.use('/v1/*', cors({ origin: deps.allowedOrigins, allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'] }));
  }
  app.use('/v1/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ApiError(413, 'payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`); } }));

  // Who is calling: a server with an API key, a buyer with their lead's token, or nobody.
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? new URL(c.req.url).searchParams.get('token') ?? '';
    let caller: Caller = { kind: 'anonymous' };
    if (deps.apiKeys.length === 0) caller = { kind: 'server' }; // local demo mode, bound to loopback
    if (bearer && matchesApiKey(bearer, deps.apiKeys)) caller = { kind: 'server' };
    else if (bearer) {
      const leadId = deps.tokens.verify(bearer);
      if (leadId) caller = { kind: 'buyer', leadId };
      else if (deps.apiKeys.length > 0) throw new ApiError(401, 'unauthorized', 'invalid API key or buyer token');
    }
    const ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local';
    const wait =
      caller.kind === 'buyer' ? byBuyer.take(bearer) : caller.kind === 'server' && bearer ? byKey.take(bearer) : caller.kind === 'anonymous' ? byIp.take(ip) : 0;
    if (wait > 0) throw new ApiError(429, 'rate_limited', 'too many requests', undefined, { 'retry-after': String(Math.ceil(wait / 1000)) });
    c.set('caller', caller);
    await next();
  });

  app.route('/', leadRoutes(deps));
  app.route('/', opsRoutes(deps));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Baton API', version: '0.1.0', description: 'AI lead routing and instant booking on Temporal.' },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));
  app.route('/', webRoutes(deps));
  return app;
}

export type BatonApp = ReturnType<typeof createApp>;
