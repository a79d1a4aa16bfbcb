/**
 * After booking, through the HTTP API: the README lead, then "can we push it an hour later?", then
 * "see you then", then a cancel — on the real dev server; and the outcome route with a no-show and
 * the buyer's recovery pick on the time-skipping server (a meeting has to have started), with one
 * calendar event at each moment and every message in the conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { devServerApp, TEST_API_KEY, TEST_TOKEN_SECRET } from '../helpers/dev-server';
import { harness, testTeam, timeSkippingEnv, untilStatus, type Harness } from '../helpers/harness';
import { statusQuery } from '../../workflows/lead/messages';

const HOUR = 3_600_000;
const auth = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
type View = {
  stage: string;
  proposals: { id: string; start: string; attendees: string[] }[];
  booking: { start: string; reps: string[] } | null;
  meeting: { outcome: string; reschedules: number } | null;
  messages: { from: string; text: string }[];
};

async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if ((v !== undefined && ok(v)) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function client(app: ReturnType<typeof createApp>) {
  return {
    post: (path: string, token: string, body: unknown) => app.request(path, { method: 'POST', headers: auth(token), body: JSON.stringify(body) }),
    view: async (leadId: string, token = TEST_API_KEY) => (await (await app.request(`/v1/leads/${leadId}`, { headers: auth(token) })).json()) as View,
    async start(email: string) {
      const res = await app.request('/v1/leads', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, name: 'Jane Park', company: 'Mercy Health', message: "We're a 2,000-person hospital network in Seattle looking at Baton." }) });
      expect(res.status).toBe(202);
      return (await res.json()) as { leadId: string; buyerToken: string };
    },
  };
}

describe('after booking, on the dev server through the API', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    // The meeting far enough ahead that a move is not inside the 2 h cutoff.
    ({ h, app, close } = await devServerApp({ team: testTeam((t) => ({ ...t, booking: { ...t.booking, minNotice: 6 * HOUR } })) }));
  });
  afterAll(() => close?.());

  it('moves the meeting an hour later, acknowledges once, then cancels it, with one calendar event at each moment', async () => {
    await h.withWorker(async () => {
      const api = client(app);
      const email = `push-${Date.now()}@mercyhealth.org`;
      const { leadId, buyerToken } = await api.start(email);
      const offered = await poll(() => api.view(leadId, buyerToken), (v) => v.stage === 'awaiting_reply');
      const booked = await api.post(`/v1/leads/${leadId}/booking`, buyerToken, { proposalId: offered.proposals[0]!.id });
      expect(booked.status).toBe(200);
      const first = await poll(() => api.view(leadId), (v) => v.stage === 'booked' && v.meeting !== null);
      const mine = () => h.local.calendar.bookedEvents().filter((e) => e.title?.includes('Mercy Health'));
      expect(mine()).toHaveLength(1);

      // The meeting stays active: messages are taken (before, this was 409 lead_closed).
      expect((await api.post(`/v1/leads/${leadId}/messages`, buyerToken, { text: 'Something came up, can we push it an hour later?' })).status).toBe(202);
      const offer = await poll(() => api.view(leadId, buyerToken), (v) => v.stage === 'rescheduling');
      expect(Date.parse(offer.proposals[0]!.start)).toBe(Date.parse(first.booking!.start) + HOUR);
      expect(mine()).toHaveLength(1); // the booked meeting stands meanwhile

      const moved = await api.post(`/v1/leads/${leadId}/booking`, buyerToken, { proposalId: offer.proposals[0]!.id });
      expect(moved.status).toBe(200);
      const after = await poll(() => api.view(leadId), (v) => v.stage === 'booked' && v.meeting?.reschedules === 1);
      expect(Date.parse(after.booking!.start)).toBe(Date.parse(first.booking!.start) + HOUR);
      expect(mine().map((e) => Date.parse(e.start))).toEqual([Date.parse(first.booking!.start) + HOUR]);

      expect((await api.post(`/v1/leads/${leadId}/messages`, buyerToken, { text: 'see you then!' })).status).toBe(202);
      const acked = await poll(() => api.view(leadId, buyerToken), (v) => /^Great — see you/.test(v.messages.at(-1)?.text ?? ''));
      expect(acked.messages.filter((m) => m.from === 'agent' && /^Great — see you/.test(m.text))).toHaveLength(1);

      // Ops see it among the meetings ahead.
      const listed = await poll(
        async () => (await (await app.request('/v1/ops/meetings', { headers: auth(TEST_API_KEY) })).json()) as { meetings: { leadId: string; outcome: string }[] },
        (r) => r.meetings.some((m) => m.leadId === leadId),
      );
      expect(listed.meetings.find((m) => m.leadId === leadId)?.outcome).toBe('scheduled');
      // Only an API key records outcomes; before the meeting it is a conflict.
      expect((await api.post(`/v1/leads/${leadId}/outcome`, buyerToken, { outcome: 'held' })).status).toBe(401);
      expect((await api.post(`/v1/leads/${leadId}/outcome`, TEST_API_KEY, { outcome: 'held' })).status).toBe(409);

      const canceled = await api.post(`/v1/leads/${leadId}/cancel`, buyerToken, { reason: 'We found another vendor' });
      expect(canceled.status).toBe(200);
      expect(((await canceled.json()) as { stage: string }).stage).toBe('canceled');
      expect(mine()).toEqual([]);
      expect((await api.post(`/v1/leads/${leadId}/cancel`, buyerToken, {})).status).toBe(409);
      const last = await api.view(leadId);
      expect(last.stage).toBe('canceled');
      expect(last.messages.filter((m) => m.from === 'buyer').map((m) => m.text)).toEqual([
        "We're a 2,000-person hospital network in Seattle looking at Baton.",
        'Something came up, can we push it an hour later?',
        'see you then!',
      ]);
    });
  });
});

describe('after the meeting, on the time-skipping server through the API', () => {
  it('records a no-show, books the buyer’s recovery pick as a new meeting, and closes held', async () => {
    const env = await timeSkippingEnv();
    const h = await harness(env);
    const app = createApp({
      client: env.client,
      taskQueue: h.taskQueue,
      namespace: 'default',
      apiKeys: [TEST_API_KEY],
      tokens: new BuyerTokens(TEST_TOKEN_SECRET),
      outbox: h.local.outbox,
    });
    try {
      await h.withWorker(async () => {
        const api = client(app);
        const email = `missed-${Date.now()}@mercyhealth.org`;
        const { leadId, buyerToken } = await api.start(email);
        const offered = await poll(() => api.view(leadId, buyerToken), (v) => v.stage === 'awaiting_reply');
        expect((await api.post(`/v1/leads/${leadId}/booking`, buyerToken, { proposalId: offered.proposals[0]!.id })).status).toBe(200);
        // Skip the server's clock past the meeting: the rep is asked, the outcome is unconfirmed.
        const wf = env.client.workflow.getHandle(`lead-${email}`);
        await untilStatus(h, wf, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: HOUR });

        const missed = await api.post(`/v1/leads/${leadId}/outcome`, TEST_API_KEY, { outcome: 'no_show', note: 'Waited 15 minutes' });
        expect(missed.status).toBe(200);
        expect(await missed.json()).toEqual({ stage: 'no_show', outcome: 'no_show' });
        const recovery = await api.view(leadId, buyerToken);
        expect(recovery.proposals.length).toBeGreaterThan(0);
        expect(recovery.messages.at(-1)!.text).toMatch(/^Sorry we missed you/);

        expect((await api.post(`/v1/leads/${leadId}/messages`, buyerToken, { text: 'the second one works' })).status).toBe(202);
        const again = await poll(() => api.view(leadId), (v) => v.stage === 'booked' && v.meeting?.outcome === 'scheduled');
        expect(again.booking!.start).toBe(recovery.proposals[1]!.start);
        expect(h.local.calendar.bookedEvents()).toHaveLength(2); // the missed one, and the new one

        await untilStatus(h, wf, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: HOUR });
        const held = await api.post(`/v1/leads/${leadId}/outcome`, TEST_API_KEY, { outcome: 'held' });
        expect(await held.json()).toEqual({ stage: 'held', outcome: 'held' });
        expect((await wf.query(statusQuery)).stage).toBe('held');
      });
    } finally {
      h.cleanup();
      await env.teardown();
    }
  });
});
