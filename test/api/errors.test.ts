/**
 * Every error path of the HTTP API that needs no workflow, with `app.request()` and a Temporal
 * client pointed at a closed port: the documented `{ error: { code, message, details? } }` shape,
 * the right status, never a 500 or a stack trace.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import type { ApiDeps } from '../../api/context';
import { encodeLeadId } from '../../domain/qualify/lead-id';
import type { EmbeddedOutbox } from '../../integrations/embedded/outbox';
import { logger } from '../../runtime/log';
import { API_KEY, bearer, expectError, json, offlineApp, SECRET } from './api-helpers';

const tokens = new BuyerTokens(SECRET);
const leadA = encodeLeadId('a@buyer.example', randomUUID());
const leadB = encodeLeadId('b@buyer.example', randomUUID());
const jsonType = { 'Content-Type': 'application/json' };

describe('request bodies', () => {
  it('rejects malformed JSON with 400 invalid_json', async () => {
    const app = await offlineApp();
    const res = await app.request('/v1/leads', json('{"email": "x@y.example",'));
    await expectError(res, 400, 'invalid_json');
  });

  it('rejects a body that is not JSON, or has no content type, with 415', async () => {
    const app = await offlineApp();
    await expectError(await app.request('/v1/leads', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'email=x@y.example' }), 415, 'unsupported_media_type');
    await expectError(await app.request('/v1/leads', { method: 'POST', body: '{"email":"x@y.example"}' }), 415, 'unsupported_media_type');
    await expectError(
      await app.request('/v1/leads', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=x%40y.example' }),
      415,
      'unsupported_media_type',
    );
    const messages = await app.request(`/v1/leads/${leadA}/messages`, { method: 'POST', headers: { ...bearer(API_KEY), 'Content-Type': 'text/plain' }, body: 'hi' });
    await expectError(messages, 415, 'unsupported_media_type');
  });

  it('accepts application/json with a charset', async () => {
    const app = await offlineApp();
    const res = await app.request('/v1/leads', { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: '{"email": 5}' });
    await expectError(res, 400, 'invalid_input'); // got as far as validation
  });

  it('rejects unknown fields, naming them', async () => {
    const app = await offlineApp();
    const body = await expectError(await app.request('/v1/leads', json({ email: 'x@y.example', emial: 'typo' })), 400, 'invalid_input');
    expect(JSON.stringify(body.error.details)).toContain('emial');
    const nested = await expectError(await app.request('/v1/leads', json({ email: 'x@y.example', fields: { headcount: 5 } })), 400, 'invalid_input');
    expect(JSON.stringify(nested.error.details)).toContain('headcount');
    await expectError(await app.request(`/v1/leads/${leadA}/messages`, json({ text: 'hi', extra: 1 }, bearer(API_KEY))), 400, 'invalid_input');
    await expectError(await app.request(`/v1/leads/${leadA}/booking`, json({ proposalId: '1-1', when: 'now' }, bearer(API_KEY))), 400, 'invalid_input');
  });

  it('rejects wrong types and missing fields, saying where', async () => {
    const app = await offlineApp();
    const cases: [string, unknown, string][] = [
      ['/v1/leads', { email: 42 }, 'email'],
      ['/v1/leads', { email: 'not-an-email' }, 'email'],
      ['/v1/leads', { name: 'No Email' }, 'email'],
      ['/v1/leads', { email: 'x@y.example', fields: { employees: 'lots' } }, 'fields.employees'],
      ['/v1/leads', { email: 'x@y.example', transcript: [{ from: 'robot', text: 'hi' }] }, 'transcript.0.from'],
      ['/v1/leads', [], 'body'],
      ['/v1/leads', '"just a string"', 'body'],
      [`/v1/leads/${leadA}/messages`, { text: '   ' }, 'text'],
      [`/v1/leads/${leadA}/messages`, { text: 7 }, 'text'],
      [`/v1/leads/${leadA}/booking`, { proposalId: 1 }, 'proposalId'],
      [`/v1/leads/${leadA}/booking`, {}, 'proposalId'],
    ];
    for (const [path, body, where] of cases) {
      const res = await app.request(path, json(body, bearer(API_KEY)));
      const error = await expectError(res, 400, 'invalid_input');
      expect(error.error.message, `${path} ${JSON.stringify(body)}`).toMatch(new RegExp(`^${where.replace('.', '\\.')}: `));
    }
  });

  it('answers 413 for a body over the limit, by header or by streamed size', async () => {
    const app = await offlineApp();
    const big = JSON.stringify({ email: 'x@y.example', message: 'x'.repeat(MAX_BODY_BYTES) });
    await expectError(await app.request('/v1/leads', json(big)), 413, 'payload_too_large');
    // No Content-Length: counted while reading.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await app.request('/v1/leads', { method: 'POST', headers: jsonType, body: stream, duplex: 'half' } as RequestInit);
    await expectError(streamed, 413, 'payload_too_large');
  });
});

describe('credentials', () => {
  it('needs an API key or the lead\'s buyer token (401)', async () => {
    const app = await offlineApp();
    await expectError(await app.request(`/v1/leads/${leadA}`), 401, 'unauthorized');
    await expectError(await app.request(`/v1/leads/${leadA}`, { headers: bearer('wrong-key') }), 401, 'unauthorized');
    await expectError(await app.request(`/v1/leads/${leadA}`, { headers: { Authorization: `Basic ${btoa('a:b')}` } }), 401, 'unauthorized');
    await expectError(await app.request(`/v1/leads/${leadA}`, { headers: { Authorization: 'Bearer' } }), 401, 'unauthorized');
    await expectError(await app.request(`/v1/leads/${leadA}/messages`, json({ text: 'hi' })), 401, 'unauthorized');
    await expectError(await app.request(`/v1/leads/${leadA}/booking`, json({ proposalId: '1-1' })), 401, 'unauthorized');
    await expectError(await app.request(`/v1/leads/${leadA}/events`), 401, 'unauthorized');
  });

  it('takes buyer tokens but never API keys from the query string', async () => {
    const app = await offlineApp();
    const res = await expectError(await app.request(`/v1/leads/${leadA}/events?token=${API_KEY}`), 401, 'unauthorized');
    expect(res.error.message).toMatch(/Authorization header/);
    // A buyer token in the query passes auth (then fails on the lead being someone else's).
    await expectError(await app.request(`/v1/leads/${leadB}/events?token=${encodeURIComponent(tokens.issue(leadA))}`), 404, 'not_found');
  });

  it('rejects forged, tampered and expired buyer tokens', async () => {
    const app = await offlineApp();
    const otherServer = new BuyerTokens('another-secret').issue(leadA);
    const valid = tokens.issue(leadA);
    const [id, expires, signature] = valid.split('~') as [string, string, string];
    const tampered = `${leadB}~${expires}~${signature}`; // someone else's lead, this lead's signature
    const longer = `${id}~${(parseInt(expires, 36) + 1000).toString(36)}~${signature}`;
    const expired = new BuyerTokens(SECRET, 1000).issue(leadA, Date.now() - 60_000);
    for (const token of [otherServer, tampered, longer, expired, `${valid}~x`, 'garbage', `${id}~~`]) {
      await expectError(await app.request(`/v1/leads/${leadA}`, { headers: bearer(token) }), 401, 'unauthorized');
    }
  });

  it('a buyer token for lead A does not open lead B (404, as if it did not exist)', async () => {
    const app = await offlineApp();
    const token = tokens.issue(leadA);
    await expectError(await app.request(`/v1/leads/${leadB}`, { headers: bearer(token) }), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${leadB}/messages`, json({ text: 'hi' }, bearer(token))), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${leadB}/booking`, json({ proposalId: '1-1' }, bearer(token))), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${leadB}/events`, { headers: bearer(token) }), 404, 'not_found');
  });

  it('ops routes need an API key: nobody and buyers get 401', async () => {
    const app = await offlineApp();
    for (const path of ['/v1/ops/leads', '/v1/ops/outbox', '/v1/ops/leads?stuck=true']) {
      await expectError(await app.request(path), 401, 'unauthorized');
      await expectError(await app.request(path, { headers: bearer(tokens.issue(leadA)) }), 401, 'unauthorized');
      await expectError(await app.request(path, { headers: bearer('nope') }), 401, 'unauthorized');
    }
  });
});

describe('lead ids and routes', () => {
  it('a malformed lead id is not found (404); an absurdly long one is invalid (400)', async () => {
    const app = await offlineApp();
    const malformed = [
      'nope',
      'bm90LWFuLWVtYWls.00000000-0000-0000-0000-000000000000', // "not-an-email"
      `${Buffer.from('A@B.EXAMPLE').toString('base64url')}.${randomUUID()}`, // not normalized
      `${leadA}.extra`,
      `${leadA.split('.')[0]}.not-a-uuid`,
      '%00',
    ];
    for (const id of malformed) {
      await expectError(await app.request(`/v1/leads/${id}`, { headers: bearer(API_KEY) }), 404, 'not_found');
      await expectError(await app.request(`/v1/leads/${id}/messages`, json({ text: 'hi' }, bearer(API_KEY))), 404, 'not_found');
    }
    await expectError(await app.request(`/v1/leads/${'x'.repeat(600)}`, { headers: bearer(API_KEY) }), 400, 'invalid_input');
  });

  it('unknown routes answer JSON 404s; a method a known path does not have is 405 with Allow', async () => {
    const app = await offlineApp();
    await expectError(await app.request('/v1/nope', { headers: bearer(API_KEY) }), 404, 'not_found');
    await expectError(await app.request('/assets/nope.js'), 404, 'not_found');
    const get = await app.request('/v1/leads', { headers: bearer(API_KEY) });
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    await expectError(get, 405, 'method_not_allowed');
    const del = await app.request(`/v1/leads/${leadA}`, { method: 'DELETE', headers: bearer(API_KEY) });
    expect(del.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    await expectError(del, 405, 'method_not_allowed');
    // Before body checks: a POST with no JSON to a GET-only path is 405, not 415.
    await expectError(await app.request(`/v1/leads/${leadA}`, { method: 'POST', headers: bearer(API_KEY) }), 405, 'method_not_allowed');
    await expectError(await app.request('/healthz', { method: 'PATCH' }), 405, 'method_not_allowed');
    const options = await app.request('/v1/ops/leads', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('rejects unknown and invalid ops filters', async () => {
    const app = await offlineApp();
    const auth = { headers: bearer(API_KEY) };
    await expectError(await app.request('/v1/ops/leads?stage=bogus', auth), 400, 'invalid_input');
    await expectError(await app.request('/v1/ops/leads?stuck=yes', auth), 400, 'invalid_input');
    await expectError(await app.request('/v1/ops/leads?limit=0', auth), 400, 'invalid_input');
    await expectError(await app.request('/v1/ops/leads?limit=many', auth), 400, 'invalid_input');
    const unknown = await expectError(await app.request('/v1/ops/leads?state=booked', auth), 400, 'invalid_input');
    expect(JSON.stringify(unknown.error.details)).toContain('state');
  });
});

describe('rate limits', () => {
  const limited = (limits: Partial<NonNullable<ApiDeps['limits']>>) => offlineApp({ limits: { perKey: 100, perBuyer: 100, perIp: 100, ...limits } });

  it('limits anonymous callers per address, with Retry-After', async () => {
    const app = await limited({ perIp: 2 });
    for (let i = 0; i < 2; i++) await expectError(await app.request('/v1/leads', json({})), 400, 'invalid_input');
    const res = await app.request('/v1/leads', json({}));
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectError(res, 429, 'rate_limited');
  });

  it('throttles failed credentials per address, so keys cannot be guessed quickly: then even the right key waits', async () => {
    const app = await offlineApp({ limits: { authFailuresPerIp: 3 } });
    for (let i = 0; i < 3; i++) await expectError(await app.request('/v1/ops/leads', { headers: bearer(`guess-${i}`) }), 401, 'unauthorized');
    const res = await app.request('/v1/ops/leads', { headers: bearer('guess-4') });
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectError(res, 429, 'rate_limited');
    // A right guess now is told apart from a wrong one by nothing.
    await expectError(await app.request('/v1/ops/leads?stage=bogus', { headers: bearer(API_KEY) }), 429, 'rate_limited');
    await expectError(await app.request('/metrics', { headers: bearer(API_KEY) }), 429, 'rate_limited');
    // A request without credentials from there goes on (it has its own per-address limit).
    await expectError(await app.request('/v1/leads', json({})), 400, 'invalid_input');
  });

  it('throttles failed authentication on /metrics too', async () => {
    const app = await offlineApp({ limits: { authFailuresPerIp: 2 } });
    for (let i = 0; i < 2; i++) await expectError(await app.request('/metrics', { headers: bearer(`guess-${i}`) }), 401, 'unauthorized');
    await expectError(await app.request('/metrics', { headers: bearer('guess-3') }), 429, 'rate_limited');
    await expectError(await app.request('/v1/ops/leads', { headers: bearer('guess-4') }), 429, 'rate_limited');
  });

  it('limits each API key and each buyer token separately', async () => {
    const app = await limited({ perKey: 2, perBuyer: 2 });
    const auth = { headers: bearer(API_KEY) };
    for (let i = 0; i < 2; i++) await expectError(await app.request('/v1/ops/leads?stage=bogus', auth), 400, 'invalid_input');
    await expectError(await app.request('/v1/ops/leads?stage=bogus', auth), 429, 'rate_limited');

    const buyer = bearer(tokens.issue(leadA));
    for (let i = 0; i < 2; i++) await expectError(await app.request(`/v1/leads/${leadA}/messages`, json({ text: '' }, buyer)), 400, 'invalid_input');
    const res = await app.request(`/v1/leads/${leadA}/messages`, json({ text: '' }, buyer));
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectError(res, 429, 'rate_limited');
    // Another buyer is unaffected.
    await expectError(await app.request(`/v1/leads/${leadB}/messages`, json({ text: '' }, bearer(tokens.issue(leadB)))), 400, 'invalid_input');
  });

  it('trusts X-Forwarded-For only when told to, and then only its right-most untrusted hop', async () => {
    const spoofed = await limited({ perIp: 1 });
    await expectError(await spoofed.request('/v1/leads', json({}, { 'X-Forwarded-For': '10.0.0.1' })), 400, 'invalid_input');
    await expectError(await spoofed.request('/v1/leads', json({}, { 'X-Forwarded-For': '10.0.0.2' })), 429, 'rate_limited');

    // One proxy in front: the address it appended is the caller; whatever the client wrote before it is not.
    const proxied = await offlineApp({ limits: { perIp: 1 }, trustedProxies: { kind: 'count', hops: 1 } });
    await expectError(await proxied.request('/v1/leads', json({}, { 'X-Forwarded-For': '203.0.113.7' })), 400, 'invalid_input');
    await expectError(await proxied.request('/v1/leads', json({}, { 'X-Forwarded-For': '198.51.100.1, 203.0.113.7' })), 429, 'rate_limited');
    await expectError(await proxied.request('/v1/leads', json({}, { 'X-Forwarded-For': '203.0.113.8' })), 400, 'invalid_input');
  });
});

describe('without Temporal', () => {
  it('/healthz says Temporal is unreachable (503), quickly', async () => {
    const app = await offlineApp();
    const started = Date.now();
    const res = await app.request('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, temporal: 'unreachable' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('API calls that need Temporal answer 503 temporal_unavailable with Retry-After', async () => {
    const app = await offlineApp();
    const auth = bearer(API_KEY);
    const calls: [string, RequestInit][] = [
      ['/v1/leads', json({ email: 'x@y.example' })],
      [`/v1/leads/${leadA}`, { headers: auth }],
      [`/v1/leads/${leadA}/messages`, json({ text: 'hi' }, auth)],
      [`/v1/leads/${leadA}/booking`, json({ proposalId: '1-1' }, auth)],
      [`/v1/leads/${leadA}/events`, { headers: auth }],
      ['/v1/ops/leads', { headers: auth }],
    ];
    await Promise.all(
      calls.map(async ([path, init]) => {
        const res = await app.request(path, init);
        expect(res.headers.get('retry-after'), path).toMatch(/^\d+$/);
        await expectError(res, 503, 'temporal_unavailable');
      }),
    );
  });

  it('the outbox is 404 when a real email provider is configured', async () => {
    const app = await offlineApp();
    const body = await expectError(await app.request('/v1/ops/outbox', { headers: bearer(API_KEY) }), 404, 'not_found');
    expect(body.error.message).toMatch(/real email provider/);
  });

  it('demo mode (no API keys) needs no credentials and ignores bad ones', async () => {
    const outbox = { list: () => [{ id: 1, key: 'k', to: [{ email: 'a@b.example' }], cc: [], replyTo: null, subject: 'Hi', text: 't', html: 'h', sentAt: new Date(0).toISOString() }] };
    const app = await offlineApp({ apiKeys: [], outbox: outbox as unknown as EmbeddedOutbox });
    const res = await app.request('/v1/ops/outbox');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { emails: Record<string, unknown>[] };
    expect(body.emails).toHaveLength(1);
    expect(body.emails[0]).not.toHaveProperty('key');
    expect((await app.request('/v1/ops/outbox', { headers: bearer('whatever') })).status).toBe(200);
    // A buyer token still narrows the caller to its own lead.
    await expectError(await app.request(`/v1/leads/${leadB}`, { headers: bearer(tokens.issue(leadA)) }), 404, 'not_found');
  });

  it('an unexpected failure is a plain 500 internal error, with no stack or message leaked', async () => {
    const boom = () => {
      throw new Error('secret detail at /srv/baton/api/leads.ts:42');
    };
    const client = { workflow: { getHandle: boom, start: boom, list: boom, count: boom }, connection: { withDeadline: (_d: number, fn: () => unknown) => fn() } };
    const app = await offlineApp({ client: client as unknown as ApiDeps['client'] });
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const res = await app.request(`/v1/leads/${leadA}`, { headers: bearer(API_KEY) });
    const body = await expectError(res, 500, 'internal');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(logged).toHaveBeenCalledOnce(); // ... but the operator sees it in the logs
    logged.mockRestore();
  });
});

describe('CORS for the embedded widget', () => {
  it('allows the configured origins only, and exposes Retry-After', async () => {
    const app = await offlineApp({ allowedOrigins: ['https://shop.example'], limits: { perKey: 100, perBuyer: 100, perIp: 1 } });
    const preflight = await app.request('/v1/leads', {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');

    const other = await app.request('/v1/leads', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    // Errors carry the CORS headers too, or the widget could not read them.
    await app.request('/v1/leads', json({}, { Origin: 'https://shop.example' }));
    const limited = await app.request('/v1/leads', json({}, { Origin: 'https://shop.example' }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(limited.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
  });
});

describe('/openapi.json', () => {
  it('describes every API route, with its errors and auth', async () => {
    const app = await offlineApp();
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown>; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // Every route the app serves under /v1 and /healthz, in OpenAPI's {param} spelling.
    const served = [
      ...new Set(
        app.routes
          .filter((r) => (r.path.startsWith('/v1/') || r.path === '/healthz') && r.method !== 'ALL')
          .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
      ),
    ];
    expect(served.length).toBeGreaterThanOrEqual(8);
    expect(documented.sort()).toEqual(served.sort());
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /v1/leads',
        'GET /v1/leads/{leadId}',
        'POST /v1/leads/{leadId}/messages',
        'POST /v1/leads/{leadId}/booking',
        'GET /v1/leads/{leadId}/events',
        'GET /v1/ops/leads',
        'GET /v1/ops/outbox',
        'GET /healthz',
      ]),
    );
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        if (path.startsWith('/v1/')) {
          expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '429']));
          expect(op.security, `${method} ${path}`).toBeTruthy();
        }
      }
    }
    expect(Object.keys(doc.paths['/v1/leads']!.post!.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '413', '415', '503']));
    expect(Object.keys(doc.paths['/v1/leads/{leadId}/booking']!.post!.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
  });

  it('describes the lead view fully: who the lead went to and why, from the domain schemas', async () => {
    const app = await offlineApp();
    type Schema = { type?: string | string[]; properties?: Record<string, Schema>; enum?: string[]; items?: Schema; required?: string[] };
    const doc = (await (await app.request('/openapi.json')).json()) as { components: { schemas: Record<string, Schema> } };
    const view = doc.components.schemas.LeadView!.properties!;
    const route = view.route!;
    expect(route.type).toEqual(['object', 'null']);
    expect(Object.keys(route.properties!)).toEqual(expect.arrayContaining(['target', 'reps', 'attendees', 'source', 'rule', 'escalated', 'facts', 'reasoning', 'pool', 'distribution', 'mode', 'poolTurns']));
    expect(route.properties!.source!.enum).toEqual(['owner', 'rule', 'fallback']);
    expect(route.properties!.distribution!.enum).toEqual(expect.arrayContaining(['round_robin', 'first_available', 'ranked', 'group']));
    expect(route.properties!.poolTurns!.items!.properties!.policy!.enum).toEqual(['fair', 'learn', 'explore', 'holdout', 'floor']);
    expect(route.required).toEqual(expect.arrayContaining(['target', 'reps', 'source', 'reasoning']));
    expect(Object.keys(view.facts!.properties!)).toEqual(expect.arrayContaining(['budgetUsd', 'industry', 'territories', 'disqualified', 'extractor']));
  });
});
