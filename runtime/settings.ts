import { resolve } from 'node:path';
import { TASK_QUEUE_DEFAULT } from '../workflows/messages';

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
  apiKeys: string[];
  buyerTokenSecret: string | undefined;
  temporalUiUrl: string | undefined;
  allowedOrigins: string[];
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT: expected a port number, got "${env.PORT}"`);
  const apiKeys = (env.BATON_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  return {
    teamFile: resolve(env.BATON_TEAM ?? 'config/team.yaml'),
    crmFile: resolve(env.BATON_CRM ?? 'config/crm.yaml'),
    calendarFile: resolve(env.BATON_CALENDAR ?? 'config/calendar.json'),
    port,
    // With no API keys the API is a local demo: loopback only.
    host: env.HOST ?? (apiKeys.length ? '0.0.0.0' : '127.0.0.1'),
    dataDir: resolve(env.BATON_DATA_DIR ?? '.data'),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE_DEFAULT,
    apiKeys,
    buyerTokenSecret: env.BATON_BUYER_TOKEN_SECRET || undefined,
    temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
    allowedOrigins: (env.BATON_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  };
}
