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
 * - Other currencies (€, £, EUR, any ISO 4217 code in capitals, ...) count only when team.yaml
 *   `currencies` gives their rate: the amount is converted to US dollars (with a note saying so);
 *   without a rate it is skipped with a note. "¥" is never converted (JPY or CNY?).
 */
import { sentenceAround, snippet } from '../text-match';

/** US dollars per one unit of another currency, by ISO 4217 code (team.yaml `currencies`). */
export type CurrencyRates = Readonly<Record<string, number>>;

/** ISO 4217 codes the runtime knows (Intl), so a code is recognised without a hand-kept list. */
export const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

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
// Other currencies: symbols, a few words, and every ISO 4217 code (checked in `currencyOf`: in
// capitals, or one of FAMILIAR_LOWER in lower case, since "all", "top" or "try" are codes too).
const ISO_CODES = [...ISO_CURRENCIES].filter((c) => c !== 'USD').join('|');
const FAMILIAR_LOWER = new Set(['eur', 'gbp', 'cad', 'aud', 'jpy', 'inr', 'chf']);
const CURRENCY_WORDS = String.raw`euros?|pounds?\s+sterling|yen|rupees?`;
const OTHER_CURRENCY = String.raw`(?:€|£|¥|₹|${CURRENCY_WORDS}|${ISO_CODES})`;
const USD_PRE = String.raw`US\$|\$|USD`;
const USD_POST = String.raw`USD|US\s+dollars|dollars?|bucks`;

/** A single amount token: optional currency, a number or words, optional multiplier, optional currency. */
const TOKEN = new RegExp(
  String.raw`(?<![\p{L}\p{N}.,])(?:(?<pre>${USD_PRE}|${OTHER_CURRENCY})\s?)?(?:(?<num>${NUM})(?:\s?(?<mult>${MULT})(?![\p{L}]))?|(?<words>${WORD_AMOUNT}))(?:\s?(?<post>${USD_POST}|${OTHER_CURRENCY})(?![\p{L}]))?`,
  'giud',
);

/** "¥": Japanese yen or Chinese yuan, so never converted. */
export const YEN = 'JPY or CNY';
const SYMBOLS: Record<string, string> = { '€': 'EUR', '£': 'GBP', '₹': 'INR', '¥': YEN };
const USD_MARK = new RegExp(`^(?:${USD_PRE}|${USD_POST})$`, 'i');

/** Codes that are also English words: in what a buyer writes ("50K ALL IN") they are currencies only when configured. */
const WORD_CODES = new Set(['ALL', 'BAM', 'BOB', 'CUP', 'GEL', 'MAD', 'MOP', 'PEN', 'SOS', 'TOP', 'TRY']);

/**
 * The currency a mark names: 'USD', an ISO code, YEN (ambiguous), or undefined when the mark is
 * not a currency after all (a lower-case word that happens to be a code: "5k all in"). `leadRates`:
 * reading a buyer's text with these rates (see WORD_CODES); rules pass none.
 */
function currencyOf(mark: string | undefined, leadRates?: CurrencyRates): string | undefined {
  if (!mark) return undefined;
  const m = mark.trim();
  if (USD_MARK.test(m)) return 'USD';
  if (SYMBOLS[m]) return SYMBOLS[m];
  const word = m.toLowerCase().replace(/\s+/g, ' ');
  if (/^euros?$/.test(word)) return 'EUR';
  if (/^pounds? sterling$/.test(word)) return 'GBP';
  if (word === 'yen') return 'JPY';
  if (/^rupees?$/.test(word)) return 'INR';
  const code = m.toUpperCase();
  if (!ISO_CURRENCIES.has(code) || (m !== code && !FAMILIAR_LOWER.has(m))) return undefined;
  if (leadRates && WORD_CODES.has(code) && leadRates[code] === undefined) return undefined;
  return code;
}

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
  /** Written in US dollars ($, USD, dollars). */
  currency: boolean;
  /** Written in another currency: `code` says which. */
  otherCurrency: boolean;
  /** 'USD', an ISO 4217 code, or YEN; undefined when no currency is written. */
  code?: string;
  mult: boolean;
  words: boolean;
  bare: boolean;
  raw: string;
}

function tokens(text: string, leadRates?: CurrencyRates): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const g = m.groups ?? {};
    const at = m.indices!.groups!;
    let index = m.index;
    let end = m.index + m[0].length;
    // A lower-case word that is also a code ("5k all in") is not a currency: the token ends before it.
    const pre = currencyOf(g.pre, leadRates);
    const post = currencyOf(g.post, leadRates);
    if (g.pre && !pre) index = (at.num ?? at.words)![0];
    if (g.post && !post) end = at.post![0] - (/\s$/.test(text.slice(0, at.post![0])) ? 1 : 0);
    const code = pre ?? post;
    const value = g.words ? wordsValue(g.words) : Number(g.num!.replace(/,/g, '')) * multiplier(g.mult);
    // "5m" is ambiguous (minutes, meters) without a currency; "Series B" never reaches here (no number).
    const currency = code === 'USD';
    const otherCurrency = code !== undefined && code !== 'USD';
    const mult = !!g.mult && (currency || !/^[mb]$/i.test(g.mult) || /^[MB]$/.test(g.mult));
    out.push({
      index,
      end,
      value,
      currency,
      otherCurrency,
      ...(code ? { code } : {}),
      mult,
      words: !!g.words,
      bare: !g.words && !g.mult && !code,
      raw: text.slice(index, end),
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

/**
 * The budget a buyer states in `text`, in USD (see the module comment for what counts), and notes
 * on what was skipped or converted. `rates`: team.yaml `currencies`, US dollars per unit.
 */
export function findBudget(text: string, rates: CurrencyRates = {}): BudgetResult {
  const list = tokens(text, rates);
  const notes: string[] = [];
  let best: { score: number; found: Found; converted?: string } | undefined;
  for (let i = 0; i < list.length; i++) {
    let t = list[i]!;
    const start = t.index;
    let value = t.value;
    let code = t.code;
    let mult = t.mult || t.words;
    // A range: "$50K-$100K", "50-100k USD", "between $50k and $100k" -> the upper bound.
    const next = list[i + 1];
    const join = next ? text.slice(t.end, next.index) : '';
    if (next && RANGE_JOIN.test(join) && join.replace(RANGE_JOIN, '') === '' && (next.code || next.mult || next.words || code || mult)) {
      value = Math.max(t.value, next.value);
      if (code && next.code && code !== next.code) code = `${code}+${next.code}`;
      code ??= next.code;
      mult ||= next.mult || next.words;
      t = { ...t, end: next.end };
      i++;
    }
    const written = text.slice(start, t.end).trim();
    let converted: string | undefined;
    if (code && code !== 'USD') {
      const rate = rates[code];
      if (rate === undefined) {
        notes.push(`ignored an amount in another currency ("${written}"); ${skipReason(code)}`);
        continue;
      }
      const usd = toUsd(value, rate);
      converted = `converted "${written}" (${formatMoney(value, code)}) to ${formatUsd(usd)} at ${formatUsd(rate)} per ${code} (team.yaml currencies)`;
      value = usd;
      code = 'USD';
    }
    const currency = code === 'USD';
    const after = text.slice(t.end, t.end + 40);
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
      notes.push(`annualized a monthly amount ("${written}")`);
    } else if (PER_YEAR.test(after)) {
      // already a yearly figure
    }
    if (!best || score > best.score) {
      best = { score, found: { value, index: start, end: t.end, quote: snippet(text, start, t.end, 3) }, ...(converted ? { converted } : {}) };
    }
  }
  if (best?.converted) notes.push(best.converted);
  return best ? { budget: best.found, notes } : { notes };
}

function skipReason(code: string): string {
  if (code === YEN) return '"¥" could be Japanese yen or Chinese yuan, so it is never converted';
  if (code.includes('+')) return 'a range in two currencies is not converted';
  return `no rate for ${code}: add it under "currencies:" in team.yaml (US dollars per one ${code}) to count it`;
}

/** An amount in `code` converted at `rate` US dollars per unit, to the cent. */
export function toUsd(value: number, rate: number): number {
  return Math.round(value * rate * 100) / 100;
}

/** "€100,000", "SEK 250,000", "$1,000" */
export function formatMoney(value: number, code: string): string {
  if (code === 'USD') return formatUsd(value);
  if (!ISO_CURRENCIES.has(code)) return `${formatCount(value)} ${code}`;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: code, minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(value).replace(/\u00a0/g, ' ');
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

/**
 * Regex source for one amount in a rule: "$100K", "20,000 USD", "$1.2M", "1000", "half a million",
 * "€100K", "50,000 EUR", "£40k", "100k pounds". Other currencies are read by `amountInfo`.
 */
export const RULE_AMOUNT = String.raw`(?:(?:US\$|\$|€|£|¥|₹|(?:${ISO_CODES})(?=\s?\d))\s?)?(?:${NUM}(?:\s?(?:thousand|millions?|billions?|mm|mn|bn|k|m|b)(?![\p{L}]))?|${WORD_AMOUNT})(?:\s?(?:usd|us\s+dollars|dollars|${CURRENCY_WORDS}|pounds?|${ISO_CODES})(?![\p{L}]))?`;

/**
 * The value of a RULE_AMOUNT match, whether it is written as money ($, USD, k/M, words, another
 * currency), and the currency when it is not US dollars (an ISO code, or YEN for "¥").
 */
export function amountInfo(text: string): { value: number; money: boolean; code?: string } | undefined {
  const trimmed = text.trim();
  const pounds = /^(.*?)\s?pounds?$/i.exec(trimmed);
  const t = parseOne(pounds ? `£${pounds[1]}` : trimmed);
  if (!t) return undefined;
  const money = t.currency || t.otherCurrency || t.words || /\d\s?(?:k|m|mm|mn|b|bn|thousand|millions?|billions?)\b/i.test(text);
  return { value: t.value, money, ...(t.otherCurrency ? { code: t.code! } : {}) };
}
