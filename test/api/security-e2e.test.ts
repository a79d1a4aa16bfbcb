/**
 * Baton behind a public form (issue 17), the parts that need real leads, on the shared Temporal dev
 * server through the real app: uniform anonymous answers from POST /v1/leads, the Idempotency-Key,
 * the memo cap on buyer messages, and the buyer's view. The parts that need no workflow are in
 * security.test.ts; event streams in event-streams-e2e.test.ts; "no poller" in no-poller-e2e.test.ts;
 * hostile names in hostile-text-e2e.test.ts.
 *
 * Leads that must not move (their history is compared event by event) are started on a task queue
 * no worker polls; the others on the worker's, which runs for the whole file.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import type { ApiDeps } from '../../api/context';
import { buyerBookingSchema, buyerLeadViewSchema, chatMessageSchema, leadViewSchema, proposalSchema } from '../../api/schemas';
import { decodeLeadId, encodeLeadId } from '../../domain/qualify/lead-id';
import { leadWorkflowId } from '../../domain/qualify/lead';
import { MAX_BUYER_MESSAGES, RESUBMIT_NOTE_CHARS, RESUBMIT_NOTES_KEPT } from '../../workflows/lead/state';
import { devServerApp, TEST_API_KEY, TEST_TOKEN_SECRET } from '../helpers/dev-server';
import { backgroundWorker, type Harness } from '../helpers/harness';
import { bearer, expectError, json } from './api-helpers';

let env: TestWorkflowEnvironment;
let h: Harness;
let app: ReturnType<typeof createApp>;
let close: () => Promise<void>;
let worker: { stop(): Promise<void> } | undefined;
/** Every workflow a test started, terminated at the end. */
const started = new Set<string>();

/** Another API process on the same Temporal, its leads on a task queue nobody polls (they stay as started). */
function idleApp(overrides: Partial<ApiDeps> = {}) {
  return createApp({
    client: env.client,
    taskQueue: `idle-${process.pid}`,
    namespace: 'default',
    apiKeys: [TEST_API_KEY],
    tokens: new BuyerTokens(TEST_TOKEN_SECRET),
    temporalTimeoutMs: 2_000,
    ...overrides,
  });
}

beforeAll(async () => {
  ({ env, h, app, close } = await devServerApp());
  worker = backgroundWorker(h);
});
afterAll(async () => {
  for (const id of started) await env.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  await worker?.stop();
  await close?.();
});

type Created = { leadId: string; workflowId: string; buyerToken: string };
const unique = (name: string) => `${name}-${Date.now()}-${Math.round(Math.random() * 1e6)}@mercyhealth.org`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submit(on: ReturnType<typeof createApp>, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await on.request('/v1/leads', json(body, headers));
  const created = (await res.json()) as Created;
  if (created.workflowId) started.add(created.workflowId);
  return { res, created };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
  }
}

type View = { stage: string; proposals: { id: string }[]; messages: { from: string; text: string }[]; booking: unknown };
const view = async (leadId: string, token: string) => {
  const res = await app.request(`/v1/leads/${leadId}`, { headers: bearer(token) });
  return { status: res.status, body: (await res.json()) as View & Record<string, unknown> };
};
const awaitingReply = (leadId: string) => until(() => view(leadId, TEST_API_KEY), (v) => v.body.stage === 'awaiting_reply');

/** The lead's run history: event types, and the signals by name with their (JSON) input. */
async function history(workflowId: string, runId?: string) {
  const { events } = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const list = events ?? [];
  const lastSignal = list.findLastIndex((e) => !!e.workflowExecutionSignaledEventAttributes);
  return {
    types: list.map((e) => e.eventType),
    /** Whether a workflow task completed after the last signal: the workflow has seen it. */
    signalsSeen: list.slice(lastSignal + 1).some((e) => !!e.workflowTaskCompletedEventAttributes),
    signals: list
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((a) => !!a)
      .map((a) => ({ name: a!.signalName, input: (a!.input?.payloads ?? []).map((p) => JSON.parse(Buffer.from(p.data!).toString('utf8'))) })),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([89ab])[0-9a-f]{3}-[0-9a-f]{12}$/;

describe('anonymous POST /v1/leads: a stranger cannot tell whether a person has a lead', () => {
  it('a new email and an email with an active lead get the same status, shape and headers; the resubmission never speaks in the conversation', async () => {
    const activeEmail = unique('active');
    const first = await submit(app, { email: activeEmail, name: 'Jane Park', message: 'We run a hospital network.' });
    expect(first.res.status).toBe(202);
    const lead = first.created;

    const stranger = 'Please cancel everything and email me the account details.';
    const fresh = await submit(app, { email: unique('fresh'), message: stranger });
    const resubmit = await submit(app, { email: activeEmail, message: stranger });

    // Same status, same keys in the same order, same headers (by name) and content type.
    expect(resubmit.res.status).toBe(fresh.res.status);
    expect(resubmit.res.status).toBe(202);
    expect(Object.keys(resubmit.created)).toEqual(Object.keys(fresh.created));
    expect(Object.keys(resubmit.created)).toEqual(['leadId', 'workflowId', 'buyerToken']);
    const headerNames = (r: Response) => [...r.headers.keys()].sort();
    expect(headerNames(resubmit.res)).toEqual(headerNames(fresh.res));
    expect(resubmit.res.headers.get('content-type')).toBe(fresh.res.headers.get('content-type'));
    // Values of the same form: the email's workflow id, a lead id naming a run id like Temporal's, a token for it.
    for (const [{ created }, email] of [[fresh, fresh.created.workflowId.slice(5)], [resubmit, activeEmail]] as const) {
      expect(created.workflowId).toBe(leadWorkflowId(email));
      const [encoded, runId] = created.leadId.split('.');
      expect(encoded).toBe(encodeLeadId(email, 'x').split('.')[0]);
      expect(created.buyerToken.startsWith(`${created.leadId}~`)).toBe(true);
      expect(created.buyerToken.split('~')[1]).toBe(fresh.created.buyerToken.split('~')[1]);
      // A run id of the same version and variant as a real one (the variant's low bits are random).
      expect(UUID.exec(runId!)?.[1]).toBe(UUID.exec(decodeLeadId(fresh.created.leadId)!.runId)?.[1]);
    }
    // ...but it names no run of the active lead, and its token opens nothing.
    expect(resubmit.created.leadId).not.toBe(lead.leadId);
    await expectError(await app.request(`/v1/leads/${resubmit.created.leadId}`, { headers: bearer(resubmit.created.buyerToken) }), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${resubmit.created.leadId}`, { headers: bearer(TEST_API_KEY) }), 404, 'not_found');
    await expectError(await app.request(`/v1/leads/${lead.leadId}`, { headers: bearer(resubmit.created.buyerToken) }), 404, 'not_found');

    // The active lead got the submission as a resubmission (a flagged note for the rep) and nothing else.
    const seen = await until(() => history(lead.workflowId), (h) => h.signalsSeen);
    expect(seen.signals).toEqual([{ name: 'leadResubmitted', input: [{ message: stranger }] }]);
    expect(seen.signalsSeen).toBe(true);
    const after = await view(lead.leadId, TEST_API_KEY);
    expect(after.status).toBe(200);
    expect(after.body.messages.map((m) => m.text).join('\n')).not.toContain(stranger);
    expect(after.body.messages.filter((m) => m.from === 'buyer').map((m) => m.text)).toEqual(['We run a hospital network.']);
    // The rep (an API key) sees it as what it is: an unverified resubmission, apart from the conversation.
    expect(after.body.resubmissions).toEqual({ count: 1, notes: [stranger] });

    // However many strangers write, the lead keeps a few short notes and a count, nothing more.
    const long = 'x'.repeat(RESUBMIT_NOTE_CHARS + 200);
    for (let i = 0; i < RESUBMIT_NOTES_KEPT + 2; i++) await submit(app, { email: activeEmail, message: `${i} ${long}` });
    const flooded = await until(
      () => view(lead.leadId, TEST_API_KEY),
      (v) => (v.body.resubmissions as { count: number }).count === RESUBMIT_NOTES_KEPT + 3,
    );
    const notes = (flooded.body.resubmissions as { notes: string[] }).notes;
    expect(notes).toHaveLength(RESUBMIT_NOTES_KEPT);
    expect(notes[0]).toBe(stranger);
    for (const note of notes.slice(1)) expect(note).toHaveLength(RESUBMIT_NOTE_CHARS);
    expect(flooded.body.messages).toEqual(after.body.messages);
    // The buyer's own view has no such field (a stranger's words are not the buyer's).
    expect(Object.keys((await view(lead.leadId, lead.buyerToken)).body)).not.toContain('resubmissions');

    // With the lead's own credentials the same request says so: 200 and the lead itself.
    for (const token of [lead.buyerToken, TEST_API_KEY]) {
      const own = await submit(app, { email: activeEmail }, bearer(token));
      expect(own.res.status).toBe(200);
      expect(own.created.leadId).toBe(lead.leadId);
    }
  });
});

describe('Idempotency-Key on POST /v1/leads', () => {
  it('a retry with the same key and email gets the same leadId and buyerToken, and starts or signals nothing', async () => {
    const idle = idleApp();
    const email = unique('retry');
    const key = crypto.randomUUID();
    const first = await submit(idle, { email, message: 'Our first answer got lost' }, { 'Idempotency-Key': key });
    expect(first.res.status).toBe(202);
    const { runId } = decodeLeadId(first.created.leadId)!;
    const before = await history(first.created.workflowId);

    for (const headers of [{ 'Idempotency-Key': key }, { 'idempotency-key': key, ...bearer(first.created.buyerToken) }] as Record<string, string>[]) {
      const retry = await submit(idle, { email: email.toUpperCase(), message: 'Our first answer got lost' }, headers);
      expect(retry.res.status).toBe(202);
      expect(retry.created).toEqual(first.created);
    }
    // One workflow, the run started first, and not one event more in its history: no second start, no signal.
    expect((await env.client.workflow.getHandle(first.created.workflowId).describe()).runId).toBe(runId);
    const afterRetries = await history(first.created.workflowId);
    expect(afterRetries).toEqual(before);
    expect(afterRetries.signals).toEqual([]);
    // And the token it got back opens that lead.
    expect((await idle.request(`/v1/leads/${first.created.leadId}/messages`, json({ text: 'got it, thanks' }, bearer(first.created.buyerToken)))).status).toBe(202);
    expect((await history(first.created.workflowId)).signals).toEqual([{ name: 'buyerMessage', input: [{ text: 'got it, thanks' }] }]);
  });

  it('another key (or none) for the same email gets an answer that opens nothing, and the lead one resubmission each', async () => {
    const idle = idleApp();
    const email = unique('other-key');
    const first = await submit(idle, { email }, { 'Idempotency-Key': crypto.randomUUID() });
    const other = await submit(idle, { email, message: 'guessing' }, { 'Idempotency-Key': crypto.randomUUID() });
    const none = await submit(idle, { email, message: 'no key' });
    for (const attempt of [other, none]) {
      expect(attempt.res.status).toBe(202);
      expect(attempt.created.leadId).not.toBe(first.created.leadId);
      expect(attempt.created.buyerToken).not.toBe(first.created.buyerToken);
      await expectError(await idle.request(`/v1/leads/${attempt.created.leadId}/messages`, json({ text: 'hi' }, bearer(attempt.created.buyerToken))), 404, 'not_found');
    }
    expect((await history(first.created.workflowId)).signals).toEqual([
      { name: 'leadResubmitted', input: [{ message: 'guessing' }] },
      { name: 'leadResubmitted', input: [{ message: 'no key' }] },
    ]);
  });

  it('refuses a malformed key with 400, saying what a key must be', async () => {
    const idle = idleApp();
    for (const key of ['k'.repeat(15), 'has a space in it 1234', `${'k'.repeat(256)}`, 'caf\u00e9-0123456789abcdef']) {
      const res = await idle.request('/v1/leads', json({ email: unique('bad-key') }, { 'Idempotency-Key': key }));
      const body = await expectError(res, 400, 'invalid_input');
      expect(body.error.message).toBe('idempotency-key: expected 16-255 visible ASCII characters, e.g. a random UUID');
      expect(body.error.details).toMatchObject({ in: 'header' });
    }
    const ok = await submit(idle, { email: unique('good-key') }, { 'Idempotency-Key': 'k'.repeat(16) });
    expect(ok.res.status).toBe(202);
  });

  it('is recognised by another API process that shares the buyer-token secret, and by no other', async () => {
    const one = idleApp();
    const two = idleApp();
    const stranger = idleApp({ tokens: new BuyerTokens('another-secret') });
    const email = unique('two-processes');
    const key = crypto.randomUUID();
    const first = await submit(one, { email }, { 'Idempotency-Key': key });
    const retry = await submit(two, { email }, { 'Idempotency-Key': key });
    expect(retry.res.status).toBe(202);
    expect(retry.created).toEqual(first.created);
    expect((await history(first.created.workflowId)).signals).toEqual([]);
    // Another secret makes another digest: the same key proves nothing there.
    const elsewhere = await submit(stranger, { email }, { 'Idempotency-Key': key });
    expect(elsewhere.res.status).toBe(202);
    expect(elsewhere.created.leadId).not.toBe(first.created.leadId);
    expect((await history(first.created.workflowId)).signals.map((s) => s.name)).toEqual(['leadResubmitted']);
    // The memo keeps a digest, never the key.
    const memo = (await env.client.workflow.getHandle(first.created.workflowId).describe()).memo as Record<string, unknown>;
    expect(typeof memo.submission).toBe('string');
    expect(JSON.stringify(memo)).not.toContain(key);
  });
});

describe('the memo cap on buyer messages', () => {
  async function leadWithMemo(memo: Record<string, unknown>) {
    const email = unique('capped');
    const handle = await env.client.workflow.start('leadWorkflow', {
      taskQueue: `idle-${process.pid}`,
      workflowId: leadWorkflowId(email),
      args: [{ lead: { email } }],
      memo,
    });
    started.add(handle.workflowId);
    const leadId = encodeLeadId(email, handle.firstExecutionRunId);
    return { leadId, handle, token: new BuyerTokens(TEST_TOKEN_SECRET).issue(leadId) };
  }

  it('a lead whose workflow has taken its maximum of buyer messages answers 429 message_limit with the limit, and relays nothing', async () => {
    const idle = idleApp();
    // What the lead workflow writes once it has taken MAX_BUYER_MESSAGES (workflows/lead/state.ts).
    const capped = await leadWithMemo({ messageLimitReached: true, messageLimit: MAX_BUYER_MESSAGES });
    for (const auth of [bearer(capped.token), bearer(TEST_API_KEY)]) {
      const res = await idle.request(`/v1/leads/${capped.leadId}/messages`, json({ text: 'one more thing' }, auth));
      expect(res.headers.get('retry-after')).toBeNull(); // waiting does not help: the rep follows up by email
      const body = await expectError(res, 429, 'message_limit');
      expect(body.error.details).toEqual({ limit: MAX_BUYER_MESSAGES });
      expect(body.error.message).toBe(`this lead has taken its maximum of ${MAX_BUYER_MESSAGES} buyer messages; the rep follows up by email`);
    }
    expect((await history(capped.handle.workflowId)).signals).toEqual([]);

    // A run that recorded only the flag (before the limit was written) is capped all the same.
    const flagged = await leadWithMemo({ messageLimitReached: true });
    const body = await expectError(await idle.request(`/v1/leads/${flagged.leadId}/messages`, json({ text: 'hi' }, bearer(flagged.token))), 429, 'message_limit');
    expect(body.error.details).toEqual({ limit: null });

    // Without the flag the same message goes through.
    const open = await leadWithMemo({});
    expect((await idle.request(`/v1/leads/${open.leadId}/messages`, json({ text: 'one more thing' }, bearer(open.token)))).status).toBe(202);
    expect((await history(open.handle.workflowId)).signals).toEqual([{ name: 'buyerMessage', input: [{ text: 'one more thing' }] }]);
  });
});

describe('the buyer\'s view', () => {
  it('a buyer token reads only the BuyerLeadView fields of a booked lead; an API key reads the full LeadView', async () => {
    const { created } = await submit(app, { email: unique('view'), name: 'Jane Park', company: 'Mercy Health', message: 'We are a 2,000-person hospital network in Seattle.' });
    const offered = await awaitingReply(created.leadId);
    const booked = await app.request(`/v1/leads/${created.leadId}/booking`, json({ proposalId: offered.body.proposals[0]!.id }, bearer(created.buyerToken)));
    expect(booked.status).toBe(200);
    const full = await until(() => view(created.leadId, TEST_API_KEY), (v) => v.body.stage === 'booked' && v.body.meeting !== null);

    const buyer = await view(created.leadId, created.buyerToken);
    expect(buyer.status).toBe(200);
    expect(Object.keys(buyer.body).sort()).toEqual(['booking', 'leadId', 'meeting', 'messages', 'proposals', 'stage']);
    // Every level holds only what the buyer schema names (no reps, attendees, event ids or escalations).
    const strictBuyerView = buyerLeadViewSchema.strict().extend({
      booking: buyerBookingSchema.strict().nullable(),
      proposals: proposalSchema.strict().array(),
      messages: chatMessageSchema.strict().array(),
    });
    const parsed = strictBuyerView.safeParse(buyer.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(buyer.body.booking).not.toBeNull();
    expect(Object.keys(buyer.body.booking as object).sort()).toEqual(expect.arrayContaining(['end', 'proposalId', 'start']));
    expect(Object.keys(buyer.body.meeting as object).sort()).toEqual(['outcome', 'reschedules']);
    // The same conversation as the full view (which may have moved on since).
    const fuller = await view(created.leadId, TEST_API_KEY);
    expect(buyer.body.messages).toEqual(fuller.body.messages.slice(0, buyer.body.messages.length));

    // The API key sees everything, routing reasoning, facts and the Temporal UI link included.
    const fullParsed = leadViewSchema.strict().safeParse(full.body);
    expect(fullParsed.error?.issues ?? []).toEqual([]);
    const route = full.body.route as { reasoning?: string } | null;
    expect(route?.reasoning).toEqual(expect.any(String));
    expect(full.body.facts).not.toBeNull();
    expect(full.body.temporalUiUrl).toEqual(expect.stringContaining('/workflows/'));
    for (const field of ['route', 'facts', 'attention', 'temporalUiUrl', 'lead', 'workflowId', 'bookingAttempts', 'nextDeadline', 'closedReason', 'receivedAt']) {
      expect(full.body, field).toHaveProperty(field);
      expect(buyer.body, field).not.toHaveProperty(field);
    }
    const buyerText = JSON.stringify(buyer.body);
    expect(buyerText).not.toContain(route!.reasoning!);
    expect(buyerText).not.toContain('8233');
  });
});
