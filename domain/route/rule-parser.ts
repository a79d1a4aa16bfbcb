/**
 * The deterministic parser for the condition part of a plain-English routing rule
 * ("Healthcare leads over $50k from Texas"). Every word must be understood: a condition, a
 * small set of filler words ("leads", "companies", "from", "the", "Enterprise", ...), or joining
 * words. Anything else is reported, never dropped. Pure.
 */
import { amountInfo, RULE_AMOUNT } from '../qualify/amounts';
import { builtInTerritorySpellings, canonicalTerritory, countrySpellings, isCountryCode, prominentCityNames, US_STATES } from '../qualify/geo';
import { industryRulePhrases } from '../qualify/industries';
import { escapeRegExp, phraseAlternation } from '../text-match';

import type { Condition } from './rule-types';

export type Range = { min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean };

export interface ParseContext {
  territories: Record<string, string[]>;
  competitors: string[];
}

/** Thrown by the parser with what was not understood; the compiler adds the rule and its index. */
export class ConditionError extends Error {}

const FILLERS = [
  'leads', 'lead', 'deals', 'deal', 'companies', 'company', 'requests', 'request', 'accounts', 'account', 'customers',
  'customer', 'prospects', 'prospect', 'opportunities', 'opportunity', 'opps', 'opp', 'inquiries', 'inquiry', 'enquiries',
  'enquiry', 'businesses', 'business', 'organizations', 'organization', 'organisations', 'organisation', 'orgs', 'org',
  'buyers', 'buyer', 'contacts', 'contact', 'signups', 'enterprise', 'enterprises', 'any', 'all', 'every', 'everything', 'anything',
  'everyone', 'anyone', 'anybody', 'someone', 'somebody', 'else', 'other', 'others', 'remaining', 'rest', 'inbound',
  'incoming', 'new', 'if', 'when', 'whenever', 'where', 'for', 'the', 'a', 'an', 'is', 'are', 'be', 'that', 'who', 'which',
  'whose', 'with', 'from', 'in', 'based', 'located', 'of', 'and', 'then', 'their', 'they', 'them', 'those', 'these',
  'has', 'have', 'having', 'industry', 'industries', 'sector', 'space', 'vertical', 'verticals', 'market', 'region', 'area',
  'territory', 'state', 'country', 'only', 'also', 'please', 'should', 'always', 'sized', 'size', 'value', 'worth',
];
const FILLER_RE = new RegExp(`(?:${FILLERS.join('|')})(?![\\p{L}\\p{N}_-])`, 'iuy');

const MIN_EXCL = String.raw`over|above|more\s+than|greater\s+than|exceeding|bigger\s+than|larger\s+than|>`;
const MIN_INCL = String.raw`at\s+least|no\s+less\s+than|minimum(?:\s+of)?|min\.?|>=|≥`;
const MAX_EXCL = String.raw`under|below|less\s+than|fewer\s+than|smaller\s+than|<`;
const MAX_INCL = String.raw`up\s+to|at\s+most|no\s+more\s+than|maximum(?:\s+of)?|max\.?|<=|≤`;
const POST_MIN = String.raw`\s*\+|\s+(?:or|and)\s+(?:more|above|over|up|higher|greater)(?!\s*(?:than|\$|\d|half|a\s))|\s+plus`;
const POST_MAX = String.raw`\s+(?:or|and)\s+(?:less|fewer|below|under|lower)(?!\s*(?:than|\$|\d|half|a\s))`;
const MONEY_UNIT = String.raw`budget|deal\s+size|deal\s+value|contract\s+value|contract\s+size|acv|arr|amount|spend|deal|opportunity\s+size`;
const HEAD_UNIT = String.raw`headcount|head\s+count|company\s+size|employee\s+count|number\s+of\s+employees|employees|staff|team\s+size`;
const EMP_WORD = String.raw`employees|employee|people|staff|ftes?|headcount|seats|person|workers|users`;

const PRE_UNIT = String.raw`(?:(?:with\s+)?(?:an?\s+)?(?<unit>${MONEY_UNIT}|${HEAD_UNIT})\s*(?:is\s+|of\s+|:\s*)?)?`;
const POST_UNIT = String.raw`(?:[\s-]+(?<unit2>${EMP_WORD})(?![\p{L}]))?`;
const A = RULE_AMOUNT;

const COMPARE_RE = new RegExp(
  String.raw`${PRE_UNIT}(?:(?<cmp>${MIN_EXCL}|${MIN_INCL}|${MAX_EXCL}|${MAX_INCL})\s*(?<n>${A})(?<post>${POST_MIN}|${POST_MAX})?|between\s+(?<lo>${A})\s+(?:and|to|-)\s+(?<hi>${A})|(?:from\s+)?(?<lo2>${A})\s*(?:-|–|to)\s*(?<hi2>${A})|(?<n2>${A})(?<post2>${POST_MIN}|${POST_MAX}))${POST_UNIT}`,
  'iuy',
);

const MENTION_RE = new RegExp(
  String.raw`(?:mentions?|mentioning|mentioned|brings?\s+up|bringing\s+up|brought\s+up|talks?\s+about|talking\s+about|asks?\s+about|asking\s+about|asked\s+about|refers?\s+to|referring\s+to|references?|referencing|names?|naming|(?:is\s+|are\s+|currently\s+)?(?:uses?|using)|switching\s+(?:from|off)|migrating\s+(?:from|off)|moving\s+(?:off|away\s+from)|leaving|evaluating|compar(?:es?|ing)\s+(?:us\s+)?(?:with|to))\s+`,
  'iuy',
);

const URGENT_RE = /(?:urgent|urgently|asap|time[- ]sensitive|in\s+a\s+(?:rush|hurry))(?![\p{L}\p{N}_-])/iuy;
const NEGATION_RE = /(?:not|non|no|except|excluding|without|outside|unless|never|but\s+not)(?![\p{L}\p{N}_])/iuy;
const OR_RE = /(?:or|either)(?![\p{L}\p{N}_])/iuy;
const LIST_JOIN = /\s*(?:,\s*(?:or|and)\s+|,\s*|\s+or\s+|\s+and\s+|\s*\/\s*)/iuy;

// Upper-case words that are codes but mean something else in a rule ("IT leads", "AI companies", "OR"):
// write the name instead ("Italy", "Oregon"). "IN" is Indiana only after "from"/"in".
const NEVER_CODES = new Set([
  'OR', 'AND', 'IT', 'AI', 'HR', 'PR', 'VC', 'PE', 'ML', 'BI', 'QA', 'CX', 'UX', 'UI', 'PM', 'CS', 'IP', 'IO', 'TV', 'TO',
  'NO', 'IS', 'AS', 'AT', 'BY', 'DO', 'GO', 'SO', 'UP', 'WE', 'AN', 'ON', 'MY', 'SE', 'AM',
]);

interface Tables {
  industry: RegExp;
  industryIds: Map<string, string>;
  territory: RegExp;
  code: RegExp;
  competitors: string[];
}

const TABLES = new WeakMap<object, Tables>();

function tables(ctx: ParseContext): Tables {
  const cached = TABLES.get(ctx);
  if (cached) return cached;
  const industryIds = industryRulePhrases();
  const industry = new RegExp(`(?:${phraseAlternation(industryIds.keys())})(?:s|es)?(?![\\p{L}\\p{N}_-])`, 'iuy');
  const names = [
    ...Object.keys(ctx.territories),
    ...builtInTerritorySpellings(),
    ...US_STATES.values(),
    ...countrySpellings()
      .map(([name]) => name)
      .filter((n) => /[a-z]/.test(n)),
    ...prominentCityNames().filter((n) => /[a-z]/.test(n)),
  ];
  const territory = new RegExp(`(?:${phraseAlternation(names)})(?![\\p{L}\\p{N}_-])`, 'iuy');
  const code = /(?<code>[A-Z]{2,3}|U\.S\.A?\.|U\.K\.)(?![\p{L}\p{N}_-])/uy;
  const built = { industry, industryIds, territory, code, competitors: [...ctx.competitors].sort((a, b) => b.length - a.length) };
  TABLES.set(ctx, built);
  return built;
}

function sticky(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

function rangeFrom(m: RegExpExecArray): { range: Range; kind: 'amount' | 'employees' | 'unknown'; text: string } {
  const g = m.groups ?? {};
  const parts = [g.n, g.lo, g.hi, g.lo2, g.hi2, g.n2].filter((x): x is string => !!x);
  const infos = parts.map((p) => amountInfo(p.trim()));
  if (infos.some((i) => !i)) throw new ConditionError(`did not understand the amount in "${m[0].trim()}"`);
  const money = infos.some((i) => i!.money);
  const unit = (g.unit ?? '').toLowerCase();
  const unit2 = g.unit2?.toLowerCase();
  let kind: 'amount' | 'employees' | 'unknown' = 'unknown';
  if (unit2 || new RegExp(`^(?:${HEAD_UNIT})$`, 'i').test(unit)) kind = 'employees';
  else if (money || (unit && new RegExp(`^(?:${MONEY_UNIT})$`, 'i').test(unit))) kind = 'amount';
  const range: Range = { minInclusive: false, maxInclusive: false };
  const value = (i: number) => infos[i]!.value;
  if (g.cmp) {
    const cmp = g.cmp.toLowerCase().replace(/\s+/g, ' ');
    const post = (g.post ?? '').trim().toLowerCase();
    if (new RegExp(`^(?:${MIN_EXCL})$`, 'i').test(cmp)) Object.assign(range, { min: value(0), minInclusive: /more|above|higher|greater|up|\+|plus/.test(post) });
    else if (new RegExp(`^(?:${MIN_INCL})$`, 'i').test(cmp)) Object.assign(range, { min: value(0), minInclusive: true });
    else if (new RegExp(`^(?:${MAX_EXCL})$`, 'i').test(cmp)) Object.assign(range, { max: value(0), maxInclusive: /less|fewer|below|under|lower/.test(post) });
    else Object.assign(range, { max: value(0), maxInclusive: true });
  } else if (g.lo || g.lo2) {
    const [lo, hi] = [value(0), value(1)];
    if (hi < lo) throw new ConditionError(`the range "${m[0].trim()}" runs backwards`);
    Object.assign(range, { min: lo, max: hi, minInclusive: true, maxInclusive: true });
  } else {
    const post = (g.post2 ?? '').trim().toLowerCase();
    if (/less|fewer|below|under|lower/.test(post)) Object.assign(range, { max: value(0), maxInclusive: true });
    else Object.assign(range, { min: value(0), minInclusive: true });
  }
  return { range, kind, text: m[0].trim() };
}

function mergeRange(conditions: Condition[], kind: 'amount' | 'employees', range: Range): void {
  const existing = conditions.find((c): c is Extract<Condition, { kind: typeof kind }> => c.kind === kind);
  if (existing && (existing.min === undefined) !== (range.min === undefined) && (existing.max === undefined) !== (range.max === undefined)) {
    if (range.min !== undefined) Object.assign(existing, { min: range.min, minInclusive: range.minInclusive });
    else Object.assign(existing, { max: range.max, maxInclusive: range.maxInclusive });
    return;
  }
  const c: Extract<Condition, { kind: 'amount' | 'employees' }> = { kind, minInclusive: range.minInclusive, maxInclusive: range.maxInclusive };
  if (range.min !== undefined) c.min = range.min;
  if (range.max !== undefined) c.max = range.max;
  conditions.push(c);
}

const TERM_STOP = /^(?:,|;|\s+(?:and|or|from|in|based|located|with|over|under|above|below|between|that|who|which|whose|go|goes|route|send|assign)\b)/i;

/** Mention terms after the verb: quoted strings, configured competitors, or a run of up to 6 words. */
function readTerms(text: string, pos: number, t: Tables): { terms: string[][]; end: number } {
  const groups: string[][] = [[]];
  let i = pos;
  for (;;) {
    const rest = text.slice(i);
    let term: string | undefined;
    let len = 0;
    const quoted = /^["“'‘]([^"”'’]+)["”'’]/.exec(rest);
    const competitor = t.competitors.find((c) => new RegExp(`^${escapeRegExp(c)}(?![\\p{L}\\p{N}_])`, 'iu').test(rest));
    if (quoted) [term, len] = [quoted[1]!.trim(), quoted[0].length];
    else if (competitor) [term, len] = [competitor, competitor.length];
    else {
      const words: string[] = [];
      let j = 0;
      while (j < rest.length) {
        const w = /^\s*([^\s,;]+)/.exec(rest.slice(j));
        if (!w || (words.length > 0 && TERM_STOP.test(rest.slice(j)))) break;
        words.push(w[1]!);
        j += w[0].length;
      }
      if (words.length === 0) throw new ConditionError(`expected what is mentioned after "${text.slice(Math.max(0, pos - 12), pos).trim()}"`);
      if (words.length > 6) throw new ConditionError(`the mentioned term "${words.join(' ')}" is too long; put it in quotes`);
      [term, len] = [words.join(' '), j];
    }
    groups[groups.length - 1]!.push(term);
    i += len;
    const join = /^(\s*,\s*or\s+|\s+or\s+|\s*\/\s*|\s*,\s*(?!and\b))/i.exec(text.slice(i));
    if (join) {
      i += join[0].length;
      continue;
    }
    // "mentions HIPAA and SOC 2": "and" starts another term unless a condition or filler follows.
    const and = /^\s+and\s+/i.exec(text.slice(i));
    if (and && !startsCondition(text, i + and[0].length, t)) {
      i += and[0].length;
      groups.push([]);
      continue;
    }
    return { terms: groups, end: i };
  }
}

function startsCondition(text: string, pos: number, t: Tables): boolean {
  return [COMPARE_RE, MENTION_RE, URGENT_RE, FILLER_RE, t.industry, t.territory, NEGATION_RE].some((re) => sticky(re, text, pos) !== null);
}

function territoryAt(text: string, pos: number, t: Tables, ctx: ParseContext): { value: string; end: number; written: string } | undefined {
  const name = sticky(t.territory, text, pos);
  if (name) {
    const value = canonicalTerritory(name[0], ctx.territories);
    if (value) return { value, end: pos + name[0].length, written: name[0] };
  }
  const code = sticky(t.code, text, pos);
  if (code) {
    const raw = code.groups!.code!;
    const c = raw.replace(/\./g, '');
    const before = text.slice(0, pos);
    if (NEVER_CODES.has(c) || (c === 'IN' && !/\b(?:from|in)\s+$/i.test(before))) return undefined;
    if ((c.length === 2 && (US_STATES.has(c) || isCountryCode(c))) || c === 'UK' || c === 'USA' || c === 'UAE') {
      const value = canonicalTerritory(c, ctx.territories);
      if (value) return { value, end: pos + raw.length, written: raw };
    }
  }
  return undefined;
}

function unknownRun(text: string, pos: number): string {
  return (text.slice(pos).trim().split(/\s+/)[0] ?? '').replace(/[,;:.]+$/, '');
}

/** Parses the condition text of a rule into conditions (all must hold). Throws ConditionError. */
export function parseConditions(text: string, ctx: ParseContext): Condition[] {
  const t = tables(ctx);
  const conditions: Condition[] = [];
  const currency = /[€£¥₹]|\b(?:EUR|GBP|CAD|AUD|JPY|INR|CHF|euros?|pounds)\b/i.exec(text);
  if (currency) throw new ConditionError(`amounts in rules are in US dollars ("${currency[0]}" is not supported)`);
  const money = /\b(?:deals?|budgets?|amounts?|contracts?|spend|acv|arr|revenue)\b/i.test(text);
  let pos = 0;
  while (pos < text.length) {
    const ws = /[\s,;:]+/y;
    ws.lastIndex = pos;
    if (ws.exec(text)) {
      pos = ws.lastIndex;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = sticky(NEGATION_RE, text, pos))) {
      throw new ConditionError(`"${unknownRun(text, pos)}": negations are not supported; put a rule for the other case first`);
    }
    if ((m = sticky(COMPARE_RE, text, pos)) && m[0].trim()) {
      const { range, kind, text: written } = rangeFrom(m);
      const resolved = kind === 'unknown' ? (money ? 'amount' : undefined) : kind;
      if (!resolved) throw new ConditionError(`cannot tell whether "${written}" is an amount or a head count; write "$${written.replace(/^\D+/, '')}" or "${written} employees"`);
      mergeRange(conditions, resolved, range);
      pos += m[0].length;
      continue;
    }
    if ((m = sticky(MENTION_RE, text, pos))) {
      const { terms, end } = readTerms(text, pos + m[0].length, t);
      for (const group of terms) conditions.push({ kind: 'mention', terms: group });
      pos = end;
      continue;
    }
    if ((m = sticky(t.industry, text, pos))) {
      const industries: string[] = [];
      let end = pos;
      for (;;) {
        const word = m[0].toLowerCase().replace(/\s+/g, ' ');
        const id = t.industryIds.get(word) ?? t.industryIds.get(word.replace(/e?s$/, '')) ?? t.industryIds.get(word.replace(/s$/, ''));
        if (!id) break;
        if (!industries.includes(id)) industries.push(id);
        end += m[0].length;
        const join = sticky(LIST_JOIN, text, end);
        const next = join ? sticky(t.industry, text, end + join[0].length) : null;
        if (!join || !next) break;
        end += join[0].length;
        m = next;
      }
      if (industries.length > 0) {
        conditions.push({ kind: 'industry', industries });
        pos = end;
        continue;
      }
    }
    if ((m = sticky(URGENT_RE, text, pos))) {
      if (!conditions.some((c) => c.kind === 'urgent')) conditions.push({ kind: 'urgent' });
      pos += m[0].length;
      continue;
    }
    const territory = territoryAt(text, pos, t, ctx);
    if (territory) {
      const join = sticky(LIST_JOIN, text, territory.end);
      const other = join ? territoryAt(text, territory.end + join[0].length, t, ctx) : undefined;
      if (other) {
        throw new ConditionError(
          `"${text.slice(pos, territory.end + join![0].length + other.written.length)}": a rule names one territory; define one under "territories:" or write one rule per territory`,
        );
      }
      conditions.push({ kind: 'territory', territory: territory.value });
      pos = territory.end;
      continue;
    }
    if ((m = sticky(FILLER_RE, text, pos))) {
      pos += m[0].length;
      continue;
    }
    if (sticky(OR_RE, text, pos)) throw new ConditionError('"or" between different conditions is not supported; write one rule per case');
    throw new ConditionError(
      `did not understand "${unknownRun(text, pos)}"${text.trim().includes(' ') ? ` in "${text.trim()}"` : ''} (expected amounts like "over $100K", company size like "more than 1000 employees", an industry, a territory, "mentions X" or "urgent")`,
    );
  }
  return conditions;
}
