/**
 * `EmailProvider` on SendGrid's v3 Mail Send API (@sendgrid/mail over its own @sendgrid/client).
 *
 * One `POST /v3/mail/send` per email: to, cc, reply_to, plain-text and HTML content,
 * `custom_args.baton_key` (shows up in SendGrid's Activity feed and Event Webhook, so any copy can
 * be traced to its lead), an `X-Baton-Key` header on the message, and
 * `mail_settings.sandbox_mode` when sandboxing (SendGrid validates and drops the mail).
 *
 * Idempotency: SendGrid has no idempotency keys, so the duplicate window is kept as small as
 * what SendGrid offers allows (docs/connect-your-tools.md, "Duplicates", says what remains):
 * - A ledger (./ledger.ts) records each key before its request goes out (`sending`) and after
 *   SendGrid's 2xx (`sent`). A key already `sent` is answered without calling SendGrid
 *   (`duplicate: true`), across restarts when the ledger is the data directory's SQLite file.
 *   SendGrid answering an error (4xx/5xx) means it did not take the mail: the key is forgotten.
 * - A key left `sending` — the request went out and its answer was lost (timeout, reset) — or a
 *   Temporal retry with no record here (another host) is an unknown outcome. With the Email
 *   Activity API (`activityCheck`: a paid add-on and an API key with Email Activity access),
 *   Baton asks it for a message carrying this `baton_key` (`GET /v3/messages?query=unique_args
 *   ['baton_key']="..."`) and sends nothing if SendGrid has it. Otherwise, or when the feed does
 *   not show it yet, the email is sent again and the result says so (`afterUnknownOutcome`).
 */
import { createHash } from 'node:crypto';
import type sendgridClient from '@sendgrid/client';
import type sendgridMail from '@sendgrid/mail';
import { ConfigError, InputError, ProviderAuthError, ProviderUnavailable } from '../../domain/errors';
import type { EmailProvider, OutgoingEmail, Person, SentResult } from '../providers';
import { fromSendGridError, headerValue, sendGridErrorInfo } from '../errors';
import { MemorySendLedger, type SendLedger } from './ledger';
import { loadSdk } from '../sdk';

// Both packages export a ready-made singleton (module.exports) that also carries its class
// (`.Client`, `.MailService`); their .d.ts files declare the classes in a way TypeScript cannot
// import by name from ESM, hence the typed lookup. Baton uses its own instances, never the
// process-wide singletons, so two providers never share an API key or base URL.
type SendGridClient = typeof sendgridClient;
type SendGridMailService = typeof sendgridMail;
// Loaded when the first SendGrid provider is built (integrations/sdk.ts).
const sendGridSdk = () => ({
  Client: loadSdk<{ Client: new () => SendGridClient }>('@sendgrid/client').Client,
  MailService: loadSdk<{ MailService: new () => SendGridMailService }>('@sendgrid/mail').MailService,
});

export const DEFAULT_SENDGRID_BASE_URL = 'https://api.sendgrid.com/';
export const DEFAULT_SENDGRID_TIMEOUT_MS = 10_000;
const PROVIDER = 'sendgrid';

export interface SendGridEmailOptions {
  apiKey: string;
  /** Verified sender: `sales@acme.com` or `Acme Sales <sales@acme.com>`. */
  from: Person | string;
  /** `mail_settings.sandbox_mode.enable`: SendGrid validates the request but delivers nothing. */
  sandbox?: boolean;
  /** API base, default `https://api.sendgrid.com/` (`https://api.eu.sendgrid.com/` for EU). */
  baseUrl?: string;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /** Where sent keys are recorded before and after each send (default: this process's memory). */
  ledger?: SendLedger;
  /** Settle unknown outcomes with the Email Activity API (paid add-on; key needs Email Activity access). */
  activityCheck?: boolean;
}

/** Parses `Name <email>` or a bare address. Throws ConfigError naming `source` when invalid. */
export function parseAddress(value: string, source = 'address'): Person {
  const trimmed = value.trim();
  const angled = /^(.*)<([^<>\s]+@[^<>\s]+)>$/.exec(trimmed);
  if (angled) {
    const name = angled[1]!.trim().replace(/^"(.*)"$/, '$1').trim();
    return name ? { email: angled[2]!, name } : { email: angled[2]! };
  }
  if (/^[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+$/.test(trimmed)) return { email: trimmed };
  throw new ConfigError(`${source}: "${value}" is not an email address (use sales@acme.com or "Acme Sales <sales@acme.com>")`);
}

export class SendGridEmailProvider implements EmailProvider {
  readonly kind = 'sendgrid';
  readonly from: Person;
  readonly sandbox: boolean;
  private readonly mail: SendGridMailService;
  private readonly client: SendGridClient;
  private readonly ledger: SendLedger;
  private readonly activityCheck: boolean;

  constructor(options: SendGridEmailOptions) {
    this.from = typeof options.from === 'string' ? parseAddress(options.from, 'SENDGRID_FROM') : options.from;
    this.sandbox = options.sandbox ?? false;
    const { Client, MailService } = sendGridSdk();
    const client = new Client();
    client.setApiKey(options.apiKey);
    // setApiKey resets the base URL to the region's host, so the override comes after it.
    client.setDefaultRequest('baseUrl', options.baseUrl ?? DEFAULT_SENDGRID_BASE_URL);
    this.client = client;
    this.mail = new MailService();
    this.mail.setClient(client);
    this.mail.setTimeout(options.timeoutMs ?? DEFAULT_SENDGRID_TIMEOUT_MS);
    this.ledger = options.ledger ?? new MemorySendLedger();
    this.activityCheck = options.activityCheck ?? false;
  }

  async send(email: OutgoingEmail): Promise<SentResult> {
    const previous = this.ledger.get(email.key);
    if (previous?.state === 'sent') return { messageId: previous.messageId ?? this.fallbackId(email.key), duplicate: true };
    const unknown = previous?.state === 'sending' || (!previous && email.mayHaveBeenSent === true);
    if (unknown && this.activityCheck) {
      const found = await this.findInActivity(email.key);
      if (found) {
        this.ledger.markSent(email.key, found);
        return { messageId: found, duplicate: true };
      }
    }

    const to = unique(email.to);
    if (to.length === 0) throw new InputError(`${PROVIDER}: an email needs at least one recipient`);
    // SendGrid rejects an address that appears twice across to/cc of one personalization.
    const taken = new Set(to.map((p) => p.email.toLowerCase()));
    const cc = unique(email.cc ?? []).filter((p) => !taken.has(p.email.toLowerCase()));

    let headers: Record<string, unknown> | undefined;
    this.ledger.markSending(email.key);
    try {
      const [response] = await this.mail.send({
        from: this.from,
        to,
        ...(cc.length ? { cc } : {}),
        ...(email.replyTo ? { replyTo: email.replyTo } : {}),
        subject: email.subject,
        text: email.text,
        html: email.html,
        customArgs: { baton_key: email.key },
        headers: { 'X-Baton-Key': email.key },
        ...(this.sandbox ? { mailSettings: { sandboxMode: { enable: true } } } : {}),
      });
      headers = response.headers as Record<string, unknown>;
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new ProviderUnavailable(`${PROVIDER}: unexpected status ${response.statusCode}`, {
          details: { provider: PROVIDER, status: response.statusCode },
        });
      }
    } catch (err) {
      // An answer with a status is SendGrid refusing the mail; without one, it may have taken it.
      if (sendGridErrorInfo(err).status !== undefined) this.ledger.forget(email.key);
      throw fromSendGridError(err);
    }
    // Sandbox mode answers 200 without a message id.
    const messageId = headerValue(headers as Record<string, string>, 'x-message-id') ?? this.fallbackId(email.key);
    this.ledger.markSent(email.key, messageId);
    return { messageId, duplicate: false, ...(unknown ? { afterUnknownOutcome: true } : {}) };
  }

  /**
   * The Email Activity API's message for this key, if SendGrid has one: `custom_args` of a v3
   * send are queried as `unique_args`. Rate limited to 6 requests a minute, which is why it is only
   * asked about unknown outcomes.
   */
  private async findInActivity(key: string): Promise<string | undefined> {
    try {
      const [, body] = await this.client.request({
        method: 'GET',
        url: '/v3/messages',
        qs: { limit: 1, query: `unique_args['baton_key']="${key}"` },
      });
      const messages = (body as { messages?: { msg_id?: string }[] } | undefined)?.messages ?? [];
      return messages.find((m) => m.msg_id)?.msg_id;
    } catch (err) {
      const failure = fromSendGridError(err);
      if (failure instanceof ProviderAuthError) {
        throw new ProviderAuthError(
          `${failure.message} (from the Email Activity check, SENDGRID_EMAIL_ACTIVITY: it needs the Email Activity history add-on and an API key with Email Activity access)`,
          { details: failure.details },
        );
      }
      throw failure;
    }
  }

  private fallbackId(key: string): string {
    return `sendgrid-${this.sandbox ? 'sandbox' : 'accepted'}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  }
}

function unique(people: Person[]): Person[] {
  const seen = new Set<string>();
  const out: Person[] = [];
  for (const p of people) {
    const key = p.email.trim().toLowerCase();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(p.name ? { email: p.email.trim(), name: p.name } : { email: p.email.trim() });
  }
  return out;
}
