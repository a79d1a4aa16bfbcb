/**
 * A local OpenAI-compatible chat-completions server for the LLM floor tests: the real `openai`
 * SDK and Baton's adapter talk to it on 127.0.0.1. It answers per task (the JSON schema's name)
 * from a script, and can be switched to behave like a slow, broken or unreachable model.
 */
import { closedPortUrl, HttpRecorder, type RecordedRequest, type Reply } from './http-recorder';

export type ModelBehaviour =
  /** Answers from the script. */
  | 'answers'
  /** Takes `slowMs` before answering from the script. */
  | 'slow'
  | 'error-500'
  /** 429 with a short Retry-After, then answers from the script. */
  | 'rate-limited-then-ok'
  /** A completion whose content is not JSON. */
  | 'invalid-json'
  | 'refusal'
  /** finish_reason "length": the output hit the token cap. */
  | 'truncated';

/** What the model answers for one request: the parsed user message is given for convenience. */
export type Script = Partial<Record<string, (user: string, req: RecordedRequest) => unknown>>;

export function completion(content: string | null, extra: { finish_reason?: string; refusal?: string | null } = {}) {
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 0,
    model: 'scripted',
    choices: [{ index: 0, finish_reason: extra.finish_reason ?? 'stop', message: { role: 'assistant', content, refusal: extra.refusal ?? null } }],
    usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 },
  };
}

export const taskOf = (req: RecordedRequest) =>
  (req.body as { response_format?: { json_schema?: { name?: string } } }).response_format?.json_schema?.name ?? '?';
const userOf = (req: RecordedRequest) => (req.body as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')?.content ?? '';

export class ScriptedModel {
  behaviour: ModelBehaviour = 'answers';
  slowMs = 10_000;
  script: Script = {};
  private limited = new WeakSet<RecordedRequest>();

  private constructor(private readonly server: HttpRecorder) {
    server.on('POST', '/v1/chat/completions', (req) => this.reply(req));
  }

  static async start(): Promise<ScriptedModel> {
    return new ScriptedModel(await HttpRecorder.start());
  }

  /** The `OPENAI_BASE_URL` of this server. */
  get baseURL(): string {
    return `${this.server.url}/v1`;
  }

  /** Chat-completion requests received, optionally for one task only. */
  calls(task?: string): RecordedRequest[] {
    return this.server.to('POST', '/v1/chat/completions').filter((r) => !task || taskOf(r) === task);
  }

  reset(behaviour: ModelBehaviour = 'answers', script: Script = this.script): void {
    this.server.requests.length = 0;
    this.behaviour = behaviour;
    this.script = script;
    this.limited = new WeakSet();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private answer(req: RecordedRequest): Reply {
    const answer = this.script[taskOf(req)]?.(userOf(req), req);
    if (answer === undefined) return { status: 400, json: { error: { message: `no scripted answer for ${taskOf(req)}`, type: 'invalid_request_error' } } };
    return { json: completion(JSON.stringify(answer)) };
  }

  private reply(req: RecordedRequest): Reply {
    switch (this.behaviour) {
      case 'answers':
        return this.answer(req);
      case 'slow':
        return { ...this.answer(req), delayMs: this.slowMs };
      case 'error-500':
        return { status: 500, json: { error: { message: 'The server had an error while processing your request.', type: 'server_error' } } };
      case 'rate-limited-then-ok': {
        // Every other request is limited, so each step sees one 429 and then its answer.
        const limitedSoFar = this.calls().filter((r) => this.limited.has(r)).length;
        if (limitedSoFar * 2 < this.calls().length) {
          this.limited.add(req);
          return { status: 429, headers: { 'retry-after-ms': '150' }, json: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } };
        }
        return this.answer(req);
      }
      case 'invalid-json':
        return { json: completion('Sure! {"industry": healthcare') };
      case 'refusal':
        return { json: completion(null, { refusal: "I'm sorry, I can't help with that." }) };
      case 'truncated':
        return { json: completion('{"budgetUsd": {"value": 1', { finish_reason: 'length' }) };
    }
  }
}

/** An OPENAI_BASE_URL where nothing listens (connection refused). */
export async function unreachableBaseURL(): Promise<string> {
  return `${await closedPortUrl()}/v1`;
}
