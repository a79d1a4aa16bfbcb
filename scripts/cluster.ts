/**
 * `npm run cluster`: a production-shaped Temporal on this machine — PostgreSQL and the four
 * Temporal services as separate processes, configured as docker-compose.yml configures its server
 * (deploy/temporal/) — for running Baton's worker and API against something other than the dev
 * server. Builds the pinned server the first time (deploy/temporal/build; ~6 minutes on 2 cores).
 *
 *   npm run cluster                     frontend on 127.0.0.1:7233; Ctrl-C stops everything it started
 *   npm run cluster -- --port 7300      another frontend port
 *   npm run cluster -- --dir .data/cluster   keep PostgreSQL's data and the logs there (reused next time)
 *   npm run cluster -- --build-only     build (or check) the pinned server and exit
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { portOpen } from '../runtime/dev-server';
import { ensureTemporalServer } from './cluster/build';
import { startCluster } from './cluster/index';
import { SERVICES } from './cluster/services';

const usage = 'usage: npm run cluster -- [--port N] [--dir DIR] [--namespace NAME] [--build-only]';

async function main() {
  let args;
  try {
    args = parseArgs({
      options: { port: { type: 'string' }, dir: { type: 'string' }, namespace: { type: 'string' }, 'build-only': { type: 'boolean' }, help: { type: 'boolean' } },
    }).values;
  } catch (err) {
    console.error(`cluster: ${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (args.help) return console.log(usage);
  const say = (line: string) => console.log(`[cluster] ${line}`);

  if (args['build-only']) {
    const build = await ensureTemporalServer(say);
    say(build.builtNow ? `built in ${build.seconds}s` : `Temporal server v${build.version} already built: ${build.server}`);
    return;
  }
  const port = Number(args.port ?? 7233);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`cluster: --port: expected a TCP port, got "${args.port}"\n${usage}`);
    process.exit(2);
  }
  if (await portOpen(port)) {
    console.error(`cluster: port ${port} is already in use (a dev server from \`npm start\`?); choose another with --port N`);
    process.exit(2);
  }

  const t0 = Date.now();
  const cluster = await startCluster({ frontendPort: port, ...(args.dir ? { dir: resolve(args.dir) } : {}), ...(args.namespace ? { namespace: args.namespace } : {}), log: say });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the services, then PostgreSQL`);
    await cluster.stop();
    say('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));

  const rows = [
    ['frontend (gRPC)', cluster.address],
    ['frontend (HTTP)', `127.0.0.1:${cluster.ports.frontend.http}`],
    ...SERVICES.filter((s) => s !== 'frontend').map((s) => [s, `127.0.0.1:${cluster.ports[s].grpc}`]),
    ['PostgreSQL', `${cluster.postgres.host}:${cluster.postgres.port} (user ${cluster.postgres.user}, databases temporal, temporal_visibility)`],
    ['namespace', cluster.namespace],
    ['logs', `${cluster.dir}/logs/`],
  ];
  console.log(
    [
      '',
      `Temporal v${cluster.build.version} on PostgreSQL ${cluster.postgres.major}, four services, up in ${((Date.now() - t0) / 1000).toFixed(0)}s:`,
      ...rows.map(([k, v]) => `  ${k!.padEnd(16)} ${v}`),
      '',
      'Run Baton against it, in other terminals:',
      `  TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_NAMESPACE=${cluster.namespace} npm run worker`,
      `  TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_NAMESPACE=${cluster.namespace} npm run api`,
      `  .tools/bin/temporal workflow list --address ${cluster.address} --namespace ${cluster.namespace}`,
      '',
      'Ctrl-C stops everything started here.',
    ].join('\n'),
  );
  // A service that dies (not by us) is reported; the rest keep running, as in a real cluster.
  for (const name of SERVICES) {
    const proc = cluster.services[name];
    const watch = setInterval(() => {
      if (!stopping && !proc.running()) {
        clearInterval(watch);
        say(`temporal ${name} exited; its log ends with:\n${proc.logTail(1500)}`);
      }
    }, 2_000);
  }
}

main().catch((err) => {
  console.error(`cluster: ${(err as Error).message}`);
  process.exit(1);
});
