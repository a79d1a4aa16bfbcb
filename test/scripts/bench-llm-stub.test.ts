/**
 * The bench's model stub (scripts/bench-llm-stub.ts) answers Baton's own requests, sent through the
 * real OpenAI adapter, with answers Baton's checks keep: the "with a model" phase measures the
 * model path, never the fallback after a rejected answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { llmReplySchema, replyFromLlm, replyPrompt } from '../../domain/converse/reply-llm';
import type { ReplyContext } from '../../domain/converse/reply-types';
import { factsFromLlm, factsPrompt, llmFactsSchema, type FactContext } from '../../domain/qualify/facts';
import { OpenAiLlmProvider } from '../../integrations/openai/llm';
import { startLlmStub, type LlmStub } from '../../scripts/bench-llm-stub';
import { leadBody } from '../../scripts/bench-speed';

const ctx: FactContext = { competitors: ['Chili Piper'], territories: {}, currencies: {}, companyName: 'Bench Co' };
const hour = 3_600_000;
const now = Date.parse('2026-03-09T15:00:00Z');
const reply: ReplyContext = {
  proposals: [
    { id: 'p-a', start: now + 20 * hour, end: now + 20.5 * hour },
    { id: 'p-b', start: now + 22 * hour, end: now + 22.5 * hour },
    { id: 'p-c', start: now + 44 * hour, end: now + 44.5 * hour },
  ],
  now,
  timezone: 'America/New_York',
};

let stub: LlmStub;
let llm: OpenAiLlmProvider;

beforeAll(async () => {
  stub = await startLlmStub({ latencyMs: 20 });
  llm = new OpenAiLlmProvider({ apiKey: 'bench', baseURL: stub.url, model: stub.model, timeoutMs: 5_000 });
});
afterAll(() => stub.close());

describe('the bench model stub', () => {
  it('answers extract_facts with nothing Baton has to drop', async () => {
    for (let i = 0; i < 4; i++) {
      const lead = leadBody('stub', i);
      const { value } = await llm.completeJson({ name: 'extract_facts', ...factsPrompt(lead, ctx), schema: llmFactsSchema });
      const facts = factsFromLlm(value, lead, ctx);
      expect(facts.extractor).toBe('llm');
      expect(facts.notes.filter((n) => /LLM|model/.test(n))).toEqual([]);
    }
  });

  it('reads a choice and a decline the way replyFromLlm keeps them', async () => {
    const ask = async (text: string) => {
      const { value } = await llm.completeJson({ name: 'classify_reply', ...replyPrompt(text, reply), schema: llmReplySchema });
      return { model: value, kept: replyFromLlm(value, text, reply) };
    };
    const chose = await ask('The second one works for me');
    expect(chose.model.intent).toBe('choose');
    expect(chose.kept).toMatchObject({ kind: 'choose', proposalId: 'p-b' });
    const declined = await ask('Not interested, please stop.');
    expect(declined.kept.kind).toBe('decline');
    const unclear = await ask('Hmm, maybe?');
    expect(unclear.kept.kind).toBe('unclear');
  });

  it('writes a briefing from the facts it was given, and refuses tasks it does not know', async () => {
    const base = 'Buyer: Buyer 1 (Company 1)\nIn their words: "Interested in a demo for our SDR team."\nMeeting: Tue 10:00';
    const { value } = await llm.completeJson({ name: 'write_briefing', system: 'brief', user: base, schema: z.strictObject({ briefing: z.string().min(20).max(4_000) }) });
    expect(base.startsWith(value.briefing.split('\n')[0]!)).toBe(true);
    await expect(llm.completeJson({ name: 'compile_rule', system: 's', user: 'u', schema: z.strictObject({ x: z.string() }) })).rejects.toThrow();
  });

  it('counts calls per task and per prompt', async () => {
    stub.resetCounts();
    const lead = leadBody('count', 0);
    for (let i = 0; i < 2; i++) await llm.completeJson({ name: 'extract_facts', ...factsPrompt(lead, ctx), schema: llmFactsSchema });
    const stats = stub.stats();
    expect(stats.byTask).toEqual({ extract_facts: 2 });
    expect(stats.maxCallsPerPrompt.extract_facts).toBe(2);
    expect(stats.distinctPrompts.extract_facts).toBe(1);
    expect(await (await fetch(stub.url.replace(/\/v1$/, '/stats'))).json()).toMatchObject({ requests: 2 });
  });
});
