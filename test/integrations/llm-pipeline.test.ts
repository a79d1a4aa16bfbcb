import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualifyActivities } from '../../activities/qualify';
import { InMemoryPools } from '../../domain/route/distribution';
import { OpenAiLlmProvider } from '../../integrations/openai/llm';
import { embeddedProviders } from '../../runtime/providers';
import { loadTeam } from '../../runtime/load';
import { HttpRecorder, type RecordedRequest } from './http-recorder';

/**
 * Baton's LLM steps end to end through the real OpenAI SDK and adapter, against a local
 * OpenAI-compatible server that answers by task (the JSON schema name): rule compilation at load
 * time is checked against the roster, and fact extraction falls back to the parser when the
 * model's output does not validate.
 */
let server: HttpRecorder;
const answers = new Map<string, unknown>();

const completion = (content: unknown) => ({
  id: 'chatcmpl-test', object: 'chat.completion', created: 0, model: 'test-model',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(content), refusal: null } }],
  usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
});
const taskOf = (req: RecordedRequest) => (req.body as { response_format: { json_schema: { name: string } } }).response_format.json_schema.name;

beforeAll(async () => {
  server = await HttpRecorder.start();
  server.on('POST', '/v1/chat/completions', (req) => ({ json: completion(answers.get(taskOf(req))) }));
});
afterAll(() => server?.close());

const dir = mkdtempSync(join(tmpdir(), 'baton-llm-'));
function teamFile(rule: string): string {
  const file = join(dir, `team-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `company: { name: Acme, timezone: America/New_York }
reps:
  - { id: sarah, name: Sarah Chen, email: sarah@acme.example }
  - { id: mark, name: Mark Li, email: mark@acme.example }
rules: [${JSON.stringify(rule)}]
fallback: mark
`);
  return file;
}
const llm = () => new OpenAiLlmProvider({ apiKey: 'sk-test', model: 'test-model', baseURL: `${server.url}/v1` });
const nulls = { min: null, max: null, minInclusive: null, maxInclusive: null, industries: null, territory: null, terms: null };

describe('LLM-compiled rules and LLM facts', () => {
  it('accepts free English compiled by the LLM into the same structured form', async () => {
    answers.set('compile_rule', {
      understood: true, problem: null,
      conditions: [{ ...nulls, kind: 'industry', industries: ['healthcare'] }],
      target: { type: 'rep', id: 'sarah' }, attendees: [],
    });
    const team = await loadTeam(teamFile('Anything involving hospitals or clinics is Sarah’s'), llm());
    expect(team.compiledRules[0]).toMatchObject({ compiledBy: 'llm', target: { type: 'rep', id: 'sarah' }, conditions: [{ kind: 'industry', industries: ['healthcare'] }] });
    const sent = server.to('POST', '/v1/chat/completions').at(-1)!;
    expect(JSON.stringify(sent.body)).toContain('Anything involving hospitals');
  });

  it('refuses an LLM compilation that targets someone outside the roster', async () => {
    answers.set('compile_rule', {
      understood: true, problem: null, conditions: [{ ...nulls, kind: 'urgent' }], target: { type: 'rep', id: 'ceo' }, attendees: [],
    });
    await expect(loadTeam(teamFile('Urgent ones go straight to the CEO'), llm())).rejects.toThrow(/team-.*\.yaml: rules\[0\]: cannot compile "Urgent ones go straight to the CEO"/);
  });

  it('uses validated LLM facts, and falls back to the deterministic extractor when they do not validate', async () => {
    const team = await loadTeam(teamFile('Healthcare companies go to Sarah'));
    const local = embeddedProviders(':memory:', team);
    const deps = { team, providers: { calendar: local.calendar, crm: local.crm, email: local.outbox, llm: llm() }, pools: new InMemoryPools() };
    const lead = { email: 'jane@mercyhealth.org', message: 'We are a 2,000-person hospital network in Seattle, budget one hundred fifty grand.' };
    const none = { budgetUsd: null, employees: null, industry: null, city: null, state: null, country: null, mentions: [], urgent: null, timezone: null, productInterest: null, disqualified: null };

    answers.set('extract_facts', { ...none, industry: { value: 'fintech', quote: 'hospital network' }, budgetUsd: { value: 150000, quote: 'budget one hundred fifty grand' } });
    const facts = await qualifyActivities(deps).qualifyLead({ workflowId: 'w', lead });
    expect(facts.extractor).toBe('llm');
    // The extractor read the industry itself: it stands. The budget it could not read comes from the model, quoted.
    expect(facts.industry).toMatchObject({ value: 'healthcare', source: 'message' });
    expect(facts.budgetUsd).toEqual({ value: 150000, source: 'llm', quote: 'budget one hundred fifty grand' });

    answers.set('extract_facts', { ...none, budgetUsd: { value: 'lots', quote: null } });
    const fallback = await qualifyActivities(deps).qualifyLead({ workflowId: 'w', lead });
    expect(fallback.extractor).toBe('deterministic');
    expect(fallback.notes.join(' ')).toMatch(/deterministic extractor/);
    expect(fallback.industry?.value).toBe('healthcare');
  });
});
