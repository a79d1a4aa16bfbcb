/**
 * The calendar periods fairness counts in: a pool's window (`month | week | day | never`, when the
 * counts start again) and a member's cap period (`day | week | month`, counted by meeting date).
 * Both are read in one zone, the company's (team.yaml `company.timezone`): a pool is one team with
 * one calendar for "this month", even when its members sit in several zones, and every member's
 * working day falls inside the same midnight-to-midnight in practice. Weeks start on Monday (ISO).
 */
import { DateTime } from 'luxon';

export type PeriodKind = 'day' | 'week' | 'month';
export type WindowKind = PeriodKind | 'never';

export interface Period {
  /** Sortable key, the same for every instant inside the period: `d:2026-03-05`, `w:2026-W10`, `m:2026-03`. */
  key: string;
  start: number;
  end: number;
}

const PREFIX: Record<PeriodKind, string> = { day: 'd', week: 'w', month: 'm' };
const FORMAT: Record<PeriodKind, string> = { day: 'yyyy-MM-dd', week: "kkkk-'W'WW", month: 'yyyy-MM' };

function local(at: number, zone: string): DateTime {
  const dt = DateTime.fromMillis(at, { zone });
  // An unknown zone (never from a validated team.yaml) is read as UTC rather than failing a turn.
  return dt.isValid ? dt : DateTime.fromMillis(at, { zone: 'utc' });
}

/**
 * The last period computed per kind and zone: turns come in time order, and zone arithmetic costs
 * some 100 µs a call, more than the rest of a turn. A cache of a pure function (no state leaks).
 */
const recent = new Map<string, Period>();

/** The period of `kind` that contains `at`, in `zone`. */
export function periodOf(kind: PeriodKind, at: number, zone: string): Period {
  const cacheKey = `${kind}|${zone}`;
  const known = recent.get(cacheKey);
  if (known && known.start <= at && at < known.end) return known;
  const start = local(at, zone).startOf(kind);
  const period = { key: `${PREFIX[kind]}:${start.toFormat(FORMAT[kind])}`, start: start.toMillis(), end: start.plus({ [`${kind}s`]: 1 }).toMillis() };
  if (recent.size > 64) recent.clear();
  recent.set(cacheKey, period);
  return period;
}

/** The fairness window containing `at`; `never` is one window for all time. */
export function windowOf(kind: WindowKind, at: number, zone: string): Period {
  if (kind === 'never') return { key: 'all', start: 0, end: Number.MAX_SAFE_INTEGER };
  return periodOf(kind, at, zone);
}

/** Every period of `kind` that overlaps [from, to). */
export function periodsBetween(kind: PeriodKind, from: number, to: number, zone: string): Period[] {
  const out: Period[] = [];
  for (let p = periodOf(kind, from, zone); p.start < to && out.length < 400; p = periodOf(kind, p.end, zone)) out.push(p);
  return out;
}

/** "Tue 3 Mar", "the week of 2 Mar", "March 2026": a period as the reasoning names it. */
export function describePeriod(kind: PeriodKind, period: Period, zone: string): string {
  const start = local(period.start, zone);
  if (kind === 'day') return start.toFormat('ccc d LLL');
  if (kind === 'week') return `the week of ${start.toFormat('d LLL')}`;
  return start.toFormat('LLLL yyyy');
}
