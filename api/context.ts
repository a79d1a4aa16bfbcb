import type { Client } from '@temporalio/client';
import type { EmbeddedOutbox } from '../integrations/embedded/outbox';
import type { BuyerTokens, RateLimiter } from './auth';

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
  limits?: { perKey: number; perBuyer: number; perIp: number };
  /** Poll interval of the SSE stream and its heartbeat, overridable in tests. */
  sse?: { pollMs: number; heartbeatMs: number };
  /**
   * Trust the first `X-Forwarded-For` hop as the caller's address (rate limits per IP). Only behind a
   * proxy that sets it: otherwise anyone can pick their own address. Default: the socket's address.
   */
  trustProxy?: boolean;
  /** How long one API request waits for Temporal (and the worker) before answering 503 (default 10 s; bookings 3×). */
  temporalTimeoutMs?: number;
  /** How long `/healthz` waits for Temporal (default 3 s). */
  healthTimeoutMs?: number;
}

export type Caller = { kind: 'server' } | { kind: 'buyer'; leadId: string } | { kind: 'anonymous' };

export type ApiEnv = { Variables: { caller: Caller } };

export function workflowUiUrl(base: string | undefined, namespace: string, workflowId: string, runId?: string): string | null {
  if (!base) return null;
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}`;
}
