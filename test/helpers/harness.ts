import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { inject } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withParsedRules, type Team } from '../../domain/team/team';
import type { Lead } from '../../domain/qualify/lead';
import { leadWorkflowId } from '../../domain/qualify/lead';
import type { Providers } from '../../integrations/providers';
import { embeddedProviders, type EmbeddedProviders } from '../../runtime/providers';
import { policyOf } from '../../domain/team/policy';
import { loadTeamConfig } from '../../runtime/load';
import { temporalBinary, ensureSearchAttributes } from '../../runtime/temporal';
import { bundleBatonWorkflows, createBatonWorker } from '../../worker';
import { statusQuery, type LeadStage, type LeadStatus, type LeadWorkflowInput } from '../../workflows/lead/messages';
import { TEST_TEAM } from './paths';

let bundle: Promise<{ code: string }> | undefined;
/** The workflow bundle that test/global-setup.ts built once for the run (or one built here). */
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= (async () => {
    const path = inject('workflowBundlePath');
    if (path) return { code: readFileSync(path, 'utf8') };
    return bundleBatonWorkflows();
  })();
  return bundle;
}

let runtimeInstalled = false;
export function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinary('temporal-test-server') } },
  });
  await ensureSearchAttributes(env.connection, 'default');
  return env;
}

export function testTeam(edit: (team: Team) => Team = (t) => t): Team {
  return edit(withParsedRules(loadTeamConfig(TEST_TEAM)));
}

export interface Harness {
  env: TestWorkflowEnvironment;
  team: Team;
  local: EmbeddedProviders;
  providers: Providers;
  taskQueue: string;
  /** Runs `fn` while a worker with Baton's real activities polls the task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  start(lead: Lead, policy?: Partial<LeadWorkflowInput['policy']>): Promise<ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>>;
  cleanup(): void;
}

let queueCounter = 0;

export async function harness(
  env: TestWorkflowEnvironment,
  options: { team?: Team; wrapProviders?: (p: Providers) => Providers } = {},
): Promise<Harness> {
  const team = options.team ?? testTeam();
  const dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
  const base: Providers = { calendar: local.calendar, crm: local.crm, email: local.outbox };
  const providers = options.wrapProviders ? options.wrapProviders(base) : base;
  const taskQueue = `test-${process.pid}-${++queueCounter}`;
  const workflowBundleCode = await workflowBundle();
  return {
    env,
    team,
    local,
    providers,
    taskQueue,
    async withWorker(fn) {
      const worker = await createBatonWorker({
        connection: env.nativeConnection, client: env.client, namespace: 'default', taskQueue, team, providers, workflowBundle: workflowBundleCode,
      });
      return worker.runUntil(fn());
    },
    async start(lead, policy = {}) {
      return env.client.workflow.start('leadWorkflow', {
        taskQueue,
        workflowId: leadWorkflowId(lead.email),
        // Without overrides the worker's team decides the policy, as for every lead the API starts.
        args: [{ lead, ...(Object.keys(policy).length ? { policy: { ...policyOf(team, false), ...policy } } : {}) }],
      });
    },
    cleanup() {
      local.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls the status query until `predicate` holds (real time: activities run at real speed). */
export async function waitForStatus(
  handle: { query: (q: typeof statusQuery) => Promise<LeadStatus> },
  predicate: (s: LeadStatus) => boolean,
  timeoutMs = 20_000,
): Promise<LeadStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: LeadStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (predicate(last)) return last;
    } catch {
      // the first workflow task may not have run yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting; last stage ${last?.stage}: ${JSON.stringify(last?.events.slice(-3))}`);
}

/**
 * Like waitForStatus on the time-skipping server, but moves the server's clock forward between
 * looks (a step at a time): for waits on retries' backoff and the lead's own timers.
 */
export async function untilStatus(
  h: Pick<Harness, 'env'>,
  handle: { query: (q: typeof statusQuery) => Promise<LeadStatus> },
  predicate: (s: LeadStatus) => boolean,
  o: { stepMs?: number; maxSteps?: number } = {},
): Promise<LeadStatus> {
  let last: LeadStatus | undefined;
  for (let step = 0; step < (o.maxSteps ?? 200); step++) {
    last = await handle.query(statusQuery).catch(() => last);
    if (last && predicate(last)) return last;
    await h.env.sleep(o.stepMs ?? 5_000);
  }
  throw new Error(`the lead never got there; last stage ${last?.stage}: ${JSON.stringify(last?.events.slice(-3))}`);
}

export const awaiting = (s: LeadStatus) => s.stage === 'awaiting_reply';
/** Booked and handed off: the lead now stays with its meeting (stage `booked`, its meeting's life begun). */
export const handedOff = (s: LeadStatus) => s.stage === 'booked' && s.meeting !== null;
export const stageIs = (stage: LeadStage) => (s: LeadStatus) => s.stage === stage;

/**
 * Runs `fn` with a worker on its own time-skipping server: skipping time for one lead fires the
 * timers of every other workflow on the same server, so tests sharing one would see clocks jump.
 */
export async function withTimeSkippingHarness<T>(fn: (h: Harness) => Promise<T>, options?: Parameters<typeof harness>[1]): Promise<T> {
  const env = await timeSkippingEnv();
  const h = await harness(env, options);
  try {
    return await h.withWorker(() => fn(h));
  } finally {
    h.cleanup();
    await env.teardown();
  }
}

/**
 * Moves the time-skipping server's clock to 09:00 of the next weekday in `zone` (the test team's
 * company zone by default), so a test about "a meeting soon" finds open hours whenever it runs.
 */
export async function skipToWorkingMorning(h: Pick<Harness, 'env'>, zone = 'America/New_York'): Promise<void> {
  const now = DateTime.fromMillis(await h.env.currentTimeMs(), { zone });
  let morning = now.plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  while (morning.weekday > 5) morning = morning.plus({ days: 1 });
  await h.env.sleep(morning.toMillis() - now.toMillis());
}
