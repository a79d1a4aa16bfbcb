/**
 * One worker in its own process, configured only from the environment, so `npm run bench` can
 * measure its memory and the chaos tests can SIGKILL it and start it again on the same data.
 *
 *   BENCH_TEMPORAL_ADDRESS  host:port of the Temporal frontend (required)
 *   BENCH_TASK_QUEUE        task queue to poll (required)
 *   BENCH_WORKER_KIND       `baton` (default): Baton's lead and pool workflows with the embedded providers;
 *                           `bare`: the no-op ceiling workflow of scripts/bench-bare-workflow.ts
 *   BENCH_WORKFLOW_BUNDLE   a prebuilt workflow bundle (.js) to load instead of bundling at start
 *   BENCH_WORKER_TUNING     JSON of numeric WorkerOptions (maxCachedWorkflows, ...), applied to both kinds
 *   BATON_TEAM              team.yaml (baton)
 *   BATON_DATA_DIR          folder of embedded.sqlite (baton)
 *   BATON_FAULT_RATE        share of provider calls that fail as outages (baton; optional)
 *   BENCH_POOL_UPDATES_IN_FLIGHT  rotation updates in flight per pool (baton; default: the project's; 0 = no limit)
 *   BENCH_LLM_BASE_URL      an OpenAI-compatible server to use as the model (baton; unset: no model), with
 *   BENCH_LLM_API_KEY, BENCH_LLM_MODEL, BENCH_LLM_TIMEOUT_MS  passed on as OPENAI_API_KEY, OPENAI_MODEL and
 *                           BATON_LLM_TIMEOUT_MS (the model's time budget per step)
 *
 * Prints `ready <pid>` on stdout once polling, then `cached <n>` (the sticky cache's size) every
 * second; SIGTERM/SIGINT drain and exit 0.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { retrying } from '../runtime/connect';
import { loadTeam, loadTeamConfig } from '../runtime/load';
import { selectProviders } from '../runtime/providers';
import { setPoolUpdatesInFlight } from '../runtime/pool-client';
import { ruleCacheFile } from '../runtime/rule-cache';
import type { BatonWorker } from '../runtime/worker-pair';
import { createBatonWorker } from '../worker';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`bench-worker: ${name} is required`);
    process.exit(2);
  }
  return value;
}

/** Longer than any dev-server restart the chaos tests make. */
const CONNECT_TIMEOUT_MS = 120_000;

async function main() {
  const address = required('BENCH_TEMPORAL_ADDRESS');
  const taskQueue = required('BENCH_TASK_QUEUE');
  const kind = process.env.BENCH_WORKER_KIND ?? 'baton';
  const tuning = JSON.parse(process.env.BENCH_WORKER_TUNING || '{}') as Partial<WorkerOptions>;
  const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
  const workflowBundle = bundlePath ? { codePath: bundlePath } : undefined;

  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  // Like `npm run worker`, a worker started while its server is down (a restart, a deploy) waits for it.
  const connect = <T>(what: string, fn: () => Promise<T>) => retrying(`${what} to Temporal at ${address}`, fn, CONNECT_TIMEOUT_MS);
  const native = await connect('connecting the worker', () => NativeConnection.connect({ address }));
  let worker: Worker | BatonWorker;
  let close = async () => {};
  if (kind === 'bare') {
    worker = await Worker.create({
      connection: native,
      namespace: 'default',
      taskQueue,
      activities: { noop: async () => {} },
      ...(workflowBundle
        ? { workflowBundle }
        : { workflowsPath: fileURLToPath(new URL('./bench-bare-workflow.ts', import.meta.url)) }),
      ...tuning,
    });
  } else {
    const gate = process.env.BENCH_POOL_UPDATES_IN_FLIGHT;
    if (gate !== undefined && gate !== '') setPoolUpdatesInFlight(Number(gate) > 0 ? Number(gate) : Infinity);
    const teamFile = required('BATON_TEAM');
    const dataDir = required('BATON_DATA_DIR');
    const config = loadTeamConfig(teamFile);
    // Only the fault rate and the bench's own model settings: never a real provider, whatever the
    // parent's environment holds (startWorkerProcess passes no OPENAI_* variable through).
    const setup = selectProviders({ BATON_FAULT_RATE: process.env.BATON_FAULT_RATE ?? '0', ...benchModelEnv() }, config, dataDir, {});
    if (setup.providers.llm) console.error(`bench-worker: ${setup.summary.filter((line) => line.startsWith('llm:')).join('; ')}`);
    // As runtime/boot.ts: rules only the model can read are compiled once and kept in the data folder.
    const team = await loadTeam(teamFile, setup.providers.llm, { cacheFile: ruleCacheFile(dataDir) });
    const connection = await connect('connecting the client', () => Connection.connect({ address }));
    const client = new Client({ connection, namespace: 'default' });
    worker = await createBatonWorker({
      connection: native,
      client,
      namespace: 'default',
      taskQueue,
      team,
      providers: setup.providers,
      ...(workflowBundle ? { workflowBundle } : {}),
      tuning,
    });
    close = () => connection.close();
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => worker.shutdown());
  const running = worker.run();
  console.log(`ready ${process.pid}`);
  // The parent reads the sticky cache's size with the process's memory (MB per cached lead).
  const leads = worker instanceof Worker ? worker : worker.leads;
  const reporter = setInterval(() => console.log(`cached ${leads.getStatus().numCachedWorkflows}`), 1_000);
  await running;
  clearInterval(reporter);
  await close();
  await native.close();
}

/** The model settings Baton reads (integrations/from-env.ts), from the BENCH_LLM_* variables only. */
function benchModelEnv(): Record<string, string> {
  const baseUrl = process.env.BENCH_LLM_BASE_URL;
  if (!baseUrl) return {};
  const optional = (name: string, value: string | undefined) => (value ? { [name]: value } : {});
  return {
    OPENAI_BASE_URL: baseUrl,
    // A local server needs no key; Baton needs one set to use the model at all.
    OPENAI_API_KEY: process.env.BENCH_LLM_API_KEY || 'bench',
    ...optional('OPENAI_MODEL', process.env.BENCH_LLM_MODEL),
    ...optional('BATON_LLM_TIMEOUT_MS', process.env.BENCH_LLM_TIMEOUT_MS),
  };
}

main().catch((err) => {
  console.error('bench-worker failed:', err);
  process.exit(1);
});
