import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../domain/errors';
import type { Facts } from '../../../domain/qualify/facts';
import { extractFacts } from '../../../domain/qualify/facts';
import {
  compileRule,
  compileRules,
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

const roster: Roster = {
  reps: [
    { id: 'sarah', name: 'Sarah Chen' },
    { id: 'mark', name: 'Mark Li' },
    { id: 'ana', name: 'Ana Souza' },
    { id: 'raj', name: 'Raj Patel' },
    { id: 'tom', name: 'Tom Baker' },
  ],
  pools: [
    { id: 'enterprise', name: 'Enterprise team' },
    { id: 'se', name: 'Solutions engineers' },
    { id: 'west', name: 'West Coast pod' },
    { id: 'smb', name: 'SMB desk' },
  ],
  territories: { 'Pacific Northwest': ['WA', 'OR', 'ID'], 'Home Turf': ['Seattle', 'Portland, OR'] },
  competitors: ['Competitor X', 'Gong'],
};

const rep = (id: string) => ({ type: 'rep' as const, id });
const pool = (id: string) => ({ type: 'pool' as const, id });

function compile(text: string): CompiledRule {
  return compileRule(text, 0, roster);
}

function conditions(text: string): Condition[] {
  return compile(text).conditions;
}

function compileError(text: string, index = 0): RuleCompileError {
  try {
    compileRule(text, index, roster);
  } catch (err) {
    expect(err).toBeInstanceOf(RuleCompileError);
    expect(err).toBeInstanceOf(ConfigError);
    return err as RuleCompileError;
  }
  throw new Error(`expected "${text}" not to compile`);
}

function baseFacts(over: Partial<Facts> = {}): Facts {
  return { territories: [], mentions: [], extractor: 'deterministic', notes: [], ...over };
}

describe('the contract examples', () => {
  it('compiles the enterprise rule', () => {
    expect(compileRule('Enterprise deals over $100K go to the enterprise team with a solutions engineer from the SE pool', 0, roster)).toEqual({
      index: 0,
      text: 'Enterprise deals over $100K go to the enterprise team with a solutions engineer from the SE pool',
      conditions: [{ kind: 'amount', min: 100_000, minInclusive: false, maxInclusive: false }],
      target: pool('enterprise'),
      attendees: [pool('se')],
      compiledBy: 'parser',
    });
  });

  it('compiles the healthcare, territory and mention rules', () => {
    expect(compileRule('Healthcare companies go to Sarah', 1, roster)).toMatchObject({
      index: 1,
      conditions: [{ kind: 'industry', industries: ['healthcare'] }],
      target: rep('sarah'),
      attendees: [],
    });
    expect(compileRule('West Coast leads go to the West Coast pod', 2, roster)).toMatchObject({
      conditions: [{ kind: 'territory', territory: 'West Coast' }],
      target: pool('west'),
    });
    expect(compileRule('If someone mentions Competitor X, route to Mark', 3, roster)).toMatchObject({
      conditions: [{ kind: 'mention', terms: ['Competitor X'] }],
      target: rep('mark'),
    });
  });

  it('describes them', () => {
    const rules = compileRules(
      [
        'Enterprise deals over $100K go to the enterprise team with a solutions engineer from the SE pool',
        'Healthcare companies go to Sarah',
        'West Coast leads go to the West Coast pod',
        'If someone mentions Competitor X, route to Mark',
      ],
      roster,
    );
    expect(rules.map(describeRule)).toEqual([
      'IF amount > $100,000 THEN pool enterprise + 1 from pool se',
      'IF industry healthcare THEN rep sarah',
      'IF territory West Coast THEN pool west',
      'IF mentions "Competitor X" THEN rep mark',
    ]);
    expect(rules.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });

  it('is plain JSON data', () => {
    const rule = compile('Healthcare leads over $50k from Texas go to Sarah with Mark');
    expect(JSON.parse(JSON.stringify(rule))).toEqual(rule);
    expect(structuredClone(rule)).toEqual(rule);
  });
});

describe('conditions', () => {
  const cases: [string, Condition[]][] = [
    ['Deals under 20,000 USD go to the SMB desk', [{ kind: 'amount', max: 20_000, minInclusive: false, maxInclusive: false }]],
    ['Deals between $50k and $250k go to Tom', [{ kind: 'amount', min: 50_000, max: 250_000, minInclusive: true, maxInclusive: true }]],
    ['Deals from $10k to $50k go to Tom', [{ kind: 'amount', min: 10_000, max: 50_000, minInclusive: true, maxInclusive: true }]],
    ['$1.2M+ deals go to Sarah', [{ kind: 'amount', min: 1_200_000, minInclusive: true, maxInclusive: false }]],
    ['Deals of at least $250,000 go to Sarah', [{ kind: 'amount', min: 250_000, minInclusive: true, maxInclusive: false }]],
    ['Deals up to $5k go to Tom', [{ kind: 'amount', max: 5000, minInclusive: false, maxInclusive: true }]],
    ['Leads with budget > $100k go to Tom', [{ kind: 'amount', min: 100_000, minInclusive: false, maxInclusive: false }]],
    ['Leads under half a million dollars go to Tom', [{ kind: 'amount', max: 500_000, minInclusive: false, maxInclusive: false }]],
    ['Enterprise deals over 100000 go to Tom', [{ kind: 'amount', min: 100_000, minInclusive: false, maxInclusive: false }]],
    ['Companies with more than 1000 employees go to Tom', [{ kind: 'employees', min: 1000, minInclusive: false, maxInclusive: false }]],
    ['Companies with 500+ employees go to Tom', [{ kind: 'employees', min: 500, minInclusive: true, maxInclusive: false }]],
    ['Companies with 50-200 employees go to Tom', [{ kind: 'employees', min: 50, max: 200, minInclusive: true, maxInclusive: true }]],
    ['Leads with fewer than 50 employees go to the SMB desk', [{ kind: 'employees', max: 50, minInclusive: false, maxInclusive: false }]],
    ['Leads from fintech go to Raj', [{ kind: 'industry', industries: ['fintech'] }]],
    ['Leads in the healthcare industry go to Sarah', [{ kind: 'industry', industries: ['healthcare'] }]],
    ['Hospitals go to Sarah', [{ kind: 'industry', industries: ['healthcare'] }]],
    ['Banks and insurers go to Raj', [{ kind: 'industry', industries: ['fintech', 'insurance'] }]],
    ['Healthcare or fintech companies go to Sarah', [{ kind: 'industry', industries: ['healthcare', 'fintech'] }]],
    ['SaaS companies go to Tom', [{ kind: 'industry', industries: ['software'] }]],
    ['Leads from Texas go to Tom', [{ kind: 'territory', territory: 'TX' }]],
    ['Leads from TX go to Tom', [{ kind: 'territory', territory: 'TX' }]],
    ['Leads from IN go to Tom', [{ kind: 'territory', territory: 'IN' }]],
    ['EMEA leads go to Ana', [{ kind: 'territory', territory: 'EMEA' }]],
    ['APAC leads go to Ana', [{ kind: 'territory', territory: 'APAC' }]],
    ['Latin America leads go to Ana', [{ kind: 'territory', territory: 'LATAM' }]],
    ['Leads from the Pacific Northwest go to the west pod', [{ kind: 'territory', territory: 'Pacific Northwest' }]],
    ['Home Turf leads go to Tom', [{ kind: 'territory', territory: 'Home Turf' }]],
    ['Leads from the UK go to Ana', [{ kind: 'territory', territory: 'GB' }]],
    ['Leads from France go to Ana', [{ kind: 'territory', territory: 'FR' }]],
    ['Leads from Canada go to Ana', [{ kind: 'territory', territory: 'Canada' }]],
    ['Leads from Seattle go to Tom', [{ kind: 'territory', territory: 'Seattle' }]],
    ['Leads that bring up HIPAA go to Sarah', [{ kind: 'mention', terms: ['HIPAA'] }]],
    ['Leads mentioning gong go to Mark', [{ kind: 'mention', terms: ['Gong'] }]],
    ['Leads that mention Gong or "Chorus.ai" go to Mark', [{ kind: 'mention', terms: ['Gong', 'Chorus.ai'] }]],
    ['Leads mentioning HIPAA and SOC 2 go to Sarah', [{ kind: 'mention', terms: ['HIPAA'] }, { kind: 'mention', terms: ['SOC 2'] }]],
    ['Leads switching from Competitor X go to Mark', [{ kind: 'mention', terms: ['Competitor X'] }]],
    ['Urgent requests go to the SMB team', [{ kind: 'urgent' }]],
    ['Anything time-sensitive goes to Tom', [{ kind: 'urgent' }]],
    ['If the deal size is over $250k, assign to the enterprise team', [{ kind: 'amount', min: 250_000, minInclusive: false, maxInclusive: false }]],
    ['Leads that use Gong go to Mark', [{ kind: 'mention', terms: ['Gong'] }]],
    ['Everything else goes to the SMB desk', []],
    [
      'Healthcare leads over $50k from Texas go to Sarah',
      [
        { kind: 'industry', industries: ['healthcare'] },
        { kind: 'amount', min: 50_000, minInclusive: false, maxInclusive: false },
        { kind: 'territory', territory: 'TX' },
      ],
    ],
    [
      'Leads with a budget of at least $250,000 and fewer than 500 employees go to Sarah',
      [
        { kind: 'amount', min: 250_000, minInclusive: true, maxInclusive: false },
        { kind: 'employees', max: 500, minInclusive: false, maxInclusive: false },
      ],
    ],
    ['Deals over $50k and under $250k go to Tom', [{ kind: 'amount', min: 50_000, max: 250_000, minInclusive: false, maxInclusive: false }]],
    ['Urgent leads mentioning HIPAA go to Sarah', [{ kind: 'urgent' }, { kind: 'mention', terms: ['HIPAA'] }]],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(conditions(text)).toEqual(expected);
  });
});

describe('targets', () => {
  const cases: [string, { type: 'rep' | 'pool'; id: string }][] = [
    ['Healthcare companies go to Sarah Chen', rep('sarah')],
    ['Healthcare companies go to sarah', rep('sarah')],
    ['Healthcare companies go to Chen', rep('sarah')],
    ['Healthcare companies go to enterprise', pool('enterprise')],
    ['Healthcare companies go to the Enterprise team', pool('enterprise')],
    ['Healthcare companies go to the Enterprise pod', pool('enterprise')],
    ['Healthcare companies go to pool enterprise', pool('enterprise')],
    ['Healthcare companies go to the SMB desk', pool('smb')],
    ['Healthcare companies go to the smb group', pool('smb')],
    ['Healthcare companies go to the West Coast team', pool('west')],
    ['Healthcare companies go to the solutions engineers', pool('se')],
    ['Healthcare companies go to the SE pool', pool('se')],
    ['Healthcare companies goes to Tom', rep('tom')],
    ['Healthcare companies should be routed to Tom', rep('tom')],
    ['Healthcare companies are sent to Tom', rep('tom')],
    ['Healthcare companies get assigned to Tom', rep('tom')],
    ['Healthcare companies belong to Tom', rep('tom')],
    ['Route healthcare companies to Tom', rep('tom')],
    ['Send leads from Texas to Tom', rep('tom')],
    ['Assign urgent leads to Tom', rep('tom')],
    ['Tom handles healthcare leads', rep('tom')],
    ['Healthcare companies -> Tom', rep('tom')],
  ];
  it.each(cases)('%s', (text, target) => {
    expect(compile(text).target).toEqual(target);
  });

  it('adds attendees: reps, and one member of a pool', () => {
    expect(compile('Deals over $100K go to the enterprise team with Mark').attendees).toEqual([rep('mark')]);
    expect(compile('Deals over $100K go to the enterprise team with Mark and a solutions engineer').attendees).toEqual([rep('mark'), pool('se')]);
    expect(compile('Deals over $100K go to Sarah with someone from SE').attendees).toEqual([pool('se')]);
    expect(compile('Deals over $100K go to Sarah with Sarah').attendees).toEqual([]);
    expect(describeRule(compile('Deals over $100K go to Sarah with Mark and the SE pool'))).toBe('IF amount > $100,000 THEN rep sarah + rep mark + 1 from pool se');
  });

  it('rejects ambiguous first names', () => {
    const twoSams: Roster = { ...roster, reps: [...roster.reps, { id: 'sam1', name: 'Sam Lee' }, { id: 'sam2', name: 'Sam Ortiz' }] };
    expect(() => compileRule('Healthcare companies go to Sam', 4, twoSams)).toThrow(/rules\[4\]: .*"Sam" could be sam1 \(Sam Lee\) or sam2 \(Sam Ortiz\)/);
    expect(compileRule('Healthcare companies go to Sam Ortiz', 4, twoSams).target).toEqual(rep('sam2'));
  });
});

describe('errors', () => {
  it('names a rep or pool that does not exist, listing the roster', () => {
    const err = compileError('Healthcare companies go to Sara', 3);
    expect(err.message).toBe(
      'rules[3]: cannot compile "Healthcare companies go to Sara": no rep or pool named "Sara" (reps: sarah (Sarah Chen), mark (Mark Li), ana (Ana Souza), raj (Raj Patel), tom (Tom Baker); pools: enterprise (Enterprise team), se (Solutions engineers), west (West Coast pod), smb (SMB desk))',
    );
    expect(err.index).toBe(3);
    expect(err.code).toBe('config_invalid');
  });

  const bad: [string, RegExp][] = [
    ['SMB leads go to the SMB desk', /did not understand "SMB" in "SMB leads"/],
    ['Competitor leads go to Mark', /did not understand "Competitor"/],
    ['IT companies go to Tom', /did not understand "IT"/],
    ['Leads from Texas over $100K or with more than 1000 employees go to Tom', /"or" is ambiguous/],
    ['Leads not from Texas or over $100k go to Tom', /"not \.\.\. or" is ambiguous/],
    ['Leads from Texas or go to Tom', /"or" needs a condition on each side/],
    ['Leads over 500 go to Tom', /cannot tell whether "over 500" is an amount or a head count/],
    ['Deals between $250k and $50k go to Tom', /runs backwards/],
    ['Healthcare companies are great', /no target/],
    ['Deals over $100K go to Sarah with Bob', /attendee: no rep or pool named "Bob"/],
    ['Deals over €50k go to Ana', /"over €50k" is in EUR, which has no exchange rate: add it to team.yaml as `currencies: \{ EUR: <US dollars per one EUR> \}`/],
  ];
  it.each(bad)('%s', (text, message) => {
    const err = compileError(text, 7);
    expect(err.message.startsWith(`rules[7]: cannot compile "${text}": `)).toBe(true);
    expect(err.message).toMatch(message);
  });

  it('compileRules reports the index of the first bad rule', () => {
    expect(() => compileRules(['Healthcare companies go to Sarah', 'Blorp leads go to Tom'], roster)).toThrow(/^rules\[1\]: cannot compile "Blorp leads go to Tom"/);
  });
});

describe('matchRule', () => {
  const rules = compileRules(
    [
      'Enterprise deals over $100K go to the enterprise team with a solutions engineer from the SE pool',
      'Healthcare companies go to Sarah',
      'West Coast leads go to the West Coast pod',
      'If someone mentions Competitor X, route to Mark',
      'Leads that bring up HIPAA go to Sarah',
      'Companies with 1000+ employees go to Ana',
      'Leads from Texas go to Tom',
      'EMEA leads go to Ana',
      'Urgent requests go to the SMB desk',
    ],
    roster,
  );

  it('returns the first matching rule with reasons', () => {
    const m = matchRule(rules, baseFacts({ budgetUsd: { value: 150_000, source: 'field' }, industry: { value: 'healthcare', source: 'field' } }), '');
    expect(m?.rule.index).toBe(0);
    expect(m?.reasons).toEqual(['budget $150,000 > $100,000']);
    const h = matchRule(rules, baseFacts({ budgetUsd: { value: 100_000, source: 'field' }, industry: { value: 'healthcare', source: 'field' } }), '');
    expect(h?.rule.index).toBe(1);
    expect(h?.reasons).toEqual(['industry healthcare']);
  });

  it('matches territories through facts.territories, states and countries', () => {
    const wa = baseFacts({ state: { value: 'WA', source: 'field' }, country: { value: 'US', source: 'field' }, territories: ['West Coast'] });
    expect(matchRule(rules, wa, '')).toMatchObject({ rule: { index: 2 }, reasons: ['territory West Coast (WA, US)'] });
    const waNoList = baseFacts({ state: { value: 'WA', source: 'field' } });
    expect(matchRule(rules, waNoList, '')?.rule.index).toBe(2);
    expect(matchRule(rules, baseFacts({ state: { value: 'TX', source: 'message' } }), '')?.rule.index).toBe(6);
    expect(matchRule(rules, baseFacts({ country: { value: 'FR', source: 'message' } }), '')?.rule.index).toBe(7);
    expect(matchRule(rules, baseFacts({ country: { value: 'JP', source: 'message' } }), '')).toBeNull();
  });

  it('matches mentions in the text (whole words, any case) and in facts.mentions', () => {
    expect(matchRule(rules, baseFacts(), 'we are leaving competitor x soon')).toMatchObject({ rule: { index: 3 }, reasons: ['mentions "Competitor X"'] });
    expect(matchRule(rules, baseFacts({ mentions: [{ value: 'Competitor X', source: 'llm' }] }), '')?.rule.index).toBe(3);
    expect(matchRule(rules, baseFacts(), 'We need HIPAA compliance')?.rule.index).toBe(4);
    expect(matchRule(rules, baseFacts(), 'We need HIPAAish things')).toBeNull();
    expect(matchRule(rules, baseFacts(), 'Competitor Xavier is our friend')).toBeNull();
  });

  it('matches employees and urgency', () => {
    expect(matchRule(rules, baseFacts({ employees: { value: 1000, source: 'field' } }), '')).toMatchObject({ rule: { index: 5 }, reasons: ['employees 1,000 >= 1,000'] });
    expect(matchRule(rules, baseFacts({ employees: { value: 999, source: 'field' } }), '')).toBeNull();
    expect(matchRule(rules, baseFacts({ urgent: { value: true, source: 'message', quote: 'asap' } }), '')).toMatchObject({ rule: { index: 8 }, reasons: ['urgent ("asap")'] });
    expect(matchRule(rules, baseFacts({ urgent: { value: false, source: 'message' } }), '')).toBeNull();
  });

  it('requires every condition of a rule', () => {
    const combo = compileRules(['Healthcare leads over $50k from Texas go to Sarah'], roster);
    const all = baseFacts({ industry: { value: 'healthcare', source: 'field' }, budgetUsd: { value: 60_000, source: 'field' }, state: { value: 'TX', source: 'field' } });
    expect(matchRule(combo, all, '')?.reasons).toEqual(['industry healthcare', 'budget $60,000 > $50,000', 'territory TX (TX)']);
    expect(matchRule(combo, { ...all, budgetUsd: { value: 50_000, source: 'field' } }, '')).toBeNull();
    expect(matchRule(combo, { ...all, state: { value: 'OK', source: 'field' } }, '')).toBeNull();
    expect(matchRule(combo, { ...all, industry: undefined }, '')).toBeNull();
  });

  it('treats a rule without conditions as a catch-all', () => {
    const catchAll = compileRules(['Everything else goes to the SMB desk'], roster);
    expect(matchRule(catchAll, baseFacts(), '')?.rule.target).toEqual(pool('smb'));
  });

  it('routes the contract lead end to end', () => {
    const lead = {
      email: 'jane@mercyhealth.org',
      company: 'Mercy Health',
      message: "We're a 2,000-person hospital network in Seattle looking at replacing Competitor X.",
    };
    const facts = extractFacts(lead, { competitors: roster.competitors, territories: roster.territories });
    expect(matchRule(rules, facts, lead.message)?.rule.index).toBe(1);
    const big = extractFacts({ ...lead, fields: { budget: 150_000 } }, { competitors: roster.competitors, territories: roster.territories });
    expect(matchRule(rules, big, lead.message)?.rule.index).toBe(0);
  });

  it('is fast enough: 10,000 decisions over 30 rules in well under a second', () => {
    const many = compileRules(
      Array.from({ length: 30 }, (_, i) => [`Leads that mention term${i} go to Tom`, `Deals over $${i + 1}M from Texas go to Ana`, `Leads from France that mention x${i} go to Raj`][i % 3]!),
      roster,
    );
    const facts = baseFacts({ budgetUsd: { value: 10, source: 'field' }, state: { value: 'WA', source: 'field' }, territories: ['West Coast'] });
    const text = 'We are a hospital network in Seattle. '.repeat(20);
    const start = performance.now();
    for (let i = 0; i < 10_000; i++) matchRule(many, facts, text);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('ruleUsesOnlyRoster', () => {
  const ok = compile('Deals over $100K go to the enterprise team with Mark');
  it('accepts a compiled rule', () => expect(ruleUsesOnlyRoster(ok, roster)).toBeNull());
  it('rejects unknown people, industries, territories and bad ranges', () => {
    expect(ruleUsesOnlyRoster({ ...ok, target: rep('bob') }, roster)).toMatch(/target rep "bob" is not in the team/);
    expect(ruleUsesOnlyRoster({ ...ok, target: pool('sarah') }, roster)).toMatch(/target pool "sarah"/);
    expect(ruleUsesOnlyRoster({ ...ok, attendees: [pool('nope')] }, roster)).toMatch(/attendee pool "nope"/);
    expect(ruleUsesOnlyRoster({ ...ok, conditions: [{ kind: 'industry', industries: ['alchemy'] }] }, roster)).toMatch(/unknown industry "alchemy"/);
    expect(ruleUsesOnlyRoster({ ...ok, conditions: [{ kind: 'territory', territory: 'Atlantis' }] }, roster)).toMatch(/unknown territory/);
    expect(ruleUsesOnlyRoster({ ...ok, conditions: [{ kind: 'amount', min: 5, max: 1, minInclusive: true, maxInclusive: true }] }, roster)).toMatch(/backwards/);
    expect(ruleUsesOnlyRoster({ ...ok, conditions: [{ kind: 'amount', minInclusive: true, maxInclusive: true }] }, roster)).toMatch(/no bound/);
  });
});

describe('LLM compilation', () => {
  const answer: LlmRule = {
    understood: true,
    problem: null,
    conditions: [
      { kind: 'amount', min: 100000, max: null, minInclusive: false, maxInclusive: null, industries: null, territory: null, terms: null },
      { kind: 'industry', min: null, max: null, minInclusive: null, maxInclusive: null, industries: ['Hospitals'], territory: null, terms: null },
      { kind: 'territory', min: null, max: null, minInclusive: null, maxInclusive: null, industries: null, territory: 'Texas', terms: null },
      { kind: 'mention', min: null, max: null, minInclusive: null, maxInclusive: null, industries: null, territory: null, terms: ['competitor x'] },
    ],
    target: pool('enterprise'),
    attendees: [pool('se'), pool('enterprise')],
  };

  it('normalizes a valid answer', () => {
    const rule = ruleFromLlm(answer, 'Big Texan hospital deals go to enterprise', 5, roster);
    expect(rule).toEqual({
      index: 5,
      text: 'Big Texan hospital deals go to enterprise',
      conditions: [
        { kind: 'amount', min: 100000, minInclusive: false, maxInclusive: false },
        { kind: 'industry', industries: ['healthcare'] },
        { kind: 'territory', territory: 'TX' },
        { kind: 'mention', terms: ['Competitor X'] },
      ],
      target: pool('enterprise'),
      attendees: [pool('se')],
      compiledBy: 'llm',
    });
  });

  it('rejects invalid, not understood, or off-roster answers', () => {
    expect(() => ruleFromLlm({ ...answer, target: { type: 'rep', id: 'bob' } }, 'x', 2, roster)).toThrow(/^rules\[2\]: cannot compile "x": target rep "bob" is not in the team/);
    expect(() => ruleFromLlm({ ...answer, understood: false, problem: 'who is Bob?' }, 'x', 2, roster)).toThrow(/could not compile it: who is Bob\?/);
    expect(() => ruleFromLlm({ ...answer, conditions: 'nope' }, 'x', 2, roster)).toThrow(RuleCompileError);
    expect(() => ruleFromLlm({ target: pool('smb') }, 'x', 2, roster)).toThrow(/not valid/);
    const badTerritory = { ...answer, conditions: [{ ...answer.conditions[2]!, territory: 'Atlantis' }] };
    expect(() => ruleFromLlm(badTerritory, 'x', 2, roster)).toThrow(/unknown territory "Atlantis"/);
    const badIndustry = { ...answer, conditions: [{ ...answer.conditions[1]!, industries: ['alchemy'] }] };
    expect(() => ruleFromLlm(badIndustry, 'x', 2, roster)).toThrow(/unknown industry "alchemy"/);
  });

  it('has a strict schema and a prompt naming the roster', () => {
    expect(llmRuleSchema.safeParse(answer).success).toBe(true);
    expect(llmRuleSchema.safeParse({ ...answer, extra: true }).success).toBe(false);
    const p = rulePrompt('Healthcare companies go to Sarah', roster);
    expect(p.user).toBe('Healthcare companies go to Sarah');
    expect(p.system).toContain('sarah: Sarah Chen');
    expect(p.system).toContain('se: Solutions engineers');
    expect(p.system).toContain('Pacific Northwest (WA, OR, ID)');
    expect(p.system).toContain('"Competitor X"');
  });
});

// ---------------------------------------------------------------- properties

const RESERVED = new Set([
  'with', 'plus', 'and', 'or', 'to', 'go', 'the', 'team', 'teams', 'pod', 'pool', 'desk', 'group', 'queue', 'squad', 'crew',
  'cc', 'including', 'include', 'rep', 'a', 'an', 'one', 'any', 'from', 'of', 'in', 'out', 'also', 'along', 'together',
  'add', 'invite', 'someone', 'somebody', 'member', 'handles', 'gets', 'takes', 'owns', 'covers', 'receives', 'works', 'then',
]);
const word = fc.stringMatching(/^[a-z]{3,8}$/).filter((w) => !RESERVED.has(w));
const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);

const rosterArb = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 4 }))
  .chain(([nReps, nPools]) =>
    fc.record({
      words: fc.uniqueArray(word, { minLength: nReps * 3 + nPools * 2, maxLength: nReps * 3 + nPools * 2 }),
      groupWords: fc.array(fc.constantFrom('team', 'pod', 'desk', 'group', 'pool'), { minLength: nPools, maxLength: nPools }),
      nReps: fc.constant(nReps),
      nPools: fc.constant(nPools),
    }),
  )
  .map(({ words, groupWords, nReps, nPools }) => {
    const reps = Array.from({ length: nReps }, (_, i) => ({ id: `r${words[i * 3]}`, name: `${cap(words[i * 3 + 1]!)} ${cap(words[i * 3 + 2]!)}` }));
    const pools = Array.from({ length: nPools }, (_, i) => ({
      id: `p${words[nReps * 3 + i * 2]}`,
      name: `${cap(words[nReps * 3 + i * 2 + 1]!)} ${groupWords[i]}`,
    }));
    const r: Roster = { reps, pools, territories: {}, competitors: [] };
    return r;
  });

type Spoken = { phrase: string; target: { type: 'rep' | 'pool'; id: string } };

function spokenTargets(r: Roster): fc.Arbitrary<Spoken> {
  const options: Spoken[] = [];
  for (const rp of r.reps) {
    options.push({ phrase: rp.id, target: rep(rp.id) }, { phrase: rp.name, target: rep(rp.id) }, { phrase: rp.name.split(' ')[0]!, target: rep(rp.id) });
  }
  for (const p of r.pools) {
    const core = p.name.split(' ')[0]!;
    options.push(
      { phrase: p.id, target: pool(p.id) },
      { phrase: `the ${p.name}`, target: pool(p.id) },
      { phrase: `the ${core} team`, target: pool(p.id) },
      { phrase: `${core.toLowerCase()} pod`, target: pool(p.id) },
      { phrase: `pool ${p.id}`, target: pool(p.id) },
    );
  }
  return fc.constantFrom(...options);
}

const conditionPhrases: [string, Condition[]][] = [
  ['Healthcare companies', [{ kind: 'industry', industries: ['healthcare'] }]],
  ['Enterprise deals over $100K', [{ kind: 'amount', min: 100_000, minInclusive: false, maxInclusive: false }]],
  ['West Coast leads', [{ kind: 'territory', territory: 'West Coast' }]],
  ['If someone mentions HIPAA,', [{ kind: 'mention', terms: ['HIPAA'] }]],
  ['Urgent requests', [{ kind: 'urgent' }]],
  ['Companies with more than 1000 employees', [{ kind: 'employees', min: 1000, minInclusive: false, maxInclusive: false }]],
  ['Leads from Texas', [{ kind: 'territory', territory: 'TX' }]],
  ['Everything else', []],
];

describe('properties', () => {
  it('compiled targets and attendees are always the intended roster members', () => {
    fc.assert(
      fc.property(
        rosterArb.chain((r) =>
          fc.tuple(fc.constant(r), spokenTargets(r), fc.option(spokenTargets(r), { nil: undefined }), fc.constantFrom(...conditionPhrases), fc.constantFrom('go to', 'goes to', 'route to', 'send to', 'assign to', 'belong to')),
        ),
        ([r, target, attendee, [cond, expected], verb]) => {
          const text = `${cond} ${verb} ${target.phrase}${attendee ? ` with ${attendee.phrase}` : ''}`;
          const rule = compileRule(text, 0, r);
          expect(rule.target).toEqual(target.target);
          expect(rule.conditions).toEqual(expected);
          expect(ruleUsesOnlyRoster(rule, r)).toBeNull();
          const wantAttendees = attendee && !(attendee.target.type === target.target.type && attendee.target.id === target.target.id) ? [attendee.target] : [];
          expect(rule.attendees).toEqual(wantAttendees);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('unknown targets never compile', () => {
    fc.assert(
      fc.property(rosterArb, word, (r, name) => {
        fc.pre(!r.reps.some((x) => x.id === name || x.name.toLowerCase().split(' ').includes(name)) && !r.pools.some((p) => p.id === name || p.name.toLowerCase().startsWith(name)));
        expect(() => compileRule(`Healthcare companies go to Zq${name}`, 0, r)).toThrow(RuleCompileError);
      }),
      { numRuns: 200 },
    );
  });

  const factsArb: fc.Arbitrary<Facts> = fc.record({
    budget: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
    employees: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: undefined }),
    industry: fc.option(fc.constantFrom('healthcare', 'fintech', 'retail'), { nil: undefined }),
    state: fc.option(fc.constantFrom('WA', 'TX', 'NY', 'CA'), { nil: undefined }),
    urgent: fc.option(fc.boolean(), { nil: undefined }),
  }).map((f) => {
    const out = baseFacts();
    if (f.budget !== undefined) out.budgetUsd = { value: f.budget, source: 'field' };
    if (f.employees !== undefined) out.employees = { value: f.employees, source: 'field' };
    if (f.industry) out.industry = { value: f.industry, source: 'field' };
    if (f.state) out.state = { value: f.state, source: 'field' };
    if (f.urgent !== undefined) out.urgent = { value: f.urgent, source: 'field' };
    return out;
  });

  it('matchRule is deterministic and unaffected by a JSON round trip of the rules', () => {
    const rules = compileRules(
      [
        'Enterprise deals over $100K go to the enterprise team with a solutions engineer from the SE pool',
        'Healthcare companies go to Sarah',
        'West Coast leads go to the West Coast pod',
        'If someone mentions Competitor X, route to Mark',
        'Companies with 5000+ employees from Texas go to Ana',
        'Urgent requests go to the SMB desk',
      ],
      roster,
    );
    const copy = JSON.parse(JSON.stringify(rules)) as CompiledRule[];
    fc.assert(
      fc.property(factsArb, fc.constantFrom('', 'we use Competitor X', 'hello'), (facts, text) => {
        const a = matchRule(rules, facts, text);
        expect(matchRule(rules, facts, text)).toEqual(a);
        expect(matchRule(copy, facts, text)).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it('amount conditions agree with a direct numeric comparison', () => {
    const comparators: [string, (b: number, x: number) => boolean][] = [
      ['over', (b, x) => b > x],
      ['more than', (b, x) => b > x],
      ['under', (b, x) => b < x],
      ['at least', (b, x) => b >= x],
      ['up to', (b, x) => b <= x],
    ];
    const written = (x: number): fc.Arbitrary<string> => {
      const forms = [`$${x}`, `$${x.toLocaleString('en-US')}`, `${x.toLocaleString('en-US')} USD`];
      if (x % 1000 === 0) forms.push(`$${x / 1000}K`, `$${x / 1000}k`);
      if (x % 1_000_000 === 0) forms.push(`$${x / 1_000_000}M`);
      return fc.constantFrom(...forms);
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }).map((n) => n * 1000).chain((x) => fc.tuple(fc.constant(x), written(x))),
        fc.constantFrom(...comparators),
        fc.integer({ min: 0, max: 6_000_000 }),
        ([x, text], [word, compare], budget) => {
          const rules = [compileRule(`Deals ${word} ${text} go to Tom`, 0, roster)];
          const probe = (b: number) => matchRule(rules, baseFacts({ budgetUsd: { value: b, source: 'field' } }), '') !== null;
          for (const b of [budget, x, x - 1, x + 1]) expect(probe(b)).toBe(compare(b, x));
          expect(matchRule(rules, baseFacts(), '')).toBeNull();
        },
      ),
      { numRuns: 400 },
    );
  });
});
