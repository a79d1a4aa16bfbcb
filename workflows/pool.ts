import { allHandlersFinished, condition, makeContinueAsNewFunc, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { nextInRotation } from '../domain/route/distribution';
import { assignUpdate, poolStateQuery, poolTaskQueue, type AssignRequest, type PoolState } from './pool/messages';

/** How many request ids to remember for idempotency; older ones are from leads long since routed. */
const RECENT_LIMIT = 2_000;
const UPDATES_PER_RUN = 1_000;

/**
 * The rotation of one pool. Updates are handled one at a time, so fifty leads arriving together get
 * fifty consecutive turns; the state survives restarts and is carried across continue-as-new.
 */
export async function poolWorkflow(initial?: PoolState): Promise<never> {
  const state: PoolState = initial ?? { lastAssigned: null, recent: [], assignments: {} };
  const recent = new Map(state.recent);
  const ownQueue = poolTaskQueue(workflowInfo().taskQueue);
  let handled = 0;
  // A pool started on the leads' queue (before pools had their own) moves there after its next turn.
  let moving = false;

  setHandler(poolStateQuery, () => ({ ...state, recent: [...recent] }));
  setHandler(assignUpdate, (req: AssignRequest) => {
    handled++;
    if (!moving && workflowInfo().taskQueue !== ownQueue) moving = patched('pools-own-queue');
    if (recent.has(req.requestId)) return recent.get(req.requestId) ?? null;
    const chosen = nextInRotation(req.members, state.lastAssigned, req.eligible);
    if (chosen) {
      state.lastAssigned = chosen;
      state.assignments[chosen] = (state.assignments[chosen] ?? 0) + 1;
    }
    recent.set(req.requestId, chosen);
    if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
    return chosen;
  });

  await condition(() => moving || handled >= UPDATES_PER_RUN || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  return makeContinueAsNewFunc<typeof poolWorkflow>({ taskQueue: ownQueue })({ ...state, recent: [...recent] });
}
