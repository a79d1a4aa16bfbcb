import type { TestProject } from 'vitest/node';
import { startLlmServer, DEFAULT_SERVER_OPTIONS, type LlmServer } from '../../scripts/llm-server';

declare module 'vitest' {
  export interface ProvidedContext {
    llmServerUrl: string;
    llmModel: string;
  }
}

/**
 * `npm run test:model`: installs node-llama-cpp and the small model on first use (into .tools/,
 * about 45 s and 340 MB), then serves the model once, on loopback, for every test file. Baton reaches
 * it only through its own OpenAI adapter, as it would reach any OpenAI-compatible server.
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const server: LlmServer = await startLlmServer({ ...DEFAULT_SERVER_OPTIONS, port: 0 });
  console.log(`[test:model] ${server.model} on ${server.url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  project.provide('llmServerUrl', server.url);
  project.provide('llmModel', server.model);
  return () => server.close();
}
