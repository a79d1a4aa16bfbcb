import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProviderAuthError, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { OpenAiLlmProvider } from '../../integrations/openai/llm';
import { closedPortUrl, fixture, HttpRecorder, replay } from './http-recorder';

const Facts = z.object({
  industry: z.string().nullable().describe('Industry of the buyer company'),
  employees: z.number().int().positive().optional(),
  mentions: z.array(z.string()),
  urgency: z.enum(['low', 'normal', 'high']),
  budget: z.object({ amount: z.number(), currency: z.string().length(3) }).optional(),
});

const ok = fixture('openai/chat-completion-ok');
const okBody = ok.request!.body as { messages: { content: string }[] };
const task = {
  name: 'extract_facts',
  system: okBody.messages[0]!.content,
  user: okBody.messages[1]!.content,
  schema: Facts,
};

function completion(content: string | null, extra: { finish_reason?: string; refusal?: string } = {}) {
  return {
    id: 'chatcmpl-x',
    object: 'chat.completion',
    created: 1767225600,
    model: 'gpt-4.1-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: extra.refusal ?? null },
        finish_reason: extra.finish_reason ?? 'stop',
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

let server: HttpRecorder;
let llm: OpenAiLlmProvider;

beforeAll(async () => {
  server = await HttpRecorder.start();
  llm = new OpenAiLlmProvider({ apiKey: 'sk-test-123', baseURL: `${server.url}/v1`, timeoutMs: 2_000 });
});
afterAll(async () => server.close());
beforeEach(() => server.reset());

describe('OpenAI LlmProvider contract', () => {
  it('sends one chat completion with a strict json_schema response_format and the bearer key', async () => {
    replay(server, 'openai/chat-completion-ok');
    const result = await llm.completeJson(task);

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/v1/chat/completions');
    expect(req!.query).toEqual({});
    expect(req!.headers.authorization).toBe('Bearer sk-test-123');
    expect(req!.headers['content-type']).toContain('application/json');
    expect(req!.body).toEqual(ok.request!.body);
    // SDK retries are off: Temporal owns retries, so the SDK must not add idempotency retries either.
    expect(req!.headers['x-stainless-retry-count']).toBe('0');

    // `budget: null` was optional in zod: it comes back absent, not null.
    expect(result.value).toEqual({ industry: 'healthcare', employees: 2000, mentions: ['Gong'], urgency: 'high' });
    expect('budget' in result.value).toBe(false);
    expect(result.usage).toEqual({ inputTokens: 212, outputTokens: 31 });
  });

  it('uses OPENAI_MODEL-style overrides and sanitises the schema name', async () => {
    const custom = new OpenAiLlmProvider({ apiKey: 'k', baseURL: `${server.url}/v1`, model: 'llama3.1:8b' });
    server.once('POST', '/v1/chat/completions', { json: completion('{"value":["a","b"]}') });
    const result = await custom.completeJson({ name: 'compile rule #1', system: 's', user: 'u', schema: z.array(z.string()) });
    const body = server.requests[0]!.body as { model: string; response_format: { json_schema: { name: string; schema: unknown } } };
    expect(body.model).toBe('llama3.1:8b');
    expect(body.response_format.json_schema.name).toBe('compile_rule_1');
    // A non-object root is wrapped in { value } and unwrapped again.
    expect(body.response_format.json_schema.schema).toEqual({
      type: 'object',
      properties: { value: { type: 'array', items: { type: 'string' } } },
      required: ['value'],
      additionalProperties: false,
    });
    expect(result.value).toEqual(['a', 'b']);
  });

  it('a schema strict mode cannot express (a record) is sent with strict: false and still validated', async () => {
    const Scores = z.object({ scores: z.record(z.string(), z.number()), note: z.string().optional() });
    server.once('POST', '/v1/chat/completions', { json: completion('{"scores":{"a":1,"b":2}}') });
    const result = await llm.completeJson({ name: 'score', system: 's', user: 'u', schema: Scores });
    const format = (server.requests[0]!.body as { response_format: { json_schema: { strict: boolean; schema: { required: string[] } } } })
      .response_format.json_schema;
    expect(format.strict).toBe(false);
    expect(format.schema.required).toEqual(['scores']);
    expect(result.value).toEqual({ scores: { a: 1, b: 2 } });
  });

  it('nested optional fields: the model\'s nulls become absent, real nullables stay null', async () => {
    const Nested = z.object({
      people: z.array(z.object({ name: z.string(), title: z.string().optional(), phone: z.string().nullable() })),
    });
    server.once('POST', '/v1/chat/completions', {
      json: completion('{"people":[{"name":"Jane","title":null,"phone":null},{"name":"Raj","title":"CTO","phone":"+1"}]}'),
    });
    const result = await llm.completeJson({ name: 'people', system: 's', user: 'u', schema: Nested });
    const schema = (server.requests[0]!.body as { response_format: { json_schema: { schema: unknown } } }).response_format.json_schema.schema;
    expect(schema).toEqual({
      type: 'object',
      properties: {
        people: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, title: { type: ['string', 'null'] }, phone: { type: ['string', 'null'] } },
            required: ['name', 'title', 'phone'],
            additionalProperties: false,
          },
        },
      },
      required: ['people'],
      additionalProperties: false,
    });
    expect(result.value).toEqual({ people: [{ name: 'Jane', phone: null }, { name: 'Raj', title: 'CTO', phone: '+1' }] });
  });

  it('a refusal is ProviderRejected "model refused: ..."', async () => {
    replay(server, 'openai/refusal');
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toContain("model refused: I'm sorry, I can't help with that request.");
  });

  it('finish_reason "length" (truncated JSON) is ProviderRejected', async () => {
    replay(server, 'openai/length-truncated');
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toMatch(/truncated/);
  });

  it('content that is not JSON is ProviderRejected', async () => {
    server.once('POST', '/v1/chat/completions', { json: completion('Sure! Here are the facts: healthcare') });
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toMatch(/invalid JSON/);
  });

  it('JSON that fails the zod schema is ProviderRejected naming the issue', async () => {
    server.once('POST', '/v1/chat/completions', {
      json: completion('{"industry":"x","employees":-5,"mentions":[],"urgency":"asap","budget":null}'),
    });
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toMatch(/does not match the schema/);
    expect((err as Error).message).toMatch(/urgency/);
    expect((err as Error).message).toMatch(/employees/);
  });

  it('429 with a Retry-After longer than the budget is ProviderUnavailable at once, with retryAfterMs', async () => {
    replay(server, 'openai/rate-limit-429');
    const started = Date.now();
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).retryAfterMs).toBe(20_000);
    expect((err as Error).message).toContain('Rate limit reached');
    expect((err as Error).message).toContain('a retry after 20000 ms does not fit the 2000 ms budget');
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('401 is ProviderAuthError', async () => {
    replay(server, 'openai/invalid-api-key-401');
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toContain('Incorrect API key');
  });

  it('500 is retried inside the budget (3 attempts, SDK retries off), then ProviderUnavailable', async () => {
    server.on('POST', '/v1/chat/completions', fixture('openai/server-error-500').response);
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toContain('The server had an error');
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '0', '0']);
  });

  it('a transient 500 or a 429 with a short Retry-After, then an answer: the step gets its answer', async () => {
    replay(server, 'openai/server-error-500');
    replay(server, 'openai/chat-completion-ok');
    expect((await llm.completeJson(task)).value.industry).toBe('healthcare');
    expect(server.requests).toHaveLength(2);

    server.reset();
    const started = Date.now();
    server.once('POST', '/v1/chat/completions', { ...fixture('openai/rate-limit-429').response, headers: { 'retry-after-ms': '300' } });
    replay(server, 'openai/chat-completion-ok');
    expect((await llm.completeJson(task)).value.industry).toBe('healthcare');
    expect(server.requests).toHaveLength(2);
    // Retry-After honoured: the second request waited for it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('the budget covers every attempt: a server that answers 500 slowly is given up on in time', async () => {
    const tight = new OpenAiLlmProvider({ apiKey: 'k', baseURL: `${server.url}/v1`, timeoutMs: 600 });
    server.on('POST', '/v1/chat/completions', { ...fixture('openai/server-error-500').response, delayMs: 250 });
    const started = Date.now();
    const err = await tight.completeJson(task).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect(took).toBeLessThan(600 + 150);
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });

  it('sends the output-token cap', async () => {
    const capped = new OpenAiLlmProvider({ apiKey: 'k', baseURL: `${server.url}/v1`, maxOutputTokens: 200 });
    replay(server, 'openai/chat-completion-ok');
    await capped.completeJson(task);
    expect((server.requests[0]!.body as { max_completion_tokens: number }).max_completion_tokens).toBe(200);
  });

  it('400 (schema rejected) is ProviderRejected with the provider message', async () => {
    replay(server, 'openai/bad-request-400');
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toContain("Invalid schema for response_format 'extract_facts'");
  });

  it('a malformed JSON response body is a clear ProviderUnavailable (retried like any outage)', async () => {
    server.on('POST', '/v1/chat/completions', fixture('openai/malformed-body').response);
    const err = await llm.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/malformed JSON/);
  });

  it('a slow server hits the budget: ProviderUnavailable after one attempt, at the budget', async () => {
    const slow = new OpenAiLlmProvider({ apiKey: 'k', baseURL: `${server.url}/v1`, timeoutMs: 150 });
    server.on('POST', '/v1/chat/completions', { json: completion('{}'), delayMs: 1_000 });
    const started = Date.now();
    const err = await slow.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/no answer within the 150 ms budget \(1 attempt; last: openai: .*(timed out|timeout|abort)/i);
    expect(Date.now() - started).toBeLessThan(400);
    expect(server.requests).toHaveLength(1);
  });

  it('connection refused is ProviderUnavailable', async () => {
    const down = new OpenAiLlmProvider({ apiKey: 'k', baseURL: `${await closedPortUrl()}/v1` });
    const err = await down.completeJson(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/unreachable/);
  });
});
