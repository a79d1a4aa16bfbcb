import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { bundleBatonWorkflows } from '../worker';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer, freePort } from '../runtime/dev-server';


declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

/**
 * One real Temporal dev server for the whole run: test files that need it connect to it, instead of
 * each starting its own (parallel starts race for ports and files).
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-devserver-'));
  const port = await freePort();
  const server: DevServer = await startDevServer({ dataDir, port, uiPort: await freePort() });
  project.provide('temporalAddress', server.address);
  // Bundling the workflows takes seconds: do it once for every test file.
  const { code } = await bundleBatonWorkflows();
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
