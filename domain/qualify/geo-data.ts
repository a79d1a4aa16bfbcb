/**
 * Place data for lead facts and routing rules: US states, countries and cities, and the time zones
 * they imply. Pure and deterministic; re-exported by geo.ts, which adds territories.
 *
 * Data comes from libraries: US state names and codes, cities, populations and time zones from
 * `city-timezones`; country names, aliases, ISO codes and continents from `countries-list`.
 */
import cityTimezones from 'city-timezones';
import { getCountryDataList } from 'countries-list';
import { normalizeName } from '../text-match';

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

/** Country records by ISO alpha-2 code (from countries-list). */
export const COUNTRY_DATA = new Map(getCountryDataList().map((d) => [d.iso2 as string, d]));
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
