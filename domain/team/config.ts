/**
 * team.yaml: the schema, its defaults, and the checks across keys. Every error names the file, the
 * path inside it, what was given and what would work; nothing is silently ignored (unknown keys
 * are errors). The kinds of value live in fields.ts, working hours in hours.ts, pools in pools.ts.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { unknownTerritoryEntries } from '../qualify/geo';
import { ConfigError } from '../errors';
import { formatDuration } from './duration';
import {
  describeValue,
  durationField,
  emptyIsDefault,
  expected,
  idField,
  listOf,
  ptoRangeField,
  strictObject,
  textField,
  wholeNumber,
  zoneField,
} from './fields';
import { formatWorkingHours, longestStretchMinutes, parseWorkingHours, WORKING_HOURS_EXAMPLE, type DayHours } from './hours';
import { currencyRatesSchema } from './currencies';
import { poolSchema, toPool, type Pool } from './pools';

export { DISTRIBUTIONS, poolWithDefaults, type Cap, type CapPeriod, type Distribution, type Fairness, type Learning, type Pool } from './pools';

const HOUR = 3_600_000;
const DEFAULT_HOURS = parseWorkingHours('Mon-Fri 09:00-17:00') as DayHours[];
const HOURS_EXPECTED = `working hours like ${WORKING_HOURS_EXAMPLE}, "24/7", or "none" for a rep who takes no meetings`;

/** A string, or a list of strings read as if joined by commas; left out: Mon-Fri 09:00-17:00. */
const hoursField = z.unknown().optional().transform((value, ctx): DayHours[] => {
  if (value === undefined) return DEFAULT_HOURS.map((h) => ({ ...h }));
  const list = Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  if (typeof value !== 'string' && !list) {
    const hint = value === null ? ' (leave the key out for Mon-Fri 09:00-17:00)' : '';
    ctx.addIssue({ code: 'custom', message: `expected ${HOURS_EXPECTED}, got ${describeValue(value)}${hint}` });
    return z.NEVER;
  }
  if (list && list.length === 0) return [];
  const parsed = parseWorkingHours(list ? list.join(', ') : (value as string));
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

/** A rule is one sentence. `- If deal: big, go to Sam` is a mapping to YAML, so say why. */
const ruleField = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && value.trim()) return value;
  const why =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? ' (a ": " inside a rule makes YAML read it as a key: put the rule in quotes)'
      : '';
  ctx.addIssue({ code: 'custom', message: `expected a rule in plain English such as "Healthcare companies go to Sarah", got ${describeValue(value)}${why}` });
  return z.NEVER;
});

const repSchema = strictObject(
  {
    id: idField('sarah'),
    name: textField('the name rules and buyers see, such as Sarah Chen'),
    email: z.email({ error: expected('an email address such as sarah@acme.example') }),
    timezone: zoneField().optional(),
    hours: hoursField,
    backup: idField('tom').optional(),
    pto: emptyIsDefault(listOf(ptoRangeField(), '[2026-12-24..2026-12-31]').default([])),
  },
  'a rep such as { id: sarah, name: Sarah Chen, email: sarah@acme.example }',
);

/**
 * Every route and booking reads each rep's calendar over the whole horizon (plus two weeks when it
 * is full): free/busy in queries of at most 60 days and 50 calendars, and one event list per rep.
 * Beyond three months that is more calendar reading per lead than an intro call is worth.
 */
export const MAX_HORIZON_MS = 90 * 86_400_000;

const bookingSchema = strictObject(
  {
    meetingMinutes: z
      .number({ error: expected('a whole number of minutes from 5 to 480, such as 30') })
      .int({ error: (iss) => `expected a whole number of minutes, got ${describeValue(iss.input)}` })
      .refine((n) => n > 0, { error: 'must be longer than 0: it is how long a meeting lasts, in minutes (e.g. 30)', abort: true })
      .refine((n) => n >= 5 && n <= 480, { error: (iss) => `must be from 5 to 480 minutes, got ${describeValue(iss.input)}` })
      .default(30),
    horizon: durationField({ example: '48h', nonZero: 'how far ahead times are proposed' })
      .refine((ms) => ms <= MAX_HORIZON_MS, {
        message: 'expected at most 90d: every lead reads each rep’s calendar over the whole horizon, and intro calls are booked within weeks, not months',
      })
      .default(48 * HOUR),
    proposals: wholeNumber({ min: 1, max: 5, example: '3', what: 'options to offer' }).default(3),
    minNotice: durationField({ example: '1h' }).default(HOUR),
    buffer: durationField({ example: '10m' }).default(10 * 60_000),
    replyTimeout: durationField({ example: '24h', nonZero: 'how long to wait for the buyer in total' }).default(24 * HOUR),
    nudgeAfter: durationField({ example: '2h', nonZero: 'when the one follow-up goes out after the proposals' }).default(2 * HOUR),
    maxBookingAttempts: wholeNumber({ min: 1, max: 10, example: '3', what: 'attempts' }).default(3),
    reminders: listOf(durationField({ example: '1h', nonZero: 'how long before the meeting a reminder goes out' }), '[24h, 1h] (or [] for none)')
      .transform((list) => [...new Set(list)].sort((a, b) => b - a))
      .default([24 * HOUR, HOUR]),
    maxReschedules: wholeNumber({ min: 0, example: '2', what: 'reschedules' }).default(2),
    rescheduleCutoff: durationField({ example: '2h' }).default(2 * HOUR),
    outcomeAfter: durationField({ example: '30m', nonZero: 'how long after the meeting ends the rep is asked how it went' }).default(30 * 60_000),
  },
  'a mapping such as { meetingMinutes: 30, horizon: 48h }',
);

export type Booking = z.output<typeof bookingSchema>;
/** The booking policy when team.yaml says nothing. */
export const DEFAULT_BOOKING: Booking = bookingSchema.parse({});

export const teamFileSchema = strictObject(
  {
    company: strictObject(
      { name: textField('the company name buyers see, such as Acme'), timezone: zoneField().default('UTC') },
      'a mapping such as { name: Acme, timezone: America/New_York }',
    ),
    booking: emptyIsDefault(bookingSchema.default(DEFAULT_BOOKING)),
    territories: emptyIsDefault(
      z
        .record(z.string(), listOf(textField('a US state, country or city'), '[WA, OR, ID]', 'a territory needs at least one place'), {
          error: expected('a mapping such as { Pacific Northwest: [WA, OR, ID] }'),
        })
        .default({}),
    ),
    competitors: emptyIsDefault(listOf(textField('a competitor name'), '[Competitor X, Gong]').default([])),
    currencies: emptyIsDefault(currencyRatesSchema.default({})),
    reps: listOf(repSchema, '[{ id: sarah, name: Sarah Chen, email: sarah@acme.example }]', 'a team needs at least one rep'),
    pools: emptyIsDefault(listOf(poolSchema, '[{ id: smb, members: [sam, alex] }]').default([])),
    rules: emptyIsDefault(listOf(ruleField, '["Healthcare companies go to Sarah"]').default([])),
    fallback: textField('the id of the rep or pool for leads no rule matches, such as smb'),
  },
  'a mapping with company, reps and fallback (see config/team.yaml)',
);

export type PtoRange = { from: string; to: string };


export interface Rep {
  id: string;
  name: string;
  email: string;
  timezone: string;
  /** Several ranges per weekday are fine (a lunch break); empty: the rep takes no meetings. */
  hours: DayHours[];
  backup?: string;
  pto: PtoRange[];
}

export type Target = { type: 'rep' | 'pool'; id: string };

/** The validated team file, before rule compilation. Plain data: safe to pass into workflows. */
export interface TeamConfig {
  company: { name: string; timezone: string };
  booking: Booking;
  territories: Record<string, string[]>;
  competitors: string[];
  /** US dollars per one unit of another currency, by ISO 4217 code (`currencies: { EUR: 1.08 }`). */
  currencies?: Record<string, number>;
  reps: Rep[];
  pools: Pool[];
  rules: string[];
  fallback: Target;
}

/** A rep with `hours: none` is in the roster (CRM owner, rules can name them) but is never booked. */
export function takesMeetings(rep: Pick<Rep, 'hours'>): boolean {
  return rep.hours.length > 0;
}

/** `reps[2].timezone` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

/** `file: path: message`, or `file: path must ...` when the message is a sentence about the key. */
export function configMessage(file: string, path: string, message: string): string {
  return /^(must|is) /.test(message) ? `${file}: ${path} ${message}` : `${file}: ${path}: ${message}`;
}

function fail(file: string, path: string, message: string): never {
  throw new ConfigError(configMessage(file, path, message), { details: { file, path } });
}

/** Parses and validates the text of team.yaml. Every error names the file, the path and what was expected. */
export function parseTeamConfig(text: string, file = 'team.yaml'): TeamConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}` : '(yaml)';
    fail(file, where, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = teamFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(file, formatPath(issue.path), issue.message);
  }
  const doc = parsed.data;
  const reps: Rep[] = doc.reps.map((r) => ({ ...r, timezone: r.timezone ?? doc.company.timezone }));
  checkReps(file, reps, doc.booking.meetingMinutes, doc.pools.map((p) => p.id));
  const pools = checkPools(file, doc.pools, reps);
  const fallback = checkFallback(file, doc.fallback, reps, pools);
  const [unknownPlace] = unknownTerritoryEntries(doc.territories);
  if (unknownPlace) {
    const i = doc.territories[unknownPlace.territory]!.indexOf(unknownPlace.entry);
    fail(file, `territories.${unknownPlace.territory}[${i}]`, `"${unknownPlace.entry}" is not a known US state, country or city`);
  }
  checkBooking(file, doc.booking);
  return { ...doc, reps, pools, fallback };
}

function checkReps(file: string, reps: Rep[], meetingMinutes: number, poolIds: string[]): void {
  const byId = new Map<string, number>();
  const byEmail = new Map<string, number>();
  reps.forEach((rep, i) => {
    if (byId.has(rep.id)) fail(file, `reps[${i}].id`, `duplicate rep id "${rep.id}" (also reps[${byId.get(rep.id)}])`);
    byId.set(rep.id, i);
    const email = rep.email.toLowerCase();
    if (byEmail.has(email)) fail(file, `reps[${i}].email`, `"${rep.email}" is already the email of reps[${byEmail.get(email)}] (${reps[byEmail.get(email)!]!.id})`);
    byEmail.set(email, i);
    const longest = longestStretchMinutes(rep.hours);
    if (takesMeetings(rep) && longest < meetingMinutes) {
      fail(file, `reps[${i}].hours`, `"${formatWorkingHours(rep.hours)}" has no stretch long enough for a ${meetingMinutes}-minute meeting (the longest is ${longest} minutes)`);
    }
  });
  reps.forEach((rep, i) => {
    if (rep.backup === undefined) return;
    const backup = reps.find((r) => r.id === rep.backup);
    if (!backup && poolIds.includes(rep.backup)) fail(file, `reps[${i}].backup`, `"${rep.backup}" is a pool: a backup is one rep (pool mates already cover when the backup cannot)`);
    if (!backup) fail(file, `reps[${i}].backup`, `expected the id of another rep, got "${rep.backup}" (known reps: ${reps.map((r) => r.id).join(', ')})`);
    if (backup.id === rep.id) fail(file, `reps[${i}].backup`, 'a rep cannot be their own backup');
    if (!takesMeetings(backup)) fail(file, `reps[${i}].backup`, `"${backup.id}" has no working hours (hours: none), so could never cover: name a rep who takes meetings`);
  });
}

function checkPools(file: string, entries: z.output<typeof poolSchema>[], reps: Rep[]): Pool[] {
  const pools: Pool[] = [];
  entries.forEach((entry, i) => {
    if (reps.some((r) => r.id === entry.id) || pools.some((p) => p.id === entry.id)) {
      fail(file, `pools[${i}].id`, `"${entry.id}" is already used by another rep or pool`);
    }
    const seen = new Set<string>();
    entry.members.forEach(({ id }, j) => {
      const where = `pools[${i}].members[${j}]`;
      if (entries.some((p) => p.id === id)) fail(file, where, `"${id}" is a pool: members are rep ids (known reps: ${reps.map((r) => r.id).join(', ')})`);
      if (!reps.some((r) => r.id === id)) fail(file, where, `expected a rep id, got "${id}" (known reps: ${reps.map((r) => r.id).join(', ')})`);
      if (seen.has(id)) fail(file, where, `"${id}" is listed twice (give a weight, e.g. { id: ${id}, weight: 2 }, to give them more leads)`);
      seen.add(id);
    });
    if (!entry.members.some(({ id }) => takesMeetings(reps.find((r) => r.id === id)!))) {
      fail(file, `pools[${i}].members`, 'no member has working hours (every one is hours: none), so the pool could never book a meeting');
    }
    pools.push(toPool(entry));
  });
  return pools;
}

function checkFallback(file: string, id: string, reps: Rep[], pools: Pool[]): Target {
  const rep = reps.find((r) => r.id === id);
  if (rep && !takesMeetings(rep)) fail(file, 'fallback', `"${id}" has no working hours (hours: none), so leads sent there could never be booked`);
  if (rep) return { type: 'rep', id };
  if (pools.some((p) => p.id === id)) return { type: 'pool', id };
  const known = [...pools.map((p) => p.id), ...reps.map((r) => r.id)].join(', ');
  return fail(file, 'fallback', `expected the id of a rep or pool, got "${id}" (known: ${known})`);
}

function checkBooking(file: string, booking: Booking): void {
  if (booking.nudgeAfter >= booking.replyTimeout) {
    fail(file, 'booking.nudgeAfter', `must be shorter than booking.replyTimeout (${formatDuration(booking.nudgeAfter)} is not shorter than ${formatDuration(booking.replyTimeout)}): the follow-up goes out before Baton stops waiting`);
  }
  if (booking.horizon <= booking.minNotice) {
    fail(file, 'booking.horizon', `must be longer than booking.minNotice (${formatDuration(booking.horizon)} is not longer than ${formatDuration(booking.minNotice)}), or no time could ever be proposed`);
  }
}

export function findRep(team: Pick<TeamConfig, 'reps'>, id: string): Rep | undefined {
  return team.reps.find((r) => r.id === id);
}

export function findPool(team: Pick<TeamConfig, 'pools'>, id: string): Pool | undefined {
  return team.pools.find((p) => p.id === id);
}
