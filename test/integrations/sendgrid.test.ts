import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { ConfigError, ProviderAuthError, ProviderQuotaExhausted, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { parseAddress, SendGridEmailProvider } from '../../integrations/sendgrid/email';
import { SqliteSendLedger, type SendLedger } from '../../integrations/sendgrid/ledger';
import { closedPortUrl, fixture, HttpRecorder, replay } from './http-recorder';

const KEY = 'SG.test-key.abcdefghijklmnop';
const ok = fixture('sendgrid/mail-send-202');
const okBody = ok.request!.body as {
  subject: string;
  content: { type: string; value: string }[];
};

const intro = {
  key: 'lead-jane@mercyhealth.org/intro',
  to: [{ email: 'jane@mercyhealth.org', name: 'Jane Park' }],
  // The buyer again in cc: SendGrid would reject the duplicate, so the adapter drops it.
  cc: [{ email: 'sarah@acme.example', name: 'Sarah Chen' }, { email: 'JANE@mercyhealth.org' }],
  replyTo: { email: 'sarah@acme.example', name: 'Sarah Chen' },
  subject: okBody.subject,
  text: okBody.content[0]!.value,
  html: okBody.content[1]!.value,
};

let server: HttpRecorder;
let email: SendGridEmailProvider;

const provider = (extra: { sandbox?: boolean; timeoutMs?: number; baseUrl?: string; ledger?: SendLedger; activityCheck?: boolean } = {}) =>
  new SendGridEmailProvider({ apiKey: KEY, from: 'Acme Sales <sales@acme.example>', baseUrl: `${server.url}/`, timeoutMs: 2_000, ...extra });

beforeAll(async () => {
  server = await HttpRecorder.start();
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  email = provider();
});

describe('SendGrid EmailProvider contract', () => {
  it('sends one POST /v3/mail/send with to, cc, reply_to, text + HTML, custom_args.baton_key and X-Baton-Key', async () => {
    replay(server, 'sendgrid/mail-send-202');
    const result = await email.send(intro);

    expect(server.unmatched).toEqual([]);
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/v3/mail/send');
    expect(req!.query).toEqual(ok.request!.query);
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.body).toEqual(ok.request!.body);
    expect(result).toEqual({ messageId: 'W4rQ2cHbQ3SeY1xLqk9P0A', duplicate: false });
  });

  it('a key this process already delivered is not sent again', async () => {
    replay(server, 'sendgrid/mail-send-202');
    await email.send(intro);
    const again = await email.send(intro);
    expect(again).toEqual({ messageId: 'W4rQ2cHbQ3SeY1xLqk9P0A', duplicate: true });
    expect(server.requests).toHaveLength(1);
  });

  it('SENDGRID_SANDBOX sets mail_settings.sandbox_mode.enable', async () => {
    replay(server, 'sendgrid/sandbox-200');
    const result = await provider({ sandbox: true }).send(intro);
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.mail_settings).toEqual({ sandbox_mode: { enable: true } });
    expect(result.duplicate).toBe(false);
    expect(result.messageId).toMatch(/^sendgrid-sandbox-[0-9a-f]{16}$/);
  });

  it('401 is ProviderAuthError with SendGrid’s message', async () => {
    replay(server, 'sendgrid/unauthorized-401');
    const err = await email.send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toContain('The provided authorization grant is invalid, expired, or revoked');
  });

  it('403 (no Mail Send permission, or unverified sender) is ProviderAuthError', async () => {
    replay(server, 'sendgrid/forbidden-403');
    expect(await email.send(intro).catch((e: unknown) => e)).toBeInstanceOf(ProviderAuthError);
    replay(server, 'sendgrid/unverified-sender-403');
    const err = await email.send({ ...intro, key: 'other' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toMatch(/verified Sender Identity.*\(from\)$/);
  });

  it('400 is ProviderRejected naming the field', async () => {
    replay(server, 'sendgrid/bad-request-400');
    const err = await email.send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toContain('(personalizations.0)');
  });

  it('429 is ProviderUnavailable waiting until X-RateLimit-Reset', async () => {
    const fx = fixture('sendgrid/rate-limit-429');
    const reset = Math.floor(Date.now() / 1000) + 60;
    server.once('POST', '/v3/mail/send', { ...fx.response, headers: { ...fx.response.headers, 'x-ratelimit-reset': String(reset) } });
    const err = await email.send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).retryAfterMs).toBeGreaterThan(55_000);
    expect((err as ProviderUnavailable).retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('429 with Retry-After uses it', async () => {
    server.once('POST', '/v3/mail/send', { status: 429, headers: { 'retry-after': '7' }, json: { errors: [{ message: 'too many requests' }] } });
    const err = await email.send(intro).catch((e: unknown) => e);
    expect((err as ProviderUnavailable).retryAfterMs).toBe(7_000);
  });

  it('500 is ProviderUnavailable, sent once, and a failed key is not remembered as sent', async () => {
    replay(server, 'sendgrid/server-error-500');
    const err = await email.send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect(server.requests).toHaveLength(1);
    replay(server, 'sendgrid/mail-send-202');
    expect(await email.send(intro)).toEqual({ messageId: 'W4rQ2cHbQ3SeY1xLqk9P0A', duplicate: false });
  });

  it('a malformed JSON error body still maps by status', async () => {
    server.once('POST', '/v3/mail/send', { status: 502, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"mess' });
    const err = await email.send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/^sendgrid: 502/);
  });

  it('a slow API hits the timeout: ProviderUnavailable', async () => {
    server.once('POST', '/v3/mail/send', { ...ok.response, delayMs: 1_000 });
    const err = await provider({ timeoutMs: 150 }).send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/unreachable/);
  });

  it('connection refused is ProviderUnavailable', async () => {
    const err = await provider({ baseUrl: `${await closedPortUrl()}/` }).send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('never puts the API key into an error', async () => {
    replay(server, 'sendgrid/unauthorized-401');
    const err = (await email.send(intro).catch((e: unknown) => e)) as Error;
    const seen = JSON.stringify({ message: err.message, details: (err as ProviderAuthError).details, cause: String(err.cause) });
    expect(seen).not.toContain(KEY);
  });
});

describe('SendGrid limits and duplicates', () => {
  it('401 "Maximum credits exceeded" is ProviderQuotaExhausted: the plan’s credits, not a bad key, and not retried', async () => {
    replay(server, 'sendgrid/max-credits-exceeded-401');
    const err = await email.send(intro).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderQuotaExhausted);
    expect(err).not.toBeInstanceOf(ProviderAuthError);
    expect((err as ProviderQuotaExhausted).retryable).toBe(false);
    expect((err as Error).message).toMatch(/^sendgrid: 401 Maximum credits exceeded: the SendGrid account's email credits are used up \(the API key is fine\)/);
  });

  /** The data directory's SQLite file, as every worker process on the host opens it. */
  const sharedLedger = () => new SqliteSendLedger(new DatabaseSync(':memory:'));

  it('a key sent before a restart is not sent again by the next process (the ledger is on disk, not in memory)', async () => {
    const ledger = sharedLedger();
    replay(server, 'sendgrid/mail-send-202');
    await provider({ ledger }).send(intro);
    const afterRestart = await provider({ ledger }).send(intro);
    expect(afterRestart).toEqual({ messageId: 'W4rQ2cHbQ3SeY1xLqk9P0A', duplicate: true });
    expect(server.requests).toHaveLength(1);
  });

  // SendGrid takes the mail, then the answer is lost (connection reset before the 202 arrives).
  const acceptedThenLost = () =>
    server.once('POST', '/v3/mail/send', () => ({ hangUp: true }));

  it('an answer lost after SendGrid took the mail: the retry asks Email Activity for the key and sends nothing', async () => {
    const ledger = sharedLedger();
    acceptedThenLost();
    const lost = await provider({ ledger, activityCheck: true }).send(intro).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ProviderUnavailable);
    expect(ledger.get(intro.key)?.state).toBe('sending');

    const activity = replay(server, 'sendgrid/email-activity-messages');
    const retried = await provider({ ledger, activityCheck: true }).send(intro);

    expect(retried).toEqual({ messageId: 'W4rQ2cHbQ3SeY1xLqk9P0A.filterdrecv-5645d9c87f-78xgx-1-5F6B3E4C-1.0', duplicate: true });
    expect(server.to('POST', '/v3/mail/send')).toHaveLength(1);
    const [query] = server.to('GET', '/v3/messages');
    expect(query!.query).toEqual(activity.request!.query);
    expect(query!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('without the Email Activity check (or before the feed shows it) the retry sends again, and says the buyer may get it twice', async () => {
    const ledger = sharedLedger();
    acceptedThenLost();
    await provider({ ledger }).send(intro).catch(() => undefined);
    replay(server, 'sendgrid/mail-send-202');
    expect(await provider({ ledger }).send(intro)).toEqual({ messageId: 'W4rQ2cHbQ3SeY1xLqk9P0A', duplicate: false, afterUnknownOutcome: true });

    acceptedThenLost();
    await provider({ ledger, activityCheck: true }).send({ ...intro, key: 'k2' }).catch(() => undefined);
    server.once('GET', '/v3/messages', { json: { messages: [] } });
    replay(server, 'sendgrid/mail-send-202');
    expect(await provider({ ledger, activityCheck: true }).send({ ...intro, key: 'k2' })).toMatchObject({ duplicate: false, afterUnknownOutcome: true });
    expect(server.to('POST', '/v3/mail/send')).toHaveLength(4);
  });

  it('a Temporal retry with no record here (another host) is an unknown outcome too; a first send never asks Email Activity', async () => {
    replay(server, 'sendgrid/email-activity-messages');
    expect(await provider({ activityCheck: true }).send({ ...intro, mayHaveBeenSent: true })).toMatchObject({ duplicate: true });
    expect(server.to('POST', '/v3/mail/send')).toHaveLength(0);

    server.reset();
    replay(server, 'sendgrid/mail-send-202');
    await provider({ activityCheck: true }).send({ ...intro, key: 'fresh' });
    expect(server.to('GET', '/v3/messages')).toHaveLength(0);
  });

  it('an Email Activity check the key may not make says so: ProviderAuthError naming SENDGRID_EMAIL_ACTIVITY', async () => {
    server.once('GET', '/v3/messages', fixture('sendgrid/forbidden-403').response);
    const err = await provider({ activityCheck: true }).send({ ...intro, mayHaveBeenSent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toMatch(/Email Activity check, SENDGRID_EMAIL_ACTIVITY/);
  });
});

describe('sender parsing', () => {
  it('accepts a bare address or Name <address>', () => {
    expect(parseAddress('sales@acme.example')).toEqual({ email: 'sales@acme.example' });
    expect(parseAddress('"Acme Sales" <sales@acme.example>')).toEqual({ email: 'sales@acme.example', name: 'Acme Sales' });
    expect(() => parseAddress('acme sales', 'SENDGRID_FROM')).toThrow(ConfigError);
  });
});
