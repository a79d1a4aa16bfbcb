/**
 * The pool workflows as the worker's activities reach them: one rotation turn per update, started
 * on first use. Rotation (domain/route/distribution.ts) is what routing needs; this is how it is
 * kept durable and race-free across workers.
 */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Rotation } from '../domain/route/distribution';
import { assignUpdate, poolTaskQueue, poolWorkflowId } from '../workflows/pool/messages';

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
