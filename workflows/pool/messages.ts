/** Messages of the pool workflow (one per pool: its rotation), shared by the workflow and its callers. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Pool rotation: one long-lived workflow per pool serializes assignments, so concurrent leads never race. */
export interface AssignRequest {
  /** Idempotency key: the same request id always gets the same answer (activity retries). */
  requestId: string;
  members: string[];
  eligible: string[];
}
export interface PoolState {
  lastAssigned: string | null;
  recent: [string, string | null][];
  assignments: Record<string, number>;
}
export const assignUpdate = defineUpdate<string | null, [AssignRequest]>('assign');
export const poolStateQuery = defineQuery<PoolState>('poolState');

/** A pool's rotation belongs to one deployment (task queue): two deployments never share turns. */
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
