/** Working hours of one weekday, in minutes after local midnight. Weekday is ISO: 1 = Monday. */
export interface DayHours {
  weekday: number;
  startMinute: number;
  endMinute: number;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SPAN = /^([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/i;

function dayIndex(name: string): number {
  return DAYS.indexOf(name.toLowerCase() as (typeof DAYS)[number]);
}

/**
 * Parses "Mon-Fri 09:00-17:00" or "Mon-Thu 08:00-16:00, Fri 08:00-12:00".
 * Returns the parsed hours, or a message saying what was expected.
 */
export function parseWorkingHours(text: string): DayHours[] | string {
  const hours: DayHours[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = SPAN.exec(part);
    if (!m) return `"${part}" is not like "Mon-Fri 09:00-17:00"`;
    const [, fromDay, toDay, sh, sm, eh, em] = m as unknown as string[];
    const first = dayIndex(fromDay!);
    const last = toDay ? dayIndex(toDay) : first;
    if (first < 0 || last < 0) return `"${part}" names an unknown weekday (expected Mon..Sun)`;
    if (last < first) return `"${part}" runs backwards (expected e.g. Mon-Fri)`;
    const startMinute = Number(sh) * 60 + Number(sm);
    const endMinute = Number(eh) * 60 + Number(em);
    if (Number(sm) > 59 || Number(em) > 59 || endMinute > 24 * 60 || startMinute >= endMinute) {
      return `"${part}" has an invalid time range (expected HH:MM-HH:MM, start before end)`;
    }
    for (let d = first; d <= last; d++) {
      if (hours.some((h) => h.weekday === d + 1)) return `"${part}" repeats ${DAYS[d]}`;
      hours.push({ weekday: d + 1, startMinute, endMinute });
    }
  }
  return hours.sort((a, b) => a.weekday - b.weekday);
}
