/**
 * Baton as it is deployed: two worker processes and two API processes (`api/server.ts`, the entry
 * point the image runs) against one Temporal address, sharing the embedded calendar, CRM and outbox
 * (one SQLite file) and one buyer-token secret, so a buyer token issued by one API works on the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { openEmbeddedDb } from '../../integrations/embedded/db';
import { embeddedDbPath } from '../../runtime/providers';
import { freePort, ROOT, sleep, startWorkerProcess, type WorkerProcess } from '../../scripts/bench-lib';

export const API_KEY = 'cluster-key-0123456789abcdef';

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface BatonStack {
  taskQueue: string;
  apis: ApiProcess[];
  workers: WorkerProcess[];
  /** The embedded providers' database the workers write (calendar events, outbox). */
  db: DatabaseSync;
  /** SIGKILLs worker `i` and starts a new one in its place after `downMs`. */
  restartWorker(i: number, downMs: number): Promise<{ killedPid: number; newPid: number }>;
  stop(): Promise<void>;
}

/** `node --import tsx api/server.ts`, configured only from the environment, ready once /healthz answers 200. */
async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'api', 'server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => void (out = (out + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited (${child.exitCode}) during start-up:\n${out.slice(-3000)}`);
    const res = await fetch(`${url}/healthz`).catch(() => null);
    if (res?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`API did not become healthy:\n${out.slice(-3000)}`);
    await sleep(300);
  }
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startBaton(o: { address: string; dir: string; teamFile: string; bundlePath: string; name: string }): Promise<BatonStack> {
  const dataDir = join(o.dir, `data-${o.name}`);
  mkdirSync(dataDir, { recursive: true });
  const taskQueue = `cluster-${o.name}-${process.pid}`;
  const startWorker = () => startWorkerProcess({ address: o.address, taskQueue, kind: 'baton', bundlePath: o.bundlePath, teamFile: o.teamFile, dataDir }, 120_000);
  const workers = [await startWorker(), await startWorker()];
  const apiEnv = {
    TEMPORAL_ADDRESS: o.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    BATON_TEAM: o.teamFile,
    // No seeds: the synthetic team's reps are free around the clock.
    BATON_CRM: join(o.dir, 'no-crm.yaml'),
    BATON_CALENDAR: join(o.dir, 'no-calendar.json'),
    BATON_DATA_DIR: dataDir,
    BATON_API_KEYS: API_KEY,
    BATON_BUYER_TOKEN_SECRET: `cluster-secret-${o.name}`,
  };
  const apis = await Promise.all([startApi(apiEnv), startApi(apiEnv)]);
  const db = openEmbeddedDb(embeddedDbPath(dataDir));
  return {
    taskQueue,
    apis,
    workers,
    db,
    async restartWorker(i, downMs) {
      const killedPid = workers[i]!.pid;
      await workers[i]!.kill();
      await sleep(downMs);
      workers[i] = await startWorker();
      return { killedPid, newPid: workers[i]!.pid };
    },
    async stop() {
      await Promise.all(apis.map((a) => a.stop()));
      await Promise.all(workers.map((w) => w.stop(10_000)));
      db.close();
    },
  };
}
