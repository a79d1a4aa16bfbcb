/**
 * The process entry points as an operator runs them: `npm run worker` and `npm run api` against the
 * run's dev server (health checks, Prometheus, SIGTERM), and `npm start` leaving no dev server
 * behind whether it stops on Ctrl-C or fails to start.
 */
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leadWorkflowId } from '../../domain/qualify/lead';
import { policyOf } from '../../domain/team/policy';
import { statusQuery } from '../../workflows/lead/messages';
import { testTeam } from '../helpers/harness';
import { ROOT } from '../helpers/paths';
import { freePort, startDevServer } from '../../runtime/dev-server';


interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Proc[] = [];

/** Runs a TypeScript entry point the way the image does: `node --import tsx <file>`. */
function run(file: string, env: Record<string, string | undefined>, args: string[] = []): Proc {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_') && !k.startsWith('BATON_')));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc = { child, output: () => out, exited };
  started.push(proc);
  return proc;
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, proc: Proc, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (proc.child.exitCode !== null) throw new Error(`${what}: the process exited (${proc.child.exitCode}):\n${proc.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out:\n${proc.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Processes whose command line mentions `needle` (a per-test temp folder): what a dev server would leave behind. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function healthcheck(...args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [join(ROOT, 'deploy/healthcheck.mjs'), ...args], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

let dir: string;
let bundlePath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-entry-'));
  bundlePath = join(dir, 'workflow-bundle.js');
  // The image bundles workflows at build time; the entry points here load that bundle.
  const bundler = run('scripts/bundle-workflows.ts', {}, [bundlePath]);
  expect((await bundler.exited).code).toBe(0);
});

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run worker', () => {
  it('serves Prometheus metrics, works leads, and drains and exits 0 on SIGTERM', async () => {
    const address = inject('temporalAddress');
    const taskQueue = `entry-worker-${process.pid}`;
    const metricsPort = await freePort();
    const worker = run('worker.ts', {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      BATON_WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      BATON_WORKFLOW_BUNDLE: bundlePath,
      BATON_DATA_DIR: join(dir, 'worker-data'),
      BATON_SHUTDOWN_GRACE_SECONDS: '5',
    });
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const metrics = await eventually(
      'worker metrics',
      async () => {
        const text = await (await fetch(metricsUrl)).text();
        return text.includes('temporal_worker_start') ? text : undefined;
      },
      worker,
    );
    expect(metrics).toContain(`task_queue="${taskQueue}"`);
    expect(await healthcheck(metricsUrl, 'temporal_worker_start')).toBe(0);

    // It does the work: a lead started on its task queue reaches the buyer with proposals.
    const connection = await Connection.connect({ address });
    try {
      const client = new Client({ connection });
      const team = testTeam();
      const lead = { email: `entry-${Date.now()}@initech.example`, message: 'Can we talk this week?' };
      const handle = await client.workflow.start('leadWorkflow', { taskQueue, workflowId: leadWorkflowId(lead.email), args: [{ lead, policy: policyOf(team, false) }] });
      const status = await eventually(
        'lead proposals',
        async () => {
          const s = await handle.query(statusQuery);
          return s.stage === 'awaiting_reply' ? s : undefined;
        },
        worker,
      );
      expect(status.proposals.length).toBeGreaterThan(0);
      await handle.terminate('test done');
      const pool = status.route?.pool;
      if (pool) await client.workflow.getHandle(`pool-${taskQueue}-${pool}`).terminate('test done').catch(() => {});
    } finally {
      await connection.close();
    }

    worker.child.kill('SIGTERM');
    const { code } = await within(worker.exited, 20_000, 'worker shutdown');
    expect(code).toBe(0);
    expect(worker.output()).toContain('worker stopped');
    expect(await healthcheck(metricsUrl)).toBe(1);
  });

  it('started before its Temporal server, retries the connection with growing waits, logging each, and polls once the server is up', async () => {
    const port = await freePort();
    const taskQueue = `entry-early-${process.pid}`;
    const worker = run('worker.ts', {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_TASK_QUEUE: taskQueue,
      BATON_WORKFLOW_BUNDLE: bundlePath,
      BATON_DATA_DIR: join(dir, 'early-worker-data'),
      BATON_SHUTDOWN_GRACE_SECONDS: '5',
    });
    /** The waits the worker announced before each retry, from its JSON log lines. */
    const retryWaits = () =>
      worker
        .output()
        .split('\n')
        .filter((line) => line.includes(`connecting to Temporal at 127.0.0.1:${port} failed; retrying`))
        .map((line) => (JSON.parse(line) as { retryInMs: number }).retryInMs);
    await eventually('three refused connections', async () => (retryWaits().length >= 3 ? true : undefined), worker);
    expect(retryWaits().slice(0, 3)).toEqual([250, 500, 1_000]);

    // The server comes up late (a deploy, a restart): the same worker process gets there on its own.
    const server = await startDevServer({ dataDir: join(dir, 'late-server'), port, uiPort: await freePort() });
    try {
      await eventually('worker polling', async () => (worker.output().includes('"msg":"worker polling"') ? true : undefined), worker, 90_000);
      expect(worker.child.exitCode).toBeNull();
      expect(worker.output()).not.toMatch(/unhandled|ConnectionRefused.*\n.*exit/i);
      worker.child.kill('SIGTERM');
      expect((await within(worker.exited, 20_000, 'worker shutdown')).code).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start on half-configured TLS, naming the missing variable', async () => {
    const worker = run('worker.ts', { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_TLS_CERT: join(dir, 'client.pem'), BATON_DATA_DIR: join(dir, 'tls-data') });
    const { code } = await within(worker.exited, 20_000, 'worker refusal');
    expect(code).toBe(2);
    expect(worker.output()).toMatch(/TEMPORAL_TLS_KEY is not/);
  });
});

describe('npm run api', () => {
  it('answers /healthz, then stops accepting and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const api = run('api/server.ts', {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      PORT: String(port),
      HOST: '127.0.0.1',
      BATON_DATA_DIR: join(dir, 'api-data'),
      BATON_SHUTDOWN_GRACE_SECONDS: '2',
    });
    const health = `http://127.0.0.1:${port}/healthz`;
    const body = await eventually('API health', async () => {
      const res = await fetch(health);
      return res.status === 200 ? ((await res.json()) as { ok: boolean }) : undefined;
    }, api);
    expect(body.ok).toBe(true);
    expect(await healthcheck(health)).toBe(0);

    api.child.kill('SIGTERM');
    const { code } = await within(api.exited, 15_000, 'API shutdown');
    expect(code).toBe(0);
    expect(api.output()).toContain('API stopped');
    await expect(fetch(health)).rejects.toThrow();
  });
});

describe('npm start', () => {
  it('stops its dev server on Ctrl-C', async () => {
    const data = join(dir, 'start-ok');
    const port = await freePort();
    const main = run('main.ts', {
      BATON_DATA_DIR: data,
      BATON_DEV_SERVER_PORT: String(await freePort()),
      BATON_DEV_SERVER_UI_PORT: String(await freePort()),
      BATON_WORKFLOW_BUNDLE: bundlePath,
      PORT: String(port),
    });
    await eventually('Baton is up', async () => (main.output().includes('Baton is up') ? true : undefined), main, 60_000);
    expect(processesMentioning(data).length).toBeGreaterThan(0); // the dev server runs with its files there
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    main.child.kill('SIGINT');
    const { code } = await within(main.exited, 20_000, 'npm start shutdown');
    expect(code).toBe(0);
    expect(processesMentioning(data)).toEqual([]);
  });

  it('stops its dev server when the worker fails to start', async () => {
    const data = join(dir, 'start-broken');
    const main = run('main.ts', {
      BATON_DATA_DIR: data,
      BATON_DEV_SERVER_PORT: String(await freePort()),
      BATON_DEV_SERVER_UI_PORT: String(await freePort()),
      BATON_WORKFLOW_BUNDLE: join(dir, 'no-such-bundle.js'),
      PORT: String(await freePort()),
    });
    const { code } = await within(main.exited, 40_000, 'npm start failure');
    expect(code).toBe(1);
    expect(main.output()).toMatch(/no-such-bundle/);
    expect(processesMentioning(data)).toEqual([]);
  });
});
