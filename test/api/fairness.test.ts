/**
 * GET /v1/ops/fairness against the shared dev server: pools found in visibility, read from their
 * workflows (turned and told about meetings as the worker's activities do), API key only, and
 * described by /openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolFairness } from '../../domain/route/fairness-report';
import { TemporalPools } from '../../runtime/pool-client';
import { devServerApp, TEST_API_KEY } from '../helpers/dev-server';
import { poolTurnRequest } from '../../domain/route/routing';

let ctx: Awaited<ReturnType<typeof devServerApp>>;
beforeAll(async () => {
  ctx = await devServerApp();
});
afterAll(() => ctx?.close());

const get = (path: string, key?: string) => ctx.app.request(path, key ? { headers: { Authorization: `Bearer ${key}` } } : {});

describe('GET /v1/ops/fairness', () => {
  it("shows each pool's counts against the weighted shares, and the outcomes the pool was told", async () => {
    const { h } = ctx;
    await h.withWorker(async () => {
      const pools = new TemporalPools(h.env.client, h.taskQueue);
      const smb = { ...h.team.pools.find((p) => p.id === 'smb')!, weights: { sam: 2, alex: 1 } };
      const turn = (lead: string) =>
        pools.turn(poolTurnRequest(h.team, smb, ['sam', 'alex'], { at: Date.now(), segment: null }), { requestId: `${lead}/run#0`, leadId: lead });
      const reps = [];
      for (const lead of ['a', 'b', 'c']) reps.push((await turn(lead)).rep);
      expect([...reps].sort()).toEqual(['alex', 'sam', 'sam']);
      const samLead = ['a', 'b', 'c'][reps.indexOf('sam')]!;
      await pools.report('smb', { key: `${samLead}/booked`, leadId: samLead, repId: 'sam', event: 'booked', meetingStart: new Date(Date.now() + 86_400_000).toISOString() });
      await pools.report('smb', { key: `${samLead}/held`, leadId: samLead, repId: 'sam', event: 'held' });

      let body: { pools: PoolFairness[] } = { pools: [] };
      const deadline = Date.now() + 20_000;
      for (;;) {
        const res = await get('/v1/ops/fairness', TEST_API_KEY);
        expect(res.status).toBe(200);
        body = (await res.json()) as typeof body;
        const sam = body.pools.find((p) => p.id === 'smb')?.members.find((m) => m.id === 'sam');
        if (sam?.held === 1 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const pool = body.pools.find((p) => p.id === 'smb')!;
      expect(pool).toMatchObject({ name: 'SMB desk', distribution: 'round_robin', count: 'booked', calibrate: true, timezone: 'America/New_York', learning: null });
      expect(pool.window.kind).toBe('month');
      const [sam, alex] = ['sam', 'alex'].map((id) => pool.members.find((m) => m.id === id)!);
      expect(sam).toMatchObject({ name: 'Sam Okafor', weight: 2, count: 2, share: 2, distance: 0, booked: 1, held: 1, noShow: 0, available: true, cap: null });
      expect(alex).toMatchObject({ name: 'Alex Rivera', weight: 1, count: 1, share: 1, distance: 0 });
    });
  });

  it('needs an API key', async () => {
    const res = await get('/v1/ops/fairness', 'not-a-key');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('is described in /openapi.json, members and all', async () => {
    const doc = (await (await get('/openapi.json')).json()) as { paths: Record<string, { get?: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }> };
    const route = doc.paths['/v1/ops/fairness']?.get;
    expect(route).toBeDefined();
    const schema = JSON.stringify(route!.responses['200']!.content['application/json']!.schema);
    for (const field of ['distance', 'share', 'noShow', 'cap', 'measured', 'holdout']) expect(schema).toContain(`"${field}"`);
  });
});
