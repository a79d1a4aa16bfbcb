/**
 * The provider SDKs load with the first provider that needs them (integrations/sdk.ts): a worker
 * on the embedded providers carries none of them (some 30 MB of its memory). Each case runs in a
 * fresh process, since the test runner's own module graph may already hold them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const SDKS = ['googleapis', '@hubspot/api-client', '@sendgrid/mail', 'openai'];

/** The SDK packages a process has loaded after building the worker's providers from `env`. */
function sdksLoadedWith(env: Record<string, string>): string[] {
  const script = `
    import { createRequire } from 'node:module';
    import { mkdtempSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    await import('./worker.ts');
    const { selectProviders } = await import('./runtime/providers.ts');
    const { loadTeamConfig } = await import('./runtime/load.ts');
    const setup = selectProviders(${JSON.stringify(env)}, loadTeamConfig('test/fixtures/team.yaml'), mkdtempSync(join(tmpdir(), 'baton-sdks-')));
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(${JSON.stringify(SDKS)}.filter((sdk) => loaded.some((path) => path.includes('/node_modules/' + sdk + '/')))));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as string[];
}

describe('provider SDKs', () => {
  it('a worker on the embedded providers loads none of them', () => {
    expect(sdksLoadedWith({})).toEqual([]);
  }, 60_000);

  it('a configured provider loads its own SDK, and only that one', () => {
    expect(sdksLoadedWith({ OPENAI_API_KEY: 'sk-test' })).toEqual(['openai']);
    expect(sdksLoadedWith({ HUBSPOT_ACCESS_TOKEN: 'pat-test' })).toEqual(['@hubspot/api-client']);
  }, 60_000);
});
