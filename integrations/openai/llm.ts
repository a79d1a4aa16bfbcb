/**
 * `LlmProvider` on the OpenAI Chat Completions API with Structured Outputs. Works with any
 * OpenAI-compatible server that implements `response_format: { type: 'json_schema' }`
 * (set `baseURL`).
 *
 * Every call runs inside a time budget (integrations/llm-budget.ts): each attempt gets what is left
 * of it as the SDK's timeout and abort signal, transient failures (429, 5xx, network) are tried
 * again only while the budget allows, and output is capped at `maxOutputTokens`. The SDK's own
 * retries are off (`maxRetries: 0`) so the budget is the one place that retries a model call:
 * callers fall back to Baton's deterministic logic when it is spent.
 */
import type OpenAI from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import type { LlmProvider, LlmTask, LlmUsage } from '../providers';
import { fromOpenAiError } from '../errors';
import { loadSdk } from '../sdk';
import { DEFAULT_LLM_BUDGET, withinBudget } from '../llm-budget';
import { stripOptionalNulls, toStrictJsonSchema, type StrictSchema } from './strict-schema';

export const DEFAULT_OPENAI_MODEL = 'gpt-4.1-mini';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiLlmOptions {
  apiKey: string;
  /** Default `gpt-4.1-mini`. */
  model?: string;
  /** Default `https://api.openai.com/v1`; any OpenAI-compatible server. */
  baseURL?: string;
  /** The time budget of one call, every attempt included, in ms (default 8 s). */
  timeoutMs?: number;
  /** Attempts per call, transient failures only (default 3). */
  maxAttempts?: number;
  organization?: string;
  project?: string;
  /** Cap on output tokens (`max_completion_tokens`, default 1024). */
  maxOutputTokens?: number;
}

export class OpenAiLlmProvider implements LlmProvider {
  readonly kind = 'openai';
  readonly model: string;
  readonly baseURL: string;
  readonly identity: string;
  readonly budget: { timeoutMs: number; maxAttempts: number; maxOutputTokens: number };
  private readonly client: OpenAI;
  private readonly schemas = new WeakMap<z.ZodType, StrictSchema>();

  constructor(options: OpenAiLlmOptions) {
    this.model = options.model || DEFAULT_OPENAI_MODEL;
    this.baseURL = options.baseURL || DEFAULT_OPENAI_BASE_URL;
    this.identity = `openai ${this.model} at ${this.baseURL}`;
    this.budget = {
      timeoutMs: options.timeoutMs ?? DEFAULT_LLM_BUDGET.timeoutMs,
      maxAttempts: options.maxAttempts ?? DEFAULT_LLM_BUDGET.maxAttempts,
      maxOutputTokens: options.maxOutputTokens ?? DEFAULT_LLM_BUDGET.maxOutputTokens,
    };
    // Everything explicit: the SDK would otherwise read OPENAI_BASE_URL / OPENAI_ORG_ID /
    // OPENAI_PROJECT_ID from process.env behind the caller's back.
    // Loaded when the first model provider is built (integrations/sdk.ts).
    const { OpenAI: Client } = loadSdk<typeof import('openai')>('openai');
    this.client = new Client({
      apiKey: options.apiKey,
      baseURL: this.baseURL,
      organization: options.organization ?? null,
      project: options.project ?? null,
      maxRetries: 0,
      timeout: this.budget.timeoutMs,
    });
  }

  async completeJson<T>(task: LlmTask<T>): Promise<{ value: T; usage: LlmUsage }> {
    const format = this.schemaFor(task.schema);
    return withinBudget('openai', this.budget, async ({ timeoutMs, signal }) => {
      let completion: ChatCompletion;
      try {
        completion = await this.client.chat.completions.create(
          {
            model: this.model,
            messages: [
              { role: 'system', content: task.system },
              { role: 'user', content: task.user },
            ],
            response_format: {
              type: 'json_schema',
              json_schema: { name: schemaName(task.name), strict: format.strict, schema: format.schema },
            },
            max_completion_tokens: this.budget.maxOutputTokens,
          },
          // The signal also stops a response whose body trickles in after the headers.
          { timeout: timeoutMs, signal, maxRetries: 0 },
        );
      } catch (err) {
        throw fromOpenAiError(err);
      }
      return { value: this.parseCompletion(task, format, completion), usage: usageOf(completion) };
    });
  }

  private schemaFor(schema: z.ZodType): StrictSchema {
    let format = this.schemas.get(schema);
    if (!format) {
      format = toStrictJsonSchema(schema);
      this.schemas.set(schema, format);
    }
    return format;
  }

  private parseCompletion<T>(task: LlmTask<T>, format: StrictSchema, completion: ChatCompletion): T {
    const where = `openai (${task.name})`;
    if (!completion || typeof completion !== 'object' || !Array.isArray(completion.choices)) {
      throw new ProviderUnavailable(`${where}: the response is not a chat completion`, {
        details: { provider: 'openai', code: 'malformed_response' },
      });
    }
    const choice = completion.choices[0];
    if (!choice) {
      throw new ProviderUnavailable(`${where}: the response has no choices`, {
        details: { provider: 'openai', code: 'malformed_response' },
      });
    }
    const message = choice.message;
    if (message?.refusal) {
      throw new ProviderRejected(`${where}: model refused: ${message.refusal}`, {
        details: { provider: 'openai', reason: 'refusal', refusal: message.refusal },
      });
    }
    if (choice.finish_reason === 'length') {
      throw new ProviderRejected(`${where}: output truncated at the token limit (finish_reason "length")`, {
        details: { provider: 'openai', reason: 'length', usage: usageOf(completion) },
      });
    }
    if (choice.finish_reason === 'content_filter') {
      throw new ProviderRejected(`${where}: output withheld by the content filter`, {
        details: { provider: 'openai', reason: 'content_filter' },
      });
    }
    const content = message?.content;
    if (typeof content !== 'string' || !content.trim()) {
      throw new ProviderRejected(`${where}: the model returned no content (finish_reason "${choice.finish_reason}")`, {
        details: { provider: 'openai', reason: 'empty' },
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch (err) {
      throw new ProviderRejected(`${where}: the model returned invalid JSON (${(err as Error).message})`, {
        details: { provider: 'openai', reason: 'invalid_json' },
      });
    }
    let candidate = stripOptionalNulls(json, format.original);
    if (format.wrapped) {
      candidate = candidate && typeof candidate === 'object' ? (candidate as { value?: unknown }).value : undefined;
    }
    const parsed = task.schema.safeParse(candidate);
    if (!parsed.success) {
      throw new ProviderRejected(
        `${where}: the model's JSON does not match the schema: ${z.prettifyError(parsed.error).replace(/\n+/g, '; ')}`,
        { details: { provider: 'openai', reason: 'schema', issues: parsed.error.issues } },
      );
    }
    return parsed.data;
  }
}

/** `json_schema.name` allows a-z, A-Z, 0-9, `_` and `-`, at most 64 characters. */
export function schemaName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 64);
  return cleaned || 'baton_task';
}

function usageOf(completion: ChatCompletion): LlmUsage {
  return {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? 0,
  };
}
