/**
 * A small OpenAI-compatible server for a local GGUF model on the CPU (node-llama-cpp), so Baton can
 * be tried and tested against a real model with no account:
 *
 *   npm run llm:server [-- --port 8089 --model file.gguf --threads 1 --context 4096 --max-tokens 512]
 *   OPENAI_API_KEY=local OPENAI_BASE_URL=http://127.0.0.1:8089/v1 npx baton eval --team ... --cases ...
 *
 * Without --model (or BATON_LLM_MODEL_FILE) it serves the small Gemma 3 270M, installed on first use
 * (scripts/setup-llm.ts). It listens on loopback only. JSON-schema output is constrained by
 * node-llama-cpp's grammar after the schema is converted to its dialect (llm-local/grammar-schema.ts).
 */
import { serve, type ServerType } from '@hono/node-server';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createApp } from './llm-local/app';
import { LlamaGenerator } from './llm-local/llama';
import { ensureLlmRuntime, ensureModel } from './setup-llm';

export interface LlmServerOptions {
  /** 0 picks a free port. */
  port: number;
  modelPath?: string;
  threads: number;
  contextSize: number;
  maxTokens: number;
}

export interface LlmServer {
  /** Base URL for OPENAI_BASE_URL, e.g. `http://127.0.0.1:8089/v1`. */
  url: string;
  model: string;
  generator: LlamaGenerator;
  close(): Promise<void>;
}

export const DEFAULT_SERVER_OPTIONS: LlmServerOptions = { port: 8089, threads: 1, contextSize: 4096, maxTokens: 512 };

const HOST = '127.0.0.1';

export async function startLlmServer(options: LlmServerOptions): Promise<LlmServer> {
  const runtime = ensureLlmRuntime();
  const modelPath = options.modelPath ?? (await ensureModel());
  const generator = await LlamaGenerator.load({ runtime, modelPath, contextSize: options.contextSize, threads: options.threads });
  const app = createApp(generator, { maxTokens: options.maxTokens });
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: HOST, port: options.port }, (info) => resolve({ server, port: info.port }));
    server.once('error', reject);
  });
  return {
    url: `http://${HOST}:${port}/v1`,
    model: generator.model,
    generator,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await generator.close();
    },
  };
}

function positive(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || (!allowZero && value === 0)) throw new Error(`--${name}: expected a whole number${allowZero ? '' : ' above 0'}, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, model: { type: 'string' }, threads: { type: 'string' }, context: { type: 'string' }, 'max-tokens': { type: 'string' } },
  });
  const d = DEFAULT_SERVER_OPTIONS;
  const server = await startLlmServer({
    port: positive('port', values.port, d.port, true),
    ...(values.model ? { modelPath: values.model } : {}),
    threads: positive('threads', values.threads, d.threads),
    contextSize: positive('context', values.context, d.contextSize),
    maxTokens: positive('max-tokens', values['max-tokens'], d.maxTokens),
  });
  console.log(`llm-server: ${server.model} on ${server.url} (loopback only)`);
  console.log(`  OPENAI_API_KEY=local OPENAI_BASE_URL=${server.url} OPENAI_MODEL=${server.model}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: Error) => {
    console.error(`llm-server: ${err.message}`);
    process.exit(2);
  });
}
