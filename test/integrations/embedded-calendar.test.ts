/**
 * The embedded calendar after booking: the one event read, moved, cancelled and handed to a cover,
 * with the same answers the Google adapter gives (google-calendar-after-booking.test.ts). Conflict
 * checks and writes happen under one write lock: a change either happens whole or not at all, and
 * processes racing for one slot cannot both win.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderRejected, SlotConflict } from '../../domain/errors';
import { EmbeddedCalendar } from '../../integrations/embedded/calendar';
import { openEmbeddedDb } from '../../integrations/embedded/db';
import type { EventRef, NewCalendarEvent } from '../../integrations/providers';
import { ROOT } from '../helpers/paths';

const sarah = { repId: 'sarah', email: 'sarah@acme.example' };
const tom = { repId: 'tom', email: 'tom@acme.example' };
const raj = { repId: 'raj', email: 'raj@acme.example' };
const priya = { repId: 'priya', email: 'priya@acme.example' };
const REPS: [string, string][] = [sarah, tom, raj, priya].map((r) => [r.email, r.repId]);

const nine = { start: '2026-01-06T15:00:00.000Z', end: '2026-01-06T15:30:00.000Z' };
const ten = { start: '2026-01-06T16:00:00.000Z', end: '2026-01-06T16:30:00.000Z' };

function meeting(key: string, over: Partial<NewCalendarEvent> = {}): NewCalendarEvent {
  return {
    key,
    organizer: sarah,
    attendees: [{ email: 'jane@mercyhealth.org', name: 'Jane Park' }, { email: 'RAJ@acme.example', name: 'Raj Patel' }],
    ...nine,
    title: 'Acme intro: Mercy Health',
    description: 'Jane Park (Mercy Health) booked through Baton.',
    ...over,
  };
}

let dir: string;
let db: DatabaseSync;
let calendar: EmbeddedCalendar;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-embedded-calendar-'));
  db = openEmbeddedDb(join(dir, 'embedded.sqlite'));
  calendar = new EmbeddedCalendar(db, new Map(REPS));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function book(key = 'lead-jane/booking-1', over: Partial<NewCalendarEvent> = {}): Promise<EventRef> {
  const { eventId } = await calendar.createEvent(meeting(key, over));
  return { eventId, organizer: over.organizer ?? sarah };
}

/** Each rep's copies of Baton's events: `rep start`. */
function copies(): string[] {
  return calendar.bookedEvents().map((e) => `${e.repId} ${e.start}`);
}

async function rejection(work: Promise<unknown>): Promise<ProviderRejected> {
  const err = await work.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderRejected);
  return err as ProviderRejected;
}

describe('getEvent', () => {
  it('answers status, times and each rep at the meeting (the buyer is not a rep here)', async () => {
    const ref = await book();
    expect(await calendar.getEvent(ref)).toEqual({
      status: 'confirmed',
      ...nine,
      responses: { 'sarah@acme.example': 'accepted', 'raj@acme.example': 'accepted' },
    });
    expect(await calendar.getEvent({ eventId: 'embedded-999', organizer: sarah })).toBeNull();
  });

  it('a rep whose copy was removed (as when they delete the invite) reads gone; the others stay', async () => {
    const ref = await book();
    calendar.removeCopy('raj', 'lead-jane/booking-1');
    expect((await calendar.getEvent(ref))?.responses).toEqual({ 'sarah@acme.example': 'accepted', 'raj@acme.example': 'gone' });
    expect(copies()).toEqual([`sarah ${nine.start}`]);
  });
});

describe('moveEvent', () => {
  it('moves every rep’s copy of the same event, and the event itself; moving it where it is changes nothing', async () => {
    const ref = await book();
    await calendar.moveEvent(ref, ten);
    expect(copies()).toEqual([`sarah ${ten.start}`, `raj ${ten.start}`]);
    expect(await calendar.getEvent(ref)).toMatchObject({ status: 'confirmed', ...ten });
    expect((await calendar.freeBusy([sarah, raj], { start: nine.start, end: ten.end })).raj).toEqual([{ ...ten, type: 'busy', title: 'Acme intro: Mercy Health' }]);

    await calendar.moveEvent(ref, ten);
    expect(copies()).toEqual([`sarah ${ten.start}`, `raj ${ten.start}`]);
  });

  it('may overlap its own old time (15 minutes later), never another event: one rep busy and nothing moves', async () => {
    const ref = await book();
    const later = { start: '2026-01-06T15:15:00.000Z', end: '2026-01-06T15:45:00.000Z' };
    await calendar.moveEvent(ref, later);
    expect(copies()).toEqual([`sarah ${later.start}`, `raj ${later.start}`]);

    calendar.seed({ raj: [{ ...ten, title: 'Dentist' }] });
    await expect(calendar.moveEvent(ref, ten)).rejects.toBeInstanceOf(SlotConflict);
    expect(copies()).toEqual([`sarah ${later.start}`, `raj ${later.start}`]);
    expect(await calendar.getEvent(ref)).toMatchObject(later);
  });

  it('a cancelled or unknown event is event_gone, never moved back onto a calendar', async () => {
    const ref = await book();
    await calendar.cancelEvent(ref);
    expect((await rejection(calendar.moveEvent(ref, ten))).details).toMatchObject({ code: 'event_gone', eventId: ref.eventId });
    expect(await calendar.getEvent(ref)).toMatchObject({ status: 'cancelled', ...nine });
    expect((await rejection(calendar.moveEvent({ eventId: 'embedded-999', organizer: sarah }, ten))).details).toMatchObject({ code: 'event_gone' });
    expect(copies()).toEqual([]);
  });

  it('times that are not ISO, or an end before the start, are refused and change nothing', async () => {
    const ref = await book();
    expect((await rejection(calendar.moveEvent(ref, { start: 'Friday', end: ten.end }))).details).toMatchObject({ code: 'invalid_times' });
    await rejection(calendar.moveEvent(ref, { start: ten.end, end: ten.start }));
    expect(copies()).toEqual([`sarah ${nine.start}`, `raj ${nine.start}`]);
  });
});

describe('cancelEvent', () => {
  it('removes every rep’s copy, frees their time, keeps the event readable as cancelled; again (a retry) or unknown: no error', async () => {
    const ref = await book();
    await calendar.cancelEvent(ref);
    expect(copies()).toEqual([]);
    expect(await calendar.freeBusy([sarah, raj], nine)).toEqual({ sarah: [], raj: [] });
    expect(await calendar.getEvent(ref)).toMatchObject({ status: 'cancelled' });
    await calendar.cancelEvent(ref);
    await calendar.cancelEvent({ eventId: 'embedded-999', organizer: sarah });
    expect(await calendar.getEvent(ref)).toMatchObject({ status: 'cancelled' });
  });

  it('the next event after a cancellation gets an id of its own (SQLite reuses the freed row ids)', async () => {
    const canceled = await book('lead-jane/booking-1');
    await calendar.cancelEvent(canceled);
    const next = await book('lead-omar/booking-1', { start: ten.start, end: ten.end });
    expect(next.eventId).not.toBe(canceled.eventId);
    expect(await calendar.getEvent(canceled)).toMatchObject({ status: 'cancelled', ...nine });
    expect(await calendar.getEvent(next)).toMatchObject({ status: 'confirmed', ...ten });
    expect(copies()).toEqual([`sarah ${ten.start}`, `raj ${ten.start}`]);
  });
});

describe('reassignEvent', () => {
  it('the organizer’s place: the cover gets the copy (title and details) and the organizer role; a retry answers the same ref', async () => {
    const ref = await book();
    const after = await calendar.reassignEvent(ref, { from: sarah, to: tom });
    expect(after).toEqual({ eventId: ref.eventId, organizer: tom });
    expect(copies()).toEqual([`raj ${nine.start}`, `tom ${nine.start}`]);
    const [copy] = db.prepare(`SELECT title, details FROM calendar_events WHERE rep_id = 'tom'`).all() as { title: string; details: string }[];
    expect(copy!.title).toBe('Acme intro: Mercy Health');
    expect(JSON.parse(copy!.details)).toMatchObject({ description: 'Jane Park (Mercy Health) booked through Baton.' });
    expect((await calendar.getEvent(after))?.responses).toEqual({ 'tom@acme.example': 'accepted', 'raj@acme.example': 'accepted' });

    expect(await calendar.reassignEvent(ref, { from: sarah, to: tom })).toEqual({ eventId: ref.eventId, organizer: tom });
    expect(await calendar.reassignEvent(after, { from: sarah, to: tom })).toEqual(after);
    expect(copies()).toEqual([`raj ${nine.start}`, `tom ${nine.start}`]);
  });

  it('a second rep’s place: the organizer stays', async () => {
    const ref = await book();
    expect(await calendar.reassignEvent(ref, { from: raj, to: priya })).toEqual(ref);
    expect((await calendar.getEvent(ref))?.responses).toEqual({ 'sarah@acme.example': 'accepted', 'priya@acme.example': 'accepted' });
  });

  it('a cover already at the meeting is listed once', async () => {
    const ref = await book();
    await calendar.reassignEvent(ref, { from: sarah, to: raj });
    const { reps, organizer } = db.prepare('SELECT reps, organizer FROM calendar_bookings WHERE event_id = ?').get(ref.eventId) as { reps: string; organizer: string };
    expect({ reps: JSON.parse(reps), organizer }).toEqual({ reps: ['raj'], organizer: 'raj' });
    expect(copies()).toEqual([`raj ${nine.start}`]);
  });

  it('a cover who is busy then: SlotConflict and nothing changes', async () => {
    const ref = await book();
    calendar.seed({ tom: [{ start: '2026-01-06T15:20:00.000Z', end: '2026-01-06T16:00:00.000Z' }] });
    await expect(calendar.reassignEvent(ref, { from: sarah, to: tom })).rejects.toBeInstanceOf(SlotConflict);
    expect(copies()).toEqual([`sarah ${nine.start}`, `raj ${nine.start}`]);
    expect((await calendar.getEvent(ref))?.responses).toEqual({ 'sarah@acme.example': 'accepted', 'raj@acme.example': 'accepted' });
  });

  it('a cancelled event gets no cover (event_gone); a rep who is not at the meeting cannot be covered (not_attendee)', async () => {
    const ref = await book();
    expect((await rejection(calendar.reassignEvent(ref, { from: priya, to: tom }))).details).toMatchObject({ code: 'not_attendee' });
    await calendar.cancelEvent(ref);
    expect((await rejection(calendar.reassignEvent(ref, { from: sarah, to: tom }))).details).toMatchObject({ code: 'event_gone' });
    expect(copies()).toEqual([]);
  });
});

describe('processes racing for one slot (one SQLite file, a connection each)', () => {
  /** Runs each step in its own process, all starting at the same instant; answers who won. */
  async function race(steps: object[]): Promise<{ ok: boolean; error?: string }[]> {
    const startAt = Date.now() + 2_500;
    return Promise.all(
      steps.map(
        (step) =>
          new Promise<{ ok: boolean; error?: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', 'test/integrations/embedded-race-worker.ts', join(dir, 'embedded.sqlite'), JSON.stringify(step), String(startAt)], { cwd: ROOT });
            let out = '';
            let err = '';
            child.stdout.on('data', (c: Buffer) => (out += c.toString()));
            child.stderr.on('data', (c: Buffer) => (err += c.toString()));
            child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as { ok: boolean }) : reject(new Error(`race worker exited ${code}: ${err}`))));
          }),
      ),
    );
  }

  it('three meetings moved into one rep’s slot at once: one moves, two get SlotConflict, the rep is booked once', async () => {
    const refs = [];
    for (const [i, start] of ['2026-01-06T17:00:00.000Z', '2026-01-06T18:00:00.000Z', '2026-01-06T19:00:00.000Z'].entries()) {
      refs.push(await book(`lead-${i}/booking-1`, { start, end: new Date(Date.parse(start) + 30 * 60_000).toISOString(), attendees: [] }));
    }
    const results = await race(refs.map((ref) => ({ reps: REPS, ref, move: ten })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.error)).toEqual(['SlotConflict', 'SlotConflict']);
    expect((await calendar.freeBusy([sarah], ten)).sarah).toHaveLength(1);
  });

  it('two meetings at the same time handed to one cover at once: one gets the cover, the other SlotConflict', async () => {
    const a = await book('lead-a/booking-1', { attendees: [] });
    const b = await book('lead-b/booking-1', { organizer: raj, attendees: [] });
    const results = await race([
      { reps: REPS, ref: a, reassign: { from: sarah, to: tom } },
      { reps: REPS, ref: b, reassign: { from: raj, to: tom } },
    ]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
    expect(results.find((r) => !r.ok)?.error).toBe('SlotConflict');
    expect((await calendar.freeBusy([tom], nine)).tom).toHaveLength(1);
  });
});
