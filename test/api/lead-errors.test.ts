/**
 * Error paths that need a real lead: a worker on the shared Temporal dev server, the real app via
 * `app.request()`. Unknown leads, someone else's lead, unknown proposals, closed leads, re-submissions.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { encodeLeadId } from '../../domain/qualify/lead-id';
import { leadWorkflowId } from '../../domain/qualify/lead';
import { policyOf } from '../../domain/team/policy';
import { devServerApp } from '../helpers/dev-server';
import type { Harness } from '../helpers/harness';
import { API_KEY, bearer, expectError, json, SECRET } from './api-helpers';

let env: TestWorkflowEnvironment;
let h: Harness;
let app: ReturnType<typeof createApp>;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ env, h, app, close } = await devServerApp());
});
afterAll(() => close?.());

type View = { stage: string; proposals: { id: string; start: string }[]; booking: unknown };

async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startLead(email: string, extra: Record<string, unknown> = {}) {
  const res = await app.request('/v1/leads', json({ email, message: 'We need a demo for our 50-person team.', ...extra }));
  expect(res.status).toBe(202);
  return (await res.json()) as { leadId: string; buyerToken: string; workflowId: string };
}
const view = async (leadId: string, token = API_KEY) => (await (await app.request(`/v1/leads/${leadId}`, { headers: bearer(token) })).json()) as View;
const awaitingReply = (leadId: string) => poll(() => view(leadId), (v) => v.stage === 'awaiting_reply');

describe('lead error paths against a real workflow', () => {
  it('a lead no worker picks up answers 503 (never a hung request or a 500), a booking 409 at once, and its stream just ends', async () => {
    const noWorker = createApp({
      client: env.client,
      taskQueue: `no-worker-${Date.now()}`,
      namespace: 'default',
      apiKeys: [API_KEY],
      tokens: new BuyerTokens(SECRET),
      temporalTimeoutMs: 400,
      sse: { pollMs: 50, heartbeatMs: 1_000 },
    });
    const created = await noWorker.request('/v1/leads', json({ email: `stalled-${Date.now()}@nowhere.example` }));
    expect(created.status).toBe(202);
    const { leadId, buyerToken, workflowId } = (await created.json()) as { leadId: string; buyerToken: string; workflowId: string };
    const auth = bearer(buyerToken);
    const started = Date.now();
    await expectError(await noWorker.request(`/v1/leads/${leadId}`, { headers: auth }), 503, 'temporal_unavailable');
    // Nothing is on offer before the lead's first workflow task has run: a booking hears so at once
    // (409, as the document says), instead of waiting on a workflow that may be slow or, here, unworked.
    const sentAt = Date.now();
    const early = await expectError(await noWorker.request(`/v1/leads/${leadId}/booking`, json({ proposalId: '1-1' }, auth)), 409, 'lead_state_conflict');
    expect(Date.now() - sentAt, 'a booking before any proposals never waits for the update timeout (3 × 400 ms here)').toBeLessThan(1_200);
    expect(early.error.message).toBe('the lead is qualifying: it has offered no times yet; book one of its proposals once it shows them (stage awaiting_reply)');
    expect((early as unknown as { proposals: unknown[] }).proposals).toEqual([]);
    const stream = await noWorker.request(`/v1/leads/${leadId}/events`, { headers: auth });
    expect(stream.status).toBe(200);
    const text = await stream.text();
    expect(text).toContain('retry: 2000');
    expect(text).not.toMatch(/event: error|DEADLINE|grpc/i);
    expect(Date.now() - started).toBeLessThan(10_000);
    await env.client.workflow.getHandle(workflowId).terminate('test done');
  });


  it('a lead whose workflow task keeps failing answers 503 lead_not_ready with Retry-After, never a 500', async () => {
    // After worker and history kills on a cluster a lead's workflow task can fail or time out a few
    // times; from the third attempt Temporal refuses queries (WorkflowNotReady, FAILED_PRECONDITION).
    // A workflow whose input is missing fails its task the same way, every attempt.
    const email = `failing-task-${Date.now()}@acme-buyer.example`;
    await h.withWorker(async () => {
      const handle = await env.client.workflow.start('leadWorkflow', { taskQueue: h.taskQueue, workflowId: leadWorkflowId(email), args: [{}] });
      const leadId = encodeLeadId(email, handle.firstExecutionRunId);
      const attempt = await poll(async () => (await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0, (n) => n >= 3, 30_000);
      expect(attempt, 'the workflow task failed three times').toBeGreaterThanOrEqual(3);
      const res = await app.request(`/v1/leads/${leadId}`, { headers: bearer(API_KEY) });
      expect(res.headers.get('retry-after')).toBe('2');
      await expectError(res, 503, 'lead_not_ready');
      await handle.terminate('test done');
    });
  });

  it('an unknown (well-formed) lead id is 404 on every lead route', async () => {
    const unknown = encodeLeadId(`nobody-${Date.now()}@nowhere.example`, randomUUID());
    const auth = bearer(API_KEY);
    await expectError(await app.request(`/v1/leads/${unknown}`, { headers: auth }), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${unknown}/messages`, json({ text: 'hi' }, auth)), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${unknown}/booking`, json({ proposalId: '1-1' }, auth)), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${unknown}/events`, { headers: auth }), 404, 'not_found');
    // A real workflow id with a run id that is not one of its runs is unknown too.
    const real = await startLead(`run-${Date.now()}@acme-buyer.example`);
    const wrongRun = `${real.leadId.split('.')[0]}.${randomUUID()}`;
    await expectError(await app.request(`/v1/leads/${wrongRun}`, { headers: auth }), 404, 'not_found');
  });

  it('walks a lead through every booking and messaging error to its close', async () => {
    await h.withWorker(async () => {
      const stamp = Date.now();
      const a = await startLead(`buyer-a-${stamp}@clinic.example`, { name: 'Ana Buyer', company: 'Clinic Co' });
      const b = await startLead(`buyer-b-${stamp}@clinic.example`);
      const buyerA = bearer(a.buyerToken);

      // Lead A's token on lead B: not found, whichever route.
      await expectError(await app.request(`/v1/leads/${b.leadId}`, { headers: buyerA }), 404, 'not_found');
      await expectError(await app.request(`/v1/leads/${b.leadId}/messages`, json({ text: 'hi' }, buyerA)), 404, 'not_found');

      // Submitting the same email again joins the lead; only an API key (or that lead's token) learns so.
      const anonymous = await app.request('/v1/leads', json({ email: `Buyer-A-${stamp}@clinic.example`, message: 'Also: we use Epic.' }));
      expect(anonymous.status).toBe(202);
      const joined = (await anonymous.json()) as { leadId: string; buyerToken: string };
      expect(joined.leadId).not.toBe(a.leadId);
      await expectError(await app.request(`/v1/leads/${joined.leadId}`, { headers: bearer(joined.buyerToken) }), 404, 'not_found');
      const asBuyer = await app.request('/v1/leads', json({ email: `buyer-a-${stamp}@clinic.example` }, buyerA));
      expect(asBuyer.status).toBe(200);
      expect(((await asBuyer.json()) as { leadId: string; buyerToken?: string })).toMatchObject({ leadId: a.leadId, buyerToken: expect.any(String) });
      const asServer = await app.request('/v1/leads', json({ email: `buyer-a-${stamp}@clinic.example` }, bearer(API_KEY)));
      expect(asServer.status).toBe(200);
      expect(((await asServer.json()) as { buyerToken?: string }).buyerToken).toBeTruthy();

      const offered = await awaitingReply(a.leadId);
      expect(offered.stage).toBe('awaiting_reply');

      // A proposal that is not on offer: 409 with the ones that are (a well-formed request the lead's state refuses).
      const unknown = (await expectError(await app.request(`/v1/leads/${a.leadId}/booking`, json({ proposalId: '9-9' }, buyerA)), 409, 'unknown_proposal')) as unknown as { error: { message: string }; proposals: { id: string }[] };
      expect(unknown.error.message).toContain(offered.proposals[0]!.id);
      expect(unknown.proposals.map((p) => p.id)).toEqual(offered.proposals.map((p) => p.id));

      // The ops view shows the lead with the name from the form.
      const ops = await poll(
        async () => (await (await app.request('/v1/ops/leads?stage=awaiting_reply', { headers: bearer(API_KEY) })).json()) as { leads: { leadId: string }[] },
        (v) => v.leads.some((l) => l.leadId === a.leadId),
        5_000,
      );
      const row = (ops.leads as Record<string, unknown>[]).find((l) => l.leadId === a.leadId);
      if (row) expect(row).toMatchObject({ name: 'Ana Buyer', company: 'Clinic Co', email: `buyer-a-${stamp}@clinic.example`, stuck: false });

      // Book it; a second booking is refused while the meeting stands (nothing else is on offer).
      const booked = await app.request(`/v1/leads/${a.leadId}/booking`, json({ proposalId: offered.proposals[0]!.id }, buyerA));
      expect(booked.status).toBe(200);
      expect(((await booked.json()) as { booking: { start: string } }).booking.start).toBe(offered.proposals[0]!.start);
      const again = await app.request(`/v1/leads/${a.leadId}/booking`, json({ proposalId: offered.proposals[1]!.id }, buyerA));
      expect(again.status).toBe(409);
      expect(['unknown_proposal', 'lead_state_conflict']).toContain(((await again.clone().json()) as { error: { code: string } }).error.code);

      // The buyer cancels it; once the workflow has completed: 409 lead_closed, not 404 or 500.
      await poll(() => view(a.leadId), (v) => v.stage === 'booked');
      expect((await app.request(`/v1/leads/${a.leadId}/cancel`, json({}, buyerA))).status).toBe(200);
      const handle = env.client.workflow.getHandle(a.workflowId);
      await poll(async () => (await handle.describe()).status.name, (s) => s === 'COMPLETED');
      await expectError(await app.request(`/v1/leads/${a.leadId}/booking`, json({ proposalId: offered.proposals[1]!.id }, buyerA)), 409, 'lead_closed');
      await expectError(await app.request(`/v1/leads/${a.leadId}/messages`, json({ text: 'Hello?' }, buyerA)), 409, 'lead_closed');
      await expectError(await app.request(`/v1/leads/${a.leadId}/cancel`, json({}, buyerA)), 409, 'lead_closed');
      // ... and it can still be read, and streamed to its end.
      expect((await view(a.leadId, a.buyerToken)).stage).toBe('canceled');
      const stream = await app.request(`/v1/leads/${a.leadId}/events?token=${encodeURIComponent(a.buyerToken)}`);
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = await stream.text();
      expect(events).toContain('"stage":"canceled"');
      // Caught up on a closed lead: 204, so EventSource stops reconnecting.
      const lastId = Math.max(...[...events.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])));
      const caughtUp = await app.request(`/v1/leads/${a.leadId}/events`, { headers: { ...buyerA, 'Last-Event-ID': String(lastId) } });
      expect(caughtUp.status).toBe(204);

      // Lead B declines: messages and bookings after that are refused.
      await awaitingReply(b.leadId);
      expect((await app.request(`/v1/leads/${b.leadId}/messages`, json({ text: 'No thanks, we are not interested.' }, bearer(b.buyerToken)))).status).toBe(202);
      const declined = await poll(() => view(b.leadId), (v) => v.stage === 'declined');
      expect(declined.stage).toBe('declined');
      await poll(async () => (await env.client.workflow.getHandle(b.workflowId).describe()).status.name, (s) => s === 'COMPLETED');
      await expectError(await app.request(`/v1/leads/${b.leadId}/booking`, json({ proposalId: '1-1' }, bearer(b.buyerToken))), 409, 'lead_closed');
      await expectError(await app.request(`/v1/leads/${b.leadId}/messages`, json({ text: 'wait' }, bearer(b.buyerToken))), 409, 'lead_closed');

      // The same email after the lead closed starts a new lead with a new id.
      const next = await startLead(`buyer-b-${stamp}@clinic.example`);
      expect(next.leadId).not.toBe(b.leadId);
      expect(next.workflowId).toBe(b.workflowId);
      // ... which runs like any other (and is past its first workflow task before the worker stops).
      expect((await awaitingReply(next.leadId)).stage).toBe('awaiting_reply');
    });
  });
});
