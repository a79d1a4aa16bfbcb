import type { State, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { BatonWorker } from '../../runtime/worker-pair';

/** Just enough of an SDK worker: run() until shutdown() or until told to fail. */
class FakeWorker {
  state: State = 'INITIALIZED';
  shutdowns = 0;
  private stop?: (err?: Error) => void;

  getState(): State {
    return this.state;
  }

  run(): Promise<void> {
    this.state = 'RUNNING';
    return new Promise((resolve, reject) => {
      this.stop = (err) => {
        this.state = err ? 'FAILED' : 'STOPPED';
        if (err) reject(err);
        else resolve();
      };
    });
  }

  shutdown(): void {
    if (this.state !== 'RUNNING') throw new Error(`shutdown() while ${this.state}`);
    this.shutdowns++;
    this.state = 'STOPPING';
    queueMicrotask(() => this.stop?.());
  }

  fail(message: string): void {
    this.stop?.(new Error(message));
  }
}

const pair = () => {
  const leads = new FakeWorker();
  const pools = new FakeWorker();
  return { leads, pools, worker: new BatonWorker(leads as unknown as Worker, pools as unknown as Worker) };
};

describe('BatonWorker (lead worker + pool worker)', () => {
  it('stops both on shutdown()', async () => {
    const { leads, pools, worker } = pair();
    const running = worker.run();
    worker.shutdown();
    await running;
    expect([leads.state, pools.state]).toEqual(['STOPPED', 'STOPPED']);
    expect([leads.shutdowns, pools.shutdowns]).toEqual([1, 1]);
  });

  it('when the pool worker fails, stops the lead worker and reports the failure', async () => {
    const { leads, pools, worker } = pair();
    const running = worker.run();
    pools.fail('pool worker lost its connection');
    await expect(running).rejects.toThrow('pool worker lost its connection');
    expect(leads.state).toBe('STOPPED');
  });

  it('runUntil: returns the result and stops both; fails if a worker dies first', async () => {
    const first = pair();
    await expect(first.worker.runUntil(async () => 42)).resolves.toBe(42);
    expect([first.leads.state, first.pools.state]).toEqual(['STOPPED', 'STOPPED']);

    const second = pair();
    const never = new Promise<number>(() => {});
    const running = second.worker.runUntil(never);
    second.leads.fail('lead worker crashed');
    await expect(running).rejects.toThrow('lead worker crashed');
    expect(second.pools.state).toBe('STOPPED');
  });
});
