import { describe, expect, it } from 'vitest';
import { TemporalRotation } from '../../runtime/pool-client';
import { poolStateQuery, poolTaskQueue, poolWorkflowId } from '../../workflows/pool/messages';
import { withTimeSkippingHarness } from '../helpers/harness';

describe('pool workflow', () => {
  it('runs on its own task queue, apart from the leads', async () => {
    await withTimeSkippingHarness(async (h) => {
      const rotation = (lead: string) => new TemporalRotation(h.env.client, h.taskQueue, `lead-${lead}/run`);
      expect(await rotation('a').next('smb', ['x', 'y', 'z'], ['x', 'y', 'z'])).toBe('x');
      const pool = await h.env.client.workflow.getHandle(poolWorkflowId(h.taskQueue, 'smb')).describe();
      expect(pool.taskQueue).toBe(poolTaskQueue(h.taskQueue));
      expect(poolTaskQueue(poolTaskQueue(h.taskQueue))).toBe(poolTaskQueue(h.taskQueue));
    });
  });

  it('moves a pool started on the leads’ queue to its own after one more turn, keeping the rotation', async () => {
    await withTimeSkippingHarness(async (h) => {
      const workflowId = poolWorkflowId(h.taskQueue, 'smb');
      // As a worker from before pools had their own queue started it.
      const legacy = await h.env.client.workflow.start('poolWorkflow', { taskQueue: h.taskQueue, workflowId, args: [] });
      const rotation = (lead: string) => new TemporalRotation(h.env.client, h.taskQueue, `lead-${lead}/run`);
      expect(await rotation('a').next('smb', ['x', 'y', 'z'], ['x', 'y', 'z'])).toBe('x');

      const moved = h.env.client.workflow.getHandle(workflowId);
      let description = await moved.describe();
      for (let i = 0; i < 50 && description.runId === legacy.firstExecutionRunId; i++) {
        await new Promise((r) => setTimeout(r, 100));
        description = await moved.describe();
      }
      expect(description.runId).not.toBe(legacy.firstExecutionRunId);
      expect(description.taskQueue).toBe(poolTaskQueue(h.taskQueue));
      expect(description.status.name).toBe('RUNNING');

      expect(await rotation('b').next('smb', ['x', 'y', 'z'], ['x', 'y', 'z'])).toBe('y');
      // The retried request of lead a gets its old answer, not a new turn.
      expect(await rotation('a').next('smb', ['x', 'y', 'z'], ['x', 'y', 'z'])).toBe('x');
      const state = await moved.query(poolStateQuery);
      expect(state.assignments).toEqual({ x: 1, y: 1 });
    });
  });
});
