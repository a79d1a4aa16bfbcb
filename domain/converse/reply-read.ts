/**
 * Reading a buyer's message, part 5: the whole message as clauses in one zone, and which of the
 * offered times each clause points at. Shared by the readings before and after booking.
 */
import { DateTime } from 'luxon';
import { isValidZone } from '../schedule/local-time';
import { analyseClause, envAt, hasContent, hasSelection, type Clause, type Env } from './reply-clause';
import { readMove, type Move } from './reply-moves';
import { CLAUSE_SPLIT, normalize } from './reply-text';
import type { ProposalRef, ReplyContext } from './reply-types';
import { findZones } from './reply-zones';

export function safeZone(zone: string): string {
  return isValidZone(zone) ? zone : 'UTC';
}

export interface Reading {
  norm: string;
  /** The zone the message is read in: the first zone it names ("5pm Eastern"), else the buyer's. */
  zone: string;
  /** Set when the message named a zone. */
  namedZone?: string;
  env: Env;
  move: Move | null;
  clauses: Clause[];
  /** Clauses that name times the buyer wants / rules out. */
  positive: Clause[];
  negative: Clause[];
}

/** Minutes to add to a clock time said in `from` to read it in `to`, at `now` (only for a second zone in one message). */
function zoneDelta(from: string, to: string, now: number): number {
  return DateTime.fromMillis(now, { zone: to }).offset - DateTime.fromMillis(now, { zone: from }).offset;
}

function shiftClause(c: Clause, delta: number): void {
  const s = (m: number) => Math.max(0, Math.min(1440, m + delta));
  c.times = c.times.map((t) => ({ minute: s(t.minute), ...(t.alt !== undefined ? { alt: s(t.alt) } : {}) }));
  if (c.part) c.part = [s(c.part[0]), s(c.part[1])];
  if (c.after !== undefined) c.after = s(c.after);
  if (c.before !== undefined) c.before = s(c.before);
}

/** "Monday morning or Wednesday afternoon": pieces that each name a day and a time. */
function alternativesOf(c: Clause, env: Env): Clause[] | undefined {
  if (c.dates.length < 2) return undefined;
  const pieces = c.text.split(/\s+(?:or|and|\/)\s+|\s*\/\s*/).map((p) => analyseClause(p, env));
  const full = pieces.filter((p) => p.dates.length > 0 && (p.times.length > 0 || !!p.part || p.after !== undefined || p.before !== undefined));
  return full.length >= 2 && full.length === pieces.filter((p) => hasContent(p)).length ? full : undefined;
}

export function readReply(text: string, ctx: ReplyContext): Reading {
  const norm = normalize(text ?? '');
  const buyerZone = safeZone(ctx.timezone);
  const parts = norm.split(CLAUSE_SPLIT).map((s) => s.trim()).filter(Boolean);
  const zoned = parts.map((p) => findZones(p));
  const namedZone = zoned.flatMap((z) => z.zones)[0]?.zone;
  const zone = namedZone ?? buyerZone;
  const env = envAt(zone, ctx.now, ctx.proposals.length);
  let move: Move | null = null;
  const clauses = zoned.map((z) => {
    const m = readMove(z.text);
    move ??= m.move;
    const c = analyseClause(m.text.trim(), env);
    const own = z.zones[0]?.zone;
    if (own && own !== zone) shiftClause(c, zoneDelta(own, zone, ctx.now));
    return c;
  });
  // "Thursday at 10, unfortunately I'm busy then": a negation without its own subject applies to
  // the clause before it.
  for (let i = 1; i < clauses.length; i++) {
    const c = clauses[i]!;
    if (c.negated && !hasContent(c)) {
      for (let j = i - 1; j >= 0; j--) {
        if (hasContent(clauses[j]!)) {
          clauses[j]!.negated = true;
          break;
        }
      }
    }
  }
  // "any day but Friday next week": the week is where to look, only Friday is ruled out.
  for (const c of [...clauses]) {
    if (c.negated && c.ranges.length > 0 && (c.dates.length > 0 || c.times.length > 0 || c.part || c.weekend)) {
      const context = analyseClause('', env);
      context.ranges = c.ranges;
      c.ranges = [];
      clauses.push(context);
    }
  }
  const positive = clauses.filter((c) => !c.negated && hasContent(c));
  // "next week, Thursday afternoon": a span named on its own bounds the weekdays named beside it.
  const spans = positive.filter((c) => c.ranges.length > 0 && c.dates.length === 0).flatMap((c) => c.ranges);
  for (const c of positive) {
    // (and "next week, afternoons" asks for afternoons next week, not tomorrow afternoon)
    const datesOrNone = c.dates.length === 0 ? hasSelection(c) : c.dates.some((d) => d.kind === 'weekday');
    if (c.ranges.length === 0 && datesOrNone) c.ranges.push(...spans);
    const alternatives = alternativesOf(c, env);
    if (alternatives) c.alternatives = alternatives;
  }
  const negative = clauses.filter((c) => c.negated && hasContent(c));
  return { norm, zone, ...(namedZone ? { namedZone } : {}), env, move, clauses, positive, negative };
}

// ---------------------------------------------------------------------------------------------
// Matching clauses to offered times
// ---------------------------------------------------------------------------------------------

export interface LocalProposal {
  index: number;
  id: string;
  start: number;
  date: string;
  weekday: number;
  minute: number;
}

export function localProposals(proposals: ProposalRef[], zone: string): LocalProposal[] {
  return proposals.map((p, index) => {
    const dt = DateTime.fromMillis(p.start, { zone });
    return { index, id: p.id, start: p.start, date: dt.toISODate()!, weekday: dt.weekday, minute: dt.hour * 60 + dt.minute };
  });
}

/** Does the proposal fit everything the clause names? `strict` reads "Thursday" as the coming Thursday only. */
export function matchesClause(p: LocalProposal, c: Clause, strict: boolean): boolean {
  if (c.alternatives) return c.alternatives.some((a) => matchesClause(p, a, strict));
  const dateOk = (d: Clause['dates'][number]) => (d.kind === 'date' || strict ? d.date === p.date : d.weekday === p.weekday);
  if (c.dates.length > 0 && !c.dates.some(dateOk)) return false;
  if (c.ranges.length > 0 && !c.ranges.some((r) => (r.from ?? '') <= p.date && (r.to === undefined || p.date <= r.to))) return false;
  if (c.weekend && p.weekday < 6) return false;
  if (c.times.length > 0 && !c.times.some((t) => t.minute === p.minute || t.alt === p.minute)) return false;
  if (c.part && !(c.part[0] <= p.minute && p.minute < c.part[1])) return false;
  if (c.after !== undefined && p.minute < c.after) return false;
  if (c.before !== undefined && p.minute >= c.before) return false;
  return true;
}

/**
 * The proposals a clause points at. A weekday ("Sunday") means the coming one when an offer falls
 * on it, else any offer on that weekday (offers can be further out than a week).
 */
export function selectedBy(c: Clause, proposals: LocalProposal[]): Set<number> {
  const out = new Set<number>(c.ordinals.map((n) => n - 1));
  if (hasSelection(c)) {
    let hits = proposals.filter((p) => matchesClause(p, c, true));
    if (hits.length === 0) hits = proposals.filter((p) => matchesClause(p, c, false));
    for (const p of hits) out.add(p.index);
  }
  return out;
}
