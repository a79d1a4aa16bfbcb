/**
 * `EmailProvider` on SendGrid's v3 Mail Send API (@sendgrid/mail over its own @sendgrid/client).
 *
 * One `POST /v3/mail/send` per email: to, cc, reply_to, plain-text and HTML content,
 * `custom_args.baton_key` (shows up in SendGrid's Activity feed and Event Webhook, so any copy can
 * be traced to its lead), an `X-Baton-Key` header on the message, and
 * `mail_settings.sandbox_mode` when sandboxing (SendGrid validates and drops the mail).
 *
 * Idempotency: SendGrid has no idempotency keys. A key that this process has already delivered
 * is answered from memory (`duplicate: true`) without calling SendGrid — that covers an activity
 * retried after its send succeeded. What memory cannot cover is a request that reached SendGrid
 * but whose answer was lost (timeout, connection reset): Temporal then retries and the buyer can
 * get the email twice. Baton keeps that window small with a short request timeout and no SDK-level
 * retries; see docs/connect-your-tools.md.
 */
import { createHash } from 'node:crypto';
import sendgridClient from '@sendgrid/client';
import sendgridMail from '@sendgrid/mail';
import { ConfigError, InputError, ProviderUnavailable } from '../../domain/errors';
import type { EmailProvider, OutgoingEmail, Person } from '../providers';
import { fromSendGridError, headerValue } from '../errors';

// Both packages export a ready-made singleton (module.exports) that also carries its class
// (`.Client`, `.MailService`); their .d.ts files declare the classes in a way TypeScript cannot
// import by name from ESM, hence the typed lookup. Baton uses its own instances, never the
// process-wide singletons, so two providers never share an API key or base URL.
type SendGridClient = typeof sendgridClient;
type SendGridMailService = typeof sendgridMail;
const { Client } = sendgridClient as unknown as { Client: new () => SendGridClient };
const { MailService } = sendgridMail as unknown as { MailService: new () => SendGridMailService };

export const DEFAULT_SENDGRID_BASE_URL = 'https://api.sendgrid.com/';
export const DEFAULT_SENDGRID_TIMEOUT_MS = 10_000;
const PROVIDER = 'sendgrid';
const REMEMBERED_KEYS = 10_000;

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
  /** Keys this process has delivered → SendGrid message id (insertion-ordered, bounded). */
  private readonly sent = new Map<string, string>();

  constructor(options: SendGridEmailOptions) {
    this.from = typeof options.from === 'string' ? parseAddress(options.from, 'SENDGRID_FROM') : options.from;
    this.sandbox = options.sandbox ?? false;
    const client = new Client();
    client.setApiKey(options.apiKey);
    // setApiKey resets the base URL to the region's host, so the override comes after it.
    client.setDefaultRequest('baseUrl', options.baseUrl ?? DEFAULT_SENDGRID_BASE_URL);
    this.mail = new MailService();
    this.mail.setClient(client);
    this.mail.setTimeout(options.timeoutMs ?? DEFAULT_SENDGRID_TIMEOUT_MS);
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string; duplicate: boolean }> {
    const previous = this.sent.get(email.key);
    if (previous) return { messageId: previous, duplicate: true };

    const to = unique(email.to);
    if (to.length === 0) throw new InputError(`${PROVIDER}: an email needs at least one recipient`);
    // SendGrid rejects an address that appears twice across to/cc of one personalization.
    const taken = new Set(to.map((p) => p.email.toLowerCase()));
    const cc = unique(email.cc ?? []).filter((p) => !taken.has(p.email.toLowerCase()));

    let headers: Record<string, unknown> | undefined;
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
      throw fromSendGridError(err);
    }
    // Sandbox mode answers 200 without a message id.
    const messageId =
      headerValue(headers as Record<string, string>, 'x-message-id') ??
      `sendgrid-${this.sandbox ? 'sandbox' : 'accepted'}-${createHash('sha256').update(email.key).digest('hex').slice(0, 16)}`;
    this.remember(email.key, messageId);
    return { messageId, duplicate: false };
  }

  private remember(key: string, messageId: string): void {
    this.sent.set(key, messageId);
    if (this.sent.size > REMEMBERED_KEYS) {
      const oldest = this.sent.keys().next().value;
      if (oldest !== undefined) this.sent.delete(oldest);
    }
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
