/**
 * What a buyer asked for, as the slot finder honours it: the times the meeting may take, the times
 * it must never take, and how a conversation's constraints add up message after message.
 *
 * Pure and deterministic. Local times are read in the constraint's zone (or a window's own zone),
 * per local day through luxon, so daylight-saving changes need no special case.
 */
import { addDays, isoWeekday, isValidZone, localDate, localInstant, merge, subtract, intersect, type Interval } from './local-time';

/** A window of local time on some weekdays ("mornings", "Tuesdays after 2pm", "not Mondays"). */
export interface DayWindow {
  /** ISO weekdays (1 = Monday); every day when absent. */
  weekdays?: number[];
  /** Minutes after local midnight: a meeting fits the window when it starts >= earliest and ends <= latest. */
  earliestMinute?: number;
  latestMinute?: number;
  /** The window's zone when it is not the constraint's (kept from a message read in another zone). */
  timezone?: string;
}

/** Epoch milliseconds, end exclusive. */
export interface TimeInterval {
  start: number;
  end: number;
}

/**
 * What a buyer asked for, in THEIR zone (`timezone`). Three kinds of field:
 * - the ask of one message (fromDate ... preferredStart): replaced by the next message's ask;
 * - `standing`: what holds in general ("I'm only free in the mornings"), kept until restated;
 * - `excluded`, `excludedWindows`: what the buyer ruled out, kept for the whole conversation
 *   (see mergeConstraints).
 * A meeting satisfies the constraint when it satisfies every field given.
 */
export interface TimeConstraint {
  timezone: string;
  /** Inclusive local dates YYYY-MM-DD. */
  fromDate?: string;
  toDate?: string;
  /** ISO weekdays, 1 = Monday. */
  weekdays?: number[];
  /** Minutes after local midnight: the meeting must start >= earliest and end <= latest. */
  earliestMinute?: number;
  latestMinute?: number;
  /** The meeting must fit one of these ("Monday morning or Wednesday afternoon"). */
  windows?: DayWindow[];
  /** The meeting must fit one of these: what the buyer said holds in general. */
  standing?: DayWindow[];
  /** Instants: the meeting starts at or after notBefore and ends by notAfter ("later than that", "earlier"). */
  notBefore?: number;
  notAfter?: number;
  /**
   * The exact start the buyer asked for ("an hour later", "same time Friday"): offered when open,
   * with the nearest open times around it (or, when it is taken, instead of it). Not a filter.
   */
  preferredStart?: number;
  /** Never overlapped by a proposal: times the buyer ruled out ("Thursday at 2pm doesn't work"). */
  excluded?: TimeInterval[];
  /** Never overlapped by a proposal, on every day they name ("not Mondays", "2pm doesn't work"). */
  excludedWindows?: DayWindow[];
}

const DAY_MS = 86_400_000;
const ASK_KEYS = ['fromDate', 'toDate', 'weekdays', 'earliestMinute', 'latestMinute', 'windows', 'notBefore', 'notAfter', 'preferredStart'] as const;

function zoneOf(c: TimeConstraint): string {
  return isValidZone(c.timezone) ? c.timezone : 'UTC';
}

function clampMinute(m: number | undefined, fallback: number): number {
  return m === undefined || !Number.isFinite(m) ? fallback : Math.max(0, Math.min(1440, m));
}

/** The instants of a day window over the local days around [from, to], inside [firstDate, lastDate] when given. */
function windowIntervals(w: DayWindow, zone: string, from: number, to: number, firstDate?: string, lastDate?: string): Interval[] {
  const z = w.timezone && isValidZone(w.timezone) ? w.timezone : zone;
  const earliest = clampMinute(w.earliestMinute, 0);
  const latest = clampMinute(w.latestMinute, 1440);
  if (latest <= earliest) return [];
  const weekdays = w.weekdays && w.weekdays.length > 0 ? new Set(w.weekdays) : null;
  let first = addDays(localDate(z, from), -1);
  let last = addDays(localDate(z, to), 1);
  if (firstDate && firstDate > first) first = firstDate;
  if (lastDate && lastDate < last) last = lastDate;
  const out: Interval[] = [];
  for (let date = first, guard = 0; date <= last && guard < 4000; date = addDays(date, 1), guard++) {
    if (weekdays && !weekdays.has(isoWeekday(date))) continue;
    const start = localInstant(z, date, earliest);
    const end = localInstant(z, date, latest);
    if (end > start) out.push({ start, end });
  }
  return merge(out);
}

function anyOf(windows: DayWindow[], zone: string, from: number, to: number): Interval[] {
  return merge(windows.flatMap((w) => windowIntervals(w, zone, from, to)));
}

function hasDayFields(c: TimeConstraint): boolean {
  return !!(c.fromDate || c.toDate || (c.weekdays && c.weekdays.length > 0) || c.earliestMinute !== undefined || c.latestMinute !== undefined);
}

/**
 * The intervals a meeting may lie in (it must fit inside one), for meetings around [from, to];
 * null when the constraint allows every time.
 */
export function allowedIntervals(c: TimeConstraint | undefined, from: number, to: number): Interval[] | null {
  if (!c) return null;
  const zone = zoneOf(c);
  let allowed: Interval[] | null = null;
  const restrict = (list: Interval[]) => (allowed = allowed === null ? list : intersect(allowed, list));
  if (hasDayFields(c)) {
    const base: DayWindow = {
      ...(c.weekdays && c.weekdays.length > 0 ? { weekdays: c.weekdays } : {}),
      ...(c.earliestMinute !== undefined ? { earliestMinute: c.earliestMinute } : {}),
      ...(c.latestMinute !== undefined ? { latestMinute: c.latestMinute } : {}),
    };
    restrict(windowIntervals(base, zone, from, to, c.fromDate, c.toDate));
  }
  if (c.windows && c.windows.length > 0) restrict(anyOf(c.windows, zone, from, to));
  if (c.standing && c.standing.length > 0) restrict(anyOf(c.standing, zone, from, to));
  if (c.notBefore !== undefined || c.notAfter !== undefined) {
    const start = c.notBefore ?? from - 2 * DAY_MS;
    const end = c.notAfter ?? to + 2 * DAY_MS;
    restrict(end > start ? [{ start, end }] : []);
  }
  const excluded = [
    ...(c.excluded ?? []).filter((i) => i.end > i.start).map((i) => ({ start: i.start, end: i.end })),
    ...(c.excludedWindows ?? []).flatMap((w) => windowIntervals(w, zone, from, to)),
  ];
  if (excluded.length > 0) {
    const base: Interval[] = allowed ?? [{ start: from - 2 * DAY_MS, end: to + 2 * DAY_MS }];
    allowed = subtract(base, merge(excluded));
  }
  return allowed;
}

/** Does a meeting [start, end) satisfy the constraint? (preferredStart is a preference, not a rule.) */
export function fitsConstraint(start: number, end: number, c: TimeConstraint | undefined): boolean {
  const allowed = allowedIntervals(c, start, end);
  return allowed === null || allowed.some((i) => i.start <= start && end <= i.end);
}

/** The earliest instant the constraint allows a meeting to start, when it says one (else undefined). */
export function earliestAllowed(c: TimeConstraint | undefined): number | undefined {
  if (!c) return undefined;
  const candidates: number[] = [];
  if (c.fromDate) candidates.push(localInstant(zoneOf(c), c.fromDate, 0));
  if (c.notBefore !== undefined) candidates.push(c.notBefore);
  return candidates.length > 0 ? Math.max(...candidates) : undefined;
}

// ---------------------------------------------------------------------------------------------
// mergeConstraints
// ---------------------------------------------------------------------------------------------

/** The local weekdays and minute range a constraint's ask names, in its zone; null parts were not named. */
function askShape(c: TimeConstraint): { weekdays: Set<number> | null; minutes: [number, number] | null } {
  const zone = zoneOf(c);
  let weekdays: Set<number> | null = null;
  let minutes: [number, number] | null = null;
  if (c.preferredStart !== undefined) {
    const date = localDate(zone, c.preferredStart);
    const minute = Math.round((c.preferredStart - localInstant(zone, date, 0)) / 60_000);
    weekdays = new Set([isoWeekday(date)]);
    minutes = [minute, minute + 1];
  }
  if (c.weekdays && c.weekdays.length > 0) weekdays = new Set(c.weekdays);
  else if (c.fromDate && c.toDate && c.fromDate <= c.toDate && addDays(c.fromDate, 6) >= c.toDate) {
    weekdays = new Set();
    for (let d = c.fromDate; d <= c.toDate; d = addDays(d, 1)) weekdays.add(isoWeekday(d));
  }
  if (c.earliestMinute !== undefined || c.latestMinute !== undefined) {
    minutes = [clampMinute(c.earliestMinute, 0), clampMinute(c.latestMinute, 1440)];
  } else if (c.windows && c.windows.length > 0 && c.windows.every((w) => w.earliestMinute !== undefined || w.latestMinute !== undefined)) {
    minutes = [Math.min(...c.windows.map((w) => clampMinute(w.earliestMinute, 0))), Math.max(...c.windows.map((w) => clampMinute(w.latestMinute, 1440)))];
  }
  return { weekdays, minutes };
}

/** Does the ask name only times inside window `w` (so asking again lifts that exclusion)? */
function askInside(ask: TimeConstraint, w: DayWindow): boolean {
  const { weekdays, minutes } = askShape(ask);
  if (!weekdays && !minutes) return false;
  const days = w.weekdays && w.weekdays.length > 0 ? new Set(w.weekdays) : null;
  if (weekdays && days && ![...weekdays].every((d) => days.has(d))) return false;
  if (!weekdays && days) return false;
  const [e, l] = minutes ?? [0, 1440];
  return clampMinute(w.earliestMinute, 0) <= e && l <= clampMinute(w.latestMinute, 1440);
}

/** Does the ask contradict every standing window (the buyer's newest words win)? */
function askContradicts(ask: TimeConstraint, standing: DayWindow[]): boolean {
  const { weekdays, minutes } = askShape(ask);
  if (!weekdays && !minutes) return false;
  return standing.every((w) => {
    const days = w.weekdays && w.weekdays.length > 0 ? w.weekdays : null;
    if (weekdays && days && !days.some((d) => weekdays.has(d))) return true;
    if (minutes) {
      const e = clampMinute(w.earliestMinute, 0);
      const l = clampMinute(w.latestMinute, 1440);
      if (minutes[1] <= e || l <= minutes[0]) return true;
    }
    return false;
  });
}

/** Does the ask name a time inside the excluded interval? */
function askNames(ask: TimeConstraint, i: TimeInterval): boolean {
  const zone = zoneOf(ask);
  const anchor =
    ask.preferredStart ?? (ask.fromDate && ask.earliestMinute !== undefined ? localInstant(zone, ask.fromDate, ask.earliestMinute) : undefined);
  if (anchor !== undefined && i.start <= anchor && anchor < i.end) return true;
  if (ask.fromDate && ask.toDate) {
    const start = localInstant(zone, ask.fromDate, clampMinute(ask.earliestMinute, 0));
    const end = localInstant(zone, ask.toDate, clampMinute(ask.latestMinute, 1440));
    return i.start <= start && end <= i.end;
  }
  return false;
}

function stamped(windows: DayWindow[] | undefined, from: TimeConstraint, zone: string): DayWindow[] {
  return (windows ?? []).map((w) => (w.timezone || from.timezone === zone ? { ...w } : { ...w, timezone: from.timezone }));
}

function uniqueWindows(windows: DayWindow[]): DayWindow[] {
  const seen = new Set<string>();
  return windows.filter((w) => {
    const key = JSON.stringify([w.weekdays ?? null, w.earliestMinute ?? null, w.latestMinute ?? null, w.timezone ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The constraint for the next proposal, given what the conversation had (`previous`) and what the
 * buyer just said (`next`):
 * - the ask (dates, weekdays, times of day, windows, notBefore/notAfter, preferredStart) is next's;
 * - standing windows are next's when it states some, else previous's, unless next's ask
 *   contradicts all of them ("only mornings", then "Tuesday afternoon?": the newest words win);
 * - exclusions add up over the whole conversation, except one the buyer now asks for again
 *   (an ask that names only times inside it); excluded intervals that ended before `now` are dropped.
 * Windows kept from a constraint in another zone carry that zone. Pure; undefined when nothing is left.
 */
export function mergeConstraints(
  previous: TimeConstraint | undefined,
  next: TimeConstraint | undefined,
  now?: number,
): TimeConstraint | undefined {
  if (!previous && !next) return undefined;
  const zone = next?.timezone ?? previous!.timezone;
  const out: TimeConstraint = { timezone: zone };
  if (next) {
    for (const key of ASK_KEYS) {
      const value = next[key];
      if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? value.map((v) => (typeof v === 'object' ? { ...v } : v)) : value;
    }
    if (out.windows) out.windows = stamped(next.windows, next, zone);
  }
  const ask = next ?? { timezone: zone };

  if (next?.standing && next.standing.length > 0) out.standing = uniqueWindows(stamped(next.standing, next, zone));
  else if (previous?.standing && previous.standing.length > 0 && !askContradicts(ask, previous.standing)) {
    out.standing = uniqueWindows(stamped(previous.standing, previous, zone));
  }

  const excluded = [
    ...(previous?.excluded ?? []).filter((i) => !(next && askNames(next, i))),
    ...(next?.excluded ?? []),
  ].filter((i) => i.end > i.start && (now === undefined || i.end > now));
  if (excluded.length > 0) out.excluded = merge(excluded.map((i) => ({ start: i.start, end: i.end })));
  const windows = uniqueWindows([
    ...stamped(previous?.excludedWindows, previous ?? { timezone: zone }, zone).filter((w) => !(next && askInside(next, w))),
    ...stamped(next?.excludedWindows, next ?? { timezone: zone }, zone),
  ]);
  if (windows.length > 0) out.excludedWindows = windows;
  return Object.keys(out).length > 1 ? out : undefined;
}
