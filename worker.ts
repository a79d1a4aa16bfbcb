import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities';
import type { Team } from './domain/team';
import type { Providers } from './integrations/providers';
import { logger } from './runtime/log';
import { TemporalRotation } from './runtime/temporal';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export interface BatonWorkerOptions {
  connection: NativeConnection;
  client: Client;
  namespace: string;
  taskQueue: string;
  team: Team;
  providers: Providers;
  /** A prebuilt bundle (tests build one per run); otherwise workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Partial<WorkerOptions>;
}

export async function createBatonWorker(o: BatonWorkerOptions): Promise<Worker> {
  const activities = createActivities({
    team: o.team,
    providers: o.providers,
    rotation: (scope) => new TemporalRotation(o.client, o.taskQueue, scope),
    log: (level, msg, fields) => logger[level](fields, msg),
  });
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...o.tuning,
  });
}

export { Connection };
