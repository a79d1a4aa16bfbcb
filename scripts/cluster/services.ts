/**
 * The Temporal server as four processes, one per service, each with deploy/temporal/server.yaml
 * (the file docker-compose.yml mounts) and deploy/temporal/dynamicconfig.yaml. Only the addresses
 * come from here: the environment the config template reads.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort, ROOT } from '../bench-lib';
import type { TemporalServerBuild } from './build';
import type { Postgres } from './postgres';
import { managedProcess, type ManagedProcess } from './process';

export const SERVER_CONFIG = join(ROOT, 'deploy', 'temporal', 'server.yaml');
export const DYNAMIC_CONFIG = join(ROOT, 'deploy', 'temporal', 'dynamicconfig.yaml');

/**
 * Start order. Started together on an empty database, the services race to write the first
 * cluster-metadata row and history can exit on the duplicate key; one at a time, each after the
 * previous one listens, they never do. The worker service talks to the frontend, so it comes last.
 */
export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServicePorts {
  frontend: { grpc: number; http: number; membership: number };
  history: { grpc: number; membership: number };
  matching: { grpc: number; membership: number };
  worker: { grpc: number; membership: number };
}

/**
 * A free loopback port below 32768 for membership. PostgreSQL's cluster_membership table keeps the
 * membership port as a SMALLINT: a port from the kernel's ephemeral range (32768 and up, what
 * `freePort` gets) makes the service exit with "value out of range for type smallint" at start-up.
 * (The dev server's SQLite does not care; found by the first run on PostgreSQL.)
 */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return taken.add(port), port;
  }
  throw new Error('no free port between 20000 and 32000 for Temporal membership');
}

/** Free loopback ports for every service; the frontend's gRPC port may be chosen (7233 for `npm run cluster`). */
export async function servicePorts(frontendGrpc?: number): Promise<ServicePorts> {
  const taken = new Set<number>();
  const membership = () => freeMembershipPort(taken);
  return {
    frontend: { grpc: frontendGrpc ?? (await freePort()), http: await freePort(), membership: await membership() },
    history: { grpc: await freePort(), membership: await membership() },
    matching: { grpc: await freePort(), membership: await membership() },
    worker: { grpc: await freePort(), membership: await membership() },
  };
}

/** What deploy/temporal/server.yaml reads from the environment, for a cluster on loopback. */
export function serverEnvironment(pg: Pick<Postgres, 'host' | 'port' | 'user' | 'password'>, ports: ServicePorts): Record<string, string> {
  return {
    POSTGRES_SEEDS: pg.host,
    DB_PORT: String(pg.port),
    POSTGRES_USER: pg.user,
    POSTGRES_PWD: pg.password,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontend.grpc),
    FRONTEND_HTTP_PORT: String(ports.frontend.http),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontend.membership),
    HISTORY_GRPC_PORT: String(ports.history.grpc),
    HISTORY_MEMBERSHIP_PORT: String(ports.history.membership),
    MATCHING_GRPC_PORT: String(ports.matching.grpc),
    MATCHING_MEMBERSHIP_PORT: String(ports.matching.membership),
    WORKER_GRPC_PORT: String(ports.worker.grpc),
    WORKER_MEMBERSHIP_PORT: String(ports.worker.membership),
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG,
    LOG_LEVEL: process.env.TEMPORAL_LOG_LEVEL ?? 'warn',
  };
}

/** One managed process per service (not started). */
export function temporalServices(o: { build: TemporalServerBuild; env: Record<string, string>; ports: ServicePorts; logDir: string }): Record<ServiceName, ManagedProcess> {
  const make = (name: ServiceName) =>
    managedProcess({
      name: `temporal ${name}`,
      command: o.build.server,
      args: ['--config-file', SERVER_CONFIG, '--allow-no-auth', 'start', '--service', name],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...o.env },
      cwd: ROOT,
      port: o.ports[name].grpc,
      logFile: join(o.logDir, `temporal-${name}.log`),
    });
  return Object.fromEntries(SERVICES.map((name) => [name, make(name)])) as Record<ServiceName, ManagedProcess>;
}
