import type { DatabaseSync } from 'node:sqlite';
import type { EmailProvider, OutgoingEmail, Person, SentResult } from '../providers';

export interface SentEmail {
  id: number;
  key: string;
  to: Person[];
  cc: Person[];
  replyTo: Person | null;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

type OutboxRow = {
  id: number;
  email_key: string;
  recipients: string;
  cc: string | null;
  reply_to: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  sent_at: number;
};

/** Stores rendered emails instead of delivering them; the ops page and tests read them back. */
export class EmbeddedOutbox implements EmailProvider {
  readonly kind = 'embedded';

  constructor(private readonly db: DatabaseSync) {}

  async send(email: OutgoingEmail): Promise<SentResult> {
    const result = this.db
      .prepare(
        `INSERT INTO outbox (email_key, recipients, cc, reply_to, subject, text_body, html_body, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
      )
      .run(
        email.key,
        JSON.stringify(email.to),
        JSON.stringify(email.cc ?? []),
        email.replyTo ? JSON.stringify(email.replyTo) : null,
        email.subject,
        email.text,
        email.html,
        Date.now(),
      );
    const row = this.db.prepare('SELECT id FROM outbox WHERE email_key = ?').get(email.key) as { id: number };
    return { messageId: `outbox-${row.id}`, duplicate: Number(result.changes) === 0 };
  }

  list(options: { limit?: number; to?: string } = {}): SentEmail[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox WHERE (? IS NULL OR recipients LIKE ?) ORDER BY sent_at DESC, id DESC LIMIT ?`,
      )
      .all(options.to ?? null, options.to ? `%"${options.to.toLowerCase()}"%` : null, options.limit ?? 100) as unknown as OutboxRow[];
    return rows.map((r) => ({
      id: r.id,
      key: r.email_key,
      to: JSON.parse(r.recipients) as Person[],
      cc: r.cc ? (JSON.parse(r.cc) as Person[]) : [],
      replyTo: r.reply_to ? (JSON.parse(r.reply_to) as Person) : null,
      subject: r.subject,
      text: r.text_body,
      html: r.html_body,
      sentAt: new Date(r.sent_at).toISOString(),
    }));
  }
}
