import { describe, expect, it } from 'vitest';
import { poolWithDefaults } from '../../domain/team/config';
import type { TurnRequest } from '../../domain/route/fairness';
import { TemporalPools } from '../../runtime/pool-client';
import { poolStateQuery, poolTaskQueue, poolWorkflowId } from '../../workflows/pool/messages';
import { withTimeSkippingHarness } from '../helpers/harness';

const smb = poolWithDefaults({ id: 'smb', members: ['x', 'y', 'z'] });
const request = (eligible = smb.members): TurnRequest => ({
  pool: smb, eligible, names: {}, segment: null, at: Date.parse('2026-03-03T15:00:00Z'), timezone: 'UTC', holdMs: 86_400_000, lookaheadMs: 0,
});

describe('pool workflow', () => {
  it('runs on its own task queue, apart from the leads', async () => {
    await withTimeSkippingHarness(async (h) => {
      const pools = new TemporalPools(h.env.client, h.taskQueue);
      expect((await pools.turn(request(), { requestId: 'lead-a/run#0', leadId: 'lead-a' })).rep).toBe('x');
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
      const pools = new TemporalPools(h.env.client, h.taskQueue);
      const turn = (lead: string) => pools.turn(request(), { requestId: `lead-${lead}/run#0`, leadId: `lead-${lead}` }).then((a) => a.rep);
      expect(await turn('a')).toBe('x');

      const moved = h.env.client.workflow.getHandle(workflowId);
      let description = await moved.describe();
      for (let i = 0; i < 50 && description.runId === legacy.firstExecutionRunId; i++) {
        await new Promise((r) => setTimeout(r, 100));
        description = await moved.describe();
      }
      expect(description.runId).not.toBe(legacy.firstExecutionRunId);
      expect(description.taskQueue).toBe(poolTaskQueue(h.taskQueue));
      expect(description.status.name).toBe('RUNNING');

      expect(await turn('b')).toBe('y');
      // The retried request of lead a gets its old answer, not a new turn.
      expect(await turn('a')).toBe('x');
      const state = await moved.query(poolStateQuery);
      expect(state.assignments).toEqual({ x: 1, y: 1 });
    });
  });
});
