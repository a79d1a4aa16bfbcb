/**
 * Compiling routing rules with an LLM: the structured answer it must give, the prompt, and the
 * checks that keep its answer inside the roster. Pure; the LLM call itself lives in activities.
 */
import { z } from 'zod';
import { BUILT_IN_TERRITORIES, canonicalTerritory } from '../qualify/geo';
import { canonicalIndustry, INDUSTRY_IDS } from '../qualify/industries';
import { describeRoster, sameTarget } from './rule-targets';
import { RuleCompileError, type CompiledRule, type Condition, type Roster, type RuleTarget } from './rule-types';
import { normalizeName } from '../text-match';

// ---------------------------------------------------------------- checking (LLM output)

function targetProblem(t: RuleTarget, roster: Roster, what: string): string | null {
  const list = t.type === 'rep' ? roster.reps : roster.pools;
  return list.some((x) => x.id === t.id) ? null : `${what} ${t.type} "${t.id}" is not in the team (${describeRoster(roster)})`;
}

/** Null when the rule uses only known reps, pools, industries and territories; else what is wrong. */
export function ruleUsesOnlyRoster(rule: CompiledRule, roster: Roster): string | null {
  const problem = targetProblem(rule.target, roster, 'target');
  if (problem) return problem;
  for (const a of rule.attendees) {
    const p = targetProblem(a, roster, 'attendee');
    if (p) return p;
  }
  for (const c of rule.conditions) {
    if (c.kind === 'amount' || c.kind === 'employees') {
      if (c.min === undefined && c.max === undefined) return `${c.kind} condition has no bound`;
      for (const v of [c.min, c.max]) if (v !== undefined && (!Number.isFinite(v) || v < 0)) return `${c.kind} bound ${v} is not a non-negative number`;
      if (c.min !== undefined && c.max !== undefined && c.min > c.max) return `${c.kind} range ${c.min}..${c.max} runs backwards`;
    } else if (c.kind === 'industry') {
      if (c.industries.length === 0) return 'industry condition lists no industry';
      const unknown = c.industries.find((i) => !INDUSTRY_IDS.includes(i));
      if (unknown) return `unknown industry "${unknown}" (known: ${INDUSTRY_IDS.join(', ')})`;
    } else if (c.kind === 'territory') {
      if (!canonicalTerritory(c.territory, roster.territories)) return `unknown territory "${c.territory}"`;
    } else if (c.kind === 'mention') {
      if (c.terms.length === 0 || c.terms.some((t) => !t.trim())) return 'mention condition has an empty term';
    }
  }
  return null;
}

// ---------------------------------------------------------------- LLM compilation

const llmTarget = z.strictObject({ type: z.enum(['rep', 'pool']), id: z.string() });

/** What an LLM returns for one rule: every key present, null when not applicable (OpenAI strict structured outputs). */
export const llmRuleSchema = z.strictObject({
  understood: z.boolean(),
  problem: z.string().nullable(),
  conditions: z.array(
    z.strictObject({
      kind: z.enum(['amount', 'employees', 'industry', 'territory', 'mention', 'urgent']),
      min: z.number().nullable(),
      max: z.number().nullable(),
      minInclusive: z.boolean().nullable(),
      maxInclusive: z.boolean().nullable(),
      industries: z.array(z.string()).nullable(),
      territory: z.string().nullable(),
      terms: z.array(z.string()).nullable(),
    }),
  ),
  target: llmTarget,
  attendees: z.array(llmTarget),
});

export type LlmRule = z.infer<typeof llmRuleSchema>;

/**
 * The schema sent to the model for one team: `llmRuleSchema` with target and attendee ids limited
 * to the roster (an `enum` per kind), so a schema-constrained model cannot name anyone else. Its
 * answer is still parsed with `llmRuleSchema` and checked against the roster by `ruleFromLlm`,
 * for servers that do not enforce the schema.
 */
export function llmRuleSchemaFor(roster: Roster) {
  const ids = (list: { id: string }[]) => list.map((x) => x.id) as [string, ...string[]];
  const rep = z.strictObject({ type: z.literal('rep'), id: z.enum(ids(roster.reps)) });
  const target = roster.pools.length ? z.union([rep, z.strictObject({ type: z.literal('pool'), id: z.enum(ids(roster.pools)) })]) : rep;
  return llmRuleSchema.extend({ target, attendees: z.array(target) });
}

export function rulePrompt(text: string, roster: Roster): { system: string; user: string } {
  const configured = Object.entries(roster.territories).map(([name, entries]) => `${name} (${entries.join(', ')})`);
  const system = [
    'You compile one plain-English lead routing rule into structured conditions and a target.',
    'All conditions must hold (AND). Return understood=false with `problem` when the rule cannot be expressed exactly with these conditions, names someone not listed, or is ambiguous; never drop part of a rule.',
    'Condition kinds (unused fields null):',
    '- amount: deal size / budget in USD: min and/or max, with minInclusive/maxInclusive ("over $100K" -> min 100000, minInclusive false; "$1.2M+" -> min 1200000, minInclusive true; "between $50k and $250k" -> both, inclusive).',
    '- employees: company head count, same fields.',
    `- industry: industries, any of: ${INDUSTRY_IDS.join(', ')}.`,
    `- territory: one of the configured territories [${configured.join('; ') || 'none'}], a built-in one [${Object.keys(BUILT_IN_TERRITORIES).join(', ')}], a US state 2-letter code, or an ISO 3166-1 alpha-2 country code.`,
    `- mention: terms the lead's text must contain (any of them); configured competitors: ${roster.competitors.map((c) => JSON.stringify(c)).join(', ') || 'none'}.`,
    '- urgent: the lead is urgent.',
    'target: where leads go, a rep or a pool by id. attendees: extra meeting attendees; a pool attendee means one member of that pool.',
    `Reps (id: name): ${roster.reps.map((r) => `${r.id}: ${r.name}`).join('; ')}.`,
    `Pools (id: name): ${roster.pools.map((p) => `${p.id}: ${p.name}`).join('; ') || 'none'}.`,
    'Words like "enterprise deals" or "leads" are labels, not conditions, unless the rule defines them.',
  ].join('\n');
  return { system, user: text };
}

function fail(index: number, text: string, reason: string): never {
  throw new RuleCompileError(index, text, reason);
}

/** Validates an LLM's compiled rule against the schema and the roster; throws RuleCompileError. */
export function ruleFromLlm(output: unknown, text: string, index: number, roster: Roster): CompiledRule {
  const parsed = llmRuleSchema.safeParse(output);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(index, text, `the LLM answer is not valid (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`);
  }
  const out = parsed.data;
  if (!out.understood) fail(index, text, `the LLM could not compile it: ${out.problem ?? 'no reason given'}`);
  const conditions: Condition[] = [];
  for (const c of out.conditions) {
    switch (c.kind) {
      case 'amount':
      case 'employees': {
        if (c.min === null && c.max === null) fail(index, text, `the LLM gave a ${c.kind} condition without bounds`);
        const cond: Extract<Condition, { kind: 'amount' | 'employees' }> = { kind: c.kind, minInclusive: c.minInclusive ?? false, maxInclusive: c.maxInclusive ?? false };
        if (c.min !== null) cond.min = c.min;
        if (c.max !== null) cond.max = c.max;
        conditions.push(cond);
        break;
      }
      case 'industry': {
        const ids = (c.industries ?? []).map((i) => canonicalIndustry(i) ?? i.trim().toLowerCase());
        conditions.push({ kind: 'industry', industries: [...new Set(ids)] });
        break;
      }
      case 'territory': {
        const value = c.territory ? canonicalTerritory(c.territory, roster.territories) : undefined;
        if (!value) fail(index, text, `the LLM named an unknown territory ${JSON.stringify(c.territory)}`);
        conditions.push({ kind: 'territory', territory: value });
        break;
      }
      case 'mention': {
        const byName = new Map(roster.competitors.map((n) => [normalizeName(n), n]));
        const terms = (c.terms ?? []).map((t) => t.trim()).filter(Boolean).map((t) => byName.get(normalizeName(t)) ?? t);
        conditions.push({ kind: 'mention', terms });
        break;
      }
      case 'urgent':
        conditions.push({ kind: 'urgent' });
        break;
    }
  }
  const rule: CompiledRule = { index, text, conditions, target: out.target, attendees: out.attendees, compiledBy: 'llm' };
  const problem = ruleUsesOnlyRoster(rule, roster);
  if (problem) fail(index, text, problem);
  rule.attendees = rule.attendees.filter((a, i, all) => !sameTarget(a, rule.target) && all.findIndex((b) => sameTarget(a, b)) === i);
  return rule;
}
