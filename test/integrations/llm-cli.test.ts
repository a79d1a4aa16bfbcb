/**
 * `npx baton route` and `npx baton rules` as a user runs them, with a model configured: spawned
 * processes, the real `openai` SDK, a local scripted OpenAI-compatible server (or nothing at all
 * listening), and the compiled-rules cache in BATON_DATA_DIR shared between runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualifyActivities } from '../../activities/qualify';
import { decideRoute } from '../../activities/route';
import { InMemoryPools } from '../../domain/route/distribution';
import { loadTeam } from '../../runtime/load';
import { embeddedProviders } from '../../runtime/providers';
import { ROOT } from '../helpers/paths';
import { ScriptedModel, taskOf } from './scripted-model';

const NOW = '2026-12-01T15:00:00Z';
const TEAM = join(ROOT, 'config/team.yaml');
const none = {
  budgetUsd: null, employees: null, industry: null, city: null, state: null, country: null,
  mentions: [], urgent: null, timezone: null, productInterest: null, disqualified: null,
};

let model: ScriptedModel;
let dir: string;
let answeredAt: number[] = [];

beforeAll(async () => {
  model = await ScriptedModel.start();
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
});
afterAll(() => model?.close());

function writeLead(message: string): string {
  const file = join(dir, `lead-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ email: 'jane@prospect.example', message }));
  return file;
}

async function baton(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; exitedAt: number }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPENAI_') && !k.startsWith('BATON_')));
  const child = spawn(process.execPath, [join(ROOT, 'cli/baton.mjs'), ...args], { cwd: dir, env: { ...base, BATON_DATA_DIR: join(dir, 'data'), ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr, exitedAt: Date.now() };
}

/** The same decision computed in this process without any model: the floor. */
async function withoutModel(teamFile: string, message: string) {
  const team = await loadTeam(teamFile);
  const local = embeddedProviders(':memory:', team);
  const deps = { team, providers: { calendar: local.calendar, crm: local.crm, email: local.outbox }, pools: new InMemoryPools() };
  const lead = { email: 'jane@prospect.example', message };
  const facts = await qualifyActivities(deps).qualifyLead({ workflowId: 'cli', lead });
  return decideRoute(deps, { lead, facts, now: Date.parse(NOW), scope: 'cli', leadId: 'cli' });
}

const HOSPITAL = "We're a 2,000-person hospital network in Seattle looking to cut no-shows.";

describe('baton route and baton rules with a model', () => {
  it('the issue\'s repro: with nothing listening at OPENAI_BASE_URL, `baton route` answers as without a model', async () => {
    const run = await baton(['route', '--team', TEAM, '--lead', writeLead(HOSPITAL), '--now', NOW], {
      OPENAI_API_KEY: 'x',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const floor = await withoutModel(TEAM, HOSPITAL);
    expect({ target: out.target, reps: out.reps, attendees: out.attendees, source: out.source, rule: out.rule }).toEqual({
      target: floor.target, reps: floor.reps, attendees: floor.attendees, source: floor.source, rule: floor.rule,
    });
    expect(out.facts.industry).toEqual(floor.facts.industry);
    expect(out.facts.notes.join('\n')).toMatch(/LLM extraction failed \(openai: unreachable/);
  }, 120_000);

  it('a model slower than the budget delays `baton route` by the budget, not by the model', async () => {
    model.reset('slow', { extract_facts: () => (answeredAt.push(Date.now()), { ...none }) });
    model.slowMs = 10_000;
    answeredAt = [];
    const run = await baton(['route', '--team', TEAM, '--lead', writeLead(HOSPITAL), '--now', NOW], {
      OPENAI_API_KEY: 'x',
      OPENAI_BASE_URL: model.baseURL,
      BATON_LLM_TIMEOUT_MS: '1000',
    });
    expect(run.code).toBe(0);
    expect(answeredAt).toHaveLength(1);
    const afterTheCall = run.exitedAt - answeredAt[0]!;
    console.log(`baton route with a model sleeping 10 s and a 1 s budget: exited ${afterTheCall} ms after the model was asked`);
    expect(afterTheCall).toBeLessThan(1_000 + 2_000);
    expect(JSON.parse(run.stdout).reps).toEqual((await withoutModel(TEAM, HOSPITAL)).reps);
  }, 120_000);

  it('`baton rules` shows the model\'s compilation of a rule the parser cannot read; `baton route` then makes one model call, not rules + 1', async () => {
    const team = join(dir, 'team-with-free-english.yaml');
    const text = readFileSync(TEAM, 'utf8');
    writeFileSync(team, text.replace('  - If someone mentions Competitor X, route to Mark\n', '  - If someone mentions Competitor X, route to Mark\n  - Anything involving law firms is Tom’s\n'));
    const nulls = { min: null, max: null, minInclusive: null, maxInclusive: null, industries: null, territory: null, terms: null };
    model.reset('answers', {
      compile_rule: () => ({ understood: true, problem: null, conditions: [{ ...nulls, kind: 'industry', industries: ['legal'] }], target: { type: 'rep', id: 'tom' }, attendees: [] }),
      extract_facts: () => ({ ...none, city: { value: 'Chicago', quote: 'offices in Chicago' } }),
    });
    const env = { OPENAI_API_KEY: 'x', OPENAI_BASE_URL: model.baseURL, OPENAI_MODEL: 'scripted', BATON_DATA_DIR: join(dir, 'shared-data') };

    const rules = await baton(['rules', '--team', team], env);
    expect(rules.code).toBe(0);
    const shown = JSON.parse(rules.stdout).rules as { compiled: { compiledBy: string }; model?: { cached: boolean; identity: string } }[];
    expect(shown.map((r) => r.compiled.compiledBy)).toEqual(['parser', 'parser', 'parser', 'parser', 'llm']);
    expect(shown[4]!.model).toMatchObject({ cached: false, identity: `openai scripted at ${model.baseURL}` });
    expect(model.calls().map(taskOf)).toEqual(['compile_rule']);

    const route = await baton(['route', '--team', team, '--lead', writeLead("We're a law firm with offices in Chicago."), '--now', NOW], env);
    expect(route.code).toBe(0);
    expect(JSON.parse(route.stdout)).toMatchObject({ target: { type: 'rep', id: 'tom' }, source: 'rule', rule: { index: 4 } });
    expect(model.calls().map(taskOf)).toEqual(['compile_rule', 'extract_facts']);

    const again = await baton(['rules', '--team', team], env);
    expect(JSON.parse(again.stdout).rules[4]).toMatchObject({ compiled: shown[4]!.compiled, model: { cached: true } });
    expect(model.calls()).toHaveLength(2);
  }, 180_000);
});
