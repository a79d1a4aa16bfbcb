import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors';
import { readSettings } from '../../runtime/settings';
import { connectionOptions } from '../../runtime/temporal';

const dir = mkdtempSync(join(tmpdir(), 'baton-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const CERT = file('client.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const KEY = file('client.key', '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n');
const CA = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n');
const NOT_PEM = file('junk.txt', 'hello');

const fails = (env: NodeJS.ProcessEnv, message: RegExp) => {
  expect(() => readSettings(env)).toThrow(ConfigError);
  expect(() => readSettings(env)).toThrow(message);
};

describe('Temporal settings, read once for worker, API and CLI', () => {
  it('defaults to the dev server, namespace default, the baton-leads queue, plaintext', () => {
    const s = readSettings({});
    expect(s.temporalAddress).toBeUndefined();
    expect(s.namespace).toBe('default');
    expect(s.taskQueue).toBe('baton-leads');
    expect(s.temporal.describe).toBe('plaintext');
    expect(connectionOptions(s.temporal)).toEqual({ address: '127.0.0.1:7233' });
    expect(connectionOptions(s.temporal, '127.0.0.1:9999')).toEqual({ address: '127.0.0.1:9999' });
    expect(s.workerMetricsAddress).toBeUndefined();
    expect(s.shutdownGraceMs).toBe(30_000);
  });

  it('reads address, namespace and task queue; empty variables count as unset', () => {
    const s = readSettings({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'sales', TEMPORAL_TASK_QUEUE: 'baton-eu' });
    expect([s.temporalAddress, s.namespace, s.taskQueue]).toEqual(['temporal.internal:7233', 'sales', 'baton-eu']);
    expect(readSettings({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '' }).temporalAddress).toBeUndefined();
    expect(readSettings({ TEMPORAL_ADDRESS: '[::1]:7233' }).temporalAddress).toBe('[::1]:7233');
    fails({ TEMPORAL_ADDRESS: 'http://temporal:7233' }, /TEMPORAL_ADDRESS: expected host:port/);
    fails({ TEMPORAL_ADDRESS: 'temporal' }, /TEMPORAL_ADDRESS: expected host:port/);
  });

  it('builds mTLS from the certificate, key, CA and server name files', () => {
    const s = readSettings({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CERT: CERT,
      TEMPORAL_TLS_KEY: KEY,
      TEMPORAL_TLS_CA: CA,
      TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend',
    });
    const o = connectionOptions(s.temporal);
    expect(o.address).toBe('temporal.internal:7233');
    expect(o.tls).toMatchObject({ serverNameOverride: 'temporal-frontend' });
    const tls = o.tls as { clientCertPair: { crt: Buffer; key: Buffer }; serverRootCACertificate: Buffer };
    expect(tls.clientCertPair.crt.toString()).toContain('BEGIN CERTIFICATE');
    expect(tls.clientCertPair.key.toString()).toContain('PRIVATE KEY');
    expect(tls.serverRootCACertificate.toString()).toContain('MIIC');
    expect(s.temporal.describe).toBe('mTLS, custom CA, server name temporal-frontend');
  });

  it('accepts the standard Temporal variable names too (TEMPORAL_TLS_CLIENT_CERT_PATH, ...)', () => {
    const s = readSettings({ TEMPORAL_TLS_CLIENT_CERT_PATH: CERT, TEMPORAL_TLS_CLIENT_KEY_PATH: KEY });
    expect((connectionOptions(s.temporal).tls as { clientCertPair?: unknown }).clientCertPair).toBeDefined();
    fails({ TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_CLIENT_CERT_PATH: CA, TEMPORAL_TLS_KEY: KEY }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_CLIENT_CERT_PATH are both set/);
  });

  it('refuses half-configured TLS with the variable to set', () => {
    fails({ TEMPORAL_TLS_CERT: CERT }, /client certificate \(TEMPORAL_TLS_CERT\) is configured but TEMPORAL_TLS_KEY is not/);
    fails({ TEMPORAL_TLS_KEY: KEY }, /client key \(TEMPORAL_TLS_KEY\) is configured but TEMPORAL_TLS_CERT is not/);
    fails({ TEMPORAL_TLS_CERT: join(dir, 'missing.pem'), TEMPORAL_TLS_KEY: KEY }, /TEMPORAL_TLS_CERT: cannot read .*missing\.pem: ENOENT/);
    fails({ TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_KEY: NOT_PEM }, /TEMPORAL_TLS_KEY: expected a PEM private key/);
    fails({ TEMPORAL_TLS_CA: KEY }, /TEMPORAL_TLS_CA: expected a PEM certificate/);
    fails({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: CA }, /TEMPORAL_TLS=false, yet TLS certificates are configured/);
    fails({ TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS: expected true or false/);
  });

  it('server-only TLS: TEMPORAL_TLS=true, or just a CA', () => {
    expect(connectionOptions(readSettings({ TEMPORAL_TLS: 'true' }).temporal).tls).toBe(true);
    expect(connectionOptions(readSettings({ TEMPORAL_TLS: 'false' }).temporal).tls).toBe(false);
    expect(readSettings({ TEMPORAL_TLS_CA: CA }).temporal.describe).toBe('TLS, custom CA');
  });

  it('Temporal Cloud with an API key: TLS on, namespace required, never plaintext', () => {
    const s = readSettings({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'baton.a1b2c', TEMPORAL_API_KEY: 'key-123' });
    expect(connectionOptions(s.temporal)).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', apiKey: 'key-123', tls: true });
    expect(s.namespace).toBe('baton.a1b2c');
    expect(s.temporal.describe).toBe('TLS, API key');
    expect(s.temporal.describe).not.toContain('key-123');
    fails({ TEMPORAL_ADDRESS: 'x.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' }, /TEMPORAL_NAMESPACE is not/);
    fails({ TEMPORAL_API_KEY: 'k', TEMPORAL_NAMESPACE: 'n', TEMPORAL_TLS: 'false' }, /would be sent unencrypted/);
  });

  it('reads a Temporal CLI profile file only when asked to', () => {
    const toml = file(
      'temporal.toml',
      `[profile.default]\naddress = "wrong:1"\n\n[profile.prod]\naddress = "temporal.prod:7233"\nnamespace = "sales"\n\n[profile.prod.tls]\nclient_cert_path = "${CERT}"\nclient_key_path = "${KEY}"\n\n[profile.prod.grpc_meta]\nx-team = "baton"\n`,
    );
    const s = readSettings({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect([s.temporalAddress, s.namespace]).toEqual(['temporal.prod:7233', 'sales']);
    expect(connectionOptions(s.temporal).metadata).toEqual({ 'x-team': 'baton' });
    expect(s.temporal.describe).toBe('mTLS, profile prod');
    // Environment variables override the profile, as for the Temporal CLI.
    expect(readSettings({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other' }).namespace).toBe('other');
    fails({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' }, /Profile 'nope' not found/);
    // The CLI's own file (~/.config/temporalio/temporal.toml) is read only when a profile is named,
    // so a developer's Temporal CLI setup never silently points `npm start` at another cluster.
    mkdirSync(join(dir, 'temporalio'), { recursive: true });
    writeFileSync(join(dir, 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "from-home:7233"\n');
    expect(readSettings({ XDG_CONFIG_HOME: dir }).temporalAddress).toBeUndefined();
    expect(readSettings({ XDG_CONFIG_HOME: dir, TEMPORAL_PROFILE: 'default' }).temporalAddress).toBe('from-home:7233');
  });

  it('validates the worker metrics address, shutdown grace and dev server ports', () => {
    expect(readSettings({ BATON_WORKER_METRICS_ADDRESS: '0.0.0.0:9464' }).workerMetricsAddress).toBe('0.0.0.0:9464');
    fails({ BATON_WORKER_METRICS_ADDRESS: '9464' }, /BATON_WORKER_METRICS_ADDRESS: expected host:port/);
    expect(readSettings({ BATON_SHUTDOWN_GRACE_SECONDS: '2.5' }).shutdownGraceMs).toBe(2_500);
    fails({ BATON_SHUTDOWN_GRACE_SECONDS: 'soon' }, /BATON_SHUTDOWN_GRACE_SECONDS/);
    expect(readSettings({ BATON_DEV_SERVER_PORT: '17233' }).devServerPort).toBe(17_233);
    fails({ BATON_DEV_SERVER_PORT: '0' }, /BATON_DEV_SERVER_PORT/);
  });
});
