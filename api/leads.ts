import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { streamSSE } from 'hono/streaming';
import { leadWorkflowId, normalizeEmail } from '../domain/qualify/lead';
import { logger } from '../runtime/log';
import { bookProposalUpdate, buyerMessageSignal, eventsQuery, FINAL_STAGES, leadResubmittedSignal, statusQuery, type LeadStatus } from '../workflows/lead/messages';
import { LeadStageKey } from '../workflows/lead/search-attributes';
import type { ApiDeps, ApiEnv, Caller } from './context';
import { workflowUiUrl } from './context';
import { ApiError } from './errors';
import { authorizeLead, firstRunOf, leadClosed, liveLead } from './lead-access';
import { encodeLeadId } from '../domain/qualify/lead-id';
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
const security: Record<string, string[]>[] = [{ bearer: [] }];
/** Credentials optional: `{}` is "none". */
const optionalSecurity: Record<string, string[]>[] = [{}, { bearer: [] }];
/** Errors every lead route can answer with. */
const errors = {
  401: json(errorSchema, 'Missing or invalid credentials'),
  404: json(errorSchema, 'Unknown or malformed lead id, or not yours'),
  429: json(errorSchema, 'Rate limited (see Retry-After)'),
  503: json(errorSchema, 'Temporal is unreachable (`temporal_unavailable`), or the lead is recovering from a failed step (`lead_not_ready`); retry after Retry-After'),
};
/** ... and those with a JSON body. */
const bodyErrors = {
  400: json(errorSchema, 'Invalid input: malformed JSON, unknown fields or wrong types (details.issues)'),
  413: json(errorSchema, 'Body over 64 KiB'),
  415: json(errorSchema, 'Body is not application/json'),
};

/** How often an open event stream checks that its workflow is still running. */
const OPEN_CHECK_MS = 5_000;

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
    meeting: s.meeting,
    messages: s.events.filter((e) => e.type === 'message').map((e) => ({ id: e.id, at: e.at, ...e.message! })),
    temporalUiUrl: workflowUiUrl(deps.temporalUiUrl, deps.namespace, s.workflowId, runId),
  };
}

export function leadRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const { client } = deps;
  const timeoutMs = deps.temporalTimeoutMs ?? 10_000;
  /** Every Temporal call has a deadline: an unreachable server is a quick 503, never a hung request. */
  const timed = <T>(fn: () => Promise<T>, ms = timeoutMs): Promise<T> => client.connection.withDeadline(Date.now() + ms, fn);
  const handle = (ids: { workflowId: string; runId: string }) => client.workflow.getHandle(ids.workflowId, ids.runId);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads',
      summary: 'Start the lead\'s workflow, or join the active one for the same email',
      description:
        'Needs no credentials (a buyer\'s browser calls it; rate limited per address). `buyerToken` reads and answers only this lead. ' +
        'When the email already has an active lead, the message is added to it and the answer is 200 with the same `leadId`; ' +
        'its `buyerToken` is returned only to API-key callers or to the holder of that lead\'s token, so knowing an email never grants its conversation.',
      security: optionalSecurity,
      request: { body: { content: { 'application/json': { schema: leadSchema } }, required: true } },
      responses: {
        202: json(createdLeadSchema, 'A new lead was started'),
        200: json(createdLeadSchema, 'This email already has an active lead; the message was added to it'),
        ...bodyErrors,
        401: errors[401],
        429: errors[429],
        503: errors[503],
      },
    }),
    async (c) => {
      const lead = c.req.valid('json');
      const caller = c.get('caller');
      const email = normalizeEmail(lead.email);
      const workflowId = leadWorkflowId(email);
      for (let attempt = 1; ; attempt++) {
        try {
          const started = await timed(() =>
            client.workflow.start('leadWorkflow', {
              taskQueue: deps.taskQueue,
              workflowId,
              // Only the lead: how it is handled is the worker's team's to decide (workflows/lead/steps/policy.ts).
              args: [{ lead: { ...lead, email } }],
              // One active lead per email; a closed lead's id may be reused by the buyer's next request.
              workflowIdConflictPolicy: 'FAIL',
              workflowIdReusePolicy: 'ALLOW_DUPLICATE',
              typedSearchAttributes: [{ key: LeadStageKey, value: 'qualifying' }],
              // Shown by the ops page without querying every workflow.
              memo: { ...(lead.name ? { name: lead.name } : {}), ...(lead.company ? { company: lead.company } : {}) },
            }),
          );
          const leadId = encodeLeadId(email, started.firstExecutionRunId);
          return c.json({ leadId, workflowId, buyerToken: deps.tokens.issue(leadId) }, 202);
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        try {
          const existing = client.workflow.getHandle(workflowId);
          const { runId } = await timed(() => existing.describe());
          await timed(() => handle({ workflowId, runId }).signal(leadResubmittedSignal, { ...(lead.message ? { message: lead.message } : {}) }));
          const leadId = encodeLeadId(email, runId);
          const mayRead = caller.kind === 'server' || (caller.kind === 'buyer' && caller.leadId === leadId);
          return c.json({ leadId, workflowId, ...(mayRead ? { buyerToken: deps.tokens.issue(leadId) } : {}) }, 200);
        } catch (err) {
          // The active lead closed in between: start a new one (once).
          if (!(err instanceof WorkflowNotFoundError) || attempt >= 2) throw err;
        }
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/leads/{leadId}',
      summary: 'Stage, facts, route, proposals, booking and messages of one lead',
      security,
      request: { params: leadIdParams },
      responses: { 200: json(leadViewSchema, 'The lead'), ...errors },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const ids = authorizeLead(c.get('caller'), leadId);
      // The lead's current run (continue-as-new moves it on); an older lead of the same email is read from its own run.
      let status = await timed(() => client.workflow.getHandle(ids.workflowId).query(statusQuery));
      if (status.firstRunId !== ids.runId) status = await timed(() => handle(ids).query(statusQuery));
      return c.json(leadView(leadId, status, deps, ids.runId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/messages',
      summary: 'Relay the buyer\'s reply (delivered to the workflow as a signal)',
      security,
      request: { params: leadIdParams, body: { content: { 'application/json': { schema: messageBodySchema } }, required: true } },
      responses: {
        202: json(createdLeadSchema.pick({ leadId: true }), 'Accepted'),
        409: json(errorSchema, 'The lead is closed (code lead_closed)'),
        ...bodyErrors,
        ...errors,
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const { text } = c.req.valid('json');
      const ids = authorizeLead(c.get('caller'), leadId);
      const live = await timed(() => liveLead(client, ids));
      try {
        await timed(() => live.signal(buyerMessageSignal, { text }));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw leadClosed('completed'); // closed since the check
        throw err;
      }
      return c.json({ leadId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/booking',
      summary: 'Book one proposal now (a workflow update)',
      description:
        '400 `invalid_input` for a proposal id that is not on offer. 409: `slot_conflict` (the time was just taken; `proposals` holds fresh ones), ' +
        '`handed_off` (too many conflicts, a person follows up), `lead_state_conflict` (nothing to book in this stage) or `lead_closed`.',
      security,
      request: { params: leadIdParams, body: { content: { 'application/json': { schema: bookingBodySchema } }, required: true } },
      responses: {
        200: json(bookingResultSchema, 'Booked'),
        409: json(conflictSchema, 'The time was taken (fresh proposals included) or the lead cannot book now'),
        ...bodyErrors,
        ...errors,
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const { proposalId } = c.req.valid('json');
      const ids = authorizeLead(c.get('caller'), leadId);
      const live = await timed(() => liveLead(client, ids));
      let result;
      try {
        // Booking talks to the calendar: allow it longer than a read (30 s by default).
        result = await timed(() => live.executeUpdate(bookProposalUpdate, { args: [{ proposalId }] }), timeoutMs * 3);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw leadClosed('completed');
        throw err;
      }
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
      description:
        'Each event has `id` (resume point), `event` (`stage` or `message`) and `data` (JSON: `{ id, at, type, stage? , message? }`). ' +
        'The stream ends after a final stage or when the lead\'s workflow closes; a closed lead with nothing new answers 204. ' +
        'Browsers\' EventSource cannot send headers, so the buyer token may be passed as `?token=`.',
      security,
      request: {
        params: leadIdParams,
        query: z.object({
          token: z.string().optional().openapi({ description: 'The buyer token, for EventSource (API keys only in the Authorization header)' }),
          lastEventId: z.string().regex(/^\d+$/).optional().openapi({ description: 'Resume after this event id (same as the Last-Event-ID header)' }),
        }),
      },
      responses: {
        200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'A stream of `stage` and `message` events' },
        204: { description: 'The lead is closed and has no events after Last-Event-ID: stop listening' },
        ...errors,
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const asked = authorizeLead(c.get('caller'), leadId);
      // The stream follows the lead's current run; a lead continued as new keeps its event ids.
      const latest = await timed(() => client.workflow.getHandle(asked.workflowId).describe()).catch(() => null);
      const ids = latest && firstRunOf(latest) === asked.runId ? { workflowId: asked.workflowId, runId: latest.runId } : asked;
      const description = await timed(() => handle(ids).describe()); // 404 before the stream opens
      const resumeFrom = Number(c.req.header('last-event-id') ?? c.req.valid('query').lastEventId ?? 0) || 0;
      const { pollMs, heartbeatMs } = deps.sse ?? { pollMs: 300, heartbeatMs: 15_000 };
      let open = description.status.name === 'RUNNING';
      if (!open) {
        // A closed lead with nothing new: 204 tells EventSource to stop reconnecting.
        const { events } = await timed(() => handle(ids).query(eventsQuery, resumeFrom));
        if (events.length === 0) return c.body(null, 204);
      }
      c.header('X-Accel-Buffering', 'no'); // proxies must not buffer the stream
      return streamSSE(c, async (stream) => {
        let last = resumeFrom;
        let lastWrite = Date.now();
        let checkedAt = Date.now();
        let aborted = false;
        stream.onAbort(() => void (aborted = true));
        await stream.write('retry: 2000\n\n'); // how soon a browser reconnects after the stream ends early
        try {
          while (!aborted) {
            const { stage, events } = await timed(() => handle(ids).query(eventsQuery, last));
            for (const e of events) {
              await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(e) });
              last = e.id;
              lastWrite = Date.now();
            }
            // Done at a final stage, or when the workflow closed some other way (ops terminated it, or it
            // ended waiting for a person): never poll a closed workflow forever.
            if (FINAL_STAGES.includes(stage) || !open) break;
            if (Date.now() - checkedAt >= OPEN_CHECK_MS) {
              checkedAt = Date.now();
              open = (await timed(() => handle(ids).describe())).status.name === 'RUNNING';
              if (!open) continue; // one last read for the final events
            }
            if (Date.now() - lastWrite >= heartbeatMs) {
              await stream.write(': heartbeat\n\n');
              lastWrite = Date.now();
            }
            await stream.sleep(pollMs);
          }
        } catch (err) {
          // The stream just ends (no internals on the wire); the browser reconnects with Last-Event-ID and misses nothing.
          if (!aborted) logger.warn({ err: (err as Error).message, leadId }, 'event stream ended on an error');
        }
      });
    },
  );

  return app;
}
