/**
 * A private PostgreSQL for the cluster: its own data folder, port and socket folder, listening on
 * loopback only, so the machine's own PostgreSQL (if any) is never touched. The server binaries
 * come from Debian's `postgresql` package. PostgreSQL refuses to run as root, so under root it runs
 * as the `postgres` user that package creates.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../bench-lib';
import { managedProcess, type ManagedProcess } from './process';

export interface Postgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Major version of the server binaries, e.g. 15. */
  major: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** The newest PostgreSQL server binaries installed the Debian way, else those on PATH. */
export function findPostgresBin(): { bin: string; major: number } {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  if (majors.length) return { bin: join(root, String(majors[0]), 'bin'), major: majors[0]! };
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    const major = Number(/(\d+)/.exec(execFileSync(initdb, ['--version'], { encoding: 'utf8' }))?.[1] ?? 0);
    return { bin: join(initdb, '..'), major };
  } catch {
    throw new Error('PostgreSQL server binaries (initdb, postgres) not found: install them with `apt-get install -y postgresql` (Debian\'s package)');
  }
}

/** uid/gid to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, and PostgreSQL refuses to run as root: no `postgres` user to run it as (Debian\'s postgresql package creates one)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts (initialising on first use) PostgreSQL in `dir`/postgres on 127.0.0.1:`port` with one
 * superuser `user`/`password` (password login over TCP, as the Temporal services connect).
 */
export async function startPostgres(o: { dir: string; port: number; user: string; password: string }): Promise<Postgres> {
  const { bin, major } = findPostgresBin();
  const owner = runAs();
  const pgDir = join(o.dir, 'postgres');
  const data = join(pgDir, 'data');
  const socketDir = join(pgDir, 'socket');
  mkdirSync(socketDir, { recursive: true });
  // The postgres user must reach its folders inside ours.
  chmodSync(o.dir, 0o755);
  const own = (path: string) => owner && chownSync(path, owner.uid, owner.gid);
  own(pgDir);
  own(socketDir);
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};

  if (!existsSync(join(data, 'PG_VERSION'))) {
    const pwFile = join(pgDir, 'initdb.pw');
    writeFileSync(pwFile, o.password + '\n', { mode: 0o600 });
    own(pwFile);
    try {
      execFileSync(
        join(bin, 'initdb'),
        ['-D', data, '-U', o.user, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'],
        { stdio: ['ignore', 'pipe', 'pipe'], ...asOwner },
      );
    } catch (err) {
      throw new Error(`initdb failed in ${data}: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}`);
    } finally {
      rmSync(pwFile, { force: true });
    }
  }

  const logFile = join(o.dir, 'logs', 'postgres.log');
  mkdirSync(join(o.dir, 'logs'), { recursive: true });
  const proc = managedProcess({
    name: 'postgres',
    command: join(bin, 'postgres'),
    // Four Temporal processes each open their own pools (20 + 10 connections): more than the default 100.
    args: ['-D', data, '-p', String(o.port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    env: { PATH: process.env.PATH ?? '', LANG: 'C' },
    port: o.port,
    logFile,
    ...asOwner,
  });
  await proc.start();
  // The port opens before the server accepts logins ("the database system is starting up").
  for (let i = 0; ; i++) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(o.port)], { stdio: 'ignore' });
      break;
    } catch {
      if (i > 100) throw new Error(`PostgreSQL on port ${o.port} did not accept connections; ${logFile} ends with:\n${proc.logTail()}`);
      await sleep(100);
    }
  }
  return {
    host: '127.0.0.1',
    port: o.port,
    user: o.user,
    password: o.password,
    major,
    process: proc,
    // SIGINT: PostgreSQL's fast shutdown (roll back open transactions, checkpoint, exit).
    stop: () => proc.stop(20_000, 'SIGINT'),
  };
}
