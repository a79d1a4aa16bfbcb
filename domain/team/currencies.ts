/**
 * team.yaml `currencies:`: how many US dollars one unit of another currency is worth, so rules can
 * say "over €100K" and a buyer's "£50k budget" counts. Rates are the team's own (no live feed: a
 * routing decision must not change because a market moved overnight). Pure.
 */
import { z } from 'zod';
import { ISO_CURRENCIES } from '../qualify/amounts';

export type { CurrencyRates } from '../qualify/amounts';

export const currencyRatesSchema = z
  .record(z.string(), z.unknown(), { error: 'expected ISO 4217 codes with US dollars per one unit, e.g. { EUR: 1.08, GBP: 1.27 }' })
  .transform((raw, ctx): Record<string, number> => {
    const rates: Record<string, number> = {};
    for (const [code, rate] of Object.entries(raw)) {
      const problem = codeProblem(code) ?? rateProblem(code, rate);
      if (problem) ctx.addIssue({ code: 'custom', path: [code], message: problem });
      else rates[code] = rate as number;
    }
    return rates;
  });

function codeProblem(code: string): string | null {
  if (code === 'USD') return 'USD is the base currency: rates are US dollars per one unit of another currency; remove this entry';
  if (!/^[A-Z]{3}$/.test(code)) return `expected an ISO 4217 currency code in capitals, such as EUR or GBP, got "${code}"`;
  if (!ISO_CURRENCIES.has(code)) return `"${code}" is not an ISO 4217 currency code`;
  return null;
}

function rateProblem(code: string, rate: unknown): string | null {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    const got = typeof rate === 'number' ? String(rate) : JSON.stringify(rate);
    return `expected US dollars per one ${code}, a positive number (${code}: 1.25 means 1 ${code} = $1.25), got ${got}`;
  }
  return null;
}
