/** Learning from outcomes (`learn:` on a pool): Thompson sampling bounded by the fairness floor, with a holdout. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeTurn, type TurnRequest } from '../../../domain/route/fairness';
import { posterior, sampleBeta, seededRandom, segmentOf, segmentPath, type Segment } from '../../../domain/route/learning';
import { applyMeetingEvent, emptyLedger, type PoolLedger } from '../../../domain/route/pool-ledger';
import { simulate } from '../../../domain/route/simulate';
import { poolWithDefaults, type Pool } from '../../../domain/team/config';

const T0 = Date.parse('2026-03-02T14:00:00Z');
const RUNS = { numRuns: Number(process.env.FAIRNESS_RUNS ?? 300) };
const healthcare: Segment = { industry: 'healthcare', size: '200-999', territory: 'West Coast' };
const learnPool = (members: string[], learn = { metric: 'held' as const, explore: 0.1, holdout: 0.1, minShare: 0.5 }): Pool =>
  poolWithDefaults({ id: 'p', members, learn });
const names = { ana: 'Ana', raj: 'Raj', lee: 'Lee' };
const request = (p: Pool, segment: Segment | null, at = T0, eligible = p.members): TurnRequest => ({
  pool: p, eligible, names, segment, at, timezone: 'UTC', holdMs: 86_400_000, lookaheadMs: 0,
});

/** Feeds the ledger `held` of `total` outcomes for `rep` in `segment`, as finished meetings. */
function history(ledger: PoolLedger, rep: string, segment: Segment, held: number, total: number) {
  for (let i = 0; i < total; i++) {
    const leadId = `past-${rep}-${segment.industry}-${i}`;
    applyMeetingEvent(ledger, { key: `${leadId}/b`, leadId, repId: rep, event: 'booked', meetingStart: '2026-02-20T15:00:00Z', segment }, T0);
    applyMeetingEvent(ledger, { key: `${leadId}/o`, leadId, repId: rep, event: i < held ? 'held' : 'no_show' }, T0);
  }
}

describe('posteriors and sampling', () => {
  it('reads segments from facts and keys outcomes broadest first', () => {
    expect(segmentOf({ industry: { value: 'healthcare', source: 'field' }, employees: { value: 2000, source: 'field' }, territories: ['West Coast', 'PNW'] })).toEqual({
      industry: 'healthcare',
      size: '1000+',
      territory: 'West Coast',
    });
    expect(segmentPath(healthcare)).toEqual(['', 'healthcare', 'healthcare|200-999', 'healthcare|200-999|West Coast']);
    expect(segmentPath(null)).toEqual(['', '?', '?|?', '?|?|?']);
  });

  it('shrinks a sparse segment towards the broader one above it', () => {
    const stats = { '': [80, 100] as [number, number], healthcare: [1, 1] as [number, number] };
    const { alpha, beta } = posterior(stats, ['', 'healthcare']);
    expect(alpha / (alpha + beta)).toBeGreaterThan(0.75); // one held meeting does not make a 100% rate
    expect(alpha / (alpha + beta)).toBeLessThan(0.9);
  });

  it('samples Beta(a, b) with the right mean, deterministically from its seed', () => {
    const draws = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 4000 }, () => sampleBeta(8, 2, random));
    };
    const xs = draws(7);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.8, 1);
    expect(draws(7)).toEqual(xs);
  });
});

describe('learning in turns', () => {
  it('leans to the member whose similar meetings were held, and says it in words', () => {
    const p = learnPool(['ana', 'raj']);
    const ledger = emptyLedger();
    // Equal footing in the window first, so the fairness floor is not what decides.
    for (let i = 0; i < 10; i++) takeTurn(ledger, request(poolWithDefaults({ id: 'p', members: ['ana', 'raj'] }), null), { requestId: `warm${i}`, leadId: `w${i}` });
    history(ledger, 'ana', healthcare, 31, 38);
    history(ledger, 'raj', healthcare, 9, 30);
    const answers = Array.from({ length: 40 }, (_, i) => takeTurn(ledger, request(p, healthcare), { requestId: `r${i}`, leadId: `l${i}` }));
    const learned = answers.filter((a) => a.policy === 'learn');
    expect(learned.length).toBeGreaterThan(10);
    expect(learned.filter((a) => a.rep === 'ana').length).toBeGreaterThan(learned.length * 0.6);
    const note = learned.find((a) => a.rep === 'ana')!.notes.at(-1);
    expect(note).toBe('Ana: 31 of 38 healthcare meetings held (Raj: 9 of 30); leaning to Ana');
  });

  it('answers the same request id the same way (replay and retries), and decides holdout and explore by it', () => {
    const p = learnPool(['ana', 'raj', 'lee'], { metric: 'held', explore: 0.15, holdout: 0.2, minShare: 0.5 });
    const a = emptyLedger();
    const b = emptyLedger();
    const policies: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = takeTurn(a, request(p, healthcare, T0 + i * 1000), { requestId: `lead-${i}#0`, leadId: `l${i}` });
      const y = takeTurn(b, request(p, healthcare, T0 + i * 1000), { requestId: `lead-${i}#0`, leadId: `l${i}` });
      expect(y).toEqual(x);
      policies.push(x.policy);
    }
    const share = (policy: string) => policies.filter((x) => x === policy).length / policies.length;
    expect(share('holdout')).toBeGreaterThan(0.17);
    expect(share('holdout')).toBeLessThan(0.23);
    expect(share('explore')).toBeGreaterThan(0.12);
    expect(share('explore')).toBeLessThan(0.18);
  });

  it('keeps the holdout on a clean fair rotation, whatever learning does', () => {
    const p = learnPool(['ana', 'raj', 'lee'], { metric: 'held', explore: 0, holdout: 0.3, minShare: 0.1 });
    const ledger = emptyLedger();
    history(ledger, 'ana', healthcare, 90, 100);
    history(ledger, 'raj', healthcare, 5, 100);
    history(ledger, 'lee', healthcare, 5, 100);
    const holdout: Record<string, number> = {};
    for (let i = 0; i < 900; i++) {
      const a = takeTurn(ledger, request(p, healthcare, T0 + i * 1000), { requestId: `h${i}`, leadId: `h${i}` });
      if (a.policy === 'holdout') holdout[a.rep!] = (holdout[a.rep!] ?? 0) + 1;
    }
    const counts = Object.values(holdout);
    expect(counts).toHaveLength(3);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('never gives anyone less than minShare of their weighted share, nor anyone outside the candidates (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }),
        fc.double({ min: 0.1, max: 0.9, noNaN: true }),
        fc.array(fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), { minLength: 20, maxLength: 150 }),
        (rates, weightList, minShare, absences) => {
          const members = rates.map((_, i) => `m${i}`);
          const weights = Object.fromEntries(members.map((m, i) => [m, weightList[i]!]));
          const p = poolWithDefaults({ id: 'p', members, weights, learn: { metric: 'held', explore: 0, holdout: 0, minShare } });
          const ledger = emptyLedger();
          const random = seededRandom(rates.length * 7919);
          for (const [i, away] of absences.entries()) {
            const eligible = members.filter((_, j) => !away[j] || j === i % members.length);
            const leadId = `l${i}`;
            const a = takeTurn(ledger, request(p, healthcare, T0 + i * 1000, eligible), { requestId: leadId, leadId });
            expect(eligible).toContain(a.rep);
            const held = random() < rates[members.indexOf(a.rep!)]!;
            applyMeetingEvent(ledger, { key: `${leadId}/b`, leadId, repId: a.rep!, event: 'booked', meetingStart: '2026-03-03T15:00:00Z', segment: healthcare }, T0);
            applyMeetingEvent(ledger, { key: `${leadId}/o`, leadId, repId: a.rep!, event: held ? 'held' : 'no_show' }, T0);
            for (const m of eligible) {
              const t = ledger.tallies[m]!;
              // At most one lead under the floor: the turn serves one starving member at a time.
              expect(t.count).toBeGreaterThan(minShare * (t.count + t.deficit) - 1 - 1e-9 * eligible.length);
            }
          }
        },
      ),
      RUNS,
    );
  });
});

describe('simulation (baton simulate)', () => {
  const members = ['ana', 'raj', 'lee'];
  const pool = poolWithDefaults({ id: 'enterprise', members });
  const run = (truth: Record<string, Record<string, number>>) => simulate({ pool, leads: 3000, seed: 1, seeds: 5, truth, timezone: 'UTC', names: {} });

  it('lifts held meetings when reps differ, with the fairness floor intact', () => {
    const r = run({ ana: { default: 0.5, healthcare: 0.85 }, raj: { default: 0.5, fintech: 0.8, healthcare: 0.3 }, lee: { default: 0.45, software: 0.75 } });
    expect(r.lift.mean).toBeGreaterThan(0.05);
    expect(r.lift.ci95[0]).toBeGreaterThan(0);
    expect(r.policies.learn.held).toBeGreaterThan(r.policies.fair.held);
    expect(r.policies.learn.regret).toBeLessThan(r.policies.fair.regret);
    expect(r.floor.lowest.ratio).toBeGreaterThanOrEqual(r.floor.minShare);
    for (const m of members) expect(r.policies.fair.shares[m]).toBeCloseTo(1 / 3, 2);
  });

  it('loses nothing when reps do not differ', () => {
    const r = run({ ana: { default: 0.5, healthcare: 0.5 }, raj: { default: 0.5 }, lee: { default: 0.5 } });
    expect(r.lift.ci95[0]).toBeLessThanOrEqual(0);
    expect(r.lift.ci95[1]).toBeGreaterThanOrEqual(0);
    expect(Math.abs(r.lift.mean)).toBeLessThan(0.01);
  });

  it('keeps a rep who is worse everywhere above the floor', () => {
    const r = run({ ana: { default: 0.8 }, raj: { default: 0.3 }, lee: { default: 0.3 } });
    expect(r.lift.mean).toBeGreaterThan(0.05);
    for (const m of ['raj', 'lee']) expect(r.policies.learn.shares[m]! * 3).toBeGreaterThanOrEqual(0.5);
  });
});
