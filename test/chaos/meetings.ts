/**
 * After booking, audited: what the embedded calendar and outbox must hold for each lead once a
 * chaos run is over, worked out from the lead's own record (its stage trail and booking) and what
 * its buyer did — shared by the chaos crash test and the cluster test.
 *
 * Reminders are the part that depends on the clock: with the test teams' `reminders: [24h, 1h]`
 * and meetings 1-48 h ahead, a reminder goes out during a run only when its time (start minus
 * offset) falls between the booking of that meeting time and the end of the run, e.g. the 1 h
 * reminder of a meeting booked at the earliest slot. Which ones do is computed per lead, so the
 * count is exact on every run whatever the hour (often 0, sometimes a burst at one half hour).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { LeadStage, LeadStatus } from '../../workflows/lead/messages';

/** One time of a lead's meeting: from its booking (or move) until it moved again or was canceled. */
export interface MeetingVersion {
  version: number;
  start: number;
  bookedAt: number;
  /** When the lead took the move or the cancel that ended it; null while it stands. */
  endedAt: number | null;
}

/**
 * A buyer who moves or cancels the meeting holds back while one of its reminders is due (unsent)
 * within this margin: which of the two the workflow sees first would be a race (both orders are
 * right), and the test wants one expected outbox. Larger than any stall in the runs (a worker
 * restart, a Temporal restart: seconds).
 */
export const REMINDER_GUARD_MS = 60_000;

/** The stage changes in the lead's record, in order. */
export function stageTrail(s: Pick<LeadStatus, 'events'>): { stage: LeadStage; at: number }[] {
  return s.events.flatMap((e) => (e.type === 'stage' && e.stage ? [{ stage: e.stage, at: Date.parse(e.at) }] : []));
}

/** What the buyer saw of an earlier time of the meeting before moving it (the record keeps only the latest). */
export interface EarlierTime {
  start?: number;
  /** The record's `meeting.bookedAt` while that time stood. */
  bookedAt?: number;
}

/**
 * The meeting's versions from the stage trail: entering `booked` from `booking` (the first booking)
 * or from `rescheduling` (a new time picked) starts one. A move's `bookedAt` is its trail time (the
 * workflow sets both in one activation); the first booking's is later than its trail time (the
 * meeting starts once the hand-off — CRM writes, intro email — is done, and reminders due before are
 * skipped), so it comes from the record: `meeting.bookedAt` for the time that stands, `earlier[k]`
 * (as the buyer saw it) for one moved away from. `earlier[k].start` likewise is version k+1's start.
 * (An offer that expired also goes back from `rescheduling` to `booked` without a new time: after
 * replyTimeout, 24 h, never inside a test run.)
 */
export function meetingVersions(s: Pick<LeadStatus, 'events' | 'booking' | 'stage' | 'meeting'>, earlier: EarlierTime[] = []): MeetingVersion[] {
  const trail = stageTrail(s);
  const versions: MeetingVersion[] = [];
  for (let k = 1; k < trail.length; k++) {
    const { stage, at } = trail[k]!;
    if (stage === 'booked' && (trail[k - 1]!.stage === 'booking' || trail[k - 1]!.stage === 'rescheduling')) {
      const previous = versions.at(-1);
      if (previous) previous.endedAt = at;
      versions.push({ version: versions.length + 1, start: NaN, bookedAt: at, endedAt: null });
    }
  }
  const canceled = trail.find((t) => t.stage === 'canceled');
  const last = versions.at(-1);
  if (last && canceled) last.endedAt = canceled.at;
  versions.forEach((v, k) => {
    const current = k === versions.length - 1;
    v.start = earlier[k]?.start ?? (current && s.booking ? Date.parse(s.booking.start) : NaN);
    if (current && s.meeting) v.bookedAt = Date.parse(s.meeting.bookedAt);
    else if (k === 0) v.bookedAt = earlier[0]?.bookedAt ?? NaN;
  });
  return versions;
}

/** Booked, but the hand-off (CRM writes, the intro email) is not done yet: the meeting's life has not started. */
export const handOffPending = (s: Pick<LeadStatus, 'booking' | 'meeting' | 'stage'>) => s.booking !== null && s.meeting === null && s.stage === 'booked';

/** When each reminder of a version comes due, for those its booking did not skip (the workflow's rule). */
function dueReminders(v: MeetingVersion, offsets: readonly number[]): { offset: number; at: number }[] {
  return offsets.map((offset) => ({ offset, at: v.start - offset })).filter((r) => r.at >= v.bookedAt && r.at < v.start);
}

/**
 * The reminder of the standing meeting that a move or cancel sent now would race, if any: due
 * (unsent) within REMINDER_GUARD_MS, or overdue and not sent yet. `null`: free to act.
 */
export function reminderInTheWay(s: LeadStatus, offsets: readonly number[], now: number): { offset: number; at: number } | null {
  const current = meetingVersions(s).at(-1);
  if (!current || !s.meeting) return null;
  return dueReminders(current, offsets).find((r) => !s.meeting!.remindersSent.includes(r.offset) && r.at <= now + REMINDER_GUARD_MS) ?? null;
}

/**
 * Why a buyer holds a move or a cancel back now, or null to go ahead: the hand-off is not done
 * (when the meeting's reminders count from is not known yet), or a reminder is in the way.
 */
export function changeHeldBack(s: LeadStatus, offsets: readonly number[], now: number): string | null {
  if (handOffPending(s)) return 'the hand-off is not done';
  const r = reminderInTheWay(s, offsets, now);
  return r ? `the ${r.offset / 3_600_000} h reminder is due at ${new Date(r.at).toISOString()}` : null;
}

/** Every reminder time of these versions that can still come due, for the audit's settling wait. */
export function reminderTimes(versions: MeetingVersion[], offsets: readonly number[]): number[] {
  return versions.flatMap((v) => dueReminders(v, offsets).filter((r) => v.endedAt === null || r.at < v.endedAt).map((r) => r.at));
}

/**
 * How long to wait before auditing at `now` so that every reminder is clearly sent or clearly not
 * yet due: none may have come due in the last `settleMs` (its email may still be on its way).
 */
export function settleWait(times: number[], now: number, settleMs: number): number {
  const recent = times.filter((t) => t <= now && t > now - settleMs);
  return recent.length === 0 ? 0 : Math.max(...recent) + settleMs - now;
}

/**
 * The emails a lead must have sent, as keys after `<workflow id>/<run id>/`: the intro email once
 * booked; per version, the reminders that came due while it stood; a rep notice for each move
 * (`moved-<v>`) and the cancel (`canceled-<v>`).
 */
export function expectedEmails(o: { booked: boolean; versions: MeetingVersion[]; canceled: boolean; offsets: readonly number[]; auditAt: number }): string[] {
  const keys: string[] = o.booked ? ['intro-email'] : [];
  o.versions.forEach((v, k) => {
    for (const r of dueReminders(v, o.offsets)) {
      if (r.at <= o.auditAt && (v.endedAt === null || r.at < v.endedAt)) keys.push(`reminder/${v.version}/${r.offset}`);
    }
    if (k < o.versions.length - 1) keys.push(`rep-notice/moved-${v.version}`);
  });
  if (o.canceled && o.versions.length > 0) keys.push(`rep-notice/canceled-${o.versions.at(-1)!.version}`);
  return keys.sort();
}

export interface SentEmail {
  /** After `<workflow id>/<run id>/`. */
  what: string;
  to: string;
}

/** Emails in the embedded outbox, per lead workflow id (every key starts with it). */
export function emailsByLead(db: DatabaseSync): Map<string, SentEmail[]> {
  const rows = db.prepare('SELECT email_key AS key, recipients FROM outbox').all() as unknown as { key: string; recipients: string }[];
  const byLead = new Map<string, SentEmail[]>();
  for (const r of rows) {
    const [workflowId, , ...rest] = r.key.split('/');
    const to = (JSON.parse(r.recipients) as { email: string }[]).map((p) => p.email).join(',');
    byLead.set(workflowId!, [...(byLead.get(workflowId!) ?? []), { what: rest.join('/'), to }]);
  }
  return byLead;
}

export interface LeadCalendar {
  /** Each attendee's copy of a live event. */
  copies: { key: string; repId: string; start: number; end: number }[];
  /** The events Baton booked for the lead, live or cancelled. */
  bookings: { eventId: string; key: string; status: string; start: number }[];
}

/** The embedded calendar, per lead workflow id (event keys start with it); seeded blocks left out. */
export function calendarByLead(db: DatabaseSync): Map<string, LeadCalendar> {
  const byLead = new Map<string, LeadCalendar>();
  const of = (key: string) => {
    const id = key.split('/')[0]!;
    if (!byLead.has(id)) byLead.set(id, { copies: [], bookings: [] });
    return byLead.get(id)!;
  };
  const copies = db.prepare(`SELECT event_key AS key, rep_id AS repId, start_ms AS start, end_ms AS end FROM calendar_events WHERE event_key NOT LIKE 'seed:%'`).all() as unknown as LeadCalendar['copies'];
  for (const c of copies) of(c.key).copies.push(c);
  const bookings = db.prepare('SELECT event_id AS eventId, event_key AS key, status, start_ms AS start FROM calendar_bookings').all() as unknown as LeadCalendar['bookings'];
  for (const b of bookings) of(b.key).bookings.push(b);
  return byLead;
}

/**
 * What is wrong with one lead's calendar and outbox after the run (nothing: []). A booked lead has
 * one live event, at its latest time, with a copy per attendee, and no other; a canceled one has
 * its one event cancelled and no copy left; a lead never booked has none. The emails are exactly
 * `expectedEmails`, the buyer's to the buyer and the notices to the meeting's reps.
 */
export function auditLead(o: {
  status: LeadStatus;
  buyerEmail: string;
  versions: MeetingVersion[];
  calendar: LeadCalendar | undefined;
  emails: SentEmail[] | undefined;
  offsets: readonly number[];
  auditAt: number;
  repEmail: (repId: string) => string;
}): string[] {
  const { status: s } = o;
  const problems: string[] = [];
  const copies = o.calendar?.copies ?? [];
  const bookings = o.calendar?.bookings ?? [];
  const at = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
  const canceled = s.stage === 'canceled';
  const live = s.booking !== null && (s.stage === 'booked' || s.stage === 'rescheduling');

  if (s.booking && !live && !canceled) problems.push(`has a booking but ended in ${s.stage}`);
  if (live) {
    const b = s.booking!;
    const keys = new Set(copies.map((c) => c.key));
    if (keys.size !== 1) problems.push(`${keys.size} live calendar events, expected 1 (${[...keys].join(', ')})`);
    const wrong = copies.filter((c) => c.start !== Date.parse(b.start) || c.end !== Date.parse(b.end));
    if (wrong.length > 0) problems.push(`calendar event at ${at(wrong[0]!.start)}, the booking says ${b.start}`);
    const reps = copies.map((c) => c.repId).sort();
    if (reps.join() !== [...b.attendees].sort().join()) problems.push(`event copies for ${reps.join(', ')}, attendees are ${b.attendees.join(', ')}`);
    const confirmed = bookings.filter((x) => x.status === 'confirmed');
    if (confirmed.length !== 1 || confirmed[0]!.eventId !== b.eventId) problems.push(`confirmed events ${JSON.stringify(confirmed)}, the booking's is ${b.eventId}`);
    if (bookings.length !== 1) problems.push(`${bookings.length} events booked in all (a second event instead of a move?)`);
  } else if (canceled) {
    if (copies.length > 0) problems.push(`canceled, yet ${copies.length} calendar copies remain (an orphan)`);
    if (bookings.length !== 1 || bookings[0]!.status !== 'cancelled') problems.push(`canceled, its events: ${JSON.stringify(bookings)}`);
  } else if (copies.length > 0 || bookings.length > 0) {
    problems.push(`never booked, yet ${copies.length} calendar copies and ${bookings.length} events`);
  }
  if (s.booking && o.versions.some((v) => !Number.isFinite(v.start))) problems.push(`meeting versions with unknown times: ${JSON.stringify(o.versions)}`);
  if (s.meeting && o.versions.length - 1 !== s.meeting.reschedules) problems.push(`${o.versions.length} meeting versions, but ${s.meeting.reschedules} reschedules`);

  const expected = expectedEmails({ booked: s.booking !== null, versions: o.versions, canceled, offsets: o.offsets, auditAt: o.auditAt });
  const sent = (o.emails ?? []).map((e) => e.what).sort();
  if (sent.join('\n') !== expected.join('\n')) {
    const missing = expected.filter((k) => !sent.includes(k));
    const extra = sent.filter((k) => !expected.includes(k));
    const reminders = o.versions.map((v) => `v${v.version} ${at(v.start)} booked ${at(v.bookedAt)}${v.endedAt ? ` ended ${at(v.endedAt)}` : ''}`).join('; ');
    problems.push(`emails: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}] (${reminders}; audit ${at(o.auditAt)})`);
  }
  const buyer = o.buyerEmail.toLowerCase();
  const reps = (s.booking?.attendees ?? []).map(o.repEmail).sort().join(',');
  for (const e of o.emails ?? []) {
    const to = e.what.startsWith('rep-notice/') ? reps : buyer;
    if (e.what.startsWith('rep-notice/') ? e.to.split(',').sort().join(',') !== to : e.to !== to) problems.push(`${e.what} went to ${e.to}, expected ${to}`);
  }
  return problems;
}
