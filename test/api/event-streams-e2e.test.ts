/**
 * Event streams under load, on the shared Temporal dev server and real sockets (the app served by
 * runtime/http-server.ts, each stream on its own TCP connection like a browser tab): hundreds of
 * streams cost Temporal what one stream costs per lead, the caps answer 429 `too_many_streams`, a
 * stream ends at its maximum age and a reconnect with Last-Event-ID misses nothing, and a late
 * joiner catches up. The hub's pace on its own is in event-hub.test.ts.
 *
 * Temporal's load is counted outside the code under test: every query made through the app's
 * client is recorded (sse-client.ts `countingClient`).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import type { EventStreamLimits } from '../../api/event-hub';
import { decodeLeadId } from '../../domain/qualify/lead-id';
import { eventsQuery } from '../../workflows/lead/messages';
import { devServerApp, TEST_API_KEY, TEST_TOKEN_SECRET } from '../helpers/dev-server';
import { backgroundWorker, type Harness } from '../helpers/harness';
import { bearer, json } from './api-helpers';
import { countingClient, openStream, serveApp, type QueryRecord, type SseEvent, type SseStream } from './sse-client';

const SECOND_KEY = 'second-key-0123456789';
let env: TestWorkflowEnvironment;
let h: Harness;
let close: () => Promise<void>;
type Lead = { leadId: string; buyerToken: string; workflowId: string };
let leads: Lead[];

/** The real app on the shared dev server, on a real socket, its Temporal queries counted. */
async function servedApp(sse: Partial<EventStreamLimits> = {}) {
  const counted = countingClient(env.client);
  const app = createApp({
    client: counted.client,
    taskQueue: h.taskQueue,
    namespace: 'default',
    apiKeys: [TEST_API_KEY, SECOND_KEY],
    tokens: new BuyerTokens(TEST_TOKEN_SECRET),
    sse: { pollMs: 50, heartbeatMs: 1_000, ...sse },
  });
  const { base, server } = await serveApp(app);
  return { app, base, server, queries: counted.queries };
}

const eventQueriesOf = (queries: QueryRecord[], lead: Lead, from: number, to: number) =>
  queries.filter((q) => q.name === eventsQuery.name && q.workflowId === lead.workflowId && q.at >= from && q.at < to).length;

/** Queries per second of the lead's `events` query over the next `ms`. */
async function eventQueryRate(queries: QueryRecord[], lead: Lead, ms: number): Promise<number> {
  const from = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  return (eventQueriesOf(queries, lead, from, Date.now()) * 1000) / ms;
}

/** How long each rate is measured: the poller polls every 50 ms, so a window sees about ten polls. */
const WINDOW_MS = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const eventsPath = (lead: Lead) => `/v1/leads/${lead.leadId}/events`;
const lastEventId = async (lead: Lead) => {
  const { workflowId, runId } = decodeLeadId(lead.leadId)!;
  const { events } = await env.client.workflow.getHandle(workflowId, runId).query(eventsQuery, 0);
  return { events, last: events.at(-1)!.id };
};
const idsOf = (events: SseEvent[]) => events.map((e) => e.id);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

let worker: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  let app: ReturnType<typeof createApp>;
  ({ env, h, app, close } = await devServerApp());
  worker = backgroundWorker(h);
  // Three leads waiting for the buyer's reply: a stream of each has a few events to replay.
  leads = await Promise.all(
    ['a', 'b', 'c'].map(async (n) => {
      const res = await app.request('/v1/leads', json({ email: `streams-${n}-${Date.now()}@mercyhealth.org`, message: 'A hospital network in Seattle; can we meet?' }));
      return (await res.json()) as Lead;
    }),
  );
  for (const lead of leads) {
    for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
      const view = (await (await app.request(`/v1/leads/${lead.leadId}`, { headers: bearer(TEST_API_KEY) })).json()) as { stage?: string };
      if (view.stage === 'awaiting_reply') break;
      if (Date.now() > deadline) throw new Error(`lead never reached awaiting_reply: ${JSON.stringify(view)}`);
    }
  }
});
afterAll(async () => {
  for (const lead of leads ?? []) await env.client.workflow.getHandle(lead.workflowId).terminate('test done').catch(() => undefined);
  await worker?.stop();
  await close?.();
});

describe('event streams on the dev server, over real sockets', () => {
  it('hundreds of streams cost Temporal what one stream costs: queries per second stay flat per lead', async () => {
    const [a, b, c] = leads as [Lead, Lead, Lead];
    const { base, server, queries } = await servedApp();
    const streams: SseStream[] = [];
    try {
      const { last: lastA } = await lastEventId(a);
      const key = { 'last-event-id': '0', ...bearer(TEST_API_KEY) };
      streams.push(await openStream(base, eventsPath(a), key));
      await streams[0]!.until((e) => e.length === lastA);
      await sleep(200);
      const oneStream = await eventQueryRate(queries, a, WINDOW_MS);

      // 300 streams of lead A (the API key's, and all five its buyer token may open), 30 of lead B
      // (the key's and B's token), and one of lead C (a second key): C is the control, measured in
      // the same window, so a busy machine slows both alike.
      const opened = await Promise.all([
        ...Array.from({ length: 294 }, () => openStream(base, eventsPath(a), key)),
        ...Array.from({ length: 5 }, () => openStream(base, `${eventsPath(a)}?token=${encodeURIComponent(a.buyerToken)}`)),
      ]);
      streams.push(...opened);
      const ofA = streams.slice();
      const others = await Promise.all([
        ...Array.from({ length: 25 }, () => openStream(base, eventsPath(b), bearer(TEST_API_KEY))),
        ...Array.from({ length: 5 }, () => openStream(base, eventsPath(b), bearer(b.buyerToken))),
        openStream(base, eventsPath(c), bearer(SECOND_KEY)),
      ]);
      streams.push(...others);
      expect(streams.map((s) => s.status)).toEqual(streams.map(() => 200));
      // Every stream of A replays the lead's story so far, in order, once.
      await Promise.all(ofA.map((s) => s.until((e) => e.length >= lastA)));
      for (const s of ofA) expect(idsOf(s.events)).toEqual(oneTo(s.events.length));
      await Promise.all(others.map((s) => s.until((e) => e.length > 0)));
      await sleep(200);
      const from = Date.now();
      await sleep(2 * WINDOW_MS);
      const seconds = (Date.now() - from) / 1000;
      const [manyStreams, thirtyStreams, control] = [a, b, c].map((lead) => eventQueriesOf(queries, lead, from, from + seconds * 1000) / seconds) as [number, number, number];
      const total = queries.filter((q) => q.name === eventsQuery.name && q.at >= from && q.at < from + seconds * 1000).length / seconds;

      const report = { oneStream, manyStreams, thirtyStreams, control, total, streams: streams.length };
      console.info('event-stream queries per second', JSON.stringify(report));
      // One poller per lead sleeps pollMs (50 ms) between its queries: at most 20 a second, however
      // many streams it feeds (a poller per stream would make A's 300 times that).
      const onePoller = 1000 / 50 + 2 / seconds;
      for (const rate of [oneStream, manyStreams, thirtyStreams, control]) {
        expect(rate, JSON.stringify(report)).toBeGreaterThan(0);
        expect(rate, JSON.stringify(report)).toBeLessThanOrEqual(onePoller);
      }
      expect(total, JSON.stringify(report)).toBeLessThanOrEqual(3 * onePoller);
      // And 300 streams of one lead cost what one stream of another costs in the same window.
      expect(manyStreams, JSON.stringify(report)).toBeLessThanOrEqual(control * 1.5 + 3);

      // Every stream of a lead still gets that lead's new events, and only those.
      const { last } = await lastEventId(a);
      expect((await fetch(`${base}/v1/leads/${a.leadId}/messages`, json({ text: 'none of these work for me, anything later?' }, bearer(TEST_API_KEY)))).status).toBe(202);
      const isTheMessage = (e: SseEvent) => e.id > last && e.data.message?.text === 'none of these work for me, anything later?';
      await Promise.all(ofA.map((s) => s.until((events) => events.some(isTheMessage))));
      for (const s of others) expect(s.events.some(isTheMessage)).toBe(false);
    } finally {
      for (const s of streams) s.close();
      await server.close(1_000);
    }
  });

  it('caps open streams per buyer token, per API key and per process with 429 too_many_streams; a closed socket frees its place', async () => {
    const [a, b] = leads as [Lead, Lead];
    const { base, server } = await servedApp({ maxPerBuyerToken: 2, maxPerKey: 3, maxPerProcess: 6 });
    const streams: SseStream[] = [];
    const expectRefused = async (path: string, headers: Record<string, string>, limit: number, message: RegExp) => {
      const refused = await openStream(base, path, headers);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('5');
      await refused.ended;
      expect(refused.error).toEqual({ error: { code: 'too_many_streams', message: expect.stringMatching(message), details: { limit } } });
    };
    try {
      const tokenOfA = bearer(a.buyerToken);
      streams.push(await openStream(base, eventsPath(a), tokenOfA), await openStream(base, eventsPath(a), tokenOfA));
      await expectRefused(eventsPath(a), tokenOfA, 2, /at most 2 open event streams per buyer token/);
      // Another lead's token has places of its own.
      streams.push(await openStream(base, eventsPath(b), bearer(b.buyerToken)));
      for (let i = 0; i < 3; i++) streams.push(await openStream(base, eventsPath(i % 2 ? a : b), bearer(TEST_API_KEY)));
      await expectRefused(eventsPath(a), bearer(TEST_API_KEY), 3, /at most 3 open event streams per API key/);
      expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
      // Six open: the process is full, even for a key with none open.
      await expectRefused(eventsPath(b), bearer(SECOND_KEY), 6, /this server has its maximum of 6 open event streams/);

      // A buyer closes a tab: its place is free again (the server notices the socket close).
      streams[0]!.close();
      let again: SseStream | undefined;
      for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(50)) {
        const attempt = await openStream(base, eventsPath(a), tokenOfA);
        if (attempt.status === 200) {
          again = attempt;
          break;
        }
        attempt.close();
      }
      expect(again?.status).toBe(200);
      streams.push(again!);
      await expectRefused(eventsPath(b), bearer(SECOND_KEY), 6, /maximum of 6/);
    } finally {
      for (const s of streams) s.close();
      await server.close(1_000);
    }
  });

  it('ends a stream at its maximum age; reconnecting with Last-Event-ID, as EventSource does, misses nothing', async () => {
    const [, b] = leads as [Lead, Lead];
    const maxAgeMs = 600;
    const { base, server } = await servedApp({ maxAgeMs });
    const received: SseEvent[] = [];
    const lifetimes: number[] = [];
    try {
      const text = 'Thanks! none of these work, anything later in the week?';
      let sent = false;
      for (let connection = 0; connection < 20; connection++) {
        const lastSeen = received.at(-1)?.id;
        const opened = Date.now();
        const stream = await openStream(base, eventsPath(b), { ...bearer(b.buyerToken), ...(lastSeen ? { 'last-event-id': String(lastSeen) } : {}) });
        expect(stream.status).toBe(200);
        await Promise.race([stream.ended, sleep(5_000)]);
        expect(stream.isEnded, 'the server ended the stream at its maximum age').toBe(true);
        lifetimes.push(Date.now() - opened);
        received.push(...stream.events);
        if (!sent) {
          // While no stream is open, the buyer writes and the agent answers: those events are missed live.
          sent = true;
          expect((await fetch(`${base}/v1/leads/${b.leadId}/messages`, json({ text }, bearer(b.buyerToken)))).status).toBe(202);
          await sleep(300);
          continue;
        }
        const asked = received.find((e) => e.data.message?.text === text);
        if (asked && received.some((e) => e.data.message?.from === 'agent' && e.id > asked.id)) break;
      }
      // Every event up to the last one received, once, in order: exactly what the workflow recorded
      // (more may have come since the last stream ended).
      const { events } = await lastEventId(b);
      expect(idsOf(received)).toEqual(oneTo(received.length));
      expect(received.map((e) => e.data)).toEqual(events.slice(0, received.length));
      expect(received.some((e) => e.data.message?.text === text)).toBe(true);
      // Each stream lived about its maximum age (a heartbeat every second would keep it open forever otherwise).
      for (const ms of lifetimes) {
        expect(ms).toBeGreaterThanOrEqual(maxAgeMs - 50);
        expect(ms).toBeLessThan(maxAgeMs + 1_500);
      }
    } finally {
      await server.close(1_000);
    }
  });

  it('a late joiner catches up from the start, in order, with one query of its own; the next one needs none', async () => {
    const [, , c] = leads as [Lead, Lead, Lead];
    const { base, server, queries } = await servedApp();
    const streams: SseStream[] = [];
    try {
      const { last: before } = await lastEventId(c);
      // The first stream resumes at the latest event: the lead's feed keeps nothing older.
      const first = await openStream(base, eventsPath(c), { ...bearer(TEST_API_KEY), 'last-event-id': String(before) });
      streams.push(first);
      await sleep(150);
      const text = 'none of these work for me, anything later?';
      expect((await fetch(`${base}/v1/leads/${c.leadId}/messages`, json({ text }, bearer(TEST_API_KEY)))).status).toBe(202);
      await first.until((e) => e.some((x) => x.data.message?.from === 'agent'));
      expect(idsOf(first.events)[0]).toBe(before + 1);

      const catchUps = () => queries.filter((q) => q.name === eventsQuery.name && q.workflowId === c.workflowId && q.args[0] === 0).length;
      const late = await openStream(base, eventsPath(c), bearer(c.buyerToken));
      streams.push(late);
      const { last: now } = await lastEventId(c);
      await late.until((e) => e.length >= now);
      expect(idsOf(late.events)).toEqual(oneTo(late.events.length));
      expect(catchUps()).toBe(1);
      const later = await openStream(base, eventsPath(c), bearer(c.buyerToken));
      streams.push(later);
      await later.until((e) => e.length >= now);
      expect(idsOf(later.events)).toEqual(oneTo(later.events.length));
      expect(catchUps(), 'the second late joiner is served from the feed\'s buffer').toBe(1);

      // All three go on together with the lead's next events.
      const next = 'what about next week?';
      expect((await fetch(`${base}/v1/leads/${c.leadId}/messages`, json({ text: next }, bearer(TEST_API_KEY)))).status).toBe(202);
      await Promise.all(streams.map((s) => s.until((e) => e.some((x) => x.data.message?.text === next))));
      for (const s of [late, later]) expect(idsOf(s.events)).toEqual(oneTo(s.events.length));
      expect(idsOf(first.events)).toEqual(oneTo(before + first.events.length).slice(before));
    } finally {
      for (const s of streams) s.close();
      await server.close(1_000);
    }
  });
});
