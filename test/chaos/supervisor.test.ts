/**
 * The chaos tests' worker supervisor (./supervisor.ts) against real worker processes and a real
 * dev server: a worker that dies while the server is down, and starts that fail (the worker process
 * exits during start-up), end with a worker up once the server is back, and never with a rejection
 * nobody handles — vitest fails the whole run on one (the chaos suite's old flake: a worker started
 * while the dev server was down exited on ConnectionRefused, and its failed start was unhandled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeadId } from '../../domain/qualify/lead-id';
import { sleep, startWorkerProcess, type WorkerProcess } from '../../scripts/bench-lib';
import { statusQuery } from '../../workflows/lead/messages';
import { chaosEnv, eventually, type ChaosEnv } from './env';
import { WorkerSupervisor } from './supervisor';

let env: ChaosEnv;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(async () => {
  env = await chaosEnv({ name: 'supervisor', reps: 5 });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await env?.cleanup();
});

describe('chaos: the worker supervisor', () => {
  it('restarts a worker that died while the dev server was down, through failed starts, with nothing unhandled', async () => {
    const notes: string[] = [];
    // The first two starts fail as a start-up against an unusable server does: the process exits
    // during start-up (here its workflow bundle is missing), and startWorkerProcess rejects.
    let starts = 0;
    const failingStart = (): Promise<WorkerProcess> =>
      startWorkerProcess({ address: env.dev().address, taskQueue: env.taskQueue, kind: 'baton', bundlePath: `${env.dir}/no-such-bundle.js`, teamFile: env.teamFile, dataDir: env.dataDir });
    const supervisor = new WorkerSupervisor({ current: () => env.worker(), start: () => (++starts <= 2 ? failingStart() : env.startWorker()) }, (n) => notes.push(n), 200);

    const first = env.worker();
    await env.stopDevServer();
    first.child.kill('SIGKILL'); // dies on its own, as far as the supervisor knows
    await first.exited;
    await sleep(3_000); // the failed starts happen while the server is away
    await env.startDevServer();
    await supervisor.idle();

    expect(supervisor.crashes, notes.join('\n')).toHaveLength(1);
    expect(supervisor.failedStarts, notes.join('\n')).toHaveLength(2);
    expect(supervisor.failedStarts[0]).toMatch(/worker exited \(1\) during start-up/);
    expect(env.worker().pid).not.toBe(first.pid);
    expect(env.worker().child.exitCode).toBeNull();

    // The restarted worker works: a new lead gets its proposals.
    const res = await env.post('/v1/leads', { email: 'after@restart.example', name: 'After Restart', message: 'We are a 300-person logistics company in Ohio; can we see a demo?' });
    expect(res.status).toBe(202);
    const { workflowId } = decodeLeadId(((await res.json()) as { leadId: string }).leadId)!;
    const stage = await eventually(async () => {
      const s = await env.client.workflow.getHandle(workflowId).query(statusQuery);
      return s.stage === 'awaiting_reply' ? s.stage : undefined;
    }, Date.now() + 90_000);
    expect(stage).toBe('awaiting_reply');

    // A kill through the supervisor is not a crash, and the next worker comes up.
    const before = env.worker().pid;
    await supervisor.kill(500);
    expect(env.worker().pid).not.toBe(before);
    expect(supervisor.crashes).toHaveLength(1);
    supervisor.stop();
    expect(unhandled, 'rejections nobody handled').toEqual([]);
  }, 240_000);
});
