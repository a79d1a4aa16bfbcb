import { Connection, type TLSConfig } from '@temporalio/client';
import { ConfigError } from '../domain/errors';
import { SEARCH_ATTRIBUTES } from '../workflows/lead/search-attributes';
import { DEFAULT_TEMPORAL_ADDRESS, type TemporalConnection } from './temporal-config';

export { DEFAULT_TEMPORAL_ADDRESS, readTemporalConfig, type TemporalConnection } from './temporal-config';
export { temporalBinary } from './temporal-tools.mjs';

/** What both `Connection.connect` (client) and `NativeConnection.connect` (worker) take. */
export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  metadata?: Record<string, string>;
}

/**
 * Options shared by the client and the worker's native connection, from the settings read once
 * (runtime/settings.ts). `address` overrides the configured one (the dev server `npm start` runs).
 */
export function connectionOptions(temporal: TemporalConnection, address: string = temporal.address ?? DEFAULT_TEMPORAL_ADDRESS): TemporalConnectionOptions {
  return {
    address,
    ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
    ...(temporal.tls !== undefined ? { tls: temporal.tls } : {}),
    ...(temporal.metadata ? { metadata: temporal.metadata } : {}),
  };
}

const SA_TYPE_ENUM: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

/** The search attributes Baton needs, as `name (TYPE)`, for error messages and the docs. */
export function describeSearchAttributes(names?: readonly string[]): string {
  return SEARCH_ATTRIBUTES.filter((k) => !names || names.includes(k.name)).map((k) => `${k.name} (${k.type})`).join(', ');
}

/**
 * Registers Baton's search attributes where missing (dev server, self-hosted cluster). Several
 * processes may race to do it: one losing with "already exists" is fine. Where the operator API is
 * not allowed (Temporal Cloud: create them with tcld or the Cloud UI), start-up goes on when the
 * attributes cannot even be listed, and stops with the list to create when adding them is refused.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string, log: (msg: string) => void = () => {}): Promise<void> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 7) {
      // Temporal Cloud with a namespace API key: no operator access; the operator created them (docs/production.md).
      log(`cannot list search attributes (permission denied); make sure these exist in namespace ${namespace}: ${describeSearchAttributes()}`);
      return;
    }
    // The time-skipping test server can add search attributes but not list them.
    if (code !== 12) throw err;
  }
  const missing = SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, SA_TYPE_ENUM[k.type]!])),
    });
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 6) return; // another worker registered them a moment ago
    const names = missing.map((k) => k.name);
    throw new ConfigError(
      `cannot register the search attributes ${describeSearchAttributes(names)} in namespace ${namespace}: ${(err as Error).message}. ` +
        'On Temporal Cloud create them with `tcld namespace search-attributes add` or in the Cloud UI (docs/production.md).',
    );
  }
}
