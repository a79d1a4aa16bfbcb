/**
 * The deterministic parser for the condition part of a plain-English routing rule
 * ("Healthcare leads over $50k from Texas", "not from EMEA", "over €100K or 1000+ employees").
 * Every word must be understood: a condition, a small set of filler words ("leads", "companies",
 * "from", "the", "Enterprise", ...), or joining words ("and", "or", "not", "unless", parentheses);
 * rule-logic.ts combines them. Anything else is reported, never dropped. Pure.
 */
import type { CurrencyRates } from '../qualify/amounts';
import { builtInTerritorySpellings, canonicalTerritory, countrySpellings, isCountryCode, prominentCityNames, US_STATES } from '../qualify/geo';
import { industryRulePhrases } from '../qualify/industries';
import { escapeRegExp, phraseAlternation } from '../text-match';

import { COMPARE_RE, rangeFrom } from './rule-amounts';
import { ConditionError, readLogic, toConditions, type Expr, type Token } from './rule-logic';
import type { Atom, Condition } from './rule-types';

export { describeWrittenCurrency } from './rule-amounts';
export { ConditionError } from './rule-logic';

export interface ParseContext {
  territories: Record<string, string[]>;
  competitors: string[];
  currencies?: CurrencyRates;
}

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
  'ones', "they're", 'they’re', 'there', 'was', 'were',
];
const FILLER_RE = new RegExp(`(?:${[...FILLERS].sort((a, b) => b.length - a.length).join('|')})(?![\\p{L}\\p{N}_-])`, 'iuy');

const MENTION_RE = new RegExp(
  String.raw`(?:mentions?|mentioning|mentioned|brings?\s+up|bringing\s+up|brought\s+up|talks?\s+about|talking\s+about|asks?\s+about|asking\s+about|asked\s+about|refers?\s+to|referring\s+to|references?|referencing|names?|naming|(?:is\s+|are\s+|currently\s+)?(?:uses?|using)|switching\s+(?:from|off)|migrating\s+(?:from|off)|moving\s+(?:off|away\s+from)|leaving|evaluating|compar(?:es?|ing)\s+(?:us\s+)?(?:with|to))\s+`,
  'iuy',
);

const URGENT_RE = /(?:urgent|urgently|asap|time[- ]sensitive|in\s+a\s+(?:rush|hurry))(?![\p{L}\p{N}_-])/iuy;
/** Negates everything after it: "unless they mention Gong", "except when it is urgent". */
const NEGATE_REST_RE = /(?:unless|except\s+(?:when|if|where))(?![\p{L}\p{N}_])/iuy;
/** Negates the next condition: "not healthcare", "non-healthcare", "except EMEA", "outside EMEA", "that don't mention X". */
const NEGATE_NEXT_RE =
  /(?:non(?:-|\s+)(?=\S)|(?:but\s+)?not(?![\p{L}\p{N}_])|except(?:\s+for)?(?![\p{L}\p{N}_])|excluding(?![\p{L}\p{N}_])|other\s+than(?![\p{L}\p{N}_])|outside(?:\s+of)?(?![\p{L}\p{N}_])|without(?![\p{L}\p{N}_])|never(?![\p{L}\p{N}_])|(?:do|does|did|is|are|was|were)(?:n[’']t|\s+not)(?![\p{L}\p{N}_]))/iuy;
/** "or" between conditions ("or not X" is "or", then "not X"). */
const OR_RE = /or(?![\p{L}\p{N}_])/iuy;
const EITHER_RE = /either(?![\p{L}\p{N}_])/iuy;
/** Subject words: each side of an "or" that has one reads as a whole ("healthcare leads ... or fintech leads ..."). */
const SUBJECTS = new Set([
  'leads', 'lead', 'deals', 'deal', 'companies', 'company', 'requests', 'request', 'accounts', 'account', 'customers',
  'customer', 'prospects', 'prospect', 'opportunities', 'opportunity', 'opps', 'opp', 'inquiries', 'inquiry', 'enquiries',
  'enquiry', 'businesses', 'business', 'organizations', 'organization', 'organisations', 'organisation', 'orgs', 'org',
  'buyers', 'buyer', 'contacts', 'contact', 'signups', 'enterprises', 'everyone', 'anyone', 'anybody', 'someone',
  'somebody', 'everything', 'anything', 'if', 'when', 'whenever', 'they', 'those', 'ones',
]);
/** "it", "it's" (never "IT": "IT companies" is not a filler). */
const IT_RE = /(?:[Ii]t(?:['’]s)?|it\s+is)(?![\p{L}\p{N}_-])/uy;
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

// Built once per territories object and competitor list (the regexes are large); the currency
// rates do not enter them, so a team that only changes its rates reuses them.
const TABLES = new WeakMap<object, Map<string, Tables>>();

function tables(ctx: ParseContext): Tables {
  let byCompetitors = TABLES.get(ctx.territories);
  if (!byCompetitors) TABLES.set(ctx.territories, (byCompetitors = new Map()));
  const key = JSON.stringify(ctx.competitors);
  const cached = byCompetitors.get(key);
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
  byCompetitors.set(key, built);
  return built;
}

function sticky(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

const TERM_STOP = /^(?:,|;|\s*[()]|\s+(?:and|or|from|in|based|located|with|over|under|above|below|between|that|who|which|whose|go|goes|route|send|assign|unless|except|excluding|outside|not|either|if|when)\b)/i;

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
        const w = /^\s*([^\s,;()]+)/.exec(rest.slice(j));
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
    // "mentions Gong or Chorus": another term; "mentions Gong or is urgent": an "or" between conditions.
    const join = /^(\s*,\s*or\s+|\s+or\s+|\s*\/\s*|\s*,\s*(?!and\b))/i.exec(text.slice(i));
    if (join && (startsTerm(text, i + join[0].length, t) || !startsCondition(text, i + join[0].length, t))) {
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
  return [COMPARE_RE, MENTION_RE, URGENT_RE, FILLER_RE, IT_RE, t.industry, t.territory, NEGATE_NEXT_RE, NEGATE_REST_RE, EITHER_RE].some((re) => sticky(re, text, pos) !== null);
}

/** A quoted term or a configured competitor starts at `pos`. */
function startsTerm(text: string, pos: number, t: Tables): boolean {
  const rest = text.slice(pos);
  return /^["“'‘]/.test(rest) || t.competitors.some((c) => new RegExp(`^${escapeRegExp(c)}(?![\\p{L}\\p{N}_])`, 'iu').test(rest));
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

const atom = (a: Atom): Expr => ({ op: 'atom', atom: a });
const anyOf = (list: Expr[]): Expr => (list.length === 1 ? list[0]! : { op: 'or', of: list });

/** The scanner: the condition text as tokens (conditions, "or", "not", parentheses, subjects). */
function scan(text: string, ctx: ParseContext): Token[] {
  const t = tables(ctx);
  const tokens: Token[] = [];
  const moneyRule = /\b(?:deals?|budgets?|amounts?|contracts?|spend|acv|arr|revenue)\b/i.test(text);
  const push = (tok: Token) => tokens.push(tok);
  const cond = (start: number, end: number, expr: Expr) => push({ t: 'cond', expr, start, end });
  // "Texas leads in fintech or healthcare leads over $1M": the value after "or" starts a new subject
  // ("healthcare leads"), and this side already has one, so the "or" is between the two sides,
  // not inside a list of industries.
  const subjectAt = (at: number) => {
    const m = sticky(FILLER_RE, text, at + (/^\s*/.exec(text.slice(at))?.[0].length ?? 0));
    return !!m && SUBJECTS.has(m[0].toLowerCase());
  };
  const sideHasSubject = () => {
    for (let k = tokens.length - 1; k >= 0; k--) {
      const tok = tokens[k]!;
      if (tok.t === 'noun') return true;
      if (tok.t === 'or' || tok.t === 'open' || tok.t === 'close') return false;
    }
    return false;
  };
  const listStops = (join: string, nextEnd: number) => /\bor\b/i.test(join) && sideHasSubject() && subjectAt(nextEnd);
  let pos = 0;
  while (pos < text.length) {
    const ws = /[\s,;:]+/y;
    ws.lastIndex = pos;
    if (ws.exec(text)) {
      pos = ws.lastIndex;
      continue;
    }
    let m: RegExpExecArray | null;
    // "non-profit" is an industry, not a negation of "profit".
    if (!sticky(t.industry, text, pos)) {
      if ((m = sticky(NEGATE_REST_RE, text, pos))) {
        push({ t: 'not', scope: 'rest', start: pos, end: pos + m[0].length });
        pos += m[0].length;
        continue;
      }
      if ((m = sticky(NEGATE_NEXT_RE, text, pos))) {
        push({ t: 'not', scope: 'next', start: pos, end: pos + m[0].length });
        pos += m[0].length;
        continue;
      }
    }
    if ((m = sticky(COMPARE_RE, text, pos)) && m[0].trim()) {
      cond(pos, pos + m[0].trimEnd().length, atom(rangeFrom(m, ctx.currencies, moneyRule)));
      pos += m[0].length;
      continue;
    }
    if ((m = sticky(MENTION_RE, text, pos))) {
      const { terms, end } = readTerms(text, pos + m[0].length, t);
      // "mentions HIPAA and SOC 2": both must be mentioned.
      const all = terms.map((group) => atom({ kind: 'mention', terms: group }));
      cond(pos, end, all.length === 1 ? all[0]! : { op: 'and', of: all });
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
        if (!join || !next || listStops(join[0], end + join[0].length + next[0].length)) break;
        end += join[0].length;
        m = next;
      }
      if (industries.length > 0) {
        cond(pos, end, atom({ kind: 'industry', industries }));
        pos = end;
        continue;
      }
    }
    if ((m = sticky(URGENT_RE, text, pos))) {
      cond(pos, pos + m[0].length, atom({ kind: 'urgent' }));
      pos += m[0].length;
      continue;
    }
    const territory = territoryAt(text, pos, t, ctx);
    if (territory) {
      // "Texas or Oklahoma", "Texas, Oklahoma and Kansas": any of them.
      const places = [territory.value];
      let end = territory.end;
      for (;;) {
        const join = sticky(LIST_JOIN, text, end);
        const other = join ? territoryAt(text, end + join[0].length, t, ctx) : undefined;
        if (!other || listStops(join![0], other.end)) break;
        if (!places.includes(other.value)) places.push(other.value);
        end = other.end;
      }
      cond(pos, end, anyOf(places.map((p) => atom({ kind: 'territory', territory: p }))));
      pos = end;
      continue;
    }
    if (text[pos] === '(' || text[pos] === ')') {
      push(text[pos] === '(' ? { t: 'open', either: false, start: pos, end: pos + 1 } : { t: 'close', start: pos, end: pos + 1 });
      pos++;
      continue;
    }
    if ((m = sticky(EITHER_RE, text, pos))) {
      push({ t: 'open', either: true, start: pos, end: pos + m[0].length });
      pos += m[0].length;
      continue;
    }
    if ((m = sticky(OR_RE, text, pos))) {
      push({ t: 'or', start: pos, end: pos + m[0].length });
      pos += m[0].length;
      continue;
    }
    if ((m = sticky(FILLER_RE, text, pos)) || (m = sticky(IT_RE, text, pos))) {
      if (SUBJECTS.has(m[0].toLowerCase())) push({ t: 'noun', start: pos, end: pos + m[0].length });
      pos += m[0].length;
      continue;
    }
    throw new ConditionError(
      `did not understand "${unknownRun(text, pos)}"${text.trim().includes(' ') ? ` in "${text.trim()}"` : ''} (expected amounts like "over $100K", company size like "more than 1000 employees", an industry, a territory, "mentions X", "urgent", or "and", "or", "not", "unless")`,
    );
  }
  return tokens;
}

/**
 * Parses the condition text of a rule into conditions (all must hold; see rule-logic.ts for "or"
 * and "not"). A rule may put a clause after its target: `unless` must not hold ("... go to Mark
 * unless they mention Gong"), `also` must hold too ("... go to Ana if it is urgent"). Throws
 * ConditionError.
 */
export function parseConditions(text: string, ctx: ParseContext, after: { unless?: string; also?: string } = {}): Condition[] {
  const parts: Expr[] = [];
  const main = scan(text, ctx);
  // Only subject words ("Everything else", "All leads"): no condition, a catch-all.
  if (main.some((tok) => tok.t !== 'noun')) parts.push(readLogic(main, text));
  for (const [clause, negate] of [[after.also, false], [after.unless, true]] as const) {
    if (clause === undefined) continue;
    const tokens = scan(clause, ctx);
    if (!tokens.some((tok) => tok.t !== 'noun')) throw new ConditionError(`expected a condition in "${clause.trim()}"`);
    const expr = readLogic(tokens, clause);
    parts.push(negate ? { op: 'not', of: expr } : expr);
  }
  if (parts.length === 0) return [];
  return toConditions(parts.length === 1 ? parts[0]! : { op: 'and', of: parts });
}
