/**
 * `npm run bench`: speed-to-lead, throughput and the bare-workflow ceiling, on this machine, in one run.
 *
 * Starts its own Temporal dev server (free loopback ports, temporary data folder), a Baton worker in
 * a child process (scripts/bench-worker.ts, embedded providers, no LLM, a synthetic team of reps on
 * duty 24/7) and the API (createApp on 127.0.0.1:0). Then:
 *   1. speed-to-lead: POST /v1/leads returned -> first agent message with proposals readable through
 *      GET /v1/leads/:id (polled), for --leads leads at --rate leads/s, then a burst of --burst at once;
 *   2. throughput: --concurrency buyers in a closed loop for --duration s, each running a whole lifecycle
 *      (lead -> proposals -> reply via POST /messages -> booked -> intro email in the outbox);
 *   3. the ceiling: the same loop against a bare workflow with the same activities and signal doing no
 *      work (scripts/bench-bare-workflow.ts), on its own worker process and task queue;
 *   4. worker RSS (peak and after), history length of a happy-path lead;
 *   5. with a model: speed-to-lead on a second worker configured with an OpenAI-compatible model stub
 *      that answers after a fixed latency (scripts/bench-llm.ts, scripts/bench-llm-stub.ts).
 *   6. the long tail (scripts/bench-long-tail.ts): --parked booked leads parked on timers days ahead
 *      (idle cores, memory and server disk per open lead, speed-to-lead again beside them), then a
 *      wave of --wave reminders due at one instant (reminders/s, lateness).
 * Prints a table and writes bench/results/<timestamp>.json. Everything is bounded in count and time.
 *
 * Flags: --leads 1000 --rate 20 --burst 200 --duration 60 --rounds 3 --concurrency 48 --reps 40 --poll-ms 50
 *        --tuning '{"maxCachedWorkflows":2000}' (worker options, both workers) --label text --no-save
 *        --quick (= --leads 200 --burst 100 --duration 15 --llm-leads 40 --parked 500 --wave 100)
 *        --baseline (without the dev server's SQLite pragmas, eager activities and the pool-update gate, for before/after)
 *        --worker-node-args=--max-semi-space-size=4 (Node/V8 flags for the Baton worker, e.g. to compare heap settings; with =, as the value starts with a dash)
 *        --speed-only (skip the throughput phase)  --profile-worker DIR (V8 CPU profile of the Baton worker; the model
 *        worker's in DIR/with-model)
 *        --llm-leads 300 (quick: 40) --llm-latency-ms 300 (the model stub's answer time)  --no-llm (skip phase 5)
 *        --parked 20000 --wave 2000 (quick: 500, 100)  --no-long-tail (skip the long-tail phase)
 * The throughput phase alternates Baton and the ceiling (--rounds segments each, --duration seconds of
 * each measured in total, after a short unmeasured ramp-up per segment), so a neighbour's load on a
 * shared machine weighs on both alike.
 */
import { serve } from '@hono/node-server';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../api/app';
import { BuyerTokens } from '../api/auth';
import { FINAL_STAGES } from '../domain/lead-stages';
import { decodeLeadId } from '../domain/qualify/lead-id';
import { openEmbeddedDb } from '../integrations/embedded/db';
import { startDevServer } from '../runtime/dev-server';
import { loadTeam } from '../runtime/load';
import { embeddedDbPath } from '../runtime/providers';
import { logger } from '../runtime/log';
import { ensureSearchAttributes } from '../runtime/temporal';
import {
  cpuSeconds,
  freePort,
  mapLimit,
  ROOT,
  sleep,
  startWorkerProcess,
  summarize,
  writeBundle,
  writeSyntheticTeam,
} from './bench-lib';
import type { BareShape } from './bench-bare-workflow';
import { longTail, longTailRows, type LongTailResult } from './bench-long-tail';
import { bookedTemplate } from './bench-parked';
import { speedBreakdown, type Breakdown } from './bench-breakdown';
import { DEFAULT_STUB_LATENCY_MS } from './bench-llm-stub';
import { modelRows, runModelPhase, type WithModel } from './bench-llm';
import { bareBurst, hasProposals, LEAD_TIMEOUT_MS, leadBody, pollDelay, speedDriver, summarizeSpeed, type HttpCounters, type SpeedSample, type SpeedSummary } from './bench-speed';

const { values: flags } = parseArgs({
  options: {
    leads: { type: 'string' },
    rate: { type: 'string' },
    burst: { type: 'string' },
    duration: { type: 'string' },
    concurrency: { type: 'string' },
    reps: { type: 'string' },
    'poll-ms': { type: 'string' },
    tuning: { type: 'string' },
    label: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
    rounds: { type: 'string' },
    baseline: { type: 'boolean', default: false },
    'speed-only': { type: 'boolean', default: false },
    'profile-worker': { type: 'string' },
    'worker-node-args': { type: 'string' },
    'llm-leads': { type: 'string' },
    'llm-latency-ms': { type: 'string' },
    'no-llm': { type: 'boolean', default: false },
    parked: { type: 'string' },
    wave: { type: 'string' },
    'no-long-tail': { type: 'boolean', default: false },
  },
});

function num(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    console.error(`bench: --${name} must be a number in (0, ${max}], got "${value}"`);
    process.exit(2);
  }
  return n;
}

// The API logs every failed request; the table counts them (http.statuses) instead.
logger.level = process.env.LOG_LEVEL ?? 'fatal';
const quick = flags.quick;
const cfg = {
  leads: Math.round(num('leads', flags.leads, quick ? 200 : 1000, 20_000)),
  rate: num('rate', flags.rate, 20, 500),
  burst: Math.round(num('burst', flags.burst, quick ? 100 : 200, 2_000)),
  durationS: num('duration', flags.duration, quick ? 15 : 60, 600),
  concurrency: Math.round(num('concurrency', flags.concurrency, 48, 500)),
  /** The throughput phase alternates Baton and the ceiling this many times (the machine may be shared). */
  rounds: Math.round(num('rounds', flags.rounds, 3, 20)),
  reps: Math.round(num('reps', flags.reps, 40, 500)),
  pollMs: num('poll-ms', flags['poll-ms'], 50, 1_000),
  /** How often a throughput buyer looks for its proposals (a chat page's SSE polls every 300 ms). */
  lifecyclePollMs: 100,
  tuning: JSON.parse(flags.tuning ?? '{}') as Record<string, unknown>,
  label: flags.label ?? '',
  workerNodeArgs: flags['worker-node-args'] ?? '',
  /** Measure without the tuning this benchmark led to: dev-server SQLite pragmas, the pool-update gate. */
  baseline: flags.baseline,
  /** Phase 5: leads at `rate` with a model configured (0 with --no-llm), and the model stub's latency. */
  llmLeads: flags['no-llm'] ? 0 : Math.round(num('llm-leads', flags['llm-leads'], quick ? 40 : 300, 5_000)),
  llmLatencyMs: num('llm-latency-ms', flags['llm-latency-ms'], DEFAULT_STUB_LATENCY_MS, 30_000),
  /** The long-tail phase (scripts/bench-long-tail.ts): booked leads parked on their timers, then a wave of reminders. */
  longTail: !flags['no-long-tail'],
  parked: Math.round(num('parked', flags.parked, quick ? 500 : 20_000, 100_000)),
  wave: Math.round(num('wave', flags.wave, quick ? 100 : 2_000, 20_000)),
  longTailIdleS: quick ? 10 : 25,
};
/** The whole run's bound: no phase starts after it. */
const RUN_DEADLINE = Date.now() + 30 * 60_000;

const counters: HttpCounters = { postErrors: 0, getErrors: 0, statuses: {} };

async function main() {
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const dataDir = join(tmp, 'data');
  const teamFile = join(tmp, 'team.yaml');
  writeSyntheticTeam(teamFile, { reps: cfg.reps });
  const batonQueue = `bench-baton-${process.pid}`;
  const bareQueue = `bench-bare-${process.pid}`;
  // Stopped in reverse order; the client connection is left to process exit (closing it under
  // abandoned long polls makes gRPC throw from a timer).
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  // Per phase: the machine's load average at its start, and the cores each process used during it.
  const load: Record<string, number[]> = {};
  const cores: Record<string, Record<string, number>> = {};
  let current: { name: string; at: number; cpu: Record<string, number> } | null = null;
  let pids: Record<string, number> = {};
  const noteLoad = (phase: string) => {
    const now = Date.now();
    const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
    if (current) {
      const wall = (now - current.at) / 1000;
      cores[current.name] = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round2((v - (current!.cpu[k] ?? v)) / wall)]));
    }
    current = { name: phase, at: now, cpu };
    load[phase] = loadavg().map(round2);
  };

  log(`bench: ${JSON.stringify(cfg)}`);
  log('bundling workflows...');
  const [batonBundle, bareBundle] = await Promise.all([writeBundle('baton', join(tmp, 'baton.js')), writeBundle('bare', join(tmp, 'bare.js'))]);

  const temporalDataDir = join(tmp, 'temporal');
  const dev = await startDevServer({
    dataDir: temporalDataDir, port: await freePort(), uiPort: await freePort(), ...(cfg.baseline ? { sqlitePragmas: [], dynamicConfig: { 'system.enableActivityEagerExecution': false } } : {}),
  });
  cleanups.push(() => dev.stop());
  const connection = await Connection.connect({ address: dev.address });
  await ensureSearchAttributes(connection, 'default');
  const client = new Client({ connection, namespace: 'default' });

  const team = await loadTeam(teamFile);
  const worker = await startWorkerProcess({
    address: dev.address, taskQueue: batonQueue, kind: 'baton', bundlePath: batonBundle, teamFile, dataDir, tuning: cfg.tuning,
    ...(cfg.baseline ? { env: { BENCH_POOL_UPDATES_IN_FLIGHT: '0' } } : {}),
    nodeArgs: [...(flags['worker-node-args']?.split(' ').filter(Boolean) ?? []), ...(flags['profile-worker'] ? ['--cpu-prof', `--cpu-prof-dir=${flags['profile-worker']}`] : [])],
  });
  cleanups.push(() => worker.stop(10_000));
  const bareWorker = await startWorkerProcess({ address: dev.address, taskQueue: bareQueue, kind: 'bare', bundlePath: bareBundle, tuning: cfg.tuning });
  cleanups.push(() => bareWorker.stop(10_000));
  pids = { temporal: dev.process.pid!, worker: worker.pid, bareWorker: bareWorker.pid, benchAndApi: process.pid };
  let peakRss = 0;
  const sampler = setInterval(() => {
    const m = worker.memory();
    if (m) peakRss = Math.max(peakRss, m.peak, m.rss);
  }, 500);
  cleanups.push(() => clearInterval(sampler));

  const app = createApp({
    client,
    taskQueue: batonQueue,
    namespace: 'default',
    apiKeys: [],
    tokens: new BuyerTokens('bench-secret'),
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
  cleanups.push(() => new Promise((r) => (server.close(() => r(undefined)), (server as { closeAllConnections?: () => void }).closeAllConnections?.())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const db = openEmbeddedDb(embeddedDbPath(dataDir));
  cleanups.push(() => db.close());
  const outboxHas = db.prepare('SELECT 1 AS ok FROM outbox WHERE email_key = ?');

  const driver = speedDriver(base, { pollMs: cfg.pollMs, counters, deadline: RUN_DEADLINE });
  const { post, getLead, speedOne } = driver;

  /**
   * Ends the speed-phase leads so the next phase starts from an idle worker: terminated, a call to
   * the server each (declining them through the API was a workflow task and activities each, two
   * minutes of the run for 1,200 leads). A lead that already ended is fine; answers how many could
   * not be ended. The pool keeps their turns as given, which nothing in the bench reads (no caps).
   */
  const endLeads = async (leadIds: string[]) => {
    const failed = await mapLimit(leadIds, 16, async (leadId) => {
      const ids = decodeLeadId(leadId);
      if (!ids) return 1;
      try {
        await client.workflow.getHandle(ids.workflowId, ids.runId).terminate('bench: the phase is over');
        return 0;
      } catch (err) {
        return err instanceof WorkflowNotFoundError ? 0 : 1;
      }
    });
    return failed.reduce((sum: number, n) => sum + (n ?? 0), 0);
  };

  /** A whole lifecycle through the API: lead, proposals, the buyer's reply, booked, intro email sent. */
  const lifecycle = async (tag: string, i: number): Promise<Outcome> => {
    const res = await post('/v1/leads', leadBody(tag, i));
    if (res.status !== 202) {
      await res.body?.cancel();
      return { outcome: `post ${res.status}` };
    }
    const { leadId } = (await res.json()) as { leadId: string };
    const ids = decodeLeadId(leadId)!;
    const t0 = Date.now();
    for (;;) {
      const view = await getLead(leadId);
      if (view && hasProposals(view)) break;
      if (Date.now() - t0 > LEAD_TIMEOUT_MS) return { outcome: 'no proposals' };
      await sleep(Math.max(cfg.lifecyclePollMs, pollDelay(Date.now() - t0, cfg.pollMs)));
    }
    const reply = await post(`/v1/leads/${leadId}/messages`, { text: 'The second one works for me' });
    await reply.body?.cancel();
    if (reply.status !== 202) return { outcome: `reply ${reply.status}` };
    // Since `stay-until-held` a booked lead stays with its meeting (its workflow ends after the
    // meeting), so a lifecycle ends with the hand-off's last step: the intro email in the outbox.
    const introKey = `${ids.workflowId}/${ids.runId}/intro-email`;
    const t1 = Date.now();
    for (let polls = 1; !outboxHas.get(introKey); polls++) {
      // Now and then (not every poll: reading a lead is a query on the server), whether it ended otherwise.
      const stage = polls % 20 === 0 || Date.now() - t1 > LEAD_TIMEOUT_MS ? (await getLead(leadId))?.stage : undefined;
      if (stage && (FINAL_STAGES as readonly string[]).concat('needs_attention').includes(stage)) return { outcome: `ended ${stage}` };
      if (Date.now() - t1 > LEAD_TIMEOUT_MS) return { outcome: stage === 'booked' ? 'no intro email' : `not booked (${stage ?? 'unreadable'})` };
      await sleep(cfg.lifecyclePollMs);
    }
    return { outcome: 'ok', workflowId: ids.workflowId };
  };

  // ── warm-up: JIT, caches, the pool workflow; one lifecycle gives Baton's shape ──
  log('warm-up');
  const warm = await mapLimit(Array.from({ length: 40 }, (_, i) => i), 10, (i) => speedOne('warm', i));
  await endLeads(warm.flatMap((w) => (w ? [w.leadId] : [])));
  const probe = await lifecycle('probe', 0);
  if (!probe.workflowId) throw new Error(`the warm-up lifecycle did not complete: ${probe.outcome}`);
  const { shape, events: historyEvents } = await shapeOf(client, probe.workflowId);
  log(`happy-path history: ${historyEvents} events; shape ${shape.beforeReply.join('')}|${shape.afterReply.join('')} (A activity, L local activity)`);
  const bareBurstOf = (tag: string, n: number) => bareBurst(client, { taskQueue: bareQueue, shape, tag, n, pollMs: cfg.pollMs, deadline: RUN_DEADLINE });
  await bareBurstOf('warm', 20);
  await sleep(2_000);
  // The worker's memory with (almost) nothing cached, and below with its sticky cache full of waiting leads.
  const memoryNow = () => ({ rssMb: mb(worker.memory()?.rss), cached: worker.cachedWorkflows() });
  const memoryIdle = memoryNow();

  // ── 1. speed-to-lead at a steady rate ─────────────────────────────────────────
  noteLoad('steady');
  log(`speed-to-lead: ${cfg.leads} leads at ${cfg.rate}/s`);
  const { samples: steady, wallS: steadyWall, maxLagMs: maxLag } = await driver.steady('steady', cfg.leads, cfg.rate);
  const parts = (rs: (SpeedSample | null)[]) =>
    speedBreakdown(client, rs.flatMap((r) => (r?.seenAt !== undefined && r.postedAt !== undefined ? [{ ...decodeLeadId(r.leadId)!, postedAt: r.postedAt, seenAt: r.seenAt }] : [])));
  const steadyParts = await parts(steady);
  const memoryFull = memoryNow();

  // ── 1b. a burst at once ───────────────────────────────────────────────────────
  await sleep(2_000);
  noteLoad('burst');
  log(`speed-to-lead: burst of ${cfg.burst}`);
  const { samples: burst, wallS: burstWall } = await driver.burst('burst', cfg.burst);
  const burstParts = await parts(burst);
  // The ceiling's burst right after, on the same machine: the ratio is the target.
  await sleep(2_000);
  noteLoad('bare-burst');
  log(`bare ceiling: burst of ${cfg.burst}`);
  const { samples: bareBurstSamples, wallS: bareBurstWall } = await bareBurstOf('burst', cfg.burst);
  noteLoad('end-leads');
  log('ending the speed-phase leads...');
  const leftRunning = await endLeads([...steady, ...burst].flatMap((r) => (r ? [r.leadId] : [])));
  if (leftRunning > 0) log(`${leftRunning} speed-phase leads could not be ended`);

  // ── 2 + 3. throughput, alternating Baton and the bare ceiling ─────────────────
  const bareLifecycle = async (tag: string, i: number): Promise<Outcome> => {
    const workflowId = `bare-${tag}-${i}`;
    const handle = await client.workflow.start('bareLeadWorkflow', { taskQueue: bareQueue, workflowId, args: [shape] });
    const t0 = Date.now();
    for (;;) {
      const s = await handle.query<{ stage: string }>('status').catch(() => null);
      if (s?.stage === 'awaiting_reply') break;
      if (Date.now() - t0 > LEAD_TIMEOUT_MS) return { outcome: 'no proposals' };
      await sleep(Math.max(cfg.lifecyclePollMs, pollDelay(Date.now() - t0, cfg.pollMs)));
    }
    await handle.signal('buyerMessage', { text: 'The second one works for me' });
    const result = (await withTimeout(handle.result(), LEAD_TIMEOUT_MS)) as { stage: string };
    return result.stage === 'booked' ? { outcome: 'ok', workflowId } : { outcome: `ended ${result.stage}` };
  };
  // Each segment ramps up unmeasured, then measures its share of --duration: the rounds add up to it.
  const segmentMs = (cfg.durationS * 1000) / cfg.rounds;
  const rampMs = Math.min(5_000, segmentMs / 5);
  const batonSegments: LoopResult[] = [];
  const bareSegments: LoopResult[] = [];
  if (!flags['speed-only']) await closedLoop(Math.min(cfg.concurrency, 16), 0, 3_000, bareLifecycle, 'bare-warm');
  for (let r = 0; r < cfg.rounds && Date.now() < RUN_DEADLINE && !flags['speed-only']; r++) {
    noteLoad(`baton-${r + 1}`);
    log(`throughput ${r + 1}/${cfg.rounds}: ${cfg.concurrency} buyers for ${round1((rampMs + segmentMs) / 1000)}s (Baton)`);
    batonSegments.push(await closedLoop(cfg.concurrency, rampMs, segmentMs, lifecycle, `tp${r}`));
    noteLoad(`bare-${r + 1}`);
    log(`throughput ${r + 1}/${cfg.rounds}: ${cfg.concurrency} buyers for ${round1((rampMs + segmentMs) / 1000)}s (bare ceiling)`);
    bareSegments.push(await closedLoop(cfg.concurrency, rampMs, segmentMs, bareLifecycle, `bare${r}`));
  }
  const baton = merge(batonSegments);
  const bare = merge(bareSegments);
  const bareHistory = bare.okIds[0] ? ((await client.workflow.getHandle(bare.okIds[0]).fetchHistory()).events?.length ?? null) : null;

  // ── 5. speed-to-lead with a model configured (its own worker, queue, data and API) ──
  let withModel: WithModel | null = null;
  if (cfg.llmLeads > 0 && Date.now() < RUN_DEADLINE) {
    withModel = await runModelPhase({
      address: dev.address, client, tmp, bundlePath: batonBundle, teamFile, tuning: cfg.tuning,
      ...(flags['profile-worker'] ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(flags['profile-worker'], 'with-model')}`] } : {}),
      latencyMs: cfg.llmLatencyMs, leads: cfg.llmLeads, rate: cfg.rate, pollMs: cfg.pollMs, deadline: RUN_DEADLINE,
      withoutModel: summarizeSpeed(steady), cleanups, log,
      onMeasuring: (pid) => {
        pids.modelWorker = pid;
        noteLoad('withModel');
      },
    });
  }

  noteLoad('idle');
  await sleep(5_000);
  const after = worker.memory();
  clearInterval(sampler);
  const peak = Math.max(peakRss, after?.peak ?? 0);
  const meetings = db.prepare(`SELECT count(DISTINCT event_key) AS n FROM calendar_events WHERE event_key NOT LIKE 'seed:%'`).get() as { n: number };

  // ── 5. the long tail: booked leads parked on their timers, then a wave of reminders ──
  let longTailResult: LongTailResult | null = null;
  if (cfg.longTail && Date.now() < RUN_DEADLINE) {
    noteLoad('long-tail');
    const template = await bookedTemplate(client, probe.workflowId, leadBody('probe', 0), team);
    longTailResult = await longTail(
      {
        client, taskQueue: batonQueue, template, db, temporalDataDir, log, endLeads, deadline: RUN_DEADLINE,
        pids: { worker: worker.pid, temporal: dev.process.pid! },
        workerMemory: () => worker.memory(),
        driver,
        steadyP99: summarizeSpeed(steady).p99,
      },
      { parked: cfg.parked, wave: cfg.wave, leads: cfg.leads, rate: cfg.rate, idleS: cfg.longTailIdleS },
    );
  }
  noteLoad('end');

  // ── report ────────────────────────────────────────────────────────────────────
  const ms = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v));
  const lat = summarizeSpeed;
  const result: BenchResult = {
    at: new Date(started).toISOString(),
    ...(cfg.label ? { label: cfg.label } : {}),
    machine: machine(),
    config: cfg,
    speedToLead: {
      steady: { ...lat(steady), rate: cfg.rate, wallS: round1(steadyWall), maxSchedulingLagMs: ms(maxLag), breakdown: steadyParts },
      burst: { ...lat(burst), wallS: round1(burstWall), breakdown: burstParts },
      bareBurst: { ...lat(bareBurstSamples), wallS: round1(bareBurstWall) },
      burstP99Ratio: ratio(lat(burst).p99, lat(bareBurstSamples).p99),
    },
    throughput: {
      baton: loopSummary(baton, batonSegments),
      bare: loopSummary(bare, bareSegments),
      ratio: bare.perSecond > 0 ? round2(baton.perSecond / bare.perSecond) : null,
      bareShape: `${shape.beforeReply.join('')}|${shape.afterReply.join('')}`,
    },
    workerRssMb: { peak: mb(peak), after: mb(after?.rss) },
    workerMemory: { idle: memoryIdle, cacheFull: memoryFull, mbPerCachedLead: perCachedLead(memoryIdle, memoryFull) },
    historyEvents: { baton: historyEvents, bare: bareHistory },
    meetingsBooked: meetings.n,
    withModel,
    speedPhaseLeadsLeftRunning: leftRunning,
    longTail: longTailResult,
    http: { statuses: counters.statuses, postErrors: counters.postErrors, getNot200: counters.getErrors },
    loadavg: load,
    coresUsed: cores,
    totalS: Math.round((Date.now() - started) / 1000),
  };
  printTable(result);
  if (!flags['no-save']) {
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${file}`);
  }
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve().then(fn).catch(() => {});
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

interface Outcome {
  outcome: string;
  workflowId?: string;
}

interface LoopResult {
  perSecond: number;
  completed: number;
  windowS: number;
  failures: Record<string, number>;
  latencies: number[];
  okIds: string[];
}

/**
 * `concurrency` buyers, each running `fn` back to back for `rampMs` (not counted), then `measureMs`;
 * then waits for the lifecycles in flight. Those that end inside the measured window count.
 */
async function closedLoop(
  concurrency: number,
  rampMs: number,
  measureMs: number,
  fn: (tag: string, i: number) => Promise<Outcome>,
  tag: string,
): Promise<LoopResult> {
  const t0 = Date.now();
  const windowStart = t0 + rampMs;
  const end = windowStart + measureMs;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const okIds: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, d) => {
      for (let i = 0; Date.now() < end && Date.now() < RUN_DEADLINE; i++) {
        const s = Date.now();
        let r: Outcome;
        try {
          r = await fn(`${tag}-${d}`, i);
        } catch (err) {
          r = { outcome: `error: ${(err as Error).message.slice(0, 80)}` };
        }
        const e = Date.now();
        if (r.outcome !== 'ok') failures[r.outcome] = (failures[r.outcome] ?? 0) + 1;
        else if (e >= windowStart && e <= end) {
          latencies.push(e - s);
          if (okIds.length < 20 && r.workflowId) okIds.push(r.workflowId);
        }
      }
    }),
  );
  const windowS = (end - windowStart) / 1000;
  return { perSecond: latencies.length / windowS, completed: latencies.length, windowS, failures, latencies, okIds };
}

function merge(segments: LoopResult[]): LoopResult {
  const completed = segments.reduce((s, r) => s + r.completed, 0);
  const windowS = segments.reduce((s, r) => s + r.windowS, 0);
  const failures: Record<string, number> = {};
  for (const r of segments) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
  return {
    perSecond: windowS > 0 ? completed / windowS : 0,
    completed,
    windowS,
    failures,
    latencies: segments.flatMap((r) => r.latencies),
    okIds: segments.flatMap((r) => r.okIds),
  };
}

function loopSummary(r: LoopResult, segments: LoopResult[]) {
  const l = summarize(r.latencies);
  return {
    perSecond: round2(r.perSecond),
    completed: r.completed,
    windowS: round1(r.windowS),
    perSegment: segments.map((s) => round2(s.perSecond)),
    lifecycleMs: r.latencies.length ? { p50: Math.round(l.p50), p95: Math.round(l.p95), max: Math.round(l.max) } : null,
    ...(Object.keys(r.failures).length ? { failures: r.failures } : {}),
  };
}

/** Event count of a happy-path lead, and its shape for the ceiling: activities (A) and local activities (L) around the reply. */
async function shapeOf(client: Client, workflowId: string): Promise<{ shape: BareShape; events: number }> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const shape: BareShape = { beforeReply: [], afterReply: [] };
  let replied = false;
  for (const e of events) {
    if (e.workflowExecutionSignaledEventAttributes) replied = true;
    const step = e.activityTaskScheduledEventAttributes ? 'A' : e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? 'L' : null;
    if (step) (replied ? shape.afterReply : shape.beforeReply).push(step);
  }
  return { shape, events: events.length };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))),
  ]);
}

function machine() {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mb = (b: number | undefined) => (b ? Math.round(b / 1048576) : null);
const ratio = (a: number | null, b: number | null) => (a !== null && b ? round2(a / b) : null);

type MemorySample = { rssMb: number | null; cached: number | null };
/** What one more lead in the sticky cache costs the worker, from two samples (MB). */
function perCachedLead(idle: MemorySample, full: MemorySample): number | null {
  if (idle.rssMb === null || full.rssMb === null || idle.cached === null || full.cached === null || full.cached <= idle.cached) return null;
  return round2((full.rssMb - idle.rssMb) / (full.cached - idle.cached));
}
const round2 = (n: number) => Math.round(n * 100) / 100;
function log(msg: string) {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

interface BenchResult {
  at: string;
  label?: string;
  machine: ReturnType<typeof machine>;
  config: typeof cfg;
  speedToLead: {
    steady: SpeedSummary & { rate: number; wallS: number; maxSchedulingLagMs: number | null; breakdown: Breakdown | null };
    burst: SpeedSummary & { wallS: number; breakdown: Breakdown | null };
    bareBurst: SpeedSummary & { wallS: number };
    /** Baton's burst p99 over the bare workflow's (target ≤ 1.5). */
    burstP99Ratio: number | null;
  };
  throughput: { baton: ReturnType<typeof loopSummary>; bare: ReturnType<typeof loopSummary>; ratio: number | null; bareShape: string };
  workerRssMb: { peak: number | null; after: number | null };
  workerMemory: { idle: MemorySample; cacheFull: MemorySample; mbPerCachedLead: number | null };
  historyEvents: { baton: number; bare: number | null };
  meetingsBooked: number;
  withModel: WithModel | null;
  speedPhaseLeadsLeftRunning: number;
  longTail: LongTailResult | null;
  http: { statuses: Record<string, number>; postErrors: number; getNot200: number };
  loadavg: Record<string, number[]>;
  coresUsed: Record<string, Record<string, number>>;
  totalS: number;
}

/** The result as a Markdown table (also what bench/README.md shows). */
export function table(r: BenchResult): string {
  const s = r.speedToLead.steady;
  const b = r.speedToLead.burst;
  const bb = r.speedToLead.bareBurst;
  const m = r.workerMemory;
  const t = r.throughput;
  const v = (x: number | null) => (x === null ? `> ${LEAD_TIMEOUT_MS / 1000} s` : `${x} ms`);
  const fail = (f?: Record<string, number>) => (f ? `; failed: ${Object.entries(f).map(([k, v]) => `${k} ×${v}`).join(', ')}` : '');
  const rows: [string, string][] = [
    [`Speed-to-lead, ${s.n} leads at ${s.rate}/s`, `p50 ${v(s.p50)} · p95 ${v(s.p95)} · p99 ${v(s.p99)} · max ${v(s.max)} (${s.ok}/${s.n} got proposals)`],
    [`Speed-to-lead, burst of ${b.n} at once`, `p50 ${v(b.p50)} · p95 ${v(b.p95)} · p99 ${v(b.p99)} · max ${v(b.max)} (${b.ok}/${b.n})`],
    [`Ceiling's burst, bare workflow, ${bb.n} at once`, `p50 ${v(bb.p50)} · p95 ${v(bb.p95)} · p99 ${v(bb.p99)} · max ${v(bb.max)} (${bb.ok}/${bb.n}); Baton / bare p99 **${r.speedToLead.burstP99Ratio ?? 'n/a'}**`],
    ['`POST /v1/leads` response (steady)', `p50 ${s.postP50} ms · p99 ${s.postP99} ms`],
    ...(s.breakdown ? [breakdownRow('steady', s.breakdown)] : []),
    ...(b.breakdown ? [breakdownRow('burst', b.breakdown)] : []),
    [`Throughput, Baton (${r.config.concurrency} buyers, ${round1(t.baton.windowS)} s measured)`, `**${t.baton.perSecond} lifecycles/s** (segments ${t.baton.perSegment.join(' / ')}; lifecycle p50 ${t.baton.lifecycleMs?.p50 ?? '–'} ms${fail(t.baton.failures)})`],
    [`Ceiling, bare workflow (${t.bareShape})`, `${t.bare.perSecond} lifecycles/s (segments ${t.bare.perSegment.join(' / ')}; lifecycle p50 ${t.bare.lifecycleMs?.p50 ?? '–'} ms${fail(t.bare.failures)})`],
    ['Baton / ceiling', t.ratio === null ? 'n/a' : `**${t.ratio}**`],
    ...(r.withModel ? modelRows(r.withModel) : []),
    ...(r.withModel?.breakdown ? [breakdownRow('with a model', r.withModel.breakdown)] : []),
    ['Worker RSS, peak / after', `${r.workerRssMb.peak} MB / ${r.workerRssMb.after} MB`],
    [
      'Worker RSS by sticky cache',
      `${m.idle.rssMb} MB with ${m.idle.cached} cached · **${m.cacheFull.rssMb} MB with ${m.cacheFull.cached} cached** · ${m.mbPerCachedLead ?? 'n/a'} MB per cached lead`,
    ],
    ['History of a happy-path lead', `${r.historyEvents.baton} events (bare: ${r.historyEvents.bare})`],
    ...Object.entries(r.coresUsed)
      .filter(([phase]) => ['steady', 'burst', 'baton-1', 'bare-1', 'withModel'].includes(phase))
      .map(([phase, c]): [string, string] => [`CPU cores used, ${phase}`, Object.entries(c).map(([k, v]) => `${k} ${v}`).join(' · ')]),
    ...(r.longTail ? longTailRows(r.longTail) : []),
  ];
  return [
    `${r.machine.nproc} vCPU (${r.machine.cpu}), ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.at}${r.label ? ` — ${r.label}` : ''}`,
    '',
    '| measure | result |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join('\n');
}

function breakdownRow(phase: string, b: Breakdown): [string, string] {
  const part = (name: string, x: { p50: number; p99: number }) => `${name} ${x.p50} / ${x.p99} ms`;
  return [
    `Speed-to-lead in parts, ${phase} (p50 / p99)`,
    [
      part('first task queued', b.firstTaskQueued),
      part('worker to proposals', b.workToProposals),
      part('then seen by the API', b.proposalsToSeen),
      `${b.tasksToProposals.p50} workflow task(s), at most ${b.tasksToProposals.max}`,
    ].join(' · '),
  ];
}

function printTable(r: BenchResult) {
  console.log(`\nBaton bench\n\n${table(r)}\n`);
}

main().then(
  () => cleanup().then(() => process.exit(0)),
  (err) => {
    console.error('bench failed:', err);
    void cleanup().then(() => process.exit(1));
  },
);
