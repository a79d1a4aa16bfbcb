/**
 * `pools:` in team.yaml: members (a rep id, or `{ id, weight, cap }`), the distribution method,
 * and the fairness and learning settings, every one defaulted so code downstream never guesses.
 */
import { z } from 'zod';
import {
  booleanField,
  describeValue,
  emptyIsDefault,
  expected,
  forwardIssues,
  fraction,
  idField,
  listOf,
  oneOf,
  strictObject,
  textField,
} from './fields';

export const DISTRIBUTIONS = ['round_robin', 'first_available', 'ranked', 'group'] as const;
export const FAIRNESS_WINDOWS = ['month', 'week', 'day', 'never'] as const;
export const FAIRNESS_COUNTS = ['booked', 'held'] as const;
export const LEARN_METRICS = ['held', 'booked'] as const;
export const CAP_PERIODS = ['day', 'week', 'month'] as const;

export type Distribution = (typeof DISTRIBUTIONS)[number];
export type CapPeriod = (typeof CAP_PERIODS)[number];

/** At most `count` meetings per calendar `per` (counted by meeting date). */
export interface Cap {
  count: number;
  per: CapPeriod;
}

export interface Fairness {
  /** When the counts start again. */
  window: (typeof FAIRNESS_WINDOWS)[number];
  /** What a member's share is measured in (`held` leaves no-shows out). */
  count: (typeof FAIRNESS_COUNTS)[number];
  /** A new member, or one back from PTO, starts at the pool's average rather than at 0. */
  calibrate: boolean;
}

export interface Learning {
  metric: (typeof LEARN_METRICS)[number];
  explore: number;
  holdout: number;
  minShare: number;
}

export interface Pool {
  id: string;
  name: string;
  /** Rep ids in the order written (the rank order for `ranked`). */
  members: string[];
  distribution: Distribution;
  /** Every member's weight (1 unless written). */
  weights: Record<string, number>;
  /** Only the members that have a cap. */
  caps: Record<string, Cap>;
  fairness: Fairness;
  learn: false | Learning;
}

const CAP = /^(\d+)\s*(?:\/|\bper\b|\ba\b)\s*(day|week|month)s?$/i;
const CAP_EXAMPLE = '3/day, 10/week or 40/month';

const capField = z.string({ error: expected(`a cap such as ${CAP_EXAMPLE}`) }).transform((text, ctx): Cap => {
  const m = CAP.exec(text.trim());
  if (!m || Number(m[1]) < 1) {
    const why = m ? ' (a cap of 0 means no leads: take the member out of the pool instead)' : '';
    ctx.addIssue({ code: 'custom', message: `expected a cap such as ${CAP_EXAMPLE}, got "${text}"${why}` });
    return z.NEVER;
  }
  return { count: Number(m[1]), per: m[2]!.toLowerCase() as CapPeriod };
});

const memberObject = strictObject(
  {
    id: idField('ana'),
    weight: z
      .number({ error: expected('a positive number such as 2 (default 1)') })
      .positive({ error: (iss) => `must be more than 0, got ${describeValue(iss.input)} (to give a member no leads, take them out of the pool)` })
      .default(1),
    cap: capField.optional(),
  },
  'a rep id, or { id: raj, weight: 2, cap: 3/day }',
);

type Member = { id: string; weight: number; cap?: Cap };

/** A member is a rep id or `{ id, weight?, cap? }`: each form reports its own errors. */
const memberField = z.unknown().transform((value, ctx): Member => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const parsed = memberObject.safeParse(value);
    return parsed.success ? parsed.data : forwardIssues(parsed.error.issues, ctx);
  }
  const parsed = idField('ana').safeParse(value);
  return parsed.success ? { id: parsed.data, weight: 1 } : forwardIssues(parsed.error.issues, ctx);
});

const fairnessSchema = strictObject(
  {
    window: oneOf(FAIRNESS_WINDOWS).default('month'),
    count: oneOf(FAIRNESS_COUNTS).default('booked'),
    calibrate: booleanField().default(true),
  },
  'a mapping such as { window: month, count: booked, calibrate: true }',
);

const learnObject = strictObject(
  {
    metric: oneOf(LEARN_METRICS).default('held'),
    explore: fraction('0.1').default(0.1),
    holdout: fraction('0.1').default(0.1),
    minShare: fraction('0.5').default(0.5),
  },
  'false, true, or { metric: held, explore: 0.1, holdout: 0.1, minShare: 0.5 }',
).superRefine((l, ctx) => {
  if (l.explore + l.holdout >= 1) {
    ctx.addIssue({
      code: 'custom',
      message: `expected explore + holdout below 1, got ${l.explore} + ${l.holdout}: the rest of the leads follow the learned weights`,
    });
  }
});

/** `learn: false` (default), `learn: true` (every default), or the settings. */
const learnField = z.unknown().optional().transform((value, ctx): false | Learning => {
  if (value === undefined || value === null || value === false) return false;
  const parsed = learnObject.safeParse(value === true ? {} : value);
  return parsed.success ? parsed.data : forwardIssues(parsed.error.issues, ctx);
});

export const poolSchema = strictObject(
  {
    id: idField('enterprise'),
    name: textField('a name rules can use, such as Enterprise team').optional(),
    members: listOf(memberField, '[ana, raj] or [ana, { id: raj, weight: 2 }]', 'a pool needs at least one member'),
    distribution: oneOf(DISTRIBUTIONS).default('round_robin'),
    fairness: emptyIsDefault(fairnessSchema.default(fairnessSchema.parse({}))),
    learn: learnField,
  },
  'a pool such as { id: enterprise, members: [ana, raj] }',
);

export type PoolEntry = z.output<typeof poolSchema>;

/** The pool as the rest of Baton sees it: ids in `members`, weights and caps beside them. */
export function toPool(entry: PoolEntry): Pool {
  const members = entry.members.map((m) => m.id);
  const weights = Object.fromEntries(entry.members.map((m) => [m.id, m.weight]));
  const caps = Object.fromEntries(entry.members.filter((m) => m.cap).map((m) => [m.id, m.cap!]));
  return {
    id: entry.id,
    name: entry.name ?? entry.id,
    members,
    distribution: entry.distribution,
    weights,
    caps,
    fairness: entry.fairness,
    learn: entry.learn,
  };
}

/** A pool with every default filled in, for code that builds teams without a file (tests, benchmarks). */
export function poolWithDefaults(fields: Pick<Pool, 'id' | 'members'> & Partial<Pool>): Pool {
  const defaults = toPool(poolSchema.parse({ id: fields.id, members: fields.members }));
  return { ...defaults, ...fields, weights: { ...defaults.weights, ...fields.weights } };
}
