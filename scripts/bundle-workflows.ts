/**
 * `npm run bundle:workflows [out]`: bundles the workflow code once, ahead of time (the container
 * image does it at build). A worker started with BATON_WORKFLOW_BUNDLE=<out> loads it instead of
 * running webpack at every start: faster start-up and less memory per replica.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WORKFLOWS_PATH } from '../worker';

const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`${out}: ${(code.length / 1024 / 1024).toFixed(2)} MiB`);
