import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyerMessageSignal } from '../../workflows/lead/messages';
import { devServerEnv } from '../helpers/dev-server';
import { awaiting, harness, waitForStatus, handedOff } from '../helpers/harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('restarts on the real dev server', () => {
  it('finishes a lead with a new worker after the first one stopped mid-lead: one invite, one email', async () => {
    const h = await harness(env);
    try {
      const email = `restart-${Date.now()}@mercy.example`;
      const handle = await h.withWorker(async () => {
        const started = await h.start({ email, message: 'We run a hospital network.' });
        await waitForStatus(started, awaiting);
        return started;
      });
      // No worker now: the buyer's reply waits durably in Temporal until a worker returns.
      await handle.signal(buyerMessageSignal, { text: 'option 2 please' });
      await h.withWorker(async () => {
        await waitForStatus(handle, handedOff);
      });
      expect(h.local.calendar.bookedEvents()).toHaveLength(1);
      expect(h.local.outbox.list()).toHaveLength(1);
    } finally {
      h.cleanup();
    }
  });
});
