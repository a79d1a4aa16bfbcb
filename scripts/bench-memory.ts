/**
 * `npm run bench:memory [-- --leads 300] [--rss]`: what one cached lead costs the worker, on the
 * time-skipping server with the embedded providers, with --leads leads parked awaiting the buyer's
 * reply in the sticky cache.
 *
 * By default, its heap, exactly: live bytes after a full GC, not RSS (which also holds the garbage
 * collector's headroom). The worker runs with `debugMode`, which puts the SDK's reusable workflow
 * context on the main thread where this process can collect and weigh it (the same context a
 * workflow thread holds).
 *
 * With --rss, the process's resident memory as a production worker has it (workflow threads, no
 * debug mode) before and after, which is what the speed-at-scale target counts; Node/V8 flags to
 * compare go in NODE_OPTIONS (e.g. `NODE_OPTIONS=--max-semi-space-size=2`).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { leadWorkflowId } from '../domain/qualify/lead';
import { withParsedRules } from '../domain/team/team';
import { loadTeamConfig } from '../runtime/load';
import { embeddedProviders } from '../runtime/providers';
import { ensureSearchAttributes, temporalBinary } from '../runtime/temporal';
import { bundleBatonWorkflows, createBatonWorker } from '../worker';
import { statusQuery } from '../workflows/lead/messages';
import { ROOT } from './bench-lib';

const { values } = parseArgs({ options: { leads: { type: 'string', default: '300' }, rss: { type: 'boolean', default: false } } });
const leads = Number(values.leads);
if (!Number.isInteger(leads) || leads < 10 || leads > 5_000) throw new Error(`--leads must be a whole number in [10, 5000], got "${values.leads}"`);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const WARM_LEADS = 5;

async function liveHeapMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed / 1e6;
}

/** What is measured: the main thread's live heap (debug mode), or the whole process's RSS after a moment to settle. */
async function measureMb(): Promise<number> {
  if (!values.rss) return liveHeapMb();
  await new Promise((r) => setTimeout(r, 2_000));
  return process.memoryUsage.rss() / 1e6;
}

Runtime.install({ logger: new DefaultLogger('WARN') });
const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalBinary('temporal-test-server') } } });
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-memory-'));
try {
  await ensureSearchAttributes(env.connection, 'default');
  const team = withParsedRules(loadTeamConfig(join(ROOT, 'test/fixtures/team.yaml')));
  const local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
  const worker = await createBatonWorker({
    connection: env.nativeConnection,
    client: env.client,
    namespace: 'default',
    taskQueue: 'bench-memory',
    team,
    providers: { calendar: local.calendar, crm: local.crm, email: local.outbox },
    workflowBundle: await bundleBatonWorkflows(),
    tuning: { debugMode: !values.rss },
  });
  const start = (i: number) => {
    const email = `buyer${i}@company${i}.example`;
    return env.client.workflow.start('leadWorkflow', {
      taskQueue: 'bench-memory',
      workflowId: leadWorkflowId(email),
      args: [{ lead: { email, name: 'Pat Lee', company: `Company ${i}`, message: 'We are 300 people in Denver and would like a demo next week.' } }],
    });
  };
  const awaitingReply = async (handles: Awaited<ReturnType<typeof start>>[]) => {
    for (const handle of handles) {
      while ((await handle.query(statusQuery).catch(() => null))?.stage !== 'awaiting_reply') await new Promise((r) => setTimeout(r, 20));
    }
  };
  await worker.runUntil(async () => {
    await awaitingReply(await Promise.all(Array.from({ length: WARM_LEADS }, (_, i) => start(i))));
    const before = { mb: await measureMb(), cached: worker.leads.getStatus().numCachedWorkflows };
    const handles = [];
    for (let i = WARM_LEADS; i < WARM_LEADS + leads; i++) handles.push(await start(i));
    await awaitingReply(handles);
    const after = { mb: await measureMb(), cached: worker.leads.getStatus().numCachedWorkflows };
    const perLeadKb = ((after.mb - before.mb) * 1000) / (after.cached - before.cached);
    const what = values.rss ? `process RSS${process.env.NODE_OPTIONS ? ` (NODE_OPTIONS ${process.env.NODE_OPTIONS})` : ''}` : 'live heap';
    console.log(`${after.cached - before.cached} more leads cached (awaiting a reply): ${what} ${before.mb.toFixed(1)} -> ${after.mb.toFixed(1)} MB, ${perLeadKb.toFixed(0)} KB per cached lead`);
  });
} finally {
  await env.teardown();
  rmSync(dir, { recursive: true, force: true });
}
