/**
 * Routing rules: plain English compiled once, at load time, into plain JSON data (it travels into
 * Temporal workflows), then evaluated against lead facts, first match wins. Pure.
 *
 * The deterministic parser (rule-parser.ts, rule-targets.ts) understands the phrasings listed in
 * the contract; with an LLM configured, `rulePrompt` / `ruleFromLlm` compile any English into the
 * same form, checked against the roster.
 */
import { z } from 'zod';
import { formatCount, formatUsd } from './amounts';
import { ConfigError } from './errors';
import type { Facts } from './facts';
import { BUILT_IN_TERRITORIES, canonicalTerritory, describeTerritory, matchesTerritory, type Location } from './geo';
import { canonicalIndustry, INDUSTRY_IDS } from './industries';
import { ConditionError, parseConditions, type ParseContext } from './rule-parser';
import { describeRoster, resolveAttendee, resolveTarget, sameTarget } from './rule-targets';
import { normalizeName, termRegex } from './text-match';

export type Condition =
  | { kind: 'amount'; min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean }
  | { kind: 'employees'; min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean }
  | { kind: 'industry'; industries: string[] }
  | { kind: 'territory'; territory: string }
  | { kind: 'mention'; terms: string[] }
  | { kind: 'urgent' };

export interface RuleTarget {
  type: 'rep' | 'pool';
  id: string;
}

export interface CompiledRule {
  index: number;
  text: string;
  conditions: Condition[];
  target: RuleTarget;
  /** Extra people on the meeting: a rep, or one member of a pool. */
  attendees: RuleTarget[];
  compiledBy: 'parser' | 'llm';
}

export interface Roster {
  reps: { id: string; name: string }[];
  pools: { id: string; name: string }[];
  territories: Record<string, string[]>;
  competitors: string[];
}

/** A rule that cannot be compiled: `rules[3]: cannot compile "<rule>": <what was not understood>`. */
export class RuleCompileError extends ConfigError {
  readonly index: number;
  readonly rule: string;
  readonly reason: string;

  constructor(index: number, rule: string, reason: string) {
    super(`rules[${index}]: cannot compile "${rule}": ${reason}`, { details: { path: `rules[${index}]`, rule, reason } });
    this.index = index;
    this.rule = rule;
    this.reason = reason;
  }
}

// ---------------------------------------------------------------- compiling

const VERB = new RegExp(
  String.raw`(?<![\p{L}])(?:should\s+)?(?:(?:be|are|is|get|gets|always)\s+)?(?:go|goes|route|routes|routed|send|sends|sent|assign|assigns|assigned|belong|belongs|hand|hands|handed(?:\s+off)?|give|given|forward|forwarded|pass|passed)(?:\s+(?:it|them|those|these|the\s+leads?|that\s+lead|those\s+leads))?\s+to\s+`,
  'giu',
);
const LEADING_VERB = /^(?:please\s+)?(?:route|send|assign|give|forward|hand|pass)\s+/i;
const TARGET_FIRST = /^(.+?)\s+(?:handles?|gets?|takes?|owns?|covers?|receives?|works)\s+(.+)$/i;
const ATTENDEES = /^(.*?)(?:\s*,\s*|\s+)(?:along\s+with|together\s+with|with|plus|including|and\s+(?:also\s+)?(?:add|include|invite|cc)|cc)\s+(.+)$/i;

const PARSE_CONTEXTS = new WeakMap<object, ParseContext>();

function parseContext(roster: Roster): ParseContext {
  let ctx = PARSE_CONTEXTS.get(roster);
  if (!ctx) PARSE_CONTEXTS.set(roster, (ctx = { territories: roster.territories, competitors: roster.competitors }));
  return ctx;
}

type Targets = { target: RuleTarget; attendees: RuleTarget[] };

function parseTargets(text: string, roster: Roster): Targets | { error: string } {
  const clean = text.trim().replace(/[,;]+$/, '');
  const m = ATTENDEES.exec(clean);
  const main = resolveTarget(m ? m[1]! : clean, roster);
  if ('error' in main) return main;
  const attendees: RuleTarget[] = [];
  if (m) {
    for (const phrase of m[2]!.split(/\s*,\s*(?:and\s+)?|\s+and\s+|\s+plus\s+/i).filter((p) => p.trim())) {
      const r = resolveAttendee(phrase, roster);
      if ('error' in r) return { error: `attendee: ${r.error}` };
      if (!sameTarget(r.target, main.target) && !attendees.some((a) => sameTarget(a, r.target))) attendees.push(r.target);
    }
  }
  return { target: main.target, attendees };
}

/** Splits a rule into its condition text and its targets, trying the phrasings in turn. */
function splitRule(text: string, roster: Roster): { conditions: string } & Targets {
  let firstError: string | undefined;
  const attempt = (conditions: string, targetText: string): ({ conditions: string } & Targets) | undefined => {
    const targets = parseTargets(targetText, roster);
    if ('error' in targets) {
      firstError ??= targets.error;
      return undefined;
    }
    return { conditions: conditions.trim().replace(/[,;:]+$/, '').replace(/\bthen$/i, '').trim(), ...targets };
  };
  // "<conditions> go to <target> [with <attendees>]"; "If <conditions>, route to <target>"
  const verbs = [...text.matchAll(VERB)].reverse();
  for (const v of verbs) {
    const found = attempt(text.slice(0, v.index), text.slice(v.index + v[0].length));
    if (found) return found;
  }
  // "Route <conditions> to <target>"
  const lead = LEADING_VERB.exec(text);
  if (lead) {
    const rest = text.slice(lead[0].length);
    const tos = [...rest.matchAll(/\s+to\s+/gi)].reverse();
    for (const to of tos) {
      const found = attempt(rest.slice(0, to.index), rest.slice(to.index + to[0].length));
      if (found) return found;
    }
  }
  // "<conditions> -> <target>", "<conditions>: <target>"
  const arrow = /^(.*)(?:->|→|=>|:)\s*(.+)$/.exec(text);
  if (arrow) {
    const found = attempt(arrow[1]!, arrow[2]!);
    if (found) return found;
  }
  // "Sarah handles healthcare leads"
  const first = TARGET_FIRST.exec(text);
  if (first && !verbs.length) {
    const targets = parseTargets(first[1]!, roster);
    if (!('error' in targets)) return { conditions: first[2]!, ...targets };
  }
  throw new ConditionError(firstError ?? 'no target: expected "... go to <rep or pool>" (or "route to", "send to", "assign to", "belong to")');
}

/** Compiles one rule with the deterministic parser; throws RuleCompileError quoting the rule. */
export function compileRule(text: string, index: number, roster: Roster): CompiledRule {
  const clean = text.trim().replace(/\s+/g, ' ').replace(/[.!]+$/, '');
  try {
    const split = splitRule(clean, roster);
    const conditions = parseConditions(split.conditions, parseContext(roster));
    return { index, text, conditions, target: split.target, attendees: split.attendees, compiledBy: 'parser' };
  } catch (err) {
    if (err instanceof ConditionError) throw new RuleCompileError(index, text, err.message);
    throw err;
  }
}

/** Compiles every rule; the first rule that cannot be compiled throws. */
export function compileRules(rules: string[], roster: Roster): CompiledRule[] {
  return rules.map((text, index) => compileRule(text, index, roster));
}

// ---------------------------------------------------------------- describing

function describeRange(name: string, c: { min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean }, fmt: (n: number) => string): string {
  const lo = c.min !== undefined ? `${fmt(c.min)} ${c.minInclusive ? '<=' : '<'} ` : '';
  const hi = c.max !== undefined ? ` ${c.maxInclusive ? '<=' : '<'} ${fmt(c.max)}` : '';
  if (c.min !== undefined && c.max === undefined) return `${name} ${c.minInclusive ? '>=' : '>'} ${fmt(c.min)}`;
  return `${lo}${name}${hi}`;
}

export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'amount':
      return describeRange('amount', c, formatUsd);
    case 'employees':
      return describeRange('employees', c, formatCount);
    case 'industry':
      return `industry ${c.industries.join(' or ')}`;
    case 'territory':
      return `territory ${describeTerritory(c.territory)}`;
    case 'mention':
      return `mentions ${c.terms.map((t) => JSON.stringify(t)).join(' or ')}`;
    case 'urgent':
      return 'urgent';
  }
}

function describeTarget(t: RuleTarget): string {
  return `${t.type} ${t.id}`;
}

/** "IF amount > $100,000 THEN pool enterprise + 1 from pool se" */
export function describeRule(rule: CompiledRule): string {
  const when = rule.conditions.length ? rule.conditions.map(describeCondition).join(' AND ') : 'any lead';
  const extra = rule.attendees.map((a) => (a.type === 'pool' ? ` + 1 from pool ${a.id}` : ` + rep ${a.id}`)).join('');
  return `IF ${when} THEN ${describeTarget(rule.target)}${extra}`;
}

// ---------------------------------------------------------------- matching

const NO_TERRITORIES: Record<string, string[]> = Object.freeze({}) as Record<string, string[]>;

function inRange(value: number, c: { min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean }): boolean {
  if (c.min !== undefined && (c.minInclusive ? value < c.min : value <= c.min)) return false;
  if (c.max !== undefined && (c.maxInclusive ? value > c.max : value >= c.max)) return false;
  return true;
}

function rangeReason(label: string, value: string, c: { min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean }, fmt: (n: number) => string): string {
  const parts: string[] = [];
  if (c.min !== undefined) parts.push(`${c.minInclusive ? '>=' : '>'} ${fmt(c.min)}`);
  if (c.max !== undefined) parts.push(`${c.maxInclusive ? '<=' : '<'} ${fmt(c.max)}`);
  return `${label} ${value} ${parts.join(' and ')}`;
}

function locationOf(facts: Facts): Location | undefined {
  if (!facts.city && !facts.state && !facts.country) return undefined;
  const loc: Location = {};
  if (facts.city) loc.city = facts.city.value;
  if (facts.state) loc.state = facts.state.value;
  if (facts.country) loc.country = facts.country.value;
  return loc;
}

function where(loc: Location | undefined): string {
  return loc ? [loc.city, loc.state, loc.country].filter(Boolean).join(', ') : '';
}

/** Why a condition holds for these facts, or null when it does not. */
function check(c: Condition, facts: Facts, text: string): string | null {
  switch (c.kind) {
    case 'amount': {
      const v = facts.budgetUsd?.value;
      return v !== undefined && inRange(v, c) ? rangeReason('budget', formatUsd(v), c, formatUsd) : null;
    }
    case 'employees': {
      const v = facts.employees?.value;
      return v !== undefined && inRange(v, c) ? rangeReason('employees', formatCount(v), c, formatCount) : null;
    }
    case 'industry': {
      const v = facts.industry?.value;
      return v !== undefined && c.industries.includes(v) ? `industry ${v}` : null;
    }
    case 'territory': {
      const wanted = c.territory.toLowerCase();
      const loc = locationOf(facts);
      const named = facts.territories.some((t) => t.toLowerCase() === wanted);
      if (named || (loc && matchesTerritory(c.territory, loc, NO_TERRITORIES))) {
        const at = where(loc);
        return `territory ${c.territory}${at ? ` (${at})` : ''}`;
      }
      return null;
    }
    case 'mention': {
      for (const term of c.terms) {
        const lower = term.toLowerCase();
        if (facts.mentions.some((m) => m.value.toLowerCase() === lower) || termRegex(term).test(text)) return `mentions ${JSON.stringify(term)}`;
      }
      return null;
    }
    case 'urgent':
      return facts.urgent?.value === true ? (facts.urgent.quote ? `urgent (${JSON.stringify(facts.urgent.quote)})` : 'urgent') : null;
  }
}

/** The first rule whose conditions all hold, with a reason per condition; null when none does. */
export function matchRule(rules: CompiledRule[], facts: Facts, text: string): { rule: CompiledRule; reasons: string[] } | null {
  for (const rule of rules) {
    const reasons: string[] = [];
    let ok = true;
    for (const c of rule.conditions) {
      const reason = check(c, facts, text);
      if (reason === null) {
        ok = false;
        break;
      }
      reasons.push(reason);
    }
    if (ok) return { rule, reasons: reasons.length ? reasons : ['rule has no conditions: it matches every lead'] };
  }
  return null;
}

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
