/**
 * `npm run test:schemathesis`: Schemathesis against the whole of Baton as `npm start` runs it (the
 * embedded Temporal dev server, the worker and the API), with an API key, on free loopback ports
 * and a throw-away data folder. Every phase runs (examples, coverage, fuzzing, stateful) with every
 * check; the number of cases per operation is bounded so the run takes a few minutes on two cores.
 *
 * Schemathesis comes from PyPI into a venv under .tools/ (never committed), pinned below. The run
 * writes Schemathesis' JUnit report and a small JSON report (numPassedTests / numFailedTests /
 * numPendingTests, one test per API operation) that .ci/run adds to its totals. Exit status: 0 when
 * Schemathesis found nothing, 1 otherwise.
 *
 * Per-operation exceptions live in schemathesis.toml at the repository root (read by `st` from there),
 * each with the reason the document cannot state it.
 *
 * Options (environment): BATON_SCHEMATHESIS_REPORT (JSON report path, default
 * test-results/schemathesis.json), BATON_SCHEMATHESIS_MAX_EXAMPLES (cases per operation and phase,
 * default 40), BATON_SCHEMATHESIS_SEED (a fixed seed, for reproducing a failure).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../runtime/dev-server';

const SCHEMATHESIS = 'schemathesis==4.32.5';
const ROOT = resolve(import.meta.dirname, '..');
const VENV = join(ROOT, '.tools', 'schemathesis');
const ST = join(VENV, 'bin', 'st');
const API_KEY = `schemathesis-${process.pid}-key-0123456789`;

function installSchemathesis(): void {
  const version = existsSync(ST) ? spawnSync(ST, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (version.includes(SCHEMATHESIS.split('==')[1]!)) return;
  console.log(`[schemathesis] installing ${SCHEMATHESIS} from PyPI into .tools/schemathesis`);
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  };
  run('python3', ['-m', 'venv', VENV]);
  run(join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS]);
}

async function waitForHealth(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Baton exited with status ${child.exitCode} before it was up`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Baton did not answer ${base}/healthz within ${timeoutMs / 1000}s`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** One test per operation: failed when any of its test cases failed or errored. */
function countJunit(xml: string): { passed: number; failed: number; skipped: number } {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const m of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? '';
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped };
}

async function main(): Promise<number> {
  installSchemathesis();
  const reportPath = resolve(process.env.BATON_SCHEMATHESIS_REPORT ?? 'test-results/schemathesis.json');
  mkdirSync(dirname(reportPath), { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-schemathesis-'));
  const [port, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const log = join(dataDir, 'baton.log');
  console.log(`[schemathesis] starting Baton on ${base} (data ${dataDir}, log ${log})`);
  const { openSync } = await import('node:fs');
  const out = openSync(log, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TEMPORAL_ADDRESS; // always the embedded dev server, on its own ports
  const baton = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BATON_API_KEYS: API_KEY,
      BATON_DATA_DIR: dataDir,
      BATON_DEV_SERVER_PORT: String(devPort),
      BATON_DEV_SERVER_UI_PORT: String(uiPort),
      // Schemathesis sends thousands of requests from one address: the limits under test are the API's
      // answers, not how fast one client may go (the limiter has tests of its own).
      BATON_RATE_LIMIT_PER_KEY: '1000000',
      BATON_RATE_LIMIT_PER_IP: '1000000',
      BATON_RATE_LIMIT_PER_BUYER: '1000000',
      BATON_RATE_LIMIT_MESSAGES_PER_LEAD: '1000000',
      BATON_RATE_LIMIT_AUTH_FAILURES: '1000000',
      // Streams end after 2 s (the client reconnects with Last-Event-ID), so a stream case takes seconds, not minutes.
      BATON_SSE_MAX_AGE_SECONDS: '2',
      BATON_SSE_MAX_PER_KEY: '100000',
    },
    stdio: ['ignore', out, out],
  });
  const started = Date.now();
  let status = 1;
  try {
    await waitForHealth(base, baton, 120_000);
    const junit = join(dataDir, 'junit.xml');
    const args = [
      'run',
      `${base}/openapi.json`,
      '--checks',
      'all',
      '--header',
      `Authorization: Bearer ${API_KEY}`,
      '--max-examples',
      process.env.BATON_SCHEMATHESIS_MAX_EXAMPLES ?? '40',
      '--request-timeout',
      '30',
      // One worker: Python 3.11's parser is not thread-safe under Hypothesis (SystemError: AST constructor recursion depth mismatch).
      '--workers',
      '1',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
      '--no-color',
      ...(process.env.BATON_SCHEMATHESIS_SEED ? ['--seed', process.env.BATON_SCHEMATHESIS_SEED] : []),
    ];
    console.log(`[schemathesis] st ${args.join(' ').replace(API_KEY, '<key>')}`);
    const st = spawn(ST, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
    status = await new Promise<number>((done) => st.once('exit', (code) => done(code ?? 1)));
    const counts = existsSync(junit) ? countJunit(readFileSync(junit, 'utf8')) : { passed: 0, failed: 1, skipped: 0 };
    if (status !== 0 && counts.failed === 0) counts.failed = 1; // schemathesis failed without a failing case (an error)
    writeFileSync(
      reportPath,
      JSON.stringify({ tool: SCHEMATHESIS, exitCode: status, seconds: Math.round((Date.now() - started) / 1000), numPassedTests: counts.passed, numFailedTests: counts.failed, numPendingTests: counts.skipped }, null, 2),
    );
    console.log(`[schemathesis] ${counts.passed} operations passed, ${counts.failed} failed, ${counts.skipped} skipped in ${Math.round((Date.now() - started) / 1000)}s (exit ${status})`);
  } catch (err) {
    writeFileSync(reportPath, JSON.stringify({ tool: SCHEMATHESIS, error: (err as Error).message, numPassedTests: 0, numFailedTests: 1, numPendingTests: 0 }, null, 2));
    console.error(`[schemathesis] ${(err as Error).message}; Baton's log:\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : ''}`);
    status = 1;
  } finally {
    await stop(baton);
    if (status === 0) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`[schemathesis] kept ${dataDir} (Baton's log: ${log})`);
  }
  return status === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
