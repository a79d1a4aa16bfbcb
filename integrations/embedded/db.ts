import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * One SQLite file holds the embedded calendar, CRM and outbox. WAL mode lets the worker write while
 * the API reads; the busy timeout covers two processes writing at once.
 */
export function openEmbeddedDb(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  db.exec(`
    CREATE TABLE IF NOT EXISTS calendar_events (
      id INTEGER PRIMARY KEY,
      event_key TEXT,
      rep_id TEXT NOT NULL,
      start_ms INTEGER NOT NULL,
      end_ms INTEGER NOT NULL,
      type TEXT NOT NULL CHECK (type IN ('busy', 'ooo')),
      title TEXT,
      details TEXT,
      UNIQUE (event_key, rep_id)
    );
    CREATE INDEX IF NOT EXISTS calendar_by_rep ON calendar_events (rep_id, start_ms);
    -- One row per event Baton booked (calendar_events holds each attendee rep's copy of it).
    CREATE TABLE IF NOT EXISTS calendar_bookings (
      event_id TEXT PRIMARY KEY,
      event_key TEXT NOT NULL UNIQUE,
      organizer TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
      start_ms INTEGER NOT NULL,
      end_ms INTEGER NOT NULL,
      reps TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS crm_accounts (domain TEXT PRIMARY KEY, name TEXT, owner TEXT);
    CREATE TABLE IF NOT EXISTS crm_contacts (
      email TEXT PRIMARY KEY, name TEXT, company TEXT, phone TEXT, title TEXT, updated_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS crm_records (
      id INTEGER PRIMARY KEY,
      record_key TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('note', 'meeting', 'task')),
      contact_email TEXT NOT NULL,
      owner_email TEXT,
      title TEXT,
      body TEXT NOT NULL,
      due_at TEXT,
      created_at INTEGER NOT NULL,
      meeting_start TEXT,
      meeting_end TEXT,
      status TEXT
    );
    CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY,
      email_key TEXT NOT NULL UNIQUE,
      recipients TEXT NOT NULL,
      cc TEXT,
      reply_to TEXT,
      subject TEXT NOT NULL,
      text_body TEXT NOT NULL,
      html_body TEXT NOT NULL,
      sent_at INTEGER NOT NULL
    );
  `);
  // Files from before meetings had a status: add the columns (SQLite has no ADD COLUMN IF NOT EXISTS).
  const columns = new Set((db.prepare('PRAGMA table_info(crm_records)').all() as { name: string }[]).map((c) => c.name));
  for (const column of ['meeting_start', 'meeting_end', 'status']) if (!columns.has(column)) db.exec(`ALTER TABLE crm_records ADD COLUMN ${column} TEXT`);
  return db;
}

/** Runs `fn` in an IMMEDIATE transaction: the write lock is taken first, so check-then-insert is atomic across processes. */
export function immediate<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
