import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { ensureSearchAttributes } from '../../runtime/temporal';
import { quietRuntime } from './harness';

/** Connects to the run's shared dev server (started by test/global-setup.ts). */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  await ensureSearchAttributes(env.connection, 'default');
  return env;
}
