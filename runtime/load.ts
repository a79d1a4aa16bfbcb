import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath, parseTeamConfig, type TeamConfig } from '../domain/team/config';
import { ConfigError, InputError } from '../domain/errors';
import { compileRule, RuleCompileError, ruleFromLlm, rulePrompt, llmRuleSchema, type CompiledRule } from '../domain/route/rules';
import { assertRulesBookable, rosterOf, type Team } from '../domain/team/team';
import type { LlmProvider } from '../integrations/providers';
import type { SeedAccount } from '../integrations/embedded/crm';
import type { SeedEvent } from '../integrations/embedded/calendar';

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

/**
 * Loads team.yaml and compiles its rules once: by the LLM when one is configured (its output is
 * checked against the roster), else by the deterministic parser. A rule that does not compile
 * stops start-up with the rule quoted.
 */
export async function loadTeam(file: string, llm?: LlmProvider): Promise<Team> {
  const config = loadTeamConfig(file);
  const roster = rosterOf(config);
  const compiledRules: CompiledRule[] = [];
  for (const [index, text] of config.rules.entries()) {
    try {
      if (!llm) {
        compiledRules.push(compileRule(text, index, roster));
        continue;
      }
      const { value } = await llm.completeJson({ name: 'compile_rule', ...rulePrompt(text, roster), schema: llmRuleSchema });
      compiledRules.push(ruleFromLlm(value, text, index, roster));
    } catch (err) {
      if (err instanceof RuleCompileError) throw new ConfigError(`${basename(file)}: ${err.message}`, { details: err.details });
      throw err;
    }
  }
  assertRulesBookable(config, compiledRules, basename(file));
  return { ...config, compiledRules };
}

const seedAccountsSchema = z.strictObject({
  accounts: z
    .array(z.strictObject({ domain: z.string().min(3), name: z.string().optional(), owner: z.string().optional() }))
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

/** crm.yaml: `accounts: [{ domain, name, owner }]`. A missing file means no accounts. */
export function loadCrmSeed(file: string, team?: TeamConfig): SeedAccount[] {
  if (!existsSync(file)) return [];
  let raw: unknown;
  try {
    raw = parseYaml(readText(file, 'CRM seed'));
  } catch (err) {
    throw new ConfigError(`${basename(file)}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const { accounts } = validated(seedAccountsSchema, raw ?? {}, file);
  accounts.forEach((a, i) => {
    const known = !a.owner || a.owner.includes('@') || team?.reps.some((r) => r.id === a.owner);
    if (team && !known) throw new ConfigError(`${basename(file)}: accounts[${i}].owner: expected a rep id or email, got "${a.owner}"`);
  });
  return accounts;
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
