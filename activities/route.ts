import type { Facts } from '../domain/qualify/facts';
import { buyerText, type Lead } from '../domain/qualify/lead';
import { routeLead, type CrmOwnerHint, type RouteDecision } from '../domain/route/routing';
import { MAX_EXTENSION_DAYS, type Busy } from '../domain/schedule/slots';
import type { Person } from '../integrations/providers';
import { attemptSignal, currentRunId, type ActivityDeps } from './deps';
import { runTurns, turnsFor } from './pool';

/** Busy and out-of-office blocks per rep id, in epoch ms, for the domain's slot finder. */
export async function loadCalendars(deps: ActivityDeps, repIds: string[], from: number, to: number): Promise<Record<string, Busy[]>> {
  const owners = deps.team.reps.filter((r) => repIds.includes(r.id)).map((r) => ({ repId: r.id, email: r.email }));
  if (owners.length === 0) return {};
  const blocks = await deps.providers.calendar.freeBusy(owners, { start: new Date(from).toISOString(), end: new Date(to).toISOString() });
  return Object.fromEntries(
    Object.entries(blocks).map(([id, list]) => [id, list.map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end), type: b.type }))]),
  );
}

export function peopleOf(deps: ActivityDeps, ids: string[]): Record<string, Person> {
  return Object.fromEntries(
    deps.team.reps.filter((r) => ids.includes(r.id)).map((r) => [r.id, { email: r.email, name: r.name }]),
  );
}

/** How far past the horizon the slot finder may look when the horizon is full. */
export const EXTENSION_MS = MAX_EXTENSION_DAYS * 86_400_000;

export async function decideRoute(
  deps: ActivityDeps,
  input: { lead: Lead; facts: Facts; now: number; scope: string; leadId: string; signal?: AbortSignal },
): Promise<RouteDecision> {
  const { team, providers } = deps;
  const account = await providers.crm.findAccountByEmail(input.lead.email, { signal: input.signal });
  const owner: CrmOwnerHint | null = account
    ? { repId: account.ownerRepId, email: account.ownerEmail, name: account.ownerName, accountName: account.name }
    : null;
  const calendars = await loadCalendars(deps, team.reps.map((r) => r.id), input.now, input.now + team.booking.horizon + EXTENSION_MS);
  const steps = routeLead({ team, facts: input.facts, text: buyerText(input.lead), crmOwner: owner, now: input.now, calendars });
  return runTurns(steps, turnsFor(deps.pools, input.scope, input.leadId));
}

export function routeActivities(deps: ActivityDeps) {
  return {
    async routeLead(input: { workflowId: string; lead: Lead; facts: Facts; now: number }): Promise<{
      decision: RouteDecision;
      people: Record<string, Person>;
    }> {
      const scope = `${input.workflowId}/${currentRunId()}`;
      const decision = await decideRoute(deps, { ...input, scope, leadId: input.workflowId, signal: attemptSignal() });
      // Every rep, not just the chosen ones: a backup may step in at booking time.
      return { decision, people: peopleOf(deps, deps.team.reps.map((r) => r.id)) };
    },
  };
}
