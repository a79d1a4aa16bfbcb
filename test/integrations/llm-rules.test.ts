/**
 * Rules at load with a model: the parser first, the model only for what the parser cannot read
 * (with the roster's ids as enums in the schema), cached across restarts in BATON_DATA_DIR; a model
 * failure of any kind never stops start-up for rules the parser understands, and for a rule only
 * the model can read it is a clear start-up error after bounded retries. The real `openai` SDK
 * talks to a local scripted server.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors';
import { OpenAiLlmProvider } from '../../integrations/openai/llm';
import { compileTeamRules, loadTeam, loadTeamConfig, RULE_COMPILE_ATTEMPTS } from '../../runtime/load';
import { loadWorkerSide } from '../../runtime/boot';
import { RuleCache, ruleCacheFile } from '../../runtime/rule-cache';
import { readSettings } from '../../runtime/settings';
import { ScriptedModel, taskOf, unreachableBaseURL, type ModelBehaviour } from './scripted-model';

const BUDGET_MS = 800;
const PARSED_RULES = ['Enterprise deals over $100K go to the enterprise team with a solutions engineer from the SE pool', 'Healthcare companies go to Sarah'];
const FREE_ENGLISH = 'Anything involving law firms is Tom’s, and Priya joins';
const nulls = { min: null, max: null, minInclusive: null, maxInclusive: null, industries: null, territory: null, terms: null };
const LEGAL_TO_TOM = {
  understood: true, problem: null,
  conditions: [{ ...nulls, kind: 'industry', industries: ['legal'] }],
  target: { type: 'rep', id: 'tom' }, attendees: [{ type: 'rep', id: 'priya' }],
};

let model: ScriptedModel;
let dir: string;
let answer: unknown;

beforeAll(async () => {
  model = await ScriptedModel.start();
});
afterAll(() => model?.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-rules-'));
  answer = LEGAL_TO_TOM;
  model.reset('answers', { compile_rule: () => answer });
});

function teamFile(rules: string[], extraRep = ''): string {
  const file = join(dir, `team-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `company: { name: Acme, timezone: America/New_York }
reps:
  - { id: sarah, name: Sarah Chen, email: sarah@acme.example }
  - { id: tom, name: Tom Becker, email: tom@acme.example }
  - { id: priya, name: Priya Nair, email: priya@acme.example }
  - { id: ana, name: Ana Souza, email: ana@acme.example }
${extraRep}pools:
  - { id: enterprise, name: Enterprise team, members: [ana] }
  - { id: se, name: Solutions engineers, members: [priya] }
rules: ${JSON.stringify(rules)}
fallback: sarah
`,
  );
  return file;
}

const llm = (baseURL = model.baseURL, name = 'scripted') => new OpenAiLlmProvider({ apiKey: 'k', model: name, baseURL, timeoutMs: BUDGET_MS });
const cacheFile = () => ruleCacheFile(dir);

const BROKEN: (ModelBehaviour | 'unreachable' | 'out-of-roster' | 'not-understood')[] = [
  'error-500', 'rate-limited-then-ok', 'invalid-json', 'refusal', 'truncated', 'slow', 'unreachable', 'out-of-roster', 'not-understood',
];

async function withBehaviour(b: (typeof BROKEN)[number]): Promise<OpenAiLlmProvider> {
  if (b === 'out-of-roster') answer = { ...LEGAL_TO_TOM, target: { type: 'rep', id: 'ceo' } };
  else if (b === 'not-understood') answer = { ...LEGAL_TO_TOM, understood: false, problem: 'who is Tom?' };
  else if (b !== 'unreachable') model.behaviour = b;
  return b === 'unreachable' ? llm(await unreachableBaseURL()) : llm();
}

describe('rules at load with a model', () => {
  it.each(BROKEN)('%s: a team whose rules the parser reads starts, and the model is never asked', async (b) => {
    const team = await loadTeam(teamFile(PARSED_RULES), await withBehaviour(b), { cacheFile: cacheFile() });
    expect(team.compiledRules.map((r) => r.compiledBy)).toEqual(['parser', 'parser']);
    expect(model.calls()).toHaveLength(0);
  });

  it('the model compiles only the rule the parser cannot read, with the roster ids as enums; restarts use the cache', async () => {
    const file = teamFile([...PARSED_RULES, FREE_ENGLISH]);
    const loaded = await compileTeamRules(loadTeamConfig(file), llm(), { cacheFile: cacheFile() });
    expect(loaded.map((r) => ('compiled' in r ? r.compiled.compiledBy : 'error'))).toEqual(['parser', 'parser', 'llm']);
    expect(loaded[2]).toMatchObject({
      compiled: { target: { type: 'rep', id: 'tom' }, attendees: [{ type: 'rep', id: 'priya' }], conditions: [{ kind: 'industry', industries: ['legal'] }] },
      model: { identity: `openai scripted at ${model.baseURL}`, cached: false, parserReason: expect.stringMatching(/no target|no rep or pool/) },
    });
    expect(model.calls().map(taskOf)).toEqual(['compile_rule']);
    const schema = (model.calls()[0]!.body as { response_format: { json_schema: { schema: { properties: { target: unknown } } } } }).response_format.json_schema.schema;
    expect(schema.properties.target).toEqual({
      anyOf: [
        { type: 'object', properties: { type: { type: 'string', enum: ['rep'] }, id: { type: 'string', enum: ['sarah', 'tom', 'priya', 'ana'] } }, required: ['type', 'id'], additionalProperties: false },
        { type: 'object', properties: { type: { type: 'string', enum: ['pool'] }, id: { type: 'string', enum: ['enterprise', 'se'] } }, required: ['type', 'id'], additionalProperties: false },
      ],
    });

    // A restart, a second process, a CLI run: the same compiled form, no model call — even with the model down now.
    model.reset('error-500');
    const again = await loadTeam(file, llm(), { cacheFile: cacheFile() });
    expect(again.compiledRules[2]).toEqual((loaded[2] as { compiled: unknown }).compiled);
    expect(model.calls()).toHaveLength(0);
    expect((await compileTeamRules(loadTeamConfig(file), llm(), { cacheFile: cacheFile() }))[2]).toMatchObject({ model: { cached: true } });

    // Another roster or another model is another compilation.
    model.reset('answers');
    await loadTeam(teamFile([...PARSED_RULES, FREE_ENGLISH], '  - { id: lee, name: Lee Wu, email: lee@acme.example }\n'), llm(), { cacheFile: cacheFile() });
    expect(model.calls()).toHaveLength(1);
    await loadTeam(file, llm(model.baseURL, 'another-model'), { cacheFile: cacheFile() });
    expect(model.calls()).toHaveLength(2);
    await loadTeam(file, llm(), { cacheFile: cacheFile() });
    expect(model.calls()).toHaveLength(2);
  });

  it.each(BROKEN.filter((b) => b !== 'rate-limited-then-ok'))(
    '%s: a rule only the model can read stops start-up with the rule, the parser\'s reason and the model\'s failure, after bounded retries',
    async (b) => {
      const provider = await withBehaviour(b);
      const started = Date.now();
      const err = await loadTeam(teamFile([...PARSED_RULES, FREE_ENGLISH]), provider, { cacheFile: cacheFile() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(/^team-\w+\.yaml: rules\[2\]: cannot compile "Anything involving law firms is Tom’s, and Priya joins": the parser: .+; the model \(openai scripted at .+, 3 attempts\): .+/);
      const failure = {
        'error-500': /500 The server had an error/,
        'invalid-json': /invalid JSON/,
        refusal: /model refused/,
        truncated: /truncated/,
        slow: /no answer within the 800 ms budget/,
        unreachable: /unreachable|ECONNREFUSED/,
        'out-of-roster': /does not match the schema.*target|not in the team/,
        'not-understood': /could not compile it: who is Tom\?/,
      }[b as string]!;
      expect(message).toMatch(failure);
      expect(model.calls().length).toBeLessThanOrEqual(RULE_COMPILE_ATTEMPTS * 3);
      expect(Date.now() - started).toBeLessThan(RULE_COMPILE_ATTEMPTS * (BUDGET_MS + 300));
    },
  );

  it('a 429 then an answer: the rule compiles', async () => {
    model.reset('rate-limited-then-ok');
    const team = await loadTeam(teamFile([FREE_ENGLISH]), llm(), { cacheFile: cacheFile() });
    expect(team.compiledRules[0]).toMatchObject({ compiledBy: 'llm', target: { id: 'tom' } });
    expect(model.calls()).toHaveLength(2);
  });
});

describe('loadWorkerSide (what npm start and the worker load)', () => {
  it('starts with the model unreachable, and compiles a free-English rule once into BATON_DATA_DIR', async () => {
    const env = (baseURL: string, team: string) => ({
      OPENAI_API_KEY: 'k', OPENAI_BASE_URL: baseURL, OPENAI_MODEL: 'scripted', BATON_LLM_TIMEOUT_MS: String(BUDGET_MS),
      BATON_TEAM: team, BATON_DATA_DIR: join(dir, 'data'), BATON_CRM: join(dir, 'none.yaml'), BATON_CALENDAR: join(dir, 'none.json'),
    });
    const start = (e: Record<string, string>) => loadWorkerSide(readSettings(e), e);
    const down = await start(env(await unreachableBaseURL(), teamFile(PARSED_RULES)));
    expect(down.team.compiledRules).toHaveLength(2);
    expect(down.setup.summary.find((l) => l.startsWith('llm:'))).toMatch(/^llm: openai \(scripted at http:\/\/127\.0\.0\.1:\d+\/v1; 800 ms and 1024 output tokens per step\)$/);

    const file = teamFile([...PARSED_RULES, FREE_ENGLISH]);
    for (let i = 0; i < 2; i++) {
      const baton = await start(env(model.baseURL, file));
      expect(baton.team.compiledRules[2]!.compiledBy).toBe('llm');
      expect(baton.setup.summary).toContain('rules: 1 of 3 compiled by the LLM (npx baton rules shows them)');
    }
    expect(model.calls()).toHaveLength(1);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'data', 'compiled-rules.json'), 'utf8')).entries)).toHaveLength(1);
  });
});

describe('the compiled-rules cache', () => {
  it('a corrupted cache file never stops start-up: it is ignored with a warning, and rewritten', async () => {
    const file = teamFile([FREE_ENGLISH]);
    for (const junk of ['{ not json', '{"version": 9, "entries": {}}', '[]', '']) {
      writeFileSync(cacheFile(), junk);
      const warnings: string[] = [];
      const team = await loadTeam(file, llm(), { cacheFile: cacheFile(), warn: (m) => warnings.push(m) });
      expect(team.compiledRules[0]!.compiledBy).toBe('llm');
      if (junk) expect(warnings.join('\n')).toMatch(/compiled-rules\.json: (not valid JSON|not a compiled-rules file)/);
      expect(JSON.parse(readFileSync(cacheFile(), 'utf8'))).toMatchObject({ version: 1 });
    }
    expect(model.calls()).toHaveLength(4);
  });

  it('a cached answer that no longer passes the roster check is dropped and compiled again', async () => {
    const file = teamFile([FREE_ENGLISH]);
    await loadTeam(file, llm(), { cacheFile: cacheFile() });
    const stored = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { entries: Record<string, { answer: { target: unknown } }> };
    for (const entry of Object.values(stored.entries)) entry.answer.target = { type: 'rep', id: 'ceo' };
    writeFileSync(cacheFile(), JSON.stringify(stored));
    const warnings: string[] = [];
    const team = await loadTeam(file, llm(), { cacheFile: cacheFile(), warn: (m) => warnings.push(m) });
    expect(team.compiledRules[0]!.target).toEqual({ type: 'rep', id: 'tom' });
    expect(warnings.join('\n')).toMatch(/no longer passes the checks \(target rep "ceo" is not in the team/);
    expect(model.calls()).toHaveLength(2);
  });

  it('processes saving at the same time keep each other\'s entries; a cache that cannot be written is a warning', () => {
    const a = RuleCache.open(cacheFile());
    const b = RuleCache.open(cacheFile());
    a.set('key-a', { rule: 'A', model: 'm', compiledAt: '2026-01-01T00:00:00Z', answer: {} });
    b.set('key-b', { rule: 'B', model: 'm', compiledAt: '2026-01-01T00:00:01Z', answer: {} });
    a.save();
    b.save();
    const reopened = RuleCache.open(cacheFile());
    expect(reopened.get('key-a')?.rule).toBe('A');
    expect(reopened.get('key-b')?.rule).toBe('B');

    // A data directory that cannot hold the file (here: a path under a plain file).
    const warnings: string[] = [];
    writeFileSync(join(dir, 'a-file'), '');
    const c = RuleCache.open(join(dir, 'a-file', 'compiled-rules.json'), (m) => warnings.push(m));
    c.set('k', { rule: 'C', model: 'm', compiledAt: '2026-01-01T00:00:00Z', answer: {} });
    expect(() => c.save()).not.toThrow();
    expect(warnings.join('\n')).toMatch(/cannot save compiled rules \((ENOTDIR|EEXIST)\)/);
  });
});
