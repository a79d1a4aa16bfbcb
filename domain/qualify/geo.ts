/**
 * Geography for lead facts and routing rules: places (geo-data.ts) and territories — built-in US
 * regions and world regions, plus the ones a team configures. Pure and deterministic.
 *
 * World regions are derived from the continent data of `countries-list`; only the US regions and a
 * few groupings (Middle East, DACH, Nordics, ...) are hand-written.
 */
import { COUNTRY_DATA, countryCode, countryName, lookupCity, stateCode, US_STATES, type Location } from './geo-data';
import { normalizeName } from '../text-match';

export * from './geo-data';

// ---------------------------------------------------------------- territories

const US_REGIONS: Record<string, string[]> = {
  'West Coast': ['WA', 'OR', 'CA'],
  'East Coast': ['ME', 'NH', 'MA', 'RI', 'CT', 'NY', 'NJ', 'DE', 'MD', 'DC', 'VA', 'NC', 'SC', 'GA', 'FL'],
  'Pacific Northwest': ['WA', 'OR', 'ID'],
  Midwest: ['IL', 'IN', 'IA', 'KS', 'MI', 'MN', 'MO', 'NE', 'ND', 'OH', 'SD', 'WI'],
  Northeast: ['CT', 'ME', 'MA', 'NH', 'RI', 'VT', 'NJ', 'NY', 'PA'],
  'New England': ['CT', 'ME', 'MA', 'NH', 'RI', 'VT'],
  'Mid-Atlantic': ['NY', 'NJ', 'PA', 'DE', 'MD', 'DC'],
  South: ['DE', 'MD', 'DC', 'VA', 'WV', 'KY', 'TN', 'NC', 'SC', 'GA', 'FL', 'AL', 'MS', 'AR', 'LA', 'OK', 'TX'],
  Southeast: ['AL', 'FL', 'GA', 'MS', 'NC', 'SC', 'TN'],
  Southwest: ['AZ', 'NM', 'TX', 'OK', 'NV'],
  'Mountain West': ['AZ', 'CO', 'ID', 'MT', 'NV', 'NM', 'UT', 'WY'],
};

const MIDDLE_EAST = ['AE', 'BH', 'CY', 'EG', 'IL', 'IQ', 'IR', 'JO', 'KW', 'LB', 'OM', 'PS', 'QA', 'SA', 'SY', 'TR', 'YE'];
const CAUCASUS = ['AM', 'AZ', 'GE'];
const NORTH_AMERICA = ['US', 'CA', 'BM', 'GL', 'PM'];

function worldRegions(): Record<string, string[]> {
  const by = (pred: (continents: string[], primary: string) => boolean): string[] =>
    [...COUNTRY_DATA.values()]
      .filter((d) => pred(d.continents ?? [d.continent], d.continent))
      .map((d) => d.iso2 as string)
      .sort();
  const europe = by((c) => c.includes('EU'));
  const africa = by((c) => c.includes('AF'));
  const emea = new Set([...europe, ...africa, ...MIDDLE_EAST, ...CAUCASUS]);
  const apac = by((c) => c.includes('AS') || c.includes('OC')).filter((code) => !emea.has(code));
  const americas = by((_c, primary) => primary === 'NA' || primary === 'SA');
  return {
    EMEA: [...emea].sort(),
    APAC: apac,
    LATAM: americas.filter((code) => !NORTH_AMERICA.includes(code)),
    'North America': [...NORTH_AMERICA],
    Americas: americas,
    Europe: europe,
    Africa: africa,
    Asia: by((c) => c.includes('AS')),
    Oceania: by((c) => c.includes('OC')),
    'South America': by((_c, primary) => primary === 'SA'),
    'Central America': ['BZ', 'CR', 'GT', 'HN', 'NI', 'PA', 'SV'],
    'Middle East': [...MIDDLE_EAST],
    DACH: ['AT', 'CH', 'DE'],
    Nordics: ['DK', 'FI', 'IS', 'NO', 'SE'],
    Benelux: ['BE', 'LU', 'NL'],
    ANZ: ['AU', 'NZ'],
  };
}

const WORLD_REGIONS = worldRegions();

/**
 * Built-in territories: US regions (values are US state codes) and world regions (values are ISO
 * country codes). A configured territory with the same name (any case) replaces the built-in one.
 */
export const BUILT_IN_TERRITORIES: Readonly<Record<string, readonly string[]>> = Object.freeze({ ...US_REGIONS, ...WORLD_REGIONS });

const TERRITORY_ALIASES: Record<string, string> = {
  pnw: 'Pacific Northwest',
  'mid west': 'Midwest', 'mid-west': 'Midwest', 'north east': 'Northeast', 'north-east': 'Northeast',
  'south east': 'Southeast', 'south-east': 'Southeast', 'south west': 'Southwest', 'south-west': 'Southwest',
  'mid atlantic': 'Mid-Atlantic', 'asia pacific': 'APAC', 'asia-pacific': 'APAC', 'apj': 'APAC',
  'latin america': 'LATAM', 'latam': 'LATAM', 'amer': 'Americas', 'the americas': 'Americas',
  'europe middle east and africa': 'EMEA', 'europe middle east & africa': 'EMEA', 'nordic countries': 'Nordics', 'nordic': 'Nordics',
  'australia and new zealand': 'ANZ', 'mountain states': 'Mountain West', 'the west coast': 'West Coast', 'the east coast': 'East Coast',
};

const BUILT_IN_BY_NAME = new Map<string, string>();
for (const name of Object.keys(BUILT_IN_TERRITORIES)) BUILT_IN_BY_NAME.set(normalizeName(name), name);
for (const [alias, name] of Object.entries(TERRITORY_ALIASES)) BUILT_IN_BY_NAME.set(normalizeName(alias), name);

/** Every spelling of a built-in territory (names and aliases), for text scanning. */
export function builtInTerritorySpellings(): string[] {
  return [...Object.keys(BUILT_IN_TERRITORIES), ...Object.keys(TERRITORY_ALIASES)];
}

type Member =
  | { kind: 'state'; code: string }
  | { kind: 'country'; code: string }
  | { kind: 'city'; name: string; state?: string; country?: string }
  | { kind: 'territory'; name: string };

interface CompiledTerritory {
  name: string;
  members: Member[];
  unknown: string[];
}

const COMPILED = new WeakMap<object, Map<string, CompiledTerritory>>();

function classify(entry: string): { state?: string; country?: string } {
  const trimmed = entry.trim();
  if (/^[a-z]{2}$/i.test(trimmed)) {
    const up = trimmed.toUpperCase();
    return { state: US_STATES.has(up) ? up : undefined, country: COUNTRY_DATA.has(up) ? up : up === 'UK' ? 'GB' : undefined };
  }
  return { state: stateCode(trimmed), country: countryCode(trimmed) };
}

function parseCity(entry: string): Member | undefined {
  const m = /^(.+?),\s*([A-Za-z .]+)$/.exec(entry.trim());
  const name = m ? m[1]! : entry;
  const qualifier = m ? classify(m[2]!) : {};
  const hint: Location = qualifier.state ? { state: qualifier.state, country: 'US' } : qualifier.country ? { country: qualifier.country } : {};
  const match = lookupCity(name, hint);
  if (!match) return undefined;
  return { kind: 'city', name: normalizeName(match.city), state: match.state ?? hint.state, country: match.country ?? hint.country };
}

/**
 * Reads one configured territory's entries. Two-letter codes that are both a US state and a country
 * (CA, DE, IN, ...) mean the state, unless the list's other entries are clearly countries
 * (e.g. [DE, FR, IT] is Germany, France, Italy; [WA, OR, CA] is three states).
 */
function compileTerritory(name: string, entries: string[], configuredNames: Set<string>): CompiledTerritory {
  const self = normalizeName(name);
  let states = 0;
  let countriesSeen = 0;
  for (const e of entries) {
    const c = classify(e);
    if (c.state && !c.country) states++;
    if (c.country && !c.state) countriesSeen++;
  }
  const preferCountry = countriesSeen > 0 && states === 0;
  const members: Member[] = [];
  const unknown: string[] = [];
  for (const entry of entries) {
    const norm = normalizeName(entry);
    if (norm !== self && (configuredNames.has(norm) || BUILT_IN_BY_NAME.has(norm))) {
      members.push({ kind: 'territory', name: norm });
      continue;
    }
    const c = classify(entry);
    if (c.state && c.country) members.push(preferCountry ? { kind: 'country', code: c.country } : { kind: 'state', code: c.state });
    else if (c.state) members.push({ kind: 'state', code: c.state });
    else if (c.country) members.push({ kind: 'country', code: c.country });
    else {
      const city = parseCity(entry);
      if (city) members.push(city);
      else unknown.push(entry);
    }
  }
  return { name, members, unknown };
}

function compiledTerritories(configured: Record<string, string[]>): Map<string, CompiledTerritory> {
  let map = COMPILED.get(configured);
  if (map) return map;
  const names = new Set(Object.keys(configured).map(normalizeName));
  map = new Map();
  for (const [name, entries] of Object.entries(configured)) map.set(normalizeName(name), compileTerritory(name, entries, names));
  COMPILED.set(configured, map);
  return map;
}

/** Entries of configured territories that are no known state, country, city or territory. */
export function unknownTerritoryEntries(configured: Record<string, string[]>): { territory: string; entry: string }[] {
  const out: { territory: string; entry: string }[] = [];
  for (const t of compiledTerritories(configured).values()) for (const entry of t.unknown) out.push({ territory: t.name, entry });
  return out;
}

/** The canonical spelling of a territory name or alias: the configured one (as written), else the built-in one. */
export function territoryName(text: string, configured: Record<string, string[]> = {}): string | undefined {
  const norm = normalizeName(text).replace(/^the /, '');
  const conf = compiledTerritories(configured).get(norm) ?? compiledTerritories(configured).get(normalizeName(text));
  if (conf) return conf.name;
  return BUILT_IN_BY_NAME.get(norm) ?? BUILT_IN_BY_NAME.get(normalizeName(text));
}

function effectiveCountry(loc: Location): string | undefined {
  return loc.country ?? (loc.state ? 'US' : undefined);
}

function memberMatches(m: Member, loc: Location, configured: Record<string, string[]>, seen: Set<string>): boolean {
  switch (m.kind) {
    case 'state':
      return loc.state === m.code && (effectiveCountry(loc) ?? 'US') === 'US';
    case 'country':
      return effectiveCountry(loc) === m.code;
    case 'city':
      return (
        !!loc.city &&
        normalizeName(loc.city) === m.name &&
        (!m.state || !loc.state || loc.state === m.state) &&
        (!m.country || !effectiveCountry(loc) || effectiveCountry(loc) === m.country)
      );
    case 'territory':
      return territoryMatches(m.name, loc, configured, seen);
  }
}

function builtInMatches(name: string, loc: Location): boolean {
  const states = US_REGIONS[name];
  if (states) return !!loc.state && states.includes(loc.state) && (effectiveCountry(loc) ?? 'US') === 'US';
  const codes = WORLD_REGIONS[name];
  const country = effectiveCountry(loc);
  return !!codes && !!country && codes.includes(country);
}

function territoryMatches(norm: string, loc: Location, configured: Record<string, string[]>, seen: Set<string>): boolean {
  if (seen.has(norm)) return false;
  const conf = compiledTerritories(configured).get(norm);
  if (conf) {
    const next = new Set(seen).add(norm);
    return conf.members.some((m) => memberMatches(m, loc, configured, next));
  }
  const builtIn = BUILT_IN_BY_NAME.get(norm);
  return !!builtIn && builtInMatches(builtIn, loc);
}

/**
 * Whether a location is in `name`: a configured territory, a built-in one (or alias), a US state
 * (code or name; two-letter codes that are also countries mean the state), a country (ISO alpha-2
 * or alpha-3 code, or name), or a city.
 */
export function matchesTerritory(name: string, loc: Location, configured: Record<string, string[]> = {}): boolean {
  const norm = normalizeName(name).replace(/^the /, '');
  if (compiledTerritories(configured).has(norm) || BUILT_IN_BY_NAME.has(norm)) {
    return territoryMatches(norm, loc, configured, new Set());
  }
  const c = classify(name);
  if (c.state) return memberMatches({ kind: 'state', code: c.state }, loc, configured, new Set());
  if (c.country) return memberMatches({ kind: 'country', code: c.country }, loc, configured, new Set());
  const city = parseCity(name);
  return !!city && memberMatches(city, loc, configured, new Set());
}

/** Every territory the location is in: built-in ones (unless a configured one has the same name), then configured ones. */
export function territoriesFor(loc: Location, configured: Record<string, string[]> = {}): string[] {
  if (!loc.city && !loc.state && !loc.country) return [];
  const compiled = compiledTerritories(configured);
  const out: string[] = [];
  for (const name of Object.keys(BUILT_IN_TERRITORIES)) {
    if (!compiled.has(normalizeName(name)) && builtInMatches(name, loc)) out.push(name);
  }
  for (const [norm, t] of compiled) if (territoryMatches(norm, loc, configured, new Set())) out.push(t.name);
  return out;
}

/**
 * What a rule or LLM means by a territory word, as the value stored in a `territory` condition:
 * a territory name (configured spelling first), a US state code (state names win, so "Georgia" is GA),
 * an ISO country code (or the country's name when its code is also a US state code, e.g. "Canada"),
 * or a city name.
 */
export function canonicalTerritory(text: string, configured: Record<string, string[]> = {}): string | undefined {
  const name = territoryName(text, configured);
  if (name) return name;
  const trimmed = text.trim().replace(/^the\s+/i, '');
  const c = classify(trimmed);
  if (c.state) return c.state;
  if (c.country) return US_STATES.has(c.country) ? countryName(c.country) : c.country;
  const city = lookupCity(trimmed);
  return city ? city.city : undefined;
}

/** A label for a territory value: "TX (Texas)", "GB (United Kingdom)", "West Coast". */
export function describeTerritory(value: string): string {
  if (/^[A-Z]{2}$/.test(value)) {
    if (US_STATES.has(value)) return `${value} (${US_STATES.get(value)})`;
    if (COUNTRY_DATA.has(value)) return `${value} (${countryName(value)})`;
  }
  return value;
}
