import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../domain/errors';

/** Where the worker and the API connect when TEMPORAL_ADDRESS is unset and no dev server is started. */
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

/** How to reach Temporal: everything but the namespace and task queue, which `Settings` carries. */
export interface TemporalConnection {
  /** host:port; unset means `npm start` runs the dev server, other entry points use DEFAULT_TEMPORAL_ADDRESS. */
  address: string | undefined;
  /** Temporal Cloud API key (sent as a bearer token; implies TLS). */
  apiKey?: string;
  /** `true`: TLS with the system's roots; an object: custom CA, SNI name and/or client certificate (mTLS). */
  tls?: TLSConfig | boolean;
  /** Extra gRPC headers (TEMPORAL_GRPC_META_*), e.g. for a proxy in front of the cluster. */
  metadata?: Record<string, string>;
  /** What the connection uses, for start-up logs; never contains secrets. */
  describe: string;
}

/**
 * Baton's short names for the TLS variables, next to the names every Temporal SDK and the CLI read
 * (`@temporalio/envconfig`). Either may be used; both with different values is an error.
 */
const ALIASES: Record<string, string> = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
};

/**
 * Reads the Temporal connection from the environment, through `@temporalio/envconfig` so the
 * standard variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_GRPC_META_*) mean what they mean for the Temporal CLI. A TOML profile file is read only
 * when asked for with TEMPORAL_CONFIG_FILE or TEMPORAL_PROFILE, so a developer's own
 * ~/.config/temporalio/temporal.toml never silently points `npm start` at another cluster.
 * Half-configured TLS (a certificate without its key, an unreadable file) stops start-up.
 */
export function readTemporalConfig(env: NodeJS.ProcessEnv): { connection: TemporalConnection; namespace: string | undefined } {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') vars[k] = v;
  for (const [alias, name] of Object.entries(ALIASES)) {
    const short = vars[alias];
    if (short === undefined) continue;
    if (vars[name] !== undefined && vars[name] !== short) {
      throw new ConfigError(`${alias} and ${name} are both set, to different files; set one of them`);
    }
    vars[name] = short;
  }
  if (vars.TEMPORAL_TLS !== undefined && !['true', 'false', '1', '0'].includes(vars.TEMPORAL_TLS)) {
    throw new ConfigError(`TEMPORAL_TLS: expected true or false, got "${vars.TEMPORAL_TLS}"`);
  }
  if (vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' || vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1') {
    throw new ConfigError('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by the TypeScript SDK; set TEMPORAL_TLS_SERVER_NAME to the name on the server certificate instead');
  }
  const useFile = vars.TEMPORAL_CONFIG_FILE !== undefined || vars.TEMPORAL_PROFILE !== undefined;
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars, disableFile: !useFile });
  } catch (err) {
    throw new ConfigError(`Temporal client configuration${useFile ? ` (${vars.TEMPORAL_CONFIG_FILE ?? 'default file'}, profile ${vars.TEMPORAL_PROFILE ?? 'default'})` : ''}: ${(err as Error).message}`);
  }
  const address = profile.address || undefined;
  if (address !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):\d{1,5}$/.test(address)) {
    throw new ConfigError(`TEMPORAL_ADDRESS: expected host:port (for example temporal:7233), got "${address}"`);
  }
  const apiKey = profile.apiKey || undefined;
  const tls = tlsOf(profile, vars, apiKey !== undefined);
  if (apiKey && tls === false) {
    throw new ConfigError('TEMPORAL_API_KEY is set but TLS is disabled (TEMPORAL_TLS=false): the key would be sent unencrypted');
  }
  if (apiKey && !profile.namespace) {
    throw new ConfigError('TEMPORAL_API_KEY is set but TEMPORAL_NAMESPACE is not: name the namespace the key is for (on Temporal Cloud: <namespace>.<account-id>)');
  }
  const metadata = profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? profile.grpcMeta : undefined;
  const describe = [
    tls === undefined || tls === false ? 'plaintext' : typeof tls === 'object' && tls.clientCertPair ? 'mTLS' : 'TLS',
    apiKey ? 'API key' : null,
    typeof tls === 'object' && tls.serverRootCACertificate ? 'custom CA' : null,
    typeof tls === 'object' && tls.serverNameOverride ? `server name ${tls.serverNameOverride}` : null,
    useFile ? `profile ${vars.TEMPORAL_PROFILE ?? 'default'}` : null,
  ].filter(Boolean).join(', ');
  return {
    connection: { address, ...(apiKey ? { apiKey } : {}), ...(tls !== undefined ? { tls } : {}), ...(metadata ? { metadata } : {}), describe },
    namespace: profile.namespace || undefined,
  };
}

function tlsOf(profile: ClientConfigProfile, vars: Record<string, string>, hasApiKey: boolean): TLSConfig | boolean | undefined {
  const t = profile.tls;
  if (!t) return hasApiKey ? true : undefined;
  const hasCert = t.clientCert !== undefined;
  const hasKey = t.clientKey !== undefined;
  if (t.disabled) {
    if (hasCert || hasKey || t.serverCACert) throw new ConfigError('TEMPORAL_TLS=false, yet TLS certificates are configured: remove one or the other');
    return false;
  }
  if (hasCert !== hasKey) {
    const [set, missing] = hasCert ? ['client certificate (TEMPORAL_TLS_CERT)', 'TEMPORAL_TLS_KEY'] : ['client key (TEMPORAL_TLS_KEY)', 'TEMPORAL_TLS_CERT'];
    throw new ConfigError(`a TLS ${set} is configured but ${missing} is not: mTLS needs both the client certificate and its private key`);
  }
  const crt = pem(t.clientCert, 'TEMPORAL_TLS_CERT', vars, 'CERTIFICATE');
  const key = pem(t.clientKey, 'TEMPORAL_TLS_KEY', vars, 'PRIVATE KEY');
  const ca = pem(t.serverCACert, 'TEMPORAL_TLS_CA', vars, 'CERTIFICATE');
  const config: TLSConfig = {
    ...(t.serverName ? { serverNameOverride: t.serverName } : {}),
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
  };
  return Object.keys(config).length > 0 ? config : true;
}

/** Reads a PEM file (or inline PEM data) and checks it holds what its variable promises. */
function pem(source: ConfigDataSource | undefined, name: string, vars: Record<string, string>, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer | undefined {
  if (!source) return undefined;
  let text: string;
  if ('path' in source) {
    try {
      text = readFileSync(source.path, 'utf8');
    } catch (err) {
      const via = vars[name] ? name : ALIASES[name] ?? name;
      throw new ConfigError(`${via}: cannot read ${source.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else {
    text = typeof source.data === 'string' ? source.data : Buffer.from(source.data).toString('utf8');
  }
  // "-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----", ...
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    throw new ConfigError(`${name}: expected a PEM ${kind.toLowerCase()} ("-----BEGIN ...${kind}-----")${'path' in source ? ` in ${source.path}` : ''}`);
  }
  return Buffer.from(text, 'utf8');
}
