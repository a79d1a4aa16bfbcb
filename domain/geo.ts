/**
 * Geography for lead facts and routing rules: US states, countries, large cities, and territories
 * (built-in US regions and world regions, plus the ones a team configures). Pure and deterministic.
 *
 * Data comes from libraries: US state names and codes, cities, populations and time zones from
 * `city-timezones`; country names, aliases, ISO codes and continents from `countries-list`.
 * Only the region definitions below are hand-written.
 */
import cityTimezones from 'city-timezones';
import { countries, getCountryDataList } from 'countries-list';
import { normalizeName } from './text-match';

/** Where a lead is: `state` is a US 2-letter code, `country` an ISO 3166-1 alpha-2 code. */
export interface Location {
  city?: string;
  state?: string;
  country?: string;
}

export interface ResolvedLocation extends Location {
  /** IANA zone when the place determines it unambiguously. */
  timezone?: string;
}

interface CityRecord {
  name: string;
  state?: string;
  country: string;
  timezone: string;
  pop: number;
}

// ---------------------------------------------------------------- US states (from city-timezones)

const STATE_NAMES = new Map<string, string>(); // code -> name
const STATE_ZONES = new Map<string, Set<string>>(); // code -> zones of its cities
const COUNTRY_ZONES = new Map<string, Set<string>>();
const CITY_INDEX = new Map<string, CityRecord[]>(); // normalized name -> records

function addToSetMap(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function indexCity(key: string, record: CityRecord): void {
  const norm = normalizeName(key);
  const list = CITY_INDEX.get(norm) ?? [];
  if (!list.includes(record)) list.push(record);
  CITY_INDEX.set(norm, list);
}

/** Extra spellings of data names: "Ft. Worth" -> "Fort Worth", "St. Louis" -> "Saint Louis", "St Louis". */
function spellings(name: string): string[] {
  const out = [name];
  if (name.startsWith('Ft. ')) out.push(`Fort ${name.slice(4)}`);
  if (name.startsWith('St. ')) out.push(`Saint ${name.slice(4)}`, `St ${name.slice(4)}`);
  return out;
}

for (const c of cityTimezones.cityMapping) {
  const stateCode: string | undefined =
    c.iso2 === 'US' ? (c.state_ansi || (c.province === 'District of Columbia' ? 'DC' : undefined)) : undefined;
  if (stateCode && !STATE_NAMES.has(stateCode)) STATE_NAMES.set(stateCode, c.province);
  if (stateCode) addToSetMap(STATE_ZONES, stateCode, c.timezone);
  addToSetMap(COUNTRY_ZONES, c.iso2, c.timezone);
  const record: CityRecord = {
    name: c.city.startsWith('Ft. ') ? `Fort ${c.city.slice(4)}` : c.city,
    state: stateCode,
    country: c.iso2,
    timezone: c.timezone,
    pop: c.pop,
  };
  for (const s of new Set([...spellings(c.city), ...spellings(c.city_ascii ?? c.city)])) indexCity(s, record);
}
for (const alias of ['Washington DC', 'Washington D.C.', 'DC', 'D.C.']) {
  for (const r of CITY_INDEX.get(normalizeName('Washington, D.C.')) ?? []) indexCity(alias, r);
}
for (const [alias, name] of [['NYC', 'New York'], ['New York City', 'New York'], ['SF', 'San Francisco'], ['LA', 'Los Angeles'], ['Philly', 'Philadelphia'], ['Vegas', 'Las Vegas']] as const) {
  for (const r of (CITY_INDEX.get(normalizeName(name)) ?? []).filter((r) => r.country === 'US')) indexCity(alias, r);
}

/** US state (and DC) codes to names, from the city data. */
export const US_STATES: ReadonlyMap<string, string> = STATE_NAMES;

const STATE_BY_NAME = new Map<string, string>();
for (const [code, name] of STATE_NAMES) STATE_BY_NAME.set(normalizeName(name), code);
for (const alias of ['Washington DC', 'Washington D.C.', 'D.C.']) STATE_BY_NAME.set(normalizeName(alias), 'DC');

/** "Washington" -> "WA", "tx" -> "TX"; undefined when it is not a US state (or DC). */
export function stateCode(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^[a-z]{2}$/i.test(trimmed) && STATE_NAMES.has(trimmed.toUpperCase())) return trimmed.toUpperCase();
  return STATE_BY_NAME.get(normalizeName(trimmed));
}

// ---------------------------------------------------------------- countries (from countries-list)

const COUNTRY_DATA = new Map(getCountryDataList().map((d) => [d.iso2 as string, d]));
const COUNTRY_BY_NAME = new Map<string, string>();
const ALPHA3 = new Map<string, string>();

for (const d of getCountryDataList()) {
  ALPHA3.set(d.iso3, d.iso2);
  const names = [d.name, ...(d.alias ?? [])];
  if (/^[\p{Script=Latin}\s.'-]+$/u.test(d.native) && d.native.length >= 4) names.push(d.native);
  for (const name of names) {
    const key = normalizeName(name);
    if (!COUNTRY_BY_NAME.has(key)) COUNTRY_BY_NAME.set(key, d.iso2);
  }
}
const EXTRA_COUNTRY_NAMES: Record<string, string> = {
  'U.S.': 'US', 'U.S.A.': 'US', 'United States of America': 'US', 'U.K.': 'GB', England: 'GB', Scotland: 'GB',
  Wales: 'GB', 'Northern Ireland': 'GB', 'Great Britain': 'GB', Korea: 'KR', 'Czech Republic': 'CZ',
};
for (const [name, code] of Object.entries(EXTRA_COUNTRY_NAMES)) COUNTRY_BY_NAME.set(normalizeName(name), code);

/** Every country spelling known (names, aliases, Latin-script native names), with its alpha-2 code. */
export function countrySpellings(): [string, string][] {
  const out: [string, string][] = [];
  for (const d of getCountryDataList()) {
    for (const name of [d.name, ...(d.alias ?? [])]) out.push([name, d.iso2]);
    if (/^[\p{Script=Latin}\s.'-]+$/u.test(d.native) && d.native.length >= 4) out.push([d.native, d.iso2]);
  }
  for (const [name, code] of Object.entries(EXTRA_COUNTRY_NAMES)) out.push([name, code]);
  return out;
}

/** "Germany", "DE", "DEU", "United States", "USA", "U.K." -> ISO alpha-2; undefined when unknown. */
export function countryCode(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^[a-z]{2}$/i.test(trimmed) && COUNTRY_DATA.has(trimmed.toUpperCase())) return trimmed.toUpperCase();
  if (trimmed.toUpperCase() === 'UK') return 'GB';
  if (/^[a-z]{3}$/i.test(trimmed) && ALPHA3.has(trimmed.toUpperCase())) return ALPHA3.get(trimmed.toUpperCase());
  const norm = normalizeName(trimmed);
  return COUNTRY_BY_NAME.get(norm) ?? COUNTRY_BY_NAME.get(norm.replace(/^the /, ''));
}

export function countryName(code: string): string | undefined {
  return COUNTRY_DATA.get(code.toUpperCase())?.name;
}

export function isCountryCode(code: string): boolean {
  return COUNTRY_DATA.has(code);
}

// ---------------------------------------------------------------- cities

/** Cities whose name is enough to place a lead: a clear majority of people with that city name live there. */
const DOMINANT_RATIO = 4;

export interface CityMatch {
  city: string;
  state?: string;
  country?: string;
  timezone?: string;
}

/**
 * Looks a city up by name (any population), optionally narrowed by a known state or country.
 * When several cities share the name and none is 4x bigger than the next, only what they have in
 * common (country, state, zone) is returned. Undefined when the name is unknown for that place.
 */
export function lookupCity(name: string, hint: Location = {}): CityMatch | undefined {
  let list = CITY_INDEX.get(normalizeName(name)) ?? [];
  if (hint.country) list = list.filter((r) => r.country === hint.country);
  if (hint.state) list = list.filter((r) => r.state === hint.state);
  if (list.length === 0) return undefined;
  const sorted = [...list].sort((a, b) => b.pop - a.pop);
  const top = sorted[0]!;
  const second = sorted[1];
  if (!second || top.pop >= DOMINANT_RATIO * second.pop) {
    return { city: top.name, state: top.state, country: top.country, timezone: top.timezone };
  }
  const same = <K extends keyof CityRecord>(key: K): CityRecord[K] | undefined =>
    sorted.every((r) => r[key] === top[key]) ? top[key] : undefined;
  return { city: top.name, state: same('state'), country: same('country'), timezone: same('timezone') };
}

/** Cities worth finding in free text: US cities over 300k people, elsewhere over 1M (population per city-timezones). */
export const PROMINENT_US_CITY_POP = 300_000;
export const PROMINENT_WORLD_CITY_POP = 1_000_000;

export function prominentCityNames(): string[] {
  const names = new Set<string>();
  for (const c of cityTimezones.cityMapping) {
    const threshold = c.iso2 === 'US' ? PROMINENT_US_CITY_POP : PROMINENT_WORLD_CITY_POP;
    if (c.pop < threshold) continue;
    for (const s of spellings(c.city)) names.add(s);
    if (c.city_ascii && c.city_ascii !== c.city) for (const s of spellings(c.city_ascii)) names.add(s);
  }
  names.delete('Washington, D.C.');
  for (const alias of ['Washington DC', 'Washington D.C.', 'NYC', 'New York City', 'SF', 'LA', 'Philly', 'Vegas']) names.add(alias);
  return [...names];
}

// ---------------------------------------------------------------- resolving and zones

function uniqueZone(set: Set<string> | undefined): string | undefined {
  return set && set.size === 1 ? [...set][0] : undefined;
}

/** The IANA zone of a place when it is unambiguous: the city's, else the state's, else the country's. */
export function inferTimezone(loc: Location): string | undefined {
  if (loc.city) {
    const match = lookupCity(loc.city, { state: loc.state, country: loc.country ?? (loc.state ? 'US' : undefined) });
    if (match?.timezone) return match.timezone;
  }
  if (loc.state) return uniqueZone(STATE_ZONES.get(loc.state));
  if (loc.country) return uniqueZone(COUNTRY_ZONES.get(loc.country));
  return undefined;
}

/**
 * Normalizes a location as a form or CRM gives it: state names or codes to US codes, country names,
 * alpha-2 or alpha-3 codes to alpha-2, and fills state/country from a known city.
 * `problems` lists what could not be understood (those parts are left out).
 */
export function resolveLocation(input: { city?: string; state?: string; country?: string }): ResolvedLocation & { problems: string[] } {
  const problems: string[] = [];
  const out: ResolvedLocation = {};
  if (input.country?.trim()) {
    const code = countryCode(input.country);
    if (code) out.country = code;
    else problems.push(`unknown country "${input.country}"`);
  }
  if (input.state?.trim()) {
    const code = stateCode(input.state);
    if (code && (!out.country || out.country === 'US')) {
      out.state = code;
      out.country = 'US';
    } else if (!code && (!out.country || out.country === 'US')) {
      problems.push(`"${input.state}" is not a US state`);
    }
  }
  if (input.city?.trim()) {
    const match = lookupCity(input.city, { state: out.state, country: out.country });
    out.city = match?.city ?? input.city.trim();
    if (match?.state && !out.state) out.state = match.state;
    if (match?.country && !out.country) out.country = match.country;
  }
  const tz = inferTimezone(out);
  if (tz) out.timezone = tz;
  return { ...out, problems };
}

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
    return { state: STATE_NAMES.has(up) ? up : undefined, country: COUNTRY_DATA.has(up) ? up : up === 'UK' ? 'GB' : undefined };
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
  if (c.country) return STATE_NAMES.has(c.country) ? countryName(c.country) : c.country;
  const city = lookupCity(trimmed);
  return city ? city.city : undefined;
}

/** A label for a territory value: "TX (Texas)", "GB (United Kingdom)", "West Coast". */
export function describeTerritory(value: string): string {
  if (/^[A-Z]{2}$/.test(value)) {
    if (STATE_NAMES.has(value)) return `${value} (${STATE_NAMES.get(value)})`;
    if (COUNTRY_DATA.has(value)) return `${value} (${countryName(value)})`;
  }
  return value;
}
