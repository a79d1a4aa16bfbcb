import { resolve } from 'node:path';
import { DEFAULT_STREAM_LIMITS, type EventStreamLimits } from '../api/event-hub';
import { DEFAULT_RATE_LIMITS, parseTrustedProxies, type RateLimits, type TrustedProxies } from '../api/limits';
import { ConfigError } from '../domain/errors';
import { TASK_QUEUE_DEFAULT } from '../workflows/lead/messages';
import { readTemporalConfig, type TemporalConnection } from './temporal-config';

/** Everything Baton reads from the environment, read in one place by worker, API, CLI and `npm start`. */
export interface Settings {
  teamFile: string;
  crmFile: string;
  calendarFile: string;
  port: number;
  host: string;
  dataDir: string;
  temporalAddress: string | undefined;
  namespace: string;
  taskQueue: string;
  /** Address, TLS, API key and gRPC headers for Temporal (runtime/temporal-config.ts). */
  temporal: TemporalConnection;
  /** host:port where the worker's Prometheus endpoint listens (SDK runtime telemetry); unset: no endpoint. */
  workerMetricsAddress: string | undefined;
  /** How long a stopping worker lets running activities finish, and the API lets requests finish. */
  shutdownGraceMs: number;
  /** Ports of the dev server `npm start` runs when TEMPORAL_ADDRESS is unset (gRPC, Temporal UI). */
  devServerPort: number;
  devServerUiPort: number;
  /** A workflow bundle prebuilt by scripts/bundle-workflows.ts (the container image has one); unset: bundle at start. */
  workflowBundlePath: string | undefined;
  apiKeys: string[];
  buyerTokenSecret: string | undefined;
  temporalUiUrl: string | undefined;
  allowedOrigins: string[];
  /** Per-minute rate limits of each API process (BATON_RATE_LIMIT_*). */
  rateLimits: RateLimits;
  /** Proxies whose X-Forwarded-For is believed (BATON_TRUSTED_PROXIES). */
  trustedProxies: TrustedProxies;
  /** Caps and maximum age of event streams (BATON_SSE_*). */
  streams: Pick<EventStreamLimits, 'maxPerBuyerToken' | 'maxPerKey' | 'maxPerProcess' | 'maxAgeMs'>;
}

/** Names a loopback interface: the only addresses a demo server (no API keys) may listen on. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A whole number from the environment, at least `min`, or the default; anything else is a ConfigError naming the variable. */
function count(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name}: expected a whole number of at least ${min}, got "${raw}"`);
  return value;
}

/** BATON_DATA_DIR, resolved (default `.data`): read alone by the CLI, which needs nothing else here. */
export function dataDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BATON_DATA_DIR ?? '.data');
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT: expected a port number, got "${env.PORT}"`);
  const { connection: temporal, namespace } = readTemporalConfig(env);
  const metricsAddress = env.BATON_WORKER_METRICS_ADDRESS || undefined;
  if (metricsAddress !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):\d{1,5}$/.test(metricsAddress)) {
    throw new ConfigError(`BATON_WORKER_METRICS_ADDRESS: expected host:port such as 0.0.0.0:9464, got "${metricsAddress}"`);
  }
  const grace = Number(env.BATON_SHUTDOWN_GRACE_SECONDS ?? 30);
  if (!Number.isFinite(grace) || grace < 0) throw new ConfigError(`BATON_SHUTDOWN_GRACE_SECONDS: expected a number of seconds, got "${env.BATON_SHUTDOWN_GRACE_SECONDS}"`);
  const portOf = (name: string, fallback: number) => {
    const v = Number(env[name] ?? fallback);
    if (!Number.isInteger(v) || v <= 0 || v > 65_535) throw new ConfigError(`${name}: expected a port number, got "${env[name]}"`);
    return v;
  };
  const apiKeys = (env.BATON_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  // With no API keys the API is a local demo: loopback only, whatever HOST says.
  const host = env.HOST || (apiKeys.length ? '0.0.0.0' : '127.0.0.1');
  if (apiKeys.length === 0 && !isLoopbackHost(host)) {
    throw new ConfigError(
      `HOST=${host}: without API keys Baton runs as a local demo with no authentication and listens on loopback only (127.0.0.1, ::1 or localhost). ` +
        'Set BATON_API_KEYS to serve other addresses, or unset HOST.',
    );
  }
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = parseTrustedProxies(env.BATON_TRUSTED_PROXIES);
  } catch (err) {
    throw new ConfigError(`BATON_TRUSTED_PROXIES: ${(err as Error).message}`);
  }
  const d = DEFAULT_RATE_LIMITS;
  return {
    teamFile: resolve(env.BATON_TEAM ?? 'config/team.yaml'),
    crmFile: resolve(env.BATON_CRM ?? 'config/crm.yaml'),
    calendarFile: resolve(env.BATON_CALENDAR ?? 'config/calendar.json'),
    port,
    host,
    dataDir: dataDirOf(env),
    temporalAddress: temporal.address,
    namespace: namespace ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE_DEFAULT,
    temporal,
    workerMetricsAddress: metricsAddress,
    shutdownGraceMs: Math.round(grace * 1000),
    devServerPort: portOf('BATON_DEV_SERVER_PORT', 7233),
    devServerUiPort: portOf('BATON_DEV_SERVER_UI_PORT', 8233),
    workflowBundlePath: env.BATON_WORKFLOW_BUNDLE ? resolve(env.BATON_WORKFLOW_BUNDLE) : undefined,
    apiKeys,
    buyerTokenSecret: env.BATON_BUYER_TOKEN_SECRET || undefined,
    temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
    allowedOrigins: (env.BATON_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    rateLimits: {
      perKey: count(env, 'BATON_RATE_LIMIT_PER_KEY', d.perKey),
      perBuyer: count(env, 'BATON_RATE_LIMIT_PER_BUYER', d.perBuyer),
      perIp: count(env, 'BATON_RATE_LIMIT_PER_IP', d.perIp),
      authFailuresPerIp: count(env, 'BATON_RATE_LIMIT_AUTH_FAILURES', d.authFailuresPerIp),
      messagesPerLead: count(env, 'BATON_RATE_LIMIT_MESSAGES_PER_LEAD', d.messagesPerLead),
      maxKeys: count(env, 'BATON_RATE_LIMIT_MAX_KEYS', d.maxKeys, 100),
    },
    trustedProxies,
    streams: {
      maxPerBuyerToken: count(env, 'BATON_SSE_MAX_PER_TOKEN', DEFAULT_STREAM_LIMITS.maxPerBuyerToken),
      maxPerKey: count(env, 'BATON_SSE_MAX_PER_KEY', DEFAULT_STREAM_LIMITS.maxPerKey),
      maxPerProcess: count(env, 'BATON_SSE_MAX_PER_PROCESS', DEFAULT_STREAM_LIMITS.maxPerProcess),
      maxAgeMs: count(env, 'BATON_SSE_MAX_AGE_SECONDS', DEFAULT_STREAM_LIMITS.maxAgeMs / 1000) * 1000,
    },
  };
}
