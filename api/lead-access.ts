/**
 * Who may touch a lead, and which run of its workflow is the lead now. A lead is `lead-<email>`'s
 * run chain that began with the run its id names: continue-as-new moves it to later runs of the
 * same workflow id, and the same email can have had earlier leads (closed) and a later one.
 */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { decodeLeadId } from '../domain/qualify/lead-id';
import { FINAL_STAGES, type LeadStage } from '../workflows/lead/messages';
import { LeadStageKey } from '../workflows/lead/search-attributes';
import type { Caller } from './context';
import { ApiError } from './errors';

export type LeadIds = { workflowId: string; runId: string };

/** A buyer token reads and answers only its own lead; anyone else's lead is simply not found. */
export function authorizeLead(caller: Caller, leadId: string): LeadIds {
  if (caller.kind === 'anonymous') throw new ApiError(401, 'unauthorized', "send an API key or this lead's buyer token as a Bearer token");
  const ids = decodeLeadId(leadId);
  const allowed = caller.kind === 'server' || (caller.kind === 'buyer' && caller.leadId === leadId);
  if (!ids || !allowed) throw new ApiError(404, 'not_found', 'no such lead');
  return ids;
}

export const leadClosed = (why: string) => new ApiError(409, 'lead_closed', `the lead is closed (${why}); submit a new lead to start again`);

/** The first run of the chain a description belongs to. */
export function firstRunOf(d: WorkflowExecutionDescription): string {
  return d.raw.workflowExecutionInfo?.firstRunId || d.runId;
}

/**
 * The run of this lead that takes messages now, checked to be running and not at a final stage
 * (409 `lead_closed` otherwise; 404 for a lead that never existed). One describe.
 */
export async function liveLead(client: Client, ids: LeadIds): Promise<WorkflowHandle> {
  const latest = await client.workflow.getHandle(ids.workflowId).describe();
  if (firstRunOf(latest) !== ids.runId) {
    // The email has a newer lead: this one is over (describing its run says 404 if it never was).
    const mine = await client.workflow.getHandle(ids.workflowId, ids.runId).describe();
    throw leadClosed(mine.status.name.toLowerCase());
  }
  assertOpen(latest);
  return client.workflow.getHandle(ids.workflowId, latest.runId);
}

/** A running workflow whose stage is final takes no more buyer input either. */
export function assertOpen(description: WorkflowExecutionDescription): void {
  if (description.status.name !== 'RUNNING') throw leadClosed(description.status.name.toLowerCase());
  const stage = description.typedSearchAttributes.get(LeadStageKey) as LeadStage | undefined;
  if (stage && FINAL_STAGES.includes(stage)) throw leadClosed(stage);
}
