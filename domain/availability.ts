import { DateTime } from 'luxon';
import type { Rep, TeamConfig } from './config';

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
