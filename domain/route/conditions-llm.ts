/**
 * The conditions part of compiling a rule with an LLM: the structured form the model fills in
 * (the same "or", "not" and currency forms as the parser's), what the prompt says about it, and
 * the checks that keep it inside the roster. Pure; rules-llm.ts builds the whole rule from it.
 *
 * The answer is two levels deep, never recursive, so strict structured outputs and grammar-based
 * local models take it: a list of conditions that must all hold, where one of kind `either` holds
 * `options`, each a list of atoms that must all hold.
 */
import { z } from 'zod';
import { formatMoney, ISO_CURRENCIES, toUsd } from '../qualify/amounts';
import { BUILT_IN_TERRITORIES, canonicalTerritory } from '../qualify/geo';
import { canonicalIndustry, INDUSTRY_IDS } from '../qualify/industries';
import { normalizeName } from '../text-match';
import type { Atom, Bounds, Condition, Roster } from './rule-types';

const ATOM_KINDS = ['amount', 'employees', 'industry', 'territory', 'mention', 'urgent'] as const;

const atomFields = {
  kind: z.enum(ATOM_KINDS),
  // Optional as well as nullable: answers written before these keys existed still validate;
  // the strict JSON schema still asks for every key (nullable).
  negated: z.boolean().nullable().optional(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  minInclusive: z.boolean().nullable(),
  maxInclusive: z.boolean().nullable(),
  currency: z.string().nullable().optional(),
  industries: z.array(z.string()).nullable(),
  territory: z.string().nullable(),
  terms: z.array(z.string()).nullable(),
};

const llmAtomSchema = z.strictObject(atomFields);

/** One condition of an LLM answer: an atom, or `either` with `options`. */
export const llmConditionSchema = z.strictObject({
  ...atomFields,
  kind: z.enum([...ATOM_KINDS, 'either']),
  options: z.array(z.array(llmAtomSchema)).nullable().optional(),
});

type LlmAtom = z.infer<typeof llmAtomSchema>;
export type LlmCondition = z.infer<typeof llmConditionSchema>;

/** The prompt lines that explain conditions. */
export function conditionPromptLines(roster: Roster): string[] {
  const configured = Object.entries(roster.territories).map(([name, entries]) => `${name} (${entries.join(', ')})`);
  const rates = Object.entries(roster.currencies ?? {}).map(([code, rate]) => `${code} ($${rate})`);
  return [
    'All conditions must hold (AND). For "or" between conditions use one condition of kind "either" whose `options` are lists of conditions: it holds when every condition of at least one option holds. "and" binds tighter than "or"; a list of values of one kind ("healthcare or fintech", "Texas or Oklahoma") is one condition (several industries or terms) or an either. Return understood=false with `problem` when the rule cannot be expressed exactly with these conditions, names someone not listed, or could be read two ways (e.g. "leads from Texas over $100K or with 1000+ employees": does Texas apply to both sides?); never drop part of a rule.',
    'negated: true for "not", "non-", "except", "outside", "excluding", "unless", "that don\'t mention"; it holds exactly when the condition does not (also when the fact is unknown). Otherwise null.',
    'Condition kinds (unused fields null):',
    `- amount: deal size / budget: min and/or max, with minInclusive/maxInclusive ("over $100K" -> min 100000, minInclusive false; "$1.2M+" -> min 1200000, minInclusive true; "between $50k and $250k" -> both, inclusive), in the currency the rule writes: currency is its ISO 4217 code, null for US dollars. Currencies with a configured rate: ${rates.join(', ') || 'none (US dollars only)'}.`,
    '- employees: company head count, same fields.',
    `- industry: industries, any of: ${INDUSTRY_IDS.join(', ')}.`,
    `- territory: one of the configured territories [${configured.join('; ') || 'none'}], a built-in one [${Object.keys(BUILT_IN_TERRITORIES).join(', ')}], a US state 2-letter code, or an ISO 3166-1 alpha-2 country code.`,
    `- mention: terms the lead's text must contain (any of them); configured competitors: ${roster.competitors.map((c) => JSON.stringify(c)).join(', ') || 'none'}.`,
    '- urgent: the lead is urgent.',
    '- either: options as above (atoms only inside options); every other field null.',
  ];
}

/** An LLM's conditions in the compiled form; `fail` throws with the reason. */
export function conditionsFromLlm(list: LlmCondition[], roster: Roster, fail: (reason: string) => never): Condition[] {
  return list.map((c): Condition => {
    if (c.kind !== 'either') return atomFromLlm(c as LlmAtom, roster, fail);
    const options = (c.options ?? []).filter((o) => o.length > 0);
    if (options.length === 0) fail('the LLM gave an "either" condition without options');
    return { kind: 'either', options: options.map((o) => o.map((a) => atomFromLlm(a, roster, fail))) };
  });
}

function atomFromLlm(c: LlmAtom, roster: Roster, fail: (reason: string) => never): Condition {
  const atom = plainAtom(c, roster, fail);
  return c.negated ? { ...atom, negated: true } : atom;
}

function plainAtom(c: LlmAtom, roster: Roster, fail: (reason: string) => never): Atom {
  switch (c.kind) {
    case 'amount':
    case 'employees': {
      if (c.min === null && c.max === null) fail(`the LLM gave a ${c.kind} condition without bounds`);
      const bounds: Bounds = { minInclusive: c.minInclusive ?? false, maxInclusive: c.maxInclusive ?? false };
      if (c.min !== null) bounds.min = c.min;
      if (c.max !== null) bounds.max = c.max;
      const code = c.currency?.trim().toUpperCase();
      if (c.kind === 'employees' || !code || code === 'USD') return { kind: c.kind, ...bounds };
      if (!ISO_CURRENCIES.has(code)) fail(`the LLM named an unknown currency ${JSON.stringify(c.currency)}`);
      const rate = roster.currencies?.[code];
      if (rate === undefined) fail(`amounts in ${code} need a rate: add it to team.yaml as \`currencies: { ${code}: <US dollars per one ${code}> }\``);
      const amount: Extract<Atom, { kind: 'amount' }> = { kind: 'amount', minInclusive: bounds.minInclusive, maxInclusive: bounds.maxInclusive, currency: { code, rate } };
      if (bounds.min !== undefined) [amount.min, amount.currency!.min] = [toUsd(bounds.min, rate), bounds.min];
      if (bounds.max !== undefined) [amount.max, amount.currency!.max] = [toUsd(bounds.max, rate), bounds.max];
      return amount;
    }
    case 'industry': {
      const ids = (c.industries ?? []).map((i) => canonicalIndustry(i) ?? i.trim().toLowerCase());
      return { kind: 'industry', industries: [...new Set(ids)] };
    }
    case 'territory': {
      const value = c.territory ? canonicalTerritory(c.territory, roster.territories) : undefined;
      if (!value) fail(`the LLM named an unknown territory ${JSON.stringify(c.territory)}`);
      return { kind: 'territory', territory: value };
    }
    case 'mention': {
      const byName = new Map(roster.competitors.map((n) => [normalizeName(n), n]));
      const terms = (c.terms ?? []).map((t) => t.trim()).filter(Boolean).map((t) => byName.get(normalizeName(t)) ?? t);
      return { kind: 'mention', terms };
    }
    case 'urgent':
      return { kind: 'urgent' };
  }
}

/** Null when the conditions use only known industries, territories and currencies, with sane bounds; else what is wrong. */
export function conditionsProblem(conditions: Condition[], roster: Roster): string | null {
  for (const c of conditions) {
    if (c.kind === 'either') {
      if (c.options.length === 0 || c.options.some((o) => o.length === 0)) return 'an "either" condition has an empty option';
      for (const o of c.options) {
        const p = conditionsProblem(o, roster);
        if (p) return p;
      }
    } else if (c.kind === 'amount' || c.kind === 'employees') {
      if (c.min === undefined && c.max === undefined) return `${c.kind} condition has no bound`;
      for (const v of [c.min, c.max]) if (v !== undefined && (!Number.isFinite(v) || v < 0)) return `${c.kind} bound ${v} is not a non-negative number`;
      if (c.min !== undefined && c.max !== undefined && c.min > c.max) return `${c.kind} range ${c.min}..${c.max} runs backwards`;
      if (c.kind === 'amount' && c.currency) {
        const rate = roster.currencies?.[c.currency.code];
        if (rate !== c.currency.rate) {
          return `amount in ${c.currency.code} (${formatMoney(c.currency.min ?? c.currency.max ?? 0, c.currency.code)}) was converted at ${c.currency.rate}, but team.yaml currencies says ${rate ?? 'nothing'}`;
        }
      }
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
