/**
 * The after-booking audit of the chaos and cluster tests (test/chaos/meetings.ts) must be able to
 * fail: it finds an orphan event of a canceled meeting, a second event instead of a move, an event
 * at an old time, a notice sent twice or missing, and a reminder sent that was not due (or not
 * sent when it was) — over the real embedded calendar and outbox.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddedCalendar } from '../../integrations/embedded/calendar';
import { openEmbeddedDb } from '../../integrations/embedded/db';
import { EmbeddedOutbox } from '../../integrations/embedded/outbox';
import type { LeadStage, LeadStatus } from '../../workflows/lead/messages';
import { auditLead, calendarByLead, changeHeldBack, emailsByLead, expectedEmails, handOffPending, meetingVersions, reminderInTheWay, settleWait, type EarlierTime } from '../chaos/meetings';

const MIN = 60_000;
const HOUR = 60 * MIN;
const OFFSETS = [24 * HOUR, HOUR];
const T = Date.parse('2026-12-02T10:00:00Z');
const WF = 'lead-jane@buyer.example';
const RUN = 'run-1';
const rep = { repId: 'rep01', email: 'rep01@bench.example' };

/**
 * A lead's record: its stage trail (stage, minutes after T), its booking and meeting. The meeting
 * counts from its last `booked` entry unless `bookedAt` says otherwise; `handingOff`: not yet.
 */
function lead(trail: [LeadStage, number][], o: { start?: number; reschedules?: number; sent?: number[]; eventId?: string; bookedAt?: number; handingOff?: boolean } = {}): LeadStatus {
  const stage = trail.at(-1)![0];
  const start = o.start ?? T + 5 * HOUR;
  const bookedAt = o.bookedAt ?? T + (trail.findLast(([s]) => s === 'booked')?.[1] ?? 0) * MIN;
  return {
    workflowId: WF,
    stage,
    booking: o.eventId ? { proposalId: '1-1', start: new Date(start).toISOString(), end: new Date(start + 30 * MIN).toISOString(), eventId: o.eventId, reps: ['rep01'], attendees: ['rep01'], attempt: 1, escalated: [] } : null,
    meeting: o.eventId && !o.handingOff ? { outcome: stage === 'canceled' ? 'canceled' : 'scheduled', reschedules: o.reschedules ?? 0, remindersSent: o.sent ?? [], bookedAt: new Date(bookedAt).toISOString() } : null,
    events: trail.map(([s, minutes], id) => ({ id, at: new Date(T + minutes * MIN).toISOString(), type: 'stage', stage: s })),
  } as unknown as LeadStatus;
}

const BOOKED: [LeadStage, number][] = [['qualifying', 0], ['awaiting_reply', 0], ['booking', 1], ['booked', 2]];

function world() {
  const db = openEmbeddedDb(':memory:');
  const calendar = new EmbeddedCalendar(db, new Map([[rep.email, rep.repId]]));
  const outbox = new EmbeddedOutbox(db);
  const book = async (attempt: number, start: number) =>
    calendar.createEvent({ key: `${WF}/${RUN}/attempt-${attempt}`, organizer: rep, attendees: [], start: new Date(start).toISOString(), end: new Date(start + 30 * MIN).toISOString(), title: 'Demo', description: '' });
  const send = (what: string, to = 'jane@buyer.example') => outbox.send({ key: `${WF}/${RUN}/${what}`, to: [{ email: to }], subject: 's', text: 't', html: 'h' });
  const audit = (status: LeadStatus, earlier: EarlierTime[] = [], auditAt = T + 10 * MIN) =>
    auditLead({
      status,
      buyerEmail: 'Jane@Buyer.example',
      versions: meetingVersions(status, earlier),
      calendar: calendarByLead(db).get(WF),
      emails: emailsByLead(db).get(WF),
      offsets: OFFSETS,
      auditAt,
      repEmail: (id) => `${id}@bench.example`,
    });
  return { calendar, book, send, audit };
}

describe('after-booking audit', () => {
  it('reads the meeting versions from the stage trail: a move ends one, a cancel ends the last', () => {
    const moved = lead([...BOOKED, ['rescheduling', 3], ['booked', 4]], { start: T + 9 * HOUR, eventId: 'e', reschedules: 1 });
    expect(meetingVersions(moved, [{ start: T + 8 * HOUR, bookedAt: T + 2.5 * MIN }])).toEqual([
      { version: 1, start: T + 8 * HOUR, bookedAt: T + 2.5 * MIN, endedAt: T + 4 * MIN },
      { version: 2, start: T + 9 * HOUR, bookedAt: T + 4 * MIN, endedAt: null },
    ]);
    const canceled = lead([...BOOKED, ['canceled', 7]], { eventId: 'e' });
    expect(meetingVersions(canceled)).toEqual([{ version: 1, start: T + 5 * HOUR, bookedAt: T + 2 * MIN, endedAt: T + 7 * MIN }]);
    expect(meetingVersions(lead([['qualifying', 0], ['awaiting_reply', 1]]))).toEqual([]);
  });

  it('expects a reminder only when it came due while that meeting time stood, before the audit', () => {
    // Booked at T+2m for T+1h05m: the 1 h reminder is due at T+5m; the 24 h one was skipped at booking.
    const v = { version: 1, start: T + 65 * MIN, bookedAt: T + 2 * MIN, endedAt: null };
    expect(expectedEmails({ booked: true, versions: [v], canceled: false, offsets: OFFSETS, auditAt: T + 4 * MIN })).toEqual(['intro-email']);
    expect(expectedEmails({ booked: true, versions: [v], canceled: false, offsets: OFFSETS, auditAt: T + 6 * MIN })).toEqual(['intro-email', `reminder/1/${HOUR}`]);
    // Moved away at T+3m, before it came due: no reminder for that time, a notice of the move.
    const moved = [{ ...v, endedAt: T + 3 * MIN }, { version: 2, start: T + 24 * HOUR + 5 * MIN, bookedAt: T + 3 * MIN, endedAt: null }];
    expect(expectedEmails({ booked: true, versions: moved, canceled: false, offsets: OFFSETS, auditAt: T + 6 * MIN })).toEqual(['intro-email', `reminder/2/${24 * HOUR}`, 'rep-notice/moved-1']);
    expect(expectedEmails({ booked: true, versions: [{ ...v, endedAt: T + 9 * MIN }], canceled: true, offsets: OFFSETS, auditAt: T + 10 * MIN })).toEqual([
      'intro-email',
      `reminder/1/${HOUR}`,
      'rep-notice/canceled-1',
    ]);
  });

  it("counts the first booking's reminders from the end of the hand-off, as the workflow does", () => {
    // Booked at T+2m for T+1h05m; the hand-off (CRM writes, intro email) took until T+6m, after the
    // 1 h reminder's time (T+5m): the workflow skips it, so the audit must not expect it.
    const slow = lead(BOOKED, { start: T + 65 * MIN, eventId: 'e', bookedAt: T + 6 * MIN });
    const [v] = meetingVersions(slow);
    expect(v).toEqual({ version: 1, start: T + 65 * MIN, bookedAt: T + 6 * MIN, endedAt: null });
    expect(expectedEmails({ booked: true, versions: [v!], canceled: false, offsets: OFFSETS, auditAt: T + 10 * MIN })).toEqual(['intro-email']);
    expect(reminderInTheWay(slow, OFFSETS, T + 7 * MIN)).toBeNull();
    // Still handing off: a buyer holds a move back (when reminders count from is not known yet).
    const handingOff = lead(BOOKED, { start: T + 65 * MIN, eventId: 'e', handingOff: true });
    expect(handOffPending(handingOff)).toBe(true);
    expect(changeHeldBack(handingOff, OFFSETS, T + 3 * MIN)).toMatch(/hand-off/);
    expect(changeHeldBack(lead(BOOKED, { start: T + 65 * MIN, eventId: 'e' }), OFFSETS, T + 4.5 * MIN)).toMatch(/1 h reminder is due at 2026-12-02T10:05/);
    expect(changeHeldBack(slow, OFFSETS, T + 7 * MIN)).toBeNull();
  });

  it('holds a move back while a reminder of the standing meeting is about to come due, unsent', () => {
    const status = lead(BOOKED, { start: T + 65 * MIN, eventId: 'e' });
    expect(reminderInTheWay(status, OFFSETS, T + 4.5 * MIN)).toEqual({ offset: HOUR, at: T + 5 * MIN });
    expect(reminderInTheWay(status, OFFSETS, T + 7 * MIN)).toEqual({ offset: HOUR, at: T + 5 * MIN }); // overdue, not sent yet
    expect(reminderInTheWay(lead(BOOKED, { start: T + 65 * MIN, eventId: 'e', sent: [HOUR] }), OFFSETS, T + 5 * MIN)).toBeNull();
    expect(reminderInTheWay(status, OFFSETS, T + 2 * MIN)).toBeNull(); // 3 minutes away: the move lands first
    expect(settleWait([T + 5 * MIN], T + 5.5 * MIN, 90_000)).toBe(60_000);
    expect(settleWait([T + 5 * MIN], T + 7 * MIN, 90_000)).toBe(0);
  });

  it('passes a moved meeting: the same event at its new time, one intro email, one notice', async () => {
    const w = world();
    const { eventId } = await w.book(1, T + 8 * HOUR);
    await w.calendar.moveEvent({ eventId, organizer: rep }, { start: new Date(T + 9 * HOUR).toISOString(), end: new Date(T + 9 * HOUR + 30 * MIN).toISOString() });
    await w.send('intro-email');
    await w.send('rep-notice/moved-1', rep.email);
    const moved = lead([...BOOKED, ['rescheduling', 3], ['booked', 4]], { start: T + 9 * HOUR, eventId, reschedules: 1 });
    expect(w.audit(moved, [{ start: T + 8 * HOUR, bookedAt: T + 2 * MIN }])).toEqual([]);

    await w.send('rep-notice/moved-1-again', rep.email);
    expect(w.audit(moved, [{ start: T + 8 * HOUR, bookedAt: T + 2 * MIN }])).toEqual([expect.stringMatching(/unexpected \[rep-notice\/moved-1-again\]/)]);
  });

  it('finds a second event instead of a move, and an event left at the old time', async () => {
    const w = world();
    const first = await w.book(1, T + 8 * HOUR);
    const second = await w.book(2, T + 9 * HOUR);
    await w.send('intro-email');
    await w.send('rep-notice/moved-1', rep.email);
    const problems = w.audit(lead([...BOOKED, ['rescheduling', 3], ['booked', 4]], { start: T + 9 * HOUR, eventId: second.eventId, reschedules: 1 }), [{ start: T + 8 * HOUR, bookedAt: T + 2 * MIN }]);
    expect(problems.join('\n')).toMatch(/2 live calendar events/);
    expect(problems.join('\n')).toMatch(/calendar event at .*T18:00/);
    expect(first.eventId).not.toBe(second.eventId);
  });

  it('finds an orphan: a canceled meeting whose event is still in the calendar', async () => {
    const w = world();
    const { eventId } = await w.book(1, T + 5 * HOUR);
    await w.send('intro-email');
    await w.send('rep-notice/canceled-1', rep.email);
    const canceled = lead([...BOOKED, ['canceled', 7]], { eventId });
    expect(w.audit(canceled).join('\n')).toMatch(/an orphan/);
    await w.calendar.cancelEvent({ eventId, organizer: rep });
    expect(w.audit(canceled)).toEqual([]);
  });

  it('finds a reminder that was due and not sent, one sent that was not due, and a notice to the wrong person', async () => {
    const w = world();
    const { eventId } = await w.book(1, T + 65 * MIN);
    await w.send('intro-email');
    const booked = lead(BOOKED, { start: T + 65 * MIN, eventId });
    expect(w.audit(booked, [], T + 4 * MIN)).toEqual([]);
    expect(w.audit(booked, [], T + 6 * MIN)).toEqual([expect.stringMatching(/missing \[reminder\/1\/3600000\]/)]);
    await w.send(`reminder/1/${HOUR}`);
    expect(w.audit(booked, [], T + 6 * MIN)).toEqual([]);
    expect(w.audit(booked, [], T + 4 * MIN)).toEqual([expect.stringMatching(/unexpected \[reminder\/1\/3600000\]/)]);
    await w.send('rep-notice/question-2', 'jane@buyer.example');
    expect(w.audit(booked, [], T + 6 * MIN).join('\n')).toMatch(/rep-notice\/question-2 went to jane@buyer.example, expected rep01@bench.example/);
  });
});
