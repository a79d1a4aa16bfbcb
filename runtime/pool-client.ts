/**
 * The pool workflows as the worker's activities reach them: one turn per update, meeting events as
 * signals, each pool started on first use. PoolService (domain/route/distribution.ts) is what
 * routing and outcomes need; this is how it is kept durable and race-free across workers.
 */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PoolService } from '../domain/route/distribution';
import type { TurnAnswer, TurnIds, TurnRequest } from '../domain/route/fairness';
import type { MeetingEvent } from '../domain/route/pool-ledger';
import { asTurnAnswer, assignUpdate, meetingEventSignal, poolStateQuery, poolTaskQueue, poolWorkflowId, type AssignRequest, type PoolState } from '../workflows/pool/messages';

/**
 * How long one turn may take, its wait for a gate slot included. A turn answers in milliseconds.
 * One accepted just before Temporal's matching service died was never answered (the pool's workflow
 * task went down with matching, and the SDK polls for an update's outcome without end): it held its
 * gate slot for good, and with six of them every lead behind waited in routing — 400 s in the
 * cluster test after a 10 s matching outage. Bounded, the routing step fails and its retry asks
 * again (the same request id: the same turn), which reaches the pool once matching is back. Below
 * the routing step's 30 s start-to-close timeout, so an attempt ends on this, not on that.
 */
export const TURN_TIMEOUT_MS = 20_000;

/**
 * Pools kept by one `poolWorkflow` each. A turn's request id comes from the caller (the lead run and
 * a counter), so a retried activity gets the same answer, never a new turn.
 */
export class TemporalPools implements PoolService {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly o: { turnTimeoutMs?: number } = {},
  ) {}

  async turn(request: TurnRequest, ids: TurnIds): Promise<TurnAnswer> {
    // members/eligible at the top level too: a worker from before fairness reads only those.
    const assign: AssignRequest = { requestId: ids.requestId, leadId: ids.leadId, members: [...request.pool.members], eligible: [...request.eligible], turn: request };
    const workflowId = poolWorkflowId(this.taskQueue, request.pool.id);
    const handle = this.client.workflow.getHandle(workflowId);
    const gate = poolGate(workflowId);
    const deadline = Date.now() + (this.o.turnTimeoutMs ?? TURN_TIMEOUT_MS);
    const ask = () => gate.run(() => this.client.withDeadline(deadline, () => handle.executeUpdate(assignUpdate, { args: [assign] })));
    try {
      return asTurnAnswer(await ask());
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    try {
      await this.client.withDeadline(deadline, () => this.client.workflow.start('poolWorkflow', { taskQueue: poolTaskQueue(this.taskQueue), workflowId, args: [] }));
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return asTurnAnswer(await ask());
  }

  /** A signal, starting the pool if it is not running: the pool applies each key once. */
  async report(poolId: string, event: MeetingEvent): Promise<void> {
    await this.client.workflow.signalWithStart('poolWorkflow', {
      workflowId: poolWorkflowId(this.taskQueue, poolId),
      taskQueue: poolTaskQueue(this.taskQueue),
      args: [],
      signal: meetingEventSignal,
      signalArgs: [event],
    });
  }
}

/**
 * Turn updates in flight per pool workflow from this process. Temporal admits 10 in-flight
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

/** Each pool's state as its workflow answers the query; null for a pool whose workflow never started. */
export async function readPoolStates(client: Client, taskQueue: string, poolIds: readonly string[]): Promise<Map<string, PoolState | null>> {
  const states = new Map<string, PoolState | null>();
  await Promise.all(
    poolIds.map(async (id) => {
      try {
        states.set(id, await client.workflow.getHandle(poolWorkflowId(taskQueue, id)).query(poolStateQuery));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        states.set(id, null);
      }
    }),
  );
  return states;
}

/** The ids of this deployment's running pools, from Temporal visibility (eventually consistent). */
export async function runningPoolIds(client: Client, taskQueue: string): Promise<string[]> {
  const prefix = poolWorkflowId(taskQueue, '');
  const ids: string[] = [];
  const query = `WorkflowType = "poolWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = "${poolTaskQueue(taskQueue)}"`;
  for await (const info of client.workflow.list({ query })) {
    if (info.workflowId.startsWith(prefix)) ids.push(info.workflowId.slice(prefix.length));
  }
  return [...new Set(ids)].sort();
}
