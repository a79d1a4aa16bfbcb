/**
 * Reading a buyer's message, part 3: what one clause says about time. Options ("the second one"),
 * clock times, parts of the day, boundaries ("after 3", "until Thursday", "after the 15th"), days
 * (chrono-node, in the clause's zone), weeks and months ("early next week", "sometime in January").
 *
 * Pure: `now` and the zone come in through Env.
 */
// English only: the package's main entry loads every locale, and the workflow sandbox evaluates
// the workflow's imports again for each lead.
import * as chrono from 'chrono-node/en';
import { DateTime } from 'luxon';
import { addDays, isoWeekday } from '../schedule/local-time';
import { NEGATION } from './reply-text';

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

/** Replaces a matched span with spaces so later patterns do not read it again. */
export function mask(text: string, index: number, length: number): string {
  return text.slice(0, index) + ' '.repeat(length) + text.slice(index + length);
}

function nextWeekday(env: Env, weekday: number, minDays = 0): string {
  let d = (weekday - env.todayWeekday + 7) % 7;
  if (d < minDays) d += 7;
  return addDays(env.today, d);
}

function mondayOf(env: Env, weeksAhead: number): string {
  return addDays(env.today, 1 - env.todayWeekday + 7 * weeksAhead);
}

const WEEKDAYS: [RegExp, number][] = [
  [/\bmon(?:day)?s?\b/, 1],
  [/\btues?(?:day)?s?\b/, 2],
  [/\bweds?(?:nesday)?s?\b/, 3],
  [/\bthu(?:r|rs)?(?:sday)?s?\b/, 4],
  [/\bfri(?:day)?s?\b/, 5],
  [/\bsaturdays?\b/, 6],
  [/\bsundays?\b/, 7],
];
const PLURAL_WEEKDAY = /\b(?:mon|tues|wednes|thurs|fri|satur|sun)days\b/;
const PLURAL_PART = /\b(?:mornings|afternoons|evenings)\b/;
const HABIT = /\b(?:usually|generally|typically|normally|always|mostly|in general|every|tend to)\b/;
const PREFERENCE = /\b(?:only|best|prefer\w*|ideally)\b/;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD = String.raw`(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)`;

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };
const ORDINAL_WORDS: Record<string, number> = {
  first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4, fifth: 5, '5th': 5,
};

/** What a word just before a date makes of it: a bound of a range rather than a day. */
const BOUND_BEFORE = /(?:^|\s)(until|till|til|through|thru|by|before|after|from|starting(?:\s+(?:on|from))?|beginning|as of|since|on or after)\s+(?:the\s+|on\s+)?$/;

interface FoundDate {
  sel: DateSel;
  index: number;
  end: number;
}

/** The next occurrence of a month (this one when we are in it): its first and last local dates. */
function monthRange(env: Env, month: number, modifier: string | undefined): DateRange {
  const today = DateTime.fromISO(env.today, { zone: 'UTC' });
  let first = today.set({ month, day: 1 });
  if (month < today.month) first = first.plus({ years: 1 });
  const last = first.endOf('month');
  const at = (d: number) => first.set({ day: Math.min(d, last.day) }).toISODate()!;
  let range: DateRange = { from: first.toISODate()!, to: last.toISODate()! };
  const m = modifier?.replace(/\s+/g, ' ').trim();
  if (m === 'early' || m === 'beginning of' || m === 'start of' || m === 'the beginning of' || m === 'the start of') range = { from: at(1), to: at(10) };
  else if (m === 'mid' || m === 'mid-' || m === 'the middle of' || m === 'middle of') range = { from: at(11), to: at(20) };
  else if (m === 'late' || m === 'end of' || m === 'the end of') range = { from: at(21), to: at(31) };
  else if (m === 'first week of' || m === 'the first week of') range = { from: at(1), to: at(7) };
  else if (m === 'last week of' || m === 'the last week of') range = { from: addDays(last.toISODate()!, -6), to: last.toISODate()! };
  if (range.from! < env.today) range.from = env.today;
  return range;
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

export function analyseClause(raw: string, env: Env): Clause {
  const c: Clause = {
    text: raw,
    negated: false,
    dates: [],
    ranges: [],
    times: [],
    weekend: false,
    ordinals: [],
    outOfRange: [],
    standing: false,
  };
  let text = ` ${raw} `;
  const take = (re: RegExp, fn: (m: RegExpExecArray) => void) => {
    const g = globalOf(re);
    let m: RegExpExecArray | null;
    const found: RegExpExecArray[] = [];
    while ((m = g.exec(text))) {
      found.push(m);
      if (m[0].length === 0) g.lastIndex++;
    }
    for (const f of found) {
      fn(f);
      text = mask(text, f.index, f[0].length);
    }
  };
  const ordinal = (n: number, explicit: boolean) => {
    if (n >= 1 && n <= env.count) c.ordinals.push(n);
    else if (explicit) c.outOfRange.push(n);
  };

  // --- ordinals ---------------------------------------------------------------------------
  take(/\b(?:option|choice|number|no\.|slot|#)\s*#?(\d{1,2}|one|two|three|four|five)\b(?!\s*(?:am|pm|:\d))/, (m) =>
    ordinal(NUMBER_WORDS[m[1]!] ?? Number(m[1]), true),
  );
  take(/(?:^|\s)#(\d{1,2})\b/, (m) => ordinal(Number(m[1]), true));
  take(
    // "after the 5th", "on the 3rd": a day of the month, read below.
    /(?<!\ba |\b(?:on|until|till|by|after|before|from|since|through|thru) (?:the )?(?=\d))\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b(?!\s+(?:thing|week|half|quarter|part|day of|of (?:the )?(?:month|next|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))/,
    (m) => ordinal(ORDINAL_WORDS[m[1]!]!, true),
  );
  take(/\b(?:the )?(?:last|final|latter|bottom)(?: one| option| slot| time)?\b(?!\s+(?:week|month|minute|time we|year))/, () =>
    ordinal(env.count, true),
  );
  take(/\bthe former\b|\b(?:the )?top (?:one|option)\b/, () => ordinal(1, true));
  if (env.count === 3) take(/\b(?:the )?middle(?: one| option| slot| time)?\b(?! of)/, () => ordinal(2, true));
  // "the earliest" alone is an option; "the earliest you have next week" asks for new times.
  const alone = String.raw`(?=\s*(?:$|one\b|option|slot|time\b|works?|please|is\b|then|sounds))`;
  take(new RegExp(String.raw`\b(?:the )?(?:earliest|soonest|earlier)(?: one| option| slot| time)\b|\bthe (?:earliest|soonest)\b${alone}`), () => ordinal(1, true));
  take(new RegExp(String.raw`\b(?:the )?(?:latest|later)(?: one| option| slot| time)\b|\bthe latest\b${alone}`), () => ordinal(env.count, true));
  // A bare number leading the clause ("2", "2 works", "let's do 2", "2 doesn't work"): an option
  // when in range and no day is named with it, else an hour ("3 on Thursday").
  const bare =
    /^\s*(?:(?:let's|lets|we'll|i'll|can we|could we|we can|i can)?\s*(?:do|take|choose|pick|go with|go for|book|prefer|want)\s+)?(\d{1,2})(?!\s*(?:am|pm|[:.]\d|o'?clock|st\b|nd\b|rd\b|th\b|\/|-\s*\d|days?|weeks?|mins?|minutes?|hours?|hrs?|people|of))\b([^\d]*)$/.exec(
      text,
    );
  if (bare) {
    const n = Number(bare[1]);
    const namesDay = /\b(?:on|tomorrow|today|tonight|mon|tue|wed|thu|fri|sat|sun|morning|afternoon|evening|next|this)/.test(bare[2]!);
    if (n >= 1 && n <= env.count && !namesDay) {
      c.ordinals.push(n);
      text = mask(text, bare.index, bare[0].length - bare[2]!.length);
    } else if (n >= 1 && n <= 12) {
      const t = clock(bare[1]!, undefined, undefined);
      if (t) c.times.push(t);
      text = mask(text, bare.index, bare[0].length - bare[2]!.length);
    }
  }

  // --- time ranges and boundaries ---------------------------------------------------------
  const HM = String.raw`(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?`;
  take(new RegExp(String.raw`\bbetween\s+${HM}\s+and\s+${HM}`), (m) => {
    const a = clock(m[1]!, m[2], m[3] ?? (m[6] && Number(m[1]) <= Number(m[4]) ? m[6] : undefined));
    const b = clock(m[4]!, m[5], m[6]);
    if (a && b) {
      c.after = a.minute;
      c.before = b.minute > a.minute ? b.minute : (b.alt ?? b.minute);
    }
  });
  take(new RegExp(String.raw`\b(?:from\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*(?:-|to|until|till)\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b`), (m) => {
    const b = clock(m[4]!, m[5], m[6]);
    let a = clock(m[1]!, m[2], m[3] ?? m[6]);
    if (a && b && a.minute >= b.minute && !m[3]) a = clock(m[1]!, m[2], m[6] === 'pm' ? 'am' : 'pm');
    if (a && b) {
      c.after = a.minute;
      c.before = b.minute;
    }
  });
  const BOUNDARY_TIME = String.raw`(?:${HM}|(noon|midday|lunch(?:time)?))`;
  const boundary = (m: RegExpExecArray): number | null => {
    if (m[4]) return m[4].startsWith('lunch') ? PARTS_OF_DAY.lunch[1] : 720;
    const t = clock(m[1]!, m[2], m[3]);
    return t ? t.minute : null;
  };
  // The hour must not be a day of the month ("after the 15th").
  const NOT_DAY = String.raw`(?!\d|st\b|nd\b|rd\b|th\b|\s*(?:days?|weeks?)\b)`;
  take(new RegExp(String.raw`\b(?:after|from|past|later than|any ?time after|starting(?: at| from)?|beginning at)\s+${BOUNDARY_TIME}${NOT_DAY}`), (m) => {
    const v = boundary(m);
    if (v !== null) c.after = v;
  });
  take(new RegExp(String.raw`\b(?:before|by|until|till|earlier than|ending by|up to)\s+${BOUNDARY_TIME}${NOT_DAY}`), (m) => {
    const v = boundary(m);
    if (v !== null) c.before = v;
  });

  // --- parts of the day ---------------------------------------------------------------------
  take(/\b(?:first thing|early morning|mornings?|morning time|a\.?m\.? slot|am)\b(?!\s*\d)/, () => (c.part = [...PARTS_OF_DAY.morning]));
  take(/\b(?:afternoons?|after lunch|pm slot)\b/, () => (c.part = [...PARTS_OF_DAY.afternoon]));
  take(/\btonight\b/, () => {
    c.part = [...PARTS_OF_DAY.evening];
    c.dates.push({ kind: 'date', date: env.today });
  });
  take(/\b(?:evenings?|end of (?:the )?day|eod)\b/, () => (c.part = [...PARTS_OF_DAY.evening]));
  take(/\b(?:lunch(?:time)?|midday)\b/, () => (c.part = [...PARTS_OF_DAY.lunch]));

  // --- week and month ranges ----------------------------------------------------------------
  const nextMon = mondayOf(env, 1);
  const thisMon = mondayOf(env, 0);
  take(/\bearly next week\b|\bbeginning of next week\b|\bstart of next week\b/, () => c.ranges.push({ from: nextMon, to: addDays(nextMon, 2) }));
  take(/\b(?:later|late|end of) next week\b/, () => c.ranges.push({ from: addDays(nextMon, 2), to: addDays(nextMon, 4) }));
  take(/\b(?:week after next|in two weeks|in 2 weeks|in a couple (?:of )?weeks|in a fortnight)\b/, () => {
    const mon = addDays(nextMon, 7);
    c.ranges.push({ from: mon, to: addDays(mon, 4) });
  });
  take(/\bin (three|3|four|4) weeks\b/, (m) => {
    const mon = addDays(nextMon, 7 * ((NUMBER_WORDS[m[1]!] ?? Number(m[1])) - 1));
    c.ranges.push({ from: mon, to: addDays(mon, 4) });
  });
  take(/\bin a (?:few|couple (?:of )?) days\b|\bin (?:two|three|2|3) days\b/, () => c.ranges.push({ from: addDays(env.today, 2) }));
  take(/\bnext week\b|\bthe following week\b/, () => c.ranges.push({ from: nextMon, to: addDays(nextMon, 4) }));
  take(/\b(?:later|late) (?:this|in the) week\b|\bend of (?:the|this) week\b|\blater this week\b/, () => {
    const fri = addDays(thisMon, 4);
    const from = addDays(env.today, 1);
    c.ranges.push(from <= fri ? { from, to: fri } : { from: nextMon, to: addDays(nextMon, 4) });
  });
  take(/\bthis week\b|\brest of the week\b/, () => {
    const fri = addDays(thisMon, 4);
    c.ranges.push(env.today <= fri ? { from: env.today, to: fri } : { from: env.today, to: addDays(thisMon, 6) });
  });
  take(/\b(?:this |next |the )?weekend\b/, () => {
    c.weekend = true;
    const sat = nextWeekday(env, 6);
    c.ranges.push({ from: sat, to: addDays(sat, 1) });
  });
  take(/\bnext month\b/, () => {
    const first = DateTime.fromISO(env.today, { zone: 'UTC' }).plus({ months: 1 }).startOf('month');
    c.ranges.push({ from: first.toISODate()!, to: first.endOf('month').toISODate()! });
  });
  take(/\b(?:(?:the )?end of (?:the|this) month|later this month)\b/, () => {
    const last = DateTime.fromISO(env.today, { zone: 'UTC' }).endOf('month').toISODate()!;
    const from = addDays(last, -9) > env.today ? addDays(last, -9) : env.today;
    c.ranges.push({ from, to: last });
  });
  take(/\b(?:this month|(?:the )?rest of (?:the|this) month)\b/, () => {
    c.ranges.push({ from: env.today, to: DateTime.fromISO(env.today, { zone: 'UTC' }).endOf('month').toISODate()! });
  });
  // "sometime in January", "early Feb", "mid-March", "the end of April"; "may" only after "in"/"early"/...
  take(
    new RegExp(
      String.raw`\b(?:(early|late|mid-?|(?:the )?(?:beginning|start|middle|end) of|(?:the )?(?:first|last) week of)\s*|(?:in|during|of|for|around|sometime in|some time in|anytime in)\s+)${MONTH_WORD}\b(?!\s*\d)`,
    ),
    (m) => {
      const month = MONTHS.indexOf(m[2]!.slice(0, 3)) + 1;
      if (month > 0) c.ranges.push(monthRange(env, month, m[1]));
    },
  );
  take(new RegExp(String.raw`^\s*(?!may\b)${MONTH_WORD}\??\s*$`), (m) => {
    const month = MONTHS.indexOf(m[1]!.slice(0, 3)) + 1;
    if (month > 0) c.ranges.push(monthRange(env, month, undefined));
  });

  // --- explicit clock times ---------------------------------------------------------------
  // Read on a copy: dates are read from the text as it was before, so "Sat, Jan 10 at 8am"
  // stays one date for chrono.
  const beforeTimes = text;
  take(/\b(noon)\b/, () => c.times.push({ minute: 720 }));
  take(/\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b/, (m) => {
    const t = clock(m[1]!, m[2], m[3]);
    if (t) c.times.push(t);
  });
  take(/\b(\d{1,2})[:.](\d{2})\b/, (m) => {
    const t = clock(m[1]!, m[2], undefined);
    if (t) c.times.push(t);
  });
  take(/\b(?:at|@|around|about|say|for|maybe|how about|what about)\s+(\d{1,2})(?:\s*o'?clock)?\b(?!\s*(?:\/|-\d|th\b|st\b|nd\b|rd\b|days?|weeks?|mins?|minutes?|hours?|hrs?|people|of))((?:\s*(?:or|and|,)\s*\d{1,2}(?:\s*o'?clock)?\b(?!\s*(?:\/|days?|weeks?)))*)/, (m) => {
    for (const h of [m[1]!, ...(m[2] ?? '').split(/\D+/).filter(Boolean)]) {
      const t = clock(h, undefined, undefined);
      if (t) c.times.push(t);
    }
  });
  take(/\b(\d{1,2})\s*o'?clock\b/, (m) => {
    const t = clock(m[1]!, undefined, undefined);
    if (t) c.times.push(t);
  });
  text = beforeTimes;

  // --- days: chrono-node in the clause's zone -----------------------------------------------
  const found: FoundDate[] = [];
  const results = chrono.casual.parse(text, { instant: new Date(env.now), timezone: env.offset }, { forwardDate: true });
  for (const r of results) {
    const s = r.start;
    const tags = s.tags();
    if (tags.has('casualReference/now')) continue;
    // "give me a second", "in an hour": not a day.
    if (tags.has('result/relativeDate') && !/\b(?:days?|weeks?|months?)\b/.test(r.text)) continue;
    const year = s.get('year');
    const month = s.get('month');
    const day = s.get('day');
    if (year === null || month === null || day === null) continue;
    const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const end = r.end;
    if (end && end.get('day') !== null && (s.isCertain('day') || s.isCertain('weekday'))) {
      // "Monday to Wednesday", "Mon-Wed next week", "the 16th through the 18th"
      let from = date;
      let to = `${end.get('year')}-${String(end.get('month')).padStart(2, '0')}-${String(end.get('day')).padStart(2, '0')}`;
      // "Tuesday through Thursday next week": weekdays inside the week named beside them.
      const week = c.ranges.find((w) => w.from && w.to && isoWeekday(w.from) === 1 && w.to === addDays(w.from, 4));
      if (week && !s.isCertain('day') && end.isCertain('weekday')) {
        from = addDays(week.from!, isoWeekday(from) - 1);
        to = addDays(week.from!, isoWeekday(to) - 1);
      }
      if (to >= from) c.ranges.push({ from, to });
    } else if (tags.has('result/relativeDate') && /\bweeks?\b/.test(r.text)) {
      const mon = addDays(date, 1 - isoWeekday(date));
      c.ranges.push({ from: mon, to: addDays(mon, 4) });
    } else if (s.isCertain('day')) {
      found.push({ sel: { kind: 'date', date }, index: r.index, end: r.index + r.text.length });
    } else if (s.isCertain('weekday')) {
      const js = s.get('weekday')!;
      const weekday = js === 0 ? 7 : js;
      const sel: DateSel = /\b(?:next|this|coming|following|week)\b/.test(r.text) ? { kind: 'date', date } : { kind: 'weekday', weekday, date };
      found.push({ sel, index: r.index, end: r.index + r.text.length });
    } else continue;
    text = mask(text, r.index, r.text.length);
  }
  // Weekday spellings chrono does not know ("tues", "weds"...).
  for (const [re, weekday] of WEEKDAYS) {
    take(re, (m) => {
      if (!found.some((d) => d.sel.kind === 'weekday' && d.sel.weekday === weekday)) {
        found.push({ sel: { kind: 'weekday', weekday, date: nextWeekday(env, weekday) }, index: m.index, end: m.index + m[0].length });
      }
    });
  }
  // Day of month: "the 13th", "on the 20th".
  take(/\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b/, (m) => {
    const dom = Number(m[1]);
    if (dom < 1 || dom > 31) return;
    let cursor = DateTime.fromISO(env.today, { zone: 'UTC' });
    for (let i = 0; i < 3; i++, cursor = cursor.plus({ months: 1 }).startOf('month')) {
      if (dom <= cursor.daysInMonth! && (i > 0 || dom >= cursor.day)) {
        found.push({ sel: { kind: 'date', date: cursor.set({ day: dom }).toISODate()! }, index: m.index, end: m.index + m[0].length });
        break;
      }
    }
  });
  readDateBounds(found, ` ${raw} `, c);
  // Ranges in one clause narrow each other ("Mon-Wed next week", "after the 15th, until the 20th").
  if (c.ranges.length > 1) {
    const from = c.ranges.map((r) => r.from).filter((d): d is string => !!d).sort().pop();
    const to = c.ranges.map((r) => r.to).filter((d): d is string => !!d).sort()[0];
    if (!from || !to || from <= to) c.ranges = [{ ...(from ? { from } : {}), ...(to ? { to } : {}) }];
  }

  c.negated = NEGATION.test(raw);
  const namesDate = c.dates.some((d) => d.kind === 'date');
  const general = !namesDate && c.times.length === 0 && c.ordinals.length === 0 && c.ranges.length === 0;
  c.standing =
    general &&
    (PLURAL_WEEKDAY.test(raw) || PLURAL_PART.test(raw) || HABIT.test(raw) ||
      (PREFERENCE.test(raw) && (!!c.part || c.after !== undefined || c.before !== undefined) && c.dates.length === 0));
  return c;
}

/**
 * Days found in a clause become days, or bounds of a range: "until Thursday", "by Friday",
 * "before the 20th", "after the 15th", "from Monday", "Monday to Wednesday", "between Tue and Thu".
 */
function readDateBounds(found: FoundDate[], text: string, c: Clause): void {
  found.sort((a, b) => a.index - b.index);
  const used = new Set<number>();
  for (let i = 0; i + 1 < found.length; i++) {
    const a = found[i]!;
    const b = found[i + 1]!;
    const between = text.slice(a.end, b.index);
    const joined = /^\s*(?:-|to|through|thru|until|till)\s*(?:the\s+)?$/.test(between) || (/^\s*and\s*(?:the\s+)?$/.test(between) && /\bbetween\s+(?:the\s+)?$/.test(text.slice(0, a.index)));
    if (joined && a.sel.date <= b.sel.date) {
      c.ranges.push({ from: a.sel.date, to: b.sel.date });
      used.add(i).add(i + 1);
      i++;
    }
  }
  found.forEach((f, i) => {
    if (used.has(i)) return;
    const bound = BOUND_BEFORE.exec(text.slice(0, f.index))?.[1];
    const date = f.sel.date;
    if (bound === 'until' || bound === 'till' || bound === 'til' || bound === 'through' || bound === 'thru' || bound === 'by') c.ranges.push({ to: date });
    else if (bound === 'before') c.ranges.push({ to: addDays(date, -1) });
    else if (bound === 'after') c.ranges.push({ from: addDays(date, 1) });
    else if (bound) c.ranges.push({ from: date });
    else c.dates.push(f.sel);
  });
}
