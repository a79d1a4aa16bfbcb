/**
 * With no worker polling a lead's task queue, Temporal refuses its queries ("no poller seen for task
 * queue recently", FAILED_PRECONDITION): `GET /v1/leads/:id` answers 503 `worker_unavailable` with
 * Retry-After and a message, and logs no "unhandled API error" — on a real dev server.
 *
 * Temporal says "no poller" once no worker has polled the queue for `matching.queryPollerUnavailableWindow`
 * (20 s by default; before that a query waits for a worker until its deadline). This file starts its
 * own dev server with a 1 s window so the test takes seconds, and its worker keeps no workflow cache:
 * a cached workflow's queries go to that worker's own sticky queue first, which Temporal keeps trying
 * for a fixed 10 s.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { freePort, startDevServer, type DevServer } from '../../runtime/dev-server';
import { logger } from '../../runtime/log';
import { ensureSearchAttributes } from '../../runtime/temporal';
import { createBatonWorker } from '../../worker';
import { harness, quietRuntime, workflowBundle, type Harness } from '../helpers/harness';
import { TEST_API_KEY, TEST_TOKEN_SECRET } from '../helpers/dev-server';
import { bearer, expectError, json } from './api-helpers';

const POLLER_WINDOW_MS = 1_000;
const TEMPORAL_TIMEOUT_MS = 3_000;
let dataDir: string;
let server: DevServer;
let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  quietRuntime();
  dataDir = mkdtempSync(join(tmpdir(), 'baton-no-poller-'));
  server = await startDevServer({
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    dynamicConfig: { 'matching.queryPollerUnavailableWindow': `${POLLER_WINDOW_MS}ms` },
  });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  await ensureSearchAttributes(env.connection, 'default');
  h = await harness(env);
});
afterAll(async () => {
  h?.cleanup();
  await env?.teardown();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('no worker polling', () => {
  it('GET /v1/leads/:id answers 503 worker_unavailable with Retry-After, and logs no unhandled API error', async () => {
    const app = createApp({
      client: env.client,
      taskQueue: h.taskQueue,
      namespace: 'default',
      apiKeys: [TEST_API_KEY],
      tokens: new BuyerTokens(TEST_TOKEN_SECRET),
      temporalTimeoutMs: TEMPORAL_TIMEOUT_MS,
    });
    const created = await app.request('/v1/leads', json({ email: `no-poller-${Date.now()}@mercyhealth.org`, message: 'Hospital network, need a demo' }));
    expect(created.status).toBe(202);
    const { leadId, buyerToken, workflowId } = (await created.json()) as { leadId: string; buyerToken: string; workflowId: string };

    // A worker takes the lead's first steps (its queries have handlers from then on), then goes away.
    const worker = await createBatonWorker({
      connection: env.nativeConnection, client: env.client, namespace: 'default', taskQueue: h.taskQueue, team: h.team, providers: h.providers,
      workflowBundle: await workflowBundle(), tuning: { maxCachedWorkflows: 0 },
    });
    await worker.runUntil(async () => {
      const res = await (async () => {
        for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 100))) {
          const r = await app.request(`/v1/leads/${leadId}`, { headers: bearer(TEST_API_KEY) });
          if (r.status === 200 || Date.now() > deadline) return r;
        }
      })();
      expect(res.status).toBe(200);
    });
    await new Promise((r) => setTimeout(r, POLLER_WINDOW_MS + 500));

    const errors = vi.spyOn(logger, 'error');
    try {
      for (const token of [TEST_API_KEY, buyerToken]) {
        const asked = Date.now();
        const res = await app.request(`/v1/leads/${leadId}`, { headers: bearer(token) });
        // Temporal's refusal, not a timeout of the API's own (which would be 503 temporal_unavailable after 1.5 s).
        expect(Date.now() - asked).toBeLessThan(TEMPORAL_TIMEOUT_MS);
        expect(res.headers.get('retry-after')).toBe('5');
        const body = await expectError(res, 503, 'worker_unavailable');
        expect(body.error.message).toBe('no worker is running for this lead right now; try again shortly');
      }
      expect(errors.mock.calls.map((c) => String(c[1] ?? c[0]))).not.toContainEqual(expect.stringMatching(/unhandled API error/));
    } finally {
      errors.mockRestore();
      await env.client.workflow.getHandle(workflowId).terminate('test done');
    }
  });
});
