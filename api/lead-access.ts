/** What every lead route shares: who may touch which lead, Temporal calls with a deadline, and the documented errors. */
import { z } from '@hono/zod-openapi';
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { FINAL_STAGES, type LeadStage } from '../workflows/lead/messages';
import { LeadStageKey } from '../workflows/lead/search-attributes';
import type { ApiDeps, Caller } from './context';
import { ApiError } from './errors';
import { decodeLeadId } from '../domain/qualify/lead-id';
import { errorSchema } from './schemas';

export const json = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
export const security: Record<string, string[]>[] = [{ bearer: [] }];
/** Credentials optional: `{}` is "none". */
export const optionalSecurity: Record<string, string[]>[] = [{}, { bearer: [] }];

const retryAfterHeader = z.object({ 'Retry-After': z.string().regex(/^\d+$/).openapi({ description: 'Seconds to wait before trying again' }) });
const withRetryAfter = (description: string) => ({ ...json(errorSchema, description), headers: retryAfterHeader });

/** Errors every lead route can answer with. */
export const errors = {
  400: json(errorSchema, 'Invalid input: a malformed parameter (details.issues)'),
  401: json(errorSchema, 'Missing or invalid credentials'),
  404: json(errorSchema, 'Unknown or malformed lead id, or not yours'),
  429: withRetryAfter('Rate limited (Retry-After says when to retry; `details.limit` is the limit per minute)'),
  503: withRetryAfter('Temporal, or a worker for this lead, is unreachable (code temporal_unavailable or worker_unavailable)'),
};
/** ... and those with a JSON body. */
export const bodyErrors = {
  400: json(errorSchema, 'Invalid input: malformed JSON, unknown fields or wrong types (details.issues)'),
  413: json(errorSchema, 'Body over 64 KiB'),
  415: json(errorSchema, 'Body is not application/json'),
};

/** A buyer token reads and answers only its own lead; anyone else's lead is simply not found. */
export function authorizeLead(caller: Caller, leadId: string) {
  if (caller.kind === 'anonymous') throw new ApiError(401, 'unauthorized', 'send an API key or this lead\'s buyer token as a Bearer token');
  const ids = decodeLeadId(leadId);
  const allowed = caller.kind === 'server' || (caller.kind === 'buyer' && caller.leadId === leadId);
  if (!ids || !allowed) throw new ApiError(404, 'not_found', 'no such lead');
  return ids;
}

export const leadClosed = (why: string) => new ApiError(409, 'lead_closed', `the lead is closed (${why}); submit a new lead to start again`);

export type LeadIds = { workflowId: string; runId: string };

/** The first run of the chain a description belongs to (a lead's id names it; continue-as-new keeps it). */
export function firstRunOf(d: WorkflowExecutionDescription): string {
  return d.raw.workflowExecutionInfo?.firstRunId || d.runId;
}

/**
 * The run this lead is at now. A lead is `lead-<email>`'s run chain that began with the run its id
 * names: continue-as-new moves it to later runs of the same workflow id, and the same email can
 * have had earlier leads (closed) and a later one. One describe; a lead that never was is 404.
 */
export async function currentRun(client: Client, ids: LeadIds): Promise<{ ids: LeadIds; description: WorkflowExecutionDescription; latest: boolean }> {
  const latest = await client.workflow.getHandle(ids.workflowId).describe().catch(() => null);
  if (latest && firstRunOf(latest) === ids.runId) return { ids: { workflowId: ids.workflowId, runId: latest.runId }, description: latest, latest: true };
  // An older lead of this email (closed), or none (describe throws WorkflowNotFoundError: 404).
  const description = await client.workflow.getHandle(ids.workflowId, ids.runId).describe();
  return { ids, description, latest: false };
}

/** The run of this lead that takes messages now, checked to be running and not at a final stage (409 `lead_closed`). */
export async function liveLead(
  client: Client,
  ids: LeadIds,
  known?: Awaited<ReturnType<typeof currentRun>>,
): Promise<{ handle: WorkflowHandle; description: WorkflowExecutionDescription }> {
  const run = known ?? (await currentRun(client, ids));
  assertOpen(run.description);
  if (!run.latest) throw leadClosed('a newer lead has started');
  return { handle: client.workflow.getHandle(run.ids.workflowId, run.ids.runId), description: run.description };
}

/** A running workflow whose stage is final takes no more buyer input either. */
export function assertOpen(description: WorkflowExecutionDescription): void {
  if (description.status.name !== 'RUNNING') throw leadClosed(description.status.name.toLowerCase());
  const stage = description.typedSearchAttributes.get(LeadStageKey) as LeadStage | undefined;
  if (stage && FINAL_STAGES.includes(stage)) throw leadClosed(stage);
}

/** Every Temporal call has a deadline: an unreachable server is a quick 503, never a hung request. */
export function temporalCalls(deps: ApiDeps) {
  const timeoutMs = deps.temporalTimeoutMs ?? 10_000;
  const timed = <T>(fn: () => Promise<T>, ms = timeoutMs): Promise<T> => deps.client.connection.withDeadline(Date.now() + ms, fn);
  const handle = (ids: { workflowId: string; runId: string }) => deps.client.workflow.getHandle(ids.workflowId, ids.runId);
  return { timed, handle, timeoutMs };
}
