/**
 * Baton behind a public form (issue 17), the parts that need no workflow: demo-mode binding and
 * Host checks, where tokens may travel, size and rate limits, client addresses behind proxies, and
 * Temporal's "no poller" refusal. The parts that need real leads are in security-e2e.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BuyerTokens } from '../../api/auth';
import type { ApiDeps } from '../../api/context';
import { toErrorResponse } from '../../api/errors';
import { decodeLeadId, encodeLeadId } from '../../domain/qualify/lead-id';
import { clientAddress, parseTrustedProxies, RateLimiter, rateKeyOfAddress } from '../../api/limits';
import { EMAIL_PATTERN } from '../../domain/qualify/lead';
import { ConfigError } from '../../domain/errors';
import { readSettings } from '../../runtime/settings';
import { API_KEY, bearer, expectError, json, offlineApp, SECRET } from './api-helpers';

const tokens = new BuyerTokens(SECRET);
const leadA = encodeLeadId('a@buyer.example', randomUUID());

describe('demo mode (no API keys)', () => {
  it('refuses to start on a non-loopback address, whatever HOST says', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com']) {
      expect(() => readSettings({ HOST: host })).toThrow(ConfigError);
      expect(() => readSettings({ HOST: host })).toThrow(/loopback only.*BATON_API_KEYS/);
    }
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2']) expect(readSettings({ HOST: host }).host).toBe(host);
    expect(readSettings({}).host).toBe('127.0.0.1');
    expect(readSettings({ HOST: '0.0.0.0', BATON_API_KEYS: 'k' }).host).toBe('0.0.0.0');
  });

  it('answers only to loopback Host names (DNS rebinding)', async () => {
    const app = await offlineApp({ apiKeys: [] });
    await expectError(await app.request('http://attacker.example/v1/ops/outbox'), 421, 'misdirected_request');
    await expectError(await app.request('http://attacker.example:3000/'), 421, 'misdirected_request');
    for (const base of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      expect((await app.request(`${base}/v1/ops/outbox`)).status, base).toBe(404); // got through: no embedded outbox here
    }
    // With API keys the Host is the operator's business (a proxy's name).
    const keyed = await offlineApp();
    expect((await keyed.request('http://baton.acme.example/v1/ops/outbox', { headers: bearer(API_KEY) })).status).toBe(404);
  });
});

describe('where credentials may travel', () => {
  it('takes ?token= on the events route only; everywhere else it is refused, saying where the token goes', async () => {
    const app = await offlineApp();
    const token = encodeURIComponent(tokens.issue(leadA));
    for (const [path, init] of [
      [`/v1/leads/${leadA}?token=${token}`, {}],
      [`/v1/leads/${leadA}/messages?token=${token}`, json({ text: 'hi' })],
      [`/v1/leads/${leadA}/booking?token=${token}`, json({ proposalId: '1-1' })],
      [`/v1/leads?token=${token}`, json({ email: 'x@y.example' })],
    ] as const) {
      const body = await expectError(await app.request(path, init), 401, 'unauthorized');
      expect(body.error.message, path).toMatch(/Authorization header.*only on \/v1\/leads\/\{leadId\}\/events/);
    }
    // The events route takes it (then answers 503: no Temporal here).
    await expectError(await app.request(`/v1/leads/${leadA}/events?token=${token}`), 503, 'temporal_unavailable');
  });
});

describe('bounded by design', () => {
  it('refuses a message over 5,000 characters with 400, naming the limit', async () => {
    const app = await offlineApp();
    const body = await expectError(await app.request(`/v1/leads/${leadA}/messages`, json({ text: 'x'.repeat(5_001) }, bearer(API_KEY))), 400, 'invalid_input');
    expect(body.error.message).toBe('text: the message is limited to 5,000 characters');
  });

  it('limits messages per lead, whoever sends them: 429 with Retry-After and the limit', async () => {
    const app = await offlineApp({ limits: { messagesPerLead: 3 } });
    const buyer = bearer(tokens.issue(leadA));
    for (const auth of [buyer, bearer(API_KEY), buyer]) {
      await expectError(await app.request(`/v1/leads/${leadA}/messages`, json({ text: 'hi' }, auth)), 503, 'temporal_unavailable');
    }
    const res = await app.request(`/v1/leads/${leadA}/messages`, json({ text: 'hi' }, bearer(API_KEY)));
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await expectError(res, 429, 'rate_limited');
    expect(body.error.details).toEqual({ limit: 3, per: 'minute', scope: 'lead' });
    // Another lead is unaffected.
    const leadB = encodeLeadId('b@buyer.example', randomUUID());
    await expectError(await app.request(`/v1/leads/${leadB}/messages`, json({ text: 'hi' }, bearer(API_KEY))), 503, 'temporal_unavailable');
  });

  it('the rate limiter forgets its least recently seen keys, never all at once', () => {
    const limiter = new RateLimiter(2, 100);
    const t = 1_000_000;
    expect(limiter.take('busy', t)).toBe(0);
    expect(limiter.take('busy', t)).toBe(0);
    expect(limiter.take('busy', t)).toBeGreaterThan(0);
    for (let i = 0; i < 1_000; i++) {
      limiter.take(`flood-${i}`, t);
      if (i % 50 === 0) limiter.take('busy', t); // still in use: kept
    }
    expect(limiter.size).toBe(100);
    expect(limiter.take('busy', t)).toBeGreaterThan(0); // its empty bucket survived the flood
    expect(limiter.peek('flood-0', t)).toBe(0); // long forgotten
  });
});

describe('client addresses for the limits per address', () => {
  it('groups IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
    expect(rateKeyOfAddress('2001:db8:1:2:aaaa::1')).toBe('2001:0db8:0001:0002::/64');
    expect(rateKeyOfAddress('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:0db8:0001:0002::/64');
    expect(rateKeyOfAddress('2001:db8:1:3::1')).not.toBe(rateKeyOfAddress('2001:db8:1:2::1'));
    expect(rateKeyOfAddress('::1')).toBe('0000:0000:0000:0000::/64');
    expect(rateKeyOfAddress('203.0.113.5')).toBe('203.0.113.5');
    expect(clientAddress('::ffff:203.0.113.5', undefined, { kind: 'none' })).toBe('203.0.113.5');
  });

  it('takes the right-most hop not written by a trusted proxy', () => {
    const none = parseTrustedProxies('');
    expect(clientAddress('10.0.0.9', '1.2.3.4', none)).toBe('10.0.0.9');
    const one = parseTrustedProxies('1');
    expect(clientAddress('10.0.0.9', 'spoofed, 198.51.100.7', one)).toBe('198.51.100.7');
    const two = parseTrustedProxies('2');
    expect(clientAddress('10.0.0.9', 'spoofed, 198.51.100.7, 10.0.0.5', two)).toBe('198.51.100.7');
    const cidrs = parseTrustedProxies('10.0.0.0/8, 2001:db8::/32');
    expect(clientAddress('10.0.0.9', 'spoofed, 198.51.100.7, 10.1.2.3', cidrs)).toBe('198.51.100.7');
    expect(clientAddress('2001:db8::1', '198.51.100.8', cidrs)).toBe('198.51.100.8');
    expect(clientAddress('198.51.100.9', '1.1.1.1', cidrs)).toBe('198.51.100.9'); // not from our proxy: its header means nothing
    expect(() => parseTrustedProxies('10.0.0.0/40')).toThrow(/prefix length/);
    expect(() => readSettings({ BATON_API_KEYS: 'k', BATON_TRUSTED_PROXIES: 'proxy.internal' })).toThrow(/BATON_TRUSTED_PROXIES: expected an IP address or CIDR/);
  });

  it('reads every limit from the environment, refusing nonsense', () => {
    const s = readSettings({ BATON_API_KEYS: 'k', BATON_RATE_LIMIT_PER_IP: '5', BATON_RATE_LIMIT_MESSAGES_PER_LEAD: '2', BATON_SSE_MAX_PER_TOKEN: '3', BATON_SSE_MAX_AGE_SECONDS: '60' });
    expect(s.rateLimits).toMatchObject({ perIp: 5, messagesPerLead: 2, perKey: 600 });
    expect(s.streams).toMatchObject({ maxPerBuyerToken: 3, maxAgeMs: 60_000 });
    expect(() => readSettings({ BATON_API_KEYS: 'k', BATON_RATE_LIMIT_PER_KEY: 'lots' })).toThrow(/BATON_RATE_LIMIT_PER_KEY: expected a whole number/);
  });
});

describe('faults', () => {
  it('a query no worker can answer ("no poller seen") is 503 worker_unavailable with Retry-After, not a 500', async () => {
    const noPoller = Object.assign(new Error('9 FAILED_PRECONDITION: No poller seen for task queue recently: baton-leads'), { code: 9 });
    const { status, body, headers } = toErrorResponse(Object.assign(new Error('Failed to query workflow'), { cause: noPoller }));
    expect({ status, code: body.error.code, retryAfter: headers['retry-after'] }).toEqual({ status: 503, code: 'worker_unavailable', retryAfter: '5' });
    // Describing needs no worker (the lead exists); the query does.
    const runId = decodeLeadId(leadA)!.runId;
    const description = { runId, status: { name: 'RUNNING' }, raw: { workflowExecutionInfo: { firstRunId: runId } } };
    const client = {
      workflow: { getHandle: () => ({ query: () => Promise.reject(noPoller), describe: () => Promise.resolve(description) }) },
      connection: { withDeadline: (_d: number, fn: () => unknown) => fn() },
    };
    const app = await offlineApp({ client: client as unknown as ApiDeps['client'] });
    const res = await app.request(`/v1/leads/${leadA}`, { headers: bearer(API_KEY) });
    expect(res.headers.get('retry-after')).toBe('5');
    await expectError(res, 503, 'worker_unavailable');
  });

  it('a server that cannot list workflows (the time-skipping one: UNIMPLEMENTED) is 501 not_supported on the ops lists, not a 500', async () => {
    // What the client throws there (seen on the time-skipping test server): a ServiceError around gRPC status 12.
    const unimplemented = Object.assign(new Error('Failed to list workflows'), { cause: Object.assign(new Error('12 UNIMPLEMENTED: '), { code: 12 }) });
    const client = {
      workflow: {
        list: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(unimplemented) }) }),
        count: () => Promise.reject(unimplemented),
      },
      connection: { withDeadline: (_d: number, fn: () => unknown) => fn() },
    };
    const app = await offlineApp({ client: client as unknown as ApiDeps['client'] });
    for (const path of ['/v1/ops/leads', '/v1/ops/meetings']) {
      const res = await app.request(path, { headers: bearer(API_KEY) });
      const body = await expectError(res, 501, 'not_supported');
      expect(JSON.stringify(body), path).toMatch(/visibility store/);
    }
  });
});

describe('the OpenAPI document says what the validator accepts', () => {
  it('documents the email pattern the validator uses, both lead views, idempotency and 405s', async () => {
    const app = await offlineApp();
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: { properties: Record<string, { pattern?: string; format?: string }> } }> }; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const post = doc.paths['/v1/leads']!.post!;
    const email = post.requestBody!.content['application/json']!.schema.properties.email!;
    expect(email.pattern).toBe(EMAIL_PATTERN.source);
    expect(email.format).toBeUndefined();
    expect(post.parameters?.map((p) => `${p.in}:${p.name}`)).toContain('header:idempotency-key');
    expect(Object.keys(doc.components.schemas.BuyerLeadView!.properties).sort()).toEqual(['booking', 'leadId', 'meeting', 'messages', 'proposals', 'stage']);
    expect(Object.keys(doc.components.schemas.LeadView!.properties)).toEqual(expect.arrayContaining(['route', 'facts', 'temporalUiUrl']));
    expect(Object.keys(doc.paths['/v1/leads/{leadId}/events']!.get!.responses)).toEqual(expect.arrayContaining(['400', '429']));
  });
});
