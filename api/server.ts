/**
 * `npm run api`: the HTTP API alone, against TEMPORAL_ADDRESS, so API processes scale apart from
 * workers. On SIGTERM/SIGINT it stops accepting connections, lets in-flight requests finish (up to
 * BATON_SHUTDOWN_GRACE_SECONDS), closes its Temporal connection and exits.
 */
import { ConfigError } from '../domain/errors';
import { apiDeps } from '../runtime/api-deps';
import { bootstrap } from '../runtime/bootstrap';
import { connectClient } from '../runtime/connect';
import { serveGracefully, type GracefulServer } from '../runtime/http-server';
import { logger } from '../runtime/log';
import { readSettings, type Settings } from '../runtime/settings';
import { isEntryPoint, onStopSignals } from '../runtime/signals';
import { createApp } from './app';

export interface RunningApi {
  server: GracefulServer;
  url: string;
  /** Resolves once a stop signal was handled and everything is closed. */
  stopped: Promise<void>;
  stop(reason?: string): Promise<void>;
}

export async function runApi(settings: Settings = readSettings()): Promise<RunningApi> {
  const baton = await bootstrap(settings);
  const temporal = await connectClient(settings);
  const app = createApp(apiDeps(settings, baton, temporal.client));
  const server = await serveGracefully(app.fetch, { port: settings.port, hostname: settings.host });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const url = `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${port}`;
  if (settings.apiKeys.length === 0) logger.warn('auth: none (BATON_API_KEYS unset): local demo mode');
  logger.info({ url, address: temporal.address, namespace: settings.namespace, taskQueue: settings.taskQueue, connection: settings.temporal.describe }, 'API listening');

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop') => {
    stopping ??= (async () => {
      logger.info({ reason, graceMs: settings.shutdownGraceMs }, 'API stopping: no new connections, finishing in-flight requests');
      await server.close(settings.shutdownGraceMs);
      await temporal.close().catch(() => {});
      logger.info('API stopped');
      resolveStopped();
    })();
    return stopping;
  };
  return { server, url, stopped, stop };
}


if (isEntryPoint(import.meta.url)) {
  runApi().then(
    (api) => {
      onStopSignals((signal) => void api.stop(signal));
      void api.stopped.then(() => process.exit(0));
    },
    (err) => {
      if (err instanceof ConfigError) console.error(`baton api: ${err.message}`);
      else logger.error({ err }, 'baton api failed to start');
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}
