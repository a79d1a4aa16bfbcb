/**
 * Reading a buyer's message, the tools: what a clause is made of (Clause), the zone and day it is
 * read against (Env), clock times, and a Scanner that takes each pattern out of the text once
 * read, so later patterns do not read it again. Pure.
 */
import { DateTime } from 'luxon';
import { addDays } from '../schedule/local-time';

export type DateSel = { kind: 'date'; date: string } | { kind: 'weekday'; weekday: number; date: string };

export interface TimeSel {
  minute: number;
  /** The other half of the day when am/pm was not said ("at 2"). */
  alt?: number;
}

/** Inclusive local dates; an open end is left out ("until Thursday" has no `from`). */
export interface DateRange {
  from?: string;
  to?: string;
}

export interface Clause {
  text: string;
  negated: boolean;
  dates: DateSel[];
  ranges: DateRange[];
  times: TimeSel[];
  part?: [number, number];
  after?: number;
  before?: number;
  weekend: boolean;
  ordinals: number[];
  outOfRange: number[];
  /** A weekday said in the plural ("Mondays") or a habit word: true of every week, not one day. */
  standing: boolean;
  /** "Monday morning or Wednesday afternoon": the pieces, each with its own day and time. */
  alternatives?: Clause[];
}

export interface Env {
  zone: string;
  /** The zone's UTC offset at `now`, minutes (what chrono-node takes). */
  offset: number;
  now: number;
  today: string;
  todayWeekday: number;
  count: number;
}

/** Local minutes after midnight for parts of the day. */
export const PARTS_OF_DAY = {
  morning: [8 * 60, 12 * 60],
  afternoon: [12 * 60, 17 * 60],
  evening: [17 * 60, 20 * 60],
  lunch: [11 * 60 + 30, 13 * 60 + 30],
} as const;

export function envAt(zone: string, now: number, count: number): Env {
  const local = DateTime.fromMillis(now, { zone });
  return { zone, offset: local.offset, now, today: local.toISODate()!, todayWeekday: local.weekday, count };
}

export function hasSelection(c: Clause): boolean {
  return c.dates.length > 0 || c.times.length > 0 || !!c.part || c.after !== undefined || c.before !== undefined || c.weekend;
}

export function hasContent(c: Clause): boolean {
  return hasSelection(c) || c.ranges.length > 0 || c.ordinals.length > 0 || c.outOfRange.length > 0;
}

/** Clock time -> minutes, guessing am/pm for business hours when it was not said. */
export function clock(hourText: string, minuteText: string | undefined, meridiem: string | undefined): TimeSel | null {
  let hour = Number(hourText);
  const minute = minuteText ? Number(minuteText) : 0;
  if (!Number.isInteger(hour) || minute > 59 || hour > 24) return null;
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    if (meridiem.startsWith('p') && hour !== 12) hour += 12;
    if (meridiem.startsWith('a') && hour === 12) hour = 0;
    return { minute: hour * 60 + minute };
  }
  if (hour === 0 || hour >= 13) return { minute: (hour % 24) * 60 + minute };
  if (hour === 12) return { minute: 720 + minute, alt: minute };
  if (hour <= 7) return { minute: (hour + 12) * 60 + minute, alt: hour * 60 + minute };
  return { minute: hour * 60 + minute, alt: (hour + 12) * 60 + minute };
}

export const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };
/** Replaces a matched span with spaces so later patterns do not read it again. */
export function mask(text: string, index: number, length: number): string {
  return text.slice(0, index) + ' '.repeat(length) + text.slice(index + length);
}

export function nextWeekday(env: Env, weekday: number, minDays = 0): string {
  let d = (weekday - env.todayWeekday + 7) % 7;
  if (d < minDays) d += 7;
  return addDays(env.today, d);
}

export function mondayOf(env: Env, weeksAhead: number): string {
  return addDays(env.today, 1 - env.todayWeekday + 7 * weeksAhead);
}

/** The global twin of a pattern, built once per pattern text (the patterns are literals in analyseClause). */
const GLOBAL = new Map<string, RegExp>();
function globalOf(re: RegExp): RegExp {
  const key = `${re.flags}/${re.source}`;
  let g = GLOBAL.get(key);
  if (!g) {
    g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    GLOBAL.set(key, g);
  }
  g.lastIndex = 0;
  return g;
}

/** A clause's text, padded with a space each side; what a pattern matched is blanked once read. */
export class Scanner {
  text: string;
  constructor(raw: string) {
    this.text = ` ${raw} `;
  }
  /** Every match of `re` (global or not), each handed to `fn` and then blanked out. */
  take(re: RegExp, fn: (m: RegExpExecArray) => void): void {
    const g = globalOf(re);
    let m: RegExpExecArray | null;
    const found: RegExpExecArray[] = [];
    while ((m = g.exec(this.text))) {
      found.push(m);
      if (m[0].length === 0) g.lastIndex++;
    }
    for (const f of found) {
      fn(f);
      this.mask(f.index, f[0].length);
    }
  }
  mask(index: number, length: number): void {
    this.text = mask(this.text, index, length);
  }
}
