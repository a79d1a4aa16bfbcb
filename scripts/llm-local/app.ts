/**
 * The OpenAI-compatible HTTP surface of the local model server: `GET /v1/models` and
 * `POST /v1/chat/completions` (text, `json_object` or `json_schema` output), over any `Generator`.
 * Enough of the API for Baton's OpenAI adapter and the official SDK; errors use OpenAI's shape.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { toGrammarSchema, UnsupportedSchemaError } from './grammar-schema';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  messages: ChatTurn[];
  /** node-llama-cpp's JSON Schema dialect (already converted), `'json'` for any JSON object, or null for text. */
  output: Record<string, unknown> | 'json' | null;
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** Fires when the client goes away: stop generating. */
  signal: AbortSignal;
}

export interface Generated {
  text: string;
  /** `length`: stopped at maxTokens. */
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

export interface Generator {
  readonly model: string;
  generate(request: GenerateRequest): Promise<Generated>;
}

export interface AppOptions {
  /** Output-token cap when the request sets none (and the ceiling for one that asks for more). */
  maxTokens: number;
}

const content = z.union([
  z.string(),
  z.array(z.object({ type: z.literal('text'), text: z.string() }).loose()).transform((parts) => parts.map((p) => p.text).join('')),
]);

const chatRequest = z
  .object({
    model: z.string().optional(),
    messages: z.array(z.object({ role: z.enum(['system', 'developer', 'user', 'assistant']), content }).loose()).min(1),
    response_format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }).loose(),
        }),
      ])
      .optional(),
    max_completion_tokens: z.number().int().positive().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    seed: z.number().int().nullish(),
    n: z.literal(1).nullish(),
    stream: z.literal(false).nullish(),
  })
  .loose();

function openAiError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

export function createApp(generator: Generator, options: AppOptions): Hono {
  const app = new Hono();
  let completions = 0;

  app.get('/v1/models', (c) =>
    c.json({ object: 'list', data: [{ id: generator.model, object: 'model', created: 0, owned_by: 'baton-llm-server' }] }),
  );

  app.post('/v1/chat/completions', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(openAiError('the request body is not valid JSON', 'invalid_request_error'), 400);
    }
    const parsed = chatRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.join('.') || null;
      return c.json(openAiError(`${param ?? 'body'}: ${issue.message}`, 'invalid_request_error', param), 400);
    }
    const req = parsed.data;
    let output: GenerateRequest['output'] = null;
    if (req.response_format?.type === 'json_object') output = 'json';
    if (req.response_format?.type === 'json_schema') {
      try {
        output = toGrammarSchema(req.response_format.json_schema.schema);
      } catch (err) {
        if (!(err instanceof UnsupportedSchemaError)) throw err;
        return c.json(openAiError(`response_format.json_schema.schema: ${err.message}`, 'invalid_request_error', 'response_format'), 400);
      }
    }
    const messages: ChatTurn[] = req.messages.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: m.content }));
    if (messages.at(-1)!.role !== 'user') {
      return c.json(openAiError('messages: the last message must be from the user', 'invalid_request_error', 'messages'), 400);
    }
    const asked = req.max_completion_tokens ?? req.max_tokens ?? options.maxTokens;
    const result = await generator.generate({
      messages,
      output,
      maxTokens: Math.min(asked, options.maxTokens),
      temperature: req.temperature ?? 0,
      ...(req.seed != null ? { seed: req.seed } : {}),
      signal: c.req.raw.signal,
    });
    completions++;
    return c.json({
      id: `chatcmpl-local-${completions}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: generator.model,
      choices: [{ index: 0, finish_reason: result.finishReason, logprobs: null, message: { role: 'assistant', content: result.text, refusal: null } }],
      usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens },
    });
  });

  app.notFound((c) => c.json(openAiError(`no route ${c.req.method} ${c.req.path}`, 'invalid_request_error', null, 'not_found'), 404));
  app.onError((err, c) => c.json(openAiError(`the local model failed: ${err.message}`, 'server_error'), 500));
  return app;
}
