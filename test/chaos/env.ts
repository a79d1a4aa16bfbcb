/**
 * A whole Baton on loopback for the chaos tests: its own Temporal dev server on a fixed port and
 * SQLite file (so it can be stopped and started again), the worker in a child process (so it can be
 * SIGKILLed), and the API in this process (createApp, called through `app.request`).
 */
import { Client, Connection, QueryNotRegisteredError, WorkflowNotFoundError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { openEmbeddedDb } from '../../integrations/embedded/db';
import { startDevServer, type DevServer } from '../../runtime/dev-server';
import { loadTeam } from '../../runtime/load';
import { embeddedDbPath } from '../../runtime/providers';
import { ensureSearchAttributes } from '../../runtime/temporal';
import { freePort, sleep, startWorkerProcess, writeBundle, writeSyntheticTeam, type WorkerProcess } from '../../scripts/bench-lib';
import { FINAL_STAGES, type LeadStage, type LeadStatus } from '../../workflows/lead/messages';
import { statusQuery } from '../../workflows/lead/messages';
import { handOffPending } from './meetings';

export const API_KEY = 'chaos-key-0123456789abcdef';
export const WAITING_STAGES: readonly LeadStage[] = ['awaiting_reply', 'needs_attention'];

export interface ChaosEnv {
  dir: string;
  dataDir: string;
  teamFile: string;
  taskQueue: string;
  client: Client;
  app: ReturnType<typeof createApp>;
  db: DatabaseSync;
  dev(): DevServer;
  worker(): WorkerProcess;
  startWorker(): Promise<WorkerProcess>;
  /** SIGKILL: no drain, in-flight tasks are lost and must be retried by Temporal. */
  killWorker(): Promise<void>;
  /** Stops the dev server and starts it again on the same port and SQLite file. */
  restartDevServer(downMs?: number): Promise<void>;
  /** The two halves of a restart, for a test that acts while the server is away. */
  stopDevServer(): Promise<void>;
  startDevServer(): Promise<void>;
  /** POST with the API key and a JSON body through the app (no socket). */
  post(path: string, body: unknown): Promise<Response>;
  get(path: string): Promise<Response>;
  cleanup(): Promise<void>;
}

export async function chaosEnv(o: { faultRate?: number; reps?: number; name: string }): Promise<ChaosEnv> {
  const dir = mkdtempSync(join(tmpdir(), `baton-chaos-${o.name}-`));
  const dataDir = join(dir, 'data');
  const temporalDir = join(dir, 'temporal');
  const teamFile = join(dir, 'team.yaml');
  writeSyntheticTeam(teamFile, { reps: o.reps ?? 40 });
  const taskQueue = `chaos-${o.name}-${process.pid}`;
  const bundlePath = await writeBundle('baton', join(dir, 'baton.js'));
  const port = await freePort();
  const uiPort = await freePort();
  let dev = await startDevServer({ dataDir: temporalDir, port, uiPort });
  const connection = await Connection.connect({ address: dev.address });
  await ensureSearchAttributes(connection, 'default');
  const client = new Client({ connection, namespace: 'default' });
  const team = await loadTeam(teamFile);
  const db = openEmbeddedDb(embeddedDbPath(dataDir));
  const app = createApp({
    client,
    taskQueue,
    namespace: 'default',
    apiKeys: [API_KEY],
    tokens: new BuyerTokens('chaos-secret'),
    limits: { perKey: 1_000_000, perBuyer: 1_000, perIp: 1_000 },
    temporalTimeoutMs: 5_000,
  });

  const startWorker = () =>
    startWorkerProcess({ address: dev.address, taskQueue, kind: 'baton', bundlePath, teamFile, dataDir, ...(o.faultRate ? { faultRate: o.faultRate } : {}) });
  let worker = await startWorker();
  const stopDev = () => dev.stop();
  const startDev = async () => {
    dev = await startDevServer({ dataDir: temporalDir, port, uiPort });
  };
  const headers = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };

  return {
    dir,
    dataDir,
    teamFile,
    taskQueue,
    client,
    app,
    db,
    dev: () => dev,
    worker: () => worker,
    async startWorker() {
      worker = await startWorker();
      return worker;
    },
    async killWorker() {
      await worker.kill();
    },
    async restartDevServer(downMs = 2_000) {
      await stopDev();
      await sleep(downMs);
      await startDev();
    },
    stopDevServer: stopDev,
    startDevServer: startDev,
    post: async (path, body) => app.request(path, { method: 'POST', headers, body: JSON.stringify(body) }),
    get: async (path) => app.request(path, { headers }),
    async cleanup() {
      await worker.kill().catch(() => {});
      await dev.stop().catch(() => {});
      db.close();
      // The client connection is left to process exit: closing it under pending long polls throws from a gRPC timer.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Retries `fn` until it returns a value (not undefined) or `deadline` passes; bounded by time. */
export async function eventually<T>(fn: () => Promise<T | undefined>, deadline: number, everyMs = 500): Promise<T | undefined> {
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // Temporal restarting, worker away: try again
    }
    await sleep(everyMs);
  }
  return undefined;
}

/** The lead's outcome: the final stage of a closed workflow, or the live stage of a running one. */
export async function leadState(client: Client, workflowId: string, runId: string): Promise<{ status: string; stage: LeadStage | null; lead?: LeadStatus }> {
  const handle = client.workflow.getHandle(workflowId, runId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'NOT_FOUND', stage: null };
    throw err;
  }
  const status = description.status.name;
  if (status === 'COMPLETED') return { status, stage: ((await handle.result()) as { stage: LeadStage }).stage };
  if (status !== 'RUNNING') return { status, stage: null };
  const lead = await handle.query(statusQuery);
  return { status, stage: lead.stage, lead };
}

/**
 * The lead's outcome with its own record (closed leads too: a query replays a closed workflow on a
 * worker), once a booked lead's hand-off (CRM writes, the intro email) is done: a buyer's journey
 * ends when visibility shows `booked`, which comes before. Waits for it until `deadline`.
 */
export async function leadRecord(client: Client, workflowId: string, runId: string, deadline: number): Promise<{ status: string; stage: LeadStage | null; lead: LeadStatus }> {
  for (;;) {
    const state = await leadState(client, workflowId, runId).catch((err) => keepHistoryOf(client, workflowId, runId, err));
    const lead = state.lead ?? (await client.workflow.getHandle(workflowId, runId).query(statusQuery).catch((err) => keepHistoryOf(client, workflowId, runId, err)));
    if (!handOffPending(lead) || Date.now() > deadline) return { ...state, lead };
    await sleep(500);
  }
}

/**
 * A lead whose history no longer replays (a query replays an evicted or closed workflow on a
 * worker): its history is kept as JSON in the temp folder, for the replay test's fixtures, and the
 * error names the file.
 */
async function keepHistoryOf(client: Client, workflowId: string, runId: string, err: unknown): Promise<never> {
  if (!(err instanceof QueryNotRegisteredError) || !/nondeterminism/i.test(err.message)) throw err;
  const file = join(tmpdir(), `baton-nondeterminism-${workflowId.replace(/[^\w.@-]+/g, '_')}.json`);
  writeFileSync(file, historyToJSON(await client.workflow.getHandle(workflowId, runId).fetchHistory()));
  throw new Error(`${workflowId} does not replay (history in ${file}): ${err.message}`, { cause: err });
}

export const isSettled = (stage: LeadStage | null) => stage !== null && (FINAL_STAGES.includes(stage) || WAITING_STAGES.includes(stage));

/** Booked meetings in the embedded calendar: every rep's events Baton created (not the seeds). */
export function bookedEvents(db: DatabaseSync): { key: string; repId: string; start: number; end: number }[] {
  return (db.prepare(`SELECT event_key AS key, rep_id AS repId, start_ms AS start, end_ms AS end FROM calendar_events WHERE event_key NOT LIKE 'seed:%' ORDER BY rep_id, start_ms`).all() as unknown as {
    key: string;
    repId: string;
    start: number;
    end: number;
  }[]);
}

/** Pairs of different meetings that overlap in one rep's calendar (a double booking). */
export function overlaps(events: ReturnType<typeof bookedEvents>): string[] {
  const problems: string[] = [];
  const byRep = new Map<string, typeof events>();
  for (const e of events) byRep.set(e.repId, [...(byRep.get(e.repId) ?? []), e]);
  for (const [rep, list] of byRep) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) {
      for (let j = i - 1; j >= 0 && list[j]!.end > list[i]!.start; j--) {
        if (list[j]!.key !== list[i]!.key) problems.push(`${rep}: ${list[j]!.key} overlaps ${list[i]!.key}`);
      }
    }
  }
  return problems;
}

/** Intro emails per buyer (the first `to` recipient), from the embedded outbox. */
export function introEmailsByRecipient(db: DatabaseSync): Map<string, number> {
  const rows = db.prepare(`SELECT recipients FROM outbox WHERE email_key LIKE '%/intro-email'`).all() as unknown as { recipients: string }[];
  const counts = new Map<string, number>();
  for (const r of rows) {
    const to = (JSON.parse(r.recipients) as { email: string }[])[0]?.email ?? '?';
    counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
}
