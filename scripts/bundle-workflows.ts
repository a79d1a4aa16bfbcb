/**
 * `npm run bundle:workflows [out]`: bundles the workflow code once, ahead of time (the container
 * image does it at build). A worker started with BATON_WORKFLOW_BUNDLE=<out> loads it instead of
 * running webpack at every start: faster start-up and less memory per replica.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleBatonWorkflows } from '../worker';

const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleBatonWorkflows();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`${out}: ${(code.length / 1024 / 1024).toFixed(2)} MiB`);
