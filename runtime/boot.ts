/**
 * The one boot sequence of every Baton process: `npm start` (dev server, worker and API in one
 * process), `npm run worker` and `npm run api`. Each entry point names the parts it runs; the order
 * of start-up and of shutdown, and what an error does to the exit code, are decided here once.
 */
import type { NativeConnection } from '@temporalio/worker';
import { createApp } from '../api/app';
import { ConfigError } from '../domain/errors';
import type { Team } from '../domain/team/team';
import type { BatonWorkerOptions } from '../worker';
import type { BatonWorker } from './worker-pair';
import { apiDeps } from './api-deps';
import { connectClient, connectNative, type TemporalConnections } from './connect';
import { startDevServer, type DevServer } from './dev-server';
import { serveGracefully, type GracefulServer } from './http-server';
import { loadCalendarSeed, loadCrmSeed, loadTeam, loadTeamConfig } from './load';
import { logger } from './log';
import { ruleCacheFile } from './rule-cache';
import { apiProviders, selectProviders, type ProviderSetup } from './providers';
import { readSettings, type Settings } from './settings';
import { onStopSignals } from './signals';
import { ensureSearchAttributes } from './temporal';
import { installWorkerRuntime } from './worker-runtime';

/** worker.ts's `createBatonWorker`, passed in so that worker.ts can boot itself without an import cycle. */
export type WorkerFactory = ((o: BatonWorkerOptions) => Promise<BatonWorker>) & { settings(s: Settings): Pick<BatonWorkerOptions, 'workflowBundle' | 'tuning'> };

export interface BootPlan {
  /** Poll for leads and pools, with the team and providers (the authority on how leads are handled). */
  worker: WorkerFactory | false;
  /** Serve the HTTP API and the web pages. */
  api: boolean;
  /** With TEMPORAL_ADDRESS unset, start the embedded dev server (only `npm start`). */
  devServer: boolean;
}

/** What the worker side loads: the team with its rules compiled, and the providers that act for it. */
export interface WorkerSide {
  team: Team;
  setup: ProviderSetup;
}

/** Validates every file, picks the providers and compiles the rules: refuses to start on any error. */
export async function loadWorkerSide(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<WorkerSide> {
  const config = loadTeamConfig(settings.teamFile);
  const accounts = loadCrmSeed(settings.crmFile);
  const calendars = loadCalendarSeed(settings.calendarFile, config);
  const setup = selectProviders(env, config, settings.dataDir, { accounts, calendars });
  // Rules the parser cannot read are compiled by the model once and kept in the data directory.
  const team = await loadTeam(settings.teamFile, setup.providers.llm, { cacheFile: ruleCacheFile(settings.dataDir), warn: (m) => logger.warn(m) });
  const byModel = team.compiledRules.filter((r) => r.compiledBy === 'llm').length;
  if (byModel) setup.summary.push(`rules: ${byModel} of ${team.compiledRules.length} compiled by the LLM (npx baton rules shows them)`);
  return { team, setup };
}

export interface RunningBaton {
  /** The API's base URL, when it serves one. */
  url?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  /** Resolves when every part has stopped (a stop signal, a worker failure). */
  done: Promise<void>;
  stop(reason?: string): Promise<void>;
}

/**
 * Starts the parts in order — files and providers, Temporal (the dev server if asked), search
 * attributes, the worker, the API — and stops them in the reverse order, the dev server last,
 * whichever way the process ends. A stop signal during start-up stops it cleanly.
 */
export async function boot(plan: BootPlan, settings: Settings = readSettings()): Promise<RunningBaton> {
  const side = plan.worker ? await loadWorkerSide(settings) : undefined;
  for (const line of side?.setup.summary ?? []) logger.info(line);
  if (plan.worker) installWorkerRuntime({ metricsAddress: settings.workerMetricsAddress });

  let devServer: DevServer | undefined;
  let temporal: TemporalConnections | undefined;
  let native: NativeConnection | undefined;
  let worker: BatonWorker | undefined;
  let server: GracefulServer | undefined;
  let workerDone: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let stopRequested = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const stop = (reason = 'stop'): Promise<void> => {
    stopRequested = true;
    stopping ??= (async () => {
      logger.info({ reason }, 'stopping: API first, then the worker drains, then the connections close');
      if (server) {
        await server.close(settings.shutdownGraceMs).catch(() => {});
        logger.info('API stopped');
      }
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      if (workerDone) {
        await workerDone.catch(() => {});
        logger.info('worker stopped');
      }
      await native?.close().catch(() => {});
      await temporal?.close().catch(() => {});
      await devServer?.stop().catch(() => {});
      resolveStopped();
    })();
    return stopping;
  };
  const removeSignals = onStopSignals((signal) => void stop(signal));
  // Last resort: a dev server this process started never outlives it.
  const killDevServer = () => {
    if (devServer && devServer.process.exitCode === null && devServer.process.signalCode === null) devServer.process.kill('SIGTERM');
  };
  process.once('exit', killDevServer);

  try {
    let address = settings.temporalAddress;
    if (!address && plan.devServer) {
      devServer = await startDevServer({ dataDir: settings.dataDir, port: settings.devServerPort, uiPort: settings.devServerUiPort });
      address = devServer.address;
    }
    const timeoutMs = devServer ? 10_000 : 60_000;
    temporal = await connectClient(settings, { ...(address ? { address } : {}), timeoutMs });
    if (plan.worker) {
      await ensureSearchAttributes(temporal.connection, settings.namespace, (msg) => logger.warn(msg));
      native = await connectNative(settings, temporal.address, timeoutMs);
      worker = await plan.worker({
        connection: native,
        client: temporal.client,
        namespace: settings.namespace,
        taskQueue: settings.taskQueue,
        team: side!.team,
        providers: side!.setup.providers,
        ...plan.worker.settings(settings),
      });
    }
    const uiUrl = settings.temporalUiUrl ?? devServer?.uiUrl;
    let url: string | undefined;
    if (plan.api && !stopRequested) {
      const outbox = side ? side.setup.embedded.outbox : apiProviders(process.env, settings.dataDir).outbox;
      server = await serveGracefully(createApp(apiDeps(settings, temporal.client, { ...(outbox ? { outbox } : {}), ...(uiUrl ? { temporalUiUrl: uiUrl } : {}) })).fetch, {
        port: settings.port,
        hostname: settings.host,
      });
      const bound = server.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : settings.port;
      url = `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${port}`;
      if (settings.apiKeys.length === 0) logger.warn('auth: none (BATON_API_KEYS unset): local demo mode, listening on loopback only');
      logger.info({ url, address: temporal.address, namespace: settings.namespace, taskQueue: settings.taskQueue }, 'API listening');
    }
    if (worker && !stopRequested) {
      workerDone = worker.run();
      logger.info({ address: temporal.address, namespace: settings.namespace, taskQueue: settings.taskQueue, connection: settings.temporal.describe }, 'worker polling');
    }
    if (stopRequested) await stop();
    // Done when stopped; a worker that stops on its own (a fatal error) stops the rest and fails the process.
    const done = (async () => {
      try {
        if (workerDone) {
          await workerDone;
          await stop('worker stopped');
        }
      } finally {
        await stopped;
        removeSignals();
        process.off('exit', killDevServer);
      }
    })();
    return { ...(url ? { url } : {}), temporalAddress: temporal.address, ...(uiUrl ? { temporalUiUrl: uiUrl } : {}), done, stop };
  } catch (err) {
    await stop('start-up failed');
    removeSignals();
    throw err;
  }
}

/** Runs an entry point: exit 0 when it stops, 2 with one line on a configuration error, 1 on anything else. */
export function runEntryPoint(name: string, main: () => Promise<{ done: Promise<void> }>): void {
  main()
    .then((running) => running.done)
    .then(
      () => process.exit(0),
      (err) => {
        if (err instanceof ConfigError) console.error(`${name}: ${err.message}`);
        else logger.error({ err }, `${name} failed`);
        process.exit(err instanceof ConfigError ? 2 : 1);
      },
    );
}
