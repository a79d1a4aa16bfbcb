/**
 * Fairness inside a pool (contract section 1): weights, caps by meeting date, windows, calibration
 * and credits given back, through the same takeTurn and applyMeetingEvent the pool workflow runs.
 * The properties check the turn function against a model of the contract written independently.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeTurn, type TurnRequest } from '../../../domain/route/fairness';
import { applyMeetingEvent, emptyLedger, type PoolLedger } from '../../../domain/route/pool-ledger';
import { periodOf } from '../../../domain/route/periods';
import { poolWithDefaults, type Cap, type Pool } from '../../../domain/team/config';

const T0 = Date.parse('2026-03-02T14:00:00Z'); // a Monday
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const RUNS = { numRuns: Number(process.env.FAIRNESS_RUNS ?? 300) };

function pool(members: string[], extra: Partial<Pool> = {}): Pool {
  return poolWithDefaults({ id: 'p', members, ...extra });
}

function request(p: Pool, eligible: string[], at: number, extra: Partial<TurnRequest> = {}): TurnRequest {
  return { pool: p, eligible, names: Object.fromEntries(p.members.map((m) => [m, m.toUpperCase()])), segment: null, at, timezone: 'UTC', holdMs: DAY, lookaheadMs: 7 * DAY, ...extra };
}

let seq = 0;
const turn = (ledger: PoolLedger, req: TurnRequest) => {
  seq++;
  return takeTurn(ledger, req, { requestId: `r${seq}`, leadId: `lead-${seq}` });
};

/**
 * The contract's weighted share, as a model: a member accrues w / (weights of who could take the
 * lead) of each lead they could take; one who joins the candidates starts on their share (the
 * pool's average), and those who stay are shifted together so their shares add up to their counts.
 */
class ShareModel {
  counts: Record<string, number> = {};
  shares: Record<string, number> = {};
  private previous: string[] = [];

  constructor(private readonly weights: Record<string, number>) {}

  reset() {
    this.counts = {};
    this.shares = {};
    this.previous = [];
  }

  turn(candidates: string[], chosen: string) {
    const before = new Set(this.previous);
    const staying = candidates.filter((c) => before.has(c));
    if (staying.length !== candidates.length || staying.length !== before.size) {
      for (const c of candidates.filter((x) => !before.has(x))) this.shares[c] = this.counts[c] ?? 0;
      const gap = staying.reduce((sum, c) => sum + (this.counts[c] ?? 0) - (this.shares[c] ?? 0), 0) / (staying.length || 1);
      for (const c of staying) this.shares[c] = (this.shares[c] ?? 0) + gap;
    }
    const total = candidates.reduce((sum, c) => sum + this.weights[c]!, 0);
    for (const c of candidates) this.shares[c] = (this.shares[c] ?? 0) + this.weights[c]! / total;
    this.counts[chosen] = (this.counts[chosen] ?? 0) + 1;
    this.previous = candidates;
  }

  distance(id: string) {
    return (this.counts[id] ?? 0) - (this.shares[id] ?? 0);
  }
}

const weightArb = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0.2, max: 6, noNaN: true }));

describe('weighted shares (property)', () => {
  it('keeps each available member within one lead of their weighted share, for any arrival order, PTO pattern and weights', () => {
    fc.assert(
      fc.property(
        fc.array(weightArb, { minLength: 2, maxLength: 9 }),
        // Each lead: hours since the last one, and who is away (PTO) for it; days roll the window.
        fc.array(fc.record({ gapHours: fc.integer({ min: 0, max: 30 }), away: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), keepAway: fc.boolean() }), { minLength: 1, maxLength: 120 }),
        (weightList, leads) => {
          const members = weightList.map((_, i) => `m${i}`);
          const weights = Object.fromEntries(members.map((m, i) => [m, weightList[i]!]));
          const p = pool(members, { weights, fairness: { window: 'day', count: 'booked', calibrate: true } });
          const ledger = emptyLedger();
          const model = new ShareModel(weights);
          let at = T0;
          let away = new Set<string>();
          let day = periodOf('day', at, 'UTC').key;
          for (const lead of leads) {
            at += lead.gapHours * HOUR;
            if (periodOf('day', at, 'UTC').key !== day) {
              day = periodOf('day', at, 'UTC').key;
              model.reset();
            }
            if (!lead.keepAway) away = new Set(members.filter((_, i) => lead.away[i]));
            const eligible = members.filter((m) => !away.has(m));
            const answer = turn(ledger, request(p, eligible, at));
            if (eligible.length === 0) {
              expect(answer.rep).toBeNull();
              continue;
            }
            expect(eligible).toContain(answer.rep);
            model.turn(eligible, answer.rep!);
            for (const m of eligible) expect(Math.abs(model.distance(m))).toBeLessThan(1);
            // The pool's own books agree with the model.
            for (const m of eligible) expect(ledger.tallies[m]!.count).toBe(model.counts[m] ?? 0);
          }
        },
      ),
      RUNS,
    );
  });

  it('gives each member their weighted share of a whole window within one lead (no model: n·w/W)', () => {
    fc.assert(
      fc.property(fc.array(weightArb, { minLength: 2, maxLength: 8 }), fc.integer({ min: 1, max: 200 }), (weightList, n) => {
        const members = weightList.map((_, i) => `m${i}`);
        const weights = Object.fromEntries(members.map((m, i) => [m, weightList[i]!]));
        const ledger = emptyLedger();
        for (let i = 0; i < n; i++) {
          turn(ledger, request(pool(members, { weights }), members, T0 + i * 1000));
          const total = weightList.reduce((a, b) => a + b, 0);
          for (const m of members) expect(Math.abs(ledger.tallies[m]!.count - ((i + 1) * weights[m]!) / total)).toBeLessThan(1);
        }
      }),
      RUNS,
    );
  });

  it('never gives a returning member more than their share since they came back (calibrate: true)', () => {
    fc.assert(
      fc.property(
        fc.array(weightArb, { minLength: 2, maxLength: 7 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 60 }),
        (weightList, before, awayFor, after) => {
          const members = weightList.map((_, i) => `m${i}`);
          const weights = Object.fromEntries(members.map((m, i) => [m, weightList[i]!]));
          const p = pool(members, { weights });
          const ledger = emptyLedger();
          const back = members[0]!;
          let i = 0;
          for (; i < before; i++) turn(ledger, request(p, members, T0 + i * 1000));
          for (let j = 0; j < awayFor; j++, i++) turn(ledger, request(p, members.slice(1), T0 + i * 1000));
          const total = weightList.reduce((a, b) => a + b, 0);
          let got = 0;
          let firstRun = 0;
          let running = true;
          for (let k = 1; k <= after; k++, i++) {
            const answer = turn(ledger, request(p, members, T0 + i * 1000));
            got += answer.rep === back ? 1 : 0;
            running &&= answer.rep === back;
            if (running) firstRun++;
            expect(got).toBeLessThan((k * weights[back]!) / total + 1);
          }
          // In a row on return: no more than their share of as many leads, plus one.
          expect(firstRun).toBeLessThan((firstRun * weights[back]!) / total + 1);
        },
      ),
      RUNS,
    );
  });

  it('with calibrate: false, a member back from PTO starts at 0 and catches up on the leads missed', () => {
    const members = ['ana', 'raj', 'lee'];
    const p = pool(members, { fairness: { window: 'month', count: 'booked', calibrate: false } });
    const ledger = emptyLedger();
    for (let i = 0; i < 9; i++) turn(ledger, request(p, ['raj', 'lee'], T0 + i * 1000));
    const next = Array.from({ length: 3 }, (_, i) => turn(ledger, request(p, members, T0 + (10 + i) * 1000)).rep);
    expect(next).toEqual(['ana', 'ana', 'ana']); // owed her third of the nine she missed
    const calibrated = emptyLedger();
    const q = pool(members);
    for (let i = 0; i < 9; i++) turn(calibrated, request(q, ['raj', 'lee'], T0 + i * 1000));
    const fair = Array.from({ length: 3 }, (_, i) => turn(calibrated, request(q, members, T0 + (10 + i) * 1000)).rep);
    expect(fair.filter((r) => r === 'ana')).toHaveLength(1);
  });
});

describe('caps (property)', () => {
  it('never books anyone past their cap, counted by meeting date, for any arrival order and caps', () => {
    const capArb = fc.option(fc.record({ count: fc.integer({ min: 1, max: 4 }), per: fc.constantFrom('day' as const, 'week' as const, 'month' as const) }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(weightArb, capArb), { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ gapHours: fc.integer({ min: 0, max: 20 }), meetsInHours: fc.array(fc.integer({ min: 1, max: 96 }), { minLength: 6, maxLength: 6 }), books: fc.boolean(), cancels: fc.boolean() }), { minLength: 1, maxLength: 80 }),
        (spec, leads) => {
          const members = spec.map((_, i) => `m${i}`);
          const weights = Object.fromEntries(members.map((m, i) => [m, spec[i]![0]]));
          const caps: Record<string, Cap> = Object.fromEntries(members.flatMap((m, i) => (spec[i]![1] ? [[m, spec[i]![1]!]] : [])));
          const p = pool(members, { weights, caps });
          const ledger = emptyLedger();
          const booked = new Map<string, number>(); // member|period key -> meetings, kept by the test
          const use = (m: string, start: number, d: number) => {
            for (const per of ['day', 'week', 'month'] as const) {
              const k = `${m}|${periodOf(per, start, 'UTC').key}`;
              booked.set(k, (booked.get(k) ?? 0) + d);
            }
          };
          let at = T0;
          for (const [n, lead] of leads.entries()) {
            at += lead.gapHours * HOUR;
            const meetingAt = Object.fromEntries(members.map((m, i) => [m, at + lead.meetsInHours[i]! * HOUR]));
            seq++;
            const leadId = `lead-${seq}`;
            const answer = takeTurn(ledger, request(p, members, at, { meetingAt, holdMs: 2 * HOUR }), { requestId: `r${seq}`, leadId });
            if (!answer.rep) {
              // Nobody left: every member is at their cap for their meeting's period.
              for (const m of members) expect(caps[m]).toBeDefined();
              continue;
            }
            const start = meetingAt[answer.rep]!;
            for (const b of answer.blocked) expect(start < b.start || start >= b.end).toBe(true);
            if (!lead.books) continue;
            applyMeetingEvent(ledger, { key: `${leadId}/booked`, leadId, repId: answer.rep, event: 'booked', meetingStart: new Date(start).toISOString() }, at);
            use(answer.rep, start, 1);
            const cap = caps[answer.rep];
            if (cap) expect(booked.get(`${answer.rep}|${periodOf(cap.per, start, 'UTC').key}`)).toBeLessThanOrEqual(cap.count);
            if (lead.cancels && n % 2 === 0) {
              applyMeetingEvent(ledger, { key: `${leadId}/canceled`, leadId, repId: answer.rep, event: 'canceled' }, at);
              use(answer.rep, start, -1);
            }
          }
        },
      ),
      RUNS,
    );
  });
});

describe('caps, windows and credits', () => {
  it('skips a member at their cap until the next period, and says so', () => {
    const p = pool(['ana', 'lee'], { caps: { lee: { count: 1, per: 'day' } } });
    const ledger = emptyLedger();
    const book = (rep: string, leadId: string, start: number) =>
      applyMeetingEvent(ledger, { key: `${leadId}/b`, leadId, repId: rep, event: 'booked', meetingStart: new Date(start).toISOString() }, T0);
    const tomorrow = T0 + DAY;
    const first = takeTurn(ledger, request(p, ['lee'], T0, { meetingAt: { lee: T0 + 2 * HOUR } }), { requestId: 'a', leadId: 'l1' });
    expect(first.rep).toBe('lee');
    book('lee', 'l1', T0 + 2 * HOUR);
    const second = takeTurn(ledger, request(p, ['ana', 'lee'], T0 + HOUR, { meetingAt: { ana: T0 + 3 * HOUR, lee: T0 + 3 * HOUR } }), { requestId: 'b', leadId: 'l2' });
    expect(second.rep).toBe('ana');
    expect(second.notes).toEqual(['LEE skipped: reached the cap of 1/day for Mon 2 Mar']);
    // Tomorrow's meeting date is a new period.
    const third = takeTurn(ledger, request(p, ['lee'], T0 + 2 * HOUR, { meetingAt: { lee: tomorrow } }), { requestId: 'c', leadId: 'l3' });
    expect(third.rep).toBe('lee');
    // Today stays blocked for the lead she got.
    expect(third.blocked).toContainEqual({ start: Date.parse('2026-03-02T00:00:00Z'), end: Date.parse('2026-03-03T00:00:00Z') });
  });

  it('an assigned lead holds its cap place until it books or its hold ends', () => {
    const p = pool(['lee'], { caps: { lee: { count: 1, per: 'week' } } });
    const ledger = emptyLedger();
    expect(takeTurn(ledger, request(p, ['lee'], T0, { holdMs: 4 * HOUR }), { requestId: 'a', leadId: 'l1' }).rep).toBe('lee');
    expect(takeTurn(ledger, request(p, ['lee'], T0 + HOUR, { holdMs: 4 * HOUR }), { requestId: 'b', leadId: 'l2' }).rep).toBeNull();
    expect(takeTurn(ledger, request(p, ['lee'], T0 + 5 * HOUR, { holdMs: 4 * HOUR }), { requestId: 'c', leadId: 'l3' }).rep).toBe('lee');
  });

  it('starts the counts again each window, in the company zone', () => {
    const p = pool(['ana', 'raj'], { fairness: { window: 'week', count: 'booked', calibrate: true } });
    const ledger = emptyLedger();
    for (let i = 0; i < 4; i++) turn(ledger, request(p, ['ana'], T0 + i * HOUR, { timezone: 'America/New_York' }));
    expect(ledger.tallies.ana!.count).toBe(4);
    // Sunday 23:30 in New York is still the same week; Monday 00:30 is the next.
    turn(ledger, request(p, ['ana'], Date.parse('2026-03-09T03:30:00Z'), { timezone: 'America/New_York' }));
    expect(ledger.tallies.ana!.count).toBe(5);
    turn(ledger, request(p, ['ana'], Date.parse('2026-03-09T04:30:00Z'), { timezone: 'America/New_York' }));
    expect(ledger.tallies.ana!.count).toBe(1);
    expect(ledger.window).toBe('w:2026-W11');
  });

  it('gives credits back: cancellations always, no-shows when the pool counts held meetings', () => {
    for (const count of ['booked', 'held'] as const) {
      const p = pool(['ana', 'raj'], { fairness: { window: 'month', count, calibrate: true } });
      const ledger = emptyLedger();
      const a = takeTurn(ledger, request(p, ['ana', 'raj'], T0), { requestId: 'a', leadId: 'l1' });
      const b = takeTurn(ledger, request(p, ['ana', 'raj'], T0), { requestId: 'b', leadId: 'l2' });
      expect([a.rep, b.rep]).toEqual(['ana', 'raj']);
      const ev = (leadId: string, repId: string, event: 'booked' | 'no_show' | 'canceled' | 'held', key = event) =>
        applyMeetingEvent(ledger, { key: `${leadId}/${key}`, leadId, repId, event, meetingStart: '2026-03-03T15:00:00Z' }, T0);
      ev('l1', 'ana', 'booked');
      ev('l2', 'raj', 'booked');
      ev('l1', 'ana', 'no_show');
      ev('l2', 'raj', 'canceled');
      expect(ledger.tallies.ana!.count).toBe(count === 'booked' ? 1 : 0);
      expect(ledger.tallies.raj!.count).toBe(0);
      expect(ledger.tallies.ana!).toMatchObject({ booked: 1, noShow: 1 });
      expect(ledger.tallies.raj!).toMatchObject({ booked: 1, canceled: 1 });
      // The same event again (an activity retry) changes nothing.
      expect(ev('l2', 'raj', 'canceled')).toBe(false);
      expect(ledger.tallies.raj!.canceled).toBe(1);
      // The member given a credit back is next.
      expect(takeTurn(ledger, request(p, ['ana', 'raj'], T0), { requestId: 'c', leadId: 'l3' }).rep).toBe(count === 'booked' ? 'raj' : 'ana');
    }
  });

  it('moves the credit to whoever covers at booking time, and the cap use with the reschedule', () => {
    const p = pool(['ana', 'raj'], { caps: { raj: { count: 1, per: 'day' } } });
    const ledger = emptyLedger();
    expect(takeTurn(ledger, request(p, ['ana', 'raj'], T0), { requestId: 'a', leadId: 'l1' }).rep).toBe('ana');
    applyMeetingEvent(ledger, { key: 'l1/booked', leadId: 'l1', repId: 'raj', event: 'booked', meetingStart: '2026-03-03T15:00:00Z' }, T0);
    expect(ledger.tallies.ana!.count).toBe(0);
    expect(ledger.tallies.raj!.count).toBe(1);
    expect(ledger.capUse.raj).toMatchObject({ 'd:2026-03-03': 1 });
    applyMeetingEvent(ledger, { key: 'l1/rescheduled-1', leadId: 'l1', repId: 'raj', event: 'rescheduled', meetingStart: '2026-03-04T15:00:00Z' }, T0);
    expect(ledger.capUse.raj!['d:2026-03-03']).toBeUndefined();
    expect(ledger.capUse.raj).toMatchObject({ 'd:2026-03-04': 1 });
  });
});
