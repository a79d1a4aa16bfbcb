import { setFlagsFromString } from 'node:v8';

/**
 * The cap on each V8 isolate's young generation (its semi-spaces) that Baton's processes run with.
 * On a machine with a few GB of memory Node lets every isolate's young generation grow to 192 MB
 * (64 MB semi-spaces), and a worker has three: its main thread and the SDK's two workflow threads
 * (lead and pool workers). With 16 MB, a worker with 500 leads awaiting a reply in its sticky cache
 * went from 900-960 MB to about 700 MB (`npm run bench:memory -- --leads 495 --rss`, three runs each), and per cached lead in
 * `npm run bench --quick` from 0.60 to 0.26 MB; the CPU time of the same work did not grow (bench/README.md).
 *
 * package.json's entry points and the image (NODE_OPTIONS) pass it on the command line, which is
 * what reaches the main thread as well; test/infra/node-flags.test.ts holds them to this value.
 */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=16';

/**
 * For a process started without the flag (a custom command, a test runner): sets it before the
 * SDK's workflow threads are created, so their isolates are capped; the main thread's is already
 * sized. An operator's own `--max-semi-space-size` wins.
 */
export function capYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => arg.startsWith('--max-semi-space-size'));
  if (given) return false;
  setFlagsFromString(YOUNG_GENERATION_FLAG);
  return true;
}
