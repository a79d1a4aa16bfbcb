/**
 * The slot finder: which meeting times suit a set of attendees, and which few of them to offer.
 *
 * Pure and deterministic (no clock reads, no I/O, no randomness), so it runs inside Temporal
 * workflows as well as in the CLI and the API. All instants are epoch milliseconds.
 *
 * The grid: every candidate start is a multiple of 30 minutes since the Unix epoch. Such instants
 * fall on :00 or :30 local time in every zone whose UTC offset is a whole or half hour (all of the
 * Americas, Europe, Africa, India, Australia's eastern/western zones...). In the few zones with a
 * :45 offset (Asia/Kathmandu, Pacific/Chatham, Australia/Eucla) they fall on :15/:45 local time.
 *
 * Local time (working hours, PTO days, buyer constraints, waking hours) is converted with luxon per
 * local day, so daylight-saving changes are handled by the zone database, never by hand.
 */
import { DateTime, IANAZone } from 'luxon';
import type { PtoRange } from '../team/config';
import type { DayHours } from '../team/hours';

export interface Attendee {
  id: string;
  timezone: string;
  hours: DayHours[];
  pto: PtoRange[];
}

/** A calendar block, epoch ms, end exclusive. 'ooo' blocks make the attendee unavailable like 'busy'. */
export interface Busy {
  start: number;
  end: number;
  type: 'busy' | 'ooo';
}

/** What a buyer asked for, in THEIR zone. */
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
}

export interface SlotQuery {
  attendees: Attendee[];
  busy: Record<string, Busy[]>;
  meetingMinutes: number;
  bufferMs: number;
  minNoticeMs: number;
  horizonMs: number;
  now: number;
  mode: 'all' | 'any';
  constraint?: TimeConstraint;
}

export interface Slot {
  start: number;
  end: number;
  reps: string[];
}

/** How many days past the horizon the finder looks when the horizon has nothing (by default). */
export const MAX_EXTENSION_DAYS = 14;

export interface ProposeQuery extends SlotQuery {
  count: number;
  /** The buyer's zone, when known: options are kept inside 08:00-20:00 there when that leaves enough. */
  buyerTimezone?: string;
  /** How many days past the horizon to look when the horizon has nothing (default 14). */
  maxExtensionDays?: number;
}

export interface Proposal {
  slots: Slot[];
  /** True when the horizon had no open slot and the search went past it. */
  extended: boolean;
  /** The latest start that was considered. */
  searchedUntil: number;
}

export const SLOT_GRID_MS = 30 * 60_000;
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Buyer waking hours, local minutes. */
export const WAKING_START_MINUTE = 8 * 60;
export const WAKING_END_MINUTE = 20 * 60;
const MIN_SPREAD_MS = 2 * HOUR_MS;

type Interval = { start: number; end: number };

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
function isValidZone(zone: string | undefined): zone is string {
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

function merge(list: Interval[]): Interval[] {
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
function subtract(windows: Interval[], blocks: Interval[]): Interval[] {
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
class Cursor {
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

// ---------------------------------------------------------------------------------------------
// Availability of one attendee
// ---------------------------------------------------------------------------------------------

function onPto(pto: PtoRange[], date: string): boolean {
  for (const p of pto) if (p.from <= date && date <= p.to) return true;
  return false;
}

/**
 * Working-hour windows of the attendee for the local days that can hold a start in [from, to]:
 * one window per range (several a day around a lunch break), so a meeting must fit inside one of
 * them and never spans a break. Windows that touch, across midnight too, merge into one stretch,
 * as the hours parser joins touching ranges. No hours at all: no windows, never free.
 */
function workingWindows(a: Attendee, from: number, to: number): Interval[] {
  const zone = a.timezone;
  const first = addDays(localDate(zone, from), -1);
  const last = addDays(localDate(zone, to), 1);
  const byDay: DayHours[][] = [[], [], [], [], [], [], [], []];
  for (const h of a.hours) byDay[h.weekday]?.push(h);
  const out: Interval[] = [];
  let weekday = isoWeekday(first);
  for (let date = first, guard = 0; date <= last && guard < 4000; date = addDays(date, 1), guard++) {
    const hours = byDay[weekday]!;
    weekday = weekday === 7 ? 1 : weekday + 1;
    if (hours.length === 0 || onPto(a.pto, date)) continue;
    for (const h of hours) {
      const start = localInstant(zone, date, h.startMinute);
      const end = localInstant(zone, date, h.endMinute);
      if (end > start) out.push({ start, end });
    }
  }
  return merge(out);
}

/**
 * The attendee's calendar blocks, padded by the buffer, sorted and merged: computed once per call
 * (and shared between the calls proposeSlots makes), then swept, never checked block-by-slot.
 */
type BlockCache = Map<string, Interval[]>;

function paddedBlocks(id: string, blocks: Busy[], bufferMs: number, cache: BlockCache): Interval[] {
  const hit = cache.get(id);
  if (hit) return hit;
  const merged = union(blocks, bufferMs);
  cache.set(id, merged);
  return merged;
}

/**
 * The union of the blocks, each widened by `pad` on both sides. Starts and ends are sorted
 * separately (native typed-array sorts) and swept with a depth counter: the k-th smallest end is
 * never before the k-th smallest start, so the depth never goes negative. Touching blocks merge.
 */
function union(blocks: Busy[], pad: number): Interval[] {
  const starts = new Float64Array(blocks.length);
  const ends = new Float64Array(blocks.length);
  let n = 0;
  for (const b of blocks) {
    if (!(b.end > b.start)) continue;
    starts[n] = b.start - pad;
    ends[n] = b.end + pad;
    n++;
  }
  const s = starts.subarray(0, n).sort();
  const e = ends.subarray(0, n).sort();
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  let depth = 0;
  let open = 0;
  while (j < n) {
    if (i < n && s[i]! <= e[j]!) {
      if (depth++ === 0) open = s[i]!;
      i++;
    } else {
      if (--depth === 0) out.push({ start: open, end: e[j]! });
      j++;
    }
  }
  return out;
}

/** Intersection of two sorted, disjoint lists. */
function intersect(x: Interval[], y: Interval[]): Interval[] {
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

/** Local windows allowed by a buyer constraint, or null when the constraint allows everything. */
function constraintWindows(c: TimeConstraint | undefined, from: number, to: number): Interval[] | null {
  if (!c) return null;
  const zone = isValidZone(c.timezone) ? c.timezone : 'UTC';
  const earliest = Math.max(0, Math.min(1440, c.earliestMinute ?? 0));
  const latest = Math.max(0, Math.min(1440, c.latestMinute ?? 1440));
  const weekdays = c.weekdays && c.weekdays.length > 0 ? new Set(c.weekdays) : null;
  if (!c.fromDate && !c.toDate && !weekdays && earliest === 0 && latest === 1440) return null;
  let first = addDays(localDate(zone, from), -1);
  let last = addDays(localDate(zone, to), 1);
  if (c.fromDate && c.fromDate > first) first = c.fromDate;
  if (c.toDate && c.toDate < last) last = c.toDate;
  const out: Interval[] = [];
  if (latest <= earliest) return out;
  for (let date = first, guard = 0; date <= last && guard < 4000; date = addDays(date, 1), guard++) {
    if (weekdays && !weekdays.has(isoWeekday(date))) continue;
    const start = localInstant(zone, date, earliest);
    const end = localInstant(zone, date, latest);
    if (end > start) out.push({ start, end });
  }
  return merge(out);
}

// ---------------------------------------------------------------------------------------------
// findOpenSlots
// ---------------------------------------------------------------------------------------------

/**
 * Every start on the 30-minute grid in [now + minNotice, now + horizon] (or in `range`, inclusive,
 * used as given) where the meeting fits:
 * - inside one range of each attendee's working hours in their own zone (DST-correct; never across
 *   a break between two ranges), not on a configured PTO date (inclusive, in the attendee's zone);
 * - no 'busy' or 'ooo' block within `bufferMs` before or after it (buffers pad calendar events,
 *   not the edges of working hours);
 * - the buyer's `constraint`, when given.
 * Mode 'all': every attendee must be free, `reps` lists all ids. Mode 'any': at least one must be,
 * `reps` lists the free ones in attendee order.
 */
export function findOpenSlots(q: SlotQuery, range?: { from: number; to: number }): Slot[] {
  const from = range ? range.from : q.now + q.minNoticeMs;
  const to = range ? range.to : q.now + q.horizonMs;
  return openSlots(q, from, to, new Map());
}

function openSlots(q: SlotQuery, from: number, to: number, cache: BlockCache): Slot[] {
  const meetingMs = Math.round(q.meetingMinutes * 60_000);
  if (q.attendees.length === 0 || meetingMs <= 0 || !(to >= from)) return [];
  const buffer = Math.max(0, q.bufferMs);
  const until = to + meetingMs;
  const allowed = constraintWindows(q.constraint, from, until);
  if (allowed && allowed.length === 0) return [];
  const windows = q.attendees.map((a) => (isValidZone(a.timezone) ? workingWindows(a, from, until) : []));
  const firstStart = Math.ceil(from / SLOT_GRID_MS) * SLOT_GRID_MS;
  const out: Slot[] = [];

  if (q.mode === 'all') {
    // Intersect everyone's hours first (cheap, and often already empty across far-apart zones),
    // then remove each attendee's padded blocks from what is left.
    let common = allowed ?? windows[0]!;
    for (const w of windows) {
      common = intersect(common, w);
      if (common.length === 0) return [];
    }
    for (const a of q.attendees) {
      common = subtract(common, paddedBlocks(a.id, q.busy[a.id] ?? [], buffer, cache));
      if (common.length === 0) return [];
    }
    if (common.length === 0) return [];
    const ids = q.attendees.map((a) => a.id);
    const cursor = new Cursor(common);
    for (let start = firstStart; start <= to; start += SLOT_GRID_MS) {
      if (cursor.contains(start, start + meetingMs)) out.push({ start, end: start + meetingMs, reps: ids.slice() });
    }
    return out;
  }

  const cursors = q.attendees.map((a, i) => {
    let free = windows[i]!;
    if (allowed && free.length > 0) free = intersect(free, allowed);
    if (free.length > 0) free = subtract(free, paddedBlocks(a.id, q.busy[a.id] ?? [], buffer, cache));
    return new Cursor(free);
  });
  for (let start = firstStart; start <= to; start += SLOT_GRID_MS) {
    const end = start + meetingMs;
    let reps: string[] | undefined;
    for (let i = 0; i < cursors.length; i++) {
      if (cursors[i]!.contains(start, end)) (reps ??= []).push(q.attendees[i]!.id);
    }
    if (reps) out.push({ start, end, reps });
  }
  return out;
}

/** The slot at exactly `start` if it is still open (same rules as findOpenSlots), else null. */
export function openSlotAt(q: SlotQuery, start: number): Slot | null {
  return findOpenSlots(q, { from: start, to: start }).find((s) => s.start === start) ?? null;
}

// ---------------------------------------------------------------------------------------------
// proposeSlots
// ---------------------------------------------------------------------------------------------

interface Candidate extends Slot {
  day: string;
  /** 0 = before local noon, 1 = after. */
  half: number;
}

/** Tags each slot with its local day and half of day in `zone` (slots sorted by start). */
function tagDays(slots: Slot[], zone: string): Candidate[] {
  if (slots.length === 0) return [];
  const out: Candidate[] = [];
  let date = localDate(zone, slots[0]!.start);
  let noon = localInstant(zone, date, 720);
  let next = localInstant(zone, date, 1440);
  for (const s of slots) {
    for (let guard = 0; s.start >= next && guard < 4000; guard++) {
      date = addDays(date, 1);
      noon = localInstant(zone, date, 720);
      next = localInstant(zone, date, 1440);
    }
    out.push({ ...s, reps: s.reps.slice(), day: date, half: s.start < noon ? 0 : 1 });
  }
  return out;
}

/** The slots that start and end inside 08:00-20:00 in `zone`. */
function wakingOnly(slots: Candidate[], zone: string): Candidate[] {
  if (slots.length === 0) return [];
  const windows = constraintWindows(
    { timezone: zone, earliestMinute: WAKING_START_MINUTE, latestMinute: WAKING_END_MINUTE },
    slots[0]!.start,
    slots[slots.length - 1]!.end,
  )!;
  const cursor = new Cursor(windows);
  return slots.filter((s) => cursor.contains(s.start, s.end));
}

/**
 * Greedy, deterministic spread: the soonest slot first; then, in order of preference, the soonest
 * slot on a day not yet used (choosing, on that day, the half of the day used least so far),
 * else in a half-day not yet used, else at least 2h from every pick, else not overlapping any pick,
 * else anything left.
 */
function pickSpread(pool: Candidate[], count: number, picked: Candidate[]): Candidate[] {
  const chosen = picked.slice();
  const taken = new Set(chosen.map((c) => c.start));
  while (chosen.length < count) {
    const days = new Set(chosen.map((c) => c.day));
    const halves = new Set(chosen.map((c) => `${c.day}|${c.half}`));
    const halfUse = [0, 0];
    for (const c of chosen) halfUse[c.half]!++;
    const apart = (s: Candidate) => chosen.every((c) => Math.abs(c.start - s.start) >= MIN_SPREAD_MS);
    const clear = (s: Candidate) => chosen.every((c) => s.end <= c.start || c.end <= s.start);

    let best: Candidate | undefined;
    // Tier 1: a new day, soonest day first, least-used half of the day on it.
    for (const s of pool) {
      if (taken.has(s.start) || days.has(s.day) || !apart(s)) continue;
      if (!best) best = s;
      else if (s.day !== best.day) break;
      else if (halfUse[s.half]! < halfUse[best.half]!) {
        best = s;
        break;
      }
    }
    const tiers: ((s: Candidate) => boolean)[] = [
      (s) => !halves.has(`${s.day}|${s.half}`) && apart(s),
      apart,
      clear,
      () => true,
    ];
    for (const tier of tiers) {
      if (best) break;
      best = pool.find((s) => !taken.has(s.start) && tier(s));
    }
    if (!best) break;
    chosen.push(best);
    taken.add(best.start);
  }
  return chosen;
}

/**
 * Chooses `count` options to offer: soonest first but spread out (see pickSpread), inside the
 * buyer's waking hours (08:00-20:00 in buyerTimezone) when that still leaves `count` options, else
 * topped up with other times. When the horizon has no open slot at all, the search is extended day
 * by day (up to maxExtensionDays, default 14) until it holds `count` options, and `extended` is set.
 * Deterministic; slots are returned sorted by start.
 */
export function proposeSlots(q: ProposeQuery): Proposal {
  const count = Math.max(0, Math.floor(q.count));
  const horizonEnd = q.now + q.horizonMs;
  const cache: BlockCache = new Map();
  let candidates = openSlots(q, q.now + q.minNoticeMs, horizonEnd, cache);
  let extended = false;
  let searchedUntil = horizonEnd;
  const maxExtension = Math.max(0, Math.floor(q.maxExtensionDays ?? MAX_EXTENSION_DAYS));
  if (candidates.length === 0 && maxExtension > 0) {
    extended = true;
    const wide = openSlots(q, q.now + q.minNoticeMs, horizonEnd + maxExtension * DAY_MS, cache);
    const want = Math.max(1, count);
    for (let k = 1; k <= maxExtension; k++) {
      searchedUntil = horizonEnd + k * DAY_MS;
      const until = searchedUntil;
      candidates = wide.filter((s) => s.start <= until);
      if (candidates.length >= want) break;
    }
  }
  if (count === 0 || candidates.length === 0) return { slots: [], extended, searchedUntil };

  const buyerZone = isValidZone(q.buyerTimezone) ? q.buyerTimezone : undefined;
  const dayZone =
    buyerZone ??
    (q.constraint && isValidZone(q.constraint.timezone) ? q.constraint.timezone : undefined) ??
    q.attendees.find((a) => isValidZone(a.timezone))?.timezone ??
    'UTC';
  const tagged = tagDays(candidates, dayZone);

  let chosen: Candidate[];
  if (buyerZone) {
    chosen = pickSpread(wakingOnly(tagged, buyerZone), count, []);
    if (chosen.length < count) chosen = pickSpread(tagged, count, chosen);
  } else {
    chosen = pickSpread(tagged, count, []);
  }
  const slots = chosen
    .map(({ start, end, reps }) => ({ start, end, reps }))
    .sort((a, b) => a.start - b.start);
  return { slots, extended, searchedUntil };
}
