import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { logger } from './log';
import type { Settings } from './settings';
import { connectionOptions, DEFAULT_TEMPORAL_ADDRESS } from './temporal';

/**
 * Retries `attempt` with capped backoff until it succeeds or `timeoutMs` passes: containers start
 * in any order, and a Temporal server that just came up may refuse connections for a while.
 */
export async function retrying<T>(what: string, attempt: () => Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() + delay > deadline || signal?.aborted) throw err;
      logger.warn({ err: (err as Error).message, retryInMs: delay }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export interface TemporalConnections {
  address: string;
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

/** The client connection every entry point uses, from the settings (address overridable for the dev server). */
export async function connectClient(settings: Pick<Settings, 'temporal' | 'namespace'>, o: { address?: string; timeoutMs?: number; identity?: string } = {}): Promise<TemporalConnections> {
  const address = o.address ?? settings.temporal.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const connection = await retrying(`connecting to Temporal at ${address}`, () => Connection.connect(connectionOptions(settings.temporal, address)), o.timeoutMs ?? 60_000);
  const client = new Client({ connection, namespace: settings.namespace, ...(o.identity ? { identity: o.identity } : {}) });
  return { address, connection, client, close: () => connection.close() };
}

/** The worker's native connection (the Rust core's), same options as the client's. */
export function connectNative(settings: Pick<Settings, 'temporal'>, address: string, timeoutMs = 60_000): Promise<NativeConnection> {
  return retrying(`connecting the worker to Temporal at ${address}`, () => NativeConnection.connect(connectionOptions(settings.temporal, address)), timeoutMs);
}
