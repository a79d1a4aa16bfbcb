/**
 * A pool's turn: given the ledger (pool-ledger.ts) and what routing asks for (a TurnRequest: who may
 * take this lead, the pool's weights, caps, fairness and learning settings, the lead's segment),
 * choose the member and say why. The pool workflow calls it inside its `assign` update, the CLI and
 * tests call it in memory: the same function everywhere. Deterministic: randomness (learning) comes
 * from the request id.
 *
 * - Members at their cap for the period of their earliest possible meeting are skipped.
 * - Weights: fair-share.ts keeps every candidate within one lead of their weighted share.
 * - `calibrate: true`: only the candidates of a turn accrue share, so a member away (PTO, capped,
 *   new) is not owed the leads they missed, and returns at the pool's average. `calibrate: false`:
 *   every member not at their cap accrues, away or not, and a returning member catches up.
 * - `ranked`: the top-ranked candidate not at their cap (weights shape the share report only).
 * - `learn`: a `holdout` fraction follows its own fair rotation (the live measurement), an `explore`
 *   fraction the pool's fair rotation, and the rest Thompson sampling (learning.ts), except that a
 *   member below `minShare` of their fair share is served first.
 */
import type { Pool } from '../team/pools';
import { accrue, afterInOrder, pickFair, recentre } from './fair-share';
import { hashSeed, learningReason, seededRandom, thompsonPick, type Segment } from './learning';
import { describePeriod, periodsBetween } from './periods';
import { atCap, dropOpenMeeting, pruneLedger, rollWindow, tallyOf, type PoolLedger, type TurnPolicy } from './pool-ledger';

export type FairPool = Pick<Pool, 'id' | 'name' | 'members' | 'distribution' | 'weights' | 'caps' | 'fairness' | 'learn'>;

/** One pool's turn, as routing asks for it: everything the pool needs to choose, as data. */
export interface TurnRequest {
  pool: FairPool;
  /** Who may take this lead: present, allowed by the rule, not already in the meeting. */
  eligible: string[];
  /** Display names of the members, for the reasoning and the fairness report. */
  names: Record<string, string>;
  segment: Segment | null;
  /** When the turn is taken (epoch ms): the window it counts in. */
  at: number;
  /** The zone windows and cap periods are read in: the company's. */
  timezone: string;
  /** The earliest time each member could meet this lead: the period their cap is checked in (default `at`). */
  meetingAt?: Record<string, number>;
  /** How long a lead assigned but not booked yet holds a place under its member's cap (the reply timeout). */
  holdMs: number;
  /** How far ahead the chosen member's full cap periods are reported as `blocked`. */
  lookaheadMs: number;
}

export interface TurnAnswer {
  rep: string | null;
  /** What the decision's reasoning should say ("Lee skipped: reached the cap of 3/day for Tue 3 Mar"). */
  notes: string[];
  policy: TurnPolicy;
  /** Periods in which `rep` is at their cap: this lead's meeting must not land there. */
  blocked: { start: number; end: number }[];
}

/** What the pool needs to know about the turn beyond the request: its idempotency key and the lead. */
export interface TurnIds {
  requestId: string;
  leadId: string;
}

/** A decision that may need pool turns: it yields each request and is resumed with the answer. */
export type TurnSteps<T> = Generator<TurnRequest, T, TurnAnswer>;

/** Runs `steps` to the end, answering each turn synchronously (tests, simulation, the CLI). */
export function settle<T>(steps: TurnSteps<T>, answer: (request: TurnRequest) => TurnAnswer): T {
  let step = steps.next();
  while (!step.done) step = steps.next(answer(step.value));
  return step.value;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** Takes one turn: updates the ledger in place and returns the answer. */
export function takeTurn(ledger: PoolLedger, request: TurnRequest, ids: TurnIds): TurnAnswer {
  const { pool, at, timezone, holdMs } = request;
  ledger.config = { ...pool, names: request.names, timezone, holdMs, eligible: [...request.eligible], at };
  const window = rollWindow(ledger, at);
  pruneLedger(ledger, at);
  const name = (id: string) => request.names[id] ?? id;
  const weightOf = (id: string) => pool.weights[id] ?? 1;
  const notes: string[] = [];

  // A lead that turns again in this pool (a cover, a group pick at booking) replaces its earlier credit.
  dropOpenMeeting(ledger, ids.leadId);

  const eligible = new Set(request.eligible);
  const outside = request.eligible.filter((id) => !pool.members.includes(id));
  const capped = new Set<string>();
  for (const id of pool.members) {
    const cap = pool.caps[id];
    const full = cap && atCap(ledger, id, cap, request.meetingAt?.[id] ?? at, at, holdMs);
    if (!full) continue;
    capped.add(id);
    if (eligible.has(id)) notes.push(`${name(id)} skipped: reached the cap of ${cap.count}/${cap.per} for ${describePeriod(cap.per, full, timezone)}`);
  }
  const candidates = pool.members.filter((id) => eligible.has(id) && !capped.has(id));
  if (candidates.length === 0) {
    // Ids outside the member list (a stale roster) keep the old rotation's stable choice.
    const rep = capped.size === 0 ? ([...outside].sort()[0] ?? null) : null;
    return { rep, notes, policy: 'fair', blocked: [] };
  }

  const accruing = pool.fairness.calibrate ? candidates : pool.members.filter((id) => !capped.has(id));
  if (!pool.fairness.calibrate) owedSinceWindowStart(ledger, pool, accruing);
  const deficits = Object.fromEntries(Object.entries(ledger.tallies).map(([id, t]) => [id, t.deficit]));
  if (pool.fairness.calibrate) recentre(deficits, candidates, ledger.candidates);
  accrue(deficits, accruing, weightOf);
  const accrued = accruing.reduce((sum, id) => sum + weightOf(id), 0);
  const rateOf = (id: string) => weightOf(id) / accrued;
  for (const [id, d] of Object.entries(deficits)) tallyOf(ledger, id).deficit = d;

  const { rep, policy, note } = choose(ledger, request, ids, candidates, rateOf);
  if (note) notes.push(note);

  const tally = tallyOf(ledger, rep);
  tally.count++;
  tally.assigned++;
  tally.deficit--;
  ledger.lastAssigned = rep;
  ledger.candidates = pool.fairness.calibrate ? candidates : [];
  const expectedAt = request.meetingAt?.[rep] ?? at;
  ledger.meetings[ids.leadId] = { member: rep, window, at, expectedAt, start: null, state: 'assigned', counted: true, segment: request.segment, policy };
  return { rep, notes, policy, blocked: blockedPeriods(ledger, request, rep, ids.leadId) };
}

/**
 * `calibrate: false`: a member new to this window starts at count 0 against everyone's counts, so
 * they are owed their weighted share of the leads the window has had so far, and catch up.
 */
function owedSinceWindowStart(ledger: PoolLedger, pool: FairPool, accruing: readonly string[]): void {
  const newcomers = accruing.filter((id) => !ledger.tallies[id]);
  if (newcomers.length === 0) return;
  const total = Object.values(ledger.tallies).reduce((sum, t) => sum + t.count, 0);
  const weights = pool.members.reduce((sum, id) => sum + (pool.weights[id] ?? 1), 0);
  for (const id of newcomers) tallyOf(ledger, id).deficit = (total * (pool.weights[id] ?? 1)) / weights;
}

function choose(
  ledger: PoolLedger,
  request: TurnRequest,
  ids: TurnIds,
  candidates: string[],
  rateOf: (id: string) => number,
): { rep: string; policy: TurnPolicy; note?: string } {
  const { pool } = request;
  const deficits = Object.fromEntries(candidates.map((id) => [id, ledger.tallies[id]!.deficit]));
  const fair = () => pickFair(candidates, deficits, rateOf, pool.members, ledger.lastAssigned)!;
  // Ranked pools are a priority order the team chose: the top-ranked candidate, never learned around.
  if (pool.distribution === 'ranked') return { rep: candidates[0]!, policy: 'fair' };
  const learn = pool.learn;
  if (!learn || candidates.length === 1) return { rep: fair(), policy: 'fair' };

  const random = seededRandom(hashSeed(ids.requestId));
  const draw = random();
  if (draw < learn.holdout) {
    // The holdout keeps its own rotation: it must not inherit learning's debts, or it would measure them.
    const weightOf = (id: string) => pool.weights[id] ?? 1;
    const holdout = Object.fromEntries(candidates.map((id) => [id, ledger.tallies[id]!.holdoutDeficit]));
    accrue(holdout, candidates, weightOf);
    const total = candidates.reduce((sum, id) => sum + weightOf(id), 0);
    const rep = pickFair(candidates, holdout, (id) => weightOf(id) / total, pool.members, ledger.lastAssigned)!;
    holdout[rep]! -= 1;
    for (const id of candidates) ledger.tallies[id]!.holdoutDeficit = holdout[id]!;
    return { rep, policy: 'holdout', note: `a holdout lead (${percent(learn.holdout)} of leads) goes by plain rotation, so learning's lift can be measured` };
  }
  if (draw < learn.holdout + learn.explore) return { rep: fair(), policy: 'explore', note: `an exploration lead (${percent(learn.explore)} of leads) goes by plain rotation` };

  // The floor: whoever would fall under minShare of their weighted share is served first.
  const share = (id: string) => ledger.tallies[id]!.count + ledger.tallies[id]!.deficit;
  const starved = candidates.filter((id) => ledger.tallies[id]!.count < learn.minShare * share(id));
  const name = (id: string) => request.names[id] ?? id;
  if (starved.length > 0) {
    const rep = pickFair(starved, deficits, rateOf, pool.members, ledger.lastAssigned) ?? afterInOrder(starved, pool.members, ledger.lastAssigned)!;
    const t = ledger.tallies[rep]!;
    return { rep, policy: 'floor', note: `${name(rep)} has ${t.count} of a fair ${share(rep).toFixed(1)} leads this window, under the ${percent(learn.minShare)} floor, so learning waits` };
  }
  const stats = learn.metric === 'held' ? ledger.held : ledger.booked;
  const { rep } = thompsonPick(candidates, stats, request.segment, random);
  return { rep, policy: 'learn', note: learningReason(rep, candidates, stats, request.segment, learn.metric, name) };
}

/** The periods ahead in which `rep` is already at their cap, not counting this lead's own place. */
function blockedPeriods(ledger: PoolLedger, request: TurnRequest, rep: string, leadId: string): { start: number; end: number }[] {
  const cap = request.pool.caps[rep];
  if (!cap) return [];
  return periodsBetween(cap.per, request.at, request.at + request.lookaheadMs, request.timezone)
    .filter((p) => atCap(ledger, rep, cap, p.start, request.at, request.holdMs, leadId))
    .map((p) => ({ start: p.start, end: p.end }));
}
