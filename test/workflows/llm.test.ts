import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiLlmProvider } from '../../integrations/openai/llm';
import { buyerMessageSignal, statusQuery } from '../../workflows/lead/messages';
import { HttpRecorder, type RecordedRequest } from '../integrations/http-recorder';
import { awaiting, waitForStatus, withTimeSkippingHarness } from '../helpers/harness';

/**
 * A lead with an LLM configured, through the real OpenAI adapter against a local
 * OpenAI-compatible server: the model may classify replies, but a proposal it names that was never
 * offered is ignored in favour of the deterministic parser.
 */
let server: HttpRecorder;
const answers = new Map<string, unknown>();
const taskOf = (req: RecordedRequest) => (req.body as { response_format: { json_schema: { name: string } } }).response_format.json_schema.name;
const completion = (content: unknown) => ({
  id: 'c', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(content), refusal: null } }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});

beforeAll(async () => {
  server = await HttpRecorder.start();
  server.on('POST', '/v1/chat/completions', (req) => ({ json: completion(answers.get(taskOf(req))) }));
});
afterAll(() => server?.close());

const none = { budgetUsd: null, employees: null, industry: null, city: null, state: null, country: null, mentions: [], urgent: null, timezone: null, productInterest: null, disqualified: null };

describe('leadWorkflow with an LLM', () => {
  it('uses LLM facts and briefing, and validates the LLM reply choice against the proposals', async () => {
    answers.set('extract_facts', { ...none, industry: { value: 'healthcare', quote: 'our clinics' } });
    answers.set('classify_reply', { intent: 'choose', proposalId: '9-9', constraint: null, question: null, reason: 'made up' });
    answers.set('write_briefing', { briefing: 'Jane runs scheduling for a clinic group; ask about no-show rates.' });
    await withTimeSkippingHarness(
      async (h) => {
        const handle = await h.start({ email: 'jane@clinics.example', name: 'Jane', message: 'Our clinics need help' }, { useLlm: true });
        const s = await waitForStatus(handle, awaiting);
        expect(s.facts?.extractor).toBe('llm');
        expect(s.route?.reps).toEqual(['sarah']);
        // The model names a proposal that was never offered; the parser reads "the third one".
        await handle.signal(buyerMessageSignal, { text: 'the third one please' });
        expect(await handle.result()).toEqual({ stage: 'booked' });
        const done = await handle.query(statusQuery);
        expect(done.booking?.proposalId).toBe(s.proposals[2]!.id);
        const note = h.local.crm.records({ contactEmail: 'jane@clinics.example', kind: 'note' })[0]!;
        expect(note.body).toContain('ask about no-show rates');
        expect(server.requests.map(taskOf).sort()).toEqual(['classify_reply', 'extract_facts', 'write_briefing']);
      },
      {
        wrapProviders: (p) => ({ ...p, llm: new OpenAiLlmProvider({ apiKey: 'sk-test', model: 'm', baseURL: `${server.url}/v1` }) }),
      },
    );
  });
});
