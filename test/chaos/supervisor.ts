/**
 * What a process supervisor (systemd, Kubernetes) does for the chaos tests' worker process: a
 * worker that exits on its own is noted as a crash and started again; the test's own SIGKILLs go
 * through `kill`, which starts the next one after a pause. A start can fail (the worker exits
 * during start-up while Temporal is away, e.g. ConnectionRefused between connecting and creating
 * its workers); it is noted and tried again until one is up. Nothing here ever rejects where no
 * one awaits it: a rejection nobody handles fails the whole vitest run, whatever the test found.
 * Operations run one at a time, so a crash and a kill never start two workers.
 */
import { sleep, type WorkerProcess } from '../../scripts/bench-lib';

export interface SupervisedWorker {
  /** The worker process running now. */
  current(): WorkerProcess;
  /** Starts a new worker process (it becomes `current`); rejects when it does not come up. */
  start(): Promise<WorkerProcess>;
}

export class WorkerSupervisor {
  /** Workers that exited on their own: `<pid> (<exit>): <stderr tail>`. */
  readonly crashes: string[] = [];
  /** Starts that failed (and were tried again). */
  readonly failedStarts: string[] = [];
  private queue: Promise<void> = Promise.resolve();
  private killing = false;
  private stopped = false;

  constructor(
    private readonly worker: SupervisedWorker,
    private readonly note: (what: string) => void = () => {},
    private readonly retryMs = 1_000,
  ) {
    this.watch(worker.current());
  }

  /** SIGKILLs the worker, leaves it down for `downMs`, then starts one (again after failed starts). */
  kill(downMs: number): Promise<void> {
    return this.serially(async () => {
      this.killing = true;
      try {
        await this.worker.current().kill();
      } finally {
        this.killing = false;
      }
      await sleep(downMs);
      await this.startUntilUp();
    });
  }

  /** Settles once no restart is under way (resolves even if the supervisor was stopped meanwhile). */
  idle(): Promise<void> {
    return this.serially(async () => {});
  }

  /** No more restarts: the test is over (cleanup kills the worker). */
  stop(): void {
    this.stopped = true;
  }

  private watch(w: WorkerProcess): void {
    void w.exited.then((how) => {
      // Our own kill, a stale process, or the end of the test: nothing to restart.
      if (this.killing || this.stopped || w !== this.worker.current()) return;
      this.crashes.push(`${w.pid} (${how}): ${w.stderr().slice(-500)}`);
      this.note(`worker ${w.pid} exited on its own (${how})`);
      return this.serially(() => this.startUntilUp());
    });
  }

  private async startUntilUp(): Promise<void> {
    while (!this.stopped) {
      try {
        this.watch(await this.worker.start());
        return;
      } catch (err) {
        const what = (err as Error).message.slice(0, 300);
        this.failedStarts.push(what);
        this.note(`worker start failed, trying again: ${what}`);
        await sleep(this.retryMs);
      }
    }
  }

  /** Runs `op` after the ones before it; a failure is noted, never left unhandled. */
  private serially(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op).catch((err: Error) => {
      this.failedStarts.push(`supervisor: ${err.message.slice(0, 300)}`);
      this.note(`supervisor: ${err.message.slice(0, 300)}`);
    });
    this.queue = run;
    return run;
  }
}
