/**
 * The event hub (api/event-hub.ts) on its own, with a scripted stand-in for Temporal and a fake
 * clock: one poller per lead however many streams it has, its pace (fast while busy, doubling to
 * the idle interval, fast again on a nudge or an event), when it stops, late joiners, and the caps.
 * Its behaviour against a real dev server and real sockets is in event-streams-e2e.test.ts.
 */
import type { Client } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_STREAM_LIMITS, EventHub, StreamLimitError, type EventStreamLimits, type Subscription } from '../../api/event-hub';
import type { LeadEvent, LeadStage } from '../../workflows/lead/messages';

/** One lead's workflow as the hub sees it: `describe` and the `events` query, each call recorded. */
class ScriptedLead {
  stage: LeadStage = 'awaiting_reply';
  status = 'RUNNING';
  readonly events: LeadEvent[] = [];
  /** When each `events` query was made (fake clock), and with which cursor. */
  readonly queries: { at: number; after: number }[] = [];
  describes = 0;

  constructor(readonly workflowId: string) {}

  add(n: number): void {
    for (let i = 0; i < n; i++) {
      const id = this.events.length + 1;
      this.events.push({ id, at: new Date(id * 1000).toISOString(), type: 'message', message: { from: 'agent', text: `message ${id}` } });
    }
  }

  handle() {
    return {
      describe: async () => {
        this.describes++;
        return { status: { name: this.status } };
      },
      query: async (_query: unknown, after: number) => {
        this.queries.push({ at: Date.now(), after });
        return { stage: this.stage, events: this.events.filter((e) => e.id > after) };
      },
    };
  }
}

function scriptedClient(...leads: ScriptedLead[]): Client {
  const byId = new Map(leads.map((l) => [l.workflowId, l]));
  return { workflow: { getHandle: (workflowId: string) => byId.get(workflowId)!.handle() } } as unknown as Client;
}

const LIMITS: EventStreamLimits = {
  ...DEFAULT_STREAM_LIMITS,
  pollMs: 100,
  idlePollMs: 800,
  busyForMs: 300,
  openCheckMs: 1_000_000,
};

function hubFor(leads: ScriptedLead[], limits: Partial<EventStreamLimits> = {}) {
  return new EventHub(scriptedClient(...leads), { ...LIMITS, ...limits }, (fn) => fn());
}

async function open(hub: EventHub, lead: ScriptedLead, cursor = 0): Promise<Subscription> {
  const feed = await hub.feed({ workflowId: lead.workflowId, runId: 'run-1' }, cursor);
  return feed.join(cursor);
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
/**
 * The moments the lead was polled, relative to `from`. The scripted query answers at once, so a
 * join's nudge can land just after the feed's very first poll and poll again in the same instant;
 * against a real server the nudge arrives while that first query is in flight. Pace is about the
 * distinct moments.
 */
const pollMoments = (lead: ScriptedLead, from: number) => [...new Set(lead.queries.filter((q) => q.at >= from).map((q) => q.at - from))];
const ids = (sub: Subscription) => sub.queue.splice(0).map((e) => e.id);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('one poller per lead', () => {
  it('polls a lead once per interval however many streams it has, and every stream gets every event', async () => {
    const one = new ScriptedLead('lead-one');
    const many = new ScriptedLead('lead-many');
    one.add(2);
    many.add(2);
    const hub = hubFor([one, many]);
    const single = await open(hub, one);
    const subs = await Promise.all(Array.from({ length: 300 }, () => open(hub, many)));
    expect(hub.activeFeeds).toBe(2);
    await vi.advanceTimersByTimeAsync(250);
    // While busy both poll every 100 ms: 300 streams cost what one stream costs.
    expect(many.queries.length).toBe(one.queries.length);
    expect(many.queries.length).toBeLessThanOrEqual(4);
    many.add(1);
    await vi.advanceTimersByTimeAsync(100);
    for (const sub of subs) expect(ids(sub)).toEqual([1, 2, 3]);
    expect(ids(single)).toEqual([1, 2]);
    expect(hub.queries).toBe(one.queries.length + many.queries.length);
  });
});

describe('pace', () => {
  it('polls every pollMs while busy, then doubles the interval up to idlePollMs', async () => {
    const lead = new ScriptedLead('lead-idle');
    const hub = hubFor([lead]);
    const started = Date.now();
    await open(hub, lead);
    await vi.advanceTimersByTimeAsync(4_000);
    // Busy for 300 ms after the join (0, 100, 200, 300), then 200, 400, 800 and 800 from then on.
    const times = pollMoments(lead, started);
    expect(times).toEqual([0, 100, 200, 300, 500, 900, 1_700, 2_500, 3_300]);
    expect(gaps(times).slice(3)).toEqual([200, 400, 800, 800, 800]);
  });

  it('a nudge wakes an idle poller at once and makes it fast again for busyForMs', async () => {
    const lead = new ScriptedLead('lead-nudged');
    const hub = hubFor([lead]);
    await open(hub, lead);
    await vi.advanceTimersByTimeAsync(2_000); // well into the back-off: the next poll is up to 800 ms away
    const before = lead.queries.length;
    const nudgedAt = Date.now();
    hub.nudge('lead-nudged');
    await vi.advanceTimersByTimeAsync(0);
    expect(lead.queries.length).toBe(before + 1);
    expect(lead.queries.at(-1)!.at).toBe(nudgedAt);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pollMoments(lead, nudgedAt)).toEqual([0, 100, 200, 300, 500, 900]);
    // A nudge for another lead changes nothing here.
    const count = lead.queries.length;
    hub.nudge('lead-other');
    await vi.advanceTimersByTimeAsync(0);
    expect(lead.queries.length).toBe(count);
  });

  it('an event arriving makes the lead busy again', async () => {
    const lead = new ScriptedLead('lead-event');
    const hub = hubFor([lead]);
    const sub = await open(hub, lead);
    await vi.advanceTimersByTimeAsync(3_000); // polls at 2,500 and 3,300: backed off to 800 ms
    const addedAt = Date.now();
    lead.add(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ids(sub)).toEqual([1]);
    const foundAt = lead.queries.find((q) => q.at >= addedAt)!.at;
    expect(foundAt - addedAt).toBe(300); // the idle poll found it...
    expect(pollMoments(lead, foundAt)).toEqual([0, 100, 200, 300, 500]); // ...and the lead is busy again
  });
});

describe('when a feed stops', () => {
  it('stops polling when its last stream closes, and a new stream starts a new feed', async () => {
    const lead = new ScriptedLead('lead-closing');
    const hub = hubFor([lead]);
    const a = await open(hub, lead);
    const b = await open(hub, lead);
    await vi.advanceTimersByTimeAsync(150);
    a.close();
    await vi.advanceTimersByTimeAsync(150);
    expect(hub.activeFeeds).toBe(1);
    b.close();
    const count = lead.queries.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lead.queries.length).toBe(count);
    expect(hub.activeFeeds).toBe(0);
    const reopenedAt = Date.now();
    await open(hub, lead);
    expect(hub.activeFeeds).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(pollMoments(lead, reopenedAt)).toEqual([0, 100, 200]);
  });

  it('ends every stream after the final events of a final stage, and stops', async () => {
    const lead = new ScriptedLead('lead-final');
    lead.add(1);
    const hub = hubFor([lead]);
    const sub = await open(hub, lead);
    await vi.advanceTimersByTimeAsync(150);
    lead.add(1);
    lead.stage = 'declined';
    await vi.advanceTimersByTimeAsync(100);
    expect(ids(sub)).toEqual([1, 2]);
    expect(sub.ended).toBe(true);
    const count = lead.queries.length;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(lead.queries.length).toBe(count);
  });

  it('gives a closed workflow no poller', async () => {
    const lead = new ScriptedLead('lead-closed');
    lead.status = 'COMPLETED';
    const hub = hubFor([lead]);
    const feed = await hub.feed({ workflowId: lead.workflowId, runId: 'run-1' }, 0);
    expect(feed.running).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(lead.queries).toEqual([]);
    expect(hub.activeFeeds).toBe(0);
  });
});

describe('late joiners', () => {
  it('a stream resuming from before the feed\'s buffer catches up with one query of its own; the next needs none', async () => {
    const lead = new ScriptedLead('lead-late');
    lead.add(5);
    const hub = hubFor([lead]);
    const first = await open(hub, lead, 5); // resumes after event 5: the buffer starts there
    await vi.advanceTimersByTimeAsync(150);
    lead.add(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(ids(first)).toEqual([6, 7]);
    const late = await open(hub, lead, 0);
    expect(lead.queries.filter((q) => q.after === 0)).toHaveLength(1);
    expect(ids(late)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const later = await open(hub, lead, 2);
    expect(lead.queries.filter((q) => q.after < 5)).toHaveLength(1); // served from the buffer
    expect(ids(later)).toEqual([3, 4, 5, 6, 7]);
    lead.add(1);
    await vi.advanceTimersByTimeAsync(100);
    for (const sub of [first, late, later]) expect(ids(sub)).toEqual([8]);
  });
});

describe('caps', () => {
  it('per buyer token, per API key and per process; a release frees exactly one place, once', () => {
    const hub = hubFor([], { maxPerBuyerToken: 2, maxPerKey: 3, maxPerProcess: 4 });
    const buyerA = [hub.reserve('token-a', 'buyer'), hub.reserve('token-a', 'buyer')];
    expect(() => hub.reserve('token-a', 'buyer')).toThrow(new StreamLimitError('at most 2 open event streams per buyer token; close one first', 2));
    hub.reserve('key-1', 'server');
    hub.reserve('key-1', 'server');
    expect(hub.openStreams).toBe(4);
    // The process is full: even a credential with room of its own waits.
    expect(() => hub.reserve('token-b', 'buyer')).toThrow(/this server has its maximum of 4 open event streams/);
    buyerA[0]!();
    buyerA[0]!(); // a second release of the same place changes nothing
    expect(hub.openStreams).toBe(3);
    hub.reserve('key-1', 'server');
    expect(() => hub.reserve('key-1', 'server')).toThrow(/at most 3 open event streams per API key/);
    expect(() => hub.reserve('token-a', 'buyer')).toThrow(/maximum of 4/);
    buyerA[1]!();
    hub.reserve('token-a', 'buyer');
    expect(hub.openStreams).toBe(4);
  });
});
