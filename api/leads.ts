/**
 * One lead's routes: read it, relay the buyer's message, book a proposal. Starting a lead is
 * api/lead-create.ts, its event stream api/lead-events.ts; the app mounts all three (api/app.ts).
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { InputError, LeadStateConflict } from '../domain/errors';
import { STAGES_BEFORE_PROPOSALS, type LeadStage } from '../domain/lead-stages';
import { bookProposalUpdate, buyerMessageSignal, statusQuery, type LeadStatus, type Proposal } from '../workflows/lead/messages';
import { fromFailure } from '../workflows/failures';
import { LeadStageKey } from '../workflows/lead/search-attributes';
import type { ApiDeps, ApiEnv } from './context';
import { workflowUiUrl } from './context';
import { ApiError } from './errors';
import type { EventHub } from './event-hub';
import { authorizeLead, bodyErrors, currentRun, errors, json, leadClosed, liveLead, security, temporalCalls } from './lead-access';
import { RateLimiter, retryAfter } from './limits';
import {
  bookingBodySchema,
  bookingResultSchema,
  buyerLeadViewSchema,
  conflictSchema,
  createdLeadSchema,
  errorSchema,
  leadIdParams,
  leadViewSchema,
  messageBodySchema,
} from './schemas';

/** Everything about the lead, for API-key callers (servers, the ops page). */
export function leadView(leadId: string, s: LeadStatus, deps: ApiDeps, runId: string) {
  return {
    leadId,
    workflowId: s.workflowId,
    stage: s.stage,
    lead: s.lead,
    receivedAt: s.receivedAt,
    facts: s.facts,
    route: s.route,
    proposals: s.proposals,
    booking: s.booking,
    bookingAttempts: s.bookingAttempts,
    nextDeadline: s.nextDeadline,
    attention: s.attention,
    closedReason: s.closedReason,
    meeting: s.meeting ? { outcome: s.meeting.outcome, reschedules: s.meeting.reschedules, remindersSent: s.meeting.remindersSent } : null,
    resubmissions: s.resubmissions,
    messages: chatMessages(s),
    temporalUiUrl: workflowUiUrl(deps.temporalUiUrl, deps.namespace, s.workflowId, runId),
  };
}

/** What the lead's own buyer token reads: the conversation and the meeting (buyerLeadViewSchema says why). */
export function buyerLeadView(leadId: string, s: LeadStatus) {
  const b = s.booking;
  return {
    leadId,
    stage: s.stage,
    proposals: s.proposals,
    booking: b ? { proposalId: b.proposalId, start: b.start, end: b.end, ...(b.meetLink ? { meetLink: b.meetLink } : {}) } : null,
    meeting: s.meeting ? { outcome: s.meeting.outcome, reschedules: s.meeting.reschedules } : null,
    messages: chatMessages(s),
  };
}

function chatMessages(s: LeadStatus) {
  return s.events.filter((e) => e.type === 'message').map((e) => ({ id: e.id, at: e.at, ...e.message! }));
}

/** The memo key the lead workflow sets once it has taken its maximum of buyer messages (and, optionally, that maximum). */
interface MessageLimitMemo {
  messageLimitReached?: unknown;
  messageLimit?: unknown;
}

export function leadRoutes(deps: ApiDeps, hub: EventHub, messagesPerLead: RateLimiter) {
  const app = new OpenAPIHono<ApiEnv>();
  const { timed, handle, timeoutMs } = temporalCalls(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/leads/{leadId}',
      summary: 'One lead: everything with an API key; its conversation and meeting with its buyer token',
      description:
        'With an API key: stage, the lead, facts, route (with its reasoning), proposals, booking, attention, messages and the Temporal UI link (`LeadView`). ' +
        'With the lead\'s buyer token: only stage, proposals, booking (time and link) and messages (`BuyerLeadView`): never routing reasoning, CRM owners, PTO, provider errors or internal links.',
      security,
      request: { params: leadIdParams },
      responses: {
        200: json(leadViewSchema.openapi('LeadView').or(buyerLeadViewSchema.openapi('BuyerLeadView')), 'The lead: LeadView for API keys, BuyerLeadView for its buyer token'),
        ...errors,
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const caller = c.get('caller');
      const ids = authorizeLead(caller, leadId);
      // The lead's current run (continue-as-new moves it on); an older lead of the same email is read
      // from its own run; a run that never was is 404 without asking any worker.
      const run = await timed(() => currentRun(deps.client, ids));
      const status = await timed(() => handle(run.ids).query(statusQuery));
      return c.json(caller.kind === 'buyer' ? buyerLeadView(leadId, status) : leadView(leadId, status, deps, ids.runId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/messages',
      summary: 'Relay the buyer\'s reply (delivered to the workflow as a signal)',
      description:
        `At most ${messagesPerLead.perMinute} messages a minute per lead, whoever sends them (429 \`rate_limited\` with Retry-After), and a lead takes ` +
        'a bounded number of buyer messages in all (429 `message_limit`, `details.limit`, no Retry-After: the conversation continues with the rep by email).',
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
      const wait = messagesPerLead.take(ids.workflowId);
      if (wait > 0) {
        throw new ApiError(429, 'rate_limited', `at most ${messagesPerLead.perMinute} messages a minute to one lead; wait before sending more`, { limit: messagesPerLead.perMinute, per: 'minute', scope: 'lead' }, retryAfter(wait));
      }
      const { handle: live, description } = await timed(() => liveLead(deps.client, ids));
      const memo = (description.memo ?? {}) as MessageLimitMemo;
      if (memo.messageLimitReached === true) {
        const limit = typeof memo.messageLimit === 'number' ? memo.messageLimit : null;
        throw new ApiError(
          429,
          'message_limit',
          `this lead has taken its maximum of ${limit ?? 'allowed'} buyer messages; the rep follows up by email`,
          { limit },
        );
      }
      try {
        await timed(() => live.signal(buyerMessageSignal, { text }));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw leadClosed('completed'); // closed since the check
        throw err;
      }
      hub.nudge(ids.workflowId);
      return c.json({ leadId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/booking',
      summary: 'Book one proposal now (a workflow update)',
      description:
        'Every 409 carries `proposals`, the times on offer now (empty when there are none): `slot_conflict` (the time was just taken; fresh ones), ' +
        '`unknown_proposal` (that id is not, or no longer, on offer), `handed_off` (too many conflicts, a person follows up), ' +
        '`lead_state_conflict` (nothing to book in this stage: also, at once, while the lead is still qualifying or routing and has offered no times) or `lead_closed`.',
      security,
      request: { params: leadIdParams, body: { content: { 'application/json': { schema: bookingBodySchema } }, required: true } },
      responses: {
        200: json(bookingResultSchema, 'Booked'),
        409: json(conflictSchema, 'The time was taken (fresh proposals included) or the lead cannot book it now'),
        ...bodyErrors,
        ...errors,
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const { proposalId } = c.req.valid('json');
      const ids = authorizeLead(c.get('caller'), leadId);
      const conflict = (code: string, message: string, proposals: Proposal[] = []) => c.json({ error: { code, message }, proposals }, 409);
      let result;
      let live: Awaited<ReturnType<typeof liveLead>>['handle'] | undefined;
      // An unknown lead is 404 (before anything else); a closed one is a 409 with the proposals field.
      const run = await timed(() => currentRun(deps.client, ids));
      try {
        const { handle: current, description } = await timed(() => liveLead(deps.client, ids, run));
        live = current;
        // No times on offer yet: say so now rather than wait for the workflow to read the request.
        const stage = description.typedSearchAttributes.get(LeadStageKey) as LeadStage | undefined;
        if (stage && STAGES_BEFORE_PROPOSALS.includes(stage)) {
          return conflict('lead_state_conflict', `the lead is ${stage}: it has offered no times yet; book one of its proposals once it shows them (stage awaiting_reply)`);
        }
        // Booking talks to the calendar: allow it longer than a read (30 s by default).
        result = await timed(() => current.executeUpdate(bookProposalUpdate, { args: [{ proposalId }] }), timeoutMs * 3);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return conflict('lead_closed', leadClosed('completed').message);
        if (err instanceof ApiError && err.code === 'lead_closed') return conflict(err.code, err.message);
        const rejected = err instanceof WorkflowUpdateFailedError ? fromFailure(err.cause) : null;
        if (rejected instanceof LeadStateConflict) return conflict(rejected.code, rejected.message);
        if (rejected instanceof InputError) {
          // The id is not on offer (any more): say which are, so the client can show them.
          const { proposals } = await timed(() => (live ?? handle(ids)).query(statusQuery));
          return conflict('unknown_proposal', rejected.message, proposals);
        }
        throw err;
      } finally {
        hub.nudge(ids.workflowId);
      }
      if (result.outcome === 'booked') return c.json({ booking: result.booking }, 200);
      const proposals = result.outcome === 'conflict' ? result.proposals : [];
      return conflict(result.outcome === 'conflict' ? 'slot_conflict' : 'handed_off', result.message, proposals);
    },
  );

  return app;
}
