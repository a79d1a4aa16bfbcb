/**
 * Working hours as team.yaml writes them, in the rep's own zone:
 *
 *   Mon-Fri 09:00-17:00
 *   Mon-Thu 08:00-12:00, Mon-Thu 13:00-16:00, Fri 08:00-12:00     (a lunch break)
 *   Mon-Fri 09:00-12:00, 13:00-17:00                               (a range with no days keeps the days before it)
 *   Mon, Wed, Fri 10:00-14:00    Sun-Thu 09:00-17:00 (day ranges may wrap)    weekdays 09:00-17:00
 *   24/7  (= Mon-Sun 00:00-24:00)    none  (a rep who takes no meetings)
 *
 * Decisions: ranges on one day that overlap are refused, naming both (an overlap is usually a typo
 * or an override Baton will not guess at); ranges that only touch (09:00-12:00, 12:00-13:00) are one
 * stretch of working time and are joined, across midnight too (a meeting may run 23:30-00:30 for a
 * rep who works both sides of it). A range never crosses midnight itself: 22:00-06:00 is refused
 * with the two ranges that say it.
 */

/** Working hours of one weekday, in minutes after local midnight. Weekday is ISO: 1 = Monday. */
export interface DayHours {
  weekday: number;
  startMinute: number;
  endMinute: number;
}

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const ALIASES: Record<string, number[]> = {
  weekdays: [1, 2, 3, 4, 5],
  weekends: [6, 7],
  weekend: [6, 7],
  daily: [1, 2, 3, 4, 5, 6, 7],
};
const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;
const EXAMPLE = '"Mon-Fri 09:00-17:00"';
/** A time range at the end of a part: 09:00-17:00, 9:00 – 17:00, 09.00 to 17.00. */
const TIME_RANGE = /(\d{1,2})[:.](\d{2})\s*(?:-|–|—|\bto\b)\s*(\d{1,2})[:.](\d{2})$/i;

interface Range {
  days: number[];
  startMinute: number;
  endMinute: number;
  /** The part of the text that said it, for error messages. */
  source: string;
  /** Position in the text, to name overlapping ranges in the order they were written. */
  order: number;
}

/** 1..7 for a weekday name ("Mon", "tues", "Thursday", "Mo", "Fridays"), else 0. */
function dayNumber(word: string): number {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 2) return 0;
  const i = DAY_NAMES.findIndex((name) => name.startsWith(w) || (w.length > 2 && w.endsWith('s') && name.startsWith(w.slice(0, -1))));
  return i + 1;
}

function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** The ISO weekdays a days text names ("Mon-Fri", "Mon, Wed", "Sun-Thu", "weekdays"), or an error. */
function parseDays(text: string, part: string): number[] | string {
  const normal = text.replace(/every\s*day/gi, 'daily').replace(/\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b)\s*/gi, '-');
  const days = new Set<number>();
  for (const token of normal.split(/[\s/&+]+|\band\b/i).filter(Boolean)) {
    const alias = ALIASES[token.toLowerCase()];
    if (alias) {
      alias.forEach((d) => days.add(d));
      continue;
    }
    const [from, to, extra] = token.split('-');
    const first = dayNumber(from ?? '');
    const last = to === undefined ? first : dayNumber(to);
    if (extra !== undefined || !first || !last) {
      const bad = [from, to].find((w) => w !== undefined && !dayNumber(w)) ?? token;
      return `"${part}": "${bad}" is not a weekday (expected Mon, Tue, Wed, Thu, Fri, Sat, Sun, or a range such as Mon-Fri)`;
    }
    if (to !== undefined && first === last) {
      return `"${part}" starts and ends on ${SHORT[first - 1]}: write "${SHORT[first - 1]}" for one day or "Mon-Sun" for the whole week`;
    }
    // A range runs forward through the week and may wrap: Sun-Thu is Sun, Mon, Tue, Wed, Thu.
    for (let d = first; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** Minutes after midnight for "HH" and "MM", or an error naming the time. */
function minuteOf(h: string, m: string, part: string): number | string {
  const hour = Number(h);
  const minute = Number(m);
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) {
    return `"${part}": ${h}:${m} is not a time of day (expected 00:00 to 24:00)`;
  }
  return hour * 60 + minute;
}

/** One comma-separated part: days and a time range, days only, or a time range only. */
function parsePart(part: string, carried: number[] | null, pending: number[]): Range | number[] | string {
  const time = TIME_RANGE.exec(part);
  if (!time) {
    if (/\d/.test(part)) {
      return `"${part}": expected the times as HH:MM-HH:MM on a 24-hour clock, e.g. ${EXAMPLE}`;
    }
    return parseDays(part, part);
  }
  const daysText = part.slice(0, time.index).trim();
  let days: number[];
  if (daysText) {
    const parsed = parseDays(daysText, part);
    if (typeof parsed === 'string') return parsed;
    days = [...new Set([...pending, ...parsed])].sort((a, b) => a - b);
  } else if (pending.length > 0) {
    days = pending;
  } else if (carried) {
    days = carried;
  } else {
    return `"${part}" names no days: write e.g. ${EXAMPLE} (a range without days keeps the days of the range before it)`;
  }
  const [, sh, sm, eh, em] = time as unknown as [string, string, string, string, string];
  const startMinute = minuteOf(sh, sm, part);
  if (typeof startMinute === 'string') return startMinute;
  const endMinute = minuteOf(eh, em, part);
  if (typeof endMinute === 'string') return endMinute;
  if (startMinute === endMinute) return `"${part}" is empty: it starts and ends at ${clock(startMinute)}`;
  if (endMinute < startMinute) {
    const evening = `${formatDays(days).join(', ')} ${clock(startMinute)}-24:00`;
    const morning = `${formatDays(days.map((d) => (d % 7) + 1)).join(', ')} 00:00-${clock(endMinute)}`;
    return `"${part}" ends before it starts: a range cannot cross midnight; write its two sides, "${evening}, ${morning}"`;
  }
  if (startMinute === DAY_MINUTES) return `"${part}": a range cannot start at 24:00`;
  return { days, startMinute, endMinute, source: part, order: 0 };
}

/**
 * Parses working hours (see the file comment for what is accepted). Returns the hours sorted by
 * weekday and start, touching ranges joined (an empty list for "none"), or a message saying what
 * was wrong and what would work.
 */
export function parseWorkingHours(text: string): DayHours[] | string {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (!trimmed) return `is empty: write working hours like ${EXAMPLE}, or "none" for a rep who takes no meetings`;
  if (lower === 'none') return [];
  if (lower === '24/7') return [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinute: 0, endMinute: DAY_MINUTES }));

  const ranges: Range[] = [];
  let pending: number[] = [];
  let pendingSource = '';
  for (const part of trimmed.split(/[,;]/).map((p) => p.trim()).filter(Boolean)) {
    if (/^(none|24\/7)$/i.test(part)) return `"${part}" cannot be combined with other hours in "${trimmed}"`;
    const parsed = parsePart(part, ranges.at(-1)?.days ?? null, pending);
    if (typeof parsed === 'string') return parsed;
    if (Array.isArray(parsed)) {
      pending = [...new Set([...pending, ...parsed])];
      pendingSource = part;
      continue;
    }
    ranges.push({ ...parsed, order: ranges.length });
    pending = [];
  }
  if (pending.length > 0) return `"${pendingSource}" names days but no hours: write e.g. "${pendingSource} 09:00-17:00"`;
  return joinDays(ranges);
}

/** Per weekday: refuse overlaps (naming both ranges), join touching ranges, sort. */
function joinDays(ranges: Range[]): DayHours[] | string {
  const out: DayHours[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    const today = ranges.filter((r) => r.days.includes(weekday)).sort((a, b) => a.startMinute - b.startMinute);
    let last: (DayHours & Pick<Range, 'source' | 'order'>) | undefined;
    for (const r of today) {
      if (last && r.startMinute < last.endMinute) {
        const [a, b] = last.order < r.order ? [last, r] : [r, last];
        return (
          `"${a.source}" and "${b.source}" overlap on ${SHORT[weekday - 1]}: ranges on one day must not overlap ` +
          `(ranges that only touch, like 09:00-12:00 and 12:00-13:00, are joined)`
        );
      }
      if (last && r.startMinute === last.endMinute) {
        // Anything later that overlaps the joined stretch overlaps this range (sorted by start).
        Object.assign(last, { endMinute: r.endMinute, source: r.source, order: r.order });
        continue;
      }
      if (last) out.push({ weekday, startMinute: last.startMinute, endMinute: last.endMinute });
      last = { weekday, startMinute: r.startMinute, endMinute: r.endMinute, source: r.source, order: r.order };
    }
    if (last) out.push({ weekday, startMinute: last.startMinute, endMinute: last.endMinute });
  }
  return out;
}

/** Weekdays as runs in week order, wrapping when that makes one run: [5,6,7,1] -> "Fri-Mon". */
function formatDays(days: number[]): string[] {
  const has = new Set(days);
  if (has.size === 7) return ['Mon-Sun'];
  // Start after a day that is off, so a run over Sunday into Monday stays one run.
  const off = [1, 2, 3, 4, 5, 6, 7].find((d) => !has.has(d))!;
  const runs: { first: number; text: string }[] = [];
  let runStart = 0;
  for (let k = 1; k <= 7; k++) {
    const d = ((off - 1 + k) % 7) + 1;
    const next = (d % 7) + 1;
    if (!has.has(d)) continue;
    if (!runStart) runStart = d;
    if (!has.has(next)) {
      runs.push({ first: runStart, text: runStart === d ? SHORT[d - 1]! : `${SHORT[runStart - 1]}-${SHORT[d - 1]}` });
      runStart = 0;
    }
  }
  return runs.sort((a, b) => a.first - b.first).map((r) => r.text);
}

/** The canonical text of parsed hours ("none" when empty); parseWorkingHours reads it back unchanged. */
export function formatWorkingHours(hours: DayHours[]): string {
  if (hours.length === 0) return 'none';
  const byRange = new Map<string, { start: number; end: number; days: number[] }>();
  for (const h of hours) {
    const key = `${h.startMinute}-${h.endMinute}`;
    const entry = byRange.get(key) ?? { start: h.startMinute, end: h.endMinute, days: [] };
    entry.days.push(h.weekday);
    byRange.set(key, entry);
  }
  const parts: string[] = [];
  const ordered = [...byRange.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const r of ordered) for (const days of formatDays(r.days)) parts.push(`${days} ${clock(r.start)}-${clock(r.end)}`);
  return parts.join(', ');
}

/**
 * The longest stretch of working time in minutes, ranges that touch joined, across midnight and
 * from Sunday into Monday (a week of 00:00-24:00 is one stretch of 7 days).
 */
export function longestStretchMinutes(hours: DayHours[]): number {
  const spans = hours
    .map((h) => ({ start: (h.weekday - 1) * DAY_MINUTES + h.startMinute, end: (h.weekday - 1) * DAY_MINUTES + h.endMinute }))
    .sort((a, b) => a.start - b.start);
  const joined: { start: number; end: number }[] = [];
  for (const s of spans) {
    const last = joined.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else joined.push({ ...s });
  }
  if (joined.length > 1 && joined[0]!.start === 0 && joined.at(-1)!.end === WEEK_MINUTES) {
    joined[0]!.start = joined.at(-1)!.start - WEEK_MINUTES;
    joined.pop();
  }
  return Math.max(0, ...joined.map((s) => s.end - s.start));
}

export const WORKING_HOURS_EXAMPLE = EXAMPLE;
