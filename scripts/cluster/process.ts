/**
 * One long-running child of `npm run cluster` (PostgreSQL, a Temporal service): its output goes to
 * a log file, it is ready once its port accepts connections, and it can be SIGKILLed and started
 * again with the same command. Children run in their own process group, so a Ctrl-C reaches only
 * the cluster script, which stops them in order; if the script dies, `killAllOnExit` takes them down.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { portOpen } from '../../runtime/dev-server';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** The TCP port on 127.0.0.1 that says the process is ready. */
  port: number;
  logFile: string;
  /** Run as this user (root starting PostgreSQL, which refuses to run as root). */
  uid?: number;
  gid?: number;
  readyTimeoutMs?: number;
}

export interface ManagedProcess {
  readonly spec: ProcessSpec;
  pid(): number | undefined;
  running(): boolean;
  start(): Promise<void>;
  /** SIGKILL: no shutdown at all, as when a host or a container dies. */
  kill(): Promise<void>;
  /** `signal` (SIGTERM by default), then SIGKILL after `graceMs`. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
  logTail(chars?: number): string;
}

const everyChild = new Set<ChildProcess>();
let exitHook = false;

/** A cluster script that exits for any reason (an error, process.exit) leaves no process behind. */
function killAllOnExit() {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const child of everyChild) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

export function managedProcess(spec: ProcessSpec): ManagedProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const alive = () => !!child && child.exitCode === null && child.signalCode === null;
  const logTail = (chars = 3000) => {
    try {
      return readFileSync(spec.logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  };

  return {
    spec,
    pid: () => child?.pid,
    running: alive,
    logTail,
    async start() {
      if (alive()) throw new Error(`${spec.name} is already running (pid ${child!.pid})`);
      if (await portOpen(spec.port)) throw new Error(`${spec.name}: port ${spec.port} is already in use`);
      killAllOnExit();
      const log = openSync(spec.logFile, 'a');
      const options: SpawnOptions = { cwd: spec.cwd, env: spec.env, stdio: ['ignore', log, log], detached: true };
      if (spec.uid !== undefined) Object.assign(options, { uid: spec.uid, gid: spec.gid });
      const started = spawn(spec.command, spec.args, options);
      closeSync(log);
      child = started;
      everyChild.add(started);
      exited = new Promise((resolve) =>
        started.once('exit', () => {
          everyChild.delete(started);
          resolve();
        }),
      );
      const timeoutMs = spec.readyTimeoutMs ?? 90_000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (started.exitCode !== null || started.signalCode !== null) {
          throw new Error(`${spec.name} exited (${started.signalCode ?? started.exitCode}) while starting; ${spec.logFile} ends with:\n${logTail()}`);
        }
        if (await portOpen(spec.port)) return;
        if (Date.now() > deadline) {
          started.kill('SIGKILL');
          throw new Error(`${spec.name} did not listen on port ${spec.port} within ${timeoutMs / 1000}s; ${spec.logFile} ends with:\n${logTail()}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async kill() {
      if (alive()) child!.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 15_000, signal = 'SIGTERM') {
      if (!alive()) return exited;
      child!.kill(signal);
      const timer = setTimeout(() => alive() && child!.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
