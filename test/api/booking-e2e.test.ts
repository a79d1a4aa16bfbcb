import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createApp } from '../../api/app';
import type { Harness } from '../helpers/harness';
import { devServerApp, TEST_API_KEY } from '../helpers/dev-server';

let h: Harness;
let app: ReturnType<typeof createApp>;
let close: () => Promise<void>;
const API_KEY = TEST_API_KEY;

beforeAll(async () => {
  ({ h, app, close } = await devServerApp());
});
afterAll(() => close?.());

const auth = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads an event stream until `until` shows up (or 10 s pass), then lets it go. */
async function readStream(app: ReturnType<typeof createApp>, path: string, headers: Record<string, string>, until: string): Promise<string> {
  const res = await app.request(path, { headers });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 10_000;
  while (!text.includes(until) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe('HTTP API against a real Temporal dev server', () => {
  it('takes a lead from the form to a booked meeting, a CRM note and an intro email', async () => {
    await h.withWorker(async () => {
      const email = `ceo-${Date.now()}@mercyhealth.org`;
      const created = await app.request('/v1/leads', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, name: 'Jane Park', company: 'Mercy Health', message: 'We are a 2,000-person hospital network in Seattle.' }),
      });
      expect(created.status).toBe(202);
      const { leadId, buyerToken, workflowId } = (await created.json()) as { leadId: string; buyerToken: string; workflowId: string };
      expect(workflowId).toBe(`lead-${email}`);

      // The same buyer submitting again (with their token) joins the running lead instead of starting a second one.
      const again = await app.request('/v1/leads', { method: 'POST', headers: auth(buyerToken), body: JSON.stringify({ email, message: 'Also, we use Epic.' }) });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { leadId: string }).leadId).toBe(leadId);

      type View = { stage: string; proposals: { id: string; start: string }[]; messages: { from: string; text: string }[] };
      const view = await poll(
        async () => (await (await app.request(`/v1/leads/${leadId}`, { headers: auth(buyerToken) })).json()) as View,
        (v) => v.stage === 'awaiting_reply',
      );
      expect(view.stage).toBe('awaiting_reply');
      expect(view.proposals).toHaveLength(3);
      // A resubmission is a note for the rep, never a message in the buyer's conversation (anyone can submit any email).
      expect(view.messages.map((m) => m.text)).not.toContain('Also, we use Epic.');

      const reply = await app.request(`/v1/leads/${leadId}/messages`, { method: 'POST', headers: auth(buyerToken), body: JSON.stringify({ text: 'The second one works for me' }) });
      expect(reply.status).toBe(202);

      const booked = await poll(
        async () => (await (await app.request(`/v1/leads/${leadId}`, { headers: auth(API_KEY) })).json()) as View & { booking: { start: string } | null },
        (v) => v.stage === 'booked',
      );
      expect(booked.stage).toBe('booked');
      expect(booked.booking?.start).toBe(view.proposals[1]!.start);

      const outbox = (await (await app.request('/v1/ops/outbox', { headers: auth(API_KEY) })).json()) as { emails: { to: { email: string }[] }[] };
      expect(outbox.emails.filter((e) => e.to[0]!.email === email)).toHaveLength(1);
      expect(h.local.crm.records({ contactEmail: email }).map((r) => r.kind).sort()).toEqual(['meeting', 'note']);

      // The stream replays the whole story up to now; a booked lead stays open, so read until booked.
      const text = await readStream(app, `/v1/leads/${leadId}/events`, auth(buyerToken), '"stage":"booked"');
      expect(text).toContain('"stage":"awaiting_reply"');
      expect(text).toContain('"stage":"booked"');
      const resumed = await readStream(app, `/v1/leads/${leadId}/events`, { ...auth(buyerToken), 'Last-Event-ID': '3' }, '"stage":"booked"');
      expect(resumed).not.toMatch(/^id: [123]$/m);

      // Ops find it by stage through Temporal visibility.
      const ops = await poll(
        async () => (await (await app.request(`/v1/ops/leads?stage=booked`, { headers: auth(API_KEY) })).json()) as { leads: { leadId: string }[] },
        (v) => v.leads.some((l) => l.leadId === leadId),
        10_000,
      );
      expect(ops.leads.map((l) => l.leadId)).toContain(leadId);
    });
  });
});
