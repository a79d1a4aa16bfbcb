import type { RouteDecision } from '../../../domain/route/routing';
import type { LeadState } from '../state';
import { AssignedRepKey, LeadPoolKey, LeadSourceKey } from '../search-attributes';

/** 2. Route on context: the CRM owner, then the plain-English rules, then the fallback. */
export async function route(lead: LeadState): Promise<RouteDecision> {
  lead.setStage('routing');
  const routed = await lead.steps.routeLead({ workflowId: lead.workflowId, lead: lead.input.lead, facts: lead.facts!, now: Date.now() });
  lead.decision = routed.decision;
  lead.people = routed.people;
  lead.attributes.set([
    { key: AssignedRepKey, value: routed.decision.reps[0] ?? null },
    { key: LeadPoolKey, value: routed.decision.pool },
    { key: LeadSourceKey, value: routed.decision.source },
  ]);
  return routed.decision;
}
