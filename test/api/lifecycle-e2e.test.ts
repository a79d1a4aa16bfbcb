import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createApp } from '../../api/app';
import { devServerApp, TEST_API_KEY } from '../helpers/dev-server';
import { testTeam, type Harness } from '../helpers/harness';

/** The first lifecycle paths again, on the real dev server through the HTTP API, with short timeouts. */
let h: Harness;
let app: ReturnType<typeof createApp>;
let close: () => Promise<void>;
const KEY = TEST_API_KEY;

beforeAll(async () => {
  // The worker's team decides: short timeouts there reach every lead the API starts.
  const team = testTeam((t) => ({ ...t, booking: { ...t.booking, nudgeAfter: 1_500, replyTimeout: 4_000 } }));
  ({ h, app, close } = await devServerApp({ team }));
});
afterAll(() => close?.());

type View = {
  stage: string;
  proposals: { id: string; start: string; end: string; attendees: string[] }[];
  messages: { from: string; text: string; proposalIds?: string[] }[];
  booking: { start: string } | null;
};
const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers, body: JSON.stringify(body) });
const view = async (leadId: string) => (await (await app.request(`/v1/leads/${leadId}`, { headers })).json()) as View;
async function until(leadId: string, ok: (v: View) => boolean, timeoutMs = 20_000): Promise<View> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await view(leadId);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`stage ${v.stage}: ${JSON.stringify(v.messages.slice(-2))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const unique = (name: string) => `${name}-${Date.now()}-${Math.round(Math.random() * 1e6)}@mercy.example`;

describe('lifecycle through the API on the dev server', () => {
  it('nudges a silent buyer, closes the lead as unresponsive, and a new submission starts a new lead', async () => {
    await h.withWorker(async () => {
      const email = unique('silent');
      const created = await post('/v1/leads', { email, message: 'We run a hospital network.' });
      const { leadId } = (await created.json()) as { leadId: string };
      const closed = await until(leadId, (v) => v.stage === 'unresponsive');
      const agent = closed.messages.filter((m) => m.from === 'agent').map((m) => m.text);
      expect(agent.length).toBe(3);
      expect(agent[1]).toMatch(/still/i);
      expect(h.local.crm.records({ contactEmail: email, kind: 'task' })).toHaveLength(1);

      const reply = await post(`/v1/leads/${leadId}/messages`, { text: 'sorry, I was away' });
      expect(reply.status).toBe(409);
      const again = await post('/v1/leads', { email, message: 'Back again — can we meet?' });
      expect(again.status).toBe(202);
      const second = (await again.json()) as { leadId: string };
      expect(second.leadId).not.toBe(leadId);
      expect((await until(second.leadId, (v) => v.stage === 'awaiting_reply')).proposals).toHaveLength(3);
    });
  });

  it('re-proposes when the buyer wants other times, then books the pick', async () => {
    await h.withWorker(async () => {
      const { leadId } = (await (await post('/v1/leads', { email: unique('other'), message: 'Hospital group, need a demo' })).json()) as { leadId: string };
      const first = await until(leadId, (v) => v.stage === 'awaiting_reply');
      await post(`/v1/leads/${leadId}/messages`, { text: 'none of these work for me, anything later?' });
      const second = await until(leadId, (v) => v.stage === 'awaiting_reply' && v.proposals[0]?.id !== first.proposals[0]?.id);
      expect(second.messages.filter((m) => m.from === 'agent')).toHaveLength(2);
      await post(`/v1/leads/${leadId}/messages`, { text: 'the last one' });
      const booked = await until(leadId, (v) => v.stage === 'booked');
      expect(booked.booking?.start).toBe(second.proposals.at(-1)!.start);
    });
  });

  it('answers a booking that lost its slot with 409 and fresh proposals, then books one of those', async () => {
    await h.withWorker(async () => {
      const { leadId } = (await (await post('/v1/leads', { email: unique('conflict'), message: 'Clinic chain, want to talk' })).json()) as { leadId: string };
      const offered = await until(leadId, (v) => v.stage === 'awaiting_reply');
      const taken = offered.proposals[0]!;
      h.local.calendar.seed({ sarah: [{ start: taken.start, end: taken.end, type: 'busy', title: 'grabbed' }] });
      const conflict = await post(`/v1/leads/${leadId}/booking`, { proposalId: taken.id });
      expect(conflict.status).toBe(409);
      const body = (await conflict.json()) as { error: { code: string }; proposals: { id: string; start: string }[] };
      expect(body.error.code).toBe('slot_conflict');
      expect(body.proposals.length).toBeGreaterThan(0);
      expect(body.proposals.map((p) => p.start)).not.toContain(taken.start);
      const ok = await post(`/v1/leads/${leadId}/booking`, { proposalId: body.proposals[0]!.id });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { booking: { start: string } }).booking.start).toBe(body.proposals[0]!.start);
    });
  });
});
