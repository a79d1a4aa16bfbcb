/**
 * A booked meeting's own timeline, decided purely from what happened so far: when each reminder
 * goes out, when the reps' side is checked, when the rep is asked how it went, and when Baton stops
 * waiting for an answer. The lead workflow sleeps until the next of these (timers only: an idle
 * lead costs no worker time), or until the buyer or the rep says something first.
 */

/** How often, before the meeting, the reps' calendars and PTO are checked (at least once a day). */
export const CHECK_EVERY_MS = 24 * 3_600_000;
/** The last check runs this long before the start: late enough to catch a sick day, early enough to find a cover. */
export const FINAL_CHECK_BEFORE_MS = 3 * 3_600_000;
/** After the meeting ends, how long Baton keeps waiting for its outcome before closing it as unconfirmed. */
export const OUTCOME_WAIT_MS = 7 * 86_400_000;

export interface MeetingProgress {
  start: number;
  end: number;
  /** When this version of the meeting was booked (or moved): reminders due before it are skipped. */
  bookedAt: number;
  /** Reminder offsets before the start (team.yaml `reminders`), e.g. [24h, 1h]. */
  reminders: number[];
  /** Offsets already sent for this version. */
  remindersSent: number[];
  /** When the reps' side was last checked (null: never for this version). */
  lastCheckAt: number | null;
  finalCheckDone: boolean;
  outcomeAfterMs: number;
  outcomeAsked: boolean;
}

export type MeetingDuty =
  | { kind: 'reminder'; at: number; offsetMs: number }
  | { kind: 'check'; at: number; final: boolean }
  | { kind: 'ask_outcome'; at: number }
  | { kind: 'give_up'; at: number };

/**
 * Reminders still to send, earliest first. A reminder whose time had passed when the meeting was
 * booked is skipped (a meeting booked 30 minutes ahead gets no "24h" reminder, nor a "1h" one right
 * after the confirmation); one that comes due while nothing ran (a worker restart) still goes out
 * late, as long as the meeting has not started.
 */
export function pendingReminders(m: MeetingProgress): { at: number; offsetMs: number }[] {
  return m.reminders
    .filter((offset) => !m.remindersSent.includes(offset))
    .map((offsetMs) => ({ at: m.start - offsetMs, offsetMs }))
    .filter((r) => r.at >= m.bookedAt && r.at < m.start)
    .sort((a, b) => a.at - b.at);
}

/** The next check of the reps' side before the meeting: daily, and once a few hours before; none after the start. */
export function nextCheck(m: MeetingProgress): { at: number; final: boolean } | null {
  const finalAt = m.start - FINAL_CHECK_BEFORE_MS;
  const daily = (m.lastCheckAt ?? m.bookedAt) + CHECK_EVERY_MS;
  if (daily < finalAt) return { at: daily, final: false };
  if (!m.finalCheckDone && m.bookedAt < finalAt) return { at: finalAt, final: true };
  return null;
}

/** Everything still ahead for this meeting, earliest first; the first is what the lead waits for. */
export function meetingDuties(m: MeetingProgress): MeetingDuty[] {
  const duties: MeetingDuty[] = pendingReminders(m).map((r) => ({ kind: 'reminder', ...r }));
  const check = nextCheck(m);
  if (check) duties.push({ kind: 'check', ...check });
  if (!m.outcomeAsked) duties.push({ kind: 'ask_outcome', at: m.end + m.outcomeAfterMs });
  duties.push({ kind: 'give_up', at: m.end + OUTCOME_WAIT_MS });
  // Ties: a reminder before a check before the outcome; the sort is stable.
  return duties.sort((a, b) => a.at - b.at);
}

/** The buyer asks to move the meeting this close to its start: the rep handles it (a task) instead. */
export function insideCutoff(now: number, start: number, cutoffMs: number): boolean {
  return start - now < cutoffMs;
}
