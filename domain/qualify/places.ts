/**
 * Finds places in free text: US states (names, and codes in "Portland, OR" or "based in TX"),
 * countries (names, aliases, "US", "UK"), prominent cities (see geo.ts for the population
 * thresholds) and territory names ("based in the Pacific Northwest", "across EMEA"). Pure.
 */
import {
  builtInTerritorySpellings,
  countrySpellings,
  isCountryCode,
  lookupCity,
  prominentCityNames,
  territoryName,
  US_STATES,
  type Location,
} from './geo';
import { phraseAlternation, snippet } from '../text-match';

export interface PlaceMention {
  loc: Location;
  /** An explicit territory name (canonical spelling) when the text names a region rather than a place. */
  territory?: string;
  index: number;
  end: number;
  quote: string;
  /** The text says this is where the lead is ("based in", "Seattle-based", "Portland, OR"). */
  strong: boolean;
}

interface Meaning {
  spelling: string;
  state?: string;
  country?: string;
  city?: string;
  territory?: string;
}

/** State codes that are also English words or common abbreviations: only read in "City, ST" form. */
const WORDLIKE_CODES = new Set(['OR', 'IN', 'ME', 'OK', 'HI', 'OH', 'ID', 'CO', 'LA', 'MD', 'VA', 'MS', 'PA', 'DE', 'AL', 'AR', 'MA', 'MO', 'NE', 'GA', 'MT', 'SD', 'SC', 'ND', 'DC', 'IA', 'UT', 'NH', 'CT']);

/** Place names that are also people's names or words: only read with a location cue ("in", "-based", ...). */
const NEEDS_CUE = new Set(
  [
    'Austin', 'Charlotte', 'Dallas', 'Houston', 'Orlando', 'Sydney', 'Paris', 'Denver', 'Phoenix', 'Aurora', 'Mesa', 'Gary',
    'Irvine', 'Cleveland', 'Columbus', 'Salvador', 'Santiago', 'Medina', 'Leon', 'Valencia', 'Sofia', 'Lima', 'Lowell',
    'Stockton', 'Richmond', 'Norfolk', 'Providence', 'Santos', 'Jordan', 'Chad', 'Jersey', 'Georgia', 'Israel', 'LA', 'DC',
    'D.C.', 'SF', 'Victoria', 'Buffalo', 'Toledo', 'Memphis', 'Albany', 'Rochester', 'Joliet', 'Glendale', 'Arlington',
    'Pasadena', 'Oceanside', 'Salem', 'Vegas', 'America', 'Amman', 'Kobe', 'Hyderabad', 'Durban', 'Perth', 'Essen', 'Cali',
    'Mali', 'Niger', 'Guinea', 'Turkey', 'Oman', 'Peru', 'Cuba', 'Chile', 'Togo', 'Nice',
  ].map((s) => s.toLowerCase()),
);

const PRE_STRONG =
  /\b(?:based|located|headquartered|operating|live|work|(?:hq'?d?|headquarters|offices?|we(?:'re|’re|\s+are)|i(?:'m|’m|\s+am))(?:\s+(?:is|are))?)\s+(?:in|out\s+of|near)\s+(?:the\s+)?(?:greater\s+)?(?:city\s+of\s+|state\s+of\s+)?$/i;
const PRE_WEAK = /\b(?:in|from|near|across|throughout|around|within|serving|covering|of|at)\s+(?:the\s+)?(?:greater\s+)?(?:city\s+of\s+|state\s+of\s+)?$/i;
const POST_STRONG = /^(?:-|\s)based\b/i;
const POST_WEAK = /^\s+(?:area|metro|office|offices|headquarters|hq|region|market|campus)\b/i;
/** "Austin, Texas", "Paris, France": the name is followed by a state or country. */
const POST_PLACE = /^,\s+(\p{Lu}\p{L}+(?:\s+\p{Lu}\p{L}+)?)/u;

function fold(text: string): string {
  let out = '';
  for (const ch of text) {
    const f = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += f.length === ch.length ? f : ch;
  }
  return out;
}

function key(text: string): string {
  return fold(text).toLowerCase().replace(/\s+/g, ' ');
}

function isAcronym(spelling: string): boolean {
  return !/[a-z]/.test(spelling) && spelling.replace(/\./g, '').length <= 5;
}

let TABLE: { regex: RegExp; meanings: Map<string, Meaning> } | undefined;

function table(): { regex: RegExp; meanings: Map<string, Meaning> } {
  if (TABLE) return TABLE;
  const meanings = new Map<string, Meaning>();
  const add = (spelling: string, meaning: Omit<Meaning, 'spelling'>): void => {
    const k = key(spelling);
    const existing = meanings.get(k);
    if (existing) {
      existing.state ??= meaning.state;
      existing.country ??= meaning.country;
      existing.city ??= meaning.city;
      existing.territory ??= meaning.territory;
    } else meanings.set(k, { spelling, ...meaning });
  };
  for (const [code, name] of US_STATES) add(name, { state: code });
  for (const [name, code] of countrySpellings()) add(name, { country: code });
  for (const name of prominentCityNames()) add(name, { city: name });
  for (const name of builtInTerritorySpellings()) add(name, { territory: name });
  const source = phraseAlternation([...meanings.values()].map((m) => fold(m.spelling)));
  TABLE = { regex: new RegExp(`(?<![\\p{L}\\p{N}_@./-])(?:${source})(?![\\p{L}\\p{N}_@]|\\.[a-z])`, 'giu'), meanings };
  return TABLE;
}

const CONFIGURED_REGEX = new WeakMap<object, RegExp | null>();

function configuredRegex(configured: Record<string, string[]>): RegExp | null {
  if (CONFIGURED_REGEX.has(configured)) return CONFIGURED_REGEX.get(configured)!;
  const names = Object.keys(configured);
  const regex = names.length ? new RegExp(`(?<![\\p{L}\\p{N}_@./-])(?:${phraseAlternation(names.map(fold))})(?![\\p{L}\\p{N}_])`, 'giu') : null;
  CONFIGURED_REGEX.set(configured, regex);
  return regex;
}

function cues(text: string, index: number, end: number): { strong: boolean; any: boolean } {
  const before = text.slice(Math.max(0, index - 60), index);
  const after = text.slice(end, end + 40);
  const strong = PRE_STRONG.test(before) || POST_STRONG.test(after);
  if (strong || PRE_WEAK.test(before) || POST_WEAK.test(after)) return { strong, any: true };
  const next = POST_PLACE.exec(after);
  if (next) {
    const words = next[1]!.split(/\s+/);
    for (const phrase of [words.join(' '), words[0]!]) {
      const meaning = table().meanings.get(key(phrase));
      if (meaning && (meaning.state || meaning.country)) return { strong, any: true };
    }
  }
  return { strong, any: false };
}

function mention(text: string, index: number, end: number, loc: Location, strong: boolean, territory?: string): PlaceMention {
  const out: PlaceMention = { loc, index, end, quote: snippet(text, index, end, 2), strong };
  if (territory) out.territory = territory;
  return out;
}

/** "Portland, OR", "Berlin, DE": a capitalized name followed by a state or country code. */
function cityCommaCode(text: string, out: PlaceMention[]): void {
  const re = /(\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3}),\s*([A-Z]{2})(?![\p{L}\p{N}])/gu;
  for (const m of text.matchAll(re)) {
    const words = m[1]!.split(/\s+/);
    const code = m[2]!;
    const state = US_STATES.has(code) ? code : undefined;
    const country = code === 'UK' ? 'GB' : isCountryCode(code) ? code : undefined;
    let found = false;
    for (let k = 0; k < words.length && !found; k++) {
      const name = words.slice(k).join(' ');
      const start = m.index + m[0].indexOf(name);
      const match = (state && lookupCity(name, { state, country: 'US' })) || (country && lookupCity(name, { country }));
      if (match) {
        out.push(mention(text, start, m.index + m[0].length, { city: match.city, state: match.state, country: match.country }, true));
        found = true;
      }
    }
    if (!found && state && !WORDLIKE_CODES.has(code)) {
      const start = m.index + m[0].lastIndexOf(code);
      out.push(mention(text, start, start + 2, { state, country: 'US' }, true));
    }
  }
}

/** "based in TX", "from NY", "TX-based" for state codes that are not also words. */
function stateCodes(text: string, out: PlaceMention[]): void {
  const re = /(?<=\b(?:in|from|based in|located in|out of)\s+)([A-Z]{2})(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])([A-Z]{2})(?=-based\b)/gu;
  for (const m of text.matchAll(re)) {
    const code = (m[1] ?? m[2])!;
    if (!US_STATES.has(code) || WORDLIKE_CODES.has(code)) continue;
    const { strong } = cues(text, m.index, m.index + 2);
    out.push(mention(text, m.index, m.index + 2, { state: code, country: 'US' }, strong || !!m[2]));
  }
}

/**
 * Every place the text names, in order of appearance. Ambiguous names ("Georgia", "Austin",
 * "Jordan") count only with a location cue; lower-case names only with a cue; codes only in
 * upper case. A name that is a state and a city ("New York") is read as the state.
 */
export function findPlaces(text: string, configured: Record<string, string[]> = {}): PlaceMention[] {
  const out: PlaceMention[] = [];
  const folded = fold(text);
  const { regex, meanings } = table();
  for (const m of folded.matchAll(regex)) {
    const meaning = meanings.get(key(m[0]));
    if (!meaning) continue;
    const index = m.index;
    const end = index + m[0].length;
    const original = text.slice(index, end);
    if (isAcronym(meaning.spelling) && original !== meaning.spelling) continue;
    const cue = cues(text, index, end);
    const needsCue = NEEDS_CUE.has(meaning.spelling.toLowerCase()) || meaning.territory !== undefined || /^\p{Ll}/u.test(original);
    if (needsCue && !cue.any) continue;
    if (meaning.state) {
      out.push(mention(text, index, end, { state: meaning.state, country: 'US' }, cue.strong));
    } else if (meaning.country) {
      out.push(mention(text, index, end, { country: meaning.country }, cue.strong));
    } else if (meaning.city) {
      const match = lookupCity(meaning.city);
      if (match) out.push(mention(text, index, end, { city: match.city, state: match.state, country: match.country }, cue.strong));
    } else if (meaning.territory) {
      const name = territoryName(meaning.territory, configured);
      if (name) out.push(mention(text, index, end, {}, cue.strong, name));
    }
  }
  const conf = configuredRegex(configured);
  if (conf) {
    for (const m of folded.matchAll(conf)) {
      const cue = cues(text, m.index, m.index + m[0].length);
      const name = territoryName(m[0], configured);
      if (cue.any && name && !out.some((p) => p.index === m.index && p.territory)) {
        out.push(mention(text, m.index, m.index + m[0].length, {}, cue.strong, name));
      }
    }
  }
  cityCommaCode(text, out);
  stateCodes(text, out);
  return out.sort((a, b) => a.index - b.index);
}
