/**
 * The event streams of one API process (`GET /v1/leads/:id/events`): one poller per lead, however
 * many streams of that lead are open, so Temporal sees a query rate per lead and not per browser tab.
 *
 * A lead's feed polls its workflow's `events` query, keeps a bounded buffer of recent events and
 * hands each stream the events after that stream's own cursor. It polls at `pollMs` while the lead is
 * busy (a stream just joined, an event just arrived, or this process just relayed a message or a
 * booking for it) and backs off to `idlePollMs` when nothing happens: a booked lead can sit for days
 * with a tab open. It ends at a final stage or when the workflow closes, and stops as soon as its
 * last stream goes.
 *
 * Streams are bounded too: per credential (buyer token, API key) and per process, and in age — a
 * stream older than `maxAgeMs` ends, and the browser's EventSource reconnects with Last-Event-ID,
 * missing nothing. Feeds and caps are per process; several API processes each poll a lead once.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { eventsQuery, FINAL_STAGES, type LeadEvent, type LeadStage } from '../workflows/lead/messages';

export interface EventStreamLimits {
  /** Poll interval while the lead is busy. */
  pollMs: number;
  /** The slowest poll interval, reached by doubling while nothing happens. */
  idlePollMs: number;
  /** How long a lead counts as busy after a stream joins, an event arrives or a message is relayed. */
  busyForMs: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs: number;
  /** A stream ends after this long; the client reconnects with Last-Event-ID. */
  maxAgeMs: number;
  /** How often a feed checks that its workflow still runs (a workflow can close without a final stage). */
  openCheckMs: number;
  /** Open streams per buyer token. */
  maxPerBuyerToken: number;
  /** Open streams per API key (a chat backend may relay many leads through one key). */
  maxPerKey: number;
  /** Open streams in this process. */
  maxPerProcess: number;
}

export const DEFAULT_STREAM_LIMITS: EventStreamLimits = {
  pollMs: 300,
  idlePollMs: 5_000,
  busyForMs: 60_000,
  heartbeatMs: 15_000,
  maxAgeMs: 10 * 60_000,
  openCheckMs: 10_000,
  maxPerBuyerToken: 5,
  maxPerKey: 500,
  maxPerProcess: 1_000,
};

/** Recent events a feed keeps for streams that join late. */
const BUFFER_EVENTS = 500;
/** How long a feed nobody joined keeps polling before it stops. */
const ORPHAN_GRACE_MS = 5_000;

type Ids = { workflowId: string; runId: string };

/** One open stream's side of a feed. */
export interface Subscription {
  /** Events after the stream's cursor, in order; the stream drains it. */
  readonly queue: LeadEvent[];
  /** Set when the feed ended (final stage, workflow closed, or an error): drain the queue, then close. */
  readonly ended: boolean;
  /** Resolves when there is something new (events, or the end), or after `ms`. */
  wait(ms: number): Promise<void>;
  close(): void;
}

class Subscriber implements Subscription {
  readonly queue: LeadEvent[] = [];
  ended = false;
  /** Until its catch-up query is back, the feed holds its events back (they must come in order). */
  catchingUp = false;
  private wake: (() => void) | null = null;

  constructor(
    public last: number,
    private readonly onClose: (s: Subscriber) => void,
  ) {}

  push(events: LeadEvent[]): void {
    for (const e of events) {
      if (e.id > this.last) {
        this.queue.push(e);
        this.last = e.id;
      }
    }
    if (events.length) this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  wait(ms: number): Promise<void> {
    if (this.queue.length || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    this.onClose(this);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** The one poller of one lead in this process. */
class LeadFeed {
  readonly subscribers = new Set<Subscriber>();
  private buffer: LeadEvent[] = [];
  /** Every event after `floor` up to `last` is in the buffer. */
  private floor: number;
  private last: number;
  stage: LeadStage | null = null;
  running = true;
  private busyUntil = 0;
  private interval: number;
  private checkedAt = Date.now();
  private readonly createdAt = Date.now();
  private stopped = false;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  /** The feed's first look at the workflow (404 for an unknown lead), shared by every stream that joins meanwhile. */
  readonly ready: Promise<void>;

  constructor(
    private readonly handle: WorkflowHandle,
    private readonly o: EventStreamLimits,
    private readonly timed: <T>(fn: () => Promise<T>) => Promise<T>,
    cursor: number,
    private readonly onStop: () => void,
    private readonly counted: () => void,
  ) {
    this.floor = cursor;
    this.last = cursor;
    this.interval = o.pollMs;
    this.ready = (async () => {
      const description = await this.timed(() => this.handle.describe());
      this.running = description.status.name === 'RUNNING';
    })();
    // A closed workflow gets no poller: the stream reads what is left once, on its own.
    this.ready.then(
      () => (this.running ? void this.loop() : this.stop()),
      () => this.stop(),
    );
  }

  /** Something happened to the lead (here or in this process): poll fast again, now. */
  nudge(): void {
    this.busyUntil = Date.now() + this.o.busyForMs;
    this.interval = this.o.pollMs;
    const s = this.sleeper;
    if (s) {
      clearTimeout(s.timer);
      this.sleeper = null;
      s.resolve();
    }
  }

  async join(cursor: number, onClose: (s: Subscriber) => void): Promise<Subscriber> {
    const sub = new Subscriber(cursor, (s) => {
      this.subscribers.delete(s);
      onClose(s);
      if (this.subscribers.size === 0) this.stop();
    });
    this.subscribers.add(sub);
    this.nudge();
    if (this.stopped) {
      // Ended while this stream was being set up: it sends what is buffered and closes; the client reconnects.
      sub.push(this.buffer);
      sub.end();
      return sub;
    }
    if (cursor >= this.floor) {
      sub.push(this.buffer);
      return sub;
    }
    // Joined with an older cursor than the buffer holds: one query of its own, then the feed's events.
    sub.catchingUp = true;
    try {
      this.counted();
      const { events } = await this.timed(() => this.handle.query(eventsQuery, cursor));
      sub.push(events.filter((e) => e.id <= this.last));
      this.absorb(cursor, events.filter((e) => e.id <= this.last));
      sub.catchingUp = false;
      sub.push(this.buffer);
    } catch (err) {
      sub.close();
      throw err;
    }
    return sub;
  }

  /** Events a catch-up read found before the buffer's floor extend the buffer (the next late joiner needs no query). */
  private absorb(from: number, events: LeadEvent[]): void {
    if (from >= this.floor) return;
    this.buffer = [...events.filter((e) => e.id <= this.floor), ...this.buffer];
    this.floor = from;
    this.trim();
  }

  private trim(): void {
    if (this.buffer.length <= BUFFER_EVENTS) return;
    const dropped = this.buffer.splice(0, this.buffer.length - BUFFER_EVENTS);
    this.floor = dropped.at(-1)!.id;
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped) {
        // A stream that looked the lead up and then went away before joining leaves no poller behind.
        if (this.subscribers.size === 0 && Date.now() - this.createdAt > ORPHAN_GRACE_MS) break;
        this.counted();
        const { stage, events } = await this.timed(() => this.handle.query(eventsQuery, this.last));
        this.stage = stage;
        if (events.length) {
          this.buffer.push(...events);
          this.last = events.at(-1)!.id;
          this.trim();
          for (const sub of this.subscribers) if (!sub.catchingUp) sub.push(events);
          this.nudge();
        }
        if (FINAL_STAGES.includes(stage) || !this.running) break;
        if (Date.now() - this.checkedAt >= this.o.openCheckMs) {
          this.checkedAt = Date.now();
          this.running = (await this.timed(() => this.handle.describe())).status.name === 'RUNNING';
          if (!this.running) continue; // one last read for the final events
        }
        await this.sleep(Date.now() < this.busyUntil ? this.o.pollMs : this.backOff());
      }
    } catch {
      // The streams end (no internals on the wire); browsers reconnect with Last-Event-ID and miss nothing.
    }
    this.stop();
  }

  private backOff(): number {
    this.interval = Math.min(this.o.idlePollMs, Math.max(this.o.pollMs, this.interval * 2));
    return this.interval;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleeper = { timer: setTimeout(() => ((this.sleeper = null), resolve()), ms), resolve };
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
      this.sleeper = null;
    }
    this.onStop();
    for (const sub of this.subscribers) sub.end();
  }
}

export class StreamLimitError extends Error {
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

/** Every feed and open stream of this API process. */
export class EventHub {
  private readonly feeds = new Map<string, LeadFeed>();
  private readonly perCredential = new Map<string, number>();
  private open = 0;
  /** Temporal queries the feeds made: exposed for metrics and the load test. */
  queries = 0;

  constructor(
    private readonly client: Client,
    readonly limits: EventStreamLimits,
    private readonly timed: <T>(fn: () => Promise<T>) => Promise<T>,
  ) {}

  get openStreams(): number {
    return this.open;
  }

  get activeFeeds(): number {
    return this.feeds.size;
  }

  /**
   * A place for one more stream of `credential`, or a StreamLimitError; call the returned release
   * exactly once when the stream ends.
   */
  reserve(credential: string, kind: 'buyer' | 'server'): () => void {
    const cap = kind === 'buyer' ? this.limits.maxPerBuyerToken : this.limits.maxPerKey;
    const mine = this.perCredential.get(credential) ?? 0;
    if (mine >= cap) throw new StreamLimitError(`at most ${cap} open event streams per ${kind === 'buyer' ? 'buyer token' : 'API key'}; close one first`, cap);
    if (this.open >= this.limits.maxPerProcess) throw new StreamLimitError(`this server has its maximum of ${this.limits.maxPerProcess} open event streams; try again shortly`, this.limits.maxPerProcess);
    this.perCredential.set(credential, mine + 1);
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      const left = (this.perCredential.get(credential) ?? 1) - 1;
      if (left > 0) this.perCredential.set(credential, left);
      else this.perCredential.delete(credential);
    };
  }

  /**
   * The lead's feed after its first look at the workflow: `running` false for a closed workflow (the
   * caller then reads what is left once, without a feed). Throws what Temporal threw (unknown lead).
   */
  async feed(ids: Ids, cursor: number): Promise<{ running: boolean; join: (cursor: number) => Promise<Subscription> }> {
    const key = `${ids.workflowId}\u0000${ids.runId}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      const created: LeadFeed = new LeadFeed(
        this.client.workflow.getHandle(ids.workflowId, ids.runId),
        this.limits,
        this.timed,
        cursor,
        () => {
          if (this.feeds.get(key) === created) this.feeds.delete(key);
        },
        () => void this.queries++,
      );
      feed = created;
      this.feeds.set(key, feed);
    }
    await feed.ready;
    const current = feed;
    return { running: current.running, join: (c) => current.join(c, () => {}) };
  }

  /** This process relayed something to the lead (a message, a booking, a resubmission): its feed polls fast again. */
  nudge(workflowId: string): void {
    for (const [key, feed] of this.feeds) if (key.startsWith(`${workflowId}\u0000`)) feed.nudge();
  }
}
