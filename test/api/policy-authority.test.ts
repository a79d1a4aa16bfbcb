/**
 * The worker, not the API, decides how a lead is handled. An API process started on a different
 * team file (other company, three proposals instead of two) relays a lead; the worker's team
 * shapes the conversation all the same.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { boot, type RunningBaton } from '../../runtime/boot';
import { readSettings } from '../../runtime/settings';
import { TEST_TEAM } from '../helpers/paths';
import { devServerEnv, TEST_API_KEY, TEST_TOKEN_SECRET } from '../helpers/dev-server';
import { harness, testTeam, type Harness } from '../helpers/harness';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

let env: TestWorkflowEnvironment;
let h: Harness;
let api: RunningBaton;
let dir: string;

beforeAll(async () => {
  env = await devServerEnv();
  // The worker's team: two proposals, company "Worker Co".
  h = await harness(env, { team: testTeam((t) => ({ ...t, company: { ...t.company, name: 'Worker Co' }, booking: { ...t.booking, proposals: 2 } })) });
  // The API's team file says otherwise.
  dir = mkdtempSync(join(tmpdir(), 'baton-authority-'));
  const apiTeam = join(dir, 'team.yaml');
  writeFileSync(apiTeam, readFileSync(TEST_TEAM, 'utf8').replace('name: Acme', 'name: Api Co'));
  const settings = readSettings({
    BATON_TEAM: apiTeam,
    BATON_DATA_DIR: join(dir, 'data'),
    BATON_API_KEYS: TEST_API_KEY,
    BATON_BUYER_TOKEN_SECRET: TEST_TOKEN_SECRET,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  api = await boot({ worker: false, api: true, devServer: false }, settings);
});

afterAll(async () => {
  await api?.stop();
  h?.cleanup();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('policy authority', () => {
  it('follows the worker’s team, whatever team file the API was started with', async () => {
    await h.withWorker(async () => {
      const headers = { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/json' };
      const created = await fetch(`${api.url}/v1/leads`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ email: `authority-${Date.now()}@initech.example`, name: 'Pat', message: 'Could we talk this week?' }),
      });
      expect(created.status).toBe(202);
      const { leadId } = (await created.json()) as { leadId: string };
      let view: { stage: string; proposals: unknown[]; messages: { from: string; text: string }[] } | undefined;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        const res = await fetch(`${api.url}/v1/leads/${leadId}`, { headers });
        if (res.status !== 200) continue;
        view = (await res.json()) as typeof view;
        if (view!.stage === 'awaiting_reply') break;
      }
      expect(view?.stage).toBe('awaiting_reply');
      expect(view!.proposals).toHaveLength(2);
      const offer = view!.messages.filter((m) => m.from === 'agent').at(-1)!.text;
      expect(offer).toContain('Worker Co');
      expect(offer).not.toContain('Api Co');
    });
  });
});
