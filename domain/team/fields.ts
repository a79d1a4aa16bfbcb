/**
 * The kinds of value team.yaml holds, each with the message a person needs when it is wrong: what
 * was given and what would work. A message that starts with "must" or "is" reads as a sentence
 * about the key ("booking.horizon must be longer than 0"); any other reads after it, past a colon.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { DURATION_EXAMPLES, parseDuration } from './duration';

/** How a value from YAML reads in a message: `"0m"`, `the number 10`, `an empty value`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  return 'a mapping';
}

/** The error function for a type mismatch: "is required (...)" or "expected ..., got ...". */
export function expected(what: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `is required: ${what}` : `expected ${what}, got ${describeValue(issue.input)}`;
}

/** An empty YAML value (`rules:`) counts as left out, so the key's default applies. */
export function emptyIsDefault<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null ? undefined : v), schema);
}

/** How far apart two key names are (insertions, deletions, substitutions), ignoring case and "_"/"-". */
function distance(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[_-]/g, '');
  const y = b.toLowerCase().replace(/[_-]/g, '');
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length]!;
}

/** `unknown key "bufer" (did you mean "buffer"?; known keys: ...)`. */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const names = keys.map((k) => `"${k}"`).join(', ');
  const near = keys
    .map((k) => known.map((name) => ({ name, d: distance(k, name) })).sort((a, b) => a.d - b.d)[0])
    .filter((m): m is { name: string; d: number } => !!m && m.d <= 2);
  const hint = near.length > 0 ? `did you mean ${near.map((m) => `"${m.name}"`).join(', ')}? ` : '';
  return `unknown key${keys.length > 1 ? 's' : ''} ${names} (${hint}known keys: ${known.join(', ')})`;
}

/** An object whose unknown keys are errors that list the known ones; `what` describes the object. */
export function strictObject<S extends z.ZodRawShape>(shape: S, what: string) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknownKeysMessage(iss.keys, known) : expected(what)(iss)),
  });
}

/** Re-raises the issues of a nested parse inside a transform, at their own paths. */
export function forwardIssues(issues: readonly z.core.$ZodIssue[], ctx: z.RefinementCtx): typeof z.NEVER {
  for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
  return z.NEVER;
}

export const ID = /^[a-z0-9][a-z0-9_-]*$/i;

export function idField(what: string) {
  const example = `an id of letters, digits, "-" or "_" such as ${what}`;
  return z.string({ error: expected(example) }).regex(ID, { error: (iss) => `expected ${example}, got ${describeValue(iss.input)}` });
}

export function textField(what: string) {
  return z.string({ error: expected(what) }).trim().min(1, { error: `is empty: expected ${what}` });
}

/** A list of `item`s; `[]` is allowed unless `atLeastOne` says what the first item is for. */
export function listOf<T extends z.ZodType>(item: T, example: string, atLeastOne?: string) {
  const list = z.array(item, { error: expected(`a list such as ${example}`) });
  return atLeastOne ? list.min(1, { error: `is empty: ${atLeastOne}` }) : list;
}

/**
 * A duration. Zero is accepted (no buffer, no notice) unless `nonZero` says what the key is for,
 * where zero means nothing (a horizon, a timeout): then it is refused in those words.
 */
export function durationField(options: { example: string; nonZero?: string }) {
  return z.union([z.string(), z.number()], { error: expected(`a duration like ${DURATION_EXAMPLES}`) }).transform((value, ctx) => {
    const ms = typeof value === 'number' ? (value === 0 ? 0 : null) : parseDuration(value);
    if (ms === null) {
      const hint = typeof value === 'number' ? ` (a number needs a unit: ${value}m, ${value}h...)` : '';
      ctx.addIssue({ code: 'custom', message: `expected a duration like ${DURATION_EXAMPLES}, got ${describeValue(value)}${hint}` });
      return z.NEVER;
    }
    if (ms === 0 && options.nonZero) {
      ctx.addIssue({ code: 'custom', message: `must be longer than 0: it is ${options.nonZero} (e.g. ${options.example})` });
      return z.NEVER;
    }
    return ms;
  });
}

export function wholeNumber(options: { min: number; max?: number; example: string; what: string }) {
  const { min, max, example, what } = options;
  const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
  let n = z
    .number({ error: expected(`a whole number of ${what}, ${range}, such as ${example}`) })
    .int({ error: (iss) => `expected a whole number of ${what}, got ${describeValue(iss.input)}` })
    .min(min, { error: (iss) => `must be at least ${min}, got ${describeValue(iss.input)}` });
  if (max !== undefined) n = n.max(max, { error: (iss) => `must be at most ${max}, got ${describeValue(iss.input)}` });
  return n;
}

/** A fraction in [0, 1]. */
export function fraction(example: string) {
  return z
    .number({ error: expected(`a fraction from 0 to 1 such as ${example}`) })
    .min(0, { error: (iss) => `must be from 0 to 1, got ${describeValue(iss.input)}` })
    .max(1, { error: (iss) => `must be from 0 to 1, got ${describeValue(iss.input)}` });
}

/** One of `values`, written in any case with "-" or spaces for "_" (round-robin, Round Robin). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const list = values.join(', ');
  return z
    .string({ error: expected(`one of ${list}`) })
    .transform((v) => v.trim().toLowerCase().replace(/[-\s]+/g, '_'))
    .pipe(z.enum(values, { error: (iss) => `expected one of ${list}, got ${describeValue(iss.input)}` }));
}

export function booleanField() {
  return z.boolean({ error: expected('true or false') });
}

/**
 * Abbreviations a team writes for a zone. EST, MST and HST are in the zone database but as fixed
 * offsets with no daylight saving, so "EST" would put New York meetings an hour off all summer.
 */
const ZONE_SUGGESTIONS: Record<string, string> = {
  est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York', eastern: 'America/New_York',
  cst: 'America/Chicago', cdt: 'America/Chicago', ct: 'America/Chicago', central: 'America/Chicago',
  mst: 'America/Denver', mdt: 'America/Denver', mt: 'America/Denver', mountain: 'America/Denver',
  pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles', pt: 'America/Los_Angeles', pacific: 'America/Los_Angeles',
  hst: 'Pacific/Honolulu', bst: 'Europe/London', ist: 'Asia/Kolkata', aest: 'Australia/Sydney',
};

export function zoneField() {
  return z.string({ error: expected('an IANA time zone such as America/New_York') }).superRefine((tz, ctx) => {
    const suggestion = ZONE_SUGGESTIONS[tz.trim().toLowerCase()];
    if (suggestion) {
      ctx.addIssue({ code: 'custom', message: `expected an IANA time zone such as America/New_York, got "${tz}": write ${suggestion} (a named zone keeps daylight saving right)` });
    } else if (!IANAZone.isValidZone(tz)) {
      const spaced = tz.includes(' ') && IANAZone.isValidZone(tz.trim().replace(/\s+/g, '_')) ? `: write ${tz.trim().replace(/\s+/g, '_')}` : '';
      ctx.addIssue({ code: 'custom', message: `expected an IANA time zone such as America/New_York, got "${tz}"${spaced}` });
    }
  });
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PTO_EXAMPLE = 'inclusive dates YYYY-MM-DD..YYYY-MM-DD such as 2026-12-24..2026-12-31, or one day such as 2026-12-24';

/** An inclusive range of local dates, "2026-12-24..2026-12-31", or one day "2026-12-24". */
export function ptoRangeField() {
  return z.string({ error: expected(PTO_EXAMPLE) }).transform((text, ctx) => {
    const [from, to = from, extra] = text.split('..').map((s) => s.trim());
    const real = (d: string | undefined): d is string => !!d && DATE.test(d) && DateTime.fromISO(d).isValid;
    if (extra !== undefined || !real(from) || !real(to)) {
      const bad = [from, to].find((d) => d && DATE.test(d) && !DateTime.fromISO(d).isValid);
      const why = bad ? ` (${bad} is not a date)` : '';
      ctx.addIssue({ code: 'custom', message: `expected ${PTO_EXAMPLE}, got "${text}"${why}` });
      return z.NEVER;
    }
    if (to < from) {
      ctx.addIssue({ code: 'custom', message: `"${text}" ends before it starts: write ${to}..${from}` });
      return z.NEVER;
    }
    return { from, to };
  });
}
