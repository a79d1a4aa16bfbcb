import { takesMeetings, type Distribution, type Pool, type Rep, type Target } from '../team/config';
import { findCover, isOnPto, isOnPtoDuring, type Escalation } from './availability';
import type { TurnAnswer, TurnRequest, TurnSteps } from './fairness';
import type { Facts } from '../qualify/facts';
import { segmentOf, type Segment } from './learning';
import type { TurnPolicy } from './pool-ledger';
import type { RouteDecision } from './route-schema';
import { matchRule, type RuleTarget } from './rules';
import { findOpenSlots, MAX_EXTENSION_DAYS, type Busy } from '../schedule/slots';
import { teamSlotQuery, type Team } from '../team/team';

export type { RouteDecision } from './route-schema';
export type RouteSource = RouteDecision['source'];

export interface Interval {
  start: number;
  end: number;
}

/** A credit a pool gave for this lead: `rep` got `pool`'s turn. */
export interface PoolTurn {
  pool: string;
  rep: string;
  policy: TurnPolicy;
}

export interface CrmOwnerHint {
  repId?: string;
  email?: string;
  /** How the CRM names the owner, for the reasoning when they are not on the team. */
  name?: string;
  accountName?: string;
}

export interface RoutingInput {
  team: Team;
  facts: Facts;
  /** Everything the buyer wrote, for rules that look for mentions. */
  text: string;
  crmOwner: CrmOwnerHint | null;
  now: number;
  /** Busy and out-of-office blocks per rep id over the horizon. */
  calendars: Record<string, Busy[]>;
}

interface Chosen {
  target: Target;
  source: RouteSource;
  rule: { index: number; text: string } | null;
  reasons: string[];
  extra: RuleTarget[];
  /** What was passed over on the way (a CRM owner who takes no meetings). */
  notes: string[];
}

export function ownerRep(team: Team, owner: CrmOwnerHint | null): Rep | undefined {
  if (!owner) return undefined;
  const email = owner.email?.toLowerCase();
  return team.reps.find((r) => r.id === owner.repId || (email !== undefined && r.email.toLowerCase() === email));
}

/** Precedence from the contract: CRM owner, then the first matching rule, then the fallback. */
export function chooseTarget(team: Team, facts: Facts, text: string, owner: CrmOwnerHint | null): Chosen {
  const rep = ownerRep(team, owner);
  const account = owner?.accountName ? ` of ${owner.accountName}` : '';
  if (rep && takesMeetings(rep)) {
    return { target: { type: 'rep', id: rep.id }, source: 'owner', rule: null, reasons: [`${rep.name} owns the account${account} in the CRM`], extra: [], notes: [] };
  }
  // A rep with `hours: none` is never booked: as an owner they are passed over like one not in Baton.
  const notes = rep ? [`${rep.name} owns the account${account} in the CRM but takes no meetings (hours: none), so the rules decide`] : [];
  const matched = matchRule(team.compiledRules, facts, text);
  if (matched) {
    const { rule, reasons } = matched;
    return { target: rule.target, source: 'rule', rule: { index: rule.index, text: rule.text }, reasons, extra: rule.attendees, notes };
  }
  return { target: team.fallback, source: 'fallback', rule: null, reasons: ['no rule matched'], extra: [], notes };
}

class Availability {
  constructor(private readonly input: RoutingInput) {}

  repOf(id: string): Rep {
    return this.rep(id);
  }

  private rep(id: string): Rep {
    const rep = this.input.team.reps.find((r) => r.id === id);
    if (!rep) throw new Error(`unknown rep "${id}"`);
    return rep;
  }

  private ooo(id: string) {
    return (this.input.calendars[id] ?? []).filter((b) => b.type === 'ooo');
  }

  private readonly slots = new Map<string, ReturnType<typeof findOpenSlots>>();
  private readonly away = new Map<string, boolean>();

  openSlots(id: string) {
    let open = this.slots.get(id);
    if (!open) this.slots.set(id, (open = findOpenSlots(teamSlotQuery(this.input.team, [id], this.input.calendars, this.input.now, 'all'))));
    return open;
  }

  /** Takes no meetings (hours: none), or on PTO: never given a lead, covered like PTO. */
  unavailable = (id: string): boolean => !takesMeetings(this.rep(id)) || this.onPto(id);

  /** On PTO now, or away for part of the horizon with no open time left in it. */
  onPto = (id: string): boolean => {
    const known = this.away.get(id);
    if (known !== undefined) return known;
    const { now, team } = this.input;
    const rep = this.rep(id);
    const away =
      isOnPto(rep, now, this.ooo(id)) ||
      (isOnPtoDuring(rep, now, now + team.booking.horizon, this.ooo(id)) && this.openSlots(id).length === 0);
    this.away.set(id, away);
    return away;
  };
}

/** A pool's turn as routing asks for it: the pool's settings, who may take the lead, the lead's segment. */
export function poolTurnRequest(
  team: Team,
  pool: Pool,
  eligible: string[],
  context: { at: number; segment: Segment | null; meetingAt?: Record<string, number> },
): TurnRequest {
  const { id, name, members, distribution, weights, caps, fairness, learn } = pool;
  return {
    pool: { id, name, members, distribution, weights, caps, fairness, learn },
    eligible,
    names: Object.fromEntries(members.map((m) => [m, team.reps.find((r) => r.id === m)?.name ?? m])),
    segment: context.segment,
    at: context.at,
    timezone: team.company.timezone,
    ...(context.meetingAt ? { meetingAt: context.meetingAt } : {}),
    holdMs: team.booking.replyTimeout,
    lookaheadMs: team.booking.horizon + MAX_EXTENSION_DAYS * 86_400_000,
  };
}

/**
 * Turns the chosen target into concrete reps and attendees: PTO cover through backups (then pool
 * mates), the pool's distribution method, and any attendees a rule adds. Pure: wherever a pool's
 * turn is needed it yields the request, and the caller answers it (activities/pool.ts from the pool
 * workflow, `settle` in memory) and resumes it with the answer.
 */
export function* routeLead(input: RoutingInput): TurnSteps<RouteDecision> {
  const { team, facts } = input;
  const chosen = chooseTarget(team, facts, input.text, input.crmOwner);
  const availability = new Availability(input);
  const segment = segmentOf(facts);
  const escalated: Escalation[] = [];
  const notes: string[] = [...chosen.notes];
  const taken = new Set<string>();
  const poolTurns: PoolTurn[] = [];
  const blocked: Record<string, Interval[]> = {};

  /** The pool's turn, with each member's earliest open time when the pool has caps (they count by meeting date). */
  const ask = (pool: Pool, eligible: string[]): TurnRequest => {
    const meetingAt = Object.keys(pool.caps).length
      ? Object.fromEntries(eligible.map((m) => [m, availability.openSlots(m)[0]?.start ?? input.now]))
      : undefined;
    return poolTurnRequest(team, pool, eligible, { at: input.now, segment, ...(meetingAt ? { meetingAt } : {}) });
  };
  const credited = (pool: string, answer: TurnAnswer) => {
    if (!answer.rep) return;
    poolTurns.push({ pool, rep: answer.rep, policy: answer.policy });
    if (answer.blocked.length) blocked[answer.rep] = answer.blocked;
  };
  function* turn(pool: Pool, eligible: string[]): TurnSteps<TurnAnswer> {
    const answer = yield ask(pool, eligible);
    notes.push(...answer.notes);
    credited(pool.id, answer);
    return answer;
  }
  function* coverFor(repId: string): TurnSteps<string> {
    const cover = yield* findCover(team, repId, availability.unavailable, ask, taken);
    escalated.push(...cover.escalated);
    notes.push(...cover.notes);
    if (cover.turn) credited(cover.turn.pool, cover.turn.answer);
    if (cover.repId) return cover.repId;
    notes.push(`nobody could cover for ${repId}, who is on PTO`);
    return repId;
  }

  let reps: string[] = [];
  let mode: 'all' | 'any' = 'all';
  let pool: Pool | undefined;
  if (chosen.target.type === 'rep') {
    reps = [yield* coverFor(chosen.target.id)];
  } else {
    pool = team.pools.find((p) => p.id === chosen.target.id)!;
    const present = pool.members.filter((m) => !availability.unavailable(m));
    for (const m of pool.members) {
      if (!present.includes(m)) notes.push(`${m} skipped: ${availability.onPto(m) ? 'on PTO' : 'takes no meetings (hours: none)'}`);
    }
    reps = yield* distribute(pool, present, availability, turn, notes);
    if (pool.distribution === 'group') mode = 'any';
    if (reps.length === 0) {
      notes.push(`every member of ${pool.name} is on PTO, fully booked or at their cap`);
      reps = [yield* coverFor(pool.members.find((m) => takesMeetings(availability.repOf(m))) ?? pool.members[0]!)];
    }
  }
  reps.forEach((r) => taken.add(r));

  const extraAttendees: string[] = [];
  for (const extra of chosen.extra) {
    if (extra.type === 'rep') {
      const who = yield* coverFor(extra.id);
      if (!taken.has(who)) extraAttendees.push(who);
    } else {
      const extraPool = team.pools.find((p) => p.id === extra.id)!;
      const eligible = extraPool.members.filter((m) => !taken.has(m) && !availability.unavailable(m));
      const answer = eligible.length ? yield* turn(extraPool, eligible) : null;
      if (answer?.rep) extraAttendees.push(answer.rep);
      else notes.push(`nobody from ${extraPool.name} is available to join`);
    }
    extraAttendees.forEach((r) => taken.add(r));
  }

  const decision: RouteDecision = {
    target: chosen.target,
    reps,
    attendees: mode === 'any' ? extraAttendees : [...reps, ...extraAttendees],
    source: chosen.source,
    rule: chosen.rule,
    escalated,
    facts,
    reasoning: '',
    pool: pool?.id ?? null,
    distribution: pool?.distribution ?? null,
    mode,
    extraAttendees,
    segment,
    poolTurns,
    blocked,
  };
  decision.reasoning = explain(team, decision, chosen.reasons, notes, ownerNotOnTeam(team, input.crmOwner));
  return decision;
}

function* distribute(
  pool: Pool,
  present: string[],
  availability: Availability,
  turn: (pool: Pool, eligible: string[]) => TurnSteps<TurnAnswer>,
  notes: string[],
): TurnSteps<string[]> {
  switch (pool.distribution) {
    case 'round_robin': {
      const answer = present.length ? yield* turn(pool, present) : null;
      return answer?.rep ? [answer.rep] : [];
    }
    case 'first_available': {
      // The earliest open slot wins; the pool breaks ties (weights, caps), and when everyone tied is
      // at their cap the next earliest get their turn.
      let left = present;
      while (left.length) {
        const earliest = new Map(left.map((m) => [m, availability.openSlots(m)[0]?.start ?? Infinity]));
        const soonest = Math.min(...earliest.values());
        const tied = left.filter((m) => earliest.get(m) === soonest && soonest !== Infinity);
        const ask = tied.length ? tied : left;
        const answer = yield* turn(pool, ask);
        if (answer.rep) return [answer.rep];
        left = left.filter((m) => !ask.includes(m));
      }
      return [];
    }
    case 'ranked': {
      // Listed order is the rank; the pool skips members at their cap and counts the lead.
      const open = present.filter((m) => availability.openSlots(m).length > 0);
      if (open.length === 0 && present.length) notes.push(`no member of ${pool.name} has an open slot in the horizon; taking the top-ranked`);
      const answer = present.length ? yield* turn(pool, open.length ? open : present) : null;
      return answer?.rep ? [answer.rep] : [];
    }
    case 'group':
      // Whoever is free at the chosen time takes it: the pool's turn happens at booking (activities/calendar.ts).
      return present;
  }
}

function nameOf(team: Team, id: string): string {
  return team.reps.find((r) => r.id === id)?.name ?? team.pools.find((p) => p.id === id)?.name ?? id;
}

/**
 * The account's CRM owner when they are not on the team (someone who left, or never set up in
 * Baton), in words: the CRM's name for them, and their email or id. Routing then goes on to the
 * rules; the reasoning says so.
 */
function ownerNotOnTeam(team: Team, owner: CrmOwnerHint | null): string | undefined {
  if (!owner || ownerRep(team, owner)) return undefined;
  const handle = owner.email ?? owner.repId;
  if (owner.name && owner.email) return `${owner.name} <${owner.email}>`;
  return [owner.name, handle].filter(Boolean).join(', ') || undefined;
}

function explain(team: Team, d: RouteDecision, reasons: string[], notes: string[], strangerOwner?: string): string {
  const owner = strangerOwner ? `This account's CRM owner (${strangerOwner}) is not on the team, so the rules decide.` : '';
  const why =
    d.source === 'owner'
      ? `${reasons.join('; ')}, so the lead goes to them.`
      : d.source === 'rule'
        ? `Rule ${d.rule!.index + 1} ("${d.rule!.text}") matched: ${reasons.join(', ')}.`
        : `No rule matched, so the lead goes to the fallback, ${nameOf(team, d.target.id)}.`;
  const who =
    d.mode === 'any'
      ? `${nameOf(team, d.target.id)} shares it as a group: whoever of ${d.reps.map((r) => nameOf(team, r)).join(', ')} is free at the chosen time takes it.`
      : d.pool
        ? `${nameOf(team, d.pool)} (${d.distribution?.replace('_', ' ')}) assigns ${d.reps.map((r) => nameOf(team, r)).join(', ')}.`
        : '';
  const cover = d.escalated.map((e) => `${nameOf(team, e.from)} is on PTO, so ${nameOf(team, e.to)} covers.`).join(' ');
  const extra = d.extraAttendees.length ? `Also attending: ${d.extraAttendees.map((r) => nameOf(team, r)).join(', ')}.` : '';
  return [owner, why, who, cover, extra, ...notes.map((n) => `Note: ${n}.`)].filter(Boolean).join(' ');
}

