import { DateTime } from 'luxon';
import type { Pool, Rep, TeamConfig } from '../team/config';
import type { TurnAnswer, TurnRequest, TurnSteps } from './fairness';

export interface OutOfOffice {
  start: number;
  end: number;
}

export interface Escalation {
  from: string;
  to: string;
  reason: 'pto';
}

/** Is the rep on PTO at `at` (epoch ms)? Config PTO dates are inclusive days in the rep's zone. */
export function isOnPto(rep: Rep, at: number, outOfOffice: OutOfOffice[] = []): boolean {
  if (outOfOffice.some((o) => o.start <= at && at < o.end)) return true;
  if (rep.pto.length === 0) return false; // skip the time-zone arithmetic for the common case
  const day = DateTime.fromMillis(at, { zone: rep.timezone }).toISODate();
  return day !== null && rep.pto.some((p) => p.from <= day && day <= p.to);
}

/** Is the rep on PTO at any moment of [start, end)? Checks each local day the interval touches. */
export function isOnPtoDuring(rep: Rep, start: number, end: number, outOfOffice: OutOfOffice[] = []): boolean {
  if (outOfOffice.some((o) => o.start < end && start < o.end)) return true;
  if (rep.pto.length === 0) return false;
  let day = DateTime.fromMillis(start, { zone: rep.timezone }).startOf('day');
  const last = DateTime.fromMillis(end - 1, { zone: rep.timezone }).toISODate()!;
  for (let guard = 0; guard < 400 && day.toISODate()! <= last; guard++, day = day.plus({ days: 1 })) {
    const iso = day.toISODate()!;
    if (rep.pto.some((p) => p.from <= iso && iso <= p.to)) return true;
  }
  return false;
}

export type Unavailable = (repId: string) => boolean;

/**
 * Follows `backup` links from an unavailable rep to the first available one, never around a cycle.
 * Returns the rep that will cover (possibly the rep itself) and every hop that was taken.
 */
export function followBackups(
  team: Pick<TeamConfig, 'reps'>,
  repId: string,
  unavailable: Unavailable,
): { repId: string | null; escalated: Escalation[] } {
  const escalated: Escalation[] = [];
  const seen = new Set<string>();
  let current: string | undefined = repId;
  while (current && !seen.has(current)) {
    if (!unavailable(current)) return { repId: current, escalated };
    seen.add(current);
    const backup: string | undefined = team.reps.find((r) => r.id === current)?.backup;
    if (backup && !seen.has(backup)) escalated.push({ from: current, to: backup, reason: 'pto' });
    current = backup;
  }
  return { repId: null, escalated };
}

/** The pools findCover asks, in order, when nobody on the rep's backup chain is available: the pools of anyone on `chain`. */
function coverPools(team: Pick<TeamConfig, 'pools'>, chain: readonly string[]): Pool[] {
  return chain.flatMap((id) => team.pools.filter((p) => p.members.includes(id)));
}

/**
 * Everyone findCover could ever pick for `repId`, whoever is away: the rep, their whole backup
 * chain, and every member of those reps' pools (where a retried booking looks for its own event).
 */
export function possibleCovers(team: Pick<TeamConfig, 'reps' | 'pools'>, repId: string): { chain: string[]; candidates: string[] } {
  const chain = [repId, ...followBackups(team, repId, () => true).escalated.map((e) => e.to)];
  return { chain, candidates: [...new Set([...chain, ...coverPools(team, chain).flatMap((p) => p.members)])] };
}

/** Who covers, the hops taken, and what the pools said on the way (a member at their cap). */
export interface Cover {
  repId: string | null;
  escalated: Escalation[];
  notes: string[];
  /** The pool whose turn chose the cover, and its answer; null when a backup covers. */
  turn: { pool: string; answer: TurnAnswer } | null;
}

/**
 * Who covers for a rep who cannot take a lead: the first one available along their backup chain,
 * else a pool mate of anyone on that chain, by that pool's turn (never one in `exclude`). Each pool
 * turn is yielded as a request (`ask` builds it) and answered by the caller. Null when nobody can;
 * `escalated` lists every hop either way.
 */
export function* findCover(
  team: Pick<TeamConfig, 'reps' | 'pools'>,
  repId: string,
  unavailable: Unavailable,
  ask: (pool: Pool, eligible: string[]) => TurnRequest,
  exclude: ReadonlySet<string> = new Set(),
): TurnSteps<Cover> {
  const cover = followBackups(team, repId, unavailable);
  if (cover.repId) return { ...cover, notes: [], turn: null };
  const notes: string[] = [];
  const chain = [repId, ...cover.escalated.map((e) => e.to)];
  for (const pool of coverPools(team, chain)) {
    const eligible = pool.members.filter((m) => !exclude.has(m) && !unavailable(m));
    if (eligible.length === 0) continue;
    const answer = yield ask(pool, eligible);
    notes.push(...answer.notes);
    if (answer.rep) {
      return { repId: answer.rep, escalated: [...cover.escalated, { from: repId, to: answer.rep, reason: 'pto' }], notes, turn: { pool: pool.id, answer } };
    }
  }
  return { repId: null, escalated: cover.escalated, notes, turn: null };
}
