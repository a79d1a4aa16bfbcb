/** Messages of the pool workflow (one per pool: its turns, fairness counts and outcomes), shared by the workflow and its callers. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TurnAnswer, TurnRequest } from '../../domain/route/fairness';
import type { MeetingEvent, PoolLedger } from '../../domain/route/pool-ledger';

export type { MeetingEvent, MeetingEventType } from '../../domain/route/pool-ledger';
export { MEETING_EVENTS } from '../../domain/route/pool-ledger';

/** One turn of a pool: one long-lived workflow per pool serializes turns, so concurrent leads never race. */
export interface AssignRequest {
  /** Idempotency key: the same request id always gets the same answer (activity retries). */
  requestId: string;
  /** The roster and who may take the lead: all a pool read before fairness (older workers read only these). */
  members: string[];
  eligible: string[];
  /** The lead workflow the turn is for: the pool tracks its credit and meeting by it. */
  leadId?: string;
  /** The whole turn (domain/route/fairness.ts); absent from requests sent before fairness. */
  turn?: TurnRequest;
}

/** Turns recorded before fairness answered with the rep id (or null); fair turns with the whole answer. */
export type AssignAnswer = string | null | TurnAnswer;

export interface PoolState {
  lastAssigned: string | null;
  recent: [string, AssignAnswer][];
  /** Turns per member since the pool started (every run), whatever the window. */
  assignments: Record<string, number>;
  /** Fairness and outcomes (domain/route/pool-ledger.ts); absent in runs continued from before fairness. */
  ledger?: PoolLedger;
}

export const assignUpdate = defineUpdate<AssignAnswer, [AssignRequest]>('assign');
/** Something happened to a lead's meeting with a member of this pool (idempotent by `key`). */
export const meetingEventSignal = defineSignal<[MeetingEvent]>('meetingEvent');
export const poolStateQuery = defineQuery<PoolState>('poolState');

/** A pool's workflow belongs to one deployment (task queue): two deployments never share turns. */
export function poolWorkflowId(taskQueue: string, poolId: string): string {
  return `pool-${taskQueue}-${poolId}`;
}

const POOL_QUEUE_SUFFIX = '-pools';

/**
 * Pools run on a task queue of their own, polled by a worker of their own with its own slots:
 * leads route in a local activity that waits on the pool, and on a shared queue a burst of leads
 * holding every workflow-task slot would leave the pool none to answer them with.
 */
export function poolTaskQueue(taskQueue: string): string {
  return taskQueue.endsWith(POOL_QUEUE_SUFFIX) ? taskQueue : `${taskQueue}${POOL_QUEUE_SUFFIX}`;
}

/** The answer as a fair turn's, whichever code gave it (a worker from before fairness answers with the id). */
export function asTurnAnswer(answer: AssignAnswer): TurnAnswer {
  if (answer === null || typeof answer === 'string') return { rep: answer, notes: [], policy: 'fair', blocked: [] };
  return answer;
}
