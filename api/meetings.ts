/**
 * After booking (contract sections 4 and 6): cancel the booked meeting, record how it went, and
 * list meetings by time and outcome for ops — the lead's workflow does the work (updates), Temporal
 * visibility answers the list (search attributes MeetingAt, MeetingOutcome, AssignedRep).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
import { cancelMeetingUpdate, MEETING_OUTCOMES, recordOutcomeUpdate, REPORTED_OUTCOMES } from '../workflows/lead/messages';
import { AssignedRepKey, LeadStageKey, MeetingAtKey, MeetingOutcomeKey } from '../workflows/lead/search-attributes';
import type { ApiDeps, ApiEnv } from './context';
import { ApiError } from './errors';
import { authorizeLead, bodyErrors, errors, json, leadClosed, liveLead, security, type LeadIds } from './lead-access';
import { visibleLead } from './ops';
import { bookingSchema, errorSchema, leadIdParams, stageSchema } from './schemas';

const body = <T>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const cancelBodySchema = z.strictObject({ reason: z.string().trim().max(1_000).optional() });
const outcomeBodySchema = z.strictObject({ outcome: z.enum(REPORTED_OUTCOMES), note: z.string().trim().max(2_000).optional() });
const outcomeResultSchema = z.object({ stage: stageSchema, outcome: z.enum(REPORTED_OUTCOMES) });
const cancelResultSchema = z.object({ stage: stageSchema, booking: bookingSchema });

const meetingsQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional().openapi({
    description: 'Meetings starting at or after (ISO date-time); default: 24 h ago, or 8 days before `to` when `to` is no later than that. With `to`, it must be before `to` (400 otherwise).',
  }),
  to: z.iso.datetime({ offset: true }).optional().openapi({
    description: 'Meetings starting before (ISO date-time); default: 7 days ahead, or 8 days after `from` when `from` is no earlier than that.',
  }),
  outcome: z.enum(MEETING_OUTCOMES).optional(),
  rep: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

const meetingRowSchema = z.object({
  leadId: z.string(),
  workflowId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  company: z.string().nullable(),
  meetingAt: z.string(),
  outcome: z.enum(MEETING_OUTCOMES),
  stage: z.string(),
  rep: z.string().nullable(),
  temporalUiUrl: z.string().nullable(),
});
const meetingsSchema = z.object({
  meetings: z.array(meetingRowSchema),
  /** Per rep over the listed meetings: how many had an outcome, and the share of those the buyer missed. */
  noShowRate: z.record(z.string(), z.object({ decided: z.number(), noShows: z.number(), rate: z.number().nullable() })),
});

const DAY_MS = 86_400_000;
const DEFAULT_BEFORE_MS = DAY_MS;
const DEFAULT_AHEAD_MS = 7 * DAY_MS;
const DEFAULT_WINDOW_MS = DEFAULT_BEFORE_MS + DEFAULT_AHEAD_MS;

/**
 * The window of meeting times a list covers. A bound left out defaults to 24 h ago / 7 days ahead,
 * unless that would put it on the wrong side of the bound given (`?to=` last year): then the window
 * keeps the default's length on the given bound's side, so one bound alone is never an error. Two
 * bounds in the wrong order are the caller's mistake, said as such (a silent empty list would hide it).
 */
export function meetingsWindow(q: { from?: string; to?: string }, now: number): { from: Date; to: Date } {
  const given = { from: q.from ? Date.parse(q.from) : undefined, to: q.to ? Date.parse(q.to) : undefined };
  if (given.from !== undefined && given.to !== undefined && given.from >= given.to) {
    throw new ApiError(400, 'invalid_input', '`from` must be before `to`', { from: q.from, to: q.to });
  }
  const to = given.to ?? Math.max(now + DEFAULT_AHEAD_MS, (given.from ?? -Infinity) + DEFAULT_WINDOW_MS);
  const from = given.from ?? Math.min(now - DEFAULT_BEFORE_MS, to - DEFAULT_WINDOW_MS);
  return { from: new Date(from), to: new Date(to) };
}
const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;

/** The visibility query for a window of meeting times, optionally one outcome and one rep. */
export function meetingsQuery(filter: { from: Date; to: Date; outcome?: string; rep?: string }): string {
  const parts = [
    'WorkflowType = "leadWorkflow"',
    `MeetingAt >= ${quote(filter.from.toISOString())}`,
    `MeetingAt < ${quote(filter.to.toISOString())}`,
  ];
  if (filter.outcome) parts.push(`MeetingOutcome = ${quote(filter.outcome)}`);
  if (filter.rep) parts.push(`AssignedRep = ${quote(filter.rep)}`);
  return parts.join(' AND ');
}

function meetingRow(info: WorkflowExecutionInfo, deps: ApiDeps) {
  const { get, base } = visibleLead(info, deps);
  return {
    ...base,
    meetingAt: (get<Date>(MeetingAtKey) ?? new Date(0)).toISOString(),
    outcome: (get<string>(MeetingOutcomeKey) ?? 'scheduled') as (typeof MEETING_OUTCOMES)[number],
    stage: get<string>(LeadStageKey) ?? 'booked',
    rep: get<string>(AssignedRepKey) ?? null,
  };
}

/** No-show rate per rep over meetings with a known outcome (a rep's own no-show counts against the rep, not the buyer). */
export function noShowRates(rows: { rep: string | null; outcome: string }[]): Record<string, { decided: number; noShows: number; rate: number | null }> {
  const out: Record<string, { decided: number; noShows: number; rate: number | null }> = {};
  for (const r of rows) {
    if (!r.rep) continue;
    const entry = (out[r.rep] ??= { decided: 0, noShows: 0, rate: null });
    if (r.outcome === 'held' || r.outcome === 'no_show') entry.decided++;
    if (r.outcome === 'no_show') entry.noShows++;
  }
  for (const entry of Object.values(out)) entry.rate = entry.decided > 0 ? entry.noShows / entry.decided : null;
  return out;
}

export function meetingRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const timeoutMs = deps.temporalTimeoutMs ?? 10_000;
  const timed = <T>(fn: () => Promise<T>, ms = timeoutMs): Promise<T> => deps.client.connection.withDeadline(Date.now() + ms, fn);
  /** An update on the lead's current run: 404 unknown, 409 closed (also when it closes meanwhile); it talks to providers, so 3× a read's time. */
  const onLiveLead = async <T>(ids: LeadIds, update: (handle: WorkflowHandle) => Promise<T>): Promise<T> => {
    const { handle } = await timed(() => liveLead(deps.client, ids));
    try {
      return await timed(() => update(handle), timeoutMs * 3);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw leadClosed('completed');
      throw err;
    }
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/cancel',
      summary: 'Cancel the booked meeting (the buyer, with the lead’s token, or a server)',
      description:
        'The calendar event is cancelled (invitees notified), the CRM meeting marked canceled, the rep told, and the lead ends in stage `canceled`. ' +
        '409 `lead_state_conflict` when no meeting is ahead, `lead_closed` when the lead is closed.',
      security,
      request: { params: leadIdParams, ...body(cancelBodySchema) },
      responses: { 200: json(cancelResultSchema, 'Canceled'), 409: json(errorSchema, 'Nothing to cancel'), ...bodyErrors, ...errors },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const caller = c.get('caller');
      const result = await onLiveLead(authorizeLead(caller, leadId), (handle) =>
        handle.executeUpdate(cancelMeetingUpdate, { args: [{ by: caller.kind === 'buyer' ? 'buyer' : 'server', ...(reason ? { reason } : {}) }] }),
      );
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads/{leadId}/outcome',
      summary: 'Record how the meeting went (API key only): held, no_show or rep_no_show',
      description:
        '`held` closes the lead; `no_show` offers the buyer new times once (then the lead ends `unresponsive`); `rep_no_show` apologises, offers new times with a cover and ' +
        'shows the lead as `needs_attention`. The outcome goes to the CRM meeting and to the pool’s fairness counts. 409 before the meeting has started.',
      security,
      request: { params: leadIdParams, ...body(outcomeBodySchema) },
      responses: { 200: json(outcomeResultSchema, 'Recorded'), 409: json(errorSchema, 'No meeting to record an outcome for (yet)'), ...bodyErrors, ...errors },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const { outcome, note } = c.req.valid('json');
      const caller = c.get('caller');
      if (caller.kind !== 'server') throw new ApiError(401, 'unauthorized', 'recording an outcome needs an API key');
      const result = await onLiveLead(authorizeLead(caller, leadId), (handle) =>
        handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome, ...(note ? { note } : {}) }] }),
      );
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/ops/meetings',
      summary: 'Meetings by time and outcome, from Temporal visibility (API key only)',
      description: 'Ordered by meeting time. `noShowRate` per rep over the listed meetings whose outcome is known. Visibility is eventually consistent.',
      security: [{ bearer: [] }],
      request: { query: meetingsQuerySchema },
      responses: {
        200: json(meetingsSchema, 'Meetings'),
        400: json(errorSchema, 'Invalid filter, or `from` not before `to`'),
        401: json(errorSchema, 'API key required'),
        429: json(errorSchema, 'Rate limited (see Retry-After)'),
        501: json(errorSchema, 'This Temporal server cannot list workflows (no visibility store)'),
        503: json(errorSchema, 'Temporal is unreachable'),
      },
    }),
    async (c) => {
      if (c.get('caller').kind !== 'server') throw new ApiError(401, 'unauthorized', 'ops routes need an API key');
      const q = c.req.valid('query');
      const { from, to } = meetingsWindow(q, Date.now());
      const rows: ReturnType<typeof meetingRow>[] = [];
      await timed(async () => {
        const query = meetingsQuery({ from, to, ...(q.outcome ? { outcome: q.outcome } : {}), ...(q.rep ? { rep: q.rep } : {}) });
        for await (const info of deps.client.workflow.list({ query, pageSize: Math.min(q.limit, 100) })) {
          rows.push(meetingRow(info, deps));
          if (rows.length >= q.limit) break;
        }
      });
      rows.sort((a, b) => a.meetingAt.localeCompare(b.meetingAt));
      return c.json({ meetings: rows, noShowRate: noShowRates(rows) }, 200);
    },
  );

  return app;
}
