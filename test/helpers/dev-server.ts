import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { ensureSearchAttributes } from '../../runtime/temporal';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import type { ApiDeps } from '../../api/context';
import type { Team } from '../../domain/team/team';
import { harness, quietRuntime, type Harness } from './harness';

export const TEST_API_KEY = 'test-key-0123456789';
export const TEST_TOKEN_SECRET = 'secret-for-tests';

/** Connects to the run's shared dev server (started by test/global-setup.ts). */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  await ensureSearchAttributes(env.connection, 'default');
  return env;
}

/**
 * The real app (`app.request()`), a worker's harness and the shared dev server: what the API
 * tests that need real leads start from.
 */
export async function devServerApp(
  overrides: { team?: Team; app?: Partial<ApiDeps> } = {},
): Promise<{ env: TestWorkflowEnvironment; h: Harness; app: ReturnType<typeof createApp>; close(): Promise<void> }> {
  const env = await devServerEnv();
  const h = await harness(env, overrides.team ? { team: overrides.team } : {});
  const app = createApp({
    client: env.client,
    taskQueue: h.taskQueue,
    namespace: 'default',
    companyName: h.team.company.name,
    apiKeys: [TEST_API_KEY],
    tokens: new BuyerTokens(TEST_TOKEN_SECRET),
    outbox: h.local.outbox,
    temporalUiUrl: 'http://127.0.0.1:8233',
    sse: { pollMs: 50, heartbeatMs: 1_000 },
    ...overrides.app,
  });
  return {
    env,
    h,
    app,
    async close() {
      h.cleanup();
      await env.teardown();
    },
  };
}
