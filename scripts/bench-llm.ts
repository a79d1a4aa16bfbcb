/**
 * `npm run bench`'s "with a model" phase: speed-to-lead when Baton has a model configured.
 *
 * Its own Baton worker process (scripts/bench-worker.ts with BENCH_LLM_*), task queue, embedded data
 * folder and API instance, with the model stub of scripts/bench-llm-stub.ts (a fixed latency) as
 * its OpenAI-compatible model. 40 unmeasured leads warm it up (as in phase 1); then `leads` leads at `rate`/s.
 * Reported: speed-to-lead, the model calls per lead (the stub's count over the measured leads, and
 * the most one lead's prompt got), the overhead beyond the model's own time (p50 and p99 minus calls
 * per lead × latency; the target is at most 200 ms), what a lead ran on the way to its proposals
 * (remote and local activities, from its history), what the model was asked at worker start (rule
 * compilation), and whether any lead fell back to the deterministic path (its facts say so).
 */
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../api/app';
import { BuyerTokens } from '../api/auth';
import { decodeLeadId } from '../domain/qualify/lead-id';
import type { Facts } from '../domain/qualify/facts';
import { DEFAULT_LLM_BUDGET } from '../integrations/llm-budget';
import { mapLimit, startWorkerProcess, summarize } from './bench-lib';
import { speedBreakdown, type Breakdown } from './bench-breakdown';
import { startLlmStub, type LlmStubStats } from './bench-llm-stub';
import { speedDriver, summarizeSpeed, type HttpCounters, type SpeedSample, type SpeedSummary } from './bench-speed';

/** The issue's target: speed-to-lead with a model is the model's time plus at most this. */
export const MODEL_OVERHEAD_TARGET_MS = 200;
/** As phase 1's warm-up (40 leads, 10 at a time): the model worker starts cold, and JIT and caches weigh on its first leads. */
const WARM_UP_LEADS = 40;
const WARM_UP_CONCURRENCY = 10;
/**
 * Leads sent one after another once the steady run is over: the overhead Baton's own path adds to
 * the model's time when the cores are not shared with 20 leads a second (2 more workflow-task round
 * trips and the model's remote step), apart from what contention adds at the steady rate.
 */
const ONE_AT_A_TIME_LEADS = 20;
/** Histories read to tell what a lead ran on the way to its proposals. */
const PATH_SAMPLE = 50;

export interface ModelPhaseOptions {
  address: string;
  client: Client;
  /** The bench's temporary folder: the phase's data folder goes inside it. */
  tmp: string;
  bundlePath: string;
  teamFile: string;
  tuning: Record<string, unknown>;
  /** Node flags for the model worker (the bench's --profile-worker). */
  nodeArgs?: string[];
  latencyMs: number;
  leads: number;
  rate: number;
  pollMs: number;
  deadline: number;
  /** The phase-1 steady figures, to compare with. */
  withoutModel: SpeedSummary;
  /** Where the phase registers the stopping of what it starts (run in reverse order by the bench). */
  cleanups: (() => Promise<unknown> | unknown)[];
  /** Called as the measured leads start, with the model worker's pid (the bench's per-phase CPU figures). */
  onMeasuring?: (workerPid: number) => void;
  log: (message: string) => void;
}

export interface WithModel extends SpeedSummary {
  rate: number;
  wallS: number;
  model: { latencyMs: number; budgetMs: number; worker: string };
  calls: {
    perLead: number | null;
    /** The most calls one lead's prompt got (a repeated step shows as more than 1). */
    maxPerLead: number | null;
    byTask: Record<string, number>;
    unanswered: Record<string, number>;
    maxInFlight: number;
    /** What the worker asked the model before the first lead (rule compilation at start). */
    atWorkerStart: Record<string, number>;
  };
  /** p50 / p99 minus calls per lead × the model's time (its latency, or the budget if that is shorter): Baton's own time around the model. */
  overheadMs: { p50: number | null; p99: number | null; target: number; met: boolean };
  /** The same for leads sent one at a time after the steady run (no contention from other leads). */
  oneAtATime: { n: number; ok: number; p50: number | null; p99: number | null; overheadP50: number | null; overheadP99: number | null; met: boolean };
  /** The same percentiles in phase 1 (no model), and what the model phase added to them. */
  withoutModel: { p50: number | null; p99: number | null; addedP50: number | null; addedP99: number | null };
  /**
   * What a lead ran before its proposals, from `sampled` histories: activities per lead by how they
   * ran, and for each remote one p50 / p99 from scheduled to completed (for the model's step: the
   * model's latency plus the task-queue round trip and the adapter).
   */
  path: { sampled: number; remote: Record<string, number>; local: Record<string, number>; remoteMs: Record<string, { p50: number; p99: number }> };
  /** Leads whose facts show the model's answer was not used (a failed call, a rejected answer), or trimmed. */
  fallbacks: { deterministic: number; notes: number; checked: number };
  breakdown: Breakdown | null;
  http: HttpCounters;
}

export async function runModelPhase(o: ModelPhaseOptions): Promise<WithModel> {
  const stub = await startLlmStub({ latencyMs: o.latencyMs });
  o.cleanups.push(() => stub.close());
  const taskQueue = `bench-llm-${process.pid}`;
  const budgetMs = DEFAULT_LLM_BUDGET.timeoutMs;
  const worker = await startWorkerProcess({
    address: o.address,
    taskQueue,
    kind: 'baton',
    bundlePath: o.bundlePath,
    teamFile: o.teamFile,
    dataDir: join(o.tmp, 'data-llm'),
    tuning: o.tuning,
    llm: { baseUrl: stub.url, model: stub.model, timeoutMs: budgetMs },
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
  o.cleanups.push(() => worker.stop(10_000));
  const atWorkerStart = stub.stats().byTask;
  const workerLine = /llm: .*/.exec(worker.stderr())?.[0] ?? 'llm: (the worker did not say)';

  const app = createApp({ client: o.client, taskQueue, namespace: 'default', apiKeys: [], tokens: new BuyerTokens('bench-llm-secret') });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
  o.cleanups.push(() => new Promise((r) => (server.close(() => r(undefined)), (server as { closeAllConnections?: () => void }).closeAllConnections?.())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http: HttpCounters = { postErrors: 0, getErrors: 0, statuses: {} };
  const driver = speedDriver(base, { pollMs: o.pollMs, counters: http, deadline: o.deadline });

  o.log(`with a model: ${workerLine.slice(5)}; warm-up`);
  await mapLimit(Array.from({ length: WARM_UP_LEADS }, (_, i) => i), WARM_UP_CONCURRENCY, (i) => driver.speedOne('llm-warm', i));
  stub.resetCounts();
  o.onMeasuring?.(worker.pid);
  o.log(`with a model: ${o.leads} leads at ${o.rate}/s, the model answering in ${o.latencyMs} ms`);
  const { samples, wallS } = await driver.steady('llm', o.leads, o.rate);
  const stats = stub.stats();
  o.log(`with a model: ${ONE_AT_A_TIME_LEADS} leads one at a time`);
  const oneByOne: (SpeedSample | null)[] = [];
  for (let i = 0; i < ONE_AT_A_TIME_LEADS; i++) oneByOne.push(await driver.speedOne('llm-one', i));

  const measured = samples.flatMap((r) => (r?.seenAt !== undefined && r.postedAt !== undefined ? [{ ...decodeLeadId(r.leadId)!, postedAt: r.postedAt, seenAt: r.seenAt }] : []));
  const breakdown = await speedBreakdown(o.client, measured);
  const path = await pathToProposals(o.client, measured.slice(0, PATH_SAMPLE));
  const fallbacks = await modelFallbacks(driver.getLead, samples);
  return summarizeModelPhase({ samples, oneByOne, wallS, rate: o.rate, stats, atWorkerStart, budgetMs, workerLine, withoutModel: o.withoutModel, path, fallbacks, breakdown, http });
}

function summarizeModelPhase(r: {
  samples: (SpeedSample | null)[];
  oneByOne: (SpeedSample | null)[];
  wallS: number;
  rate: number;
  stats: LlmStubStats;
  atWorkerStart: Record<string, number>;
  budgetMs: number;
  workerLine: string;
  withoutModel: SpeedSummary;
  path: WithModel['path'];
  fallbacks: WithModel['fallbacks'];
  breakdown: Breakdown | null;
  http: HttpCounters;
}): WithModel {
  const speed = summarizeSpeed(r.samples);
  const perLead = speed.n > 0 ? Math.round((r.stats.requests / speed.n) * 100) / 100 : null;
  // A call the stub answers later than Baton's budget ends at the budget (then the deterministic path).
  const modelMs = perLead === null ? null : perLead * Math.min(r.stats.latencyMs, r.budgetMs);
  const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round(a - b));
  const overhead = { p50: minus(speed.p50, modelMs), p99: minus(speed.p99, modelMs) };
  const met = (o: { p50: number | null; p99: number | null }) => o.p50 !== null && o.p99 !== null && o.p50 <= MODEL_OVERHEAD_TARGET_MS && o.p99 <= MODEL_OVERHEAD_TARGET_MS;
  const single = summarizeSpeed(r.oneByOne);
  const singleOverhead = { p50: minus(single.p50, modelMs), p99: minus(single.p99, modelMs) };
  const maxPerLead = Object.values(r.stats.maxCallsPerPrompt);
  return {
    ...speed,
    rate: r.rate,
    wallS: Math.round(r.wallS * 10) / 10,
    model: { latencyMs: r.stats.latencyMs, budgetMs: r.budgetMs, worker: r.workerLine },
    calls: {
      perLead,
      // Calls on the way to proposals are one task per lead (extract_facts), so per-prompt counts are per lead.
      maxPerLead: maxPerLead.length ? Math.max(...maxPerLead) : null,
      byTask: r.stats.byTask,
      unanswered: r.stats.unanswered,
      maxInFlight: r.stats.maxInFlight,
      atWorkerStart: r.atWorkerStart,
    },
    overheadMs: {
      ...overhead,
      target: MODEL_OVERHEAD_TARGET_MS,
      met: met(overhead),
    },
    oneAtATime: { n: single.n, ok: single.ok, p50: single.p50, p99: single.p99, overheadP50: singleOverhead.p50, overheadP99: singleOverhead.p99, met: met(singleOverhead) },
    withoutModel: { p50: r.withoutModel.p50, p99: r.withoutModel.p99, addedP50: minus(speed.p50, r.withoutModel.p50), addedP99: minus(speed.p99, r.withoutModel.p99) },
    path: r.path,
    fallbacks: r.fallbacks,
    breakdown: r.breakdown,
    http: r.http,
  };
}

/**
 * Activities a lead ran before it first waited on the buyer (its proposals went out then), counted
 * per lead by name: remote ones from their scheduled events, local ones from their markers.
 */
async function pathToProposals(client: Client, leads: readonly { workflowId: string; runId: string }[]): Promise<WithModel['path']> {
  const remote: Record<string, number> = {};
  const local: Record<string, number> = {};
  const durations: Record<string, number[]> = {};
  await mapLimit(leads, 4, async (lead) => {
    const events = (await client.workflow.getHandle(lead.workflowId, lead.runId).fetchHistory()).events ?? [];
    const waitAt = events.findIndex((e) => e.timerStartedEventAttributes);
    const scheduledAt = new Map<string, { name: string; at: number }>();
    for (const e of waitAt < 0 ? [] : events.slice(0, waitAt)) {
      const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (scheduled) {
        remote[scheduled] = (remote[scheduled] ?? 0) + 1;
        scheduledAt.set(String(e.eventId), { name: scheduled, at: eventMs(e.eventTime) });
      }
      const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      const from = done ? scheduledAt.get(String(done.scheduledEventId)) : undefined;
      if (from) (durations[from.name] ??= []).push(eventMs(e.eventTime) - from.at);
      if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') {
        const name = localActivityType(e.markerRecordedEventAttributes.details);
        local[name] = (local[name] ?? 0) + 1;
      }
    }
  });
  const perLead = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, Math.round((n / Math.max(1, leads.length)) * 100) / 100]));
  const remoteMs = Object.fromEntries(
    Object.entries(durations).map(([name, values]) => {
      const s = summarize(values);
      return [name, { p50: Math.round(s.p50), p99: Math.round(s.p99) }];
    }),
  );
  return { sampled: leads.length, remote: perLead(remote), local: perLead(local), remoteMs };
}

const eventMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : NaN);

/** The activity type in a local activity's marker (the SDK's JSON `data` detail); `local` if unreadable. */
function localActivityType(details: unknown): string {
  try {
    const payload = (details as Record<string, { payloads?: { data?: Uint8Array | null }[] }>).data?.payloads?.[0]?.data;
    const parsed = payload ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type?: string; activityType?: string }) : {};
    return parsed.activity_type ?? parsed.activityType ?? 'local';
  } catch {
    return 'local';
  }
}

/**
 * Leads whose facts say the model's answer was not used (`extractor` still deterministic: the call
 * failed or its answer did not validate) or was trimmed (a note on a dropped or ignored model fact).
 */
async function modelFallbacks(getLead: ReturnType<typeof speedDriver>['getLead'], samples: readonly (SpeedSample | null)[]): Promise<WithModel['fallbacks']> {
  const views = await mapLimit(
    samples.flatMap((s) => (s && s.toProposalsMs !== null ? [s.leadId] : [])),
    8,
    async (leadId) => (await getLead(leadId)) as { facts?: Facts | null } | null,
  );
  let deterministic = 0;
  let notes = 0;
  let checked = 0;
  for (const facts of views.map((v) => v?.facts)) {
    if (!facts) continue;
    checked++;
    if (facts.extractor !== 'llm') deterministic++;
    if (facts.notes.some((n) => /\bLLM\b|\bmodel\b/.test(n))) notes++;
  }
  return { deterministic, notes, checked };
}

/** The phase's rows for the bench's table. */
export function modelRows(w: WithModel): [string, string][] {
  const v = (x: number | null) => (x === null ? '–' : `${x} ms`);
  const signed = (x: number | null) => (x === null ? '–' : `${x < 0 ? '−' : '+'}${Math.abs(x)} ms`);
  const tasks = (t: Record<string, number>) => (Object.keys(t).length ? Object.entries(t).map(([k, n]) => `${k} ×${n}`).join(', ') : 'none');
  const names = (t: Record<string, number>) => Object.entries(t).map(([k, n]) => (n === 1 ? k : `${k} ×${n}`)).join(', ') || 'none';
  return [
    [`Speed-to-lead with a model (${w.model.latencyMs} ms stub), ${w.n} leads at ${w.rate}/s`, `p50 ${v(w.p50)} · p95 ${v(w.p95)} · p99 ${v(w.p99)} · max ${v(w.max)} (${w.ok}/${w.n} got proposals)`],
    ['Model calls per lead (to proposals)', `${w.calls.perLead ?? '–'} (at most ${w.calls.maxPerLead ?? '–'} for one lead; ${tasks(w.calls.byTask)}${Object.keys(w.calls.unanswered).length ? `; unanswered: ${tasks(w.calls.unanswered)}` : ''}; at worker start: ${tasks(w.calls.atWorkerStart)})`],
    [
      `Overhead beyond the model's time (target ≤ ${w.overheadMs.target} ms)`,
      `at ${w.rate}/s: p50 ${v(w.overheadMs.p50)} · p99 ${v(w.overheadMs.p99)} ${w.overheadMs.met ? '(met)' : '(**not met**)'}; vs. phase 1 (no model): p50 ${signed(w.withoutModel.addedP50)}, p99 ${signed(w.withoutModel.addedP99)}`,
    ],
    [
      `… ${w.oneAtATime.n} leads one at a time`,
      `speed-to-lead p50 ${v(w.oneAtATime.p50)} · p99 ${v(w.oneAtATime.p99)} (${w.oneAtATime.ok}/${w.oneAtATime.n}); overhead p50 ${v(w.oneAtATime.overheadP50)} · p99 ${v(w.oneAtATime.overheadP99)} ${w.oneAtATime.met ? '(met)' : '(**not met**)'}`,
    ],
    [
      'With a model, a lead ran (before proposals)',
      `remote: ${names(w.path.remote)} (scheduled to completed, p50 / p99: ${Object.entries(w.path.remoteMs).map(([k, d]) => `${k} ${d.p50} / ${d.p99} ms`).join(', ') || '–'}) · local: ${names(w.path.local)}; model answers not used: ${w.fallbacks.deterministic}/${w.fallbacks.checked}, trimmed: ${w.fallbacks.notes}`,
    ],
  ];
}
