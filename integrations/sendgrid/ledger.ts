/**
 * What Baton knows about each email key it handed to SendGrid, written before the request goes
 * out: `sending` (the outcome is not known yet, or was lost with the answer) or `sent` (SendGrid
 * answered 2xx, with its message id). SendGrid has no idempotency keys, so this record is what
 * tells a retry "this key may already be out": the SQLite one survives restarts of every process
 * sharing the data directory; the in-memory one (the default without a data directory) only the
 * process's own retries.
 */
import type { DatabaseSync } from 'node:sqlite';

export interface SendRecord {
  state: 'sending' | 'sent';
  messageId?: string;
  /** When the last attempt started (ms since epoch). */
  updatedAt: number;
}

export interface SendLedger {
  get(key: string): SendRecord | undefined;
  /** Recorded before the request is sent. */
  markSending(key: string): void;
  markSent(key: string, messageId: string): void;
  /** SendGrid answered and did not accept the mail: a retry sends it afresh. */
  forget(key: string): void;
}

const REMEMBERED_KEYS = 10_000;

export class MemorySendLedger implements SendLedger {
  private readonly records = new Map<string, SendRecord>();

  get(key: string): SendRecord | undefined {
    return this.records.get(key);
  }

  markSending(key: string): void {
    this.set(key, { state: 'sending', updatedAt: Date.now() });
  }

  markSent(key: string, messageId: string): void {
    this.set(key, { state: 'sent', messageId, updatedAt: Date.now() });
  }

  forget(key: string): void {
    this.records.delete(key);
  }

  private set(key: string, record: SendRecord): void {
    this.records.delete(key); // re-insert: the map's order is the eviction order
    this.records.set(key, record);
    if (this.records.size > REMEMBERED_KEYS) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }
}

type Row = { state: 'sending' | 'sent'; message_id: string | null; updated_at: number };

/** The ledger in the data directory's SQLite file (next to the embedded providers' tables). */
export class SqliteSendLedger implements SendLedger {
  constructor(private readonly db: DatabaseSync) {
    db.exec(`CREATE TABLE IF NOT EXISTS email_sends (
      email_key TEXT PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('sending', 'sent')),
      message_id TEXT,
      updated_at INTEGER NOT NULL
    )`);
  }

  get(key: string): SendRecord | undefined {
    const row = this.db.prepare('SELECT state, message_id, updated_at FROM email_sends WHERE email_key = ?').get(key) as Row | undefined;
    if (!row) return undefined;
    return { state: row.state, updatedAt: row.updated_at, ...(row.message_id ? { messageId: row.message_id } : {}) };
  }

  markSending(key: string): void {
    this.db
      .prepare(
        `INSERT INTO email_sends (email_key, state, updated_at) VALUES (?, 'sending', ?)
         ON CONFLICT (email_key) DO UPDATE SET state = 'sending', updated_at = excluded.updated_at WHERE state <> 'sent'`,
      )
      .run(key, Date.now());
  }

  markSent(key: string, messageId: string): void {
    this.db
      .prepare(
        `INSERT INTO email_sends (email_key, state, message_id, updated_at) VALUES (?, 'sent', ?, ?)
         ON CONFLICT (email_key) DO UPDATE SET state = 'sent', message_id = excluded.message_id, updated_at = excluded.updated_at`,
      )
      .run(key, messageId, Date.now());
  }

  forget(key: string): void {
    this.db.prepare(`DELETE FROM email_sends WHERE email_key = ? AND state = 'sending'`).run(key);
  }
}
