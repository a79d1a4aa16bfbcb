/**
 * A `Generator` on node-llama-cpp: one GGUF model on the CPU, one context sequence, requests served
 * one at a time (a second one waits its turn; one whose client went away is dropped unstarted).
 * node-llama-cpp is installed on demand (scripts/setup-llm.ts), so it is loaded by URL and typed
 * here by the few members this file uses.
 */
import { basename } from 'node:path';
import type { ChatTurn, Generated, GenerateRequest, Generator } from './app';

interface LlamaGrammar {
  readonly grammar: string;
}
interface TokenMeter {
  readonly usedInputTokens: number;
  readonly usedOutputTokens: number;
}
interface ContextSequence {
  readonly tokenMeter: TokenMeter;
}
type HistoryItem = { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };
interface ChatSession {
  setChatHistory(history: HistoryItem[]): void;
  promptWithMeta(
    prompt: string,
    options: { grammar?: LlamaGrammar; maxTokens: number; temperature: number; seed?: number; signal: AbortSignal; stopOnAbortSignal: boolean },
  ): Promise<{ responseText: string; stopReason: string }>;
  dispose(options: { disposeSequence: boolean }): void;
}
interface LlamaModel {
  createContext(options: { contextSize: number; threads: number }): Promise<{ getSequence(): ContextSequence; dispose(): Promise<void> }>;
  dispose(): Promise<void>;
}
export interface Llama {
  loadModel(options: { modelPath: string }): Promise<LlamaModel>;
  createGrammarForJsonSchema(schema: Record<string, unknown>): Promise<LlamaGrammar>;
  getGrammarFor(name: 'json'): Promise<LlamaGrammar>;
  dispose(): Promise<void>;
}
export interface NodeLlamaCpp {
  getLlama(options: { gpu: false; build: 'never'; logLevel?: string; progressLogs?: boolean }): Promise<Llama>;
  LlamaChatSession: new (options: { contextSequence: ContextSequence; autoDisposeSequence: boolean }) => ChatSession;
}

export interface LlamaOptions {
  /** URL of node-llama-cpp's entry module (ensureLlmRuntime). */
  runtime: string;
  modelPath: string;
  /** Tokens of prompt plus answer the context holds. */
  contextSize: number;
  /**
   * CPU threads for generation. 1 by default: on a machine whose cores are shared, llama.cpp's
   * threads wait for each other by spinning, and 2 threads on 2 busy cores measured ~20 s per token
   * against ~0.1 s with 1.
   */
  threads: number;
}

export class LlamaGenerator implements Generator {
  readonly model: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  private constructor(
    private readonly lib: NodeLlamaCpp,
    readonly llama: Llama,
    private readonly loaded: LlamaModel,
    private readonly sequence: ContextSequence,
    modelPath: string,
  ) {
    this.model = basename(modelPath).replace(/\.gguf$/i, '');
  }

  static async load(options: LlamaOptions): Promise<LlamaGenerator> {
    const lib = (await import(options.runtime)) as NodeLlamaCpp;
    // gpu: false and build: 'never': the prebuilt CPU binary or a clear failure, never a download or a compile.
    const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: 'error', progressLogs: false });
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const context = await model.createContext({ contextSize: options.contextSize, threads: options.threads });
    return new LlamaGenerator(lib, llama, model, context.getSequence(), options.modelPath);
  }

  /** The grammar node-llama-cpp builds for a schema in its dialect (see grammar-schema.ts). */
  grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = this.llama.createGrammarForJsonSchema(schema);
      this.grammars.set(key, grammar);
      grammar.catch(() => this.grammars.delete(key));
    }
    return grammar;
  }

  generate(request: GenerateRequest): Promise<Generated> {
    const run = this.queue.then(() => this.generateNow(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generateNow(request: GenerateRequest): Promise<Generated> {
    if (request.signal.aborted) return { text: '', finishReason: 'stop', promptTokens: 0, completionTokens: 0 };
    const grammar = request.output === null ? undefined : request.output === 'json' ? await this.llama.getGrammarFor('json') : await this.grammarFor(request.output);
    const session = new this.lib.LlamaChatSession({ contextSequence: this.sequence, autoDisposeSequence: false });
    const before = { input: this.sequence.tokenMeter.usedInputTokens, output: this.sequence.tokenMeter.usedOutputTokens };
    try {
      const { history, prompt } = toHistory(request.messages);
      session.setChatHistory(history);
      const result = await session.promptWithMeta(prompt, {
        ...(grammar ? { grammar } : {}),
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        signal: request.signal,
        stopOnAbortSignal: true,
      });
      return {
        text: result.responseText,
        finishReason: result.stopReason === 'maxTokens' ? 'length' : 'stop',
        promptTokens: this.sequence.tokenMeter.usedInputTokens - before.input,
        completionTokens: this.sequence.tokenMeter.usedOutputTokens - before.output,
      };
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }

  async close(): Promise<void> {
    await this.queue;
    await this.loaded.dispose();
    await this.llama.dispose();
  }
}

/** OpenAI messages → node-llama-cpp chat history plus the last user message as the prompt. */
export function toHistory(messages: ChatTurn[]): { history: HistoryItem[]; prompt: string } {
  const last = messages.at(-1);
  if (!last || last.role !== 'user') throw new Error('the last message must be from the user');
  const history: HistoryItem[] = messages.slice(0, -1).map((m) =>
    m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
  );
  return { history, prompt: last.content };
}
