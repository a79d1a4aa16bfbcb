/**
 * Local calendar arithmetic and interval lists shared by the slot finder and buyer constraints.
 *
 * Calendar-date arithmetic (no time zones involved) uses Date.UTC on a date-only value; every
 * local-time <-> instant conversion goes through luxon and is memoised, so daylight-saving changes
 * are handled by the zone database, never by hand.
 */
import { DateTime, IANAZone } from 'luxon';

export type Interval = { start: number; end: number };

// ---------------------------------------------------------------------------------------------
// Local calendar helpers. Calendar-date arithmetic (no time zones involved) uses Date.UTC on a
// date-only value; every local-time <-> instant conversion goes through luxon and is memoised.
// ---------------------------------------------------------------------------------------------

const CACHE_LIMIT = 100_000;
const localCache = new Map<string, number>();

function remember(key: string, value: number): number {
  if (localCache.size >= CACHE_LIMIT) localCache.clear();
  localCache.set(key, value);
  return value;
}

function parseIsoDate(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `date` plus `days` calendar days, as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseIsoDate(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** ISO weekday (1 = Monday) of a calendar date. */
export function isoWeekday(date: string): number {
  const [y, m, d] = parseIsoDate(date);
  const js = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return js === 0 ? 7 : js;
}

/** The instant of `minute` minutes after local midnight of `date` in `zone` (1440 = next midnight). */
export function localInstant(zone: string, date: string, minute: number): number {
  if (minute >= 1440) return localInstant(zone, addDays(date, Math.floor(minute / 1440)), minute % 1440);
  const key = `${zone}|${date}|${minute}`;
  const hit = localCache.get(key);
  if (hit !== undefined) return hit;
  const [year, month, day] = parseIsoDate(date);
  const ms = DateTime.fromObject(
    { year, month, day, hour: Math.floor(minute / 60), minute: minute % 60 },
    { zone },
  ).toMillis();
  return remember(key, ms);
}

/** The local calendar date (YYYY-MM-DD) of an instant in `zone`. */
export function localDate(zone: string, ms: number): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() ?? '1970-01-01';
}

const zoneValidity = new Map<string, boolean>();

/** IANAZone.isValidZone builds an Intl formatter on every call; the answer never changes, so keep it. */
export function isValidZone(zone: string | undefined): zone is string {
  if (!zone) return false;
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size >= 10_000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}

// ---------------------------------------------------------------------------------------------
// Interval helpers: all lists are sorted by start and disjoint after `merge`.
// ---------------------------------------------------------------------------------------------

export function merge(list: Interval[]): Interval[] {
  if (list.length < 2) return list;
  list.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [{ ...list[0]! }];
  for (let i = 1; i < list.length; i++) {
    const cur = list[i]!;
    const last = out[out.length - 1]!;
    if (cur.start <= last.end) {
      if (cur.end > last.end) last.end = cur.end;
    } else out.push({ ...cur });
  }
  return out;
}

/** `windows` minus `blocks` (both sorted, disjoint). */
export function subtract(windows: Interval[], blocks: Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const w of windows) {
    let cursor = w.start;
    while (j < blocks.length && blocks[j]!.end <= cursor) j++;
    let k = j;
    while (k < blocks.length && blocks[k]!.start < w.end) {
      const b = blocks[k]!;
      if (b.start > cursor) out.push({ start: cursor, end: b.start });
      if (b.end > cursor) cursor = b.end;
      if (cursor >= w.end) break;
      k++;
    }
    if (cursor < w.end) out.push({ start: cursor, end: w.end });
  }
  return out;
}

/** Walks a sorted, disjoint interval list with monotonically increasing probes. */
export class Cursor {
  private i = 0;
  constructor(private readonly list: Interval[]) {}
  /** Does [start, end) lie inside one interval? Probes must not decrease. */
  contains(start: number, end: number): boolean {
    const list = this.list;
    while (this.i < list.length && list[this.i]!.end < end) this.i++;
    const cur = list[this.i];
    return cur !== undefined && cur.start <= start;
  }
}

/** Intersection of two sorted, disjoint lists. */
export function intersect(x: Interval[], y: Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const a = x[i]!;
    const b = y[j]!;
    const start = Math.max(a.start, b.start);
    const end = Math.min(a.end, b.end);
    if (start < end) out.push({ start, end });
    if (a.end < b.end) i++;
    else j++;
  }
  return out;
}
