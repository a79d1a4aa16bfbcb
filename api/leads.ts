import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { streamSSE } from 'hono/streaming';
import { leadWorkflowId, normalizeEmail } from '../domain/lead';
import {
  bookProposalUpdate,
  buyerMessageSignal,
  eventsQuery,
  FINAL_STAGES,
  LeadStageKey,
  leadResubmittedSignal,
  statusQuery,
  type LeadStatus,
} from '../workflows/messages';
import type { ApiDeps, ApiEnv, Caller } from './context';
import { workflowUiUrl } from './context';
import { ApiError } from './errors';
import { decodeLeadId, encodeLeadId } from './lead-id';
import {
  bookingBodySchema,
  bookingResultSchema,
  conflictSchema,
  createdLeadSchema,
  errorSchema,
  leadIdParams,
  leadSchema,
  leadViewSchema,
  messageBodySchema,
} from './schemas';

const json = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(errorSchema, 'Invalid input'),
  401: json(errorSchema, 'Missing or invalid credentials'),
  404: json(errorSchema, 'Unknown lead, or not yours'),
  429: json(errorSchema, 'Rate limited'),
};

/** A buyer token reads and answers only its own lead; anyone else's lead is simply not found. */
function authorizeLead(caller: Caller, leadId: string) {
  if (caller.kind === 'anonymous') throw new ApiError(401, 'unauthorized', 'send an API key or this lead\'s buyer token as a Bearer token');
  const ids = decodeLeadId(leadId);
  const allowed = caller.kind === 'server' || (caller.kind === 'buyer' && caller.leadId === leadId);
  if (!ids || !allowed) throw new ApiError(404, 'not_found', 'no such lead');
  return ids;
}

export function leadView(leadId: string, s: LeadStatus, deps: ApiDeps, runId: string) {
  return {
    leadId,
    workflowId: s.workflowId,
    stage: s.stage,
    lead: s.lead,
    receivedAt: s.receivedAt,
    facts: s.facts as Record<string, unknown> | null,
    route: s.route as Record<string, unknown> | null,
    proposals: s.proposals,
    booking: s.booking,
    bookingAttempts: s.bookingAttempts,
    nextDeadline: s.nextDeadline,
    attention: s.attention,
    closedReason: s.closedReason,
    messages: s.events.filter((e) => e.type === 'message').map((e) => ({ id: e.id, at: e.at, ...e.message! })),
    temporalUiUrl: workflowUiUrl(deps.temporalUiUrl, deps.namespace, s.workflowId, runId),
  };
}

export function leadRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const { client } = deps;
  const handle = (ids: { workflowId: string; runId: string }) => client.workflow.getHandle(ids.workflowId, ids.runId);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads',
      summary: 'Start the lead\'s workflow, or join the active one for the same email',
      request: { body: { content: { 'application/json': { schema: leadSchema } }, required: true } },
      responses: {
        202: json(createdLeadSchema, 'A new lead was started'),
        200: json(createdLeadSchema, 'This email already has an active lead; the message was added to it'),
        ...errors,
      },
    }),
    async (c) => {
      const lead = c.req.valid('json');
      const workflowId = leadWorkflowId(lead.email);
      let runId: string;
      let status: 200 | 202 = 202;
      try {
        const started = await client.workflow.start('leadWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [{ lead: { ...lead, email: normalizeEmail(lead.email) }, policy: deps.policy }],
          // One active lead per email; a closed lead's id may be reused by the buyer's next request.
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          typedSearchAttributes: [{ key: LeadStageKey, value: 'qualifying' }],
        });
        runId = started.firstExecutionRunId;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const existing = client.workflow.getHandle(workflowId);
        await existing.signal(leadResubmittedSignal, { ...(lead.message ? { message: lead.message } : {}) });
        runId = (await existing.describe()).runId;
        status = 200;
      }
      const leadId = encodeLeadId(lead.email, runId);
      return c.json({ leadId, workflowId, buyerToken: deps.tokens.issue(leadId) }, status);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/leads/{leadId}',
      summary: 'Stage, facts, route, proposals, booking and messages of one lead',
      request: { params: leadIdParams },
      responses: { 200: json(leadViewSchema, 'The lead'), ...errors },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const ids = authorizeLead(c.get('caller'), leadId);
      const status = await handle(ids).query(statusQuery);
      return c.json(leadView(leadId, status, deps, ids.runId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/messages',
      summary: 'Relay the buyer\'s reply (delivered to the workflow as a signal)',
      request: { params: leadIdParams, body: { content: { 'application/json': { schema: messageBodySchema } }, required: true } },
      responses: { 202: json(createdLeadSchema.pick({ leadId: true }), 'Accepted'), 409: json(errorSchema, 'The lead is closed'), ...errors },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const { text } = c.req.valid('json');
      const ids = authorizeLead(c.get('caller'), leadId);
      const description = await handle(ids).describe();
      if (description.status.name !== 'RUNNING') {
        throw new ApiError(409, 'lead_closed', `the lead is closed (${description.status.name.toLowerCase()}); submit a new lead to start again`);
      }
      await handle(ids).signal(buyerMessageSignal, { text });
      return c.json({ leadId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/booking',
      summary: 'Book one proposal now (a workflow update)',
      request: { params: leadIdParams, body: { content: { 'application/json': { schema: bookingBodySchema } }, required: true } },
      responses: {
        200: json(bookingResultSchema, 'Booked'),
        409: json(conflictSchema, 'The time was taken (fresh proposals included) or the lead cannot book now'),
        ...errors,
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const { proposalId } = c.req.valid('json');
      const ids = authorizeLead(c.get('caller'), leadId);
      const result = await handle(ids).executeUpdate(bookProposalUpdate, { args: [{ proposalId }] });
      if (result.outcome === 'booked') return c.json({ booking: result.booking }, 200);
      const proposals = result.outcome === 'conflict' ? result.proposals : [];
      const code = result.outcome === 'conflict' ? 'slot_conflict' : 'handed_off';
      return c.json({ error: { code, message: result.message }, proposals }, 409);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/leads/{leadId}/events',
      summary: 'Server-sent events: every stage change and message (resume with Last-Event-ID)',
      request: { params: leadIdParams },
      responses: { 200: { description: 'text/event-stream of `stage` and `message` events' }, ...errors },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const ids = authorizeLead(c.get('caller'), leadId);
      await handle(ids).describe(); // 404 before the stream opens
      const resumeFrom = Number(c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? 0) || 0;
      const { pollMs, heartbeatMs } = deps.sse ?? { pollMs: 300, heartbeatMs: 15_000 };
      return streamSSE(c, async (stream) => {
        let last = resumeFrom;
        let lastWrite = Date.now();
        let closed = false;
        stream.onAbort(() => void (closed = true));
        while (!closed) {
          const { stage, events } = await handle(ids).query(eventsQuery, last);
          for (const e of events) {
            await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(e) });
            last = e.id;
            lastWrite = Date.now();
          }
          if (FINAL_STAGES.includes(stage)) break;
          if (Date.now() - lastWrite >= heartbeatMs) {
            await stream.write(': heartbeat\n\n');
            lastWrite = Date.now();
          }
          await stream.sleep(pollMs);
        }
      });
    },
  );

  return app;
}
