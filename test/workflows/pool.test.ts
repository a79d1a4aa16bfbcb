import { describe, expect, it } from 'vitest';
import { poolActivities, type ReportMeetingInput } from '../../activities/pool';
import { poolWithDefaults, type Pool } from '../../domain/team/config';
import type { TurnRequest } from '../../domain/route/fairness';
import { TemporalPools } from '../../runtime/pool-client';
import { poolStateQuery, poolTaskQueue, poolWorkflowId, type PoolState } from '../../workflows/pool/messages';
import { withTimeSkippingHarness, type Harness } from '../helpers/harness';

const smb = poolWithDefaults({ id: 'smb', members: ['x', 'y', 'z'] });
const request = (pool: Pool = smb, eligible = pool.members): TurnRequest => ({
  pool, eligible, names: {}, segment: null, at: Date.now(), timezone: 'UTC', holdMs: 86_400_000, lookaheadMs: 0,
});

async function stateOf(h: Harness, poolId: string): Promise<PoolState> {
  return h.env.client.workflow.getHandle(poolWorkflowId(h.taskQueue, poolId)).query(poolStateQuery);
}

/** Polls the pool's state until `ok` (signals are applied by the next workflow task). */
async function until(h: Harness, poolId: string, ok: (s: PoolState) => boolean, timeoutMs = 15_000): Promise<PoolState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await stateOf(h, poolId).catch(() => null);
    if (s && ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`pool state never matched: ${JSON.stringify(s?.ledger?.tallies)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
      expect(state.ledger?.tallies.x?.count).toBe(1);
    });
  });

  it('counts the meeting events reportMeetingToPool sends, once per key, giving credits back', async () => {
    await withTimeSkippingHarness(async (h) => {
      const pools = new TemporalPools(h.env.client, h.taskQueue);
      const report = poolActivities({ team: h.team, providers: h.providers, pools }).reportMeetingToPool;
      const pool = { ...h.team.pools.find((p) => p.id === 'smb')!, fairness: { window: 'never' as const, count: 'held' as const, calibrate: true } };
      const reps: string[] = [];
      for (const lead of ['l1', 'l2', 'l3', 'l4']) reps.push((await pools.turn(request(pool), { requestId: `${lead}/run#0`, leadId: lead })).rep!);
      expect(reps).toEqual(['sam', 'alex', 'sam', 'alex']);
      const event = (leadId: string, repId: string, e: ReportMeetingInput['event'], extra: Partial<ReportMeetingInput> = {}) =>
        report({ key: `${leadId}/run/${e}`, poolId: 'smb', leadId, repId, event: e, ...extra });
      const start = '2026-03-04T15:00:00.000Z';
      const segment = { industry: 'healthcare', size: '200-999', territory: 'West Coast' };
      await event('l1', 'sam', 'booked', { meetingStart: start, segment });
      await event('l1', 'sam', 'booked', { meetingStart: start, segment }); // a retried activity
      await event('l1', 'sam', 'held');
      await event('l2', 'alex', 'booked', { meetingStart: start });
      await event('l2', 'alex', 'rescheduled', { meetingStart: '2026-03-05T15:00:00.000Z' });
      await event('l2', 'alex', 'no_show');
      await event('l3', 'sam', 'booked', { meetingStart: start });
      await event('l3', 'sam', 'canceled');
      // l4 was covered at booking time by sam: the credit follows the meeting.
      await event('l4', 'sam', 'booked', { meetingStart: start });
      await event('l4', 'sam', 'rep_no_show');

      const s = await until(h, 'smb', (st) => (st.ledger?.tallies.sam?.repNoShow ?? 0) === 1);
      const { sam, alex } = s.ledger!.tallies;
      // count: held gives back no-shows and cancellations; a rep's own no-show still counts.
      expect(sam).toMatchObject({ count: 2, assigned: 2, booked: 3, held: 1, canceled: 1, repNoShow: 1 });
      expect(alex).toMatchObject({ count: 0, assigned: 2, booked: 1, noShow: 1 });
      expect(s.ledger!.capUse.alex).toEqual({ 'd:2026-03-05': 1, 'w:2026-W10': 1, 'm:2026-03': 1 });
      expect(s.ledger!.held.sam!.healthcare).toEqual([1, 1]);
      // Owed two credits, alex takes the next two leads.
      const next = [];
      for (const lead of ['l5', 'l6']) next.push((await pools.turn(request(pool), { requestId: `${lead}/run#0`, leadId: lead })).rep);
      expect(next).toEqual(['alex', 'alex']);
    });
  });

  it('refuses a meeting event it cannot apply, naming what is wrong', async () => {
    await withTimeSkippingHarness(async (h) => {
      const report = poolActivities({ team: h.team, providers: h.providers, pools: new TemporalPools(h.env.client, h.taskQueue) }).reportMeetingToPool;
      await expect(report({ key: 'k', poolId: 'nope', leadId: 'l', repId: 'sam', event: 'held' })).rejects.toThrow('unknown pool "nope" (known: enterprise, se, smb)');
      await expect(report({ key: 'k', poolId: 'smb', leadId: 'l', repId: 'sam', event: 'booked' })).rejects.toThrow('booked needs meetingStart as an ISO date-time, got none');
      await expect(report({ key: 'k', poolId: 'smb', leadId: 'l', repId: 'sam', event: 'won' as never })).rejects.toThrow('event must be one of booked, rescheduled');
    });
  });

  it('carries counts, caps and seen keys across continue-as-new, after its handlers finish', async () => {
    await withTimeSkippingHarness(async (h) => {
      const pools = new TemporalPools(h.env.client, h.taskQueue);
      const pool = h.team.pools.find((p) => p.id === 'smb')!;
      expect((await pools.turn(request(pool), { requestId: 'first#0', leadId: 'first' })).rep).toBe('sam');
      await pools.report('smb', { key: 'first/booked', leadId: 'first', repId: 'sam', event: 'booked', meetingStart: '2026-03-04T15:00:00.000Z' });
      const handle = h.env.client.workflow.getHandle(poolWorkflowId(h.taskQueue, 'smb'));
      const firstRun = (await handle.describe()).runId;
      // A run takes 1,000 messages, then continues as new.
      const events = Array.from({ length: 1_000 }, (_, i) => pools.report('smb', { key: `filler-${i}`, leadId: `filler-${i}`, repId: 'alex', event: 'released' }));
      await Promise.all(events);
      let description = await handle.describe();
      for (let i = 0; i < 100 && description.runId === firstRun; i++) {
        await new Promise((r) => setTimeout(r, 100));
        description = await handle.describe();
      }
      expect(description.runId).not.toBe(firstRun);
      // The same booking again (a retry after the new run started) changes nothing; counts came along.
      await pools.report('smb', { key: 'first/booked', leadId: 'first', repId: 'sam', event: 'booked', meetingStart: '2026-03-04T15:00:00.000Z' });
      const s = await until(h, 'smb', (st) => st.ledger?.tallies.sam?.booked === 1);
      expect(s.ledger!.capUse.sam).toMatchObject({ 'd:2026-03-04': 1 });
      expect(s.assignments).toEqual({ sam: 1 });
      expect((await pools.turn(request(pool), { requestId: 'second#0', leadId: 'second' })).rep).toBe('alex');
      expect((await pools.turn(request(pool), { requestId: 'first#0', leadId: 'first' })).rep).toBe('sam');
    });
  });

  it('takes over a run continued from before fairness: no ledger in its input, rotation kept', async () => {
    await withTimeSkippingHarness(async (h) => {
      const workflowId = poolWorkflowId(h.taskQueue, 'smb');
      const legacy: PoolState = { lastAssigned: 'y', recent: [['old#0', 'x']], assignments: { x: 1, y: 1 } };
      await h.env.client.workflow.start('poolWorkflow', { taskQueue: poolTaskQueue(h.taskQueue), workflowId, args: [legacy] });
      const pools = new TemporalPools(h.env.client, h.taskQueue);
      expect((await pools.turn(request(), { requestId: 'old#0', leadId: 'old' })).rep).toBe('x');
      expect((await pools.turn(request(), { requestId: 'new#0', leadId: 'new' })).rep).toBe('z');
      const s = await stateOf(h, 'smb');
      expect(s.assignments).toEqual({ x: 1, y: 1, z: 1 });
    });
  });
});

describe('pool workflow input checks', () => {
  it('refuses a malformed turn before accepting it, and keeps answering good ones', async () => {
    await withTimeSkippingHarness(async (h) => {
      const pools = new TemporalPools(h.env.client, h.taskQueue);
      expect((await pools.turn(request(), { requestId: 'ok#0', leadId: 'ok' })).rep).toBe('x');
      const broken = { ...request(), pool: { ...smb, caps: undefined as never } };
      await expect(pools.turn(broken, { requestId: 'bad#0', leadId: 'bad' })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^assign: turn must carry pool/) } });
      expect((await pools.turn(request(), { requestId: 'ok2#0', leadId: 'ok2' })).rep).toBe('y');
    });
  });
});

describe('a turn nobody answers', () => {
  it('fails after its timeout and frees its gate slot: the turns queued behind it fail in time too (the routing step retries them)', async () => {
    await withTimeSkippingHarness(async (h) => {
      // The pool's workflow task is never picked up (as when matching lost it): no worker polls
      // this queue's pools. Without the bound, each turn waits for the update's outcome forever.
      const unserved = `${h.taskQueue}-unserved`;
      const stuck = new TemporalPools(h.env.client, unserved, { turnTimeoutMs: 1_500 });
      const started = Date.now();
      // More turns than the gate's six slots: those queued behind the stuck ones fail too, in time.
      const turns = Array.from({ length: 8 }, (_, i) => stuck.turn(request(), { requestId: `stuck-${i}#0`, leadId: `stuck-${i}` }).then(() => 'answered', () => 'failed'));
      expect(await Promise.all(turns)).toEqual(Array(8).fill('failed'));
      expect(Date.now() - started, 'all failed within one timeout (the deadline counts the wait for a slot)').toBeLessThan(10_000);

      // The bound does not cut off turns that are answered.
      const served = new TemporalPools(h.env.client, h.taskQueue, { turnTimeoutMs: 1_500 });
      expect((await served.turn(request(), { requestId: 'served#0', leadId: 'served' })).rep).toBe('x');
    });
  }, 60_000);
});
