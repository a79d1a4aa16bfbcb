/**
 * Compiling routing rules with an LLM: the structured answer it must give, the prompt, and the
 * checks that keep its answer inside the roster. Pure; the LLM call itself lives in activities.
 */
import { z } from 'zod';
import { conditionPromptLines, conditionsFromLlm, conditionsProblem, llmConditionSchema } from './conditions-llm';
import { describeRoster, sameTarget } from './rule-targets';
import { RuleCompileError, type CompiledRule, type Roster, type RuleTarget } from './rule-types';

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
  return conditionsProblem(rule.conditions, roster);
}

// ---------------------------------------------------------------- LLM compilation

const llmTarget = z.strictObject({ type: z.enum(['rep', 'pool']), id: z.string() });

/** What an LLM returns for one rule: every key present, null when not applicable (OpenAI strict structured outputs). */
export const llmRuleSchema = z.strictObject({
  understood: z.boolean(),
  problem: z.string().nullable(),
  conditions: z.array(llmConditionSchema),
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
  const system = [
    'You compile one plain-English lead routing rule into structured conditions and a target.',
    ...conditionPromptLines(roster),
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
  const conditions = conditionsFromLlm(out.conditions, roster, (reason) => fail(index, text, reason));
  const rule: CompiledRule = { index, text, conditions, target: out.target, attendees: out.attendees, compiledBy: 'llm' };
  const problem = ruleUsesOnlyRoster(rule, roster);
  if (problem) fail(index, text, problem);
  rule.attendees = rule.attendees.filter((a, i, all) => !sameTarget(a, rule.target) && all.findIndex((b) => sameTarget(a, b)) === i);
  return rule;
}
