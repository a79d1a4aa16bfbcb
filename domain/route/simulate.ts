/**
 * `baton simulate`: synthetic leads replayed through a pool's turns (the same takeTurn and
 * applyMeetingEvent as the pool workflow) with and without `learn`, each meeting's outcome drawn
 * from hidden true held-rates per rep and industry that the router never sees. Both policies see
 * the same leads and the same random draw per meeting (common random numbers), so the difference
 * between them is the policies', not luck's. Pure and seeded: the same arguments print the same table.
 */
import type { Learning, Pool } from '../team/pools';
import { takeTurn, type TurnRequest } from './fairness';
import { hashSeed, SIZE_BANDS, seededRandom, type Segment } from './learning';
import { applyMeetingEvent, emptyLedger } from './pool-ledger';

/** Hidden truth: per rep, the chance a meeting is held, by industry, else `default`. */
export type Truth = Record<string, Record<string, number>>;

export const DEFAULT_LEARNING: Learning = { metric: 'held', explore: 0.1, holdout: 0.1, minShare: 0.5 };

const OTHER_INDUSTRIES = ['retail', 'education', 'manufacturing', 'logistics', 'media'];
const TERRITORIES = ['West Coast', 'East Coast', 'Midwest', 'EMEA'];
const DAY = 86_400_000;
const START = Date.parse('2026-01-05T14:00:00Z');
/** Leads spread over this many days: windows roll and day caps apply as in a real quarter. */
const SPAN_DAYS = 90;

export interface SimulationInput {
  pool: Pool;
  leads: number;
  seed: number;
  seeds: number;
  truth?: Truth;
  timezone: string;
  names: Record<string, string>;
}

export interface PolicyResult {
  /** Held meetings, mean over seeds. */
  held: number;
  /** Fraction of leads per rep, mean over seeds. */
  shares: Record<string, number>;
  /** Expected held meetings lost against an oracle that knows the truth (mean over seeds). */
  regret: number;
}

export interface SimulationResult {
  pool: string;
  leads: number;
  seeds: number;
  policies: { fair: PolicyResult; learn: PolicyResult };
  /** Relative gain in held meetings of learn over fair: mean across seeds and its 95% interval. */
  lift: { mean: number; ci95: [number, number] };
  /** Each rep's share under learning against their weighted share: nobody under `minShare`. */
  floor: { minShare: number; lowest: { rep: string; ratio: number } };
  truth: Truth;
  learning: Learning;
}

/** A truth to test against when none is given: each rep good at one or two industries. */
export function drawTruth(members: readonly string[], seed: number): Truth {
  const random = seededRandom(hashSeed(`truth:${seed}`));
  const industries = ['healthcare', 'fintech', 'software'];
  return Object.fromEntries(
    members.map((m) => {
      const rates: Record<string, number> = { default: round(0.35 + 0.2 * random()) };
      for (const industry of industries) if (random() < 0.5) rates[industry] = round(0.2 + 0.7 * random());
      return [m, rates];
    }),
  );
}

const round = (x: number) => Math.round(x * 100) / 100;
const rateOf = (truth: Truth, rep: string, industry: string) => truth[rep]?.[industry] ?? truth[rep]?.default ?? 0.5;

interface Lead {
  at: number;
  segment: Segment;
  /** The meeting's draw: held when below the rep's true rate (the same draw under both policies). */
  draw: number;
}

function syntheticLeads(truth: Truth, count: number, seed: number): Lead[] {
  const random = seededRandom(hashSeed(`leads:${seed}`));
  const named = [...new Set(Object.values(truth).flatMap((r) => Object.keys(r).filter((k) => k !== 'default')))].sort();
  const others = OTHER_INDUSTRIES.filter((i) => !named.includes(i));
  const buckets = [...named, 'others'];
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const bucket = pick(buckets);
    return {
      at: START + Math.floor((i * SPAN_DAYS * DAY) / count),
      segment: { industry: bucket === 'others' ? pick(others) : bucket, size: pick(SIZE_BANDS), territory: pick(TERRITORIES) },
      draw: random(),
    };
  });
}

interface Run {
  held: number;
  expected: number;
  oracle: number;
  counts: Record<string, number>;
}

/** One policy over one seed's leads: each lead turns, books a day later, and its outcome arrives after the meeting. */
function run(input: SimulationInput, pool: Pool, leads: Lead[], truth: Truth, seed: number): Run {
  const ledger = emptyLedger();
  const pending: { at: number; leadId: string; repId: string; held: boolean }[] = [];
  const result: Run = { held: 0, expected: 0, oracle: 0, counts: {} };
  let next = 0;
  for (const [i, lead] of leads.entries()) {
    // Outcomes of meetings that happened before this lead arrived reach the pool first.
    for (; next < pending.length && pending[next]!.at <= lead.at; next++) {
      const o = pending[next]!;
      applyMeetingEvent(ledger, { key: `${o.leadId}/outcome`, leadId: o.leadId, repId: o.repId, event: o.held ? 'held' : 'no_show' }, o.at);
    }
    const leadId = `sim-${seed}-${i}`;
    const meetingAt = lead.at + DAY;
    const request: TurnRequest = {
      pool,
      eligible: pool.members,
      names: input.names,
      segment: lead.segment,
      at: lead.at,
      timezone: input.timezone,
      meetingAt: Object.fromEntries(pool.members.map((m) => [m, meetingAt])),
      holdMs: DAY,
      lookaheadMs: 0,
    };
    const answer = takeTurn(ledger, request, { requestId: leadId, leadId });
    if (!answer.rep) continue;
    const rep = answer.rep;
    applyMeetingEvent(ledger, { key: `${leadId}/booked`, leadId, repId: rep, event: 'booked', meetingStart: new Date(meetingAt).toISOString(), segment: lead.segment }, lead.at);
    const industry = lead.segment.industry!;
    const p = rateOf(truth, rep, industry);
    const held = lead.draw < p;
    result.held += held ? 1 : 0;
    result.expected += p;
    result.oracle += Math.max(...pool.members.map((m) => rateOf(truth, m, industry)));
    result.counts[rep] = (result.counts[rep] ?? 0) + 1;
    pending.push({ at: meetingAt + 3_600_000, leadId, repId: rep, held });
  }
  return result;
}

/** Two-sided 95% Student t quantiles for n − 1 degrees of freedom (n seeds, 2 to 30; the normal's beyond). */
function t95(n: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045];
  return table[n - 2] ?? 1.96;
}

export function simulate(input: SimulationInput): SimulationResult {
  const { pool } = input;
  const truth = input.truth ?? drawTruth(pool.members, input.seed);
  const learning = pool.learn || DEFAULT_LEARNING;
  const policies = { fair: { ...pool, learn: false as const }, learn: { ...pool, learn: learning } };
  const runs = { fair: [] as Run[], learn: [] as Run[] };
  const lifts: number[] = [];
  for (let s = 0; s < input.seeds; s++) {
    const seed = input.seed + s;
    const leads = syntheticLeads(truth, input.leads, seed);
    const fair = run(input, policies.fair, leads, truth, seed);
    const learned = run(input, policies.learn, leads, truth, seed);
    runs.fair.push(fair);
    runs.learn.push(learned);
    lifts.push(fair.held > 0 ? (learned.held - fair.held) / fair.held : 0);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = (list: Run[]): PolicyResult => ({
    held: round(mean(list.map((r) => r.held))),
    shares: Object.fromEntries(pool.members.map((m) => [m, Math.round(mean(list.map((r) => (r.counts[m] ?? 0) / input.leads)) * 10_000) / 10_000])),
    regret: round(mean(list.map((r) => r.oracle - r.expected))),
  });
  const liftMean = mean(lifts);
  const sd = lifts.length > 1 ? Math.sqrt(lifts.reduce((a, x) => a + (x - liftMean) ** 2, 0) / (lifts.length - 1)) : 0;
  const half = lifts.length > 1 ? (t95(lifts.length) * sd) / Math.sqrt(lifts.length) : 0;
  const fine = (x: number) => Math.round(x * 10_000) / 10_000;
  const result = { fair: summary(runs.fair), learn: summary(runs.learn) };
  const totalWeight = pool.members.reduce((a, m) => a + (pool.weights[m] ?? 1), 0);
  const ratios = pool.members.map((m) => ({ rep: m, ratio: fine(result.learn.shares[m]! / ((pool.weights[m] ?? 1) / totalWeight)) }));
  const lowest = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  return {
    pool: pool.id,
    leads: input.leads,
    seeds: input.seeds,
    policies: result,
    lift: { mean: fine(liftMean), ci95: [fine(liftMean - half), fine(liftMean + half)] },
    floor: { minShare: learning.minShare, lowest },
    truth,
    learning,
  };
}
