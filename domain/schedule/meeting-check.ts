/**
 * The check of the reps' side before a booked meeting: who can no longer make it, and why. Pure:
 * the activity loads the event, the calendars and the team, and acts on the answer (a cover, or
 * new times for the buyer).
 */
import { isOnPtoDuring } from '../route/availability';
import type { Rep } from '../team/config';
import type { Busy } from './slots';

export type AwayReason = 'pto' | 'ooo' | 'declined' | 'gone';

export interface Away {
  repId: string;
  reason: AwayReason;
}

export interface MeetingCheckInput {
  meeting: { start: number; end: number };
  /** The reps at the meeting (the organizer first). */
  reps: Rep[];
  /** Each rep's blocks around the meeting (out-of-office ones count). */
  calendars: Record<string, Busy[]>;
  /** The event as the calendar has it now: null when it was deleted from the organizer's calendar. */
  event: { status: 'confirmed' | 'cancelled'; responses: Record<string, string> } | null;
}

/**
 * Reps who will not be at the meeting: on PTO in team.yaml, out of office in their calendar, or who
 * declined or deleted the invite. A deleted or cancelled event leaves every rep away ("gone").
 */
export function awayAtMeeting(input: MeetingCheckInput): Away[] {
  const { meeting, reps, calendars, event } = input;
  if (!event || event.status === 'cancelled') return reps.map((r) => ({ repId: r.id, reason: 'gone' }));
  const away: Away[] = [];
  for (const rep of reps) {
    const ooo = (calendars[rep.id] ?? []).filter((b) => b.type === 'ooo');
    const response = event.responses[rep.email.toLowerCase()];
    if (response === 'declined') away.push({ repId: rep.id, reason: 'declined' });
    else if (response === 'gone') away.push({ repId: rep.id, reason: 'gone' });
    else if (ooo.some((o) => o.start < meeting.end && meeting.start < o.end)) away.push({ repId: rep.id, reason: 'ooo' });
    else if (isOnPtoDuring(rep, meeting.start, meeting.end)) away.push({ repId: rep.id, reason: 'pto' });
  }
  return away;
}
