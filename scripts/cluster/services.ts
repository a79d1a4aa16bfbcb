/**
 * The Temporal server as four processes, one per service, each with deploy/temporal/server.yaml
 * (the file docker-compose.yml mounts) and deploy/temporal/dynamicconfig.yaml. Only the addresses
 * come from here: the environment the config template reads.
 */
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

/** Free loopback ports for every service; the frontend's gRPC port may be chosen (7233 for `npm run cluster`). */
export async function servicePorts(frontendGrpc?: number): Promise<ServicePorts> {
  return {
    frontend: { grpc: frontendGrpc ?? (await freePort()), http: await freePort(), membership: await freePort() },
    history: { grpc: await freePort(), membership: await freePort() },
    matching: { grpc: await freePort(), membership: await freePort() },
    worker: { grpc: await freePort(), membership: await freePort() },
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
