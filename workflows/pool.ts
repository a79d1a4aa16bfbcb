import { allHandlersFinished, condition, makeContinueAsNewFunc, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { nextInRotation } from '../domain/route/distribution';
import { takeTurn, type TurnRequest } from '../domain/route/fairness';
import { applyMeetingEvent, emptyLedger, type PoolLedger } from '../domain/route/pool-ledger';
import {
  assignUpdate,
  meetingEventSignal,
  poolStateQuery,
  poolTaskQueue,
  type AssignAnswer,
  type AssignRequest,
  type PoolState,
} from './pool/messages';

/** How many request ids to remember for idempotency; older ones are from leads long since routed. */
const RECENT_LIMIT = 2_000;
const MESSAGES_PER_RUN = 1_000;
const DAY = 86_400_000;

/**
 * The turns of one pool, and what happened to the meetings it gave out. Updates are handled one
 * at a time, so fifty leads arriving together get fifty consecutive turns; meeting events give
 * credits back and teach the learning. Its state (the ledger) survives restarts and is carried
 * across continue-as-new.
 */
export async function poolWorkflow(initial?: PoolState): Promise<never> {
  const state: PoolState = initial ?? { lastAssigned: null, recent: [], assignments: {} };
  const recent = new Map(state.recent);
  // Runs continued from before fairness carry no ledger: it starts from their rotation.
  const ledger = state.ledger ?? emptyLedger(state.lastAssigned);
  const ownQueue = poolTaskQueue(workflowInfo().taskQueue);
  let handled = 0;
  // A pool started on the leads' queue (before pools had their own) moves there after its next turn.
  let moving = false;

  setHandler(poolStateQuery, () => ({ ...state, recent: [...recent], ledger }));
  setHandler(assignUpdate, (req: AssignRequest) => {
    handled++;
    if (!moving && workflowInfo().taskQueue !== ownQueue) moving = patched('pools-own-queue');
    if (recent.has(req.requestId)) return recent.get(req.requestId) ?? null;
    let answer: AssignAnswer;
    let chosen: string | null;
    if (patched('fair-turns')) {
      const turn = takeTurn(ledger, req.turn ?? legacyTurn(req, ledger), { requestId: req.requestId, leadId: req.leadId ?? req.requestId });
      answer = turn;
      chosen = turn.rep;
    } else {
      // Turns recorded before fairness: strict rotation, answered with the id.
      chosen = nextInRotation(req.members, state.lastAssigned, req.eligible);
      answer = chosen;
    }
    if (chosen) {
      state.lastAssigned = chosen;
      state.assignments[chosen] = (state.assignments[chosen] ?? 0) + 1;
    }
    ledger.lastAssigned = state.lastAssigned;
    recent.set(req.requestId, answer);
    if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
    return answer;
  }, { validator: validateAssign });
  setHandler(meetingEventSignal, (event) => {
    handled++;
    applyMeetingEvent(ledger, event, Date.now());
  });

  await condition(() => moving || handled >= MESSAGES_PER_RUN || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  return makeContinueAsNewFunc<typeof poolWorkflow>({ taskQueue: ownQueue })({ ...state, recent: [...recent], ledger });
}

/**
 * Refuses a malformed turn before it is accepted (validators run before the update enters
 * history), so a bad request fails its caller instead of the pool's workflow task.
 */
function validateAssign(req: AssignRequest): void {
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof req?.requestId !== 'string' || !strings(req.members) || !strings(req.eligible)) {
    throw new Error('assign: expected { requestId: string, members: string[], eligible: string[] }');
  }
  const t = req.turn;
  if (t === undefined) return;
  const object = (v: unknown) => typeof v === 'object' && v !== null;
  if (!object(t.pool) || !strings(t.pool.members) || !object(t.pool.weights) || !object(t.pool.caps) || !object(t.pool.fairness) || !strings(t.eligible) || typeof t.at !== 'number' || typeof t.timezone !== 'string') {
    throw new Error('assign: turn must carry pool { members, weights, caps, fairness }, eligible, at and timezone (domain/route/fairness.ts TurnRequest)');
  }
}

/** A turn asked by a worker from before fairness (members and eligible only): the pool's last known settings. */
function legacyTurn(req: AssignRequest, ledger: PoolLedger): TurnRequest {
  const known = ledger.config;
  return {
    pool: {
      id: known?.id ?? '',
      name: known?.name ?? '',
      members: req.members,
      distribution: known?.distribution ?? 'round_robin',
      weights: known?.weights ?? {},
      caps: known?.caps ?? {},
      fairness: known?.fairness ?? { window: 'month', count: 'booked', calibrate: true },
      learn: known?.learn ?? false,
    },
    eligible: req.eligible,
    names: known?.names ?? {},
    segment: null,
    at: Date.now(),
    timezone: known?.timezone ?? 'UTC',
    holdMs: known?.holdMs ?? DAY,
    lookaheadMs: 0,
  };
}
