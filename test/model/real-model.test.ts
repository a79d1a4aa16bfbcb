import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readCases, type EvalCase } from '../../cli/eval/cases';
import { evaluate } from '../../cli/eval/command';
import { formatTable, type EvalReport } from '../../cli/eval/report';
import { llmFactsSchema } from '../../domain/qualify/facts';
import { BuyerWords } from '../../domain/qualify/grounding';
import { toStrictJsonSchema } from '../../integrations/openai/strict-schema';
import { loadWorkerSide } from '../../runtime/boot';
import { loadTeamConfig } from '../../runtime/load';
import { readSettings } from '../../runtime/settings';
import { toGrammarSchema } from '../../scripts/llm-local/grammar-schema';
import type { NodeLlamaCpp } from '../../scripts/llm-local/llama';
import { ensureLlmRuntime } from '../../scripts/setup-llm';
import { ROOT } from '../helpers/paths';

/**
 * Baton against a small real model: Gemma 3 270M (base, Q4_K_M) on the CPU, behind the local
 * OpenAI-compatible server, reached through Baton's own OpenAI adapter. The model is weak on
 * purpose: with it, Baton must start, route every lead at least as well as without it, never close a
 * lead on the model's word alone, never leave the roster, and answer within the time budget.
 *
 * Leads: a subset of eval/cases.jsonl (SUBSET below, one lead per rule, the fallback, the CRM owner
 * cases, disqualifications and real buyers that look like non-buyers), because each model call
 * takes seconds on 2 shared cores; BATON_MODEL_CASES=all runs all of them.
 */
const TEAM = join(ROOT, 'eval', 'team.yaml');
const CASES = join(ROOT, 'eval', 'cases.jsonl');
const CRM = join(ROOT, 'eval', 'crm.yaml');
const SUBSET = [
  'mercy-seattle', // rule 0, budget over $100K
  'dallas-telecom-8k', // rule 1, employees
  'dental-austin', // rule 2, healthcare; "no rush"
  'stuttgart-german', // rule 3, EMEA, in German
  'singapore-payments', // rule 4, APAC
  'la-streaming', // rule 5, West Coast
  'gong-chicago', // rule 6, a competitor named
  'asap-columbus', // rule 7, urgent
  'demo-pls', // the fallback
  'owner-globex', // the CRM owner
  'owner-left', // a CRM owner who is not on the team
  'student-thesis', // disqualified
  'seo-pitch', // disqualified
  'staffing-agency-buyer', // a buyer in job-seeker words
  'online-casino-operator', // a buyer in spam words
  'euro-munich-insurer', // a budget in euros
];
const BUDGET_MS = 15_000;
const MAX_OUTPUT_TOKENS = 384;

const url = inject('llmServerUrl');
const model = inject('llmModel');
const env = { OPENAI_API_KEY: 'local', OPENAI_BASE_URL: url, OPENAI_MODEL: model, BATON_LLM_TIMEOUT_MS: String(BUDGET_MS), BATON_LLM_MAX_OUTPUT_TOKENS: String(MAX_OUTPUT_TOKENS) };
const team = loadTeamConfig(TEAM);
const cases = readCases(CASES, team);
const only = process.env.BATON_MODEL_CASES === 'all' ? undefined : SUBSET;

/** The eval subset through both paths, once for the tests below (most of the suite's time). */
let report: Promise<EvalReport> | undefined;
function run(): Promise<EvalReport> {
  report ??= evaluate({ teamFile: TEAM, casesFile: CASES, crmFile: CRM, now: Date.parse('2026-12-01T15:00:00Z'), ...(only ? { only } : {}), useModel: true, env }).then((r) => {
    console.log(formatTable(r));
    return r;
  });
  return report;
}
beforeAll(() => run().then(() => undefined), 12 * 60_000);
const caseById = new Map<string, EvalCase>(cases.map((c) => [c.id, c]));

describe('node-llama-cpp 3.21.1 grammar and the schema conversion', () => {
  it("generates nothing but null for Baton's nullable facts unless the schema is converted", async () => {
    const lib = (await import(ensureLlmRuntime())) as NodeLlamaCpp;
    const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: 'error', progressLogs: false });
    try {
      const strict = toStrictJsonSchema(llmFactsSchema).schema;
      const raw = (await llama.createGrammarForJsonSchema(strict)).grammar;
      const converted = (await llama.createGrammarForJsonSchema(toGrammarSchema(strict))).grammar;
      // `reason` exists only inside the nullable `disqualified` object: the raw schema's grammar never
      // lets the model write it (that object is forced to null), the converted one does.
      expect(raw).not.toContain('reason');
      expect(converted).toContain('reason');
      for (const reason of ['spam', 'student', 'job_seeker', 'competitor', 'vendor_pitch']) expect(converted).toContain(reason);
    } finally {
      await llama.dispose();
    }
  });
});

describe('Baton with a small real model', () => {
  it('starts: loadWorkerSide loads the team, and no rule the parser reads costs a model call', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-model-'));
    const settings = readSettings({ ...env, BATON_TEAM: TEAM, BATON_CRM: CRM, BATON_CALENDAR: join(dataDir, 'none.json'), BATON_DATA_DIR: dataDir });
    const baton = await loadWorkerSide(settings, env);
    expect(baton.setup.providers.llm).toBeDefined();
    expect(baton.team.compiledRules.map((r) => r.compiledBy)).toEqual(team.rules.map(() => 'parser'));
    const r = await run();
    expect(r.paths.model?.started).toBe(true);
    expect(r.paths.model?.calls.startup).toBe(0);
  });

  it('routes every lead at least as well as without it', async () => {
    const r = await run();
    expect(r.comparison!.regressions).toEqual([]);
    expect(r.paths.model!.route.decision.correct).toBeGreaterThanOrEqual(r.paths.deterministic.route.decision.correct);
    expect(r.paths.model!.errors).toEqual([]);
  });

  it('never closes a lead without a grounded quote', async () => {
    const r = await run();
    for (const c of r.perCase) {
      const outcome = c.model!.outcome!;
      if (!('closed' in outcome)) continue;
      const lead = caseById.get(c.id)!.lead;
      expect(outcome.quote, c.id).toBeTruthy();
      // A competitor's employee is known by their email domain or company, not by their words.
      if (outcome.closed !== 'competitor') expect(new BuyerWords(lead).contains(outcome.quote), `${c.id}: "${outcome.quote}"`).toBe(true);
    }
  });

  it('never leaves the roster', async () => {
    const r = await run();
    const reps = new Set(team.reps.map((p) => p.id));
    const pools = new Set(team.pools.map((p) => p.id));
    for (const c of r.perCase) {
      const outcome = c.model!.outcome!;
      if ('closed' in outcome) continue;
      expect(outcome.target.type === 'rep' ? reps.has(outcome.target.id) : pools.has(outcome.target.id), c.id).toBe(true);
      for (const rep of outcome.reps) expect(reps.has(rep), `${c.id}: ${rep}`).toBe(true);
    }
  });

  it('answers each lead within the budget of its model calls', async () => {
    const r = await run();
    for (const c of r.perCase) {
      const m = c.model!;
      // One budget per model step, plus local work (the embedded CRM, calendar and routing: milliseconds).
      expect(m.ms, `${c.id}: ${m.calls} call(s)`).toBeLessThanOrEqual(Math.max(1, m.calls) * BUDGET_MS + 2_000);
      expect(m.calls, c.id).toBeLessThanOrEqual(3);
    }
    const p = r.paths.model!;
    console.log(
      `[test:model] ${r.cases} leads: ${p.calls.perLead.mean.toFixed(2)} model calls per lead (max ${p.calls.perLead.max}, ${p.calls.failed} failed or over budget), latency p50 ${Math.round(p.latencyMs.p50)} ms, p95 ${Math.round(p.latencyMs.p95)} ms`,
    );
  });
});
