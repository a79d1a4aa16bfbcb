import type { Distribution, Rep, Target } from '../team/config';
import { findCover, isOnPto, isOnPtoDuring, type Escalation } from './availability';
import type { Rotation } from './distribution';
import type { Facts } from '../qualify/facts';
import { matchRule, type RuleTarget } from './rules';
import { findOpenSlots, type Busy } from '../schedule/slots';
import { teamSlotQuery, type Team } from '../team/team';

export type RouteSource = 'owner' | 'rule' | 'fallback';

export interface RouteDecision {
  target: Target;
  /** The rep(s) who own the lead; for `group` pools, every member who may take it. */
  reps: string[];
  /** Everyone who must attend: `reps` (or, for group, none fixed) plus attendees a rule added. */
  attendees: string[];
  source: RouteSource;
  rule: { index: number; text: string } | null;
  escalated: Escalation[];
  facts: Facts;
  reasoning: string;
  pool: string | null;
  distribution: Distribution | null;
  /** `any`: the lead goes to whichever of `reps` is free at the chosen time (group distribution). */
  mode: 'all' | 'any';
  /** Attendees added by the rule, beyond the owning rep(s). */
  extraAttendees: string[];
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
  leadId: string;
}

interface Chosen {
  target: Target;
  source: RouteSource;
  rule: { index: number; text: string } | null;
  reasons: string[];
  extra: RuleTarget[];
}

export function ownerRep(team: Team, owner: CrmOwnerHint | null): Rep | undefined {
  if (!owner) return undefined;
  const email = owner.email?.toLowerCase();
  return team.reps.find((r) => r.id === owner.repId || (email !== undefined && r.email.toLowerCase() === email));
}

/** Precedence from the contract: CRM owner, then the first matching rule, then the fallback. */
export function chooseTarget(team: Team, facts: Facts, text: string, owner: CrmOwnerHint | null): Chosen {
  const rep = ownerRep(team, owner);
  if (rep) {
    const account = owner?.accountName ? ` of ${owner.accountName}` : '';
    return { target: { type: 'rep', id: rep.id }, source: 'owner', rule: null, reasons: [`${rep.name} owns the account${account} in the CRM`], extra: [] };
  }
  const matched = matchRule(team.compiledRules, facts, text);
  if (matched) {
    const { rule, reasons } = matched;
    return { target: rule.target, source: 'rule', rule: { index: rule.index, text: rule.text }, reasons, extra: rule.attendees };
  }
  return { target: team.fallback, source: 'fallback', rule: null, reasons: ['no rule matched'], extra: [] };
}

class Availability {
  constructor(private readonly input: RoutingInput) {}

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

/**
 * Turns the chosen target into concrete reps and attendees: PTO cover through backups (then pool
 * mates), the pool's distribution method, and any attendees a rule adds.
 */
export async function routeLead(input: RoutingInput, rotation: Rotation): Promise<RouteDecision> {
  const { team, facts, leadId } = input;
  const chosen = chooseTarget(team, facts, input.text, input.crmOwner);
  const availability = new Availability(input);
  const escalated: Escalation[] = [];
  const notes: string[] = [];
  const taken = new Set<string>();

  const coverFor = async (repId: string): Promise<string> => {
    const cover = await findCover(team, repId, availability.onPto, rotation, leadId, taken);
    escalated.push(...cover.escalated);
    if (cover.repId) return cover.repId;
    notes.push(`nobody could cover for ${repId}, who is on PTO`);
    return repId;
  };

  let reps: string[] = [];
  let mode: 'all' | 'any' = 'all';
  let pool: (typeof team.pools)[number] | undefined;
  if (chosen.target.type === 'rep') {
    reps = [await coverFor(chosen.target.id)];
  } else {
    pool = team.pools.find((p) => p.id === chosen.target.id)!;
    const present = pool.members.filter((m) => !availability.onPto(m));
    for (const m of pool.members) if (!present.includes(m)) notes.push(`${m} skipped: on PTO`);
    reps = await distribute(pool, present, availability, rotation, leadId, notes);
    if (pool.distribution === 'group') mode = 'any';
    if (reps.length === 0) {
      notes.push(`every member of ${pool.name} is on PTO or fully booked`);
      reps = [await coverFor(pool.members[0]!)];
    }
  }
  reps.forEach((r) => taken.add(r));

  const extraAttendees: string[] = [];
  for (const extra of chosen.extra) {
    if (extra.type === 'rep') {
      const who = await coverFor(extra.id);
      if (!taken.has(who)) extraAttendees.push(who);
    } else {
      const extraPool = team.pools.find((p) => p.id === extra.id)!;
      const eligible = extraPool.members.filter((m) => !taken.has(m) && !availability.onPto(m));
      const who = await rotation.next(extraPool.id, extraPool.members, eligible, leadId);
      if (who) extraAttendees.push(who);
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
  };
  decision.reasoning = explain(team, decision, chosen.reasons, notes, ownerNotOnTeam(team, input.crmOwner));
  return decision;
}

async function distribute(
  pool: Team['pools'][number],
  present: string[],
  availability: Availability,
  rotation: Rotation,
  leadId: string,
  notes: string[],
): Promise<string[]> {
  switch (pool.distribution) {
    case 'round_robin': {
      const rep = await rotation.next(pool.id, pool.members, present, leadId);
      return rep ? [rep] : [];
    }
    case 'first_available': {
      const earliest = new Map(present.map((m) => [m, availability.openSlots(m)[0]?.start ?? Infinity]));
      const soonest = Math.min(...earliest.values());
      const tied = present.filter((m) => earliest.get(m) === soonest && soonest !== Infinity);
      const rep = await rotation.next(pool.id, pool.members, tied.length ? tied : present, leadId);
      return rep ? [rep] : [];
    }
    case 'ranked': {
      const rep = present.find((m) => availability.openSlots(m).length > 0);
      if (!rep && present.length) notes.push(`no member of ${pool.name} has an open slot in the horizon; taking the top-ranked`);
      return rep ? [rep] : present.slice(0, 1);
    }
    case 'group':
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

