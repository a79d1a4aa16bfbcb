import type { DatabaseSync } from 'node:sqlite';
import { SlotConflict } from '../../domain/errors';
import type { BusyBlock, CalendarOwner, CalendarProvider, CreatedEvent, FoundEvent, NewCalendarEvent } from '../providers';
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
        `INSERT INTO calendar_events (event_key, rep_id, start_ms, end_ms, type, title, details) VALUES (?, ?, ?, ?, 'busy', ?, ?)`,
      );
      const details = JSON.stringify({ attendees: event.attendees, description: event.description, organizer: event.organizer });
      let firstId = 0;
      for (const repId of repIds) {
        const { lastInsertRowid } = insert.run(event.key, repId, start, end, event.title, details);
        firstId ||= Number(lastInsertRowid);
      }
      return { eventId: `embedded-${firstId}`, created: true };
    });
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
