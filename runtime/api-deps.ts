import type { Client } from '@temporalio/client';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BuyerTokens } from '../api/auth';
import type { ApiDeps } from '../api/context';
import type { EmbeddedOutbox } from '../integrations/embedded/outbox';
import type { Settings } from './settings';

/**
 * Buyer tokens must outlive a restart: a generated secret is kept in the data folder. Several API
 * processes must share one secret: set BATON_BUYER_TOKEN_SECRET for them all (or share the folder).
 */
export function buyerTokenSecret(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'buyer-token.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process sharing the folder wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  return secret;
}

/** What `createApp` needs, the same for `npm start` and `npm run api`. */
export function apiDeps(
  settings: Settings,
  client: Client,
  extras: { outbox?: EmbeddedOutbox; temporalUiUrl?: string; companyName?: string } = {},
): ApiDeps {
  const uiUrl = settings.temporalUiUrl ?? extras.temporalUiUrl;
  return {
    client,
    taskQueue: settings.taskQueue,
    namespace: settings.namespace,
    apiKeys: settings.apiKeys,
    tokens: new BuyerTokens(buyerTokenSecret(settings.dataDir, settings.buyerTokenSecret)),
    ...(extras.outbox ? { outbox: extras.outbox } : {}),
    ...(extras.companyName ? { companyName: extras.companyName } : {}),
    ...(uiUrl ? { temporalUiUrl: uiUrl } : {}),
    allowedOrigins: settings.allowedOrigins,
    limits: settings.rateLimits,
    trustedProxies: settings.trustedProxies,
    sse: settings.streams,
  };
}
