/**
 * The long tail (issue 20): what thousands of booked leads waiting days for their meetings cost,
 * and how fast their reminders go out when many come due at once. Run by scripts/bench.ts after
 * the throughput phase, on the same dev server, worker and API:
 *
 *   1. parking: --parked booked leads (scripts/bench-parked.ts) with meetings 3-10 days ahead,
 *      started with bounded concurrency; then until each has done its first workflow task;
 *   2. idle: nothing else runs for a while; the cores the worker and the server use (target < 0.05
 *      each), worker memory and the server's data folder per open lead;
 *   3. speed-to-lead with them parked: the steady phase again, its p99 against phase 1's (<= 1.10);
 *   4. a wave: --wave more parked leads whose one reminder (a shortened policy: 1 h before the
 *      start) is due at the same instant shortly after they are parked; when each reminder email
 *      reached the outbox, against that instant.
 */
import type { Client } from '@temporalio/client';
import type { DatabaseSync } from 'node:sqlite';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, mapLimit, sleep, summarize } from './bench-lib';
import { parkedLead, teamPolicy, type ParkedLead, type ParkedTemplate } from './bench-parked';
import { summarizeSpeed, type speedDriver, type SpeedSummary } from './bench-speed';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Starts in flight at once: enough to keep the server busy, few enough that none times out. */
const START_CONCURRENCY = 32;
/** Parked meetings start this far ahead, spread evenly: every reminder is 2+ days away. */
const PARKED_FROM_MS = 3 * DAY_MS;
const PARKED_SPREAD_MS = 7 * DAY_MS;
/** A wave's reminder that has not gone out this long after it was due counts as never sent. */
const WAVE_BOUND_MS = 3 * 60_000;
/** How long parked leads may take to reach their wait before the phase goes on without the rest. */
const PARK_WAIT_BOUND_MS = 10 * 60_000;
/**
 * The wave is due when it can all be parked at the rate the parked leads reached their wait (with
 * room to spare), but no later than this: a slower worker shows as wave leads not yet waiting at the
 * due time (reported), whose reminders then go out as soon as their first task runs.
 */
const WAVE_DUE_MIN_MS = 20_000;
const WAVE_DUE_MAX_MS = 3 * 60_000;

export interface LongTailConfig {
  parked: number;
  wave: number;
  /** The steady speed phase's leads and rate (the same as phase 1's). */
  leads: number;
  rate: number;
  idleS: number;
}

export interface LongTailDeps {
  client: Client;
  taskQueue: string;
  template: ParkedTemplate;
  /** The embedded providers' file, whose outbox the reminders go to. */
  db: DatabaseSync;
  /** The dev server's data folder (its SQLite files). */
  temporalDataDir: string;
  pids: { worker: number; temporal: number };
  /** The worker's resident memory now and at its peak so far, in bytes (null: no /proc). */
  workerMemory: () => { rss: number; peak: number } | null;
  driver: ReturnType<typeof speedDriver>;
  /** Ends the speed leads (terminates them); answers how many could not be ended. */
  endLeads: (leadIds: string[]) => Promise<number>;
  /** Phase 1's p99 speed-to-lead, to compare with. */
  steadyP99: number | null;
  deadline: number;
  log: (msg: string) => void;
}

export interface LongTailResult {
  parking: {
    n: number;
    startFailures: number;
    startS: number;
    startsPerS: number;
    untilWaitingS: number;
    waiting: number;
    firstDutyInH: number;
    /** Cores the worker and the server used from the first start until all were waiting. */
    cores: { worker: number; temporal: number };
  };
  idle: {
    seconds: number;
    cores: { worker: number; temporal: number };
    workerRssMb: { before: number | null; after: number | null; peakAfter: number | null };
    workerKbPerLead: number | null;
    serverDiskMb: { before: number; after: number };
    serverDiskKbPerLead: number;
  };
  speed: SpeedSummary & { rate: number; wallS: number; p99Ratio: number | null; leftRunning: number };
  wave: {
    n: number;
    startFailures: number;
    dueAfterS: number;
    waitingAtDue: number;
    sent: number;
    perSecond: number | null;
    latenessMs: { p50: number; p99: number; max: number } | null;
    missing: number;
    boundS: number;
  };
}

export async function longTail(d: LongTailDeps, cfg: LongTailConfig): Promise<LongTailResult> {
  const { client, log } = d;
  const leadsQuery = `TaskQueue = "${d.taskQueue}" AND WorkflowType = "leadWorkflow" AND ExecutionStatus = "Running"`;
  // Parked leads publish their deadline in their first task (bench-parked.ts): counted, they are waiting.
  const waitingQuery = `${leadsQuery} AND LeadStage = "booked" AND NextDeadline > "2000-01-01T00:00:00Z"`;
  const waiting = async () => (await client.workflow.count(waitingQuery)).count;

  const others = await closeOpenLeads(client, leadsQuery);
  if (others > 0) log(`long tail: terminated ${others} open leads of the earlier phases (only parked leads stay open)`);
  await sleep(5_000);
  const rssBefore = d.workerMemory()?.rss ?? null;
  const diskBefore = folderBytes(d.temporalDataDir);

  // ── 1. parking ──────────────────────────────────────────────────────────────
  log(`long tail: parking ${cfg.parked} booked leads, meetings 3-10 days ahead`);
  const policy = teamPolicy(d.template.team);
  const now = Date.now();
  const parked = Array.from({ length: cfg.parked }, (_, i) =>
    parkedLead(d.template, {
      email: `parked-${i}@longtail${i % 97}.example`,
      start: minute(now + PARKED_FROM_MS + (PARKED_SPREAD_MS * i) / cfg.parked),
      policy,
      now,
    }),
  );
  const parkingCpu = cpuNow(d);
  const parking = await startAll(d, parked);
  log(`long tail: ${parking.started} started in ${round1(parking.seconds)} s (${round1(parking.started / parking.seconds)}/s)`);
  const reached = await until(waiting, parking.started, Math.min(d.deadline, parking.at + PARK_WAIT_BOUND_MS));
  const untilWaitingS = (Date.now() - parking.at) / 1000;
  const parkingCores = coresSince(d, parkingCpu);
  log(`long tail: ${reached} waiting ${round1(untilWaitingS)} s after the first start (cores: worker ${parkingCores.worker}, temporal ${parkingCores.temporal})`);

  // ── 2. idle ─────────────────────────────────────────────────────────────────
  await sleep(3_000);
  log(`long tail: idle for ${cfg.idleS} s with ${reached} parked`);
  const idleCpu = cpuNow(d);
  await sleep(cfg.idleS * 1000);
  const wall = (Date.now() - idleCpu.at) / 1000;
  const cores = coresSince(d, idleCpu);
  const memoryAfter = d.workerMemory();
  const rssAfter = memoryAfter?.rss ?? null;
  const diskAfter = folderBytes(d.temporalDataDir);

  // ── 3. speed-to-lead with them parked ───────────────────────────────────────
  log(`long tail: speed-to-lead, ${cfg.leads} leads at ${cfg.rate}/s with ${reached} parked`);
  const { samples, wallS } = await d.driver.steady('parked', cfg.leads, cfg.rate);
  const speed = summarizeSpeed(samples);
  const leftRunning = await d.endLeads(samples.flatMap((s) => (s ? [s.leadId] : [])));

  // ── 4. a wave of reminders due at once ──────────────────────────────────────
  const wave = await reminderWave(d, cfg.wave, reached / Math.max(untilWaitingS, 1), waiting, reached);

  return {
    parking: {
      n: cfg.parked,
      startFailures: parking.failures,
      startS: round1(parking.seconds),
      startsPerS: round1(parking.started / parking.seconds),
      untilWaitingS: round1(untilWaitingS),
      waiting: reached,
      firstDutyInH: round1((parked.reduce((first, p) => Math.min(first, p.firstDutyAt), Infinity) - now) / HOUR_MS),
      cores: parkingCores,
    },
    idle: {
      seconds: round1(wall),
      cores,
      workerRssMb: { before: mb(rssBefore), after: mb(rssAfter), peakAfter: mb(memoryAfter?.peak ?? null) },
      workerKbPerLead: rssBefore !== null && rssAfter !== null && reached > 0 ? round1((rssAfter - rssBefore) / 1024 / reached) : null,
      serverDiskMb: { before: mb(diskBefore)!, after: mb(diskAfter)! },
      serverDiskKbPerLead: reached > 0 ? round1((diskAfter - diskBefore) / 1024 / reached) : 0,
    },
    speed: {
      ...speed,
      rate: cfg.rate,
      wallS: round1(wallS),
      p99Ratio: speed.p99 !== null && d.steadyP99 ? round2(speed.p99 / d.steadyP99) : null,
      leftRunning,
    },
    wave,
  };
}

/**
 * `n` more parked leads on a shortened policy (one reminder, 1 h before the start), all due at one
 * instant a little after they can all be parked at `parkRate` leads/s. Nothing else comes first:
 * booked now, a meeting an hour after the reminder has no check before it (the final check, 3 h
 * before the start, would be before the booking).
 */
async function reminderWave(d: LongTailDeps, n: number, parkRate: number, waiting: () => Promise<number>, alreadyWaiting: number): Promise<LongTailResult['wave']> {
  const now = Date.now();
  const dueAfterMs = Math.min(WAVE_DUE_MAX_MS, Math.max(WAVE_DUE_MIN_MS, Math.ceil((1.5 * n) / Math.max(parkRate, 1)) * 1000 + 10_000));
  const dueAt = now + dueAfterMs;
  const policy = { ...teamPolicy(d.template.team), reminders: [HOUR_MS] };
  const leads = Array.from({ length: n }, (_, i) => parkedLead(d.template, { email: `wave-${i}@longtail${i % 97}.example`, start: dueAt + HOUR_MS, policy, now }));
  const early = leads.find((l) => l.firstDutyAt !== dueAt);
  if (early) throw new Error(`a wave lead's first duty is at ${new Date(early.firstDutyAt).toISOString()}, not its reminder at ${new Date(dueAt).toISOString()}`);
  d.log(`long tail: a wave of ${n} reminders due in ${round1(dueAfterMs / 1000)} s`);
  const started = await startAll(d, leads);
  await until(waiting, alreadyWaiting + started.started, dueAt);
  const waitingAtDue = (await waiting()) - alreadyWaiting;

  // The outbox row's sent_at is when the reminder activity stored the email (the worker's clock, this machine's).
  const sentSoFar = d.db.prepare(`SELECT email_key AS key, sent_at AS at FROM outbox WHERE email_key LIKE 'lead-wave-%/reminder/%'`);
  let sent: { key: string; at: number }[] = [];
  while (Date.now() < dueAt + WAVE_BOUND_MS && Date.now() < d.deadline + WAVE_BOUND_MS) {
    sent = sentSoFar.all() as { key: string; at: number }[];
    if (sent.length >= started.started) break;
    await sleep(500);
  }
  const times = sent.map((s) => s.at).filter((at) => at <= dueAt + WAVE_BOUND_MS);
  const lateness = summarize(times.map((at) => at - dueAt));
  const spanS = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
  d.log(`long tail: ${times.length}/${n} reminders out within ${WAVE_BOUND_MS / 1000} s of their due time`);
  return {
    n,
    startFailures: started.failures,
    dueAfterS: round1(dueAfterMs / 1000),
    waitingAtDue,
    sent: times.length,
    perSecond: spanS > 0 ? round1(times.length / spanS) : null,
    latenessMs: times.length ? { p50: Math.round(lateness.p50), p99: Math.round(lateness.p99), max: Math.round(lateness.max) } : null,
    missing: n - times.length,
    boundS: WAVE_BOUND_MS / 1000,
  };
}

/** Starts every lead as the API's start would (one active lead per address); answers how many started, and how fast. */
async function startAll(d: LongTailDeps, leads: ParkedLead[]) {
  const at = Date.now();
  let failures = 0;
  let lastError = '';
  await mapLimit(leads, START_CONCURRENCY, async (p) => {
    if (Date.now() > d.deadline) return void failures++;
    try {
      await d.client.workflow.start('leadWorkflow', {
        taskQueue: d.taskQueue,
        workflowId: p.workflowId,
        args: [p.input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        memo: p.memo,
        typedSearchAttributes: p.searchAttributes,
      });
    } catch (err) {
      failures++;
      lastError = (err as Error).message;
    }
  });
  if (failures > 0) d.log(`long tail: ${failures} starts failed (last: ${lastError.slice(0, 200)})`);
  return { at, started: leads.length - failures, failures, seconds: Math.max((Date.now() - at) / 1000, 0.001) };
}

/** Terminates the leads still open from earlier phases (booked ones stay with their meetings). */
async function closeOpenLeads(client: Client, query: string): Promise<number> {
  const open: { workflowId: string; runId: string }[] = [];
  for await (const w of client.workflow.list({ query })) open.push({ workflowId: w.workflowId, runId: w.runId });
  await mapLimit(open, 16, (w) => client.workflow.getHandle(w.workflowId, w.runId).terminate('bench: only parked leads stay open for the long-tail phase').catch(() => undefined));
  return open.length;
}

type CpuMark = { worker: number; temporal: number; at: number };
const cpuNow = (d: LongTailDeps): CpuMark => ({ worker: cpuSeconds(d.pids.worker), temporal: cpuSeconds(d.pids.temporal), at: Date.now() });
/** Cores each process used since `mark` (CPU seconds per wall second, from /proc). */
function coresSince(d: LongTailDeps, mark: CpuMark): { worker: number; temporal: number } {
  const now = cpuNow(d);
  const wall = Math.max((now.at - mark.at) / 1000, 0.001);
  return { worker: round3((now.worker - mark.worker) / wall), temporal: round3((now.temporal - mark.temporal) / wall) };
}

/**
 * Polls `count` every 2 s until it reaches `target` or `deadline`; answers the last count. A count
 * is a visibility query the dev server answers from its SQLite rows, on the same busy core as the
 * leads being parked; 2 s is resolution enough for a phase of minutes.
 */
async function until(count: () => Promise<number>, target: number, deadline: number): Promise<number> {
  for (;;) {
    const n = await count();
    if (n >= target || Date.now() >= deadline) return n;
    await sleep(2_000);
  }
}

/** Bytes of the files in a folder (the dev server's SQLite database, its WAL and shared memory). */
function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const s = statSync(join(dir, name));
    return sum + (s.isFile() ? s.size : 0);
  }, 0);
}

/** The Markdown table's rows for this phase. */
export function longTailRows(r: LongTailResult): [string, string][] {
  const { parking: p, idle: i, speed: s, wave: w } = r;
  const v = (x: number | null) => (x === null ? 'lost' : `${x} ms`);
  return [
    [`Long tail: parking ${p.n} booked leads`, `${p.startsPerS} starts/s (${p.startS} s${p.startFailures ? `, ${p.startFailures} failed` : ''}); ${p.waiting} waiting after ${p.untilWaitingS} s (cores: worker ${p.cores.worker} · temporal ${p.cores.temporal}); first duty in ${p.firstDutyInH} h`],
    [`Long tail: idle with them (${i.seconds} s)`, `cores: worker ${i.cores.worker} · temporal ${i.cores.temporal} (target < 0.05 each)`],
    ['Long tail: cost per open lead', `worker RSS ${i.workerRssMb.before} → ${i.workerRssMb.after} MB (${i.workerKbPerLead ?? '–'} KB/lead; peak ${i.workerRssMb.peakAfter} MB) · server data ${i.serverDiskMb.before} → ${i.serverDiskMb.after} MB (${i.serverDiskKbPerLead} KB/lead)`],
    [`Long tail: speed-to-lead, ${s.n} at ${s.rate}/s with them parked`, `p50 ${v(s.p50)} · p99 ${v(s.p99)} · max ${v(s.max)} (${s.ok}/${s.n}); p99 / phase 1's: **${s.p99Ratio ?? 'n/a'}** (target ≤ 1.10)`],
    [
      `Long tail: a wave of ${w.n} reminders due at once`,
      `${w.perSecond ?? '–'} reminders/s · lateness p50 ${w.latenessMs?.p50 ?? '–'} / p99 ${w.latenessMs?.p99 ?? '–'} / max ${w.latenessMs?.max ?? '–'} ms · ${w.missing} not out within ${w.boundS} s (${w.waitingAtDue}/${w.n} waiting at the due time)`,
    ],
  ];
}

const minute = (ms: number) => Math.round(ms / 60_000) * 60_000;
const mb = (b: number | null) => (b === null || !Number.isFinite(b) ? null : round1(b / 1048576));
const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
