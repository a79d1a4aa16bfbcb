import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiLlmProvider } from '../../integrations/openai/llm';
import { buyerMessageSignal, statusQuery } from '../../workflows/lead/messages';
import { HttpRecorder, type RecordedRequest } from '../integrations/http-recorder';
import { ScriptedModel, taskOf as scriptedTask } from '../integrations/scripted-model';
import { awaiting, waitForStatus, withTimeSkippingHarness, handedOff } from '../helpers/harness';

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
        // Only the model's step is a remote activity on the way to the proposals; finding times is
        // a local one (`local-reads-with-model`), in the workflow task after the model's answer.
        const events = (await handle.fetchHistory()).events ?? [];
        const beforeWait = events.slice(0, events.findIndex((e) => e.timerStartedEventAttributes));
        expect(beforeWait.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual(['qualifyLead']);
        // The policy came with the lead: its one gate first (every-gate-open, before any local
        // activity: StepRunner's constructor), then routing and finding times.
        expect(beforeWait.flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? [])).toEqual(['core_patch', 'core_local_activity', 'core_local_activity']);
        // Each patch marker comes with the SDK's upsert of TemporalChangeVersion: one here, then Baton's own.
        expect(beforeWait.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length).toBeLessThanOrEqual(3);
        // The model names a proposal that was never offered; the parser reads "the third one".
        await handle.signal(buyerMessageSignal, { text: 'the third one please' });
        await waitForStatus(handle, handedOff);
        const done = await handle.query(statusQuery);
        expect(done.booking?.proposalId).toBe(s.proposals[2]!.id);
        const note = h.local.crm.records({ contactEmail: 'jane@clinics.example', kind: 'note' })[0]!;
        expect(note.body).toContain('ask about no-show rates');
        // The CRM says which part a model wrote from the buyer's words, and that it is untrusted (meeting body and note alike).
        const meeting = h.local.crm.records({ contactEmail: 'jane@clinics.example', kind: 'meeting' })[0]!;
        for (const body of [note.body, meeting.body]) {
          expect(body).toMatch(/\[Model-written summary of the buyer's own words: untrusted\.[^\]]*\]\nJane runs scheduling/);
          expect(body).toContain('[Written by Baton from the form and its own checks');
        }
        expect(server.requests.map(taskOf).sort()).toEqual(['classify_reply', 'extract_facts', 'write_briefing']);
      },
      {
        wrapProviders: (p) => ({ ...p, llm: new OpenAiLlmProvider({ apiKey: 'sk-test', model: 'm', baseURL: `${server.url}/v1` }) }),
      },
    );
  });

  it('a slow model delays the buyer by at most the budget at each step, and a booked lead makes at most 3 model calls', async () => {
    const model = await ScriptedModel.start();
    model.reset('slow', {
      extract_facts: () => ({ ...none, industry: { value: 'healthcare', quote: 'Our clinics' } }),
      classify_reply: () => ({ intent: 'choose', proposalId: null, constraint: null, question: null, reason: 'r' }),
      write_briefing: () => ({ briefing: 'A slow model wrote this, too late to be used.' }),
    });
    model.slowMs = 10_000;
    const budgetMs = 1_000;
    try {
      await withTimeSkippingHarness(
        async (h) => {
          const started = Date.now();
          const handle = await h.start({ email: 'jane@clinics.example', name: 'Jane', message: 'Our clinics need help' }, { useLlm: true });
          const s = await waitForStatus(handle, awaiting);
          const firstAnswerMs = Date.now() - started;
          console.log(`first answer with a model sleeping 10 s and a ${budgetMs} ms budget: ${firstAnswerMs} ms`);
          expect(firstAnswerMs).toBeLessThan(budgetMs + 2_500);
          expect(s.facts?.extractor).toBe('deterministic');
          expect(s.route?.reps).toEqual(['sarah']);
          await handle.signal(buyerMessageSignal, { text: 'the second one please' });
          await waitForStatus(handle, handedOff);
          expect((await handle.query(statusQuery)).booking?.proposalId).toBe(s.proposals[1]!.id);
          const note = h.local.crm.records({ contactEmail: 'jane@clinics.example', kind: 'note' })[0]!;
          expect(note.body).not.toContain('too late');
          // Facts, the reply and the briefing: one call each, no retries past the budget.
          expect(model.calls().map(scriptedTask).sort()).toEqual(['classify_reply', 'extract_facts', 'write_briefing']);
        },
        { wrapProviders: (p) => ({ ...p, llm: new OpenAiLlmProvider({ apiKey: 'sk-test', model: 'm', baseURL: model.baseURL, timeoutMs: budgetMs }) }) },
      );
    } finally {
      await model.close();
    }
  });

  it('a model that calls a real buyer spam cannot close the lead: it books, and the rep\'s briefing shows the doubt', async () => {
    answers.set('extract_facts', { ...none, disqualified: { reason: 'spam', quote: 'We run 12 clinics' } });
    answers.set('classify_reply', { intent: 'choose', proposalId: null, constraint: null, question: null, reason: 'r' });
    answers.set('write_briefing', { briefing: 'Jane runs twelve clinics; ask about their no-show rate.' });
    const before = server.requests.length;
    await withTimeSkippingHarness(
      async (h) => {
        const handle = await h.start({ email: 'jane@twelve.example', name: 'Jane', message: 'We run 12 clinics and want fewer no-shows. Budget $30k.' }, { useLlm: true });
        const s = await waitForStatus(handle, awaiting);
        expect(s.stage).toBe('awaiting_reply');
        expect(s.facts?.doubt).toMatchObject({ reason: 'spam', why: 'the buyer also gives a budget ($30,000)' });
        await handle.signal(buyerMessageSignal, { text: 'the first one' });
        await waitForStatus(handle, handedOff);
        const note = h.local.crm.records({ contactEmail: 'jane@twelve.example', kind: 'note' })[0]!;
        expect(note.body).toContain('Check: the model read this lead as spam ("We run 12 clinics"), but the buyer also gives a budget ($30,000), so Baton did not close it.');
        expect(server.requests.slice(before).map(taskOf).sort()).toEqual(['classify_reply', 'extract_facts', 'write_briefing']);
      },
      {
        wrapProviders: (p) => ({ ...p, llm: new OpenAiLlmProvider({ apiKey: 'sk-test', model: 'm', baseURL: `${server.url}/v1` }) }),
      },
    );
  });
});
