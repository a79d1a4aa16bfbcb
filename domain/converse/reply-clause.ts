/**
 * Reading a buyer's message: what one clause says about time. Options ("the second one"), clock
 * times, parts of the day, boundaries ("after 3", "before noon"), and the days it names
 * (reply-days.ts); whether it states a habit ("I'm only free in the mornings"). Pure: `now` and
 * the zone come in through Env.
 */
import { readDays, readWeeksAndMonths } from './reply-days';
import { clock, NUMBER_WORDS, PARTS_OF_DAY, Scanner, type Clause, type Env } from './reply-scan';
import { NEGATION } from './reply-text';

export { envAt, hasContent, hasSelection, PARTS_OF_DAY, type Clause, type DateRange, type DateSel, type Env, type TimeSel } from './reply-scan';

const PLURAL_WEEKDAY = /\b(?:mon|tues|wednes|thurs|fri|satur|sun)days\b/;
const PLURAL_PART = /\b(?:mornings|afternoons|evenings)\b/;
const HABIT = /\b(?:usually|generally|typically|normally|always|mostly|in general|every|tend to)\b/;
const PREFERENCE = /\b(?:only|best|prefer\w*|ideally)\b/;

const ORDINAL_WORDS: Record<string, number> = {
  first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4, fifth: 5, '5th': 5,
};

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
  const s = new Scanner(raw);
  const take = s.take.bind(s);
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
      s.text,
    );
  if (bare) {
    const n = Number(bare[1]);
    const namesDay = /\b(?:on|tomorrow|today|tonight|mon|tue|wed|thu|fri|sat|sun|morning|afternoon|evening|next|this)/.test(bare[2]!);
    if (n >= 1 && n <= env.count && !namesDay) {
      c.ordinals.push(n);
      s.mask(bare.index, bare[0].length - bare[2]!.length);
    } else if (n >= 1 && n <= 12) {
      const t = clock(bare[1]!, undefined, undefined);
      if (t) c.times.push(t);
      s.mask(bare.index, bare[0].length - bare[2]!.length);
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

  readWeeksAndMonths(s, env, c);

  // --- explicit clock times ---------------------------------------------------------------
  // Read on a copy: dates are read from the text as it was before, so "Sat, Jan 10 at 8am"
  // stays one date for chrono.
  const beforeTimes = s.text;
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
  s.text = beforeTimes;

  readDays(s, raw, env, c);

  c.negated = NEGATION.test(raw);
  const namesDate = c.dates.some((d) => d.kind === 'date');
  const general = !namesDate && c.times.length === 0 && c.ordinals.length === 0 && c.ranges.length === 0;
  c.standing =
    general &&
    (PLURAL_WEEKDAY.test(raw) || PLURAL_PART.test(raw) || HABIT.test(raw) ||
      (PREFERENCE.test(raw) && (!!c.part || c.after !== undefined || c.before !== undefined) && c.dates.length === 0));
  return c;
}

