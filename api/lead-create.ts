/**
 * `POST /v1/leads`: start the lead's workflow, or join the active one of the same email.
 *
 * Anyone may call it (a buyer's browser does), so its answer must not tell a stranger whether a
 * person already has a lead: to a caller without an API key or that lead's own token, a new email
 * and an email with an active lead get the same answer — `202 { leadId, workflowId, buyerToken }`.
 * For an active lead that answer's `leadId` names no run and its token opens nothing (404 on every
 * route, as for a lead that is gone), so knowing an email never grants its conversation; what the
 * stranger wrote reaches the active lead only as a resubmission (`leadResubmitted`), which the
 * workflow keeps as a flagged note for the rep, never as the buyer's words.
 *
 * `Idempotency-Key` (16-255 visible ASCII characters, a random UUID is ideal): a client whose first
 * answer was lost retries with the same key and gets the same `leadId` and `buyerToken`. Stateless:
 * the workflow's memo keeps `submission`, an HMAC of key and email under the token secret (so the
 * key is never stored and cannot be forged), and any API process that shares the secret recognises
 * the retry. Its scope is that email's lead started by that request; its lifetime is the lead's run,
 * at most 24 hours from its start. The retry does not signal the lead again.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { leadWorkflowId, normalizeEmail } from '../domain/qualify/lead';
import { leadResubmittedSignal } from '../workflows/lead/messages';
import { LeadStageKey } from '../workflows/lead/search-attributes';
import type { ApiDeps, ApiEnv } from './context';
import type { EventHub } from './event-hub';
import { bodyErrors, errors, json, optionalSecurity, temporalCalls } from './lead-access';
import { encodeLeadId } from '../domain/qualify/lead-id';
import { createdLeadSchema, leadSchema } from './schemas';

/** How long after a lead's start a retry with its idempotency key gets the same answer. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{16,255}$/;

/**
 * A run id as Temporal's look today (a version 7 UUID: the time now, then random bits), for an answer
 * that must look like a new lead's. No run has it, so every route answers 404 for it.
 */
export function unusedRunId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function leadCreateRoutes(deps: ApiDeps, hub: EventHub) {
  const app = new OpenAPIHono<ApiEnv>();
  const { client } = deps;
  const { timed, handle } = temporalCalls(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/leads',
      summary: 'Start the lead\'s workflow, or join the active one for the same email',
      description:
        'Needs no credentials (a buyer\'s browser calls it; rate limited per address). `buyerToken` reads and answers only this lead. ' +
        'Callers without an API key or that lead\'s token always get 202 with a `leadId` and `buyerToken`: when the email already has an active lead, ' +
        'that token opens nothing (every route answers 404) and the message reaches the lead only as a note for the rep, so knowing an email never ' +
        'reveals or grants its conversation. With an API key or that lead\'s own token, joining an active lead answers 200 with its `leadId` and `buyerToken`. ' +
        'Send `Idempotency-Key` to get the same answer again when retrying a request whose answer was lost (same key and email, within 24 hours).',
      security: optionalSecurity,
      request: {
        body: { content: { 'application/json': { schema: leadSchema } }, required: true },
        headers: z.object({
          'idempotency-key': z
            .string()
            .regex(IDEMPOTENCY_KEY_PATTERN, { message: 'expected 16-255 visible ASCII characters, e.g. a random UUID' })
            .optional()
            .openapi({ description: 'Makes a retry safe: the same key with the same email within 24 hours answers with the same leadId and buyerToken' }),
        }),
      },
      responses: {
        202: json(createdLeadSchema, 'A new lead was started (or, to a caller without credentials for it, the email already had one)'),
        200: json(createdLeadSchema, 'API key or that lead\'s token: this email already has an active lead, and the message was added to it as a resubmission'),
        ...bodyErrors,
        401: errors[401],
        429: errors[429],
        503: errors[503],
      },
    }),
    async (c) => {
      const lead = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      const caller = c.get('caller');
      const email = normalizeEmail(lead.email);
      const workflowId = leadWorkflowId(email);
      const submission = key ? deps.tokens.digest('lead-submission', key, email) : undefined;
      const answer = (leadId: string, status: 200 | 202) => c.json({ leadId, workflowId, buyerToken: deps.tokens.issue(leadId) }, status);
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
              // Name and company are shown by the ops page without querying every workflow.
              memo: { ...(lead.name ? { name: lead.name } : {}), ...(lead.company ? { company: lead.company } : {}), ...(submission ? { submission } : {}) },
            }),
          );
          return answer(encodeLeadId(email, started.firstExecutionRunId), 202);
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        try {
          const description = await timed(() => client.workflow.getHandle(workflowId).describe());
          const leadId = encodeLeadId(email, description.runId);
          const memo = (description.memo ?? {}) as { submission?: unknown };
          if (submission && memo.submission === submission && Date.now() - description.startTime.getTime() < IDEMPOTENCY_WINDOW_MS) {
            return answer(leadId, 202); // the same request again: the same answer, and no second signal
          }
          await timed(() => handle({ workflowId, runId: description.runId }).signal(leadResubmittedSignal, { ...(lead.message ? { message: lead.message } : {}) }));
          hub.nudge(workflowId);
          const mayRead = caller.kind === 'server' || (caller.kind === 'buyer' && caller.leadId === leadId);
          if (mayRead) return answer(leadId, 200);
          return answer(encodeLeadId(email, unusedRunId()), 202);
        } catch (err) {
          // The active lead closed in between: start a new one (once).
          if (!(err instanceof WorkflowNotFoundError) || attempt >= 2) throw err;
        }
      }
    },
  );

  return app;
}
