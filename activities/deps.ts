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
}

/** The run id of the lead workflow calling this activity: the idempotency scope of everything it writes. */
export function currentRunId(): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('Baton activities run only on behalf of a workflow');
  return execution.runId;
}
