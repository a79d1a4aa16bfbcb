import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { logger } from './log';
import { capYoungGeneration } from './node-flags';

const PINO_TO_SDK: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
const SDK_TO_PINO = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Installs the Temporal SDK runtime once per process, before any connection is made: SDK logs go
 * through pino, Prometheus metrics are served on `metricsAddress` (GET /metrics) when given, and
 * signals are left to the entry point (it drains the worker and closes the API in its own order).
 * The workflow threads the SDK creates later get Baton's young-generation cap (runtime/node-flags.ts).
 */
export function installWorkerRuntime(o: { metricsAddress?: string | undefined }): void {
  capYoungGeneration();
  const level = PINO_TO_SDK[logger.level] ?? 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const { sdkComponent: _c, ...meta } = (entry.meta ?? {}) as Record<string, unknown>;
      logger[SDK_TO_PINO[entry.level]]({ ...meta, source: 'temporal-sdk' }, entry.message);
    }),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: level === 'TRACE' || level === 'DEBUG' ? level : 'WARN' } },
      ...(o.metricsAddress
        ? { metrics: { prometheus: { bindAddress: o.metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true } } }
        : {}),
    },
  });
}
