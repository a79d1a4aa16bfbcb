/**
 * docker-compose.yml and `npm run cluster` must run the same Temporal the same way: the image tags
 * are the version deploy/temporal/build pins, compose mounts the very files the script uses
 * (server.yaml, dynamicconfig.yaml, the schema and namespace scripts), and the server itself,
 * rendering deploy/temporal/server.yaml with each one's environment, comes out with the same
 * persistence (only where PostgreSQL is may differ).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { existingBuild, pinnedServerVersion } from '../../scripts/cluster/build';
import { DYNAMIC_CONFIG, SERVER_CONFIG, serverEnvironment, servicePorts } from '../../scripts/cluster/services';
import { ROOT } from '../helpers/paths';

interface ComposeService {
  image: string;
  environment?: Record<string, string | null>;
  volumes?: string[];
  entrypoint?: string[];
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
const service = (name: string) => compose.services[name]!;

/** `${VAR:-default}` as compose resolves it with VAR unset. */
const withDefaults = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const imageTag = (name: string) => withDefaults(service(name).image).split(':')[1];
/** Container path → repo path (relative) of each bind mount of a service. */
function mounts(name: string): Map<string, string> {
  return new Map(
    (service(name).volumes ?? []).map((v) => {
      const [source, target] = v.split(':');
      return [target!, relative(ROOT, join(ROOT, source!))];
    }),
  );
}
const environment = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, withDefaults(String(v ?? ''))]));

describe('docker-compose.yml runs what npm run cluster runs', () => {
  const version = pinnedServerVersion();

  it(`pins the same Temporal version (v${version}) for the server and the admin tools`, () => {
    expect(imageTag('temporal')).toBe(version);
    expect(imageTag('temporal-schema')).toBe(version);
    expect(imageTag('temporal-namespace')).toBe(version);
  });

  it('mounts the server config and dynamic config the script runs with, where the server looks for them', () => {
    const env = environment('temporal');
    const mounted = mounts('temporal');
    expect(mounted.get(env.TEMPORAL_SERVER_CONFIG_FILE_PATH!)).toBe(relative(ROOT, SERVER_CONFIG));
    expect(mounted.get(env.DYNAMIC_CONFIG_FILE_PATH!)).toBe(relative(ROOT, DYNAMIC_CONFIG));
  });

  it('sets up the schemas and the namespace with the scripts the cluster script runs', () => {
    for (const [job, script] of [
      ['temporal-schema', 'setup-postgres.sh'],
      ['temporal-namespace', 'create-namespace.sh'],
    ] as const) {
      const entry = service(job).entrypoint!;
      const inContainer = entry[entry.length - 1]!;
      expect(mounts(job).get(dirname(inContainer))).toBe('deploy/temporal');
      expect(basename(inContainer)).toBe(script);
    }
    expect(environment('temporal-schema').POSTGRES_USER).toBe(environment('temporal').POSTGRES_USER);
    expect(environment('temporal-schema').SQL_PASSWORD).toBe(environment('temporal').POSTGRES_PWD);
    expect(environment('postgresql').POSTGRES_USER).toBe(environment('temporal').POSTGRES_USER);
  });

  it('gives the same persistence when the server renders server.yaml with the compose and the script environments', async () => {
    const build = existingBuild();
    expect(build, 'the pinned server is built (vitest.cluster.config.ts builds it first)').not.toBeNull();
    const render = (env: Record<string, string>) =>
      parse(
        execFileSync(build!.server, ['--config', dirname(SERVER_CONFIG), '--env', basename(SERVER_CONFIG, '.yaml'), 'render-config'], {
          env: { PATH: process.env.PATH ?? '', ...env },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ) as { persistence: { datastores: Record<string, { sql: Record<string, unknown> }> } & Record<string, unknown>; dynamicConfigClient: { filepath: string } };
    const inCompose = render(environment('temporal'));
    const inScript = render(serverEnvironment({ host: '127.0.0.1', port: 55432, user: 'temporal', password: 'x' }, await servicePorts(7233)));

    const where = (p: typeof inCompose.persistence) => Object.values(p.datastores).map((d) => d.sql.connectAddr);
    expect(where(inCompose.persistence)).toEqual(['postgresql:5432', 'postgresql:5432']);
    expect(where(inScript.persistence)).toEqual(['127.0.0.1:55432', '127.0.0.1:55432']);
    const layout = (p: typeof inCompose.persistence) => ({
      ...p,
      datastores: Object.fromEntries(Object.entries(p.datastores).map(([k, d]) => [k, { ...d, sql: { ...d.sql, connectAddr: '(host)', password: '(secret)' } }])),
    });
    expect(layout(inScript.persistence)).toEqual(layout(inCompose.persistence));
    expect(inCompose.persistence).toMatchObject({ numHistoryShards: 4, defaultStore: 'default', visibilityStore: 'visibility' });
    expect(Object.values(inCompose.persistence.datastores).map((d) => [d.sql.pluginName, d.sql.databaseName])).toEqual([
      ['postgres12', 'temporal'],
      ['postgres12', 'temporal_visibility'],
    ]);
    expect(inCompose.dynamicConfigClient.filepath).toBe(environment('temporal').DYNAMIC_CONFIG_FILE_PATH);
    expect(inScript.dynamicConfigClient.filepath).toBe(DYNAMIC_CONFIG);
  });
});
