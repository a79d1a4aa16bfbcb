import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBudget, findEmployees, parseAmount } from '../../../domain/qualify/amounts';
import { extractFacts, factsFromLlm, factsPrompt, llmFactsSchema, type FactContext, type Facts, type LlmFacts } from '../../../domain/qualify/facts';
import {
  BUILT_IN_TERRITORIES,
  countryCode,
  inferTimezone,
  lookupCity,
  matchesTerritory,
  resolveLocation,
  stateCode,
  territoriesFor,
  US_STATES,
} from '../../../domain/qualify/geo';
import { canonicalIndustry, findIndustry, INDUSTRY_IDS } from '../../../domain/qualify/industries';
import { BuyerWords, normalizeQuote } from '../../../domain/qualify/grounding';
import type { Lead } from '../../../domain/qualify/lead';

const ctx: FactContext = {
  competitors: ['Competitor X', 'Gong'],
  territories: { 'Pacific Northwest': ['WA', 'OR', 'ID'] },
  companyName: 'Acme',
};

function facts(message: string, extra: Partial<Lead> = {}, context: FactContext = ctx): Facts {
  return extractFacts({ email: 'buyer@example.com', message, ...extra }, context);
}

describe('amounts', () => {
  const cases: [string, number][] = [
    ['Our budget is $250k for the first year.', 250_000],
    ['We can spend 250,000 USD on this.', 250_000],
    ['The deal would be around $1.2M.', 1_200_000],
    ['We have 1.2 million dollars budgeted.', 1_200_000],
    ['Budget is roughly a quarter million.', 250_000],
    ['Our budget is half a million.', 500_000],
    ['We are thinking $75,000 for the contract.', 75_000],
    ['Budget: 80000', 80_000],
    ['We have a budget of USD 40,000.', 40_000],
  ];
  it.each(cases)('reads %j as %d', (text, expected) => {
    expect(findBudget(text).budget?.value).toBe(expected);
    expect(facts(text).budgetUsd).toMatchObject({ value: expected, source: 'message' });
  });

  it('takes the upper bound of a range', () => {
    expect(findBudget('Budget $50K-$100K depending on scope').budget?.value).toBe(100_000);
    expect(findBudget('somewhere between $50k and $100k budget').budget?.value).toBe(100_000);
    expect(findBudget('our budget is 50-100k USD').budget?.value).toBe(100_000);
  });

  it('does not read head counts, funding rounds or years as money', () => {
    const f = facts("We're a 2,000-person hospital network that just closed a Series B, planning for 2026.");
    expect(f.budgetUsd).toBeUndefined();
    expect(f.employees?.value).toBe(2000);
    expect(findBudget('We raised $20M in our Series B last year.').budget).toBeUndefined();
    expect(findBudget('We do $50M in revenue.').budget).toBeUndefined();
    expect(findBudget('We have 5k users and 300 locations.').budget).toBeUndefined();
    expect(findBudget('Call me at 555-1234 about the 2026 rollout.').budget).toBeUndefined();
    expect(findBudget('We see 1.2M patients a year.').budget).toBeUndefined();
  });

  it('prefers the amount next to a budget word over other money', () => {
    expect(findBudget('We raised $20M in our Series B and our budget is $150k.').budget?.value).toBe(150_000);
    expect(findBudget('We have $2B AUM and a budget around $80k.').budget?.value).toBe(80_000);
  });

  it('annualizes monthly amounts, ignores per-seat prices and other currencies (with a note)', () => {
    const monthly = findBudget('We could spend $10k/month.');
    expect(monthly.budget?.value).toBe(120_000);
    expect(monthly.notes.join()).toMatch(/annualized/);
    expect(findBudget('Is it $49 per seat?').budget).toBeUndefined();
    const euro = findBudget('Our budget is €50k.');
    expect(euro.budget).toBeUndefined();
    expect(euro.notes.join()).toMatch(/another currency/);
  });

  describe('in other currencies, with team.yaml rates', () => {
    const rates = { EUR: 1.08, GBP: 1.27, SEK: 0.095, JPY: 0.0067 };
    const converted: [string, number, string][] = [
      ['Our budget is €50k.', 54_000, '€50,000'],
      ['We have a budget of 40,000 EUR for this.', 43_200, '€40,000'],
      ['Budget: EUR 100,000', 108_000, '€100,000'],
      ['We can spend about £80k this year.', 101_600, '£80,000'],
      ['The contract would be 250 000 SEK'.replace('250 000', '250,000'), 23_750, 'SEK 250,000'],
      ['budget is 100k euros', 108_000, '€100,000'],
      ['Budget around 2 million yen', 13_400, '¥2,000,000'],
      ['Our budget is €40-60k', 64_800, '€60,000'],
      ['We could spend €5k/month.', 64_800, '€5,000'],
    ];
    it.each(converted)('converts %j to $%d, keeping the quote and noting the rate', (text, usd, written) => {
      const found = findBudget(text, rates);
      expect(found.budget?.value).toBe(usd);
      expect(text).toContain(found.budget!.quote);
      expect(found.notes.join('\n')).toContain(`(${written}) to `);
      expect(found.notes.join('\n')).toMatch(/per [A-Z]{3} \(team\.yaml currencies\)/);
      const f = facts(text, {}, { ...ctx, currencies: rates });
      expect(f.budgetUsd).toMatchObject({ value: usd, source: 'message' });
      expect(f.notes.join('\n')).toMatch(/converted/);
    });

    it('keeps skipping a currency without a rate, saying which key to add', () => {
      const found = findBudget('Our budget is CHF 90k.', rates);
      expect(found.budget).toBeUndefined();
      expect(found.notes.join()).toMatch(/another currency \("CHF 90k"\); no rate for CHF: add it under "currencies:" in team\.yaml/);
      expect(facts('Our budget is €50k.').budgetUsd).toBeUndefined(); // no rates at all: as before
    });

    it('never converts "¥" (yen or yuan?) and never reads a lower-case word as a code', () => {
      const yen = findBudget('Budget is ¥5M.', rates);
      expect(yen.budget).toBeUndefined();
      expect(yen.notes.join()).toMatch(/yen or Chinese yuan/);
      expect(findBudget('Our budget is $20k all in.', rates).budget?.value).toBe(20_000); // "all" is a code (ALL), not here
      expect(findBudget('BUDGET IS 50K ALL IN', rates).budget?.value).toBe(50_000); // nor in capitals, unless configured
      expect(findBudget('Budget is 50K TRY.', { TRY: 0.031 }).budget?.value).toBe(1550);
      expect(findBudget('We handle 5k API calls a day. Our budget is $30k.', rates).budget?.value).toBe(30_000);
    });

    it('prefers the amount next to the budget word, whatever its currency', () => {
      expect(findBudget('We raised €20M last year; our budget is £100k.', rates).budget?.value).toBe(127_000);
      expect(findBudget('We raised $20M last year; our budget is €100k.', rates).budget?.value).toBe(108_000);
    });
  });

  it('parses amounts written alone', () => {
    expect(['$100K', '20,000 USD', '$1.2M', '100k', '1.2 million dollars', 'half a million'].map(parseAmount)).toEqual([
      100_000, 20_000, 1_200_000, 100_000, 1_200_000, 500_000,
    ]);
    expect(parseAmount('€100')).toBeUndefined();
  });
});

describe('employees', () => {
  const cases: [string, number][] = [
    ["We're a 2,000-person company.", 2000],
    ['We have about 500 staff.', 500],
    ['We are a team of 40.', 40],
    ['Acme has 1,200 employees.', 1200],
    ['We have 5k employees worldwide.', 5000],
    ['We have 50-100 employees.', 100],
    ["We're about 300 people.", 300],
    ['Headcount of 250 across three offices.', 250],
  ];
  it.each(cases)('reads %j as %d', (text, expected) => {
    expect(findEmployees(text)?.value).toBe(expected);
  });

  it('does not read customers or patients as employees', () => {
    expect(findEmployees('We serve 300 people a day and 20,000 patients.')).toBeUndefined();
    expect(findEmployees('Our budget is $250k.')).toBeUndefined();
  });
});

describe('industries', () => {
  const cases: [string, string][] = [
    ['We run three hospitals.', 'healthcare'],
    ['A chain of urgent care clinics.', 'healthcare'],
    ['Our patients book online.', 'healthcare'],
    ['We are a regional bank.', 'fintech'],
    ['We process payments for merchants.', 'fintech'],
    ['We do small-business lending.', 'fintech'],
    ['We are an insurance carrier.', 'insurance'],
    ['We run 40 schools.', 'education'],
    ['I work for a university.', 'education'],
    ['We are an edtech startup.', 'education'],
    ['We are a municipality in Ohio.', 'government'],
    ['We serve the public sector.', 'government'],
    ['We are an e-commerce brand.', 'retail'],
    ['Our factory makes valves.', 'manufacturing'],
    ['We are a B2B SaaS company.', 'software'],
    ['We do freight and trucking.', 'logistics'],
    ['We do property management.', 'real-estate'],
    ['We are a law firm with 80 attorneys.', 'legal'],
    ['We are a nonprofit.', 'nonprofit'],
    ['We run 12 hotels.', 'hospitality'],
    ['We install solar for homes.', 'energy'],
    ['We are a telecom operator.', 'telecom'],
    ['We are a biotech doing drug discovery.', 'life-sciences'],
    ['We are a general contractor.', 'construction'],
    ['We own five car dealerships.', 'automotive'],
  ];
  it.each(cases)('%j -> %s', (text, id) => {
    expect(findIndustry(text)?.id).toBe(id);
    expect(facts(text).industry).toMatchObject({ value: id, source: 'message' });
  });

  it('has at least 10 canonical industries', () => {
    expect(INDUSTRY_IDS.length).toBeGreaterThanOrEqual(10);
    expect(INDUSTRY_IDS).toEqual(expect.arrayContaining(['healthcare', 'fintech', 'education', 'government', 'retail', 'manufacturing', 'software']));
  });

  it('does not find an industry in a generic message, nor "hospital" inside "hospitality"', () => {
    expect(findIndustry('We want to route inbound leads faster.')).toBeUndefined();
    expect(findIndustry('We are in hospitality.')?.id).toBe('hospitality');
  });

  it('canonicalizes field and LLM values', () => {
    expect(canonicalIndustry('Hospital & Health Care')).toBe('healthcare');
    expect(canonicalIndustry('Financial Services')).toBe('fintech');
    expect(canonicalIndustry('Banking')).toBe('fintech');
    expect(canonicalIndustry('Computer Software')).toBe('software');
    expect(canonicalIndustry('healthcare')).toBe('healthcare');
    expect(canonicalIndustry('Underwater basket weaving')).toBeUndefined();
  });

  it('falls back to the company name', () => {
    const f = extractFacts({ email: 'jane@mercyhealth.org', company: 'Mercy Health', message: 'Can we talk?' }, ctx);
    expect(f.industry).toEqual({ value: 'healthcare', source: 'field', quote: 'Mercy Health' });
  });
});

describe('geography', () => {
  it('knows all 50 states and DC, by name and code', () => {
    expect(US_STATES.size).toBe(51);
    expect(stateCode('Washington')).toBe('WA');
    expect(stateCode('tx')).toBe('TX');
    expect(stateCode('New Mexico')).toBe('NM');
    expect(stateCode('Ontario')).toBeUndefined();
  });

  it('knows countries by name, alias and ISO code', () => {
    expect(countryCode('Germany')).toBe('DE');
    expect(countryCode('USA')).toBe('US');
    expect(countryCode('United States')).toBe('US');
    expect(countryCode('UK')).toBe('GB');
    expect(countryCode('DEU')).toBe('DE');
    expect(countryCode('fr')).toBe('FR');
    expect(countryCode('Narnia')).toBeUndefined();
  });

  it('looks up cities, leaving ambiguous ones partly resolved', () => {
    expect(lookupCity('Portland')).toMatchObject({ state: 'OR', country: 'US' });
    expect(lookupCity('Portland', { state: 'ME' })).toMatchObject({ state: 'ME' });
    expect(lookupCity('Birmingham')).toMatchObject({ country: undefined });
    expect(lookupCity('Kansas City')).toMatchObject({ state: undefined, country: 'US', timezone: 'America/Chicago' });
  });

  it('derives world regions from continent data', () => {
    expect(BUILT_IN_TERRITORIES.EMEA).toEqual(expect.arrayContaining(['DE', 'GB', 'ZA', 'AE', 'FR', 'NG']));
    expect(BUILT_IN_TERRITORIES.EMEA).not.toContain('US');
    expect(BUILT_IN_TERRITORIES.APAC).toEqual(expect.arrayContaining(['JP', 'AU', 'IN', 'SG']));
    expect(BUILT_IN_TERRITORIES.APAC).not.toContain('AE');
    expect(BUILT_IN_TERRITORIES.LATAM).toEqual(expect.arrayContaining(['BR', 'MX', 'AR', 'CO']));
    expect(BUILT_IN_TERRITORIES.LATAM).not.toContain('US');
    expect(BUILT_IN_TERRITORIES['North America']).toEqual(expect.arrayContaining(['US', 'CA']));
    expect(BUILT_IN_TERRITORIES['West Coast']).toEqual(['WA', 'OR', 'CA']);
    expect(BUILT_IN_TERRITORIES['Pacific Northwest']).toEqual(['WA', 'OR', 'ID']);
    for (const name of ['East Coast', 'Midwest', 'South', 'Northeast', 'Southwest']) expect(BUILT_IN_TERRITORIES[name]!.length).toBeGreaterThan(3);
  });

  it('lists every territory a location is in, built-in then configured', () => {
    expect(territoriesFor({ state: 'WA', country: 'US' }, {})).toEqual(['West Coast', 'Pacific Northwest', 'North America', 'Americas']);
    expect(territoriesFor({ country: 'DE' }, { 'Core Europe': ['DE', 'FR', 'IT'] })).toEqual(['EMEA', 'Europe', 'DACH', 'Core Europe']);
    expect(territoriesFor({ state: 'TX', country: 'US' }, {})).toEqual(expect.arrayContaining(['South', 'Southwest']));
    expect(territoriesFor({ state: 'TX', country: 'US' }, {})).not.toContain('West Coast');
  });

  it('lets configured territories override built-in ones with the same name', () => {
    const configured = { 'west coast': ['WA', 'OR'] };
    expect(territoriesFor({ state: 'CA' }, configured)).not.toContain('West Coast');
    expect(territoriesFor({ state: 'CA' }, configured)).not.toContain('west coast');
    expect(territoriesFor({ state: 'OR' }, configured)).toContain('west coast');
  });

  it('reads ambiguous codes in configured territories by the other entries', () => {
    expect(matchesTerritory('Core', { country: 'DE' }, { Core: ['DE', 'FR', 'IT'] })).toBe(true);
    expect(matchesTerritory('Core', { state: 'DE' }, { Core: ['DE', 'FR', 'IT'] })).toBe(false);
    expect(matchesTerritory('Coast', { state: 'CA' }, { Coast: ['CA', 'NV'] })).toBe(true);
    expect(matchesTerritory('Coast', { country: 'CA' }, { Coast: ['CA', 'NV'] })).toBe(false);
    expect(matchesTerritory('Cities', { city: 'Seattle', state: 'WA' }, { Cities: ['Seattle', 'Portland, OR'] })).toBe(true);
    expect(matchesTerritory('Cities', { city: 'Portland', state: 'ME' }, { Cities: ['Seattle', 'Portland, OR'] })).toBe(false);
    expect(matchesTerritory('Nested', { country: 'JP' }, { Nested: ['APAC'], Loop: ['Loop2'], Loop2: ['Loop'] })).toBe(true);
    expect(matchesTerritory('Loop', { country: 'JP' }, { Loop: ['Loop2'], Loop2: ['Loop'] })).toBe(false);
  });

  it('matches states, countries and regions by code or name', () => {
    expect(matchesTerritory('TX', { state: 'TX' })).toBe(true);
    expect(matchesTerritory('Texas', { state: 'TX' })).toBe(true);
    expect(matchesTerritory('GB', { country: 'GB' })).toBe(true);
    expect(matchesTerritory('Canada', { country: 'CA' })).toBe(true);
    expect(matchesTerritory('Canada', { state: 'CA', country: 'US' })).toBe(false);
    expect(matchesTerritory('EMEA', { country: 'FR' })).toBe(true);
    expect(matchesTerritory('emea', { state: 'NY' })).toBe(false);
  });

  it('normalizes form locations and infers zones only when unambiguous', () => {
    expect(resolveLocation({ state: 'Washington' })).toMatchObject({ state: 'WA', country: 'US', timezone: 'America/Los_Angeles' });
    expect(resolveLocation({ city: 'Seattle' })).toMatchObject({ city: 'Seattle', state: 'WA', country: 'US' });
    expect(resolveLocation({ country: 'Germany' })).toMatchObject({ country: 'DE', timezone: 'Europe/Berlin' });
    expect(resolveLocation({ state: 'Narnia' }).problems).toEqual(['"Narnia" is not a US state']);
    expect(inferTimezone({ state: 'TX' })).toBeUndefined(); // El Paso is on Mountain time
    expect(inferTimezone({ country: 'US' })).toBeUndefined();
  });
});

describe('location in text', () => {
  it('reads a big city as city, state and country', () => {
    const f = facts("We're a 2,000-person hospital network in Seattle looking at routing.");
    expect(f.city).toMatchObject({ value: 'Seattle', source: 'message' });
    expect(f.state?.value).toBe('WA');
    expect(f.country?.value).toBe('US');
    expect(f.territories).toEqual(['West Coast', 'North America', 'Americas', 'Pacific Northwest']);
    expect(f.timezone).toMatchObject({ value: 'America/Los_Angeles', source: 'message' });
  });

  it('reads states by name, and codes only in a location context', () => {
    expect(facts('We are based in Texas.').state?.value).toBe('TX');
    expect(facts('Our office is in Portland, OR and we love it.').state?.value).toBe('OR');
    expect(facts('Our HQ is in Bend, OR.').state?.value).toBe('OR');
    expect(facts('We are TX-based.').state?.value).toBe('TX');
    expect(facts('Should we call or email? Let me know IN advance, call ME or OR.').state).toBeUndefined();
    expect(facts('Please send pricing or a deck.').state).toBeUndefined();
    expect(facts('Hi Team, OK let us talk.').state).toBeUndefined();
  });

  it('reads countries by name and code, and the regions they are in', () => {
    const de = facts('We are a bank headquartered in Germany.');
    expect(de.country?.value).toBe('DE');
    expect(de.territories).toEqual(expect.arrayContaining(['EMEA', 'Europe', 'DACH']));
    expect(facts('We are a UK-based retailer.').country?.value).toBe('GB');
    expect(facts('Our team sits in Berlin, DE.').country?.value).toBe('DE');
    expect(facts('We operate out of São Paulo, Brazil.').territories).toContain('LATAM');
    expect(facts('We are based in Tokyo.').territories).toContain('APAC');
    expect(facts('We are based in Toronto.').territories).toContain('North America');
  });

  it('does not read people called Austin, Jordan or Georgia as places', () => {
    const f = facts("Hi, I'm Austin. Georgia and Jordan from my team will join.");
    expect(f.city).toBeUndefined();
    expect(f.state).toBeUndefined();
    expect(f.country).toBeUndefined();
    expect(facts('We are headquartered in Austin, Texas.').city?.value).toBe('Austin');
  });

  it('prefers where the company is over other places it names', () => {
    const f = facts('We sell into Germany and France, but we are headquartered in Chicago.');
    expect(f.city?.value).toBe('Chicago');
    expect(f.country?.value).toBe('US');
  });

  it('keeps a named territory when no place is given', () => {
    expect(facts('We are based in the Pacific Northwest.').territories).toEqual(['Pacific Northwest']);
    expect(facts('Our customers are across EMEA.').territories).toEqual(['EMEA']);
  });
});

describe('fields', () => {
  it('always win over the text', () => {
    const f = facts('We are a bank in Austin, Texas with a budget of $40k and 80 employees.', {
      fields: { budget: 150_000, employees: 2000, industry: 'Hospital & Health Care', state: 'WA', country: 'US', timezone: 'America/Los_Angeles' },
    });
    expect(f.budgetUsd).toEqual({ value: 150_000, source: 'field' });
    expect(f.employees).toEqual({ value: 2000, source: 'field' });
    expect(f.industry).toEqual({ value: 'healthcare', source: 'field' });
    expect(f.state).toEqual({ value: 'WA', source: 'field' });
    expect(f.city).toBeUndefined(); // Austin disagrees with the fields
    expect(f.timezone).toEqual({ value: 'America/Los_Angeles', source: 'field' });
    expect(f.territories).toContain('West Coast');
    expect(f.notes.join()).toMatch(/another place/);
  });

  it('keep unknown industries lower-cased and note invalid zones', () => {
    const f = facts('hello', { fields: { industry: 'Space Mining', timezone: 'Mars/Base', state: 'Texas' } });
    expect(f.industry?.value).toBe('space-mining');
    expect(f.timezone).toBeUndefined();
    expect(f.notes).toContain('fields.timezone "Mars/Base" is not an IANA time zone; ignored');
    expect(f.state).toEqual({ value: 'TX', source: 'field' });
  });

  it('fill in a field city', () => {
    const f = facts('', { fields: { city: 'Seattle' } });
    expect(f.state?.value).toBe('WA');
    expect(f.timezone?.value).toBe('America/Los_Angeles');
  });
});

describe('mentions, urgency and interest', () => {
  it('finds configured competitors, even negated, in config spelling', () => {
    const f = facts('We are not using competitor x anymore; we also looked at GONG.');
    expect(f.mentions.map((m) => m.value)).toEqual(['Competitor X', 'Gong']);
    expect(f.mentions[0]!.quote).toMatch(/competitor x/);
    expect(facts('We love Gongfu tea.').mentions).toEqual([]);
  });

  const urgent: [string, boolean][] = [
    ['This is urgent.', true],
    ['Please reply asap', true],
    ['Can we talk this week?', true],
    ['We need to go live by Friday.', true],
    ['We need this as soon as possible.', true],
    ['Not urgent, just exploring.', false],
    ['No rush on our side.', false],
    ['It is not super urgent.', false],
  ];
  it.each(urgent)('%j -> urgent %s', (text, value) => {
    expect(facts(text).urgent).toMatchObject({ value, source: 'message' });
  });

  it('has no urgency when nothing is said, and an urgent care clinic is not urgent', () => {
    expect(facts('We run an urgent care clinic.').urgent).toBeUndefined();
    expect(facts('Hello, tell me more.').urgent).toBeUndefined();
  });

  it('reads product interest', () => {
    expect(facts("We're interested in your routing add-on for our SDRs.").productInterest?.value).toBe('routing add-on');
    expect(facts("We're interested in a demo.").productInterest).toBeUndefined();
  });
});

describe('disqualification', () => {
  const bad: [string, string][] = [
    ['We offer SEO services to get your website on the first page of Google.', 'vendor_pitch'],
    ['We provide high-quality backlinks and guest posts, packages from $99.', 'vendor_pitch'],
    ['I noticed your website has several SEO errors.', 'vendor_pitch'],
    ['We provide digital marketing services that can grow your business.', 'vendor_pitch'],
    ['Hello, we offer link building packages starting at $50.', 'vendor_pitch'],
    ["Congratulations, you've won a $500 gift card!", 'spam'],
    ['Claim your prize now at our casino!', 'spam'],
    ["I'm a student doing a school project on sales tools.", 'student'],
    ['For my thesis I am researching lead routing.', 'student'],
    ["I'm looking for a job in sales. Are you hiring?", 'job_seeker'],
    ['Please find attached my resume.', 'job_seeker'],
  ];
  it.each(bad)('%j -> %s', (text, reason) => {
    const f = facts(text);
    expect(f.disqualified?.reason).toBe(reason);
    expect(text).toContain(f.disqualified!.quote);
  });

  it('flags competitor employees by email domain or company', () => {
    expect(extractFacts({ email: 'spy@gong.io', message: 'Curious about pricing' }, ctx).disqualified).toEqual({ reason: 'competitor', quote: '@gong.io' });
    expect(extractFacts({ email: 'x@competitorx.com' }, ctx).disqualified?.reason).toBe('competitor');
    expect(extractFacts({ email: 'x@example.com', company: 'Competitor X Inc.' }, ctx).disqualified?.reason).toBe('competitor');
    expect(extractFacts({ email: 'x@gongfu.com', company: 'Gongfu Tea' }, ctx).disqualified).toBeUndefined();
  });

  const good = [
    "We're a 2,000-person hospital network in Seattle looking at replacing Competitor X. Budget around $150k.",
    "We're hiring 50 SDRs this year and need routing for inbound leads.",
    'We are a university; our students and teachers need a scheduling tool.',
    'Our SEO agency gets 400 inbound leads a month and we need to route them to the right account manager.',
    'We want to resume the conversation we had last quarter about pricing.',
    'Looking for a role-based routing setup for our 30 reps.',
    'Hi! Quick question about your API. Is there a sandbox?',
    'We are a bank; can you integrate with Salesforce?',
    'We provide digital marketing for hospitals and need routing for our inbound leads.',
    'We operate three casinos in Nevada and need lead routing.',
    'You won me over with the demo. Budget is $80k.',
    'We are a staffing agency: we post 500 job openings a month and need to route applicants.',
    'Our recruiters review every resume by hand; we need routing for client inquiries.',
    "I'm looking for a platform to route leads. I was a student of sales ops once.",
  ];
  it.each(good)('never disqualifies a real buyer: %j', (text) => {
    expect(facts(text).disqualified).toBeUndefined();
    expect(extractFacts({ email: 'someone@gmail.com', message: text }, ctx).disqualified).toBeUndefined();
  });
});

describe('sources and quotes', () => {
  it('reads buyer transcript turns, not agent turns, with source "transcript"', () => {
    const f = extractFacts(
      {
        email: 'a@b.com',
        message: 'Hi, we want a demo.',
        transcript: [
          { from: 'agent', text: 'Do you have a budget of $500k and are you in Texas?' },
          { from: 'buyer', text: 'Our budget is about $90k and we are based in Denver.' },
        ],
      },
      ctx,
    );
    expect(f.budgetUsd).toEqual({ value: 90_000, source: 'transcript', quote: 'budget is about $90k and we are' });
    expect(f.state).toMatchObject({ value: 'CO', source: 'transcript' });
  });

  it('message facts carry a quote from the message', () => {
    const message = "We're a 2,000-person hospital network in Seattle, budget $150k, need it asap. We use Gong.";
    const f = facts(message);
    for (const fact of [f.budgetUsd, f.employees, f.industry, f.city, f.urgent, ...f.mentions]) {
      expect(fact?.source).toBe('message');
      expect(message).toContain(fact!.quote);
    }
  });

  it('never throws and always quotes the text, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 100 }), (message, turn) => {
        const lead: Lead = { email: 'a@b.com', message, transcript: [{ from: 'buyer', text: turn }] };
        const f = extractFacts(lead, ctx);
        const all = `${message}\n${turn}`;
        for (const fact of [f.budgetUsd, f.employees, f.industry, f.city, f.state, f.country, f.urgent, f.productInterest, ...f.mentions]) {
          if (fact?.quote !== undefined && fact.source !== 'field') expect(all).toContain(fact.quote);
        }
        expect(f.extractor).toBe('deterministic');
      }),
      { numRuns: 300 },
    );
  });
});

describe('LLM facts: the extractor is the floor, the model adds grounded facts', () => {
  const lead: Lead = {
    email: 'jane@mercyhealth.org',
    message: "Our team of roughly two thousand folks runs scheduling for a chain of dental offices in Seattle. We're moving off Gong.",
  };
  const none: LlmFacts = {
    budgetUsd: null, employees: null, industry: null, city: null, state: null, country: null,
    mentions: [], urgent: null, timezone: null, productInterest: null, disqualified: null,
  };
  const answer: LlmFacts = {
    ...none,
    employees: { value: 2000, quote: 'roughly two thousand folks' },
    industry: { value: 'Hospitals', quote: 'dental offices' },
    city: { value: 'Seattle', quote: 'in Seattle' },
    state: { value: 'Washington', quote: 'in Seattle' },
    country: { value: 'United States', quote: null },
    mentions: [{ value: 'gong', quote: 'moving off Gong' }, { value: 'Salesforce', quote: null }],
    productInterest: { value: 'scheduling', quote: 'runs scheduling' },
  };

  it('adds grounded facts the extractor did not find, normalised, and keeps what it found', () => {
    const plain = facts(lead.message!);
    expect(plain.employees).toBeUndefined();
    const f = factsFromLlm(answer, lead, ctx);
    expect(f.extractor).toBe('llm');
    expect(f.employees).toEqual({ value: 2000, source: 'llm', quote: 'roughly two thousand folks' });
    // The extractor read the industry and the city itself: its facts stand.
    expect(f.industry).toEqual(plain.industry);
    expect(f.city).toEqual(plain.city);
    expect(f.state?.value).toBe('WA');
    expect(f.territories).toEqual(plain.territories);
    expect(f.mentions).toEqual(plain.mentions);
    expect(f.productInterest).toEqual({ value: 'scheduling', source: 'llm', quote: 'runs scheduling' });
    expect(f.notes.join('\n')).toMatch(/"Salesforce" is not a configured competitor/);
  });

  it('drops facts whose quote is not in the buyer\'s words (or missing), in one note', () => {
    const f = factsFromLlm(
      {
        ...none,
        budgetUsd: { value: 150000, quote: 'budget around $150k' },
        employees: { value: 2000, quote: null },
        urgent: { value: true, quote: 'we need this live next week' },
        timezone: { value: 'America/Chicago', quote: 'Central time' },
        country: { value: 'DE', quote: 'our Berlin office' },
      },
      lead,
      ctx,
    );
    expect(f.budgetUsd).toBeUndefined();
    expect(f.employees).toBeUndefined();
    expect(f.urgent).toBeUndefined();
    expect(f.country?.value).toBe('US');
    expect(f.timezone?.value).toBe('America/Los_Angeles');
    const note = f.notes.find((n) => n.startsWith('model facts dropped'))!;
    expect(note).toContain('budget 150000 ("budget around $150k" is not in the buyer\'s words)');
    expect(note).toContain('employees 2000 (no quote)');
    expect(note).toContain('urgent true');
    expect(note).toContain('time zone "America/Chicago"');
    expect(note).toContain('location DE');
  });

  it('grounds quotes after normalising case, curly quotes, punctuation and whitespace, and across "..."', () => {
    expect(normalizeQuote('We’re  “FAST”,\n ok? Café')).toBe('were fast ok cafe');
    expect(new BuyerWords({ message: 'Hello, World!' }).contains('"hello world"')).toBe(true);
    expect(new BuyerWords({ message: 'often' }).contains('ten')).toBe(false);
    const text = { email: 'a@b.example', message: 'We’re a  small shop; budget is ~$40K for the year.\nUrgent: go-live is Friday!' };
    const f = factsFromLlm(
      { ...none, budgetUsd: { value: 40000, quote: "we're a small shop ... BUDGET IS $40k" }, urgent: { value: true, quote: '"go live is friday"' } },
      text,
      ctx,
    );
    expect(f.budgetUsd?.value).toBe(40000);
    expect(f.urgent?.value).toBe(true);
    // Whole words only, in order, inside one piece of the buyer's text.
    const g = factsFromLlm({ ...none, productInterest: { value: 'x', quote: 'hop; budget' }, employees: { value: 5, quote: 'the year ... small shop 5' } }, text, ctx);
    expect(g.productInterest).toBeUndefined();
    expect(g.employees).toBeUndefined();
  });

  it('a quote from an agent turn is not the buyer\'s; a buyer turn and the company they typed are', () => {
    const chat: Lead = {
      email: 'a@b.example',
      company: 'Northwind Veterinary Clinics',
      transcript: [
        { from: 'agent', text: 'Is it for your 300 people?' },
        { from: 'buyer', text: 'We want routing for the front desk.' },
      ],
    };
    const f = factsFromLlm(
      { ...none, employees: { value: 300, quote: 'your 300 people' }, productInterest: { value: 'routing', quote: 'routing for the front desk' } },
      chat,
      ctx,
    );
    expect(f.employees).toBeUndefined();
    expect(f.productInterest?.value).toBe('routing');
  });

  it('notes where the model read something else than the extractor, and keeps the extractor\'s reading', () => {
    const text = { email: 'a@b.example', message: 'We are 40 people in Denver with a budget of $80k.' };
    const f = factsFromLlm(
      { ...none, budgetUsd: { value: 800000, quote: 'a budget of $80k' }, city: { value: 'Boston', quote: 'in Denver' } },
      text,
      ctx,
    );
    expect(f.budgetUsd).toMatchObject({ value: 80000, source: 'message' });
    expect(f.city?.value).toBe('Denver');
    expect(f.notes.join('\n')).toMatch(/kept 80000 over the model's 800000/);
    expect(f.notes.join('\n')).toMatch(/names another place/);
  });

  it('a budget or head count needs a number in its quote', () => {
    const text = { email: 'a@b.example', message: 'We are a big hospital network and money is no object.' };
    const f = factsFromLlm({ ...none, budgetUsd: { value: 1_000_000, quote: 'money is no object' }, employees: { value: 5000, quote: 'a big hospital network' } }, text, ctx);
    expect(f.budgetUsd).toBeUndefined();
    expect(f.employees).toBeUndefined();
    expect(f.notes.join('\n')).toMatch(/names no number/);
  });

  it('lets fields win over the model and the extractor', () => {
    const f = factsFromLlm(answer, { ...lead, fields: { employees: 50, state: 'TX' } }, ctx);
    expect(f.employees).toEqual({ value: 50, source: 'field' });
    expect(f.state).toEqual({ value: 'TX', source: 'field' });
    expect(f.territories).not.toContain('West Coast');
  });

  it('ignores invalid output: the deterministic facts, saying why', () => {
    const { budgetUsd: _drop, ...missing } = answer;
    for (const bad of [missing, { ...answer, urgent: { value: 'yes', quote: null } }, 'not json', null]) {
      const f = factsFromLlm(bad, lead, ctx);
      expect(f.extractor).toBe('deterministic');
      expect(f).toEqual({ ...facts(lead.message!, { email: lead.email }), notes: f.notes });
      expect(f.notes.at(-1)).toMatch(/^LLM output failed validation \(.+\); used the deterministic extractor$/);
    }
  });

  it('drops bad values', () => {
    const f = factsFromLlm({ ...answer, employees: { value: -5, quote: 'two thousand' }, timezone: { value: 'Nowhere/Town', quote: 'in Seattle' } }, lead, ctx);
    expect(f.employees).toBeUndefined();
    expect(f.timezone?.value).toBe('America/Los_Angeles');
    expect(f.notes.join('\n')).toMatch(/not a valid number/);
    expect(f.notes.join('\n')).toMatch(/"Nowhere\/Town" is not an IANA zone/);
  });
});

describe('LLM facts: the model alone never closes a lead', () => {
  const none: LlmFacts = {
    budgetUsd: null, employees: null, industry: null, city: null, state: null, country: null,
    mentions: [], urgent: null, timezone: null, productInterest: null, disqualified: null,
  };
  const lead = (message: string, extra: Partial<Lead> = {}): Lead => ({ email: 'x@buyer.example', message, ...extra });

  it('a real buyer the model calls a job seeker goes on, and the doubt is kept for the rep', () => {
    const buyer = lead("We're hiring SDRs fast and need better lead routing; budget $80k.");
    const f = factsFromLlm({ ...none, disqualified: { reason: 'job_seeker', quote: "We're hiring SDRs fast" } }, buyer, ctx);
    expect(f.disqualified).toBeUndefined();
    expect(f.doubt).toEqual({ reason: 'job_seeker', quote: "We're hiring SDRs fast", why: 'the buyer also gives a budget ($80,000)' });
    expect(f.notes.join('\n')).toMatch(/the model thought this is a job seeker, but the buyer also gives a budget/);
  });

  it('an ungrounded or quote-less disqualification is a doubt, never a closed lead', () => {
    const buyer = lead('Looking at routing tools for our team.');
    const made = factsFromLlm({ ...none, disqualified: { reason: 'spam', quote: 'click here to claim your prize' } }, buyer, ctx);
    expect(made.disqualified).toBeUndefined();
    expect(made.doubt?.why).toBe("its quote is not in the buyer's words");
    const bare = factsFromLlm({ ...none, disqualified: { reason: 'spam', quote: null } }, buyer, ctx);
    expect(bare.disqualified).toBeUndefined();
    expect(bare.doubt).toEqual({ reason: 'spam', why: 'it gave no quote from the buyer' });
  });

  it('a grounded quote without a cue of that reason is a doubt', () => {
    const f = factsFromLlm({ ...none, disqualified: { reason: 'student', quote: 'Looking at routing tools' } }, lead('Looking at routing tools for our team.'), ctx);
    expect(f.disqualified).toBeUndefined();
    expect(f.doubt?.why).toMatch(/see no sign of it/);
  });

  it('a grounded quote that Baton\'s signals agree with closes the lead the extractor missed', () => {
    const seeker = lead("Hi! I'd love to be considered for the open SDR role on your team.");
    expect(facts(seeker.message!).disqualified).toBeUndefined();
    const f = factsFromLlm({ ...none, disqualified: { reason: 'job_seeker', quote: 'considered for the open SDR role' } }, seeker, ctx);
    expect(f.disqualified).toEqual({ reason: 'job_seeker', quote: 'considered for the open SDR role' });
    expect(f.doubt).toBeUndefined();
    const rival = lead("I work at Gong and wanted to compare notes on your routing.");
    expect(factsFromLlm({ ...none, disqualified: { reason: 'competitor', quote: 'I work at Gong' } }, rival, ctx).disqualified?.reason).toBe('competitor');
    expect(factsFromLlm({ ...none, disqualified: { reason: 'competitor', quote: 'compare notes on your routing' } }, rival, ctx).disqualified).toBeUndefined();
  });

  it('the extractor\'s own disqualification stands whatever the model says', () => {
    const spam = lead('You have won a $1000 prize! Click here to claim your prize now.');
    const f = factsFromLlm(none, spam, ctx);
    expect(f.disqualified?.reason).toBe('spam');
  });

  it('for any model answer: every model fact is quoted from the buyer, the extractor\'s facts stand, and a buyer is never closed', () => {
    const message = "We're a 40-person clinic group in Austin; budget maybe $20k. Hiring soon, students welcome. Gong user.";
    const words = message.split(/\s+/);
    const quote = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.nat(words.length - 1), fc.integer({ min: 1, max: 6 })).map(([i, n]) => words.slice(i, i + n).join(' ')),
    );
    const q = <T>(value: fc.Arbitrary<T>) => fc.option(fc.record({ value, quote }), { nil: null });
    const model = fc.record({
      budgetUsd: q(fc.double({ min: -10, max: 1e7, noNaN: true })),
      employees: q(fc.double({ min: -10, max: 1e6, noNaN: true })),
      industry: q(fc.constantFrom('fintech', 'healthcare', 'alchemy')),
      city: q(fc.constantFrom('Paris', 'Austin', 'Tokyo')),
      state: q(fc.constantFrom('TX', 'CA', 'Bavaria')),
      country: q(fc.constantFrom('US', 'FR', 'JP')),
      mentions: fc.array(fc.record({ value: fc.constantFrom('Gong', 'Competitor X', 'Salesforce'), quote }), { maxLength: 3 }),
      urgent: q(fc.boolean()),
      timezone: q(fc.constantFrom('America/Chicago', 'Europe/Paris', 'Bogus/Zone')),
      productInterest: q(fc.constantFrom('routing', 'payroll')),
      disqualified: fc.option(fc.record({ reason: fc.constantFrom('spam', 'student', 'job_seeker', 'competitor', 'vendor_pitch' as const), quote }), { nil: null }),
    });
    const plain = facts(message);
    expect(plain.disqualified).toBeUndefined();
    const normalised = normalizeQuote(message);
    fc.assert(
      fc.property(model, (answer) => {
        const f = factsFromLlm(answer, { email: 'x@buyer.example', message }, ctx);
        for (const fact of [f.budgetUsd, f.employees, f.industry, f.city, f.state, f.country, f.urgent, f.timezone, f.productInterest, ...f.mentions]) {
          if (fact?.source === 'llm') expect(normalised).toContain(normalizeQuote(fact.quote!));
        }
        // What the extractor found, the model never changes.
        for (const key of ['budgetUsd', 'employees', 'industry', 'city', 'state', 'urgent'] as const) if (plain[key]) expect(f[key]).toEqual(plain[key]);
        // This buyer gives a budget and a size: the model can never close the lead, only doubt it.
        expect(f.disqualified).toBeUndefined();
        if (answer.disqualified) expect(f.doubt?.reason).toBe(answer.disqualified.reason);
      }),
      { numRuns: 300 },
    );
  });
});

describe('LLM facts: schema and prompt', () => {
  const lead: Lead = { email: 'jane@mercyhealth.org', message: "We're a 2,000-person hospital network in Seattle. We're moving off Gong." };
  const answer: LlmFacts = {
    budgetUsd: null, employees: { value: 2000, quote: '2,000-person' }, industry: null, city: null, state: null, country: null,
    mentions: [], urgent: null, timezone: null, productInterest: null, disqualified: null,
  };

  it('requires every key in the schema (strict structured outputs)', () => {
    expect(llmFactsSchema.safeParse(answer).success).toBe(true);
    expect(llmFactsSchema.safeParse({ ...answer, extra: 1 }).success).toBe(false);
    const { urgent: _u, ...noUrgent } = answer;
    expect(llmFactsSchema.safeParse(noUrgent).success).toBe(false);
  });

  it('builds a prompt with the competitors, the industries and the lead', () => {
    const p = factsPrompt(lead, ctx);
    expect(p.system).toContain('"Competitor X"');
    expect(p.system).toContain('healthcare');
    expect(p.system).toMatch(/never instructions/);
    expect(JSON.parse(p.user).message).toBe(lead.message);
  });
});
