/**
 * Reading a buyer's message, part 6: the TimeConstraint it states, in the zone it was read in.
 * What the positive clauses name is the ask (or, said as a habit, a standing window); what the
 * negative clauses name is excluded, as instants (a date, an offered time) or as windows on every
 * day they name ("not Mondays", "2pm doesn't work", "mornings are bad").
 */
import type { DayWindow, TimeConstraint, TimeInterval } from '../schedule/constraint';
import { addDays, isoWeekday, localInstant, merge } from '../schedule/local-time';
import type { Clause } from './reply-clause';
import type { Reading } from './reply-read';

/** A single named time asks for that time or up to this much later. */
const NAMED_TIME_WINDOW_MIN = 180;

/** The local minute range a clause's time of day covers, or null when it names none. */
function minutesOf(cl: Clause): [number, number] | null {
  let earliest: number | undefined;
  let latest: number | undefined;
  if (cl.part) [earliest, latest] = cl.part;
  if (cl.after !== undefined) earliest = Math.max(earliest ?? 0, cl.after);
  if (cl.before !== undefined) latest = Math.min(latest ?? 1440, cl.before);
  if (cl.times.length > 0) {
    const times = cl.times.map((t) => t.minute);
    earliest = Math.max(earliest ?? 0, Math.min(...times));
    latest = Math.min(1440, Math.max(...times) + NAMED_TIME_WINDOW_MIN);
  }
  if (earliest === undefined && latest === undefined) return null;
  return [earliest ?? 0, latest ?? 1440];
}

function windowOf(weekdays: number[], minutes: [number, number] | null): DayWindow {
  const w: DayWindow = {};
  if (weekdays.length > 0 && weekdays.length < 7) w.weekdays = [...new Set(weekdays)].sort((a, b) => a - b);
  if (minutes && minutes[0] > 0) w.earliestMinute = minutes[0];
  if (minutes && minutes[1] < 1440) w.latestMinute = minutes[1];
  return w;
}

function weekdaysOf(cl: Clause): number[] {
  const days = cl.dates.map((d) => (d.kind === 'weekday' ? d.weekday : isoWeekday(d.date)));
  return cl.weekend ? [...days, 6, 7] : days;
}

/** The standing window the habit clauses describe: their weekdays, and the time of day they all allow. */
function standingFrom(clauses: Clause[]): DayWindow[] | undefined {
  if (clauses.length === 0) return undefined;
  const weekdays = clauses.flatMap(weekdaysOf);
  let range: [number, number] | null = null;
  for (const cl of clauses) {
    const m = minutesOf(cl);
    if (m) range = range ? [Math.max(range[0], m[0]), Math.min(range[1], m[1])] : m;
  }
  if (range && range[1] <= range[0]) range = null;
  const w = windowOf(weekdays, range);
  return Object.keys(w).length > 0 ? [w] : undefined;
}

/** What a negative clause rules out, as windows of local minutes ("2pm": the meeting at 2pm; "mornings": until noon). */
function excludedMinutes(cl: Clause, meetingMinutes: number): [number, number][] {
  const out: [number, number][] = [];
  for (const t of cl.times) {
    for (const m of t.alt === undefined ? [t.minute] : [t.minute, t.alt]) out.push([m, Math.min(1440, m + meetingMinutes)]);
  }
  if (cl.part) out.push(cl.part[1] <= 720 ? [0, cl.part[1]] : cl.part[0] >= 720 ? [cl.part[0], 1440] : [cl.part[0], cl.part[1]]);
  if (cl.after !== undefined) out.push([cl.after, 1440]);
  if (cl.before !== undefined) out.push([0, cl.before]);
  return out;
}

export interface ConstraintInput {
  /** Offered times the reply ruled out ("option 2 doesn't work"): never offered again. */
  rejected: TimeInterval[];
  /** The meeting's length, for "2pm doesn't work" (the meeting at 2pm). */
  meetingMinutes: number;
}

/** The ask, standing windows and exclusions a reading states; undefined when it states none. */
export function constraintFrom(r: Reading, input: ConstraintInput): TimeConstraint | undefined {
  const { env } = r;
  const c: TimeConstraint = { timezone: env.zone };
  const ask = r.positive.filter((cl) => !cl.standing);
  const dates: string[] = [];
  const spans = ask.flatMap((cl) => cl.ranges);
  const weekdays = new Set<number>();
  const windows: DayWindow[] = [];
  let earliest: number | undefined;
  let latest: number | undefined;
  const times: number[] = [];
  const anyRange = spans.length > 0;
  for (const cl of ask) {
    for (const d of cl.dates) {
      // "next week, Tuesday or Thursday": weekdays inside the named span
      if (anyRange && d.kind === 'weekday') weekdays.add(d.weekday);
      else dates.push(d.date);
    }
    if (cl.weekend) [6, 7].forEach((w) => weekdays.add(w));
    if (cl.alternatives) {
      for (const piece of cl.alternatives) windows.push(windowOf(weekdaysOf(piece), minutesOf(piece)));
      continue;
    }
    for (const t of cl.times) times.push(t.minute);
    if (cl.part) {
      earliest = earliest === undefined ? cl.part[0] : Math.min(earliest, cl.part[0]);
      latest = latest === undefined ? cl.part[1] : Math.max(latest, cl.part[1]);
    }
    if (cl.after !== undefined) earliest = Math.max(earliest ?? 0, cl.after);
    if (cl.before !== undefined) latest = Math.min(latest ?? 1440, cl.before);
  }
  if (times.length > 0) {
    earliest = Math.max(earliest ?? 0, Math.min(...times));
    latest = Math.min(1440, Math.max(...times) + NAMED_TIME_WINDOW_MIN);
  }
  // Days and closed spans add up ("Thursday, or next week"); open bounds narrow them ("after the 15th", "until Thursday").
  const closed = spans.filter((s) => s.from && s.to);
  const bounds = spans.filter((s) => !(s.from && s.to));
  const starts = [...dates, ...closed.map((s) => s.from!)].filter((d) => d >= env.today);
  const ends = [...dates, ...closed.map((s) => s.to!)].filter((d) => d >= env.today);
  if (starts.length > 0) c.fromDate = starts.reduce((a, b) => (a < b ? a : b));
  if (ends.length > 0) c.toDate = ends.reduce((a, b) => (a > b ? a : b));
  for (const b of bounds) {
    if (b.from && (!c.fromDate || b.from > c.fromDate)) c.fromDate = b.from;
    if (b.to && (!c.toDate || b.to < c.toDate)) c.toDate = b.to;
  }
  if (c.fromDate && c.fromDate < env.today) c.fromDate = env.today;
  const distinct = [...new Set(dates)];
  if (spans.length === 0 && distinct.length > 1 && windows.length === 0) {
    // "Thursday or Monday": only those days, not everything in between.
    for (const d of distinct) weekdays.add(isoWeekday(d));
  }
  if (weekdays.size > 0 && weekdays.size < 7) c.weekdays = [...weekdays].sort((a, b) => a - b);
  if (earliest !== undefined && earliest > 0) c.earliestMinute = earliest;
  if (latest !== undefined && latest < 1440) c.latestMinute = latest;
  if (c.earliestMinute !== undefined && c.latestMinute !== undefined && c.latestMinute <= c.earliestMinute) delete c.latestMinute;
  if (windows.length > 0) c.windows = windows;
  const standing = standingFrom(r.positive.filter((cl) => cl.standing));
  if (standing) c.standing = standing;

  // What the buyer ruled out.
  const excluded: TimeInterval[] = input.rejected.map((i) => ({ start: i.start, end: i.end }));
  const excludedWindows: DayWindow[] = [];
  const day = (date: string, from: number, to: number) => ({ start: localInstant(env.zone, date, from), end: localInstant(env.zone, date, to) });
  for (const cl of r.negative) {
    const minutes = excludedMinutes(cl, input.meetingMinutes);
    const ranges = minutes.length > 0 ? minutes : [[0, 1440] as [number, number]];
    const onDates = cl.dates.filter((d) => d.kind === 'date').map((d) => d.date);
    const onWeekdays = [...cl.dates.filter((d) => d.kind === 'weekday').map((d) => (d.kind === 'weekday' ? d.weekday : 0)), ...(cl.weekend ? [6, 7] : [])];
    for (const date of onDates) for (const [a, b] of ranges) excluded.push(day(date, a, b));
    if (onWeekdays.length > 0) for (const m of ranges) excludedWindows.push(windowOf(onWeekdays, m));
    for (const span of cl.ranges) {
      if (!span.to) continue;
      excluded.push({ start: localInstant(env.zone, span.from ?? env.today, 0), end: localInstant(env.zone, addDays(span.to, 1), 0) });
    }
    if (onDates.length === 0 && onWeekdays.length === 0 && cl.ranges.length === 0 && minutes.length > 0) {
      for (const m of minutes) excludedWindows.push(windowOf([], m));
    }
  }
  const merged = merge(excluded.filter((i) => i.end > i.start));
  if (merged.length > 0) c.excluded = merged;
  const windowsOut = excludedWindows.filter((w, k) => Object.keys(w).length > 0 && excludedWindows.findIndex((v) => JSON.stringify(v) === JSON.stringify(w)) === k);
  if (windowsOut.length > 0) c.excludedWindows = windowsOut;
  return Object.keys(c).length > 1 ? c : undefined;
}
