/**
 * Learning from outcomes: Thompson sampling over Beta posteriors of each member's success rate on
 * the pool's metric (a booked meeting held, by default) for leads like this one. "Like this one"
 * is a path of segments, each shrunk towards the one above it (empirical Bayes): the member overall,
 * then the lead's industry, then industry and company size, then all three with territory. Deep,
 * sparse segments lean on the broader ones until their own outcomes speak.
 *
 * Randomness comes from a seeded generator (the request id's hash), never Math.random: the pool
 * workflow must replay to the same answer, and a retried turn must get the same one.
 */
import type { Facts } from '../qualify/facts';

export interface Segment {
  industry: string | null;
  /** Company size band: 1-49, 50-199, 200-999, 1000+ employees. */
  size: string | null;
  territory: string | null;
}

export const SIZE_BANDS = ['1-49', '50-199', '200-999', '1000+'] as const;

export function sizeBand(employees: number): string {
  return employees < 50 ? '1-49' : employees < 200 ? '50-199' : employees < 1000 ? '200-999' : '1000+';
}

/** The lead's segment from its facts (its first territory: the built-in ones come first). */
export function segmentOf(facts: Pick<Facts, 'industry' | 'employees' | 'territories'>): Segment {
  return {
    industry: facts.industry?.value ?? null,
    size: facts.employees ? sizeBand(facts.employees.value) : null,
    territory: facts.territories[0] ?? null,
  };
}

/** The keys outcomes are tallied under, broadest first: '', 'healthcare', 'healthcare|200-999', ... */
export function segmentPath(segment: Segment | null): string[] {
  const parts = [segment?.industry ?? '?', segment?.size ?? '?', segment?.territory ?? '?'];
  return ['', parts[0]!, parts.slice(0, 2).join('|'), parts.join('|')];
}

/** Successes and trials of one member in one segment. */
export type Tally = [successes: number, trials: number];

/** Pseudo-observations a segment borrows from the one above it. */
const SHRINK = 4;

/** The Beta posterior for a member on the deepest segment of `path`, each level shrunk to its parent. */
export function posterior(stats: Record<string, Tally> | undefined, path: readonly string[]): { alpha: number; beta: number } {
  const [s0, n0] = stats?.[path[0]!] ?? [0, 0];
  let alpha = 1 + s0;
  let beta = 1 + n0 - s0;
  for (const key of path.slice(1)) {
    const mean = alpha / (alpha + beta);
    const [s, n] = stats?.[key] ?? [0, 0];
    alpha = SHRINK * mean + s;
    beta = SHRINK * (1 - mean) + n - s;
  }
  return { alpha, beta };
}

// ── Seeded randomness ─────────────────────────────────────────────────────

/** A 32-bit hash of a string (FNV-1a), the seed of a turn's generator. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform numbers in [0, 1) from a seed (mulberry32: small, fast, well-distributed for sampling). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000), boosted for shapes under 1. */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function sampleBeta(alpha: number, beta: number, random: () => number): number {
  const x = gamma(alpha, random);
  return x / (x + gamma(beta, random));
}

/** Thompson sampling: one draw from each candidate's posterior; the highest draw wins. */
export function thompsonPick(
  candidates: readonly string[],
  stats: Record<string, Record<string, Tally>>,
  segment: Segment | null,
  random: () => number,
): { rep: string; draws: Record<string, number> } {
  const path = segmentPath(segment);
  const draws: Record<string, number> = {};
  let best = candidates[0]!;
  for (const id of candidates) {
    const { alpha, beta } = posterior(stats[id], path);
    draws[id] = sampleBeta(alpha, beta, random);
    if (draws[id]! > draws[best]!) best = id;
  }
  return { rep: best, draws };
}

/** "Ana: 31 of 38 healthcare meetings held (Raj: 12 of 30); leaning to Ana". */
export function learningReason(
  chosen: string,
  others: readonly string[],
  stats: Record<string, Record<string, Tally>>,
  segment: Segment | null,
  metric: 'held' | 'booked',
  nameOf: (id: string) => string,
): string {
  const industry = segment?.industry ?? null;
  const key = industry ?? '';
  const what = metric === 'held' ? `${industry ? `${industry} ` : ''}meetings held` : `${industry ? `${industry} ` : ''}leads booked`;
  const [s, n] = stats[chosen]?.[key] ?? [0, 0];
  if (n === 0) return `no ${industry ? `${industry} ` : ''}outcomes for ${nameOf(chosen)} yet; sampling gave them this one to learn`;
  const rest = others
    .filter((id) => id !== chosen && (stats[id]?.[key]?.[1] ?? 0) > 0)
    .map((id) => `${nameOf(id)}: ${stats[id]![key]![0]} of ${stats[id]![key]![1]}`);
  return `${nameOf(chosen)}: ${s} of ${n} ${what}${rest.length ? ` (${rest.join('; ')})` : ''}; leaning to ${nameOf(chosen)}`;
}
