/**
 * The rule language beyond "and": "or", negation, other currencies, clauses after the target,
 * parentheses and "either ... or". Phrasings are written the way a sales-ops person writes them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toUsd } from '../../../domain/qualify/amounts';
import { extractFacts, type Facts } from '../../../domain/qualify/facts';
import {
  compileRule,
  describeRule,
  llmRuleSchema,
  matchRule,
  RuleCompileError,
  ruleFromLlm,
  rulePrompt,
  ruleUsesOnlyRoster,
  type CompiledRule,
  type Condition,
  type LlmRule,
  type Roster,
} from '../../../domain/route/rules';
import { toStrictJsonSchema } from '../../../integrations/openai/strict-schema';

const roster: Roster = {
  reps: [
    { id: 'sarah', name: 'Sarah Chen' },
    { id: 'mark', name: 'Mark Li' },
    { id: 'ana', name: 'Ana Souza' },
    { id: 'tom', name: 'Tom Baker' },
  ],
  pools: [
    { id: 'enterprise', name: 'Enterprise team' },
    { id: 'se', name: 'Solutions engineers' },
    { id: 'intl', name: 'International desk' },
  ],
  territories: { 'Pacific Northwest': ['WA', 'OR', 'ID'] },
  competitors: ['Gong', 'Competitor X'],
  currencies: { EUR: 1.08, GBP: 1.27, SEK: 0.095 },
};

const conditions = (text: string): Condition[] => compileRule(text, 0, roster).conditions;

function compileError(text: string, r: Roster = roster): RuleCompileError {
  try {
    compileRule(text, 4, r);
  } catch (err) {
    expect(err).toBeInstanceOf(RuleCompileError);
    return err as RuleCompileError;
  }
  throw new Error(`expected "${text}" not to compile`);
}

function baseFacts(over: Partial<Facts> = {}): Facts {
  return { territories: [], mentions: [], extractor: 'deterministic', notes: [], ...over };
}

const industry = (...industries: string[]) => ({ kind: 'industry' as const, industries });
const territory = (t: string) => ({ kind: 'territory' as const, territory: t });
const mention = (...terms: string[]) => ({ kind: 'mention' as const, terms });
const urgent = { kind: 'urgent' as const };
const over = (min: number) => ({ kind: 'amount' as const, min, minInclusive: false, maxInclusive: false });
const moreThan = (min: number) => ({ kind: 'employees' as const, min, minInclusive: false, maxInclusive: false });
const not = <T extends object>(c: T) => ({ ...c, negated: true as const });
const either = (...options: Condition[][]): Condition => ({ kind: 'either', options });

// ---------------------------------------------------------------- or

describe('"or"', () => {
  const cases: [string, Condition[]][] = [
    // One kind, several values: one condition (any of them).
    ['Healthcare or life sciences leads go to Sarah', [industry('healthcare', 'life-sciences')]],
    ['Healthcare, biotech or pharma companies go to Sarah', [industry('healthcare', 'life-sciences')]],
    ['Leads from Texas or Oklahoma go to Tom', [either([territory('TX')], [territory('OK')])]],
    ['Leads from Texas, Oklahoma or Kansas go to Tom', [either([territory('TX')], [territory('OK')], [territory('KS')])]],
    ['Texas and Oklahoma leads go to Tom', [either([territory('TX')], [territory('OK')])]],
    ['EMEA or APAC leads go to the international desk', [either([territory('EMEA')], [territory('APAC')])]],
    ['Leads that mention Gong or Chorus go to Mark', [mention('Gong', 'Chorus')]],
    // Different kinds.
    ['Deals over $100K or more than 1000 employees go to enterprise', [either([over(100_000)], [moreThan(1000)])]],
    ['Deals over $100K or with more than 1000 employees go to the enterprise team', [either([over(100_000)], [moreThan(1000)])]],
    ['If the deal is over $100k or the company has more than 1000 employees, route to enterprise', [either([over(100_000)], [moreThan(1000)])]],
    ['Urgent leads or leads over $100K go to Tom', [either([urgent], [over(100_000)])]],
    ['Leads that bring up HIPAA or are urgent go to Sarah', [either([mention('HIPAA')], [urgent])]],
    ['Leads mentioning Gong or urgent ones go to Mark', [either([mention('Gong')], [urgent])]],
    ['Deals under $10k or over $1M go to Tom', [either([{ kind: 'amount', max: 10_000, minInclusive: false, maxInclusive: false }], [over(1_000_000)])]],
    // "and" binds tighter: each side is a whole, with its own subject.
    [
      'Healthcare leads over $50k or fintech leads over $100k go to Sarah',
      [either([industry('healthcare'), over(50_000)], [industry('fintech'), over(100_000)])],
    ],
    ['Urgent leads or healthcare leads from Texas go to Tom', [either([urgent], [industry('healthcare'), territory('TX')])]],
    // ... also when the value after "or" could have continued a list: it starts a new subject.
    ['Texas leads in fintech or healthcare leads over $1M go to Tom', [either([territory('TX'), industry('fintech')], [industry('healthcare'), over(1_000_000)])]],
    ['Healthcare leads from Texas or Oklahoma leads over $50k go to Tom', [either([industry('healthcare'), territory('TX')], [territory('OK'), over(50_000)])]],
    ['Texas leads in fintech or healthcare go to Tom', [territory('TX'), industry('fintech', 'healthcare')]],
    // A list inside an "and": the list binds tightest.
    ['Healthcare or fintech leads over $50k go to Sarah', [industry('healthcare', 'fintech'), over(50_000)]],
    ['Healthcare leads from Texas or Oklahoma go to Sarah', [industry('healthcare'), either([territory('TX')], [territory('OK')])]],
    // Parentheses and "either ... or" say which.
    ['Leads from Texas (over $100K or with more than 1000 employees) go to Tom', [territory('TX'), either([over(100_000)], [moreThan(1000)])]],
    ['Texas leads either over $100K or with more than 1000 employees go to Tom', [territory('TX'), either([over(100_000)], [moreThan(1000)])]],
    ['(Urgent or healthcare) leads from Texas go to Tom', [either([urgent], [industry('healthcare')]), territory('TX')]],
    ['(Healthcare leads over $50k) or urgent go to Sarah', [either([industry('healthcare'), over(50_000)], [urgent])]],
    ['Route leads from Texas or Oklahoma to Tom', [either([territory('TX')], [territory('OK')])]],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(conditions(text)).toEqual(expected);
  });
});

// ---------------------------------------------------------------- not

describe('negation', () => {
  const cases: [string, Condition[]][] = [
    ['Non-healthcare leads go to Tom', [not(industry('healthcare'))]],
    ['Non healthcare leads go to Tom', [not(industry('healthcare'))]],
    ['Leads not in healthcare go to Tom', [not(industry('healthcare'))]],
    ["Leads that aren't in healthcare go to Tom", [not(industry('healthcare'))]],
    ['Leads that are not healthcare or fintech go to Tom', [not(industry('healthcare', 'fintech'))]],
    ['Everything except healthcare goes to Tom', [not(industry('healthcare'))]],
    ['Everything except EMEA goes to the international desk', [not(territory('EMEA'))]],
    ['All leads except for EMEA and APAC go to Tom', [not(territory('EMEA')), not(territory('APAC'))]],
    ['Leads outside EMEA go to Tom', [not(territory('EMEA'))]],
    ['Leads outside of North America go to the international desk', [not(territory('North America'))]],
    ['Leads outside the US go to the international desk', [not(territory('US'))]],
    ['Non-US leads go to the international desk', [not(territory('US'))]],
    ['Leads not from Texas go to Tom', [not(territory('TX'))]],
    ['Leads not from Texas or Oklahoma go to Tom', [not(territory('TX')), not(territory('OK'))]],
    ['Leads excluding the Pacific Northwest go to Tom', [not(territory('Pacific Northwest'))]],
    ['Non-urgent leads go to Tom', [not(urgent)]],
    ['Leads that are not urgent go to Tom', [not(urgent)]],
    ["Leads that don't mention Gong go to Tom", [not(mention('Gong'))]],
    ['Leads that do not use Gong go to Tom', [not(mention('Gong'))]],
    ['Leads not mentioning Gong go to Tom', [not(mention('Gong'))]],
    ['Leads that never bring up HIPAA go to Tom', [not(mention('HIPAA'))]],
    ['Deals not over $100K go to Tom', [not(over(100_000))]],
    ['Healthcare leads unless urgent go to Sarah', [industry('healthcare'), not(urgent)]],
    ['Healthcare leads over $50k not from Texas go to Sarah', [industry('healthcare'), over(50_000), not(territory('TX'))]],
    ['Leads over $100k or not from Texas go to Tom', [either([over(100_000)], [not(territory('TX'))])]],
    ['Leads not (from Texas or over $100k) go to Tom', [not(territory('TX')), not(over(100_000))]],
    ['Leads (not from Texas) or over $100k go to Tom', [either([not(territory('TX'))], [over(100_000)])]],
    ['Leads not (from Texas or over $100k) or urgent go to Tom', [either([not(territory('TX')), not(over(100_000))], [urgent])]],
    // "Non-profit" is an industry, not the negation of "profit"; "under" and "over" are bounds.
    ['Non-profit leads go to Tom', [industry('nonprofit')]],
    ['Deals under $20k go to Tom', [{ kind: 'amount', max: 20_000, minInclusive: false, maxInclusive: false }]],
    ['Companies with over 500 employees go to Tom', [moreThan(500)]],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(conditions(text)).toEqual(expected);
  });
});

describe('a clause after the target', () => {
  const cases: [string, Condition[]][] = [
    ['Deals over $100k go to enterprise unless they mention Gong', [over(100_000), not(mention('Gong'))]],
    ['Deals over $100k go to enterprise unless they mention Gong or Competitor X', [over(100_000), not(mention('Gong', 'Competitor X'))]],
    ["Deals over $100k go to enterprise except when it's urgent", [over(100_000), not(urgent)]],
    ['Everything goes to Tom except healthcare', [not(industry('healthcare'))]],
    ['Leads go to Tom unless from EMEA', [not(territory('EMEA'))]],
    // "unless A and B": not both, so either one missing will do.
    ['Leads go to Tom unless they are urgent and from Texas', [either([not(urgent)], [not(territory('TX'))])]],
    // The clause applies to the whole rule, an "or" before it included.
    ['Leads from Texas or Oklahoma go to Tom unless urgent', [either([territory('TX')], [territory('OK')]), not(urgent)]],
    ['Leads with more than 1000 employees go to Ana if they are urgent', [moreThan(1000), urgent]],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(conditions(text)).toEqual(expected);
  });

  it('keeps the targets and attendees before the clause', () => {
    const rule = compileRule('Deals over $100K go to the enterprise team with Mark unless they are in healthcare', 0, roster);
    expect(rule.target).toEqual({ type: 'pool', id: 'enterprise' });
    expect(rule.attendees).toEqual([{ type: 'rep', id: 'mark' }]);
    expect(rule.conditions).toEqual([over(100_000), not(industry('healthcare'))]);
  });
});

// ---------------------------------------------------------------- currencies

describe('amounts in other currencies', () => {
  const eur = (fields: object) => ({ kind: 'amount', minInclusive: false, maxInclusive: false, ...fields });
  const cases: [string, object, string][] = [
    ['Deals over €100K go to Ana', eur({ min: 108_000, currency: { code: 'EUR', rate: 1.08, min: 100_000 } }), 'amount > $108,000 (€100,000 at $1.08 per EUR)'],
    ['Deals over EUR 100k go to Ana', eur({ min: 108_000, currency: { code: 'EUR', rate: 1.08, min: 100_000 } }), 'amount > $108,000 (€100,000 at $1.08 per EUR)'],
    ['Deals over 100k euros go to Ana', eur({ min: 108_000, currency: { code: 'EUR', rate: 1.08, min: 100_000 } }), 'amount > $108,000 (€100,000 at $1.08 per EUR)'],
    ['Deals under 50,000 EUR go to Tom', eur({ max: 54_000, currency: { code: 'EUR', rate: 1.08, max: 50_000 } }), 'amount < $54,000 (€50,000 at $1.08 per EUR)'],
    [
      'Deals between £40k and £80k go to Ana',
      eur({ min: 50_800, max: 101_600, minInclusive: true, maxInclusive: true, currency: { code: 'GBP', rate: 1.27, min: 40_000, max: 80_000 } }),
      '$50,800 <= amount <= $101,600 (£40,000 to £80,000 at $1.27 per GBP)',
    ],
    ['Deals over 50k pounds go to Tom', eur({ min: 63_500, currency: { code: 'GBP', rate: 1.27, min: 50_000 } }), 'amount > $63,500 (£50,000 at $1.27 per GBP)'],
    ['Deals of €1.2M+ go to Ana', eur({ min: 1_296_000, minInclusive: true, currency: { code: 'EUR', rate: 1.08, min: 1_200_000 } }), 'amount >= $1,296,000 (€1,200,000 at $1.08 per EUR)'],
    ['Deals of at least 1M SEK go to Ana', eur({ min: 95_000, minInclusive: true, currency: { code: 'SEK', rate: 0.095, min: 1_000_000 } }), 'amount >= $95,000 (SEK 1,000,000 at $0.095 per SEK)'],
    [
      'Deals over €50k and under €100k go to Ana',
      eur({ min: 54_000, max: 108_000, currency: { code: 'EUR', rate: 1.08, min: 50_000, max: 100_000 } }),
      '$54,000 < amount < $108,000 (€50,000 to €100,000 at $1.08 per EUR)',
    ],
  ];
  it.each(cases)('%s', (text, condition, description) => {
    const rule = compileRule(text, 0, roster);
    expect(rule.conditions).toEqual([condition]);
    expect(describeRule(rule)).toBe(`IF ${description} THEN rep ${rule.target.id}`);
  });

  it('combines with "or" and "not"', () => {
    expect(describeRule(compileRule('Leads over €1M or more than 5000 employees go to Ana', 0, roster))).toBe(
      'IF amount > $1,080,000 (€1,000,000 at $1.08 per EUR) OR employees > 5,000 THEN rep ana',
    );
  });

  it('routes with the converted amount and says so', () => {
    const rules = [compileRule('Deals over €100K go to Ana', 0, roster)];
    expect(matchRule(rules, baseFacts({ budgetUsd: { value: 108_001, source: 'field' } }), '')?.reasons).toEqual([
      'budget $108,001 > $108,000 (€100,000 at $1.08 per EUR)',
    ]);
    expect(matchRule(rules, baseFacts({ budgetUsd: { value: 108_000, source: 'field' } }), '')).toBeNull();
  });
});

// ---------------------------------------------------------------- describing and matching

describe('describeRule', () => {
  const cases: [string, string][] = [
    ['Deals over $100K or more than 1000 employees go to enterprise', 'IF amount > $100,000 OR employees > 1,000 THEN pool enterprise'],
    ['Healthcare leads over $50k or fintech leads over $100k go to Sarah', 'IF (industry healthcare AND amount > $50,000) OR (industry fintech AND amount > $100,000) THEN rep sarah'],
    ['Leads from Texas (over $100K or with more than 1000 employees) go to Tom', 'IF territory TX (Texas) AND (amount > $100,000 OR employees > 1,000) THEN rep tom'],
    ['Non-healthcare leads go to Tom', 'IF NOT industry healthcare THEN rep tom'],
    ['Leads that are not healthcare or fintech go to Tom', 'IF NOT (industry healthcare or fintech) THEN rep tom'],
    ['Deals over $100k go to enterprise unless they mention Gong', 'IF amount > $100,000 AND NOT mentions "Gong" THEN pool enterprise'],
    ['Leads outside EMEA go to the international desk with Mark', 'IF NOT territory EMEA THEN pool intl + rep mark'],
  ];
  it.each(cases)('%s', (text, description) => {
    expect(describeRule(compileRule(text, 0, roster))).toBe(description);
  });
});

describe('matching "not": a fact the lead does not have counts as "not"', () => {
  const first = (text: string, facts: Facts, buyer = '') => matchRule([compileRule(text, 0, roster)], facts, buyer);

  it('"not healthcare" matches other industries and unknown ones, and says which', () => {
    expect(first('Non-healthcare leads go to Tom', baseFacts({ industry: { value: 'retail', source: 'field' } }))?.reasons).toEqual(['industry retail, not healthcare']);
    expect(first('Non-healthcare leads go to Tom', baseFacts())?.reasons).toEqual(['industry unknown, so not healthcare']);
    expect(first('Non-healthcare leads go to Tom', baseFacts({ industry: { value: 'healthcare', source: 'field' } }))).toBeNull();
  });

  it('"outside EMEA" matches leads elsewhere and leads with no known place', () => {
    const rule = 'Leads outside EMEA go to Tom';
    expect(first(rule, baseFacts({ state: { value: 'TX', source: 'field' }, country: { value: 'US', source: 'field' } }))?.reasons).toEqual(['not in territory EMEA (TX, US)']);
    expect(first(rule, baseFacts())?.reasons).toEqual(['location unknown, so not in territory EMEA']);
    expect(first(rule, baseFacts({ country: { value: 'FR', source: 'message' } }))).toBeNull();
    expect(first(rule, baseFacts({ territories: ['EMEA'] }))).toBeNull();
  });

  it('"unless they mention Gong" reads the buyer text', () => {
    const rule = 'Deals over $100k go to enterprise unless they mention Gong';
    const big = baseFacts({ budgetUsd: { value: 150_000, source: 'field' } });
    expect(first(rule, big, 'we use gong today')).toBeNull();
    expect(first(rule, big, 'we use nothing')?.reasons).toEqual(['budget $150,000 > $100,000', 'does not mention "Gong"']);
    expect(first(rule, baseFacts(), 'we use nothing')).toBeNull();
  });

  it('"not over $100K" matches smaller and unknown budgets', () => {
    expect(first('Deals not over $100K go to Tom', baseFacts({ budgetUsd: { value: 100_000, source: 'field' } }))?.reasons).toEqual(['budget $100,000, not > $100,000']);
    expect(first('Deals not over $100K go to Tom', baseFacts())?.reasons).toEqual(['budget unknown, so not > $100,000']);
  });

  it('"or" gives the reasons of the side that matched', () => {
    const rule = 'Healthcare leads over $50k or fintech leads over $100k go to Sarah';
    const fintech = baseFacts({ industry: { value: 'fintech', source: 'field' }, budgetUsd: { value: 200_000, source: 'field' } });
    expect(first(rule, fintech)?.reasons).toEqual(['industry fintech', 'budget $200,000 > $100,000']);
    expect(first(rule, { ...fintech, budgetUsd: { value: 60_000, source: 'field' } })).toBeNull();
  });

  it('routes an extracted lead end to end', () => {
    const rules = ['Leads from Texas or Oklahoma go to Tom unless they mention Gong', 'Non-healthcare leads over €20k go to Ana'].map((t, i) => compileRule(t, i, roster));
    const ctx = { competitors: roster.competitors, territories: roster.territories, currencies: roster.currencies! };
    const okie = 'We are a logistics firm in Tulsa, Oklahoma, budget around $40k.';
    expect(matchRule(rules, extractFacts({ email: 'a@b.example', message: okie }, ctx), okie)?.rule.index).toBe(0);
    const gong = `${okie} We use Gong today.`;
    const facts = extractFacts({ email: 'a@b.example', message: gong }, ctx);
    expect(matchRule(rules, facts, gong)?.rule.index).toBe(1);
    const euro = 'Logistics company in Lyon, our budget is €25k.';
    const euroFacts = extractFacts({ email: 'a@b.example', message: euro }, ctx);
    expect(euroFacts.budgetUsd?.value).toBe(27_000);
    expect(matchRule(rules, euroFacts, euro)).toMatchObject({ rule: { index: 1 }, reasons: ['industry logistics, not healthcare', 'budget $27,000 > $21,600 (€20,000 at $1.08 per EUR)'] });
  });
});

// ---------------------------------------------------------------- errors

describe('errors quote the rule and say what was not understood', () => {
  const cases: [string, RegExp][] = [
    [
      'Leads from Texas over $100K or with more than 1000 employees go to Tom',
      /"or" is ambiguous in "Leads from Texas over \$100K or with more than 1000 employees": it could join only "over \$100K" and "with more than 1000 employees", or everything on each side of it\. Say which with parentheses \(e\.g\. "Leads from Texas \(over \$100K or with more than 1000 employees\)"\)/,
    ],
    ['Urgent or healthcare leads from Texas go to Tom', /"or" is ambiguous .* \(e\.g\. "\(Urgent or healthcare\) leads from Texas"\)/],
    ['Healthcare leads over $50k or urgent go to Sarah', /"or" is ambiguous in "Healthcare leads over \$50k or urgent"/],
    ['Leads not from Texas or over $100k go to Tom', /"not \.\.\. or" is ambiguous in "not from Texas or over \$100k": it could mean "not \(from Texas or over \$100k\)" or "\(not from Texas\) or over \$100k"/],
    ['Leads from Texas or go to Tom', /"or" needs a condition on each side/],
    ['Or urgent leads go to Tom', /"or" needs a condition on each side/],
    ['Leads from (Texas go to Tom', /unbalanced parentheses: "\(" without "\)"/],
    ['Leads from Texas) go to Tom', /unbalanced parentheses: "\)" without "\("/],
    ['Leads either from Texas go to Tom', /"either" needs an "or" after it/],
    ['Leads that are not go to Tom', /expected a condition after "are not"/],
    ['Deals over €100K go to Ana', /"over €100K" is in EUR, which has no exchange rate: add it to team\.yaml as `currencies: \{ EUR: <US dollars per one EUR> \}`/],
    ['Deals over 100k CHF go to Ana', /"over 100k CHF" is in CHF, which has no exchange rate: add it to team\.yaml as `currencies: \{ CHF: <US dollars per one CHF> \}` \(configured: EUR, GBP, SEK\)/],
    ['Deals over ¥5M go to Ana', /"¥" in "over ¥5M" could be Japanese yen or Chinese yuan; write JPY or CNY/],
    ['Deals between €40k and $80k go to Ana', /"between €40k and \$80k" mixes currencies/],
    ['Leads unless go to Tom', /did not understand|expected a condition/],
    ['Leads not from Blorpland go to Tom', /did not understand "Blorpland"/],
  ];
  it.each(cases)('%s', (text, message) => {
    const noRates = /€100K go to Ana/.test(text) ? { ...roster, currencies: {} } : roster;
    const err = compileError(text, noRates);
    expect(err.message.startsWith(`rules[4]: cannot compile "${text}": `)).toBe(true);
    expect(err.message).toMatch(message);
  });
});

// ---------------------------------------------------------------- the LLM speaks the same forms

describe('LLM compilation of or / not / currencies', () => {
  const atom = (over: Partial<LlmRule['conditions'][number]>): LlmRule['conditions'][number] => ({
    kind: 'urgent',
    negated: null,
    min: null,
    max: null,
    minInclusive: null,
    maxInclusive: null,
    currency: null,
    industries: null,
    territory: null,
    terms: null,
    options: null,
    ...over,
  });
  const { options: _options, ...plain } = atom({});
  const inner = (over: object) => ({ ...plain, ...over }) as never;
  const answer: LlmRule = {
    understood: true,
    problem: null,
    conditions: [
      atom({ kind: 'territory', territory: 'Texas' }),
      atom({
        kind: 'either',
        options: [[inner({ kind: 'amount', min: 100_000, minInclusive: false, currency: 'EUR' })], [inner({ kind: 'employees', min: 1000 })]],
      }),
      atom({ kind: 'mention', terms: ['gong'], negated: true }),
    ],
    target: { type: 'pool', id: 'enterprise' },
    attendees: [],
  };

  it('compiles either, negated and currency into the same form as the parser', () => {
    const llm = ruleFromLlm(answer, 'x', 1, roster);
    const parsed = compileRule('Leads from Texas (over €100K or with more than 1000 employees) go to enterprise unless they mention Gong', 1, roster);
    expect(llm.conditions).toEqual(parsed.conditions);
    expect(ruleUsesOnlyRoster(llm, roster)).toBeNull();
  });

  it('rejects a currency without a rate, an empty either, and a stale rate', () => {
    const chf = { ...answer, conditions: [atom({ kind: 'amount', min: 5, currency: 'CHF' })] };
    expect(() => ruleFromLlm(chf, 'x', 1, roster)).toThrow(/amounts in CHF need a rate: add it to team\.yaml as `currencies: \{ CHF: <US dollars per one CHF> \}`/);
    expect(() => ruleFromLlm({ ...answer, conditions: [atom({ kind: 'either', options: [] })] }, 'x', 1, roster)).toThrow(/"either" condition without options/);
    const rule: CompiledRule = compileRule('Deals over €100K go to Ana', 0, roster);
    expect(ruleUsesOnlyRoster(rule, { ...roster, currencies: { EUR: 1.1 } })).toMatch(/converted at 1\.08, but team\.yaml currencies says 1\.1/);
  });

  it('still accepts answers written before negated / currency / options existed', () => {
    const old = { ...answer, conditions: [{ kind: 'urgent', min: null, max: null, minInclusive: null, maxInclusive: null, industries: null, territory: null, terms: null }] };
    expect(ruleFromLlm(old, 'x', 1, roster).conditions).toEqual([urgent]);
  });

  it('has a strict structured-output schema (every key present, nullable) and a prompt that explains the forms', () => {
    const strict = toStrictJsonSchema(llmRuleSchema);
    expect(strict.strict).toBe(true);
    const item = (strict.schema as { properties: { conditions: { items: { required: string[] } } } }).properties.conditions.items;
    expect(item.required).toEqual(expect.arrayContaining(['kind', 'negated', 'currency', 'options', 'min', 'max']));
    const { system } = rulePrompt('x', roster);
    expect(system).toContain('"either"');
    expect(system).toContain('negated: true for "not"');
    expect(system).toContain('EUR ($1.08), GBP ($1.27), SEK ($0.095)');
  });
});

// ---------------------------------------------------------------- properties

/** A condition phrase, with the same test written out by hand, and its negated phrasings. */
interface Phrase {
  text: string;
  holds: (f: Facts, text: string) => boolean;
  negated: string[];
}

const PHRASES: Phrase[] = [
  { text: 'in healthcare', holds: (f) => f.industry?.value === 'healthcare', negated: ['not in healthcare', 'outside healthcare'] },
  { text: 'in fintech', holds: (f) => f.industry?.value === 'fintech', negated: ['not in fintech', 'excluding fintech'] },
  { text: 'from Texas', holds: (f) => f.state?.value === 'TX', negated: ['not from Texas', 'outside Texas', 'except Texas'] },
  { text: 'from Oklahoma', holds: (f) => f.state?.value === 'OK', negated: ['not from Oklahoma'] },
  { text: 'over $100K', holds: (f) => (f.budgetUsd?.value ?? -1) > 100_000, negated: ['not over $100K'] },
  { text: 'with more than 1000 employees', holds: (f) => (f.employees?.value ?? -1) > 1000, negated: ['not with more than 1000 employees'] },
  { text: 'that are urgent', holds: (f) => f.urgent?.value === true, negated: ['that are not urgent', "that aren't urgent"] },
  { text: 'that mention Gong', holds: (_f, t) => /\bgong\b/i.test(t), negated: ["that don't mention Gong", 'not mentioning Gong', 'that never mention Gong'] },
];

const factsArb: fc.Arbitrary<{ facts: Facts; text: string }> = fc
  .record({
    budget: fc.option(fc.constantFrom(0, 50_000, 100_000, 100_001, 2_000_000), { nil: undefined }),
    employees: fc.option(fc.constantFrom(10, 1000, 1001, 50_000), { nil: undefined }),
    industry: fc.option(fc.constantFrom('healthcare', 'fintech', 'retail'), { nil: undefined }),
    state: fc.option(fc.constantFrom('TX', 'OK', 'CA'), { nil: undefined }),
    urgent: fc.option(fc.boolean(), { nil: undefined }),
    text: fc.constantFrom('', 'we use Gong', 'hello there', 'GONG!'),
  })
  .map((r) => {
    const facts = baseFacts();
    if (r.budget !== undefined) facts.budgetUsd = { value: r.budget, source: 'field' };
    if (r.employees !== undefined) facts.employees = { value: r.employees, source: 'field' };
    if (r.industry) facts.industry = { value: r.industry, source: 'field' };
    if (r.state) facts.state = { value: r.state, source: 'field' };
    if (r.urgent !== undefined) facts.urgent = { value: r.urgent, source: 'field' };
    return { facts, text: r.text };
  });

const phraseArb = fc.constantFrom(...PHRASES);
const matches = (rule: string, { facts, text }: { facts: Facts; text: string }) => matchRule([compileRule(rule, 0, roster)], facts, text) !== null;

describe('properties', () => {
  it('"A or B" matches exactly when A or B matches', () => {
    fc.assert(
      fc.property(phraseArb, phraseArb, factsArb, (a, b, lead) => {
        const rule = `Leads ${a.text} or ${b.text} go to Tom`;
        expect(matches(rule, lead)).toBe(a.holds(lead.facts, lead.text) || b.holds(lead.facts, lead.text));
      }),
      { numRuns: 600 },
    );
  });

  it('"not A" is the exact complement of A, on leads with the fact and without it', () => {
    fc.assert(
      fc.property(phraseArb.chain((p) => fc.tuple(fc.constant(p), fc.constantFrom(...p.negated))), factsArb, ([p, negated], lead) => {
        const plain = matches(`Leads ${p.text} go to Tom`, lead);
        expect(plain).toBe(p.holds(lead.facts, lead.text));
        expect(matches(`Leads ${negated} go to Tom`, lead)).toBe(!plain);
      }),
      { numRuns: 600 },
    );
  });

  it('"and" binds tighter than "or": "X leads A or Y leads B" is (X and A) or (Y and B)', () => {
    const adjectives: Phrase[] = [
      { text: 'Healthcare', holds: (f) => f.industry?.value === 'healthcare', negated: [] },
      { text: 'Urgent', holds: (f) => f.urgent?.value === true, negated: [] },
      { text: 'Texas', holds: (f) => f.state?.value === 'TX', negated: [] },
      { text: 'Non-fintech', holds: (f) => f.industry?.value !== 'fintech', negated: [] },
    ];
    const adjectiveArb = fc.constantFrom(...adjectives);
    fc.assert(
      fc.property(adjectiveArb, phraseArb, adjectiveArb, phraseArb, factsArb, (x, a, y, b, lead) => {
        const rule = `${x.text} leads ${a.text} or ${y.text.toLowerCase()} leads ${b.text} go to Tom`;
        const h = (p: Phrase) => p.holds(lead.facts, lead.text);
        expect(matches(rule, lead)).toBe((h(x) && h(a)) || (h(y) && h(b)));
      }),
      { numRuns: 500 },
    );
  });

  it('parentheses and "either" group as written; without them the reading is refused', () => {
    fc.assert(
      fc.property(phraseArb, phraseArb, phraseArb, factsArb, (x, a, b, lead) => {
        fc.pre(new Set([x, a, b].map((p) => p.text.split(' ').at(-1))).size === 3); // three different facts
        const h = (p: Phrase) => p.holds(lead.facts, lead.text);
        const want = h(x) && (h(a) || h(b));
        expect(matches(`Leads ${x.text} (${a.text} or ${b.text}) go to Tom`, lead)).toBe(want);
        expect(matches(`Leads ${x.text} either ${a.text} or ${b.text} go to Tom`, lead)).toBe(want);
        expect(() => compileRule(`Leads ${x.text} ${a.text} or ${b.text} go to Tom`, 0, roster)).toThrow(/ambiguous/);
      }),
      { numRuns: 300 },
    );
  });

  it('"not (A or B)" is "not A and not B" (De Morgan), and "unless A" is "not A"', () => {
    fc.assert(
      fc.property(phraseArb, phraseArb, factsArb, (a, b, lead) => {
        const h = (p: Phrase) => p.holds(lead.facts, lead.text);
        expect(matches(`Leads not (${a.text} or ${b.text}) go to Tom`, lead)).toBe(!h(a) && !h(b));
        expect(matches(`Leads go to Tom unless ${a.text.replace(/^that /, 'they ')}`, lead)).toBe(!h(a));
      }),
      { numRuns: 400 },
    );
  });

  it('compiled or/not rules survive a JSON round trip unchanged', () => {
    fc.assert(
      fc.property(phraseArb, phraseArb, factsArb, (a, b, lead) => {
        const rule = compileRule(`Leads (${a.negated[0]}) or ${b.text} go to Tom`, 0, roster);
        const copy = JSON.parse(JSON.stringify(rule)) as CompiledRule;
        expect(copy).toEqual(rule);
        expect(matchRule([copy], lead.facts, lead.text)).toEqual(matchRule([rule], lead.facts, lead.text));
      }),
      { numRuns: 200 },
    );
  });

  it('currency conversion is monotonic and compares a buyer\'s euros with a rule\'s euros as written', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }).map((k) => k * 500),
        fc.integer({ min: 1, max: 2000 }).map((k) => k * 500),
        fc.integer({ min: 1, max: 500 }).map((c) => c / 100),
        (threshold, budget, rate) => {
          const withRate: Roster = { ...roster, currencies: { EUR: rate } };
          const rule = compileRule(`Deals over €${threshold.toLocaleString('en-US')} go to Ana`, 0, withRate);
          const amount = rule.conditions[0] as Extract<Condition, { kind: 'amount' }>;
          expect(amount.min).toBe(toUsd(threshold, rate));
          // A higher threshold never converts to a lower one.
          const higher = compileRule(`Deals over €${threshold + 500} go to Ana`, 0, withRate).conditions[0] as typeof amount;
          expect(higher.min!).toBeGreaterThan(amount.min!);
          // A buyer's budget in euros, converted at the same rate, matches exactly when it is over the threshold.
          const message = `Our budget is €${budget.toLocaleString('en-US')} for this.`;
          const facts = extractFacts({ email: 'a@b.example', message }, { competitors: [], territories: {}, currencies: { EUR: rate } });
          expect(facts.budgetUsd?.value).toBe(toUsd(budget, rate));
          expect(matchRule([rule], facts, message) !== null).toBe(budget > threshold);
        },
      ),
      { numRuns: 400 },
    );
  });
});
