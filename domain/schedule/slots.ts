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
import type { PtoRange } from '../team/config';
import type { DayHours } from '../team/hours';
import { allowedIntervals, earliestAllowed, type TimeConstraint } from './constraint';
import { addDays, Cursor, intersect, isoWeekday, isValidZone, localDate, localInstant, merge, subtract, type Interval } from './local-time';

export type { DayWindow, TimeConstraint, TimeInterval } from './constraint';
export { allowedIntervals, fitsConstraint, mergeConstraints } from './constraint';
export { addDays, isoWeekday, localDate, localInstant } from './local-time';

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

export interface SlotQuery {
  attendees: Attendee[];
  /**
   * People who must be free at every slot whatever the mode: with mode 'any', "one of `attendees`
   * and all of these" (a group pool plus the attendees a rule added). Not listed in `Slot.reps`.
   */
  required?: Attendee[];
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
  /** True when the search went past the horizon (it had no open slot, or the buyer asked for later). */
  extended: boolean;
  /** The latest start that was considered. */
  searchedUntil: number;
  /** With a constraint's preferredStart: whether that exact time was open (and so is among the slots). */
  preferredOpen?: boolean;
}

export const SLOT_GRID_MS = 30 * 60_000;
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Buyer waking hours, local minutes. */
export const WAKING_START_MINUTE = 8 * 60;
export const WAKING_END_MINUTE = 20 * 60;
const MIN_SPREAD_MS = 2 * HOUR_MS;

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
 * `reps` lists the free ones in attendee order. In both modes every `required` person must be free
 * too (their hours, PTO and calendar alike); they attend every slot and are not listed in `reps`.
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
  const allowed = allowedIntervals(q.constraint, from, until);
  if (allowed && allowed.length === 0) return [];
  const windows = q.attendees.map((a) => (isValidZone(a.timezone) ? workingWindows(a, from, until) : []));
  const firstStart = Math.ceil(from / SLOT_GRID_MS) * SLOT_GRID_MS;
  const out: Slot[] = [];
  // What everyone in `required` has free (and the buyer allows): every slot must lie inside it.
  let shared = allowed;
  if (q.required?.length) {
    shared = commonFree(q.required, from, until, buffer, q.busy, cache, allowed);
    if (shared.length === 0) return [];
  }

  if (q.mode === 'all') {
    const common = commonFree(q.attendees, from, until, buffer, q.busy, cache, shared, windows);
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
    if (shared && free.length > 0) free = intersect(free, shared);
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

/**
 * The time every one of `people` has free: inside their working hours (and `within`, when given),
 * minus their padded calendar blocks. Hours are intersected first (cheap, and often already empty
 * across far-apart zones), then each person's blocks are removed from what is left.
 */
function commonFree(
  people: Attendee[],
  from: number,
  until: number,
  buffer: number,
  busy: Record<string, Busy[]>,
  cache: BlockCache,
  within: Interval[] | null,
  windows: Interval[][] = people.map((a) => (isValidZone(a.timezone) ? workingWindows(a, from, until) : [])),
): Interval[] {
  let common = within ?? windows[0] ?? [];
  for (const w of windows) {
    common = intersect(common, w);
    if (common.length === 0) return [];
  }
  for (const a of people) {
    common = subtract(common, paddedBlocks(a.id, busy[a.id] ?? [], buffer, cache));
    if (common.length === 0) return [];
  }
  return common;
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
  const windows = allowedIntervals(
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
 * Every option satisfies the buyer's constraint (constraint.ts: windows, standing windows, the
 * times they ruled out). When the horizon has nothing and the constraint's window starts later
 * ("next week", "after the 15th"), the horizon is first counted from that start. With a
 * preferredStart ("an hour later") the search reaches a day past it, that exact time comes first
 * when open, and the other options are the open times nearest to it. `extended` says the search
 * went past the horizon; maxExtensionDays 0 keeps it inside.
 * Deterministic; slots are returned sorted by start.
 */
/**
 * The latest start proposeSlots can consider for this query: the horizon, or past it for a
 * preferred start or a window that starts later, plus the extension. Calendars must be loaded
 * up to here (plus a meeting and the buffer).
 */
export function searchLimit(q: Pick<ProposeQuery, 'now' | 'horizonMs' | 'constraint' | 'maxExtensionDays'>): number {
  const maxExtension = Math.max(0, Math.floor(q.maxExtensionDays ?? MAX_EXTENSION_DAYS));
  let until = q.now + q.horizonMs;
  if (maxExtension === 0) return until;
  const preferred = q.constraint?.preferredStart;
  if (preferred !== undefined && Number.isFinite(preferred)) until = Math.max(until, preferred + DAY_MS);
  const anchor = earliestAllowed(q.constraint);
  if (anchor !== undefined) until = Math.max(until, anchor + q.horizonMs);
  return until + maxExtension * DAY_MS;
}

export function proposeSlots(q: ProposeQuery): Proposal {
  const count = Math.max(0, Math.floor(q.count));
  const from = q.now + q.minNoticeMs;
  const horizonEnd = q.now + q.horizonMs;
  const maxExtension = Math.max(0, Math.floor(q.maxExtensionDays ?? MAX_EXTENSION_DAYS));
  const preferred = q.constraint?.preferredStart !== undefined && Number.isFinite(q.constraint.preferredStart) ? q.constraint.preferredStart : undefined;
  // A preferred start ("push it a week") is searched wherever it is, with a day around it.
  let until = preferred !== undefined && maxExtension > 0 ? Math.max(horizonEnd, preferred + DAY_MS) : horizonEnd;
  const cache: BlockCache = new Map();
  let candidates = openSlots(q, from, until, cache);
  // A buyer whose window starts past the horizon ("next week", "after the 15th") gets a horizon's
  // worth of their window.
  const anchor = earliestAllowed(q.constraint);
  if (candidates.length === 0 && maxExtension > 0 && anchor !== undefined && anchor + q.horizonMs > until) {
    until = anchor + q.horizonMs;
    candidates = openSlots(q, from, until, cache);
  }
  let searchedUntil = until;
  if (candidates.length === 0 && maxExtension > 0) {
    const wide = openSlots(q, from, until + maxExtension * DAY_MS, cache);
    const want = Math.max(1, count);
    for (let k = 1; k <= maxExtension; k++) {
      searchedUntil = until + k * DAY_MS;
      const last = searchedUntil;
      candidates = wide.filter((s) => s.start <= last);
      if (candidates.length >= want) break;
    }
  }
  const extended = searchedUntil > horizonEnd;
  const preferredOpen = preferred !== undefined ? { preferredOpen: candidates.some((s) => s.start === preferred) } : {};
  if (count === 0 || candidates.length === 0) return { slots: [], extended, searchedUntil, ...preferredOpen };

  const buyerZone = isValidZone(q.buyerTimezone) ? q.buyerTimezone : undefined;
  const dayZone =
    buyerZone ??
    (q.constraint && isValidZone(q.constraint.timezone) ? q.constraint.timezone : undefined) ??
    q.attendees.find((a) => isValidZone(a.timezone))?.timezone ??
    'UTC';
  const tagged = tagDays(candidates, dayZone);

  let chosen: Candidate[];
  if (preferred !== undefined && Number.isFinite(preferred)) {
    // The exact time asked for, when open, even outside waking hours (they asked for it).
    const exact = tagged.filter((s) => s.start === preferred);
    chosen = buyerZone ? pickNearest(wakingOnly(tagged, buyerZone), count, preferred, exact) : exact;
    if (chosen.length < count) chosen = pickNearest(tagged, count, preferred, chosen);
  } else if (buyerZone) {
    chosen = pickSpread(wakingOnly(tagged, buyerZone), count, []);
    if (chosen.length < count) chosen = pickSpread(tagged, count, chosen);
  } else {
    chosen = pickSpread(tagged, count, []);
  }
  const slots = chosen
    .map(({ start, end, reps }) => ({ start, end, reps }))
    .sort((a, b) => a.start - b.start);
  return { slots, extended, searchedUntil, ...preferredOpen };
}

/**
 * The slots nearest to `target` (ties: the earlier), first those that overlap no pick, then any:
 * "an hour later" that is taken gets the open times around it.
 */
function pickNearest(pool: Candidate[], count: number, target: number, picked: Candidate[]): Candidate[] {
  const chosen = picked.slice(0, count);
  const byDistance = pool.slice().sort((a, b) => Math.abs(a.start - target) - Math.abs(b.start - target) || a.start - b.start);
  const taken = (s: Candidate) => chosen.some((c) => c.start === s.start);
  for (const s of byDistance) {
    if (chosen.length >= count) break;
    if (!taken(s) && chosen.every((c) => s.end <= c.start || c.end <= s.start)) chosen.push(s);
  }
  for (const s of byDistance) {
    if (chosen.length >= count) break;
    if (!taken(s)) chosen.push(s);
  }
  return chosen;
}
