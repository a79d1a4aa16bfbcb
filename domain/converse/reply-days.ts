/**
 * Reading a buyer's message: the days a clause names. Weeks and months ("early next week", "in two
 * weeks", "sometime in January", "end of the month"), days through chrono-node in the clause's zone
 * ("Thursday", "the 15th", "Mon-Wed"), and whether a day is a day or the bound of a range ("until
 * Thursday", "after the 15th", "Monday to Wednesday"). Pure.
 */
// English only: the package's main entry loads every locale.
import * as chrono from 'chrono-node/en';
import { DateTime } from 'luxon';
import { addDays, isoWeekday } from '../schedule/local-time';
import { mondayOf, nextWeekday, NUMBER_WORDS, type Clause, type DateRange, type DateSel, type Env, type Scanner } from './reply-scan';

/**
 * Baton's own casual English parser, not the module's exported `casual`: the workflow worker loads
 * this module once per thread and shares it between leads (worker.ts, SHARED_MODULES), freezing
 * what modules export, and chrono's parsers memoise their patterns in their own fields. An instance
 * kept out of the exports stays writable; its memo is the same for every lead.
 */
const casual = new chrono.Chrono(chrono.configuration.createCasualConfiguration(false));

const WEEKDAYS: [RegExp, number][] = [
  [/\bmon(?:day)?s?\b/, 1],
  [/\btues?(?:day)?s?\b/, 2],
  [/\bweds?(?:nesday)?s?\b/, 3],
  [/\bthu(?:r|rs)?(?:sday)?s?\b/, 4],
  [/\bfri(?:day)?s?\b/, 5],
  [/\bsaturdays?\b/, 6],
  [/\bsundays?\b/, 7],
];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD = String.raw`(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)`;

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

/** Weeks and months named in the clause, as ranges of days. */
export function readWeeksAndMonths(s: Scanner, env: Env, c: Clause): void {
  const take = s.take.bind(s);
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

}

/** Days named in the clause: days, or bounds and ranges of days. */
export function readDays(scan: Scanner, raw: string, env: Env, c: Clause): void {
  const found: FoundDate[] = [];
  const take = scan.take.bind(scan);
  const results = casual.parse(scan.text, { instant: new Date(env.now), timezone: env.offset }, { forwardDate: true });
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
    scan.mask(r.index, r.text.length);
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
