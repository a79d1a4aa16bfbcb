/**
 * `npm start`: the whole of Baton on one machine. Starts the Temporal dev server (unless
 * TEMPORAL_ADDRESS points at one), registers the search attributes, then runs the worker and the API.
 */
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createApp } from './api/app';
import { BuyerTokens } from './api/auth';
import { ConfigError } from './domain/errors';
import { bootstrap } from './runtime/bootstrap';
import { startDevServer, type DevServer } from './runtime/dev-server';
import { logger } from './runtime/log';
import { readSettings } from './runtime/settings';
import { connectionOptions, ensureSearchAttributes } from './runtime/temporal';
import { createBatonWorker } from './worker';

/** Buyer tokens must outlive a restart: a generated secret is kept in the data folder. */
export function buyerTokenSecret(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'buyer-token.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

async function main() {
  const settings = readSettings();
  const { team, setup, policy } = await bootstrap(settings);
  for (const line of setup.summary) console.log(`  ${line}`);

  let devServer: DevServer | undefined;
  let address = settings.temporalAddress;
  if (!address) {
    devServer = await startDevServer({ dataDir: settings.dataDir });
    address = devServer.address;
  }
  const connection = await Connection.connect(connectionOptions(address));
  await ensureSearchAttributes(connection, settings.namespace);
  const client = new Client({ connection, namespace: settings.namespace });
  const nativeConnection = await NativeConnection.connect(connectionOptions(address));
  const worker = await createBatonWorker({
    connection: nativeConnection, client, namespace: settings.namespace, taskQueue: settings.taskQueue, team, providers: setup.providers,
  });

  const uiUrl = settings.temporalUiUrl ?? devServer?.uiUrl;
  const app = createApp({
    client, taskQueue: settings.taskQueue, namespace: settings.namespace, policy, apiKeys: settings.apiKeys,
    tokens: new BuyerTokens(buyerTokenSecret(settings.dataDir, settings.buyerTokenSecret)),
    ...(setup.embedded.outbox ? { outbox: setup.embedded.outbox } : {}),
    ...(uiUrl ? { temporalUiUrl: uiUrl } : {}),
    allowedOrigins: settings.allowedOrigins,
  });
  const server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host });
  const base = `http://${settings.host === '0.0.0.0' ? 'localhost' : settings.host}:${settings.port}`;
  if (settings.apiKeys.length === 0) console.log('  auth: none (BATON_API_KEYS unset) — local demo mode, listening on loopback only');
  console.log(`\nBaton is up.\n  API:         ${base}/v1/leads  (docs: ${base}/docs)\n  Chat page:   ${base}/\n  Ops page:    ${base}/ops\n  Temporal UI: ${uiUrl ?? '(see your Temporal deployment)'}\n  Temporal:    ${address} (namespace ${settings.namespace}, task queue ${settings.taskQueue})\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping API, worker${devServer ? ' and Temporal dev server' : ''}...`);
    server.close();
    worker.shutdown();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await worker.run();
  await nativeConnection.close();
  await connection.close();
  await devServer?.stop();
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(`baton: ${err.message}`);
  else logger.error({ err }, 'baton failed to start');
  process.exit(err instanceof ConfigError ? 2 : 1);
});
