import type { Worker, State } from '@temporalio/worker';

/**
 * Baton's worker as operators see it: one lead worker and one pool worker in the same process, run
 * and stopped together. They are two SDK workers because each has its own workflow-task slots
 * (workflows/messages.ts, `poolTaskQueue`). If either stops, for a failure or a shutdown, so does
 * the other: a process polling only half of Baton's queues would look healthy and route nothing.
 */
export class BatonWorker {
  constructor(
    readonly leads: Worker,
    readonly pools: Worker,
  ) {}

  getState(): State {
    return this.leads.getState();
  }

  shutdown(): void {
    for (const worker of [this.leads, this.pools]) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  async run(): Promise<void> {
    const runs = [this.leads, this.pools].map((worker) => worker.run().finally(() => this.shutdown()));
    const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Runs both until `fn` settles, then stops them; a worker failing first fails the call. */
  async runUntil<T>(fn: Promise<T> | (() => Promise<T>)): Promise<T> {
    const running = this.run();
    const stoppedEarly = running.then(() => {
      throw new Error('the Baton worker stopped before the work it was running for was done');
    });
    stoppedEarly.catch(() => {}); // `running` is awaited below; this copy must not count as unhandled
    try {
      return await Promise.race([typeof fn === 'function' ? fn() : fn, stoppedEarly]);
    } finally {
      this.shutdown();
      await running;
    }
  }
}
