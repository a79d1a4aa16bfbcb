import { Context } from '@temporalio/activity';
import type { PoolService } from '../domain/route/distribution';
import type { Team } from '../domain/team/team';
import type { Providers } from '../integrations/providers';

export interface ActivityDeps {
  team: Team;
  providers: Providers;
  /** Pool turns and meeting events: the pool workflows (worker), or memory (CLI, tests). */
  pools: PoolService;
  log?: (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;
  /** Where people reach this Baton (BATON_PUBLIC_URL), for links in notices to reps; unset: none. */
  publicUrl?: string;
}

/** The run id of the lead workflow calling this activity: the idempotency scope of everything it writes. */
export function currentRunId(): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('Baton activities run only on behalf of a workflow');
  return execution.runId;
}

/** Margin before the attempt's start-to-close timeout (at most 1 s): its requests end first, with Baton's own error. */
const DEADLINE_MARGIN_MS = 1_000;

/**
 * Aborts this attempt's provider requests when Temporal cancels the activity or when its
 * start-to-close timeout is about to pass. A worker learns of a remote activity's timeout only
 * through heartbeats, which these short activities do not send, so without this deadline a request
 * could outlive its attempt and land after the retry had started.
 */
export function attemptSignal(): AbortSignal {
  const context = Context.current();
  const timeoutMs = context.info.startToCloseTimeoutMs;
  if (!(timeoutMs > 0)) return context.cancellationSignal;
  const margin = Math.min(DEADLINE_MARGIN_MS, timeoutMs / 10);
  return AbortSignal.any([context.cancellationSignal, AbortSignal.timeout(timeoutMs - margin)]);
}

/**
 * Whether an earlier try of this step may already have written its record: a Temporal retry, or
 * the workflow running the step again after ops resumed it (`resumed`).
 */
export function mayHaveWritten(resumed: boolean | undefined): boolean {
  return resumed === true || Context.current().info.attempt > 1;
}
