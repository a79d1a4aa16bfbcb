import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { AssignedRepKey, LeadPoolKey, LeadSourceKey, LeadStageKey, NextDeadlineKey } from '../workflows/lead/search-attributes';
import { LEAD_STAGES } from '../workflows/lead/messages';
import type { ApiDeps, ApiEnv } from './context';
import { workflowUiUrl } from './context';
import { ApiError } from './errors';
import { encodeLeadId } from '../domain/qualify/lead-id';
import { errorSchema, healthSchema, opsLeadsSchema, opsQuerySchema, outboxSchema } from './schemas';

const json = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;

/** Visibility query for the ops filters; stuck = needs attention, or past its next deadline. */
export function opsQuery(filter: { stage?: string; stuck?: string; rep?: string }, now = new Date()): string {
  const parts = ['WorkflowType = "leadWorkflow"'];
  if (filter.stage) parts.push(`LeadStage = ${quote(filter.stage)}`);
  if (filter.rep) parts.push(`AssignedRep = ${quote(filter.rep)}`);
  if (filter.stuck === 'true') {
    parts.push(`(LeadStage = "needs_attention" OR (ExecutionStatus = "Running" AND NextDeadline < ${quote(now.toISOString())}))`);
  }
  return parts.join(' AND ');
}

/** What every ops list shows of a lead found in visibility: its id, who it is, and its search attributes. */
export function visibleLead(info: WorkflowExecutionInfo, deps: ApiDeps) {
  const get = <T>(key: { name: string }) => info.typedSearchAttributes.get(key as never) as T | undefined;
  const email = info.workflowId.replace(/^lead-/, '');
  const memo = (info.memo ?? {}) as { name?: unknown; company?: unknown };
  return {
    get,
    base: {
      // A lead continued as new keeps the id of its first run.
      leadId: encodeLeadId(email, info.raw.firstRunId || info.runId),
      workflowId: info.workflowId,
      email,
      name: typeof memo.name === 'string' ? memo.name : null,
      company: typeof memo.company === 'string' ? memo.company : null,
      temporalUiUrl: workflowUiUrl(deps.temporalUiUrl, deps.namespace, info.workflowId, info.runId),
    },
  };
}

function row(info: WorkflowExecutionInfo, deps: ApiDeps, now: number) {
  const { get, base } = visibleLead(info, deps);
  const deadline = get<Date>(NextDeadlineKey);
  const stage = get<string>(LeadStageKey) ?? 'qualifying';
  const running = info.status.name === 'RUNNING';
  return {
    ...base,
    stage,
    stuck: stage === 'needs_attention' || (running && !!deadline && deadline.getTime() < now),
    rep: get<string>(AssignedRepKey) ?? null,
    pool: get<string>(LeadPoolKey) ?? null,
    source: get<string>(LeadSourceKey) ?? null,
    nextDeadline: deadline ? deadline.toISOString() : null,
    startedAt: info.startTime.toISOString(),
    status: info.status.name,
  };
}

const STUCK_ORDER = (r: { stage: string; stuck: boolean }) => (r.stage === 'needs_attention' ? 0 : r.stuck ? 1 : 2);

export function opsRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const timed = <T>(fn: () => Promise<T>, ms = deps.temporalTimeoutMs ?? 10_000): Promise<T> =>
    deps.client.connection.withDeadline(Date.now() + ms, fn);
  const requireServer = (kind: string) => {
    if (kind !== 'server') throw new ApiError(401, 'unauthorized', 'ops routes need an API key');
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/ops/leads',
      summary: 'Leads by stage from Temporal visibility, stuck ones first',
      description:
        'Newest first after the stuck ones (needs_attention, then running past their next deadline). `counts` are per stage for the `rep` filter (ignoring `stage` and `stuck`). ' +
        'Visibility is eventually consistent: a lead may take a moment to appear or change stage here.',
      security: [{ bearer: [] }],
      request: { query: opsQuerySchema },
      responses: {
        200: json(opsLeadsSchema, 'Leads and counts by stage'),
        400: json(errorSchema, 'Invalid or unknown filter'),
        401: json(errorSchema, 'API key required'),
        429: json(errorSchema, 'Rate limited (see Retry-After)'),
        501: json(errorSchema, 'This Temporal server cannot list workflows (no visibility store)'),
        503: json(errorSchema, 'Temporal is unreachable'),
      },
    }),
    async (c) => {
      requireServer(c.get('caller').kind);
      const filter = c.req.valid('query');
      const now = Date.now();
      const leads: ReturnType<typeof row>[] = [];
      const seen = new Set<string>();
      const collect = async (query: string) => {
        if (leads.length >= filter.limit) return;
        for await (const info of deps.client.workflow.list({ query, pageSize: Math.min(filter.limit, 100) })) {
          if (seen.has(info.runId)) continue;
          seen.add(info.runId);
          leads.push(row(info, deps, now));
          if (leads.length >= filter.limit) break;
        }
      };
      await timed(async () => {
        // Stuck leads first, so `limit` never hides one behind newer healthy leads.
        if (filter.stuck !== 'true') await collect(opsQuery({ ...filter, stuck: 'true' }, new Date(now)));
        await collect(opsQuery(filter, new Date(now)));
      });
      leads.sort((a, b) => STUCK_ORDER(a) - STUCK_ORDER(b) || b.startedAt.localeCompare(a.startedAt));
      const counts: Record<string, number> = {};
      const base = opsQuery({ ...(filter.rep ? { rep: filter.rep } : {}) });
      await timed(() =>
        Promise.all(
          LEAD_STAGES.map(async (stage) => {
            const { count } = await deps.client.workflow.count(`${base} AND LeadStage = "${stage}"`);
            counts[stage] = count;
          }),
        ),
      );
      return c.json({ counts, leads }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/ops/outbox',
      summary: 'Emails sent by the embedded email provider, newest first',
      security: [{ bearer: [] }],
      responses: {
        200: json(outboxSchema, 'Sent emails'),
        401: json(errorSchema, 'API key required'),
        404: json(errorSchema, 'A real email provider is configured'),
        429: json(errorSchema, 'Rate limited (see Retry-After)'),
      },
    }),
    async (c) => {
      requireServer(c.get('caller').kind);
      if (!deps.outbox) throw new ApiError(404, 'not_found', 'a real email provider is configured; there is no embedded outbox');
      const emails = deps.outbox.list({ limit: 200 }).map(({ key: _key, replyTo: _r, ...e }) => e);
      return c.json({ emails }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness, and whether Temporal is reachable',
      responses: { 200: json(healthSchema, 'Up'), 503: json(healthSchema, 'Up, but Temporal is unreachable') },
    }),
    async (c) => {
      try {
        await deps.client.connection.withDeadline(Date.now() + (deps.healthTimeoutMs ?? 3_000), () => deps.client.workflowService.getSystemInfo({}));
        return c.json({ ok: true, temporal: 'reachable' as const }, 200);
      } catch {
        return c.json({ ok: false, temporal: 'unreachable' as const }, 503);
      }
    },
  );

  return app;
}
