import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCases, readCases } from '../../cli/eval/cases';
import { evaluate } from '../../cli/eval/command';
import { runPath } from '../../cli/eval/harness';
import { formatTable } from '../../cli/eval/report';
import { scorePath } from '../../cli/eval/score';
import { ProviderUnavailable } from '../../domain/errors';
import type { LlmProvider } from '../../integrations/providers';
import { loadTeamConfig } from '../../runtime/load';
import { ROOT as root } from '../helpers/paths';

const TEAM = join(root, 'eval', 'team.yaml');
const CASES = join(root, 'eval', 'cases.jsonl');
const CRM = join(root, 'eval', 'crm.yaml');
const team = loadTeamConfig(TEAM);

const nullFacts = { budgetUsd: null, employees: null, industry: null, country: null, state: null, mentions: [], urgent: null, disqualified: null };
const smb = { target: { type: 'pool', id: 'smb' }, reps: ['sam'], source: 'fallback', rule: null };
const line = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'a', lead: { email: 'x@y.example', message: 'hello' }, expect: { facts: nullFacts, route: smb }, ...patch });

function parseError(text: string): string {
  try {
    parseCases(text, 'cases.jsonl', team);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('parsed');
}

describe('baton eval: the cases file', () => {
  it('names the line, the field and what was expected for a bad case', () => {
    expect(parseError(`${line()}\n{"id": "b",`)).toMatch(/^cases\.jsonl:2: \(line\): expected one JSON object per line: /);
    const { urgent: _u, ...noUrgent } = nullFacts;
    expect(parseError(line({ expect: { facts: noUrgent, route: smb } }))).toBe('cases.jsonl:1: expect.facts.urgent: Invalid input: expected boolean, received undefined');
    expect(parseError(line({ expect: { facts: { ...nullFacts, country: 'USA' }, route: smb } }))).toBe(
      'cases.jsonl:1: expect.facts.country: expected an ISO 3166-1 alpha-2 code such as "US"',
    );
    expect(parseError(line({ lead: { email: 'nope' } }))).toMatch(/^cases\.jsonl:1: lead\.email: /);
    expect(parseError(line({ extra: 1 }))).toBe('cases.jsonl:1: (top level): unknown key(s) "extra"');
    expect(parseError(line({ expect: { facts: nullFacts, route: { ...smb, target: { type: 'rep', id: 'bob' } } } }))).toBe(
      'cases.jsonl:1: expect.route.target.id: expected a rep of the team file (sarah, tom, mark, ana, raj, priya, jordan, casey, lena, omar, kenji, sam, alex), got "bob"',
    );
    expect(parseError(line({ expect: { facts: nullFacts, route: { ...smb, source: 'rule', rule: 8 } } }))).toBe(
      'cases.jsonl:1: expect.route.rule: expected a rule index from 0 to 7, got 8',
    );
    expect(parseError(line({ expect: { facts: { ...nullFacts, mentions: ['gong'] }, route: smb } }))).toMatch(
      /^cases\.jsonl:1: expect\.facts\.mentions\[0\]: expected a competitor of the team file as spelled there \(Competitor X, Gong, Chorus\), got "gong"/,
    );
    expect(parseError(line({ expect: { facts: { ...nullFacts, disqualified: 'student' }, route: smb } }))).toMatch(/^cases\.jsonl:1: expect\.route: expected null/);
    expect(parseError(`${line()}\n\n${line()}`)).toBe('cases.jsonl:3: id: "a" is already the id of line 1');
    expect(parseError('\n\n')).toBe('cases.jsonl: no cases (expected one JSON object per line)');
  });

  it('exits 2 with that one line on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-eval-'));
    const bad = join(dir, 'cases.jsonl');
    writeFileSync(bad, `${line()}\n${line({ id: 'b', expect: { facts: { ...nullFacts, budgetUsd: -5 }, route: smb } })}\n`);
    const run = spawnSync(process.execPath, [join(root, 'cli', 'baton.mjs'), 'eval', '--team', TEAM, '--cases', bad, '--no-model'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual(['baton: cases.jsonl:2: expect.facts.budgetUsd: Too small: expected number to be >=0']);
  });

  it('ships at least 100 labelled leads that all validate against eval/team.yaml', () => {
    const cases = readCases(CASES, team);
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(cases.filter((c) => c.expect.route === null).length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.lead.transcript).length).toBeGreaterThanOrEqual(5);
    expect(cases.filter((c) => c.lead.fields).length).toBeGreaterThanOrEqual(5);
  });
});

describe('baton eval: scoring', () => {
  it('scores facts and decisions, a currency range and a closed lead', async () => {
    const text = [
      line({ id: 'eur', lead: { email: 'a@munich.example', message: 'Insurer in Munich. We set aside ¥30m.' }, expect: { facts: { ...nullFacts, budgetUsd: [200000, 250000], industry: 'insurance', country: 'DE' }, route: { target: { type: 'pool', id: 'enterprise' }, reps: ['ana'], source: 'rule', rule: 0 } } }),
      line({ id: 'dq', lead: { email: 'k@gmail.com', message: "I'm a student doing my thesis on routing" }, expect: { facts: { ...nullFacts, disqualified: 'student' }, route: null } }),
      line({ id: 'owner', lead: { email: 'lisa@globex.example', message: 'We are 12,000 employees now.' }, expect: { facts: { ...nullFacts, employees: 12000 }, route: { target: { type: 'rep', id: 'mark' }, reps: ['mark'], source: 'owner', rule: null } } }),
    ].join('\n');
    const cases = parseCases(text, 'cases.jsonl', team);
    const run = await runPath({ teamFile: TEAM, crmFile: CRM, now: Date.parse('2026-12-01T15:00:00Z') }, cases);
    const score = scorePath(cases, run);
    // "¥" is never converted (JPY or CNY?): the budget and so the decision are wrong for "eur".
    expect(score.facts.budgetUsd).toEqual({ correct: 2, total: 3, wrong: ['eur'] });
    expect(score.facts.industry).toMatchObject({ correct: 3 });
    expect(score.facts.disqualified).toMatchObject({ correct: 3 });
    expect(score.route.decision).toEqual({ correct: 2, total: 3, wrong: ['eur'] });
    expect(score.route.source).toMatchObject({ correct: 3 }); // EMEA's rule instead of rule 0: a rule all the same
    expect(score.route.rule).toMatchObject({ wrong: ['eur'] });
    expect(run.cases.find((c) => c.id === 'dq')!.outcome).toMatchObject({ closed: 'student', quote: expect.stringContaining('student') });
    expect(score.calls).toEqual({ startup: 0, total: 0, failed: 0, perLead: { mean: 0, max: 0 } });
  });

  it('runs the model path beside the deterministic one and counts calls that failed', async () => {
    let calls = 0;
    const down: LlmProvider = {
      kind: 'test',
      identity: 'test down-model',
      completeJson: async () => {
        calls++;
        throw new ProviderUnavailable('test: connection refused');
      },
    };
    const cases = readCases(CASES, team).slice(0, 6);
    const setup = { teamFile: TEAM, crmFile: CRM, now: Date.parse('2026-12-01T15:00:00Z') };
    const model = scorePath(cases, await runPath(setup, cases, down));
    const deterministic = scorePath(cases, await runPath(setup, cases));
    expect(model.started).toBe(true);
    expect(model.calls.failed).toBe(calls);
    expect(model.calls.perLead.mean).toBeGreaterThan(0);
    // A model that never answers leaves the deterministic decisions as they are.
    expect(model.route.decision.wrong).toEqual(deterministic.route.decision.wrong);
  });

  it('prints both columns and the decisions that differ', async () => {
    const report = await evaluate({ teamFile: TEAM, casesFile: CASES, crmFile: CRM, now: Date.parse('2026-12-01T15:00:00Z'), only: ['mercy-seattle', 'biotech-basel'], useModel: false, env: {} });
    const table = formatTable(report);
    expect(table).toContain('baton eval: 2 cases from cases.jsonl, team team.yaml');
    expect(table).toMatch(/ {2}whole decision +1\/2 +50\.0%/);
    expect(table).toContain('wrong decisions, deterministic (1): biotech-basel');
    expect(report.perCase.find((c) => c.id === 'biotech-basel')!.deterministic.wrong).toEqual(['industry', 'route.target', 'route.reps', 'route.rule']);
  });
});
