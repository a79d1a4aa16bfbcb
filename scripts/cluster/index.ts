/**
 * A production-shaped Temporal cluster on loopback: the pinned server (built or reused), a private
 * PostgreSQL, the schemas (deploy/temporal/setup-postgres.sh, as compose runs it), the four services
 * one at a time, the namespace (deploy/temporal/create-namespace.sh, as compose runs it) and Baton's
 * search attributes. `npm run cluster` and test/cluster/ both start it here.
 */
import { Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { retrying } from '../../runtime/connect';
import { ensureSearchAttributes, temporalBinary } from '../../runtime/temporal';
import { freePort, ROOT } from '../bench-lib';
import { ensureTemporalServer, type TemporalServerBuild } from './build';
import { startPostgres, type Postgres } from './postgres';
import type { ManagedProcess } from './process';
import { SERVICES, serverEnvironment, servicePorts, temporalServices, type ServiceName, type ServicePorts } from './services';

/** As docker-compose.yml's temporal-namespace job: 30 days of closed leads for the ops page. */
export const NAMESPACE_RETENTION = '720h';

export interface Cluster {
  /** host:port of the frontend: TEMPORAL_ADDRESS for Baton. */
  address: string;
  namespace: string;
  dir: string;
  build: TemporalServerBuild;
  postgres: Postgres;
  ports: ServicePorts;
  /** The environment deploy/temporal/server.yaml was rendered with. */
  serverEnv: Record<string, string>;
  services: Record<ServiceName, ManagedProcess>;
  /** SIGKILL one service. */
  kill(name: ServiceName): Promise<void>;
  /** Starts a stopped or killed service again (same ports, same database); resolves once it listens. */
  start(name: ServiceName): Promise<void>;
  /** Services in reverse start order, then PostgreSQL; removes the folder unless it was given. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Where PostgreSQL's data and the logs go (kept). Default: a new temporary folder, removed by `stop`. */
  dir?: string;
  /** The frontend's gRPC port. Default: a free one. */
  frontendPort?: number;
  postgresPort?: number;
  namespace?: string;
  log?: (line: string) => void;
}

/** The database's password: made up for a new folder, kept in it (0600) so a kept folder starts again. */
function postgresPassword(dir: string): string {
  const file = join(dir, 'postgres.password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(12).toString('hex');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

/** Runs one of the deploy/temporal/*.sh scripts, its output to a log file; throws with the log's end. */
function runScript(script: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn('sh', [join(ROOT, 'deploy', 'temporal', script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('error', reject);
    child.once('exit', (code) => {
      log.end(() => {
        if (code === 0) return resolve();
        reject(new Error(`deploy/temporal/${script} exited with ${code}; ${logFile} ends with:\n${readFileSync(logFile, 'utf8').slice(-3000)}`));
      });
    });
  });
}

export async function startCluster(o: ClusterOptions = {}): Promise<Cluster> {
  const log = o.log ?? (() => {});
  const namespace = o.namespace ?? 'default';
  const build = await ensureTemporalServer(log);
  const owned = !o.dir;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'baton-cluster-'));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
    if (owned) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const postgres = await startPostgres({ dir, port: o.postgresPort ?? (await freePort()), user: 'temporal', password: postgresPassword(dir) });
    cleanups.push(() => postgres.stop());
    log(`PostgreSQL ${postgres.major} on ${postgres.host}:${postgres.port}`);

    await runScript(
      'setup-postgres.sh',
      {
        PATH: process.env.PATH ?? '',
        POSTGRES_SEEDS: postgres.host,
        DB_PORT: String(postgres.port),
        POSTGRES_USER: postgres.user,
        SQL_PASSWORD: postgres.password,
        TEMPORAL_SQL_TOOL: build.sqlTool,
        SCHEMA_ROOT: build.schemaDir,
      },
      join(logDir, 'schema.log'),
    );
    log('schemas of temporal and temporal_visibility up to date');

    const ports = await servicePorts(o.frontendPort);
    const serverEnv = serverEnvironment(postgres, ports);
    const services = temporalServices({ build, env: serverEnv, ports, logDir });
    cleanups.push(async () => {
      for (const name of [...SERVICES].reverse()) await services[name].stop(10_000);
    });
    for (const name of SERVICES) {
      await services[name].start();
      log(`temporal ${name} listening on 127.0.0.1:${ports[name].grpc}`);
    }
    const address = `127.0.0.1:${ports.frontend.grpc}`;

    await runScript(
      'create-namespace.sh',
      { PATH: `${dirname(temporalBinary('temporal'))}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '', TEMPORAL_ADDRESS: address, NAMESPACE: namespace, RETENTION: NAMESPACE_RETENTION },
      join(logDir, 'namespace.log'),
    );
    // Right after `namespace create` the namespace can read as not found for a second or two.
    const connection = await Connection.connect({ address });
    try {
      await retrying(`registering search attributes in ${namespace}`, () => ensureSearchAttributes(connection, namespace), 60_000);
    } finally {
      await connection.close();
    }
    log(`namespace ${namespace} ready with Baton's search attributes`);

    return {
      address,
      namespace,
      dir,
      build,
      postgres,
      ports,
      serverEnv,
      services,
      kill: (name) => services[name].kill(),
      start: (name) => services[name].start(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
