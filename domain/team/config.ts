import { IANAZone } from 'luxon';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration';
import { unknownTerritoryEntries } from '../qualify/geo';
import { ConfigError } from '../errors';
import { currencyRatesSchema } from './currencies';
import { parseWorkingHours, type DayHours } from './hours';

const ID = /^[a-z0-9][a-z0-9_-]*$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const zone = z.string().refine((tz) => IANAZone.isValidZone(tz), {
  message: 'expected an IANA time zone such as America/New_York',
});

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 90s, 15m, 2h, 3d or 1h30m, got "${text}"` });
    return z.NEVER;
  }
  return ms;
});

const hours = z.string().transform((text, ctx): DayHours[] => {
  const parsed = parseWorkingHours(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

/** An inclusive range of local dates, "2026-12-24..2026-12-31" or one day "2026-12-24". */
const ptoRange = z.string().transform((text, ctx) => {
  const [from, to = from, extra] = text.split('..').map((s) => s.trim());
  const valid = (d: string | undefined): d is string => !!d && DATE.test(d) && !Number.isNaN(Date.parse(d));
  if (extra !== undefined || !valid(from) || !valid(to) || to < from) {
    ctx.addIssue({ code: 'custom', message: `expected YYYY-MM-DD..YYYY-MM-DD (inclusive, start first), got "${text}"` });
    return z.NEVER;
  }
  return { from, to };
});

export const DISTRIBUTIONS = ['round_robin', 'first_available', 'ranked', 'group'] as const;

const repSchema = z.strictObject({
  id: z.string().regex(ID, 'expected an id of letters, digits, "-" or "_"'),
  name: z.string().min(1),
  email: z.email(),
  timezone: zone.optional(),
  hours: hours.default(parseWorkingHours('Mon-Fri 09:00-17:00') as DayHours[]),
  backup: z.string().optional(),
  pto: z.array(ptoRange).default([]),
});

const poolSchema = z.strictObject({
  id: z.string().regex(ID, 'expected an id of letters, digits, "-" or "_"'),
  name: z.string().min(1).optional(),
  members: z.array(z.string()).min(1, 'a pool needs at least one member'),
  distribution: z.enum(DISTRIBUTIONS).default('round_robin'),
});

const bookingSchema = z.strictObject({
  meetingMinutes: z.number().int().min(5).max(480).default(30),
  horizon: duration.default(48 * 3_600_000),
  proposals: z.number().int().min(1).max(5).default(3),
  minNotice: duration.default(3_600_000),
  buffer: duration.default(10 * 60_000),
  replyTimeout: duration.default(24 * 3_600_000),
  nudgeAfter: duration.default(2 * 3_600_000),
  maxBookingAttempts: z.number().int().min(1).max(10).default(3),
});

export const teamFileSchema = z.strictObject({
  company: z.strictObject({ name: z.string().min(1), timezone: zone.default('UTC') }),
  booking: bookingSchema.default(bookingSchema.parse({})),
  territories: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  competitors: z.array(z.string().min(1)).default([]),
  currencies: currencyRatesSchema.default({}),
  reps: z.array(repSchema).min(1, 'a team needs at least one rep'),
  pools: z.array(poolSchema).default([]),
  rules: z.array(z.string().min(1)).default([]),
  fallback: z.string().min(1),
});

export type Distribution = (typeof DISTRIBUTIONS)[number];
export type PtoRange = { from: string; to: string };
export type Booking = z.output<typeof bookingSchema>;

export interface Rep {
  id: string;
  name: string;
  email: string;
  timezone: string;
  hours: DayHours[];
  backup?: string;
  pto: PtoRange[];
}

export interface Pool {
  id: string;
  name: string;
  members: string[];
  distribution: Distribution;
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

/** `reps[2].timezone` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

function fail(file: string, path: string, message: string): never {
  throw new ConfigError(`${file}: ${path}: ${message}`, { details: { file, path } });
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
    fail(file, formatPath(issue.path), issueText(issue));
  }
  const doc = parsed.data;
  const reps: Rep[] = doc.reps.map((r) => ({ ...r, timezone: r.timezone ?? doc.company.timezone }));
  const repIds = new Set<string>();
  reps.forEach((rep, i) => {
    if (repIds.has(rep.id)) fail(file, `reps[${i}].id`, `duplicate rep id "${rep.id}"`);
    repIds.add(rep.id);
  });
  reps.forEach((rep, i) => {
    if (rep.backup === undefined) return;
    if (!repIds.has(rep.backup)) fail(file, `reps[${i}].backup`, `expected the id of another rep, got "${rep.backup}"`);
    if (rep.backup === rep.id) fail(file, `reps[${i}].backup`, 'a rep cannot be their own backup');
  });
  const pools: Pool[] = [];
  doc.pools.forEach((pool, i) => {
    if (repIds.has(pool.id) || pools.some((p) => p.id === pool.id)) {
      fail(file, `pools[${i}].id`, `"${pool.id}" is already used by another rep or pool`);
    }
    pool.members.forEach((m, j) => {
      if (!repIds.has(m)) fail(file, `pools[${i}].members[${j}]`, `expected a rep id, got "${m}"`);
    });
    pools.push({ ...pool, name: pool.name ?? pool.id });
  });
  const fallback: Target | undefined = repIds.has(doc.fallback)
    ? { type: 'rep', id: doc.fallback }
    : pools.some((p) => p.id === doc.fallback)
      ? { type: 'pool', id: doc.fallback }
      : undefined;
  if (!fallback) fail(file, 'fallback', `expected the id of a rep or pool, got "${doc.fallback}"`);
  const [unknownPlace] = unknownTerritoryEntries(doc.territories);
  if (unknownPlace) {
    const i = doc.territories[unknownPlace.territory]!.indexOf(unknownPlace.entry);
    fail(file, `territories.${unknownPlace.territory}[${i}]`, `"${unknownPlace.entry}" is not a known US state, country or city`);
  }
  const booking = doc.booking;
  if (booking.nudgeAfter >= booking.replyTimeout) {
    fail(file, 'booking.nudgeAfter', 'expected a duration shorter than booking.replyTimeout');
  }
  return { ...doc, reps, pools, fallback };
}

export function findRep(team: Pick<TeamConfig, 'reps'>, id: string): Rep | undefined {
  return team.reps.find((r) => r.id === id);
}

export function findPool(team: Pick<TeamConfig, 'pools'>, id: string): Pool | undefined {
  return team.pools.find((p) => p.id === id);
}
