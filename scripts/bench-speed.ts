/**
 * Speed-to-lead as a buyer's page sees it, against one Baton API: POST /v1/leads, then poll
 * GET /v1/leads/:id until the first agent message with proposals is readable. Used by every phase
 * of `npm run bench` that measures speed-to-lead (steady, burst, with parked leads, with a model).
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { BareShape } from './bench-bare-workflow';
import { mapLimit, sleep, summarize } from './bench-lib';

/** A lead that got no proposals within this long counts as lost (infinitely slow). */
export const LEAD_TIMEOUT_MS = 60_000;

const BUYER_MESSAGES = [
  "We're a 200-person logistics company in Ohio looking at routing our inbound demo requests. Can we talk this week?",
  'Hi, I run sales ops at a 50-person SaaS startup in Austin. Interested in a demo for our SDR team.',
  'Manufacturing company, about 1,200 employees in Germany. We would like to see pricing and a walkthrough.',
  'Looking for a tool to book meetings with inbound leads faster. Team of 12 AEs in Toronto.',
];

export function leadBody(tag: string, i: number) {
  return {
    email: `buyer-${tag}-${i}@company${i % 97}.example`,
    name: `Buyer ${i}`,
    company: `Company ${i % 97}`,
    message: BUYER_MESSAGES[i % BUYER_MESSAGES.length],
  };
}

export type LeadView = { stage: string; proposals: unknown[]; messages: { from: string; proposalIds?: string[] }[] };
export const hasProposals = (v: LeadView) => v.proposals.length > 0 && v.messages.some((m) => m.from === 'agent' && (m.proposalIds?.length ?? 0) > 0);

/**
 * How long a waiting buyer's page waits before looking again: `pollMs` for the first second (the
 * resolution a p99 < 1 s target needs), then 250 ms, then 1 s, as a client backing off would, so
 * that an overloaded run does not drown in its own polling.
 */
export function pollDelay(waitedMs: number, pollMs: number): number {
  return waitedMs < 1_000 ? pollMs : waitedMs < 5_000 ? 250 : 1_000;
}

export interface HttpCounters {
  postErrors: number;
  getErrors: number;
  statuses: Record<string, number>;
}

export interface SpeedSample {
  leadId: string;
  postMs: number;
  /** null: no proposals within LEAD_TIMEOUT_MS. */
  toProposalsMs: number | null;
  postedAt?: number;
  seenAt?: number;
}

export interface SpeedSummary {
  n: number;
  ok: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  postP50: number | null;
  postP99: number | null;
}

/** The buyer's side of one API: posting leads, reading them, and the two ways of sending leads at it. */
export function speedDriver(base: string, o: { pollMs: number; counters: HttpCounters; deadline: number }) {
  const { counters } = o;
  const count = (status: number) => void (counters.statuses[status] = (counters.statuses[status] ?? 0) + 1);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    count(res.status);
    return res;
  };
  const getLead = async (leadId: string): Promise<LeadView | null> => {
    const res = await fetch(`${base}/v1/leads/${leadId}`);
    count(res.status);
    if (res.status !== 200) {
      counters.getErrors++;
      await res.body?.cancel();
      return null;
    }
    return (await res.json()) as LeadView;
  };

  /** POST a lead, then poll until its proposals are readable. */
  const speedOne = async (tag: string, i: number): Promise<SpeedSample | null> => {
    const t0 = performance.now();
    const res = await post('/v1/leads', leadBody(tag, i));
    const posted = performance.now();
    const postedAt = Date.now();
    if (res.status !== 202) {
      counters.postErrors++;
      await res.body?.cancel();
      return null;
    }
    const { leadId } = (await res.json()) as { leadId: string };
    for (;;) {
      const view = await getLead(leadId);
      const now = performance.now();
      if (view && hasProposals(view)) return { leadId, postMs: posted - t0, toProposalsMs: now - posted, postedAt, seenAt: Date.now() };
      if (now - posted > LEAD_TIMEOUT_MS || Date.now() > o.deadline) return { leadId, postMs: posted - t0, toProposalsMs: null };
      await sleep(pollDelay(now - posted, o.pollMs));
    }
  };

  /** `n` leads at `rate` per second; how late the schedule ran (the benchmark's own lag) is reported. */
  const steady = async (tag: string, n: number, rate: number) => {
    const interval = 1000 / rate;
    const start = performance.now();
    let maxLagMs = 0;
    const runs: Promise<SpeedSample | null>[] = [];
    for (let i = 0; i < n && Date.now() < o.deadline; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      maxLagMs = Math.max(maxLagMs, performance.now() - due);
      runs.push(speedOne(tag, i));
    }
    const samples = await Promise.all(runs);
    return { samples, wallS: (performance.now() - start) / 1000, maxLagMs };
  };

  /** `n` leads at once. */
  const burst = async (tag: string, n: number) => {
    const start = performance.now();
    const samples = await Promise.all(Array.from({ length: n }, (_, i) => speedOne(tag, i)));
    return { samples, wallS: (performance.now() - start) / 1000 };
  };

  return { post, getLead, speedOne, steady, burst };
}

const ms = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v));

/** Percentiles of speed-to-lead; a lead without proposals counts as infinitely slow (shown as null). */
export function summarizeSpeed(rs: (SpeedSample | null)[]): SpeedSummary {
  const ok = rs.filter((r) => r && r.toProposalsMs !== null).length;
  const s = summarize(rs.map((r) => r?.toProposalsMs ?? Infinity));
  const posts = summarize(rs.flatMap((r) => (r ? [r.postMs] : [])));
  return { n: rs.length, ok, p50: ms(s.p50), p95: ms(s.p95), p99: ms(s.p99), max: ms(s.max), postP50: ms(posts.p50), postP99: ms(posts.p99) };
}

/**
 * The ceiling's burst: `n` bare lead-shaped workflows (scripts/bench-bare-workflow.ts) started at
 * once, each polled through its status query until it waits for the reply, the way a buyer's page
 * polls Baton; then each gets its reply so it finishes. Same clock: start returned → waiting seen.
 */
export async function bareBurst(
  client: Client,
  o: { taskQueue: string; shape: BareShape; tag: string; n: number; pollMs: number; deadline: number },
) {
  const one = async (i: number): Promise<SpeedSample | null> => {
    const workflowId = `bare-${o.tag}-${i}`;
    const t0 = performance.now();
    const handle = await client.workflow.start('bareLeadWorkflow', { taskQueue: o.taskQueue, workflowId, args: [o.shape] }).catch(() => null);
    const started = performance.now();
    if (!handle) return null;
    for (;;) {
      const s = await handle.query<{ stage: string }>('status').catch(() => null);
      const now = performance.now();
      if (s?.stage === 'awaiting_reply') return { leadId: workflowId, postMs: started - t0, toProposalsMs: now - started };
      if (now - started > LEAD_TIMEOUT_MS || Date.now() > o.deadline) return { leadId: workflowId, postMs: started - t0, toProposalsMs: null };
      await sleep(pollDelay(now - started, o.pollMs));
    }
  };
  const start = performance.now();
  const samples = await Promise.all(Array.from({ length: o.n }, (_, i) => one(i)));
  const wallS = (performance.now() - start) / 1000;
  await mapLimit(samples, 16, (s) => (s ? client.workflow.getHandle(s.leadId).signal('buyerMessage', { text: 'The second one works for me' }).catch(() => {}) : Promise.resolve()));
  return { samples, wallS };
}
