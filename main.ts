/**
 * `npm start`: the whole of Baton on one machine. Starts the Temporal dev server (unless
 * TEMPORAL_ADDRESS points at one), then the worker and the API in this one process. In production
 * run them apart: `npm run worker` and `npm run api` (runtime/boot.ts is the one boot sequence).
 */
import { boot, runEntryPoint } from './runtime/boot';
import { readSettings } from './runtime/settings';
import { batonWorkerFactory } from './worker';

runEntryPoint('baton', async () => {
  const settings = readSettings();
  const baton = await boot({ worker: batonWorkerFactory, api: true, devServer: true }, settings);
  const base = baton.url?.replace('127.0.0.1', settings.host === '0.0.0.0' ? 'localhost' : '127.0.0.1');
  console.log(
    `\nBaton is up.\n  API:         ${base}/v1/leads  (docs: ${base}/docs)\n  Chat page:   ${base}/\n  Ops page:    ${base}/ops\n` +
      `  Temporal UI: ${baton.temporalUiUrl ?? '(see your Temporal deployment)'}\n` +
      `  Temporal:    ${baton.temporalAddress} (namespace ${settings.namespace}, task queue ${settings.taskQueue})\n` +
      (settings.apiKeys.length === 0 ? '  Auth:        none (BATON_API_KEYS unset) — local demo mode, listening on loopback only\n' : '') +
      (settings.workerMetricsAddress ? `  Worker metrics: http://${settings.workerMetricsAddress}/metrics\n` : ''),
  );
  return baton;
});
