/**
 * Money and head-count reading for lead facts and routing rules. Pure.
 *
 * Choices (documented in the README's "Facts" section):
 * - A range ("$50K-$100K", "between $50k and $100k", "50-100 employees") counts as its upper bound:
 *   it is what the buyer said they could reach, and routing rules ask "over $X".
 * - Money needs a currency mark ($, USD, dollars) or a budget word nearby ("budget", "deal",
 *   "spend", "contract", ...); numbers followed by a unit ("5k users", "2,000-person") and years are
 *   never money, nor amounts about funding, revenue or valuation ("raised $20M in our Series B").
 * - Monthly amounts ("$10k/month") are annualized; per-seat and per-user prices are ignored.
 * - Other currencies (€, £, EUR, ...) are not converted: they are skipped with a note.
 */
import { sentenceAround, snippet } from '../text-match';

export interface Found {
  value: number;
  index: number;
  end: number;
  quote: string;
}

const NUM = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;
const MULT = String.raw`(?:thousand|grand|millions?|mil{1,2}|mm|mn|billions?|bn|k|m|b)`;
const SMALL_WORDS: Record<string, number> = {
  a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, 'a couple': 2, 'a couple of': 2,
};
const WORD_NUM = String.raw`(?:a\s+couple(?:\s+of)?|a|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty)`;
const WORD_AMOUNT = String.raw`(?:(?:a\s+)?quarter(?:\s+of\s+a)?|half(?:\s+of)?(?:\s+a)?|${WORD_NUM}(?:\s+hundred)?)\s+(?:thousand|million|billion)`;
const OTHER_CURRENCY = String.raw`(?:€|£|¥|₹|EUR|GBP|CAD|AUD|JPY|INR|CHF)`;

/** A single amount token: optional currency, a number or words, optional multiplier, optional currency. */
const TOKEN = new RegExp(
  String.raw`(?<![\p{L}\p{N}.,])(?:(?<pre>US\$|\$|USD|${OTHER_CURRENCY})\s?)?(?:(?<num>${NUM})(?:\s?(?<mult>${MULT})(?![\p{L}]))?|(?<words>${WORD_AMOUNT}))(?:\s?(?<post>USD|US\s+dollars|dollars?|bucks|${OTHER_CURRENCY})(?![\p{L}]))?`,
  'giu',
);

function multiplier(mult: string | undefined): number {
  if (!mult) return 1;
  const m = mult.toLowerCase();
  if (m === 'k' || m === 'thousand' || m === 'grand') return 1e3;
  if (m === 'b' || m === 'bn' || m.startsWith('billion')) return 1e9;
  return 1e6;
}

function wordsValue(words: string): number {
  const w = words.toLowerCase().replace(/\s+/g, ' ');
  const scale = w.endsWith('billion') ? 1e9 : w.endsWith('million') ? 1e6 : 1e3;
  if (w.includes('quarter')) return 0.25 * scale;
  if (w.startsWith('half')) return 0.5 * scale;
  const head = w.replace(/\s+(thousand|million|billion)$/, '');
  const hundred = head.endsWith(' hundred');
  const base = SMALL_WORDS[hundred ? head.replace(/ hundred$/, '') : head] ?? 1;
  return base * (hundred ? 100 : 1) * scale;
}

interface Token {
  index: number;
  end: number;
  value: number;
  currency: boolean;
  otherCurrency: boolean;
  mult: boolean;
  words: boolean;
  bare: boolean;
  raw: string;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const g = m.groups ?? {};
    const other = new RegExp(`^${OTHER_CURRENCY}$`, 'i');
    const otherCurrency = (!!g.pre && other.test(g.pre)) || (!!g.post && other.test(g.post));
    const value = g.words ? wordsValue(g.words) : Number(g.num!.replace(/,/g, '')) * multiplier(g.mult);
    // "5m" is ambiguous (minutes, meters) without a currency; "Series B" never reaches here (no number).
    const currency = !otherCurrency && (!!g.pre || !!g.post);
    const mult = !!g.mult && (currency || !/^[mb]$/i.test(g.mult) || /^[MB]$/.test(g.mult));
    out.push({
      index: m.index,
      end: m.index + m[0].length,
      value,
      currency,
      otherCurrency,
      mult,
      words: !!g.words,
      bare: !g.words && !g.mult && !g.pre && !g.post,
      raw: m[0],
    });
  }
  return out;
}

function parseOne(text: string): Token | undefined {
  const list = tokens(text.trim());
  const t = list[0];
  return list.length === 1 && t && t.index === 0 && t.end === text.trim().length ? t : undefined;
}

/** Parses one amount written alone: "$100K", "20,000 USD", "$1.2M", "1.2 million dollars", "100k", "250000". */
export function parseAmount(text: string): number | undefined {
  const t = parseOne(text);
  return t && !t.otherCurrency ? t.value : undefined;
}

/** "$100,000" */
export function formatUsd(value: number): string {
  return `$${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const BUDGET_WORDS = /\b(?:budget(?:ed|s)?|deal(?:\s+size)?|spend(?:ing)?|contract|acv|tcv|invest(?:ment)?|allocat(?:e|ed)|willing\s+to\s+pay|purchase|ballpark|licen[cs](?:e|es|ing)|cost|po|rfp|pay|range)\b/gi;
const NEGATIVE_WORDS =
  /\b(?:raised?|raising|funding|funded|series\s+[a-h]|seed\s+round|valuation|valued|revenue|arr|mrr|turnover|sales\s+of|in\s+sales|market\s+cap|lost|saved|savings|salar(?:y|ies)|payroll|loans?\s+of|aum|assets\s+under)\b/gi;
const UNIT_AFTER =
  /^\s*(?:\+\s*)?(?:-\s*|\s)?(?:person|people|employees?|staff|ftes?|users?|seats?|customers?|clients?|patients?|students?|members?|beds?|locations?|stores?|sites?|units?|devices?|records?|leads?|visits?|calls?|emails?|messages?|transactions?|orders?|downloads?|rows?|hours?|days?|weeks?|months?|years?|minutes?|%|percent|x\b|sq|square|miles?|km|kg|lbs?|reps?|agents?|doctors?|nurses?|physicians?|beds?|schools?|hospitals?|clinics?|branches?|accounts?|sku)/i;
const PER_UNIT = /^\s*(?:\/|per|a|an|each)\s*(?:seat|user|licen[cs]e|head|person|agent|rep|member|employee)\b/i;
const PER_MONTH = /^\s*(?:\/\s*(?:mo|month)\b|(?:per|a)\s+month\b|monthly\b|mrr\b)/i;
const PER_YEAR = /^\s*(?:\/\s*(?:yr|year)\b|(?:per|a)\s+year\b|annually\b|yearly\b)/i;
const RANGE_JOIN = /^\s*(?:-|–|—|to|and)\s*/i;

function nearestDistance(re: RegExp, text: string, from: number, to: number, index: number, end: number): number {
  let best = Infinity;
  re.lastIndex = 0;
  for (const m of text.slice(from, to).matchAll(re)) {
    const start = from + m.index;
    const stop = start + m[0].length;
    const d = stop <= index ? index - stop : start >= end ? start - end : 0;
    if (d < best) best = d;
  }
  return best;
}

export interface BudgetResult {
  budget?: Found;
  notes: string[];
}

/** The budget a buyer states in `text`, in USD (see the module comment for what counts), and notes on what was skipped. */
export function findBudget(text: string): BudgetResult {
  const list = tokens(text);
  const notes: string[] = [];
  let best: { score: number; found: Found } | undefined;
  for (let i = 0; i < list.length; i++) {
    let t = list[i]!;
    const start = t.index;
    let value = t.value;
    let currency = t.currency;
    let mult = t.mult || t.words;
    // A range: "$50K-$100K", "50-100k USD", "between $50k and $100k" -> the upper bound.
    const next = list[i + 1];
    const join = next ? text.slice(t.end, next.index) : '';
    if (next && RANGE_JOIN.test(join) && join.replace(RANGE_JOIN, '') === '' && (next.currency || next.mult || next.words || currency || mult)) {
      value = Math.max(t.value, next.value);
      currency ||= next.currency;
      mult ||= next.mult || next.words;
      if (t.otherCurrency || next.otherCurrency) t = { ...t, otherCurrency: true };
      t = { ...t, end: next.end };
      i++;
    }
    const after = text.slice(t.end, t.end + 40);
    if (t.otherCurrency) {
      notes.push(`ignored an amount in another currency ("${text.slice(start, t.end).trim()}"); budgetUsd only reads US dollars`);
      continue;
    }
    if (PER_UNIT.test(after)) continue;
    if (!currency && UNIT_AFTER.test(after)) continue;
    if (!currency && !mult && value >= 1900 && value <= 2100 && Number.isInteger(value)) continue; // a year
    const sentence = sentenceAround(text, start);
    const budgetDistance = nearestDistance(BUDGET_WORDS, text, sentence.start, sentence.end, start, t.end);
    const negativeDistance = nearestDistance(NEGATIVE_WORDS, text, sentence.start, sentence.end, start, t.end);
    if (negativeDistance < budgetDistance) continue;
    let score: number;
    if (budgetDistance <= 40) score = 3;
    else if (budgetDistance < Infinity) score = 2;
    else score = 1;
    if (!currency && !mult) {
      // A bare number is money only right after a budget word: "budget is 80000", "budget: 250,000".
      const before = text.slice(Math.max(0, start - 40), start);
      if (!/\bbudget(?:ed)?\b[^.\d]{0,25}$/i.test(before) || value < 100) continue;
    } else if (!currency && score === 1) continue;
    if (PER_MONTH.test(after)) {
      value *= 12;
      notes.push(`annualized a monthly amount ("${text.slice(start, t.end).trim()}")`);
    } else if (PER_YEAR.test(after)) {
      // already a yearly figure
    }
    if (!best || score > best.score) best = { score, found: { value, index: start, end: t.end, quote: snippet(text, start, t.end, 3) } };
  }
  return best ? { budget: best.found, notes } : { notes };
}

const EMP_NUM = String.raw`(?<num>${NUM})\s?(?<k>k)?`;
const EMP_RANGE = String.raw`(?:(?<low>${NUM})\s?(?<lowk>k)?\s?(?:-|–|to)\s?)?`;
const APPROX = String.raw`(?:(?:about|around|roughly|approximately|approx\.?|~|nearly|almost|over|more\s+than|just\s+over|just\s+under|under|less\s+than|some|close\s+to)\s+)?`;
const EMPLOYEE_PATTERNS: { re: RegExp; weight: number }[] = [
  // "2,000-person", "500-employee", "40-strong"
  { re: new RegExp(String.raw`(?<![\p{L}\p{N}.,])${EMP_RANGE}${EMP_NUM}\+?\s?-\s?(?:person|people|employee|staff|strong)\b`, 'giu'), weight: 3 },
  // "1,200 employees", "about 500 staff", "5k employees", "50-100 FTEs"
  {
    re: new RegExp(
      String.raw`(?<![\p{L}\p{N}.,$])${EMP_RANGE}${EMP_NUM}\+?\s+(?:full[- ]time\s+)?(?:employees|staff(?:ers)?|ftes?|workers|team\s+members|people\s+on\s+staff|person\s+(?:company|team|org(?:anization)?|firm|business))\b`,
      'giu',
    ),
    weight: 3,
  },
  // "we're about 300 people", "we have 80 people", "employs 2,000 people"
  {
    re: new RegExp(String.raw`\b(?:we(?:'re|’re|\s+are)|we\s+have|we've\s+got|employ(?:s|ing)?|with)\s+${APPROX}${EMP_RANGE}${EMP_NUM}\+?\s+(?:people|folks|employees|staff)\b`, 'giu'),
    weight: 3,
  },
  // "headcount of 300", "company of 200", "a team of 40"
  {
    re: new RegExp(
      String.raw`\b(?<what>team|company|organi[sz]ation|org|staff|workforce|headcount|firm|business)\s+(?:of|is|is\s+about|size\s+is|:)\s+${APPROX}${EMP_RANGE}${EMP_NUM}\+?(?!\s*(?:%|percent|years?|months?|days?|locations?|stores?|sites?|customers?|clients?|patients?|users?|students?|beds?|countries|offices?))`,
      'giu',
    ),
    weight: 2,
  },
];

/** The company's head count in `text` ("2,000-person", "about 500 staff", "a team of 40", "5k employees"). */
export function findEmployees(text: string): Found | undefined {
  let best: { weight: number; found: Found } | undefined;
  for (const { re, weight } of EMPLOYEE_PATTERNS) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const g = m.groups ?? {};
      const value = Math.round(Number(g.num!.replace(/,/g, '')) * (g.k ? 1000 : 1));
      const low = g.low ? Number(g.low.replace(/,/g, '')) * (g.lowk || g.k ? 1000 : 1) : 0;
      const count = Math.max(value, Math.round(low));
      if (!Number.isFinite(count) || count <= 0) continue;
      const found = { value: count, index: m.index, end: m.index + m[0].length, quote: snippet(text, m.index, m.index + m[0].length, 1) };
      if (!best || weight > best.weight || (weight === best.weight && found.index < best.found.index)) best = { weight, found };
    }
  }
  return best?.found;
}

/** Regex source for one amount in a rule: "$100K", "20,000 USD", "$1.2M", "1000", "half a million". */
export const RULE_AMOUNT = String.raw`(?:(?:US\$|\$)\s?)?(?:${NUM}(?:\s?(?:thousand|millions?|billions?|mm|mn|bn|k|m|b)(?![\p{L}]))?|${WORD_AMOUNT})(?:\s?(?:usd|us\s+dollars|dollars)(?![\p{L}]))?`;

/** The value of a RULE_AMOUNT match and whether it is written as money ($, USD, k/M, words). */
export function amountInfo(text: string): { value: number; money: boolean } | undefined {
  const t = parseOne(text);
  if (!t || t.otherCurrency) return undefined;
  return { value: t.value, money: t.currency || t.words || /\d\s?(?:k|m|mm|mn|b|bn|thousand|millions?|billions?)\b/i.test(text) };
}
