/**
 * Fuzzed API input against createApp, with a real dev server and worker behind it: fast-check
 * generates lead bodies around leadSchema, message and booking bodies, lead ids, query strings,
 * content types, auth headers and raw bytes. Whatever comes in: no 5xx, no crash, and a lead
 * workflow only from input the schema accepts (workflows counted before and after).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../api/app';
import { leadSchema } from '../../api/schemas';
import { sleep } from '../../scripts/bench-lib';
import { API_KEY, chaosEnv, type ChaosEnv } from './env';

const RUNS = Number(process.env.CHAOS_FUZZ_RUNS ?? 250);
const TIME_LIMIT_MS = 75_000;
const seed = process.env.CHAOS_FUZZ_SEED ? { seed: Number(process.env.CHAOS_FUZZ_SEED) } : {};
const JSON_TYPE = /^application\/json\s*(;|$)/i;

let env: ChaosEnv;
let realLeadIds: string[] = [];
const statuses: Record<number, number> = {};
const failures: string[] = [];
let accepted = 0;

const countLeads = async () =>
  (await env.client.workflow.count(`TaskQueue = "${env.taskQueue}" AND WorkflowType = "leadWorkflow"`)).count;

beforeAll(async () => {
  env = await chaosEnv({ name: 'fuzz', reps: 10 });
  // A few real leads, so fuzzed requests also reach live workflows.
  for (let i = 0; i < 3; i++) {
    const res = await env.post('/v1/leads', { email: `fuzz-real-${i}@example.com`, message: 'We are a 50-person team in Boston.' });
    expect(res.status).toBe(202);
    realLeadIds.push(((await res.json()) as { leadId: string }).leadId);
  }
});
afterAll(async () => {
  await env?.cleanup();
});

// ── generators ──────────────────────────────────────────────────────────────
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constant(''), fc.constant('x'.repeat(20_001)));
const anyJson = fc.jsonValue({ maxDepth: 3 });
const plainEmail = fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9.+_-]{0,15}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)).map(([l, d]) => `${l}@${d}.example`);
const leadLike = fc.record(
  {
    email: fc.oneof(plainEmail, fc.emailAddress(), text, fc.integer(), fc.constant(null), fc.constant(' Fuzz.Buyer@Example.COM ')),
    name: fc.oneof(text, fc.integer()),
    company: text,
    message: text,
    transcript: fc.oneof(fc.array(fc.record({ from: fc.constantFrom('buyer', 'agent', 'bot'), text }), { maxLength: 3 }), anyJson),
    fields: fc.oneof(
      fc.record(
        {
          employees: fc.oneof(fc.integer({ min: -5, max: 5_000 }), fc.double(), text),
          budget: fc.oneof(fc.nat(), fc.double(), text),
          urgent: fc.oneof(fc.boolean(), text),
          timezone: text,
          state: text,
          surprise: anyJson,
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    unknownKey: anyJson,
  },
  { requiredKeys: [] },
);
/** Leads the schema should accept (the generator above mostly makes ones it should not). */
const validLead = fc.record(
  {
    email: fc.oneof({ weight: 4, arbitrary: plainEmail }, { weight: 1, arbitrary: fc.emailAddress() }),
    name: fc.string({ maxLength: 60 }),
    company: fc.string({ maxLength: 60 }),
    message: fc.string({ maxLength: 300 }),
    fields: fc.record({ employees: fc.nat({ max: 100_000 }), budget: fc.nat(), urgent: fc.boolean(), state: fc.constantFrom('WA', 'TX', 'NY') }, { requiredKeys: [] }),
  },
  { requiredKeys: ['email'] },
);
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  { weight: 4, arbitrary: fc.constantFrom(
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/json-patch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  ) },
);
/** A body: JSON of the value, or broken JSON, random text, raw bytes, or one over the size limit. */
const body = (value: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: value.map((v) => (JSON.stringify(v) ?? 'null').slice(0, -1)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ email: 'big@example.com', message: 'y'.repeat(MAX_BODY_BYTES) })) },
  );
const authHeader = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Record<string, string>>({ Authorization: `Bearer ${API_KEY}` }) },
  { weight: 3, arbitrary: fc.constantFrom<Record<string, string>>(
  {},
  { Authorization: 'Bearer not-a-key' },
  { Authorization: 'Basic Zm9vOmJhcg==' },
  { Authorization: `Bearer ${API_KEY} extra` },
  ) },
);
const leadId = () =>
  fc.oneof(
    fc.constantFrom(...realLeadIds),
    fc.constantFrom(...realLeadIds).map((id) => id.slice(0, -1) + (id.endsWith('0') ? '1' : '0')),
    fc.tuple(fc.base64String({ maxLength: 40 }), fc.uuid()).map(([a, b]) => `${a.replace(/[+/=]/g, '')}.${b}`),
    fc.string({ maxLength: 60 }),
    fc.constantFrom('..', '%2e%2e', 'a.b.c', '.', 'x'.repeat(300), 'Zm9vQGJhci5jb20.00000000-0000-0000-0000-000000000000'),
  );

async function send(method: string, path: string, headers: Record<string, string>, payload?: string | Uint8Array): Promise<Response | null> {
  let url: URL;
  try {
    url = new URL(path, 'http://127.0.0.1');
  } catch {
    return null; // not a URL a client could send
  }
  const res = await env.app.request(url.pathname + url.search, {
    method,
    headers,
    ...(payload !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: typeof payload === 'string' ? payload : Buffer.from(payload) } : {}),
  });
  statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  if (res.status >= 500) failures.push(`${method} ${path} -> ${res.status} ${(await res.text()).slice(0, 200)}`);
  else await res.body?.cancel(); // also ends an event stream
  return res;
}

function isValidLead(ct: string, payload: string | Uint8Array): boolean {
  if (!JSON_TYPE.test(ct) || typeof payload !== 'string' || Buffer.byteLength(payload) > MAX_BODY_BYTES) return false;
  try {
    return leadSchema.safeParse(JSON.parse(payload)).success;
  } catch {
    return false;
  }
}

describe('chaos: fuzzed API input', () => {
  it('POST /v1/leads: never 5xx, a workflow only from a valid lead', async () => {
    const before = await countLeads();
    await fc.assert(
      fc.asyncProperty(body(fc.oneof({ weight: 2, arbitrary: validLead }, { weight: 3, arbitrary: leadLike })), contentType, authHeader, async (payload, ct, auth) => {
        const res = await send('POST', '/v1/leads', { ...auth, ...(ct ? { 'Content-Type': ct } : {}) }, payload);
        if (!res) return;
        expect(res.status).toBeLessThan(500);
        const valid = isValidLead(ct, payload);
        if (res.status === 202) accepted++;
        if (res.status === 202 || res.status === 200) expect(valid, `accepted invalid input: ${ct} ${String(payload).slice(0, 200)}`).toBe(true);
        if (!valid) expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: RUNS * 2, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, ...seed },
    );
    // The visibility store catches up within moments; exactly the accepted leads were created.
    let after = await countLeads();
    for (let i = 0; i < 20 && after !== before + accepted; i++) {
      await sleep(500);
      after = await countLeads();
    }
    expect(after - before).toBe(accepted);
    expect(failures).toEqual([]);
  });

  it('lead routes with fuzzed ids, bodies and query strings: never 5xx', async () => {
    const before = await countLeads();
    const route = fc.oneof(
      fc.tuple(fc.constant('GET'), leadId(), fc.constant('')),
      fc.tuple(fc.constant('POST'), leadId(), fc.constant('/messages')),
      fc.tuple(fc.constant('POST'), leadId(), fc.constant('/booking')),
      fc.tuple(fc.constant('GET'), leadId(), fc.constantFrom('/events', '/events?lastEventId=2', '/events?lastEventId=-1', '/events?token=abc', '/events?lastEventId=99999999999999999999')),
      fc.tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH'), leadId(), fc.constantFrom('', '/messages', '/booking')),
    );
    const messageBody = fc.oneof(
      fc.record({ text: fc.string({ minLength: 1, maxLength: 80 }) }),
      fc.record({ proposalId: fc.constantFrom('1-1', '1-2', '1-3') }),
      fc.record({ text }, { requiredKeys: [] }),
      fc.record({ text, extra: anyJson }),
      fc.record({ proposalId: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('1-1', '1-2', '2-1', '9-9'), fc.integer()) }, { requiredKeys: [] }),
      anyJson,
    );
    const encoded = fc.boolean();
    await fc.assert(
      fc.asyncProperty(route, body(messageBody), contentType, authHeader, encoded, async ([method, id, suffix], payload, ct, auth, encode) => {
        const path = `/v1/leads/${encode ? encodeURIComponent(id) : id}${suffix}`;
        const res = await send(method, path, { ...auth, ...(ct ? { 'Content-Type': ct } : {}) }, payload);
        if (res) expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, ...seed },
    );
    await sleep(1_000);
    expect(await countLeads(), 'no lead from these routes').toBe(before);
    expect(failures).toEqual([]);
  });

  it('ops routes, query strings and unknown paths and methods: never 5xx', async () => {
    const before = await countLeads();
    const query = fc.oneof(
      fc.webQueryParameters(),
      fc
        .record(
          {
            stage: fc.oneof(fc.constantFrom('booked', 'awaiting_reply', 'needs_attention', 'nope', ''), fc.string({ maxLength: 20 })),
            stuck: fc.oneof(fc.constantFrom('true', 'false', 'yes', ''), fc.string({ maxLength: 5 })),
            rep: fc.oneof(fc.constantFrom('rep01', 'x'.repeat(150), '"', "' OR 1=1 --", 'a AND b'), fc.string({ maxLength: 30 })),
            limit: fc.oneof(fc.integer({ min: -10, max: 1_000 }).map(String), fc.string({ maxLength: 6 })),
          },
          { requiredKeys: [] },
        )
        .map((q) => new URLSearchParams(q as Record<string, string>).toString()),
    );
    const target = fc.oneof(
      query.map((q) => ['GET', `/v1/ops/leads?${q}`] as const),
      fc.constantFrom(['GET', '/v1/ops/outbox'] as const, ['GET', '/healthz'] as const, ['GET', '/openapi.json'] as const, ['POST', '/v1/ops/leads'] as const),
      fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), fc.webPath()),
      fc.tuple(fc.constantFrom('GET', 'POST'), fc.webPath().map((p) => `/v1${p}`)),
    );
    await fc.assert(
      fc.asyncProperty(target, body(anyJson), contentType, authHeader, async ([method, path], payload, ct, auth) => {
        const res = await send(method, path, { ...auth, ...(ct ? { 'Content-Type': ct } : {}) }, payload);
        if (res) expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, ...seed },
    );
    await sleep(1_000);
    expect(await countLeads()).toBe(before);
    expect(failures).toEqual([]);
    console.log(`chaos (fuzz): statuses ${JSON.stringify(statuses)}; leads accepted from valid input ${accepted}`);
  });
});
