import type { DatabaseSync } from 'node:sqlite';
import { ProviderRejected, SlotConflict } from '../../domain/errors';
import type { AttendeeResponse, BusyBlock, CalendarOwner, CalendarProvider, CreatedEvent, EventRef, EventState, FoundEvent, NewCalendarEvent } from '../providers';
import { immediate } from './db';

interface EventRow {
  id: number;
  event_key: string | null;
  rep_id: string;
  start_ms: number;
  end_ms: number;
  type: 'busy' | 'ooo';
  title: string | null;
}

interface BookingRow {
  event_id: string;
  event_key: string;
  organizer: string;
  status: 'confirmed' | 'cancelled';
  start_ms: number;
  end_ms: number;
  reps: string;
}

export interface SeedEvent {
  start: string;
  end: string;
  type?: 'busy' | 'ooo';
  title?: string;
}

/**
 * Calendars of the team's reps in SQLite. Booking is atomic: the conflict check and the insert for
 * every attendee happen under one write lock, so two leads racing for one slot cannot both win.
 */
export class EmbeddedCalendar implements CalendarProvider {
  readonly kind = 'embedded';

  constructor(
    private readonly db: DatabaseSync,
    /** Maps attendee emails to rep ids so each rep's calendar gets the event. */
    private readonly repIdByEmail: ReadonlyMap<string, string>,
  ) {}

  async freeBusy(owners: CalendarOwner[], range: { start: string; end: string }): Promise<Record<string, BusyBlock[]>> {
    const from = Date.parse(range.start);
    const to = Date.parse(range.end);
    const query = this.db.prepare(
      'SELECT * FROM calendar_events WHERE rep_id = ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms',
    );
    const result: Record<string, BusyBlock[]> = {};
    for (const owner of owners) {
      const rows = query.all(owner.repId, to, from) as unknown as EventRow[];
      result[owner.repId] = rows.map((r) => ({
        start: new Date(r.start_ms).toISOString(),
        end: new Date(r.end_ms).toISOString(),
        type: r.type,
        ...(r.title ? { title: r.title } : {}),
      }));
    }
    return result;
  }

  async createEvent(event: NewCalendarEvent): Promise<CreatedEvent> {
    const start = Date.parse(event.start);
    const end = Date.parse(event.end);
    const repIds = [
      event.organizer.repId,
      ...event.attendees.map((a) => this.repIdByEmail.get(a.email.toLowerCase())).filter((id): id is string => !!id),
    ].filter((id, i, all) => all.indexOf(id) === i);
    return immediate(this.db, () => {
      const existing = this.db.prepare('SELECT id FROM calendar_events WHERE event_key = ? ORDER BY id LIMIT 1').get(event.key) as
        | { id: number }
        | undefined;
      if (existing) return { eventId: `embedded-${existing.id}`, created: false };
      const overlap = this.db.prepare(
        'SELECT rep_id, title FROM calendar_events WHERE rep_id = ? AND start_ms < ? AND end_ms > ? LIMIT 1',
      );
      for (const repId of repIds) {
        const clash = overlap.get(repId, end, start) as { rep_id: string; title: string | null } | undefined;
        if (clash) {
          throw new SlotConflict(`${repId} is no longer free at ${event.start}`, { details: { repId, start: event.start } });
        }
      }
      const insert = this.db.prepare(
        `INSERT INTO calendar_events (id, event_key, rep_id, start_ms, end_ms, type, title, details) VALUES (?, ?, ?, ?, ?, 'busy', ?, ?)`,
      );
      const details = JSON.stringify({ attendees: event.attendees, description: event.description, organizer: event.organizer });
      // The event id is its first copy's row id. A cancelled event's copies are deleted and SQLite
      // hands their row ids out again, while the booking keeps its id: start past both.
      const { next } = this.db
        .prepare(
          `SELECT MAX(COALESCE((SELECT MAX(id) FROM calendar_events), 0),
                      COALESCE((SELECT MAX(CAST(substr(event_id, 10) AS INTEGER)) FROM calendar_bookings WHERE event_id LIKE 'embedded-%'), 0)) + 1 AS next`,
        )
        .get() as { next: number };
      let firstId = 0;
      for (const repId of repIds) {
        const { lastInsertRowid } = insert.run(firstId ? null : next, event.key, repId, start, end, event.title, details);
        firstId ||= Number(lastInsertRowid);
      }
      const eventId = `embedded-${firstId}`;
      this.db
        .prepare(`INSERT INTO calendar_bookings (event_id, event_key, organizer, status, start_ms, end_ms, reps) VALUES (?, ?, ?, 'confirmed', ?, ?, ?)`)
        .run(eventId, event.key, event.organizer.repId, start, end, JSON.stringify(repIds));
      return { eventId, created: true };
    });
  }

  private booking(eventId: string): BookingRow | undefined {
    return this.db.prepare('SELECT * FROM calendar_bookings WHERE event_id = ?').get(eventId) as BookingRow | undefined;
  }

  private copies(key: string): { id: number; rep_id: string }[] {
    return this.db.prepare('SELECT id, rep_id FROM calendar_events WHERE event_key = ?').all(key) as { id: number; rep_id: string }[];
  }

  /** Throws SlotConflict when `repId` has anything but this event in [start, end). */
  private assertFree(repId: string, start: number, end: number, key: string): void {
    const clash = this.db
      .prepare('SELECT 1 FROM calendar_events WHERE rep_id = ? AND start_ms < ? AND end_ms > ? AND (event_key IS NULL OR event_key <> ?) LIMIT 1')
      .get(repId, end, start, key);
    if (clash) throw new SlotConflict(`${repId} is not free at ${new Date(start).toISOString()}`, { details: { repId, start: new Date(start).toISOString() } });
  }

  async getEvent(ref: EventRef): Promise<EventState | null> {
    const row = this.booking(ref.eventId);
    if (!row) return null;
    const present = new Set(this.copies(row.event_key).map((c) => c.rep_id));
    const responses: Record<string, AttendeeResponse> = {};
    for (const repId of JSON.parse(row.reps) as string[]) {
      const email = this.emailOf(repId);
      if (email) responses[email] = row.status === 'cancelled' || present.has(repId) ? 'accepted' : 'gone';
    }
    return { status: row.status, start: new Date(row.start_ms).toISOString(), end: new Date(row.end_ms).toISOString(), responses };
  }

  /** Every copy moves under one write lock, after the check that each of those reps is free then. */
  async moveEvent(ref: EventRef, times: { start: string; end: string }): Promise<void> {
    const { start, end } = instants(times);
    immediate(this.db, () => {
      const row = this.liveBooking(ref);
      if (row.start_ms === start && row.end_ms === end) return;
      const copies = this.copies(row.event_key);
      for (const c of copies) this.assertFree(c.rep_id, start, end, row.event_key);
      this.db.prepare('UPDATE calendar_events SET start_ms = ?, end_ms = ? WHERE event_key = ?').run(start, end, row.event_key);
      this.db.prepare('UPDATE calendar_bookings SET start_ms = ?, end_ms = ? WHERE event_id = ?').run(start, end, ref.eventId);
    });
  }

  /** Every rep's copy goes; the booking stays, cancelled (as Google keeps a cancelled event readable). */
  async cancelEvent(ref: EventRef): Promise<void> {
    immediate(this.db, () => {
      const row = this.booking(ref.eventId);
      if (!row) return;
      this.db.prepare(`UPDATE calendar_bookings SET status = 'cancelled' WHERE event_id = ?`).run(ref.eventId);
      this.db.prepare('DELETE FROM calendar_events WHERE event_key = ?').run(row.event_key);
    });
  }

  /**
   * `to` takes `from`'s place (and their copy, with its title and details) under one write lock,
   * after the check that `to` is free then; the organizer's role goes with it.
   */
  async reassignEvent(ref: EventRef, change: { from: CalendarOwner; to: CalendarOwner }): Promise<EventRef> {
    return immediate(this.db, () => {
      const row = this.liveBooking(ref);
      const reps = JSON.parse(row.reps) as string[];
      const { from, to } = change;
      const after = (organizer: string): EventRef => ({ eventId: ref.eventId, organizer: organizer === to.repId ? { repId: to.repId, email: to.email } : ref.organizer });
      if (!reps.includes(from.repId)) {
        if (reps.includes(to.repId)) return after(row.organizer); // done already
        throw new ProviderRejected(`embedded calendar: ${from.repId} is not at event ${ref.eventId} (${reps.join(', ')})`, {
          details: { provider: 'embedded', eventId: ref.eventId, code: 'not_attendee' },
        });
      }
      this.assertFree(to.repId, row.start_ms, row.end_ms, row.event_key);
      const copy = this.db.prepare('SELECT title, details FROM calendar_events WHERE event_key = ? ORDER BY rep_id = ? DESC, id LIMIT 1').get(row.event_key, from.repId) as
        | { title: string | null; details: string | null }
        | undefined;
      this.db.prepare('DELETE FROM calendar_events WHERE event_key = ? AND rep_id = ?').run(row.event_key, from.repId);
      this.db
        .prepare(`INSERT OR IGNORE INTO calendar_events (event_key, rep_id, start_ms, end_ms, type, title, details) VALUES (?, ?, ?, ?, 'busy', ?, ?)`)
        .run(row.event_key, to.repId, row.start_ms, row.end_ms, copy?.title ?? null, copy?.details ?? null);
      const next = [...new Set(reps.map((r) => (r === from.repId ? to.repId : r)))];
      const organizer = row.organizer === from.repId ? to.repId : row.organizer;
      this.db.prepare('UPDATE calendar_bookings SET organizer = ?, reps = ? WHERE event_id = ?').run(organizer, JSON.stringify(next), ref.eventId);
      return after(organizer);
    });
  }

  /** The booking, as long as it is neither cancelled nor unknown. */
  private liveBooking(ref: EventRef): BookingRow {
    const row = this.booking(ref.eventId);
    if (!row || row.status === 'cancelled') {
      throw new ProviderRejected(`embedded calendar: event ${ref.eventId} is ${row ? 'cancelled' : 'not on the calendar'}`, {
        details: { provider: 'embedded', eventId: ref.eventId, code: 'event_gone' },
      });
    }
    return row;
  }

  /** As when a rep deletes the invite from their own calendar (tests, and the rep-side check's "gone"). */
  removeCopy(repId: string, eventKey: string): void {
    this.db.prepare('DELETE FROM calendar_events WHERE event_key = ? AND rep_id = ?').run(eventKey, repId);
  }

  private emailOf(repId: string): string | undefined {
    for (const [email, id] of this.repIdByEmail) if (id === repId) return email;
    return undefined;
  }

  /** One query, whatever the number of candidates: the organizer's row is the event's first. */
  async findEvent(organizers: CalendarOwner[], key: string): Promise<FoundEvent | null> {
    const row = this.db.prepare('SELECT id, rep_id FROM calendar_events WHERE event_key = ? ORDER BY id LIMIT 1').get(key) as
      | { id: number; rep_id: string }
      | undefined;
    const organizer = row && organizers.find((o) => o.repId === row.rep_id);
    return row && organizer ? { eventId: `embedded-${row.id}`, created: false, organizer } : null;
  }

  /** Seeds busy/ooo blocks; re-seeding the same block is a no-op. */
  seed(calendars: Record<string, SeedEvent[]>): number {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO calendar_events (event_key, rep_id, start_ms, end_ms, type, title) VALUES (?, ?, ?, ?, ?, ?)',
    );
    let added = 0;
    for (const [repId, events] of Object.entries(calendars)) {
      for (const e of events) {
        const start = Date.parse(e.start);
        const end = Date.parse(e.end);
        added += Number(insert.run(`seed:${start}:${end}:${e.type ?? 'busy'}`, repId, start, end, e.type ?? 'busy', e.title ?? null).changes);
      }
    }
    return added;
  }

  /** Booked meetings (events Baton created), for the ops view and tests. */
  bookedEvents(): { key: string; repId: string; start: string; end: string; title: string | null }[] {
    const rows = this.db
      .prepare(`SELECT event_key, rep_id, start_ms, end_ms, title FROM calendar_events WHERE event_key NOT LIKE 'seed:%' ORDER BY start_ms`)
      .all() as unknown as { event_key: string; rep_id: string; start_ms: number; end_ms: number; title: string | null }[];
    return rows.map((r) => ({
      key: r.event_key,
      repId: r.rep_id,
      start: new Date(r.start_ms).toISOString(),
      end: new Date(r.end_ms).toISOString(),
      title: r.title,
    }));
  }
}

/** Epoch ms of a move's times; refuses what is not a date-time, and an end not after its start. */
function instants(times: { start: string; end: string }): { start: number; end: number } {
  const start = Date.parse(times.start);
  const end = Date.parse(times.end);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    throw new ProviderRejected(`embedded calendar: a move needs ISO-8601 times with the end after the start, got ${times.start} .. ${times.end}`, {
      details: { provider: 'embedded', code: 'invalid_times' },
    });
  }
  return { start, end };
}
