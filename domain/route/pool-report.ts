/**
 * What a lead tells the pools that gave it a turn, decided from where its meeting stands and what
 * it told them last: booked (with the start, so caps count by meeting date), moved, handed to a
 * cover, held, missed by either side, canceled, or released when the lead closed without a meeting.
 * Pure: the lead workflow keeps `PoolReported` and sends the events (activities/pool.ts).
 */
import type { MeetingOutcome } from '../lead-stages';
import type { MeetingEventType } from './pool-ledger';
import type { RouteDecision } from './routing';

/** What the pools heard last from this lead. */
export interface PoolReported {
  /** Who each pool heard has the meeting. */
  holders: Record<string, string>;
  /** The start the pools heard, once booked. */
  start: string | null;
  /** The last event, so each is said once. */
  last: MeetingEventType | null;
  /** Events sent so far: numbers their keys, so a retried step repeats a key and a new event never does. */
  sent: number;
}

/** Where the lead's meeting stands now. */
export interface MeetingNow {
  booking: { start: string; attendees: readonly string[] } | null;
  /** The meeting's outcome, once booked. */
  outcome: MeetingOutcome | null;
  /** The lead has ended. */
  closed: boolean;
}

export interface PoolReport {
  key: string;
  poolId: string;
  repId: string;
  event: MeetingEventType;
  meetingStart?: string;
}

type Decision = Pick<RouteDecision, 'poolTurns' | 'pool' | 'mode' | 'reps' | 'attendees'>;

/** The pools that gave this lead a turn, and who got each (the routing decision's record). */
function turnsOf(decision: Decision): { pool: string; rep: string | null }[] {
  const turns = new Map<string, string | null>();
  for (const t of decision.poolTurns ?? []) if (!turns.has(t.pool)) turns.set(t.pool, t.rep);
  // A group pool takes its turn at booking, among whoever is free then.
  if (decision.mode === 'any' && decision.pool && !turns.has(decision.pool)) turns.set(decision.pool, null);
  return [...turns].map(([pool, rep]) => ({ pool, rep }));
}

/**
 * Who has the pool's meeting now: the rep who got the turn while they attend; the group member
 * booked; else whoever came in for them (a cover is an attendee the routing decision did not name).
 */
function holderOf(decision: Decision, turn: { rep: string | null }, attendees: readonly string[]): string | null {
  if (turn.rep && attendees.includes(turn.rep)) return turn.rep;
  if (decision.mode === 'any') return attendees.find((id) => decision.reps.includes(id)) ?? turn.rep;
  return attendees.find((id) => !decision.attendees.includes(id)) ?? turn.rep;
}

const OUTCOME_EVENTS: Partial<Record<MeetingOutcome, MeetingEventType>> = { held: 'held', no_show: 'no_show', rep_no_show: 'rep_no_show', canceled: 'canceled' };

/** The events to send now (in order), and what the pools will have heard once they are sent. */
export function poolReports(leadKey: string, decision: Decision | null, before: PoolReported | null, now: MeetingNow): { events: PoolReport[]; reported: PoolReported } {
  const reported: PoolReported = before ? { ...before, holders: { ...before.holders } } : { holders: {}, start: null, last: null, sent: 0 };
  const events: PoolReport[] = [];
  if (!decision) return { events, reported };
  const say = (poolId: string, repId: string, event: MeetingEventType, meetingStart?: string) => {
    events.push({ key: `${leadKey}/pool-${reported.sent++}`, poolId, repId, event, ...(meetingStart ? { meetingStart } : {}) });
  };
  const turns = turnsOf(decision);
  const { booking } = now;

  if (!booking) {
    // Closed without ever booking: the turns come back as released.
    if (now.closed && reported.last === null) {
      for (const t of turns) if (t.rep) say(t.pool, t.rep, 'released');
      reported.last = 'released';
    }
    return { events, reported };
  }

  const outcomeEvent = now.outcome ? OUTCOME_EVENTS[now.outcome] : undefined;
  if (reported.last === 'held' || reported.last === 'canceled' || reported.last === 'released') return { events, reported };
  if (reported.last === 'no_show' || reported.last === 'rep_no_show') {
    // A missed meeting's recovery: the pools hear only that it was held in the end (with whoever
    // held it), so a pool counting held meetings counts it; its cap place stays at the first date.
    if (outcomeEvent === 'held') {
      for (const t of turns) {
        const holder = holderOf(decision, t, booking.attendees) ?? reported.holders[t.pool];
        if (holder) say(t.pool, holder, 'held');
      }
      reported.last = 'held';
    }
    return { events, reported };
  }

  const first = reported.start === null;
  for (const t of turns) {
    const holder = holderOf(decision, t, booking.attendees);
    if (!holder) continue;
    if (first) say(t.pool, holder, 'booked', booking.start);
    else if (reported.holders[t.pool] !== holder || reported.start !== booking.start) say(t.pool, holder, 'rescheduled', booking.start);
    reported.holders[t.pool] = holder;
  }
  if (first || reported.start !== booking.start) reported.last = first ? 'booked' : 'rescheduled';
  reported.start = booking.start;

  if (outcomeEvent) {
    for (const t of turns) {
      const holder = reported.holders[t.pool];
      if (holder) say(t.pool, holder, outcomeEvent);
    }
    reported.last = outcomeEvent;
  }
  return { events, reported };
}
