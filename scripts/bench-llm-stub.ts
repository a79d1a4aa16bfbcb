/**
 * A stand-in for a model, for `npm run bench`'s "with a model" phase: an OpenAI-compatible
 * `POST /v1/chat/completions` on 127.0.0.1 (a free port) that answers after a fixed latency, so
 * what the bench measures beyond that latency is Baton's own cost of using a model.
 *
 * It tells Baton's requests apart by `response_format.json_schema.name` (the task name the OpenAI
 * adapter sends: integrations/openai/llm.ts) and answers each as a careful model would, from the
 * request alone, so that Baton accepts the answer rather than falling back:
 * - `extract_facts`: "the buyer said none of this": every nullable key of the requested schema
 *   null, every list empty. Nothing to ground, so nothing is dropped (domain/qualify/facts.ts
 *   `factsFromLlm`), and the lead's facts are the deterministic extractor's, marked `llm`.
 * - `classify_reply`: the reply's words read plainly (a decline, an ordinal picking one of the
 *   offered ids listed in the prompt, a thank-you after booking), else `unclear` with Baton's
 *   `which_time` question: only answers `replyFromLlm` checks and keeps.
 * - `write_briefing`: the first lines of the facts Baton gave it, word for word.
 * Any other task (e.g. `compile_rule`, which needs the team's roster) gets an OpenAI-style 400 and
 * is counted as unanswered: Baton then takes its deterministic path, which the bench reports.
 *
 * Counts requests per task, the most in flight at once, and calls per distinct prompt (a lead's
 * facts prompt names the lead, so a retried extraction shows as two calls for one prompt);
 * `stats()` returns them and `GET /stats` serves them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export const DEFAULT_STUB_LATENCY_MS = 300;

export interface LlmStubStats {
  latencyMs: number;
  requests: number;
  /** Requests per task name (`extract_facts`, `classify_reply`, ...), answered or not. */
  byTask: Record<string, number>;
  /** Requests answered with an error (a task the stub does not know, a malformed request). */
  unanswered: Record<string, number>;
  maxInFlight: number;
  /** Per task, the most calls one identical prompt got (1 when no step was repeated). */
  maxCallsPerPrompt: Record<string, number>;
  /** Per task, how many distinct prompts it was asked. */
  distinctPrompts: Record<string, number>;
}

export interface LlmStub {
  /** For OPENAI_BASE_URL: `http://127.0.0.1:<port>/v1`. */
  url: string;
  model: string;
  latencyMs: number;
  stats(): LlmStubStats;
  /** Forgets every count (the bench calls it when its measured phase starts). */
  resetCounts(): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type Answer = { json: Json } | { error: string };

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export async function startLlmStub(o: { latencyMs?: number; model?: string } = {}): Promise<LlmStub> {
  const latencyMs = o.latencyMs ?? DEFAULT_STUB_LATENCY_MS;
  const model = o.model ?? 'bench-stub';
  let counts = emptyCounts();
  let inFlight = 0;

  const stats = (): LlmStubStats => {
    const maxCallsPerPrompt: Record<string, number> = {};
    const distinctPrompts: Record<string, number> = {};
    for (const [task, prompts] of counts.prompts) {
      distinctPrompts[task] = prompts.size;
      maxCallsPerPrompt[task] = Math.max(0, ...prompts.values());
    }
    return { latencyMs, requests: counts.requests, byTask: { ...counts.byTask }, unanswered: { ...counts.unanswered }, maxInFlight: counts.maxInFlight, maxCallsPerPrompt, distinctPrompts };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/stats') return send(res, 200, stats());
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(res, 404, openAiError(`no route ${req.method} ${req.url}`));
    inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, inFlight);
    try {
      const started = Date.now();
      const body = await readJson(req);
      const task = taskName(body);
      const { system, user } = prompts(body);
      counts.requests++;
      counts.byTask[task] = (counts.byTask[task] ?? 0) + 1;
      const perPrompt = counts.prompts.get(task) ?? new Map<string, number>();
      counts.prompts.set(task, perPrompt);
      const key = createHash('sha1').update(system).update('\0').update(user).digest('hex');
      perPrompt.set(key, (perPrompt.get(key) ?? 0) + 1);

      const answer = answerFor(task, user, requestedSchema(body));
      // The fixed latency is the whole answer's time, as a model's would be (reading the body included).
      await new Promise((r) => setTimeout(r, Math.max(0, latencyMs - (Date.now() - started))));
      if ('error' in answer) {
        counts.unanswered[task] = (counts.unanswered[task] ?? 0) + 1;
        return send(res, 400, openAiError(answer.error));
      }
      const content = JSON.stringify(answer.json);
      send(res, 200, {
        id: `chatcmpl-stub-${counts.requests}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
        // Rough token counts (4 characters a token): Baton only logs them.
        usage: { prompt_tokens: Math.ceil((system.length + user.length) / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 },
      });
    } catch (err) {
      counts.unanswered.malformed = (counts.unanswered.malformed ?? 0) + 1;
      send(res, 400, openAiError((err as Error).message));
    } finally {
      inFlight--;
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    model,
    latencyMs,
    stats,
    resetCounts: () => void (counts = emptyCounts()),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function emptyCounts() {
  return { requests: 0, byTask: {} as Record<string, number>, unanswered: {} as Record<string, number>, maxInFlight: 0, prompts: new Map<string, Map<string, number>>() };
}

/** The answer to one request: what a model that adds nothing wrong would say. */
export function answerFor(task: string, user: string, schema: Json | null): Answer {
  switch (task) {
    case 'extract_facts':
      return schema ? { json: nothingFound(schema) } : { error: 'extract_facts: no json_schema in response_format' };
    case 'classify_reply':
      return { json: { ...(schema ? nothingFound(schema) : {}), ...readReply(user) } };
    case 'write_briefing': {
      const lines = user.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 8);
      const briefing = lines.join('\n').slice(0, 4_000);
      return briefing.length >= 20 ? { json: { briefing } } : { error: 'write_briefing: too little to brief from' };
    }
    default:
      return { error: `the bench's model stub does not answer "${task}"` };
  }
}

/**
 * A value of `schema` that states nothing: null where null is allowed, empty lists, and for a
 * required object its properties likewise. Keys it cannot leave empty (an enum, a string) are
 * left out, for the caller to fill.
 */
export function nothingFound(schema: Json): Json {
  const out: Json = {};
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  for (const [key, prop] of Object.entries(properties)) {
    const empty = emptyValue(prop);
    if (empty !== undefined) out[key] = empty;
  }
  return out;
}

function emptyValue(prop: Json): unknown {
  const types = Array.isArray(prop.type) ? (prop.type as string[]) : typeof prop.type === 'string' ? [prop.type] : [];
  const branches = (prop.anyOf ?? prop.oneOf ?? []) as Json[];
  if (types.includes('null') || branches.some((b) => b.type === 'null')) return null;
  if (types.includes('array')) return [];
  if (types.includes('object')) return nothingFound(prop);
  return undefined;
}

/** Words that pick one of the offered times, and which one. */
const ORDINALS: [RegExp, (offered: string[]) => string | undefined][] = [
  [/\b(first|1st|earliest)\b/i, (o) => o[0]],
  [/\b(second|2nd|middle)\b/i, (o) => o[1]],
  [/\b(third|3rd)\b/i, (o) => o[2]],
  [/\b(last|latest)\b/i, (o) => o.at(-1)],
];

/** The reply in the prompt, read as plainly as it is written (domain/converse/reply-llm.ts `replyPrompt`). */
export function readReply(user: string): Json {
  const reply = /Reply:\n"""\n([\s\S]*)\n"""/.exec(user)?.[1] ?? '';
  const offered = [...user.matchAll(/^\d+\. id=([^:\s]+):/gm)].map((m) => m[1]!);
  const booked = /^Booked meeting:/m.test(user);
  if (/\b(not interested|stop|unsubscribe|no thanks|went with)\b/i.test(reply)) {
    return { intent: booked ? 'cancel' : 'decline', proposalId: null, constraint: null, reason: 'The buyer says they are not interested.' };
  }
  for (const [pattern, pick] of ORDINALS) {
    const id = pattern.test(reply) ? pick(offered) : undefined;
    if (id) return { intent: 'choose', proposalId: id, constraint: null, reason: 'The buyer picks one of the offered times.' };
  }
  if (booked) return { intent: 'acknowledge', proposalId: null, constraint: null, reason: 'The buyer acknowledges the booked meeting.' };
  return { intent: 'unclear', proposalId: null, constraint: null, questionTemplate: 'which_time', reason: 'The reply does not pick a time.' };
}

function taskName(body: Json): string {
  const format = body.response_format as { json_schema?: { name?: unknown } } | undefined;
  const name = format?.json_schema?.name;
  return typeof name === 'string' && name ? name : 'unnamed';
}

function requestedSchema(body: Json): Json | null {
  const schema = (body.response_format as { json_schema?: { schema?: unknown } } | undefined)?.json_schema?.schema;
  return schema && typeof schema === 'object' ? (schema as Json) : null;
}

function prompts(body: Json): { system: string; user: string } {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: unknown; content?: unknown }[]) : [];
  const text = (role: string) => messages.filter((m) => m.role === role && typeof m.content === 'string').map((m) => m.content as string).join('\n');
  return { system: text('system'), user: text('user') };
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the request body is not a JSON object');
  return parsed as Json;
}

function openAiError(message: string) {
  return { error: { message, type: 'invalid_request_error', param: null, code: null } };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
