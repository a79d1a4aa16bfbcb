import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAiLlmProvider } from '../../../integrations/openai/llm';
import { createApp, type Generated, type GenerateRequest, type Generator } from '../../../scripts/llm-local/app';

/**
 * The HTTP layer of the local model server, over a scripted generator (the real model is exercised
 * by `npm run test:model`): what reaches the generator, what the OpenAI shape of the answer is, and
 * that Baton's own adapter reads it.
 */
class ScriptedGenerator implements Generator {
  readonly model = 'scripted';
  readonly seen: GenerateRequest[] = [];
  constructor(private readonly answer: (req: GenerateRequest) => Promise<Generated> | Generated) {}
  generate(req: GenerateRequest) {
    this.seen.push(req);
    return Promise.resolve(this.answer(req));
  }
}

const ok = (text: string): Generated => ({ text, finishReason: 'stop', promptTokens: 7, completionTokens: 3 });

async function listen(generator: Generator, maxTokens = 64) {
  const app = createApp(generator, { maxTokens });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('local model server: OpenAI-compatible HTTP surface', () => {
  it('lists its model', async () => {
    const res = await createApp(new ScriptedGenerator(() => ok('')), { maxTokens: 64 }).request('/v1/models');
    expect(await res.json()).toMatchObject({ object: 'list', data: [{ id: 'scripted', object: 'model' }] });
  });

  it("answers Baton's adapter: the schema reaches the generator converted, the JSON comes back parsed", async () => {
    const generator = new ScriptedGenerator(() => ok('{"city": {"value": "Lyon"}, "n": null}'));
    const server = await listen(generator);
    try {
      const llm = new OpenAiLlmProvider({ apiKey: 'local', baseURL: server.url, model: 'scripted', maxOutputTokens: 32 });
      const schema = z.strictObject({ city: z.strictObject({ value: z.string() }).nullable(), n: z.number().nullable() });
      const { value, usage } = await llm.completeJson({ name: 'probe', system: 'sys', user: 'hello', schema });
      expect(value).toEqual({ city: { value: 'Lyon' }, n: null });
      expect(usage).toEqual({ inputTokens: 7, outputTokens: 3 });
      const [req] = generator.seen;
      expect(req!.messages).toEqual([{ role: 'system', content: 'sys' }, { role: 'user', content: 'hello' }]);
      expect(req!.maxTokens).toBe(32);
      expect(req!.temperature).toBe(0);
      expect(req!.output).toEqual({
        type: 'object',
        properties: { city: { oneOf: [{ type: 'object', properties: { value: { type: 'string' } } }, { type: 'null' }] }, n: { type: ['number', 'null'] } },
      });
    } finally {
      await server.close();
    }
  });

  it('caps output tokens at its own limit and reports a cut answer as finish_reason "length"', async () => {
    const generator = new ScriptedGenerator((req) => ({ ...ok('{"a":'), finishReason: req.maxTokens <= 64 ? 'length' : 'stop' }));
    const res = await createApp(generator, { maxTokens: 64 }).request('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4096, response_format: { type: 'json_object' } }),
    });
    expect(generator.seen[0]).toMatchObject({ maxTokens: 64, output: 'json' });
    expect(await res.json()).toMatchObject({ choices: [{ finish_reason: 'length', message: { content: '{"a":' } }] });
  });

  it('rejects bad requests with an OpenAI-shaped 400 naming the field', async () => {
    const app = createApp(new ScriptedGenerator(() => ok('')), { maxTokens: 64 });
    const post = async (body: unknown) => {
      const res = await app.request('/v1/chat/completions', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { error: { message: string; type: string } } };
    };
    expect(await post('{nope')).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', message: 'the request body is not valid JSON' } } });
    expect((await post({ messages: [] })).body.error.message).toMatch(/^messages: /);
    expect((await post({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] })).body.error.message).toBe(
      'messages: the last message must be from the user',
    );
    const unsupported = await post({
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { any: {} } } } },
    });
    expect(unsupported).toMatchObject({ status: 400 });
    expect(unsupported.body.error.message).toBe('response_format.json_schema.schema: #/properties/any: a schema with no type, enum, const or union would be generated as null');
    expect((await app.request('/v1/embeddings', { method: 'POST' })).status).toBe(404);
  });

  it('tells the generator when the client goes away, so an abandoned answer stops being generated', async () => {
    let aborted!: () => void;
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    const generator = new ScriptedGenerator(
      (req) =>
        new Promise<Generated>((resolve) => {
          req.signal.addEventListener('abort', () => {
            aborted();
            resolve(ok(''));
          });
        }),
    );
    const server = await listen(generator);
    try {
      const client = new AbortController();
      const call = fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
        signal: client.signal,
      }).catch((err: Error) => err.name);
      await expect.poll(() => generator.seen.length).toBe(1);
      client.abort();
      expect(await call).toBe('AbortError');
      await sawAbort;
    } finally {
      await server.close();
    }
  });
});
