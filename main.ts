/**
 * `npm start`: the whole of Baton on one machine. Starts the Temporal dev server (unless
 * TEMPORAL_ADDRESS points at one), registers the search attributes, then runs the worker and the API
 * in this one process. In production run them apart: `npm run worker` and `npm run api`.
 */
import type { NativeConnection } from '@temporalio/worker';
import { createApp } from './api/app';
import { ConfigError } from './domain/errors';
import { apiDeps } from './runtime/api-deps';
import { bootstrap } from './runtime/bootstrap';
import { connectClient, connectNative, type TemporalConnections } from './runtime/connect';
import { startDevServer, type DevServer } from './runtime/dev-server';
import { serveGracefully, type GracefulServer } from './runtime/http-server';
import { logger } from './runtime/log';
import { readSettings } from './runtime/settings';
import { ensureSearchAttributes } from './runtime/temporal';
import { installWorkerRuntime } from './runtime/worker-runtime';
import { onStopSignals } from './runtime/signals';
import { createBatonWorker, workerSettings } from './worker';
import type { BatonWorker } from './runtime/worker-pair';

let devServer: DevServer | undefined;

// Last resort: whichever way this process ends (an error, process.exit), the dev server it started
// does not outlive it. The normal path has stopped it already, and this is a no-op.
process.once('exit', () => {
  if (devServer && devServer.process.exitCode === null && devServer.process.signalCode === null) devServer.process.kill('SIGTERM');
});

async function main() {
  const settings = readSettings();
  const { team, setup, policy } = await bootstrap(settings);
  for (const line of setup.summary) console.log(`  ${line}`);
  installWorkerRuntime({ metricsAddress: settings.workerMetricsAddress });

  let stopRequested = false;
  let worker: BatonWorker | undefined;
  let server: GracefulServer | undefined;
  onStopSignals((signal) => {
    stopRequested = true;
    console.log(`\n${signal}: stopping API, worker${devServer ? ' and Temporal dev server' : ''}...`);
    void server?.close(settings.shutdownGraceMs);
    if (worker?.getState() === 'RUNNING') worker.shutdown();
  });

  let temporal: TemporalConnections | undefined;
  let native: NativeConnection | undefined;
  try {
    let address = settings.temporalAddress;
    if (!address) {
      devServer = await startDevServer({ dataDir: settings.dataDir, port: settings.devServerPort, uiPort: settings.devServerUiPort });
      address = devServer.address;
    }
    if (stopRequested) return;
    temporal = await connectClient(settings, { address, timeoutMs: devServer ? 10_000 : 60_000 });
    await ensureSearchAttributes(temporal.connection, settings.namespace, (msg) => logger.warn(msg));
    native = await connectNative(settings, address, devServer ? 10_000 : 60_000);
    worker = await createBatonWorker({
      connection: native, client: temporal.client, namespace: settings.namespace, taskQueue: settings.taskQueue, team, providers: setup.providers,
      ...workerSettings(settings),
    });
    if (stopRequested) return;

    const deps = apiDeps(settings, { team, setup, policy }, temporal.client, devServer?.uiUrl);
    server = await serveGracefully(createApp(deps).fetch, { port: settings.port, hostname: settings.host });
    const base = `http://${settings.host === '0.0.0.0' ? 'localhost' : settings.host}:${settings.port}`;
    if (settings.apiKeys.length === 0) console.log('  auth: none (BATON_API_KEYS unset) — local demo mode, listening on loopback only');
    console.log(`\nBaton is up.\n  API:         ${base}/v1/leads  (docs: ${base}/docs)\n  Chat page:   ${base}/\n  Ops page:    ${base}/ops\n  Temporal UI: ${deps.temporalUiUrl ?? '(see your Temporal deployment)'}\n  Temporal:    ${address} (namespace ${settings.namespace}, task queue ${settings.taskQueue})\n`);
    if (settings.workerMetricsAddress) console.log(`  Worker metrics: http://${settings.workerMetricsAddress}/metrics\n`);

    const running = worker.run();
    if (stopRequested) worker.shutdown();
    await running;
  } finally {
    // Whatever failed or stopped, take everything down in order, the dev server last.
    await server?.close(settings.shutdownGraceMs).catch(() => {});
    await native?.close().catch(() => {});
    await temporal?.close().catch(() => {});
    await devServer?.stop().catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    if (err instanceof ConfigError) console.error(`baton: ${err.message}`);
    else logger.error({ err }, 'baton failed');
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
