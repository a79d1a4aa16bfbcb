import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { logger } from './log';

/** True when the module at `moduleUrl` is the script node was started with (not imported). */
export function isEntryPoint(moduleUrl: string): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/**
 * Calls `onSignal` once on the first SIGTERM or SIGINT. A second signal at least a second later
 * (an impatient Ctrl-C) exits at once; one sooner is the same Ctrl-C arriving twice (a terminal
 * signals the whole process group, and `tsx` relays it), and is ignored.
 * Returns a function that removes the handlers.
 */
export function onStopSignals(onSignal: (signal: NodeJS.Signals) => void): () => void {
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < 1_000) return;
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    firstAt = Date.now();
    onSignal(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
