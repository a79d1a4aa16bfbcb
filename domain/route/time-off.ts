/**
 * Which calendar entries mean the rep is away (PTO), as opposed to merely busy. Pure.
 *
 * The rule, and why:
 * - An out-of-office event (Google's `eventType: outOfOffice`) is time off.
 * - An all-day event on the rep's own calendar is time off when it blocks the day (busy), or when
 *   its title says so (vacation, holiday, PTO, OOO, out of office, time off, day off, ... leave),
 *   even if it is marked free: the Calendar UI creates all-day events as free by default, so the
 *   "Vacation" a rep types into their calendar would otherwise count for nothing. Chili Piper treats
 *   an all-day busy block as vacation, Cal.com counts all-day busy events as out of office.
 * - An all-day event marked free with any other title (a birthday, "Company offsite starts",
 *   "Working from Lisbon") is not; nor is a timed event, whatever its title (it is busy time, which
 *   free/busy already blocks); nor an invitation the rep declined.
 */
import { phraseAlternation, WB_END, WB_START } from '../text-match';

export interface CalendarEntry {
  allDay: boolean;
  /** Blocks time (Google: `transparency` absent or `opaque`). */
  busy: boolean;
  title?: string;
  /** Provider event type; `outOfOffice` for Google's out-of-office events. */
  eventType?: string;
  /** The rep declined this invitation. */
  declined?: boolean;
}

export const TIME_OFF_TITLES = [
  'vacation', 'vacances', 'holiday', 'holidays', 'bank holiday', 'public holiday',
  'pto', 'ooo', 'out of office', 'out-of-office', 'out of the office',
  'time off', 'day off', 'days off', 'off work',
  'annual leave', 'parental leave', 'maternity leave', 'paternity leave', 'sick leave', 'sick day', 'on leave',
];

const TITLE = new RegExp(`${WB_START}(?:${phraseAlternation(TIME_OFF_TITLES)})${WB_END}`, 'iu');

/** Does the title say the rep is away? ("Vacation 🌴", "PTO - Lisbon", "OOO", "Out of office") */
export function titleSaysTimeOff(title: string | undefined): boolean {
  return !!title && TITLE.test(title);
}

/** Does this calendar entry mean the rep is on PTO for its span? See the rule above. */
export function countsAsTimeOff(entry: CalendarEntry): boolean {
  if (entry.declined) return false;
  if (entry.eventType === 'outOfOffice') return true;
  if (!entry.allDay) return false;
  return entry.busy || titleSaysTimeOff(entry.title);
}
