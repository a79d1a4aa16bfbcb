/** `npx baton simulate` and `npx baton fairness`, spawned as a user runs them. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { poolTurnRequest } from '../../domain/route/routing';
import { TemporalPools } from '../../runtime/pool-client';
import { devServerEnv } from '../helpers/dev-server';
import { harness } from '../helpers/harness';
import { ROOT, TEST_TEAM } from '../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'baton-cli-pools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI without blocking this process (a worker in it may have to answer the CLI's queries). */
async function baton(args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, OPENAI_API_KEY: '', TEMPORAL_ADDRESS: '', BATON_DEV_SERVER_PORT: '1', ...env },
      timeout: 120_000,
    });
    return { status: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { status: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('baton simulate', () => {
  it('prints the contract table: held and shares per policy, and the lift with its interval across seeds', async () => {
    const truth = file('truth.json', JSON.stringify({ ana: { default: 0.5, healthcare: 0.85 }, raj: { default: 0.5, fintech: 0.8, healthcare: 0.3 } }));
    const run = await baton(['simulate', '--team', TEST_TEAM, '--pool', 'enterprise', '--leads', '1500', '--seed', '7', '--seeds', '4', '--truth', truth]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['pool', 'leads', 'policies', 'lift']));
    expect(out).toMatchObject({ pool: 'enterprise', leads: 1500, seeds: 4 });
    for (const policy of ['fair', 'learn']) {
      expect(typeof out.policies[policy].held).toBe('number');
      expect(Object.keys(out.policies[policy].shares).sort()).toEqual(['ana', 'raj']);
    }
    expect(out.policies.fair.shares).toEqual({ ana: 0.5, raj: 0.5 });
    expect(out.lift.mean).toBeGreaterThan(0);
    expect(out.lift.ci95[0]).toBeLessThan(out.lift.mean);
    expect(out.lift.ci95[1]).toBeGreaterThan(out.lift.mean);
    // The same arguments print the same table.
    const again = await baton(['simulate', '--team', TEST_TEAM, '--pool', 'enterprise', '--leads', '1500', '--seed', '7', '--seeds', '4', '--truth', truth]);
    expect(again.stdout).toBe(run.stdout);
  });

  it('draws its own truth when none is given', async () => {
    const run = await baton(['simulate', '--team', TEST_TEAM, '--pool', 'smb', '--leads', '300', '--seeds', '2']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out.truth).sort()).toEqual(['alex', 'sam']);
    for (const rates of Object.values(out.truth) as Record<string, number>[]) expect(rates.default).toBeGreaterThan(0);
  });

  it('exits 2 with one line naming the file, the place and the reason for bad input', async () => {
    const cases: [string[], string][] = [
      [['--pool', 'nope'], 'baton: --pool: unknown pool "nope" (known: enterprise, se, smb)'],
      [['--pool', 'enterprise', '--leads', '0'], 'baton: --leads: expected a whole number from 1 to 1000000, got "0"'],
      [['--pool', 'enterprise', '--truth', file('bad-rate.json', '{"ana":{"default":1.5},"raj":{"default":0.5}}')], `baton: ${dir}/bad-rate.json: ana.default: expected a held-rate from 0 to 1, got 1.5`],
      [['--pool', 'enterprise', '--truth', file('stranger.json', '{"ana":{"default":0.5},"zed":{"default":0.5}}')], `baton: ${dir}/stranger.json: zed: not a member of the pool (members: ana, raj)`],
      [['--pool', 'enterprise', '--truth', file('missing.json', '{"ana":{"default":0.5}}')], `baton: ${dir}/missing.json: no held-rates for raj (every member of the pool needs at least { "default": 0.5 })`],
      [['--pool', 'enterprise', '--truth', file('broken.json', '{')], `baton: ${dir}/broken.json: not valid JSON`],
    ];
    for (const [args, message] of cases) {
      const run = await baton(['simulate', '--team', TEST_TEAM, ...args]);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toContain(message);
    }
  });
});

describe('baton fairness', () => {
  it('explains where the counts live when no Temporal server answers', async () => {
    const run = await baton(['fairness', '--team', TEST_TEAM]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'baton: fairness counts live in the pool workflows, and no Temporal server answered at 127.0.0.1:1, where npm start runs its embedded server when TEMPORAL_ADDRESS is unset: start Baton (npm start) or set TEMPORAL_ADDRESS to the server its worker uses',
    );
  });

  it("reads each pool's counts from its workflow on the running Temporal", async () => {
    const env = await devServerEnv();
    const h = await harness(env);
    try {
      await h.withWorker(async () => {
        const pools = new TemporalPools(env.client, h.taskQueue);
        const smb = h.team.pools.find((p) => p.id === 'smb')!;
        for (const lead of ['a', 'b', 'c']) await pools.turn(poolTurnRequest(h.team, smb, smb.members, { at: Date.now(), segment: null }), { requestId: `${lead}#0`, leadId: lead });
        const run = await baton(['fairness', '--team', TEST_TEAM], { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: h.taskQueue });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        const out = JSON.parse(run.stdout) as { temporal: { taskQueue: string }; pools: { id: string; workflow: string; members: { id: string; count: number; share: number }[] }[] };
        expect(out.temporal.taskQueue).toBe(h.taskQueue);
        const byId = Object.fromEntries(out.pools.map((p) => [p.id, p]));
        expect(byId.smb!.workflow).toBe('running');
        expect(byId.smb!.members.map((m) => [m.id, m.count, m.share])).toEqual([['sam', 2, 1.5], ['alex', 1, 1.5]]);
        expect(byId.enterprise!.workflow).toBe('not started');
        expect(byId.enterprise!.members.map((m) => m.count)).toEqual([0, 0]);
      });
    } finally {
      h.cleanup();
      await env.teardown();
    }
  });
});
