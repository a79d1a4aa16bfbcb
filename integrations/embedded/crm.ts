import type { DatabaseSync } from 'node:sqlite';
import { emailDomain } from '../../domain/qualify/lead';
import { ProviderRejected } from '../../domain/errors';
import type { CrmAccount, CrmContact, CrmProvider, CrmRecord, MeetingStatus } from '../providers';

export interface SeedAccount {
  domain: string;
  name?: string;
  /** Rep id or email of the account owner. */
  owner?: string;
}

export interface StoredRecord {
  key: string;
  kind: 'note' | 'meeting' | 'task';
  contactEmail: string;
  ownerEmail: string | null;
  title: string | null;
  body: string;
  dueAt: string | null;
  createdAt: string;
  /** Meetings only: their times and status as the CRM now has them. */
  meeting?: { start: string | null; end: string | null; status: MeetingStatus | null };
}

type RecordRow = {
  record_key: string;
  kind: StoredRecord['kind'];
  contact_email: string;
  owner_email: string | null;
  title: string | null;
  body: string;
  due_at: string | null;
  created_at: number;
  meeting_start: string | null;
  meeting_end: string | null;
  status: MeetingStatus | null;
};

/** A small CRM in SQLite: accounts with owners, contacts, and notes, meetings and tasks. */
export class EmbeddedCrm implements CrmProvider {
  readonly kind = 'embedded';

  constructor(private readonly db: DatabaseSync) {}

  async findAccountByEmail(email: string): Promise<CrmAccount | null> {
    const domain = emailDomain(email);
    const row = this.db.prepare('SELECT domain, name, owner FROM crm_accounts WHERE domain = ?').get(domain) as
      | { domain: string; name: string | null; owner: string | null }
      | undefined;
    if (!row) return null;
    const owner = row.owner ?? undefined;
    return {
      domain: row.domain,
      ...(row.name ? { name: row.name } : {}),
      ...(owner?.includes('@') ? { ownerEmail: owner } : owner ? { ownerRepId: owner } : {}),
    };
  }

  async upsertContact(contact: CrmContact): Promise<{ contactId: string }> {
    const email = contact.email.toLowerCase();
    this.db
      .prepare(
        `INSERT INTO crm_contacts (email, name, company, phone, title, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (email) DO UPDATE SET name = coalesce(excluded.name, name), company = coalesce(excluded.company, company),
           phone = coalesce(excluded.phone, phone), title = coalesce(excluded.title, title), updated_at = excluded.updated_at`,
      )
      .run(email, contact.name ?? null, contact.company ?? null, contact.phone ?? null, contact.title ?? null, Date.now());
    return { contactId: email };
  }

  private insert(kind: StoredRecord['kind'], r: CrmRecord & { body: string; title?: string; ownerEmail?: string; dueAt?: string }) {
    this.db
      .prepare(
        `INSERT INTO crm_records (record_key, kind, contact_email, owner_email, title, body, due_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_key) DO NOTHING`,
      )
      .run(r.key, kind, r.contactEmail.toLowerCase(), r.ownerEmail ?? null, r.title ?? null, r.body, r.dueAt ?? null, Date.now());
    return { id: r.key };
  }

  async logMeeting(r: CrmRecord & { title: string; start: string; end: string; body: string; ownerEmail: string }) {
    const created = this.insert('meeting', { ...r, body: `${r.start} - ${r.end}\n\n${r.body}` });
    // A repeated log (a retry) keeps whatever updateMeeting has written since.
    this.db
      .prepare(`UPDATE crm_records SET meeting_start = coalesce(meeting_start, ?), meeting_end = coalesce(meeting_end, ?), status = coalesce(status, 'scheduled') WHERE record_key = ?`)
      .run(r.start, r.end, r.key);
    return created;
  }

  /**
   * The meeting's times, status and owner as given; a note appended once. A meeting that is not
   * here is ProviderRejected with code `crm_meeting_gone`, as HubSpot's adapter answers a deleted one.
   */
  async updateMeeting(id: string, change: { start?: string; end?: string; status?: MeetingStatus; ownerEmail?: string; note?: string }): Promise<void> {
    for (const time of [change.start, change.end]) {
      if (time !== undefined && Number.isNaN(Date.parse(time))) throw new ProviderRejected(`embedded crm: not an ISO-8601 date-time: ${time}`);
    }
    const row = this.db.prepare(`SELECT body FROM crm_records WHERE record_key = ? AND kind = 'meeting'`).get(id) as { body: string } | undefined;
    if (!row) {
      throw new ProviderRejected(`embedded crm: no CRM meeting ${id}; nothing was updated`, {
        details: { provider: 'embedded', meetingId: id, code: 'crm_meeting_gone' },
      });
    }
    const note = change.note?.trim();
    const body = note && !row.body.includes(note) ? `${row.body}\n\n${note}` : row.body;
    this.db
      .prepare(
        `UPDATE crm_records SET meeting_start = coalesce(?, meeting_start), meeting_end = coalesce(?, meeting_end), status = coalesce(?, status),
           owner_email = coalesce(?, owner_email), body = ? WHERE record_key = ?`,
      )
      .run(change.start ?? null, change.end ?? null, change.status ?? null, change.ownerEmail ?? null, body, id);
  }

  async addNote(r: CrmRecord & { body: string }) {
    return this.insert('note', r);
  }

  async createTask(r: CrmRecord & { ownerEmail: string; title: string; body: string; dueAt: string }) {
    return this.insert('task', r);
  }

  seed(accounts: SeedAccount[]): void {
    const upsert = this.db.prepare(
      'INSERT INTO crm_accounts (domain, name, owner) VALUES (?, ?, ?) ON CONFLICT (domain) DO UPDATE SET name = excluded.name, owner = excluded.owner',
    );
    for (const a of accounts) upsert.run(a.domain.toLowerCase(), a.name ?? null, a.owner ?? null);
  }

  records(filter: { contactEmail?: string; kind?: StoredRecord['kind'] } = {}): StoredRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM crm_records WHERE (? IS NULL OR contact_email = ?) AND (? IS NULL OR kind = ?) ORDER BY id`,
      )
      .all(filter.contactEmail?.toLowerCase() ?? null, filter.contactEmail?.toLowerCase() ?? null, filter.kind ?? null, filter.kind ?? null) as unknown as RecordRow[];
    return rows.map((r) => ({
      key: r.record_key,
      kind: r.kind,
      contactEmail: r.contact_email,
      ownerEmail: r.owner_email,
      title: r.title,
      body: r.body,
      dueAt: r.due_at,
      createdAt: new Date(r.created_at).toISOString(),
      ...(r.kind === 'meeting' ? { meeting: { start: r.meeting_start, end: r.meeting_end, status: r.status } } : {}),
    }));
  }
}
