import type { Context, Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import { LEAD_STAGES } from '../workflows/lead/messages';
import { Counter, Gauge, Histogram, PROMETHEUS_CONTENT_TYPE, Registry } from '../runtime/prometheus';
import { matchesApiKey } from './auth';
import type { ApiDeps, ApiEnv } from './context';

export interface MetricsOptions {
  /** How long lead counts from Temporal visibility are reused between scrapes. */
  leadsCacheMs?: number;
  /** A visibility refresh slower than this is abandoned; the previous counts are served. */
  visibilityTimeoutMs?: number;
  now?: () => number;
  /** The app's throttle of failed authentication (per address), shared with the API routes. */
  credentials?: { blocked(c: Context): void; failed(c: Context, message: string): never };
}

/** Route template of the endpoint a request was for ("/v1/leads/:leadId"), never the raw path. */
function routeOf(c: Context): string {
  try {
    const endpoint = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
    return endpoint ? endpoint.path : 'unmatched';
  } catch {
    return 'unmatched';
  }
}

/**
 * Prometheus metrics for the API on GET /metrics: requests by route template and status, latency
 * (until the response headers, so server-sent event streams count their set-up only), and leads by
 * stage from Temporal visibility (one count per stage, cached ~15 s whatever the scrape rate).
 * When API keys are configured, /metrics needs one as a bearer token, like the ops routes.
 *
 * Call it right after creating the app, before other middleware, so every request is measured.
 */
export function withMetrics(app: Hono<ApiEnv>, deps: Pick<ApiDeps, 'client' | 'apiKeys'>, o: MetricsOptions = {}) {
  const now = o.now ?? Date.now;
  const cacheMs = o.leadsCacheMs ?? 15_000;
  const registry = new Registry();
  const requests = registry.register(
    new Counter('baton_http_requests_total', 'HTTP requests answered by the API, by method, route template and status.', ['method', 'route', 'status']),
  );
  const latency = registry.register(
    new Histogram('baton_http_request_duration_seconds', 'Seconds until the API had a response for a request (headers; streams excluded).', ['method', 'route']),
  );
  const inFlight = registry.register(new Gauge('baton_http_requests_in_flight', 'Requests the API is working on now.'));
  const leads = registry.register(
    new Gauge('baton_leads', 'Lead workflows in Temporal visibility by LeadStage: running, and closed ones within the namespace retention.', ['stage']),
  );
  const visibilityUp = registry.register(new Gauge('baton_leads_visibility_up', '1 if the last count of leads by stage from Temporal visibility succeeded.'));
  const refreshedAt = registry.register(new Gauge('baton_leads_refreshed_timestamp_seconds', 'When leads by stage were last counted successfully (Unix seconds).'));
  inFlight.set({}, 0);

  let lastAttempt = -Infinity;
  let refreshing: Promise<void> | undefined;
  let active = 0;

  const countStages = async () => {
    const counts = await Promise.all(
      LEAD_STAGES.map(async (stage) => [stage, (await deps.client.workflow.count(`WorkflowType = "leadWorkflow" AND LeadStage = "${stage}"`)).count] as const),
    );
    for (const [stage, count] of counts) leads.set({ stage }, count);
    visibilityUp.set({}, 1);
    refreshedAt.set({}, Math.floor(now() / 1000));
  };

  const refreshLeads = (): Promise<void> => {
    if (now() - lastAttempt < cacheMs) return refreshing ?? Promise.resolve();
    lastAttempt = now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('visibility count timed out')), o.visibilityTimeoutMs ?? 5_000);
    });
    refreshing = Promise.race([countStages(), timeout])
      .catch(() => visibilityUp.set({}, 0))
      .finally(() => {
        clearTimeout(timer);
        refreshing = undefined;
      });
    return refreshing;
  };

  app.use('*', async (c, next) => {
    const started = performance.now();
    active++;
    inFlight.set({}, active);
    try {
      await next();
    } finally {
      active--;
      inFlight.set({}, active);
      const route = routeOf(c);
      const method = c.req.method;
      requests.inc({ method, route, status: String(c.res.status) });
      latency.observe({ method, route }, (performance.now() - started) / 1000);
    }
  });

  app.get('/metrics', async (c) => {
    if (deps.apiKeys.length > 0) {
      const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim() ?? '';
      o.credentials?.blocked(c);
      if (!bearer || !matchesApiKey(bearer, deps.apiKeys)) {
        const message = '/metrics needs an API key as a bearer token';
        if (o.credentials) o.credentials.failed(c, message);
        return c.json({ error: { code: 'unauthorized', message } }, 401);
      }
    }
    await refreshLeads();
    return c.body(registry.render(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
  });

  return { registry, refreshLeads };
}
