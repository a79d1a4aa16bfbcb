/**
 * The Baton worker: polls the task queue for lead workflows and their activities, and the pools'
 * own task queue for pool workflows (`poolTaskQueue`).
 * `npm run worker` runs it alone against TEMPORAL_ADDRESS, so workers scale apart from the API;
 * `npm start` runs it in one process with the API and the dev server (main.ts); both boot through
 * runtime/boot.ts.
 */
import { DefaultLogger, bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities';
import type { Team } from './domain/team/team';
import type { Providers } from './integrations/providers';
import type { Client } from '@temporalio/client';
import { logger } from './runtime/log';
import { boot, runEntryPoint, type WorkerFactory } from './runtime/boot';
import { TemporalPools } from './runtime/pool-client';
import type { Settings } from './runtime/settings';
import { isEntryPoint } from './runtime/signals';
import { BatonWorker } from './runtime/worker-pair';
import { poolTaskQueue } from './workflows/pool/messages';

const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** The workflow bundle, built the same way by every worker, test and script (quietly: webpack's report is not an operator's concern). */
export function bundleBatonWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN'), preloadModules: SHARED_MODULES });
}

/**
 * Every module the workflows reach is evaluated once per worker thread and shared by every lead,
 * instead of once per lead: the workflow code itself, the pure domain code it calls, luxon, chrono-node
 * and the SDK's workflow library. A cached lead then holds only its own state: 93 KB of live heap
 * against 143 KB when each lead evaluated the workflow modules again (and 310 KB before the domain
 * was shared; `npm run bench:memory`). Sharing is safe because no module keeps per-lead state at
 * module level: the SDK's workflow API finds the running lead's activator at each call (the
 * reusable context swaps the globals per lead), the activity proxies in workflows/lead/step-runner.ts
 * are made once and resolve the lead when called, and what the domain keeps in module scope is memo
 * of pure functions (same answer for every lead). The SDK freezes what shared modules export, so a
 * module may not keep state in its exports: chrono's parsers memoise in their own fields, which is
 * why domain/converse/reply-days.ts parses with an instance of its own that it does not export.
 * test/infra/workflow-bundle.test.ts holds that a lead loads no module of its own.
 */
const SHARED_MODULES = [WORKFLOWS_PATH];

export interface BatonWorkerOptions {
  connection: NativeConnection;
  client: Client;
  namespace: string;
  taskQueue: string;
  team: Team;
  providers: Providers;
  /** A prebuilt bundle (tests build one per run, the image ships one); otherwise workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Partial<WorkerOptions>;
}

export async function createBatonWorker(o: BatonWorkerOptions): Promise<BatonWorker> {
  const activities = createActivities({
    team: o.team,
    providers: o.providers,
    pools: new TemporalPools(o.client, o.taskQueue),
    log: (level, msg, fields) => logger[level](fields, msg),
  });
  const workflowBundle = o.workflowBundle ?? (await bundleBatonWorkflows());
  const { shutdownGraceTime, shutdownForceTime } = o.tuning ?? {};
  const shared = { connection: o.connection, namespace: o.namespace, workflowBundle };
  const leads = await Worker.create({ ...shared, taskQueue: o.taskQueue, activities, maxCachedWorkflows: MAX_CACHED_WORKFLOWS, ...o.tuning });
  const pools = await Worker.create({
    ...shared,
    taskQueue: poolTaskQueue(o.taskQueue),
    // A handful of pool workflows, each taking every queued turn in one task.
    maxCachedWorkflows: 100,
    maxConcurrentWorkflowTaskExecutions: 4,
    ...(shutdownGraceTime !== undefined ? { shutdownGraceTime } : {}),
    ...(shutdownForceTime !== undefined ? { shutdownForceTime } : {}),
  });
  return new BatonWorker(leads, pools);
}

/**
 * Leads kept in the worker's sticky cache. Most leads sit for hours waiting for a buyer; the SDK's
 * default (from the heap size, some 2,000 here) grew the worker past 2 GB when each cached lead held
 * its own copy of the workflow modules (about 2 MB then), and its GC pauses pushed speed-to-lead p99
 * from 0.3 s to 1.6 s in `npm run bench`. A cached lead is now about 93 KB of live heap (every module is
 * shared) and 0.3-0.4 MB of the worker's RSS with the young-generation cap (runtime/node-flags.ts;
 * 612 MB with 500 cached in `npm run bench`). An evicted lead replays its short history when it wakes.
 */
export const MAX_CACHED_WORKFLOWS = 500;

/** Worker options that follow from the settings: the prebuilt bundle and the shutdown deadlines. */
export function workerSettings(settings: Pick<Settings, 'workflowBundlePath' | 'shutdownGraceMs'>): Pick<BatonWorkerOptions, 'workflowBundle' | 'tuning'> {
  return {
    ...(settings.workflowBundlePath ? { workflowBundle: { codePath: settings.workflowBundlePath } } : {}),
    tuning: {
      // Running activities get this long to finish before they are cancelled (and retried elsewhere)...
      shutdownGraceTime: settings.shutdownGraceMs,
      // ...and the worker gives up on a clean stop a little later, so a stuck activity cannot keep it alive.
      shutdownForceTime: settings.shutdownGraceMs + 10_000,
    },
  };
}

/** What runtime/boot.ts starts a worker with: the factory and the options the settings imply. */
export const batonWorkerFactory: WorkerFactory = Object.assign(createBatonWorker, { settings: workerSettings });

// `npm run worker`: connect (retrying), register search attributes, poll until SIGTERM/SIGINT, drain, exit.
if (isEntryPoint(import.meta.url)) runEntryPoint('baton worker', () => boot({ worker: batonWorkerFactory, api: false, devServer: false }));
