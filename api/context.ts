import type { Client } from '@temporalio/client';
import type { EmbeddedOutbox } from '../integrations/embedded/outbox';
import type { BuyerTokens } from './auth';
import type { EventStreamLimits } from './event-hub';
import type { RateLimits, TrustedProxies } from './limits';

export interface ApiDeps {
  client: Client;
  taskQueue: string;
  namespace: string;
  /** Shown on the demo chat page. The API never decides how a lead is handled: the worker's team does. */
  companyName?: string;
  apiKeys: string[];
  tokens: BuyerTokens;
  /** Present only when the embedded email provider is in use. */
  outbox?: EmbeddedOutbox;
  temporalUiUrl?: string;
  allowedOrigins?: string[];
  /** Per-minute rate limits (api/limits.ts); unset ones take their defaults. */
  limits?: Partial<RateLimits>;
  /** Event streams: poll pace, heartbeat, caps and maximum age (api/event-hub.ts); unset ones take their defaults. */
  sse?: Partial<EventStreamLimits>;
  /**
   * Which proxies may say who the caller is (`X-Forwarded-For`, right-most untrusted hop), for the
   * limits per address. Default: nobody, the socket's address.
   */
  trustedProxies?: TrustedProxies;
  /** How long one API request waits for Temporal (and the worker) before answering 503 (default 10 s; bookings 3×). */
  temporalTimeoutMs?: number;
  /** How long `/healthz` waits for Temporal (default 3 s). */
  healthTimeoutMs?: number;
}

/**
 * Who is calling. `credential` is what the caller presented (an API key or a buyer token; the address
 * for demo-mode callers without one): event-stream caps count per credential.
 */
export type Caller =
  | { kind: 'server'; credential: string }
  | { kind: 'buyer'; leadId: string; credential: string }
  | { kind: 'anonymous' };

export type ApiEnv = { Variables: { caller: Caller } };

export function workflowUiUrl(base: string | undefined, namespace: string, workflowId: string, runId?: string): string | null {
  if (!base) return null;
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}`;
}
