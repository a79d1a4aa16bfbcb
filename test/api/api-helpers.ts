import { Client, Connection } from '@temporalio/client';
import { expect } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import type { ApiDeps } from '../../api/context';
import { freePort } from '../../runtime/dev-server';

export { TEST_API_KEY as API_KEY, TEST_TOKEN_SECRET as SECRET } from '../helpers/dev-server';
import { TEST_API_KEY as API_KEY, TEST_TOKEN_SECRET as SECRET } from '../helpers/dev-server';

/** A port nothing listens on: bound, then closed again. */
export const closedPort = freePort;

/** A client for a Temporal that is not there: connects lazily, so routes that never reach Temporal work. */
export async function unreachableClient(): Promise<Client> {
  return new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await closedPort()}` }) });
}

/** The real app, with no Temporal behind it: every error path before (or instead of) a Temporal call. */
export async function offlineApp(overrides: Partial<ApiDeps> = {}) {
  return createApp({
    client: await unreachableClient(),
    taskQueue: 'offline',
    namespace: 'default',
    companyName: 'Acme',
    apiKeys: [API_KEY],
    tokens: new BuyerTokens(SECRET),
    temporalTimeoutMs: 300,
    healthTimeoutMs: 300,
    ...overrides,
  });
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The documented error shape, the right status and code, and nothing that looks like a stack trace. */
export async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string; details?: unknown } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  return body;
}
