/**
 * Amounts and head counts in a rule: "over $100K", "between £40k and £80k", "1000+ employees",
 * "under 50,000 EUR". Amounts in another currency are converted to US dollars with team.yaml
 * `currencies`, and the rule's own figures and the rate are kept for `baton rules`. Pure.
 */
import { amountInfo, formatMoney, RULE_AMOUNT, toUsd, YEN, type CurrencyRates } from '../qualify/amounts';
import { ConditionError } from './rule-logic';
import type { Atom, Bounds, WrittenCurrency } from './rule-types';

const MIN_EXCL = String.raw`over|above|more\s+than|greater\s+than|exceeding|bigger\s+than|larger\s+than|>`;
const MIN_INCL = String.raw`at\s+least|no\s+less\s+than|minimum(?:\s+of)?|min\.?|>=|≥`;
const MAX_EXCL = String.raw`under|below|less\s+than|fewer\s+than|smaller\s+than|<`;
const MAX_INCL = String.raw`up\s+to|at\s+most|no\s+more\s+than|maximum(?:\s+of)?|max\.?|<=|≤`;
// "$1M or more" is one bound; "over $50k and under €100k" is two: an amount follows.
const NEXT_AMOUNT = String.raw`(?!\s*(?:than|\$|€|£|¥|₹|\d|half|a\s|[A-Z]{3}\s?\d))`;
const POST_MIN = String.raw`\s*\+|\s+(?:or|and)\s+(?:more|above|over|up|higher|greater)${NEXT_AMOUNT}|\s+plus`;
const POST_MAX = String.raw`\s+(?:or|and)\s+(?:less|fewer|below|under|lower)${NEXT_AMOUNT}`;
const MONEY_UNIT = String.raw`budget|deal\s+size|deal\s+value|contract\s+value|contract\s+size|acv|arr|amount|spend|deal|opportunity\s+size`;
const HEAD_UNIT = String.raw`headcount|head\s+count|company\s+size|employee\s+count|number\s+of\s+employees|employees|staff|team\s+size`;
const EMP_WORD = String.raw`employees|employee|people|staff|ftes?|headcount|seats|person|workers|users`;

const PRE_UNIT = String.raw`(?:(?:with\s+)?(?:an?\s+)?(?<unit>${MONEY_UNIT}|${HEAD_UNIT})\s*(?:is\s+|of\s+|:\s*)?)?`;
const POST_UNIT = String.raw`(?:[\s-]+(?<unit2>${EMP_WORD})(?![\p{L}]))?`;
const A = RULE_AMOUNT;

/** One amount or head-count condition, at a position (sticky). */
export const COMPARE_RE = new RegExp(
  String.raw`${PRE_UNIT}(?:(?<cmp>${MIN_EXCL}|${MIN_INCL}|${MAX_EXCL}|${MAX_INCL})\s*(?<n>${A})(?<post>${POST_MIN}|${POST_MAX})?|between\s+(?<lo>${A})\s+(?:and|to|-)\s+(?<hi>${A})|(?:from\s+)?(?<lo2>${A})\s*(?:-|–|to)\s*(?<hi2>${A})|(?<n2>${A})(?<post2>${POST_MIN}|${POST_MAX}))${POST_UNIT}`,
  'iuy',
);

type Ranged = Extract<Atom, { kind: 'amount' | 'employees' }>;

/**
 * The amount or head-count condition a COMPARE_RE match states, amounts in US dollars. A bare
 * number ("over 500") is an amount only in a rule about money (`moneyRule`: deals, budgets, ...).
 */
export function rangeFrom(m: RegExpExecArray, rates: CurrencyRates | undefined, moneyRule: boolean): Ranged {
  const g = m.groups ?? {};
  const written = m[0].trim();
  const parts = [g.n, g.lo, g.hi, g.lo2, g.hi2, g.n2].filter((x): x is string => !!x);
  const infos = parts.map((p) => amountInfo(p.trim()));
  if (infos.some((i) => !i)) throw new ConditionError(`did not understand the amount in "${written}"`);
  const money = infos.some((i) => i!.money);
  const unit = (g.unit ?? '').toLowerCase();
  const unit2 = g.unit2?.toLowerCase();
  let kind: 'amount' | 'employees' | 'unknown' = 'unknown';
  if (unit2 || new RegExp(`^(?:${HEAD_UNIT})$`, 'i').test(unit)) kind = 'employees';
  else if (money || (unit && new RegExp(`^(?:${MONEY_UNIT})$`, 'i').test(unit))) kind = 'amount';
  if (kind === 'unknown' && moneyRule) kind = 'amount';
  if (kind === 'unknown') throw new ConditionError(`cannot tell whether "${written}" is an amount or a head count; write "$${written.replace(/^\D+/, '')}" or "${written} employees"`);
  const codes = [...new Set(infos.map((i) => i!.code).filter((c): c is string => !!c))];
  const dollars = parts.some((p) => /\$|usd|dollar/i.test(p));
  if (codes.length > 1 || (codes.length === 1 && dollars)) throw new ConditionError(`"${written}" mixes currencies; write both amounts in one currency`);
  if (codes.length === 1 && kind === 'employees') throw new ConditionError(`"${written}" counts employees in money`);

  const bounds: Bounds = { minInclusive: false, maxInclusive: false };
  const value = (i: number) => infos[i]!.value;
  if (g.cmp) {
    const cmp = g.cmp.toLowerCase().replace(/\s+/g, ' ');
    const post = (g.post ?? '').trim().toLowerCase();
    if (new RegExp(`^(?:${MIN_EXCL})$`, 'i').test(cmp)) Object.assign(bounds, { min: value(0), minInclusive: /more|above|higher|greater|up|\+|plus/.test(post) });
    else if (new RegExp(`^(?:${MIN_INCL})$`, 'i').test(cmp)) Object.assign(bounds, { min: value(0), minInclusive: true });
    else if (new RegExp(`^(?:${MAX_EXCL})$`, 'i').test(cmp)) Object.assign(bounds, { max: value(0), maxInclusive: /less|fewer|below|under|lower/.test(post) });
    else Object.assign(bounds, { max: value(0), maxInclusive: true });
  } else if (g.lo || g.lo2) {
    const [lo, hi] = [value(0), value(1)];
    if (hi < lo) throw new ConditionError(`the range "${written}" runs backwards`);
    Object.assign(bounds, { min: lo, max: hi, minInclusive: true, maxInclusive: true });
  } else {
    const post = (g.post2 ?? '').trim().toLowerCase();
    if (/less|fewer|below|under|lower/.test(post)) Object.assign(bounds, { max: value(0), maxInclusive: true });
    else Object.assign(bounds, { min: value(0), minInclusive: true });
  }
  if (kind === 'employees') return { kind, ...bounds };
  const code = codes[0];
  if (!code) return { kind, ...bounds };
  return { kind, ...inDollars(bounds, code, written, rates) };
}

/** Bounds written in another currency, converted with team.yaml `currencies`; the original figures are kept. */
function inDollars(bounds: Bounds, code: string, written: string, rates: CurrencyRates | undefined): Bounds & { currency: WrittenCurrency } {
  if (code === YEN) throw new ConditionError(`"¥" in "${written}" could be Japanese yen or Chinese yuan; write JPY or CNY`);
  const rate = rates?.[code];
  if (rate === undefined) {
    const configured = Object.keys(rates ?? {});
    throw new ConditionError(
      `"${written}" is in ${code}, which has no exchange rate: add it to team.yaml as \`currencies: { ${code}: <US dollars per one ${code}> }\`${configured.length ? ` (configured: ${configured.join(', ')})` : ''}`,
    );
  }
  const currency: WrittenCurrency = { code, rate };
  const out: Bounds & { currency: WrittenCurrency } = { minInclusive: bounds.minInclusive, maxInclusive: bounds.maxInclusive, currency };
  if (bounds.min !== undefined) [out.min, currency.min] = [toUsd(bounds.min, rate), bounds.min];
  if (bounds.max !== undefined) [out.max, currency.max] = [toUsd(bounds.max, rate), bounds.max];
  return out;
}

/** "€100,000 at $1.08 per EUR", "£40,000 to £80,000 at $1.27 per GBP" */
export function describeWrittenCurrency(c: WrittenCurrency): string {
  const figures = [c.min, c.max].filter((v): v is number => v !== undefined).map((v) => formatMoney(v, c.code));
  return `${figures.join(' to ')} at $${c.rate} per ${c.code}`;
}
