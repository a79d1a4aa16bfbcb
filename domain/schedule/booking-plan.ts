/**
 * Who a chosen time is booked with, decided again at booking from the calendars as they are now:
 * reps on PTO at the time are covered (backup, then a pool mate), a group pool's turn goes to one
 * of the members free then, and the time is gone (SlotConflict) when anyone needed is taken or
 * nobody can cover. Pure: the activity loads who is free and away, answers the pool turns this
 * yields, then creates the event (activities/calendar.ts).
 */
import { SlotConflict } from '../errors';
import { findCover, type Escalation } from '../route/availability';
import type { TurnAnswer, TurnRequest } from '../route/fairness';
import type { RouteDecision } from '../route/routing';
import { findPool, type Pool, type TeamConfig } from '../team/config';

/** What the calendars say about the chosen time, for everyone on the team. */
export interface SlotCheck {
  proposal: { start: string; attendees: readonly string[] };
  /** Reps whose calendar and hours leave the time open. */
  free: ReadonlySet<string>;
  /** Reps on PTO (or out of office) during the time. */
  away: ReadonlySet<string>;
}

export interface BookingPlan {
  /** Who owns the meeting (after cover); the first one organises it. */
  reps: string[];
  /** Everyone from the team who attends: the reps, then the attendees a rule added. */
  attendees: string[];
  escalated: Escalation[];
}

/** A pool turn the plan needs: a cover for someone away, or a group pool's pick. */
export interface BookingTurn {
  kind: 'cover' | 'book';
  request: TurnRequest;
}

type Decision = Pick<RouteDecision, 'mode' | 'reps' | 'extraAttendees' | 'pool'>;

export function* planBooking(
  team: Pick<TeamConfig, 'reps' | 'pools'>,
  decision: Decision,
  slot: SlotCheck,
  turnAt: (pool: Pool, eligible: string[]) => TurnRequest,
): Generator<BookingTurn, BookingPlan, TurnAnswer> {
  const { start } = slot.proposal;
  const escalated: Escalation[] = [];
  const involved = new Set([...decision.reps, ...decision.extraAttendees]);

  function* coveredAt(id: string): Generator<BookingTurn, string, TurnAnswer> {
    if (!slot.away.has(id)) return id;
    const steps = findCover(team, id, (candidate) => slot.away.has(candidate) || !slot.free.has(candidate), turnAt, involved);
    let step = steps.next();
    while (!step.done) step = steps.next(yield { kind: 'cover', request: step.value });
    escalated.push(...step.value.escalated);
    if (!step.value.repId) throw new SlotConflict(`${id} is on PTO at ${start} and nobody can cover`);
    return step.value.repId;
  }

  const reps: string[] = [];
  const extras: string[] = [];
  if (decision.mode === 'any') {
    // The attendees a rule added first: if one of them is taken, the time is gone, and the pool's
    // rotation must not spend a turn on a booking that cannot happen.
    for (const id of decision.extraAttendees) extras.push(yield* coveredAt(id));
    const taken = extras.filter((id) => !slot.free.has(id));
    if (taken.length > 0) throw new SlotConflict(`${taken.join(', ')} no longer free at ${start}`, { details: { busy: taken } });
    const free = slot.proposal.attendees.filter((id) => decision.reps.includes(id) && !extras.includes(id) && slot.free.has(id) && !slot.away.has(id));
    if (free.length === 0) throw new SlotConflict(`nobody in ${decision.pool} is free at ${start} any more`);
    // The group's turn: whoever of those free at the time the pool's fairness picks.
    const pool = findPool(team, decision.pool!)!;
    const chosen: TurnAnswer = yield { kind: 'book', request: turnAt(pool, free) };
    if (!chosen.rep) throw new SlotConflict(`everyone in ${pool.name} free at ${start} has reached their cap`, { details: { notes: chosen.notes } });
    reps.push(chosen.rep);
  } else {
    for (const id of decision.reps) reps.push(yield* coveredAt(id));
    for (const id of decision.extraAttendees) extras.push(yield* coveredAt(id));
  }
  const attendees = [...new Set([...reps, ...extras])];
  const busy = attendees.filter((id) => !slot.free.has(id));
  if (busy.length > 0) throw new SlotConflict(`${busy.join(', ')} no longer free at ${start}`, { details: { busy } });
  return { reps, attendees, escalated };
}
