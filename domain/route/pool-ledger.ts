/**
 * A pool's ledger: what its workflow keeps durable between turns. The window's count and deficit
 * per member (fair-share.ts), each lead's credit and meeting (so outcomes can give credits back and
 * caps count by meeting date), cap use per period, and outcome tallies per member and segment for
 * learning. Meeting events (booked, rescheduled, canceled, held, no_show, rep_no_show, released)
 * arrive from the lead workflows, idempotently by key. Pure: the caller passes the time.
 */
import type { Cap, Fairness, Pool } from '../team/pools';
import { segmentPath, type Segment, type Tally } from './learning';
import { periodOf, windowOf, type Period, type PeriodKind } from './periods';

export const TURN_POLICIES = ['fair', 'learn', 'explore', 'holdout', 'floor'] as const;
export type TurnPolicy = (typeof TURN_POLICIES)[number];
export type MeetingState = 'assigned' | 'booked' | 'held' | 'no_show' | 'rep_no_show' | 'canceled' | 'released';

export const MEETING_EVENTS = ['booked', 'rescheduled', 'canceled', 'held', 'no_show', 'rep_no_show', 'released'] as const;
export type MeetingEventType = (typeof MEETING_EVENTS)[number];

/** One thing that happened to a lead's meeting, as the lead workflow reports it to the pool. */
export interface MeetingEvent {
  /** Idempotency key: an event with a key already seen changes nothing (activity retries). */
  key: string;
  /** The lead workflow's id: the pool tracks one credit and meeting per lead. */
  leadId: string;
  /** Who has the meeting (after any PTO cover): the credit moves to them. */
  repId: string;
  event: MeetingEventType;
  /** ISO start of the meeting: required for `booked` and `rescheduled` (the new start). */
  meetingStart?: string;
  segment?: Segment | null;
}

export interface MemberTally {
  /** Credits in the window: leads assigned, less those given back (what `fairness.count` says). */
  count: number;
  /** Weighted share minus count (fair-share.ts). */
  deficit: number;
  /** The same on the holdout's own rotation, so holdout leads are a clean fair sample. */
  holdoutDeficit: number;
  assigned: number;
  booked: number;
  held: number;
  noShow: number;
  repNoShow: number;
  canceled: number;
  released: number;
}

export interface LedgerMeeting {
  member: string;
  window: string;
  /** When the turn was taken. */
  at: number;
  /** Earliest time the meeting could be, at the turn: where an unbooked lead holds its cap place. */
  expectedAt: number;
  start: number | null;
  state: MeetingState;
  /** Whether the lead's credit counts now (given back by cancellations, and no-shows under `held`). */
  counted: boolean;
  segment: Segment | null;
  policy: TurnPolicy;
}

/** The pool as the ledger last saw it in a turn: enough for the report without the team file. */
export type PoolSnapshot = Pick<Pool, 'id' | 'name' | 'members' | 'distribution' | 'weights' | 'caps' | 'fairness' | 'learn'> & {
  names: Record<string, string>;
  timezone: string;
  holdMs: number;
  /** Who could take the last lead. */
  eligible: string[];
  at: number;
};

export interface PoolLedger {
  window: string | null;
  tallies: Record<string, MemberTally>;
  /** The candidates of the last turn (calibration re-centres when they change). */
  candidates: string[];
  lastAssigned: string | null;
  meetings: Record<string, LedgerMeeting>;
  /** Meetings per member per period key (`d:`, `w:`, `m:`), by meeting date. */
  capUse: Record<string, Record<string, number>>;
  /** Per member, per segment key (learning.ts `segmentPath`): [held, meetings with an outcome]. */
  held: Record<string, Record<string, Tally>>;
  /** Per member, per segment key: [booked, leads that booked or ended without a meeting]. */
  booked: Record<string, Record<string, Tally>>;
  /** Held meetings by how the lead was routed: the holdout against learning, on live traffic. */
  measured: Partial<Record<TurnPolicy, Tally>>;
  /** Meeting event keys already applied, oldest first. */
  seen: string[];
  config: PoolSnapshot | null;
  /** Turns taken, all windows (pruning runs every so many). */
  turns?: number;
}

const SEEN_LIMIT = 4_000;
const PRUNE_EVERY = 200;
const MEETINGS_LIMIT = 3_000;
const SEGMENT_KEYS_LIMIT = 400;
const DAY = 86_400_000;

export function emptyLedger(lastAssigned: string | null = null): PoolLedger {
  return { window: null, tallies: {}, candidates: [], lastAssigned, meetings: {}, capUse: {}, held: {}, booked: {}, measured: {}, seen: [], config: null };
}

export function emptyTally(): MemberTally {
  return { count: 0, deficit: 0, holdoutDeficit: 0, assigned: 0, booked: 0, held: 0, noShow: 0, repNoShow: 0, canceled: 0, released: 0 };
}

export function tallyOf(ledger: PoolLedger, id: string): MemberTally {
  return (ledger.tallies[id] ??= emptyTally());
}

/** The window containing `at` for the pool as last seen (a month in UTC before any turn). */
export function windowAt(ledger: PoolLedger, at: number): Period {
  return windowOf(ledger.config?.fairness.window ?? 'month', at, ledger.config?.timezone ?? 'UTC');
}

/** Starts the counts again when `at` is in a new window; returns the current window's key. */
export function rollWindow(ledger: PoolLedger, at: number): string {
  const { key } = windowAt(ledger, at);
  if (ledger.window !== key) {
    for (const id of Object.keys(ledger.tallies)) ledger.tallies[id] = emptyTally();
    ledger.window = key;
    ledger.candidates = [];
  }
  return key;
}

/** Whether a lead's credit counts, by its meeting's state and what the pool counts. */
export function creditCounts(state: MeetingState, count: Fairness['count']): boolean {
  if (state === 'canceled' || state === 'released') return false;
  if (state === 'no_show') return count === 'booked';
  return true;
}

/** Gives a credit back or takes it, in the window it was earned in (a past window is closed). */
export function setCounted(ledger: PoolLedger, meeting: LedgerMeeting, counted: boolean): void {
  if (meeting.counted === counted) return;
  meeting.counted = counted;
  if (meeting.window !== ledger.window) return;
  const tally = tallyOf(ledger, meeting.member);
  tally.count += counted ? 1 : -1;
  tally.deficit -= counted ? 1 : -1;
}

const usesCap = (state: MeetingState) => state === 'booked' || state === 'held' || state === 'no_show' || state === 'rep_no_show';
const CAP_KINDS: PeriodKind[] = ['day', 'week', 'month'];

function addCapUse(ledger: PoolLedger, member: string, start: number, delta: number): void {
  const zone = ledger.config?.timezone ?? 'UTC';
  const use = (ledger.capUse[member] ??= {});
  for (const kind of CAP_KINDS) {
    const { key } = periodOf(kind, start, zone);
    use[key] = Math.max(0, (use[key] ?? 0) + delta);
    if (use[key] === 0) delete use[key];
  }
}

/**
 * Meetings `member` has in `period` by meeting date, plus the places held by leads assigned to
 * them that have not booked yet (for `holdMs` after their turn), except `exceptLead`'s.
 */
export function capUsed(ledger: PoolLedger, member: string, period: Period, now: number, holdMs: number, exceptLead?: string): number {
  let used = ledger.capUse[member]?.[period.key] ?? 0;
  for (const [lead, m] of Object.entries(ledger.meetings)) {
    if (lead === exceptLead || m.member !== member || m.state !== 'assigned' || m.at + holdMs <= now) continue;
    if (m.expectedAt >= period.start && m.expectedAt < period.end) used++;
  }
  return used;
}

export function atCap(ledger: PoolLedger, member: string, cap: Cap | undefined, at: number, now: number, holdMs: number, exceptLead?: string): Period | null {
  if (!cap) return null;
  const period = periodOf(cap.per, at, ledger.config?.timezone ?? 'UTC');
  return capUsed(ledger, member, period, now, holdMs, exceptLead) >= cap.count ? period : null;
}

function recordOutcome(book: Record<string, Record<string, Tally>>, member: string, segment: Segment | null, success: boolean): void {
  const stats = (book[member] ??= {});
  let added = false;
  for (const key of segmentPath(segment)) {
    const known = stats[key];
    added ||= !known;
    stats[key] = known ? [known[0] + (success ? 1 : 0), known[1] + 1] : [success ? 1 : 0, 1];
  }
  const keys = added ? Object.keys(stats) : [];
  if (keys.length > SEGMENT_KEYS_LIMIT) {
    // The deepest, least-seen segments go first; the member's overall and industry tallies stay.
    const deep = keys.filter((k) => k.split('|').length === 3).sort((a, b) => stats[a]![1] - stats[b]![1]);
    for (const k of deep.slice(0, keys.length - SEGMENT_KEYS_LIMIT)) delete stats[k];
  }
}

function measure(ledger: PoolLedger, policy: TurnPolicy, held: boolean): void {
  const [s, n] = ledger.measured[policy] ?? [0, 0];
  ledger.measured[policy] = [s + (held ? 1 : 0), n + 1];
}

/** The seen keys as a set, beside the ledger's durable list (rebuilt from it after a restart). */
const seenSets = new WeakMap<PoolLedger, Set<string>>();

/** Records `key`; false when it was seen already. Trims the oldest keys in batches. */
function remember(ledger: PoolLedger, key: string): boolean {
  let seen = seenSets.get(ledger);
  if (!seen) seenSets.set(ledger, (seen = new Set(ledger.seen)));
  if (seen.has(key)) return false;
  seen.add(key);
  ledger.seen.push(key);
  if (ledger.seen.length > SEEN_LIMIT * 1.25) {
    for (const old of ledger.seen.splice(0, ledger.seen.length - SEEN_LIMIT)) seen.delete(old);
  }
  return true;
}

const windowCounter: Partial<Record<MeetingEventType, keyof MemberTally>> = {
  booked: 'booked',
  held: 'held',
  no_show: 'noShow',
  rep_no_show: 'repNoShow',
  canceled: 'canceled',
  released: 'released',
};

/**
 * Applies one meeting event; false when its key was seen before. The credit follows whoever has the
 * meeting (a cover at booking time); a lead the ledger never saw (routed before it existed) gets its
 * credit when it books.
 */
export function applyMeetingEvent(ledger: PoolLedger, e: MeetingEvent, now: number): boolean {
  if (!remember(ledger, e.key)) return false;
  const window = rollWindow(ledger, now);
  const count = ledger.config?.fairness.count ?? 'booked';
  const parsed = e.meetingStart ? Date.parse(e.meetingStart) : NaN;
  const start = Number.isFinite(parsed) ? parsed : null;

  let m = ledger.meetings[e.leadId];
  if (!m) {
    // Only a meeting that happened can be counted without its turn; a stray cancel or release changes nothing.
    if (e.event === 'canceled' || e.event === 'released') return true;
    m = { member: e.repId, window, at: now, expectedAt: start ?? now, start: null, state: 'assigned', counted: false, segment: e.segment ?? null, policy: 'fair' };
    ledger.meetings[e.leadId] = m;
    setCounted(ledger, m, true);
    tallyOf(ledger, e.repId).assigned++;
  }
  if (e.segment) m.segment = e.segment;
  if (m.member !== e.repId) {
    const counted = m.counted;
    setCounted(ledger, m, false);
    if (m.start !== null && usesCap(m.state)) addCapUse(ledger, m.member, m.start, -1);
    m.member = e.repId;
    if (m.start !== null && usesCap(m.state)) addCapUse(ledger, m.member, m.start, +1);
    setCounted(ledger, m, counted);
  }

  const before = m.state;
  let next: MeetingState = before;
  switch (e.event) {
    case 'booked':
    case 'rescheduled': {
      const when = start ?? m.start;
      if (m.start !== null && usesCap(before)) addCapUse(ledger, m.member, m.start, -1);
      if (when !== null) addCapUse(ledger, m.member, when, +1);
      m.start = when;
      if (e.event === 'booked' || !usesCap(before)) next = 'booked';
      if (before === 'assigned') recordOutcome(ledger.booked, m.member, m.segment, true);
      break;
    }
    case 'canceled':
      if (!usesCap(before)) return true;
      if (m.start !== null) addCapUse(ledger, m.member, m.start, -1);
      if (before === 'booked') {
        recordOutcome(ledger.held, m.member, m.segment, false);
        measure(ledger, m.policy, false);
      }
      next = 'canceled';
      break;
    case 'held':
    case 'no_show':
    case 'rep_no_show':
      if (!usesCap(before) && m.start === null && start !== null) {
        m.start = start;
        addCapUse(ledger, m.member, start, +1);
      }
      if (before !== 'held' && before !== 'no_show' && before !== 'rep_no_show') {
        recordOutcome(ledger.held, m.member, m.segment, e.event === 'held');
        measure(ledger, m.policy, e.event === 'held');
      }
      next = e.event;
      break;
    case 'released':
      if (before !== 'assigned') return true;
      recordOutcome(ledger.booked, m.member, m.segment, false);
      next = 'released';
      break;
  }
  const counter = windowCounter[e.event];
  if (counter && m.window === window && next !== before) tallyOf(ledger, m.member)[counter]++;
  m.state = next;
  setCounted(ledger, m, creditCounts(next, count));
  return true;
}

/** A lead that turns again (a cover, a group pick at booking) replaces its open credit and meeting. */
export function dropOpenMeeting(ledger: PoolLedger, leadId: string): void {
  const m = ledger.meetings[leadId];
  if (!m || (m.state !== 'assigned' && m.state !== 'booked')) return;
  setCounted(ledger, m, false);
  if (m.state === 'booked' && m.start !== null) addCapUse(ledger, m.member, m.start, -1);
  delete ledger.meetings[leadId];
}

/**
 * Keeps the ledger bounded: old finished meetings, then stale unbooked leads, then long-past
 * meetings; cap use of periods long gone. Runs every PRUNE_EVERY turns: counting the meetings on
 * every turn would cost more than the turn.
 */
export function pruneLedger(ledger: PoolLedger, now: number): void {
  ledger.turns = (ledger.turns ?? 0) + 1;
  if (ledger.turns % PRUNE_EVERY !== 0) return;
  const holdMs = ledger.config?.holdMs ?? DAY;
  const zone = ledger.config?.timezone ?? 'UTC';
  const cutoff = Object.fromEntries(CAP_KINDS.map((kind) => [kind[0], periodOf(kind, now - 62 * DAY, zone).key]));
  for (const [member, use] of Object.entries(ledger.capUse)) {
    for (const key of Object.keys(use)) if (key < cutoff[key[0]!]!) delete use[key];
    if (Object.keys(use).length === 0) delete ledger.capUse[member];
  }
  const entries = Object.entries(ledger.meetings);
  if (entries.length <= MEETINGS_LIMIT) return;
  const rank = (m: LedgerMeeting) =>
    m.state === 'assigned' ? (m.at + holdMs < now ? 1 : 3) : m.state === 'booked' ? ((m.start ?? m.at) < now - 7 * DAY ? 2 : 4) : 0;
  const ranked = entries.map(([lead, m]) => ({ lead, rank: rank(m), at: m.at }));
  ranked.sort((a, b) => a.rank - b.rank || a.at - b.at);
  for (const { lead } of ranked.slice(0, entries.length - MEETINGS_LIMIT / 2)) delete ledger.meetings[lead];
}
