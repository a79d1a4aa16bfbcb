/**
 * Routing rules: plain English compiled once, at load time, into plain JSON data (it travels into
 * Temporal workflows), then evaluated against lead facts, first match wins. Pure.
 *
 * The deterministic parser (rule-parser.ts, rule-targets.ts) understands the phrasings listed in
 * the contract; with an LLM configured, `rulePrompt` / `ruleFromLlm` compile any English into the
 * same form, checked against the roster.
 */
import { formatCount, formatUsd } from '../qualify/amounts';
import type { Facts } from '../qualify/facts';
import { describeTerritory, matchesTerritory, type Location } from '../qualify/geo';
import { ConditionError, describeWrittenCurrency, parseConditions, type ParseContext } from './rule-parser';
import { resolveAttendee, resolveTarget, sameTarget } from './rule-targets';
import { RuleCompileError, type Atom, type Bounds, type CompiledRule, type Condition, type Roster, type RuleTarget } from './rule-types';
import { termRegex } from '../text-match';

export { RuleCompileError, type CompiledRule, type Condition, type Roster, type RuleTarget } from './rule-types';
export { llmRuleSchema, llmRuleSchemaFor, rulePrompt, ruleFromLlm, ruleUsesOnlyRoster, type LlmRule } from './rules-llm';

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
  if (!ctx) PARSE_CONTEXTS.set(roster, (ctx = { territories: roster.territories, competitors: roster.competitors, currencies: roster.currencies ?? {} }));
  return ctx;
}

type Targets = { target: RuleTarget; attendees: RuleTarget[]; unless?: string; also?: string };

/** "... go to Mark unless they mention Gong", "... go to Tom except for EMEA", "... go to Ana if it is urgent". */
const TRAILING = /^(.*?)\s*,?\s+(?:(?<unless>unless|except(?:\s+(?:when|if|where|for))?|excluding|but\s+not)|(?<also>if|when|whenever|as\s+long\s+as|provided(?:\s+that)?))\s+(?<clause>.+)$/i;

function parseTargets(text: string, roster: Roster): Targets | { error: string } {
  let clean = text.trim().replace(/[,;]+$/, '');
  const trailing = TRAILING.exec(clean);
  if (trailing) clean = trailing[1]!;
  const found = parseTargetList(clean, roster);
  if ('error' in found || !trailing) return found;
  const g = trailing.groups!;
  return g.unless ? { ...found, unless: g.clause! } : { ...found, also: g.clause! };
}

function parseTargetList(clean: string, roster: Roster): Targets | { error: string } {
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
    const conditions = parseConditions(split.conditions, parseContext(roster), { ...(split.unless ? { unless: split.unless } : {}), ...(split.also ? { also: split.also } : {}) });
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

function describeRange(name: string, c: Bounds, fmt: (n: number) => string): string {
  const lo = c.min !== undefined ? `${fmt(c.min)} ${c.minInclusive ? '<=' : '<'} ` : '';
  const hi = c.max !== undefined ? ` ${c.maxInclusive ? '<=' : '<'} ${fmt(c.max)}` : '';
  if (c.min !== undefined && c.max === undefined) return `${name} ${c.minInclusive ? '>=' : '>'} ${fmt(c.min)}`;
  return `${lo}${name}${hi}`;
}

function describeAtom(c: Atom): string {
  switch (c.kind) {
    case 'amount':
      return `${describeRange('amount', c, formatUsd)}${c.currency ? ` (${describeWrittenCurrency(c.currency)})` : ''}`;
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

/** "amount > $100,000", "NOT industry healthcare", "(territory TX OR territory OK)" */
export function describeCondition(c: Condition): string {
  if (c.kind === 'either') return `(${describeOptions(c.options)})`;
  if (!c.negated) return describeAtom(c);
  const list = (c.kind === 'industry' && c.industries.length > 1) || (c.kind === 'mention' && c.terms.length > 1);
  return list ? `NOT (${describeAtom(c)})` : `NOT ${describeAtom(c)}`;
}

function describeOptions(options: Condition[][]): string {
  return options.map((o) => (o.length === 1 ? describeCondition(o[0]!) : `(${o.map(describeCondition).join(' AND ')})`)).join(' OR ');
}

function describeTarget(t: RuleTarget): string {
  return `${t.type} ${t.id}`;
}

/** "IF amount > $100,000 THEN pool enterprise + 1 from pool se"; AND binds tighter than OR. */
export function describeRule(rule: CompiledRule): string {
  const [only] = rule.conditions;
  const when =
    rule.conditions.length === 0 ? 'any lead' : rule.conditions.length === 1 && only!.kind === 'either' ? describeOptions(only!.options) : rule.conditions.map(describeCondition).join(' AND ');
  const extra = rule.attendees.map((a) => (a.type === 'pool' ? ` + 1 from pool ${a.id}` : ` + rep ${a.id}`)).join('');
  return `IF ${when} THEN ${describeTarget(rule.target)}${extra}`;
}

// ---------------------------------------------------------------- matching

const NO_TERRITORIES: Record<string, string[]> = Object.freeze({}) as Record<string, string[]>;

function inRange(value: number, c: Bounds): boolean {
  if (c.min !== undefined && (c.minInclusive ? value < c.min : value <= c.min)) return false;
  if (c.max !== undefined && (c.maxInclusive ? value > c.max : value >= c.max)) return false;
  return true;
}

function boundsText(c: Bounds, fmt: (n: number) => string): string {
  const parts: string[] = [];
  if (c.min !== undefined) parts.push(`${c.minInclusive ? '>=' : '>'} ${fmt(c.min)}`);
  if (c.max !== undefined) parts.push(`${c.maxInclusive ? '<=' : '<'} ${fmt(c.max)}`);
  return parts.join(' and ');
}

function amountBounds(c: Extract<Atom, { kind: 'amount' }>): string {
  return `${boundsText(c, formatUsd)}${c.currency ? ` (${describeWrittenCurrency(c.currency)})` : ''}`;
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

/** Why an atom holds for these facts, or null when it does not. */
function holds(c: Atom, facts: Facts, text: string): string | null {
  switch (c.kind) {
    case 'amount': {
      const v = facts.budgetUsd?.value;
      return v !== undefined && inRange(v, c) ? `budget ${formatUsd(v)} ${amountBounds(c)}` : null;
    }
    case 'employees': {
      const v = facts.employees?.value;
      return v !== undefined && inRange(v, c) ? `employees ${formatCount(v)} ${boundsText(c, formatCount)}` : null;
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

/**
 * Why a negated atom holds: the atom does not. A fact the lead does not have counts as "not"
 * ("not healthcare" matches a lead whose industry is unknown), so a negated condition is the exact
 * complement of the plain one, and the reason says when the fact was unknown.
 */
function holdsNot(c: Atom, facts: Facts): string {
  switch (c.kind) {
    case 'amount': {
      const v = facts.budgetUsd?.value;
      return v === undefined ? `budget unknown, so not ${amountBounds(c)}` : `budget ${formatUsd(v)}, not ${amountBounds(c)}`;
    }
    case 'employees': {
      const v = facts.employees?.value;
      return v === undefined ? `employees unknown, so not ${boundsText(c, formatCount)}` : `employees ${formatCount(v)}, not ${boundsText(c, formatCount)}`;
    }
    case 'industry': {
      const v = facts.industry?.value;
      return v === undefined ? `industry unknown, so not ${c.industries.join(' or ')}` : `industry ${v}, not ${c.industries.join(' or ')}`;
    }
    case 'territory': {
      const at = where(locationOf(facts)) || facts.territories.join(', ');
      return at ? `not in territory ${c.territory} (${at})` : `location unknown, so not in territory ${c.territory}`;
    }
    case 'mention':
      return `does not mention ${c.terms.map((t) => JSON.stringify(t)).join(' or ')}`;
    case 'urgent':
      return 'not urgent';
  }
}

/** Reasons why every condition holds, or null when one does not. */
function allHold(conditions: Condition[], facts: Facts, text: string): string[] | null {
  const reasons: string[] = [];
  for (const c of conditions) {
    if (c.kind === 'either') {
      let option: string[] | null = null;
      for (const o of c.options) if ((option = allHold(o, facts, text))) break;
      if (!option) return null;
      reasons.push(...option);
      continue;
    }
    const reason = holds(c, facts, text);
    if (c.negated ? reason !== null : reason === null) return null;
    reasons.push(c.negated ? holdsNot(c, facts) : reason!);
  }
  return reasons;
}

/** The first rule whose conditions all hold, with a reason per condition; null when none does. */
export function matchRule(rules: CompiledRule[], facts: Facts, text: string): { rule: CompiledRule; reasons: string[] } | null {
  for (const rule of rules) {
    const reasons = allHold(rule.conditions, facts, text);
    if (reasons) return { rule, reasons: reasons.length ? reasons : ['rule has no conditions: it matches every lead'] };
  }
  return null;
}
