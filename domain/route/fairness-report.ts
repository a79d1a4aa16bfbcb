/**
 * What ops see of a pool's fairness (`baton fairness`, `GET /v1/ops/fairness`, the ops page): per
 * member the window's count against their weighted share, cap use, and how their meetings went;
 * per pool the holdout's measurement when it learns. Pure: from a ledger, the pool's settings and
 * the time of the report.
 */
import { z } from 'zod';
import { CAP_PERIODS, DISTRIBUTIONS, FAIRNESS_COUNTS, FAIRNESS_WINDOWS, LEARN_METRICS } from '../team/pools';
import { atCap, capUsed, emptyTally, type MemberTally, type PoolLedger, type PoolSnapshot, type TurnPolicy } from './pool-ledger';
import { periodOf, windowOf } from './periods';

/** The settings a report needs: the team file's pool (CLI) or the pool as its workflow last saw it (API). */
export type ReportedPool = Omit<PoolSnapshot, 'holdMs' | 'eligible' | 'at'>;

const heldRateSchema = z.object({ held: z.number().int(), meetings: z.number().int(), rate: z.number().nullable() });

/** One member of a pool, this window. */
export const memberFairnessSchema = z.object({
  id: z.string(),
  name: z.string(),
  weight: z.number(),
  count: z.number().describe("Leads that count this window (what the pool's fairness.count measures: booked or held)"),
  share: z.number().describe('The weighted share of the window’s leads so far'),
  distance: z.number().describe('count − share: above 0 ahead of their share, below 0 owed leads'),
  cap: z.object({ count: z.number().int(), per: z.enum(CAP_PERIODS), used: z.number().int(), reached: z.boolean() }).nullable(),
  assigned: z.number().int(),
  booked: z.number().int(),
  held: z.number().int(),
  noShow: z.number().int(),
  repNoShow: z.number().int(),
  canceled: z.number().int(),
  available: z.boolean().describe('Could take the last lead: not on PTO, not at their cap'),
});

export const poolFairnessSchema = z.object({
  id: z.string(),
  name: z.string(),
  distribution: z.enum(DISTRIBUTIONS),
  window: z.object({ kind: z.enum(FAIRNESS_WINDOWS), key: z.string(), start: z.string().nullable(), end: z.string().nullable() }),
  count: z.enum(FAIRNESS_COUNTS),
  calibrate: z.boolean(),
  timezone: z.string(),
  lastTurnAt: z.string().nullable().describe('When the pool last took a turn'),
  members: z.array(memberFairnessSchema),
  learning: z
    .object({
      metric: z.enum(LEARN_METRICS),
      explore: z.number(),
      holdout: z.number(),
      minShare: z.number(),
      measured: z.object({ learned: heldRateSchema, holdout: heldRateSchema, lift: z.number().nullable() }),
    })
    .nullable()
    .describe("Learning's measurement on live traffic: the held rate of learned leads against the holdout's"),
});

export type MemberFairness = z.infer<typeof memberFairnessSchema>;
export type HeldRate = z.infer<typeof heldRateSchema>;
export type PoolFairness = z.infer<typeof poolFairnessSchema>;

const rounded = (x: number) => Math.round(x * 100) / 100;

function heldRate(measured: PoolLedger['measured'], policies: TurnPolicy[]): HeldRate {
  const [held, meetings] = policies.reduce(([s, n], p) => [s + (measured[p]?.[0] ?? 0), n + (measured[p]?.[1] ?? 0)], [0, 0]);
  return { held, meetings, rate: meetings ? rounded(held / meetings) : null };
}

export function poolFairness(pool: ReportedPool, ledger: PoolLedger | null, now: number): PoolFairness {
  const window = windowOf(pool.fairness.window, now, pool.timezone);
  // A window with no turn yet has no counts: the ledger's belong to the one before.
  const current = ledger !== null && ledger.window === window.key;
  const tallyOf = (id: string): MemberTally => (current ? ledger.tallies[id] : undefined) ?? emptyTally();
  const eligible = new Set(ledger?.config?.eligible ?? pool.members);
  const holdMs = ledger?.config?.holdMs ?? 0;
  const members = pool.members.map((id): MemberFairness => {
    const t = tallyOf(id);
    const cap = pool.caps[id];
    const used = cap && ledger ? capUsed(ledger, id, periodOf(cap.per, now, pool.timezone), now, holdMs) : 0;
    const reached = !!(cap && ledger && atCap(ledger, id, cap, now, now, holdMs));
    return {
      id,
      name: pool.names[id] ?? id,
      weight: pool.weights[id] ?? 1,
      count: t.count,
      share: rounded(t.count + t.deficit),
      distance: rounded(-t.deficit),
      cap: cap ? { count: cap.count, per: cap.per, used, reached } : null,
      assigned: t.assigned,
      booked: t.booked,
      held: t.held,
      noShow: t.noShow,
      repNoShow: t.repNoShow,
      canceled: t.canceled,
      available: eligible.has(id) && !reached,
    };
  });
  const learned = heldRate(ledger?.measured ?? {}, ['learn', 'floor', 'explore']);
  const holdout = heldRate(ledger?.measured ?? {}, ['holdout']);
  const bounded = pool.fairness.window !== 'never';
  return {
    id: pool.id,
    name: pool.name,
    distribution: pool.distribution,
    window: {
      kind: pool.fairness.window,
      key: window.key,
      start: bounded ? new Date(window.start).toISOString() : null,
      end: bounded ? new Date(window.end).toISOString() : null,
    },
    count: pool.fairness.count,
    calibrate: pool.fairness.calibrate,
    timezone: pool.timezone,
    lastTurnAt: ledger?.config ? new Date(ledger.config.at).toISOString() : null,
    members,
    learning: pool.learn
      ? { ...pool.learn, measured: { learned, holdout, lift: learned.rate !== null && holdout.rate ? rounded((learned.rate - holdout.rate) / holdout.rate) : null } }
      : null,
  };
}

/** The pool's settings as its workflow last saw them (the worker's team), for a report without the team file. */
export function reportedFromLedger(ledger: PoolLedger): ReportedPool | null {
  if (!ledger.config) return null;
  const { holdMs: _hold, eligible: _eligible, at: _at, ...settings } = ledger.config;
  return settings;
}
