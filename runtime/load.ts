import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath, parseTeamConfig, type TeamConfig } from '../domain/team/config';
import { ConfigError, InputError, ProviderAuthError } from '../domain/errors';
import { compileRule, RuleCompileError, ruleFromLlm, rulePrompt, llmRuleSchemaFor, type CompiledRule, type Roster } from '../domain/route/rules';
import { assertRulesBookable, rosterOf, type Team } from '../domain/team/team';
import type { LlmProvider } from '../integrations/providers';
import type { SeedAccount } from '../integrations/embedded/crm';
import type { SeedEvent } from '../integrations/embedded/calendar';
import { RuleCache, ruleCacheKey } from './rule-cache';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function loadTeamConfig(file: string): TeamConfig {
  return parseTeamConfig(readText(file, 'team file'), basename(file));
}

/** Tries per rule the model gets at load, for a rule only it can read (each within the step budget). */
export const RULE_COMPILE_ATTEMPTS = 3;

export interface RuleLoadOptions {
  /** Where model-compiled rules are kept across restarts (runtime/rule-cache.ts); unset: not kept. */
  cacheFile?: string;
  /** Start-up warnings (a corrupted cache file, a cache that cannot be saved). */
  warn?: (message: string) => void;
}

/** How the model compiled a rule the parser could not. */
export interface ModelCompilation {
  identity: string;
  /** Read from the compiled-rules cache: no model call was made. */
  cached: boolean;
  /** What the deterministic parser did not understand. */
  parserReason: string;
}

/** One rule as loaded: compiled (by the parser, or by the model when the parser could not), or why not. */
export type LoadedRule =
  | { index: number; text: string; compiled: CompiledRule; model?: ModelCompilation }
  | { index: number; text: string; error: RuleCompileError };

/**
 * Compiles every rule of a team: the deterministic parser first; the model only for rules the
 * parser cannot compile, with the roster's ids as enums in the schema and its answer checked
 * against the roster, cached across restarts. A model failure for a rule the parser understands
 * cannot happen (the model is not asked); for a rule only the model can read, it gets
 * RULE_COMPILE_ATTEMPTS tries and then the rule fails with both reasons.
 */
export async function compileTeamRules(config: TeamConfig, llm: LlmProvider | undefined, options: RuleLoadOptions = {}): Promise<LoadedRule[]> {
  const roster = rosterOf(config);
  const warn = options.warn ?? (() => {});
  const cache = RuleCache.open(llm ? (options.cacheFile ?? null) : null, warn);
  const loaded: LoadedRule[] = [];
  for (const [index, text] of config.rules.entries()) {
    let parserError: RuleCompileError;
    try {
      loaded.push({ index, text, compiled: compileRule(text, index, roster) });
      continue;
    } catch (err) {
      if (!(err instanceof RuleCompileError)) throw err;
      parserError = err;
    }
    loaded.push(llm ? await compileWithModel(llm, cache, roster, index, text, parserError, warn) : { index, text, error: parserError });
  }
  cache.save();
  return loaded;
}

async function compileWithModel(
  llm: LlmProvider,
  cache: RuleCache,
  roster: Roster,
  index: number,
  text: string,
  parserError: RuleCompileError,
  warn: (message: string) => void,
): Promise<LoadedRule> {
  const schema = llmRuleSchemaFor(roster);
  const prompt = rulePrompt(text, roster);
  const key = ruleCacheKey({ model: llm.identity, ...prompt, schema: z.toJSONSchema(schema) });
  const model = (cached: boolean): ModelCompilation => ({ identity: llm.identity, cached, parserReason: parserError.reason });
  const hit = cache.get(key);
  if (hit) {
    try {
      return { index, text, compiled: ruleFromLlm(hit.answer, text, index, roster), model: model(true) };
    } catch (err) {
      if (!(err instanceof RuleCompileError)) throw err;
      cache.drop(key);
      warn(`${cache.file}: the cached compilation of rules[${index}] no longer passes the checks (${err.reason}); compiling it again`);
    }
  }
  let failure = 'no answer';
  let attempts = 0;
  while (attempts < RULE_COMPILE_ATTEMPTS) {
    attempts++;
    try {
      const { value } = await llm.completeJson({ name: 'compile_rule', ...prompt, schema });
      const compiled = ruleFromLlm(value, text, index, roster);
      cache.set(key, { rule: text, model: llm.identity, compiledAt: new Date().toISOString(), answer: value });
      return { index, text, compiled, model: model(false) };
    } catch (err) {
      failure = err instanceof RuleCompileError ? err.reason : (err as Error).message;
      // Retrying cannot fix credentials.
      if (err instanceof ProviderAuthError) break;
    }
  }
  const reason = `the parser: ${parserError.reason}; the model (${llm.identity}, ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}): ${failure}`;
  return { index, text, error: new RuleCompileError(index, text, reason) };
}

/**
 * Loads team.yaml and compiles its rules once (see compileTeamRules). A rule that does not
 * compile stops start-up with the rule quoted and what was not understood.
 */
export async function loadTeam(file: string, llm?: LlmProvider, options: RuleLoadOptions = {}): Promise<Team> {
  const config = loadTeamConfig(file);
  const compiledRules: CompiledRule[] = [];
  for (const rule of await compileTeamRules(config, llm, options)) {
    if ('error' in rule) throw new ConfigError(`${basename(file)}: ${rule.error.message}`, { details: rule.error.details });
    compiledRules.push(rule.compiled);
  }
  assertRulesBookable(config, compiledRules, basename(file));
  return { ...config, compiledRules };
}

const seedAccountsSchema = z.strictObject({
  accounts: z
    .array(z.strictObject({ domain: z.string().min(3), name: z.string().optional(), owner: z.string().trim().min(1, 'expected a rep id or email').optional() }))
    .default([]),
});

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /T/.test(s), { message: 'expected an ISO date-time' });
const seedCalendarSchema = z.record(
  z.string(),
  z.array(
    z.strictObject({
      start: isoInstant,
      end: isoInstant,
      type: z.enum(['busy', 'ooo']).default('busy'),
      title: z.string().optional(),
    }),
  ),
);

function validated<T>(schema: z.ZodType<T>, raw: unknown, file: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const text = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
  throw new ConfigError(`${basename(file)}: ${formatPath(issue.path)}: ${text}`);
}

/**
 * crm.yaml: `accounts: [{ domain, name, owner }]`. A missing file means no accounts. An owner is a
 * rep id or an email; one who is not on the team (someone who left: every real CRM has them) is
 * kept, and routing notes it and goes on to the rules.
 */
export function loadCrmSeed(file: string): SeedAccount[] {
  if (!existsSync(file)) return [];
  let raw: unknown;
  try {
    raw = parseYaml(readText(file, 'CRM seed'));
  } catch (err) {
    throw new ConfigError(`${basename(file)}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return validated(seedAccountsSchema, raw ?? {}, file).accounts;
}

/** calendar.json: `{ "sarah": [{ start, end, type, title }] }`. A missing file means empty calendars. */
export function loadCalendarSeed(file: string, team?: TeamConfig): Record<string, SeedEvent[]> {
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readText(file, 'calendar seed'));
  } catch (err) {
    throw new ConfigError(`${basename(file)}: not valid JSON: ${(err as Error).message}`);
  }
  const calendars = validated(seedCalendarSchema, raw, file);
  for (const [repId, events] of Object.entries(calendars)) {
    if (team && !team.reps.some((r) => r.id === repId)) {
      throw new ConfigError(`${basename(file)}: ${repId}: expected a rep id from the team file`);
    }
    events.forEach((e, i) => {
      if (Date.parse(e.end) <= Date.parse(e.start)) throw new ConfigError(`${basename(file)}: ${repId}[${i}].end: expected a time after start`);
    });
  }
  return calendars;
}

/** One time the buyer was offered, as the API lists it (`GET /v1/leads/:id` -> proposals). */
export interface ProposalFileEntry {
  id: string;
  start: string;
  end: string;
  attendees: string[];
}

const proposalsFileSchema = z.array(
  z.strictObject({
    id: z.string().min(1, 'expected a proposal id'),
    start: isoInstant,
    end: isoInstant,
    attendees: z.array(z.string().min(1)).min(1, 'expected at least one rep id'),
  }),
  { error: 'expected a list of proposals [{ id, start, end, attendees }]' },
);

/**
 * proposals.json for `baton reply`: the list the buyer was offered, `[{ id, start, end, attendees }]`.
 * Ids must be unique, each end after its start, attendees reps of the team. Errors name the file,
 * the path inside it and the reason.
 */
export function loadProposals(file: string, team: TeamConfig): ProposalFileEntry[] {
  const name = basename(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${name}: ${code === 'ENOENT' ? 'no such file' : code ? `cannot read it (${code})` : `not valid JSON: ${(err as Error).message}`}`);
  }
  const parsed = proposalsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const text = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
    throw new InputError(`${name}: ${formatPath(issue.path)}: ${text}`);
  }
  const seen = new Set<string>();
  parsed.data.forEach((p, i) => {
    if (seen.has(p.id)) throw new InputError(`${name}: [${i}].id: duplicate proposal id "${p.id}"`);
    seen.add(p.id);
    if (Date.parse(p.end) <= Date.parse(p.start)) throw new InputError(`${name}: [${i}].end: expected a time after start`);
    p.attendees.forEach((id, j) => {
      if (!team.reps.some((r) => r.id === id)) {
        throw new InputError(`${name}: [${i}].attendees[${j}]: unknown rep "${id}" (known: ${team.reps.map((r) => r.id).join(', ')})`);
      }
    });
  });
  return parsed.data;
}
