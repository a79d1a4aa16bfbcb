/**
 * Baton's processes cap each V8 isolate's young generation (runtime/node-flags.ts): on the command
 * line of every entry point and the image, and, for a worker started any other way, before the
 * SDK's workflow threads exist.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capYoungGeneration, YOUNG_GENERATION_FLAG } from '../../runtime/node-flags';
import { ROOT } from '../helpers/paths';

/** The most new-space a worker thread reaches while it keeps a lot of young objects alive, in MB. */
function threadNewSpaceMb(capFirst: boolean): number {
  const script = `
    import { Worker } from 'node:worker_threads';
    ${capFirst ? "const { capYoungGeneration } = await import('./runtime/node-flags.ts'); capYoungGeneration();" : ''}
    const code = \`
      import { parentPort } from 'node:worker_threads';
      import v8 from 'node:v8';
      let keep = [];
      let most = 0;
      for (let i = 0; i < 3000000; i++) {
        keep.push({ i, s: 'x'.repeat(100) });
        if (keep.length > 300000) keep = [];
        if (i % 1000 === 0) most = Math.max(most, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      }
      parentPort.postMessage(most / 1048576);
    \`;
    const worker = new Worker(code, { eval: true });
    worker.once('message', (mb) => { console.log(mb); worker.terminate(); });
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout.trim().split('\n').at(-1));
}

describe('the young-generation cap', () => {
  it('reaches workflow threads created after it is set: their new space stays within the cap where an uncapped thread grows past it', () => {
    const uncapped = threadNewSpaceMb(false);
    const capped = threadNewSpaceMb(true);
    expect(uncapped).toBeGreaterThan(64);
    expect(capped).toBeLessThanOrEqual(64);
  }, 60_000);

  it('leaves an operator’s own --max-semi-space-size alone', () => {
    expect(capYoungGeneration(['--max-semi-space-size=32'], '')).toBe(false);
    expect(capYoungGeneration([], '--max-old-space-size=2048 --max-semi-space-size=8')).toBe(false);
  });

  it('is on the command line of npm start, npm run worker and npm run api, and in the image’s NODE_OPTIONS', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const entry of ['start', 'worker', 'api']) expect(scripts[entry]!.split(' ')).toContain(YOUNG_GENERATION_FLAG);
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(new RegExp(`^\\s*NODE_OPTIONS=${YOUNG_GENERATION_FLAG} `, 'm'));
  });
});
