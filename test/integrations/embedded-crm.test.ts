/**
 * The embedded CRM's meeting after booking: times, status, owner and a note kept in step, the same
 * answer as HubSpot's adapter for a meeting that is not there, and SQLite files from before meetings
 * had a status opened without losing a record.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderRejected } from '../../domain/errors';
import { EmbeddedCrm } from '../../integrations/embedded/crm';
import { openEmbeddedDb } from '../../integrations/embedded/db';

const KEY = 'lead-jane@mercyhealth.org/meeting-1';
const logged = {
  key: KEY,
  contactEmail: 'Jane@MercyHealth.org',
  title: 'Acme intro: Mercy Health',
  start: '2026-01-06T15:00:00.000Z',
  end: '2026-01-06T15:30:00.000Z',
  body: 'Google Meet: https://meet.google.com/abc-defg-hij',
  ownerEmail: 'sarah@acme.example',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-embedded-crm-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('updateMeeting', () => {
  let crm: EmbeddedCrm;
  const meeting = () => crm.records({ kind: 'meeting' })[0]!;
  beforeEach(() => {
    crm = new EmbeddedCrm(openEmbeddedDb(':memory:'));
  });

  it('a logged meeting is scheduled at its times; an update moves them, sets the status and the owner, and appends a note once', async () => {
    const { id } = await crm.logMeeting(logged);
    expect(meeting()).toMatchObject({ ownerEmail: 'sarah@acme.example', meeting: { start: logged.start, end: logged.end, status: 'scheduled' } });

    await crm.updateMeeting(id, { start: '2026-01-07T16:00:00.000Z', end: '2026-01-07T16:30:00.000Z', status: 'rescheduled' });
    expect(meeting().meeting).toEqual({ start: '2026-01-07T16:00:00.000Z', end: '2026-01-07T16:30:00.000Z', status: 'rescheduled' });

    await crm.updateMeeting(id, { ownerEmail: 'tom@acme.example', note: 'Covered by Tom Becker: Sarah is on PTO.' });
    await crm.updateMeeting(id, { status: 'no_show', note: 'Covered by Tom Becker: Sarah is on PTO.' });
    expect(meeting()).toMatchObject({ ownerEmail: 'tom@acme.example', meeting: { start: '2026-01-07T16:00:00.000Z', status: 'no_show' } });
    expect(meeting().body.split('Covered by Tom Becker')).toHaveLength(2);
    expect(meeting().body).toMatch(/^2026-01-06T15:00:00\.000Z - 2026-01-06T15:30:00\.000Z\n\nGoogle Meet: .*\n\nCovered by Tom Becker: Sarah is on PTO\.$/s);
  });

  it('logMeeting repeated (a retried activity) keeps what updates wrote since', async () => {
    const { id } = await crm.logMeeting(logged);
    await crm.updateMeeting(id, { start: '2026-01-07T16:00:00.000Z', end: '2026-01-07T16:30:00.000Z', status: 'rescheduled' });
    expect(await crm.logMeeting(logged)).toEqual({ id });
    expect(crm.records({ kind: 'meeting' })).toHaveLength(1);
    expect(meeting().meeting).toEqual({ start: '2026-01-07T16:00:00.000Z', end: '2026-01-07T16:30:00.000Z', status: 'rescheduled' });
  });

  it('a meeting that is not there is ProviderRejected crm_meeting_gone, as HubSpot’s adapter answers a deleted one; so is a note or task key', async () => {
    await crm.addNote({ key: 'lead-jane/note-1', contactEmail: 'jane@mercyhealth.org', body: 'Routed.' });
    for (const id of ['lead-nobody/meeting-1', 'lead-jane/note-1']) {
      const err = await crm.updateMeeting(id, { status: 'completed' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderRejected);
      expect((err as ProviderRejected).details).toMatchObject({ provider: 'embedded', meetingId: id, code: 'crm_meeting_gone' });
    }
  });

  it('a time that is not ISO is refused and changes nothing', async () => {
    const { id } = await crm.logMeeting(logged);
    await expect(crm.updateMeeting(id, { start: 'next Friday', status: 'rescheduled' })).rejects.toBeInstanceOf(ProviderRejected);
    expect(meeting().meeting).toEqual({ start: logged.start, end: logged.end, status: 'scheduled' });
  });
});

describe('a SQLite file from before meetings had times and a status', () => {
  it('gains the columns when opened, keeps its records, and takes updates; opening it again changes nothing', async () => {
    const path = join(dir, 'embedded.sqlite');
    const old = new DatabaseSync(path);
    // crm_records as it was created before the meeting columns (integrations/embedded/db.ts at 80ce38a^).
    old.exec(`CREATE TABLE crm_records (
      id INTEGER PRIMARY KEY, record_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL CHECK (kind IN ('note', 'meeting', 'task')),
      contact_email TEXT NOT NULL, owner_email TEXT, title TEXT, body TEXT NOT NULL, due_at TEXT, created_at INTEGER NOT NULL)`);
    old.prepare(`INSERT INTO crm_records (record_key, kind, contact_email, owner_email, title, body, created_at) VALUES (?, 'meeting', ?, ?, ?, ?, ?)`)
      .run(KEY, 'jane@mercyhealth.org', 'sarah@acme.example', 'Acme intro: Mercy Health', `${logged.start} - ${logged.end}\n\nbooked`, 1_767_600_000_000);
    old.close();

    const db = openEmbeddedDb(path);
    const columns = (db.prepare('PRAGMA table_info(crm_records)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['meeting_start', 'meeting_end', 'status']));
    const crm = new EmbeddedCrm(db);
    expect(crm.records()).toEqual([
      expect.objectContaining({ key: KEY, kind: 'meeting', ownerEmail: 'sarah@acme.example', meeting: { start: null, end: null, status: null } }),
    ]);

    await crm.updateMeeting(KEY, { status: 'completed', note: 'Held.' });
    expect(crm.records()[0]).toMatchObject({ meeting: { start: null, end: null, status: 'completed' }, body: `${logged.start} - ${logged.end}\n\nbooked\n\nHeld.` });
    db.close();

    const again = openEmbeddedDb(path);
    expect(new EmbeddedCrm(again).records()[0]).toMatchObject({ meeting: { status: 'completed' } });
    again.close();
  });
});
