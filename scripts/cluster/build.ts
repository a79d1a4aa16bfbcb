/**
 * The Temporal server `npm run cluster` runs: built from its Go module at the version pinned by
 * deploy/temporal/build/go.mod (and go.sum), into `.tools/temporal-server/<version>/`, and reused
 * while the pin is unchanged. Never committed: the binaries are ~210 MB.
 *
 * Go's own caches are used (GOMODCACHE, GOCACHE: by default ~/go/pkg/mod and ~/.cache/go-build),
 * not folders of their own under .tools/: every clone on a machine shares them, so a fresh clone
 * (CI's) relinks from a warm cache in about a minute instead of compiling ~6 minutes again, and
 * `go clean -cache -modcache` frees them. From empty they need ~1.5 GB (modules) + ~2 GB (build).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../bench-lib';

export const BUILD_MODULE = join(ROOT, 'deploy', 'temporal', 'build');
const SERVER_MODULE = 'go.temporal.io/server';
const GB = 1024 ** 3;
/** Measured from empty caches: 1.5 GB of modules, 2 GB of build cache, 0.3 GB of binaries; a margin on top. */
const NEEDED_FROM_EMPTY = 4 * GB;
/** With the modules downloaded already: the build cache and the binaries. */
const NEEDED_WITH_MODULES = 2.5 * GB;

export interface TemporalServerBuild {
  /** e.g. `1.32.1` (docker-compose.yml's image tag is the same). */
  version: string;
  server: string;
  sqlTool: string;
  /** `schema/postgresql/v12` of the same module: what `setup-schema`/`update-schema` apply. */
  schemaDir: string;
}

/** The server version pinned in the build module's go.mod, without the `v`. */
export function pinnedServerVersion(goMod = readFileSync(join(BUILD_MODULE, 'go.mod'), 'utf8')): string {
  const m = /^\s*go\.temporal\.io\/server\s+v(\d+\.\d+\.\d+)\b/m.exec(goMod);
  if (!m) throw new Error(`${join(BUILD_MODULE, 'go.mod')}: no requirement on ${SERVER_MODULE}`);
  return m[1]!;
}

function requiredGo(goMod: string): string {
  return /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod)?.[1] ?? '0';
}

const versionParts = (v: string) => v.split('.').map((n) => Number(n) || 0);
function atLeast(have: string, want: string): boolean {
  const [a, b] = [versionParts(have), versionParts(want)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function buildDir(version = pinnedServerVersion()): string {
  return join(ROOT, '.tools', 'temporal-server', version);
}

function pinHash(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum']) h.update(readFileSync(join(BUILD_MODULE, f)));
  return h.digest('hex');
}

function layout(dir: string, version: string): TemporalServerBuild {
  return { version, server: join(dir, 'temporal-server'), sqlTool: join(dir, 'temporal-sql-tool'), schemaDir: join(dir, 'schema', 'postgresql', 'v12') };
}

/** The built server if it matches the pin, else null. */
export function existingBuild(): TemporalServerBuild | null {
  const version = pinnedServerVersion();
  const dir = buildDir(version);
  try {
    const stamp = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8')) as { pin: string };
    const built = layout(dir, version);
    if (stamp.pin === pinHash() && existsSync(built.server) && existsSync(built.sqlTool) && existsSync(built.schemaDir)) return built;
  } catch {
    // not built yet
  }
  return null;
}

/** `go` on PATH, else the usual install location. */
function findGo(): string | null {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/** The nearest existing folder of `path` (a cache folder may not exist yet). */
function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

const freeBytes = (path: string) => {
  const s = statfsSync(existingAncestor(path));
  return s.bavail * s.bsize;
};
const gb = (bytes: number) => `${(bytes / GB).toFixed(1)} GB`;

/**
 * Checks what a build needs before starting one: Go at the version the pin requires, and free disk
 * for the caches and the binaries. Throws one message naming everything missing.
 */
function preflight(go: string | null, goMod: string, dir: string): { go: string; env: NodeJS.ProcessEnv; modCache: string } {
  const problems: string[] = [];
  const want = requiredGo(goMod);
  let env: NodeJS.ProcessEnv = {};
  let modCache = '';
  if (!go) {
    problems.push(`Go ${want} or newer is needed to build the Temporal server, and no \`go\` is on PATH or in /usr/local/go/bin`);
  } else {
    // GOTOOLCHAIN=local: never download another Go toolchain; say what is missing instead.
    env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' };
    const have = execFileSync(go, ['env', 'GOVERSION'], { env, encoding: 'utf8' }).trim().replace(/^go/, '');
    if (!atLeast(have, want)) problems.push(`Go ${want} or newer is needed (deploy/temporal/build/go.mod); ${go} is ${have}`);
    const [mod, cache] = execFileSync(go, ['env', 'GOMODCACHE', 'GOCACHE'], { env, encoding: 'utf8' }).trim().split('\n');
    modCache = mod!;
    const version = pinnedServerVersion(goMod);
    const haveModules = existsSync(join(modCache, `${SERVER_MODULE}@v${version}`));
    const need = haveModules ? NEEDED_WITH_MODULES : NEEDED_FROM_EMPTY;
    // The caches and .tools/ usually share one disk; where they do not, each must hold its part.
    const places = [...new Set([modCache, cache!, dir].map((p) => existingAncestor(p)))];
    const short = places.filter((p) => freeBytes(p) < need / places.length);
    for (const p of short) {
      problems.push(
        `building the Temporal server needs about ${gb(need)} free ` +
          `(${haveModules ? '' : `Go modules ~1.5 GB in ${modCache}, `}build cache ~2 GB in ${cache}, binaries ~0.3 GB in ${dir}); ` +
          `${p} has ${gb(freeBytes(p))} free`,
      );
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return { go: go!, env, modCache };
}

function writable(path: string): void {
  chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) writable(join(path, entry));
}

function run(command: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; log: (line: string) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      for (const line of d.toString().split('\n')) if (line.trim()) o.log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail}`))));
  });
}

/**
 * The pinned server and schema tool: reused when built from the same go.mod/go.sum, else built
 * (about 6 minutes on 2 cores from empty caches). Logs what it does through `log`.
 */
export async function ensureTemporalServer(log: (line: string) => void = console.log): Promise<TemporalServerBuild & { builtNow: boolean; seconds: number }> {
  const existing = existingBuild();
  if (existing) return { ...existing, builtNow: false, seconds: 0 };
  const goMod = readFileSync(join(BUILD_MODULE, 'go.mod'), 'utf8');
  const version = pinnedServerVersion(goMod);
  const dir = buildDir(version);
  const { go, env } = preflight(findGo(), goMod, dir);
  const t0 = Date.now();
  log(`building Temporal server v${version} from deploy/temporal/build (about 6 minutes on 2 cores from empty Go caches)`);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await run(go, ['build', '-trimpath', '-o', staging + '/', `${SERVER_MODULE}/cmd/server`, `${SERVER_MODULE}/cmd/tools/sql`], { cwd: BUILD_MODULE, env, log });
  renameSync(join(staging, 'server'), join(staging, 'temporal-server'));
  renameSync(join(staging, 'sql'), join(staging, 'temporal-sql-tool'));
  // The schema files of the same module version, copied so a cleaned module cache cannot take them away.
  const moduleDir = execFileSync(go, ['list', '-m', '-f', '{{.Dir}}', SERVER_MODULE], { cwd: BUILD_MODULE, env, encoding: 'utf8' }).trim();
  const schema = join(staging, 'schema', 'postgresql', 'v12');
  cpSync(join(moduleDir, 'schema', 'postgresql', 'v12'), schema, { recursive: true });
  writable(schema); // module cache files are read-only; a later rebuild must be able to delete the copy
  const seconds = Math.round((Date.now() - t0) / 1000);
  writeFileSync(join(staging, 'build.json'), JSON.stringify({ version, pin: pinHash(), go: execFileSync(go, ['env', 'GOVERSION'], { env, encoding: 'utf8' }).trim(), seconds }, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`built Temporal server v${version} in ${seconds}s: ${dir}`);
  return { ...layout(dir, version), builtNow: true, seconds };
}
