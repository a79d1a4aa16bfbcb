import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalBinary } from './temporal';

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on loopback: bound, then released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/** Whether something accepts TCP connections on host:port right now. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * SQLite settings of the dev server's file: write-ahead logging with `synchronous=NORMAL` commits
 * without an fsync per transaction, which doubled lifecycles per second in `npm run bench`
 * (bench/README.md). A killed process loses nothing committed; a power cut may lose the last
 * moments, as with any WAL database at this setting.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * Server settings Baton runs the dev server with (deploy/temporal/dynamicconfig.yaml has the same for
 * a cluster). Eager activities: an activity a workflow task schedules on the worker's own queue comes
 * back in the task's completion instead of through matching, one round trip fewer per remote step
 * (the booking, the CRM writes, the intro email, a model's step) when the worker has a free slot.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string | number | boolean> = { 'system.enableActivityEagerExecution': true };

/**
 * Starts `temporal server start-dev` on loopback with its SQLite file in the data folder, so leads
 * survive a restart, and the Temporal UI beside it. Resolves when the frontend answers and the
 * `default` namespace exists: the port opens a moment before the frontend is healthy, and a worker
 * connecting in that moment fails ("Frontend is not healthy yet").
 */
export async function startDevServer(o: {
  dataDir: string;
  port?: number;
  uiPort?: number;
  timeoutMs?: number;
  sqlitePragmas?: string[];
  /** Server settings (`--dynamic-config-value KEY=VALUE`), e.g. shorter windows for a test. Values are written as JSON. */
  dynamicConfig?: Record<string, string | number | boolean>;
}): Promise<DevServer> {
  const port = o.port ?? 7233;
  const uiPort = o.uiPort ?? 8233;
  if (await portOpen(port)) {
    throw new Error(`port ${port} is already in use: is another Temporal server running? Set TEMPORAL_ADDRESS=127.0.0.1:${port} to use it.`);
  }
  mkdirSync(o.dataDir, { recursive: true });
  const child = spawn(
    temporalBinary('temporal'),
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort),
      '--db-filename', join(o.dataDir, 'temporal.sqlite'), '--log-level', 'error',
      ...(o.sqlitePragmas ?? DEV_SERVER_SQLITE_PRAGMAS).flatMap((p) => ['--sqlite-pragma', p]),
      ...Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...o.dynamicConfig }).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode} during start-up`);
    if (await portOpen(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal dev server did not open port ${port} within ${(o.timeoutMs ?? 60_000) / 1000}s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode} during start-up`);
    const ready = await frontendReady(`127.0.0.1:${port}`);
    if (ready === true) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal dev server on port ${port} did not become ready within ${(o.timeoutMs ?? 60_000) / 1000}s: ${ready}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** True when the frontend at `address` answers and knows the `default` namespace; otherwise why not. */
async function frontendReady(address: string): Promise<true | string> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2_000 });
    await connection.workflowService.getSystemInfo({});
    await connection.workflowService.describeNamespace({ namespace: 'default' });
    return true;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
