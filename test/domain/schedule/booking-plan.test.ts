import { describe, expect, it } from 'vitest';
import { SlotConflict } from '../../../domain/errors';
import type { TurnAnswer, TurnRequest } from '../../../domain/route/fairness';
import { planBooking, type BookingTurn, type SlotCheck } from '../../../domain/schedule/booking-plan';
import { poolWithDefaults, type Pool, type Rep } from '../../../domain/team/config';
import { parseWorkingHours, type DayHours } from '../../../domain/team/hours';

const ALL_WEEK = parseWorkingHours('Mon-Sun 00:00-24:00') as DayHours[];
const rep = (id: string, backup?: string): Rep => ({ id, name: id, email: `${id}@acme.example`, timezone: 'UTC', hours: ALL_WEEK, pto: [], ...(backup ? { backup } : {}) });
const team = {
  reps: [rep('sarah', 'tom'), rep('tom'), rep('sam'), rep('alex'), rep('mark')],
  pools: [poolWithDefaults({ id: 'smb', name: 'SMB desk', members: ['sam', 'alex'] }), poolWithDefaults({ id: 'care', members: ['sarah', 'alex'] })],
};
const START = '2026-12-03T15:00:00.000Z';
const turnAt = (pool: Pool, eligible: string[]): TurnRequest => ({ pool, eligible, names: {}, segment: null, at: 0, timezone: 'UTC', holdMs: 0, lookaheadMs: 0 });
const slot = (free: string[], away: string[] = [], attendees = free): SlotCheck => ({ proposal: { start: START, attendees }, free: new Set(free), away: new Set(away) });
const direct = (reps: string[], extraAttendees: string[] = []) => ({ mode: 'all' as const, reps, extraAttendees, pool: null });
const group = (extraAttendees: string[] = []) => ({ mode: 'any' as const, reps: ['sam', 'alex'], extraAttendees, pool: 'smb' });

/** Runs the plan, answering each pool turn with `answer`, and records the turns asked. */
function plan(decision: Parameters<typeof planBooking>[1], check: SlotCheck, answer: (t: BookingTurn) => string | null = (t) => t.request.eligible[0]!) {
  const asked: string[] = [];
  const steps = planBooking(team, decision, check, turnAt);
  let step = steps.next();
  while (!step.done) {
    asked.push(`${step.value.kind}:${step.value.request.pool.id}:${step.value.request.eligible.join('+')}`);
    const rep = answer(step.value);
    step = steps.next({ rep, notes: rep ? [] : ['at cap'], policy: 'fair', blocked: [] } satisfies TurnAnswer);
  }
  return { ...step.value, asked };
}

describe('who a chosen time is booked with', () => {
  it('books the routed rep, with the attendees a rule added, asking no pool', () => {
    expect(plan(direct(['sarah'], ['mark']), slot(['sarah', 'mark']))).toEqual({ reps: ['sarah'], attendees: ['sarah', 'mark'], escalated: [], asked: [] });
  });

  it('covers a rep on PTO by their backup, then by a pool mate free at the time', () => {
    expect(plan(direct(['sarah']), slot(['tom', 'alex'], ['sarah']))).toMatchObject({ reps: ['tom'], escalated: [{ from: 'sarah', to: 'tom', reason: 'pto' }], asked: [] });
    const mate = plan(direct(['sarah']), slot(['alex'], ['sarah', 'tom']));
    expect(mate).toMatchObject({ reps: ['alex'], asked: ['cover:care:alex'] });
    expect(mate.escalated.at(-1)).toEqual({ from: 'sarah', to: 'alex', reason: 'pto' });
  });

  it('gives the time up when nobody can cover, or anyone needed is taken', () => {
    expect(() => plan(direct(['sarah']), slot([], ['sarah', 'tom']))).toThrow(new SlotConflict(`sarah is on PTO at ${START} and nobody can cover`));
    expect(() => plan(direct(['sarah'], ['mark']), slot(['sarah']))).toThrow(`mark no longer free at ${START}`);
  });

  it("takes a group pool's turn among the members free then, and spends none when the time is gone", () => {
    expect(plan(group(), slot(['alex'], [], ['sam', 'alex']))).toMatchObject({ reps: ['alex'], asked: ['book:smb:alex'] });
    // Mark (added by a rule) is taken: no turn of the pool is spent on a booking that cannot happen.
    expect(() => plan(group(['mark']), slot(['sam', 'alex'], [], ['sam', 'alex']), () => { throw new Error('a turn was asked'); })).toThrow(`mark no longer free at ${START}`);
    expect(() => plan(group(), slot(['sam', 'alex']), () => null)).toThrow(`everyone in SMB desk free at ${START} has reached their cap`);
    expect(() => plan(group(), slot([], [], ['sam', 'alex']))).toThrow(`nobody in smb is free at ${START} any more`);
  });
});
