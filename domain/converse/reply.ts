/**
 * Understanding the buyer's reply to proposed times, without an LLM (and checking an LLM's answer
 * when one is configured: reply-llm.ts).
 *
 * Pure and deterministic: `now` and the buyer's zone come in through `ctx`; dates are read with
 * chrono-node in the buyer's zone, everything else with small, explicit patterns. The text is cut
 * into clauses (at sentence ends, commas, "but", "however"...), each clause is read as selecting
 * some of the proposals, rejecting some ("2pm doesn't work"), or asking for other times, and the
 * clauses are combined:
 * - one proposal selected (and not rejected)       -> choose
 * - several selected ("Thursday" with two Thursdays) -> unclear, asking which one
 * - times named that match no proposal, "none of these work", "next week?" -> new_times (with a
 *   TimeConstraint in the buyer's zone when the reply says when)
 * - "not interested", "please stop", "we went with another vendor" -> decline
 * - anything else -> unclear, with ONE clarifying question.
 */
// English only: the package's main entry loads every locale, and the workflow sandbox evaluates
// the workflow's imports again for each lead.
import * as chrono from 'chrono-node/en';
import { DateTime, IANAZone } from 'luxon';
import { formatSlotTime, joinWords } from './copy';
import type { TimeConstraint } from '../schedule/slots';

export interface ProposalRef {
  id: string;
  start: number;
  end: number;
}

export type ReplyIntent =
  | { kind: 'choose'; proposalId: string; reason: string }
  | { kind: 'new_times'; constraint?: TimeConstraint; reason: string }
  | { kind: 'decline'; reason: string }
  | { kind: 'unclear'; question: string };

export interface ReplyContext {
  proposals: ProposalRef[];
  now: number;
  /** The buyer's IANA zone: "Thursday" and "2pm" mean Thursday and 2pm there. */
  timezone: string;
}

/** Local minutes after midnight for parts of the day. */
export const PARTS_OF_DAY = {
  morning: [8 * 60, 12 * 60],
  afternoon: [12 * 60, 17 * 60],
  evening: [17 * 60, 20 * 60],
  lunch: [11 * 60 + 30, 13 * 60 + 30],
} as const;

/** A single named time asks for that time or up to this much later. */
const NAMED_TIME_WINDOW_MIN = 180;

// ---------------------------------------------------------------------------------------------
// Proposals as the buyer sees them
// ---------------------------------------------------------------------------------------------

interface LocalProposal {
  index: number;
  id: string;
  start: number;
  date: string;
  weekday: number;
  minute: number;
}

export function safeZone(zone: string): string {
  return zone && IANAZone.isValidZone(zone) ? zone : 'UTC';
}

function localProposals(ctx: ReplyContext, zone: string): LocalProposal[] {
  return ctx.proposals.map((p, index) => {
    const dt = DateTime.fromMillis(p.start, { zone });
    return { index, id: p.id, start: p.start, date: dt.toISODate()!, weekday: dt.weekday, minute: dt.hour * 60 + dt.minute };
  });
}

// ---------------------------------------------------------------------------------------------
// Text preparation
// ---------------------------------------------------------------------------------------------

/** Drops quoted e-mail history ("> ...", "On Tue, ... wrote:") so old proposals are not re-read. */
function stripQuoted(text: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s*>/.test(line)) continue;
    if (/^\s*(?:on .{3,120} wrote:|-{2,}\s*original message\s*-{2,}|from: .+)$/i.test(line)) break;
    out.push(line);
  }
  return out.join('\n');
}

function normalize(text: string): string {
  return (
    stripQuoted(text)
      .toLowerCase()
      .replace(/[\u2018\u2019\u2032`]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/[\u2013\u2014]/g, ' - ')
      .replace(/\b([ap])\.m\.?/g, '$1m')
      .replace(/\b(\d{1,2})\s*([ap])\b(?!\w)/g, '$1$2m')
      // "Mon, Jan 12": one date, not two clauses.
      .replace(/\b((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*),\s*(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,2}\/\d)/g, '$1 ')
      // Polite phrases that contain a "no"/"not" but never reject anything.
      .replace(/\b(?:no|not a) (?:problem|worries|worry|rush|pressure|biggie)\b/g, ' ')
      .replace(/\bnot (?:a )?(?:big deal|sure|certain)\b/g, ' ')
      .replace(/\bif not\b.*$/g, ' ')
      // Boundaries phrased with a negation.
      .replace(/\b(?:not|nothing|no(?:thing)? earlier than|no sooner than) before\b/g, 'after')
      .replace(/\bno (?:earlier|sooner) than\b/g, 'after')
      .replace(/\b(?:not|nothing) (?:after|later than)\b/g, 'before')
      .replace(/\bno later than\b/g, 'before')
      // "anything but Thursday", "except 2pm": the rest of the clause is excluded.
      .replace(/\b(?:anything |any day |any time |anytime )?(?:but not|except(?: for)?|other than|apart from|besides)\s+/g, ', not ')
      .replace(/\banything but\s+/g, ', not ')
      .replace(/\b(?:instead of|rather than)\s+/g, ', not ')
      .replace(/(?:\b(?:is|are|i'm|i am|we're|we are)|'s|'re) out\b/g, ' unavailable')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

const CLAUSE_SPLIT = /\s*(?:[;!?]+|\.(?=\s|$)|,|\n|\s-\s|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\binstead\b)\s*/;

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

const STRONG_DECLINE = [
  /\b(?:not|no longer|isn't|not really|aren't) (?:really |that |very )?interested\b(?! in (?:mon|tue|wed|thu|fri|sat|sun|the |that|this|those|these|morning|afternoon|evening|option|any of|\d))/,
  /\bunsubscribe\b/,
  /\b(?:remove|take) (?:me|us) (?:off|from)\b|\bremove me\b/,
  /\bopt(?:ing)? out\b/,
  /\bstop (?:e-?mailing|messaging|contacting|texting|calling|reaching out|sending|following up|writing)\b/,
  /^(?:please |pls )?stop[.!]*$/,
  /\b(?:do not|don't|dont) (?:contact|e-?mail|message|text|call|reach out to|follow up with|write to) (?:me|us)\b/,
  /\bleave (?:me|us) alone\b/,
  /\b(?:went|going|gone|go|decided to go|moving forward|moved forward|signed|partnered|chose to go) with (?:another|a different|an?other|someone else|a competitor|your competitor|a competing|other)\b/,
  /\b(?:chose|chosen|picked|selected|found|bought|purchased|signed with|settled on|decided on) (?:another|a different|a competing|an alternative) (?:vendor|solution|provider|tool|product|platform|company|option)\b/,
  /\bno longer (?:need|looking|require|relevant|pursuing|evaluating)\b/,
  /\b(?:not|no longer) (?:a )?(?:good |great |right )?fit\b/,
  /\bnot looking (?:for|to)\b/,
  /\b(?:wrong person|spam)\b/,
];

const WEAK_DECLINE = [
  /^(?:no|nope|nah)[.!]*$/,
  /\bno,? thanks?\b|\bno thank you\b|\bthanks,? but no\b/,
  /\bnever ?mind\b/,
  /\b(?:i'll|we'll|i will|we will|gonna) pass\b|\bpass for now\b/,
  /\bcancel\b/,
  /\bnot (?:right )?now\b/,
  /\bmaybe (?:later|another time|next (?:year|quarter))\b/,
  /\b(?:we're|we are|i'm|i am) (?:all )?(?:set|good)(?: for now)?[.!]*$/,
  /\bnot the right time\b/,
  /\bchanged (?:my|our) minds?\b/,
];

const REJECT_ALL = [
  /\b(?:none|neither)\b/,
  /\b(?:any|either|all|both) of (?:these|those|them|the (?:times|options|slots|above))\b.*\b(?:not|n't|cannot)\b/,
  /\b(?:not|n't|cannot|unable to)\b.*\b(?:any|either|all|both) of (?:these|those|them|the (?:times|options|slots|above))\b/,
  /\b(?:those|these|they|the times|the options|the slots|both|all of them)\b (?:all |both )?(?:don't|do not|won't|will not|doesn't|can't|are not|aren't)\b/,
  /\b(?:can't|cannot|couldn't|unable to|won't be able to|not able to) (?:make|do|attend|join) (?:any|either|those|these|them|all)\b/,
  /\b(?:other|different|alternative|another|more|new|additional) (?:times?|days?|dates?|options?|slots?|availability|openings?)\b/,
  /\b(?:something|anything|any ?time|anywhere) else\b/,
  /\bre-?schedule\b/,
  /\bpush (?:it|this|that|things|the meeting) (?:back|out|later)\b/,
];

const NEGATION =
  /\b(?:not|no|don't|dont|doesn't|doesnt|didn't|can't|cant|cannot|won't|wont|isn't|aren't|wouldn't|couldn't|shouldn't|never|unavailable|busy|booked|taken|conflict|conflicts|clash|clashes|impossible|ooo|out of (?:the )?office|travell?ing|bad|tough|tricky|unable|(?:i'm|i am|we're|we are|i'll be|we'll be|i will be|we will be) (?:off|away))\b/;

const AFFIRMATIVE =
  /\b(?:yes|yep|yeah|yup|ya|sure|ok|okay|k|sounds (?:good|great|perfect)|works?|perfect|great|good|fine|excellent|let's do|lets do|i'll take|we'll take|book|confirm|go with|go for|that one|lock (?:it|that) in|see you|i'm in|count me in|please|ideal|best)\b/;

const FLEXIBLE =
  /\b(?:either|any of (?:them|those|these|the (?:times|options|slots))|any (?:one )?(?:works|is fine|is good)|anytime works|any time works|whichever|whatever (?:works|is easiest|suits)|all (?:of them |three |those |these |times )?(?:work|are (?:fine|good|ok|okay))|both (?:work|are (?:fine|good|ok|okay))|don't mind|no preference|flexible|you pick|you choose|your call|up to you|soonest|asap|as soon as possible|earliest (?:possible|available))\b/;

const INQUIRY =
  /\b(?:anything|any (?:time|times|slots?|openings?|availability|chance|room)|do you have|have you got|got anything|is there|are there|what (?:else|other)|availability|open(?:ings)? (?:on|for))\b/;

const WEEKDAYS: [RegExp, number][] = [
  [/\bmon(?:day)?s?\b/, 1],
  [/\btues?(?:day)?s?\b/, 2],
  [/\bweds?(?:nesday)?s?\b/, 3],
  [/\bthu(?:r|rs)?(?:sday)?s?\b/, 4],
  [/\bfri(?:day)?s?\b/, 5],
  [/\bsaturdays?\b/, 6],
  [/\bsundays?\b/, 7],
];

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };
const ORDINAL_WORDS: Record<string, number> = {
  first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4, fifth: 5, '5th': 5,
};

// ---------------------------------------------------------------------------------------------
// Clause analysis
// ---------------------------------------------------------------------------------------------

type DateSel = { kind: 'date'; date: string } | { kind: 'weekday'; weekday: number; date: string };

interface TimeSel {
  minute: number;
  /** The other half of the day when am/pm was not said ("at 2"). */
  alt?: number;
}

interface Clause {
  text: string;
  negated: boolean;
  dates: DateSel[];
  ranges: { from: string; to: string }[];
  times: TimeSel[];
  part?: [number, number];
  after?: number;
  before?: number;
  weekend: boolean;
  ordinals: number[];
  outOfRange: number[];
}

interface Env {
  zone: string;
  now: number;
  today: string;
  todayWeekday: number;
  count: number;
}

function addDaysIso(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

function hasSelection(c: Clause): boolean {
  return c.dates.length > 0 || c.times.length > 0 || !!c.part || c.after !== undefined || c.before !== undefined || c.weekend;
}

function hasContent(c: Clause): boolean {
  return hasSelection(c) || c.ranges.length > 0 || c.ordinals.length > 0 || c.outOfRange.length > 0;
}

/** Clock time -> minutes, guessing am/pm for business hours when it was not said. */
function clock(hourText: string, minuteText: string | undefined, meridiem: string | undefined): TimeSel | null {
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
function mask(text: string, index: number, length: number): string {
  return text.slice(0, index) + ' '.repeat(length) + text.slice(index + length);
}

function nextWeekday(env: Env, weekday: number, minDays = 0): string {
  let d = (weekday - env.todayWeekday + 7) % 7;
  if (d < minDays) d += 7;
  return addDaysIso(env.today, d);
}

function weekRange(env: Env, weeksAhead: number): { monday: string } {
  return { monday: addDaysIso(env.today, 1 - env.todayWeekday + 7 * weeksAhead) };
}

function analyseClause(raw: string, env: Env): Clause {
  const c: Clause = {
    text: raw,
    negated: false,
    dates: [],
    ranges: [],
    times: [],
    weekend: false,
    ordinals: [],
    outOfRange: [],
  };
  let text = ` ${raw} `;
  const take = (re: RegExp, fn: (m: RegExpExecArray) => void) => {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
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
    /(?<!\ba )\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b(?!\s+(?:thing|week|half|quarter|part|day of|of (?:the )?(?:month|next|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))/,
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
  take(new RegExp(String.raw`\b(?:after|from|past|later than|any ?time after|starting(?: at| from)?|beginning at)\s+${BOUNDARY_TIME}`), (m) => {
    const v = boundary(m);
    if (v !== null) c.after = v;
  });
  take(new RegExp(String.raw`\b(?:before|by|until|till|earlier than|ending by|up to)\s+${BOUNDARY_TIME}`), (m) => {
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
  const nextMon = weekRange(env, 1).monday;
  const thisMon = weekRange(env, 0).monday;
  take(/\bearly next week\b|\bbeginning of next week\b|\bstart of next week\b/, () => c.ranges.push({ from: nextMon, to: addDaysIso(nextMon, 2) }));
  take(/\b(?:later|late|end of) next week\b/, () => c.ranges.push({ from: addDaysIso(nextMon, 2), to: addDaysIso(nextMon, 4) }));
  take(/\b(?:week after next|in two weeks|in 2 weeks)\b/, () => {
    const mon = addDaysIso(nextMon, 7);
    c.ranges.push({ from: mon, to: addDaysIso(mon, 4) });
  });
  take(/\bnext week\b|\bthe following week\b/, () => c.ranges.push({ from: nextMon, to: addDaysIso(nextMon, 4) }));
  take(/\b(?:later|late) (?:this|in the) week\b|\bend of (?:the|this) week\b|\blater this week\b/, () => {
    const fri = addDaysIso(thisMon, 4);
    const from = addDaysIso(env.today, 1);
    c.ranges.push(from <= fri ? { from, to: fri } : { from: nextMon, to: addDaysIso(nextMon, 4) });
  });
  take(/\bthis week\b|\brest of the week\b/, () => {
    const fri = addDaysIso(thisMon, 4);
    c.ranges.push(env.today <= fri ? { from: env.today, to: fri } : { from: env.today, to: addDaysIso(thisMon, 6) });
  });
  take(/\b(?:this |next |the )?weekend\b/, () => {
    c.weekend = true;
    const sat = nextWeekday(env, 6);
    c.ranges.push({ from: sat, to: addDaysIso(sat, 1) });
  });
  take(/\bnext month\b/, () => {
    const first = DateTime.fromISO(env.today, { zone: 'UTC' }).plus({ months: 1 }).startOf('month');
    c.ranges.push({ from: first.toISODate()!, to: first.endOf('month').toISODate()! });
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

  // --- dates: chrono-node in the buyer's zone -----------------------------------------------
  const offset = DateTime.fromMillis(env.now, { zone: env.zone }).offset;
  const results = chrono.casual.parse(text, { instant: new Date(env.now), timezone: offset }, { forwardDate: true });
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
    if (tags.has('result/relativeDate') && /\bweeks?\b/.test(r.text)) {
      const mon = addDaysIso(date, 1 - DateTime.fromISO(date, { zone: 'UTC' }).weekday);
      c.ranges.push({ from: mon, to: addDaysIso(mon, 4) });
    } else if (s.isCertain('day')) {
      c.dates.push({ kind: 'date', date });
    } else if (s.isCertain('weekday')) {
      const js = s.get('weekday')!;
      const weekday = js === 0 ? 7 : js;
      if (/\b(?:next|this|coming|following|week)\b/.test(r.text)) c.dates.push({ kind: 'date', date });
      else c.dates.push({ kind: 'weekday', weekday, date });
    } else continue;
    text = mask(text, r.index, r.text.length);
  }
  // Weekday spellings chrono does not know ("tues", "weds"...).
  for (const [re, weekday] of WEEKDAYS) {
    take(re, () => {
      if (!c.dates.some((d) => d.kind === 'weekday' && d.weekday === weekday)) {
        c.dates.push({ kind: 'weekday', weekday, date: nextWeekday(env, weekday) });
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
        c.dates.push({ kind: 'date', date: cursor.set({ day: dom }).toISODate()! });
        break;
      }
    }
  });

  c.negated = NEGATION.test(raw);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/** Does the proposal fit everything the clause names? `strict` reads "Thursday" as the coming Thursday only. */
function matchesClause(p: LocalProposal, c: Clause, strict: boolean): boolean {
  const dateOk = (d: DateSel) => (d.kind === 'date' || strict ? d.date === p.date : d.weekday === p.weekday);
  if (c.dates.length > 0 && !c.dates.some(dateOk)) return false;
  if (c.ranges.length > 0 && !c.ranges.some((r) => r.from <= p.date && p.date <= r.to)) return false;
  if (c.weekend && p.weekday < 6) return false;
  if (c.times.length > 0 && !c.times.some((t) => t.minute === p.minute || t.alt === p.minute)) return false;
  if (c.part && !(c.part[0] <= p.minute && p.minute < c.part[1])) return false;
  if (c.after !== undefined && p.minute < c.after) return false;
  if (c.before !== undefined && p.minute >= c.before) return false;
  return true;
}

/**
 * The proposals a clause points at. A weekday ("Sunday") means the coming one when an offer falls
 * on it, else any offer on that weekday (offers can be further out than a week).
 */
function selectedBy(c: Clause, proposals: LocalProposal[]): Set<number> {
  const out = new Set<number>(c.ordinals.map((n) => n - 1));
  if (hasSelection(c)) {
    let hits = proposals.filter((p) => matchesClause(p, c, true));
    if (hits.length === 0) hits = proposals.filter((p) => matchesClause(p, c, false));
    for (const p of hits) out.add(p.index);
  }
  return out;
}

/**
 * The time window the buyer asked for, in their zone: what the positive clauses name, minus what
 * the negative ones rule out when a TimeConstraint can say so (whole weekdays, halves of the day).
 */
function constraintFrom(positive: Clause[], negative: Clause[], env: Env): TimeConstraint | undefined {
  const c: TimeConstraint = { timezone: env.zone };
  const dates: string[] = [];
  const spans: { from: string; to: string }[] = [];
  const weekdays = new Set<number>();
  let earliest: number | undefined;
  let latest: number | undefined;
  const times: number[] = [];
  const anyRange = positive.some((cl) => cl.ranges.length > 0);
  for (const cl of positive) {
    for (const d of cl.dates) {
      // "next week, Tuesday or Thursday": weekdays inside the named span
      if (anyRange && d.kind === 'weekday') weekdays.add(d.weekday);
      else dates.push(d.date);
    }
    spans.push(...cl.ranges);
    if (cl.weekend) [6, 7].forEach((w) => weekdays.add(w));
    for (const t of cl.times) times.push(t.minute);
    if (cl.part) {
      earliest = earliest === undefined ? cl.part[0] : Math.min(earliest, cl.part[0]);
      latest = latest === undefined ? cl.part[1] : Math.max(latest, cl.part[1]);
    }
    if (cl.after !== undefined) earliest = Math.max(earliest ?? 0, cl.after);
    if (cl.before !== undefined) latest = Math.min(latest ?? 1440, cl.before);
  }
  if (times.length > 0) {
    earliest = Math.max(earliest ?? 0, Math.min(...times));
    latest = Math.min(1440, Math.max(...times) + NAMED_TIME_WINDOW_MIN);
  }
  const starts = [...dates, ...spans.map((s) => s.from)].filter((d) => d >= env.today);
  const ends = [...dates, ...spans.map((s) => s.to)].filter((d) => d >= env.today);
  if (starts.length > 0) c.fromDate = starts.reduce((a, b) => (a < b ? a : b));
  if (ends.length > 0) c.toDate = ends.reduce((a, b) => (a > b ? a : b));
  const distinct = [...new Set(dates)];
  if (spans.length === 0 && distinct.length > 1) {
    // "Thursday or Monday": only those days, not everything in between.
    for (const d of distinct) weekdays.add(DateTime.fromISO(d, { zone: 'UTC' }).weekday);
  }

  // What the buyer ruled out.
  const excluded = new Set<number>();
  for (const cl of negative) {
    const onlyDays = cl.dates.length > 0 && cl.times.length === 0 && !cl.part && cl.ordinals.length === 0;
    if (onlyDays) {
      for (const d of cl.dates) {
        if (d.kind === 'weekday' || d.date < addDaysIso(env.today, 7)) {
          excluded.add(d.kind === 'weekday' ? d.weekday : DateTime.fromISO(d.date, { zone: 'UTC' }).weekday);
        }
      }
    }
    if (cl.part && cl.dates.length === 0 && cl.times.length === 0) {
      if (cl.part[0] < 720 && cl.part[1] <= 720) earliest = Math.max(earliest ?? 0, cl.part[1]); // "mornings are bad"
      else latest = Math.min(latest ?? 1440, cl.part[0]); // "afternoons/evenings are bad"
    }
  }
  if (excluded.size > 0) {
    const base = weekdays.size > 0 ? [...weekdays] : [1, 2, 3, 4, 5, 6, 7];
    const left = base.filter((w) => !excluded.has(w));
    weekdays.clear();
    if (left.length > 0) left.forEach((w) => weekdays.add(w));
  }

  if (weekdays.size > 0 && weekdays.size < 7) c.weekdays = [...weekdays].sort((a, b) => a - b);
  if (earliest !== undefined && earliest > 0) c.earliestMinute = earliest;
  if (latest !== undefined && latest < 1440) c.latestMinute = latest;
  if (c.earliestMinute !== undefined && c.latestMinute !== undefined && c.latestMinute <= c.earliestMinute) {
    delete c.latestMinute;
  }
  return Object.keys(c).length > 1 ? c : undefined;
}

// ---------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------

export function describeProposal(p: ProposalRef, ctx: ReplyContext, zone: string): string {
  return formatSlotTime(p.start, zone, ctx.now);
}

function listOptions(ctx: ReplyContext, zone: string, indexes?: number[]): string {
  const chosen = indexes ? indexes.map((i) => ctx.proposals[i]!) : ctx.proposals;
  return joinWords(chosen.map((p) => describeProposal(p, ctx, zone)));
}

export function whichQuestion(ctx: ReplyContext, zone: string, lead: string): string {
  if (ctx.proposals.length === 0) return `${lead} what day and time would suit you best?`;
  if (ctx.proposals.length === 1) return `${lead} would ${listOptions(ctx, zone)} work for you, or is there another time that suits you better?`;
  return `${lead} which works best for you: ${listOptions(ctx, zone)}, or is there another day that suits you better?`;
}

// ---------------------------------------------------------------------------------------------
// understandReply
// ---------------------------------------------------------------------------------------------

function quote(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `"${t.slice(0, 77)}..."` : `"${t}"`;
}

export function understandReply(text: string, ctx: ReplyContext): ReplyIntent {
  const zone = safeZone(ctx.timezone);
  const norm = normalize(text ?? '');
  if (!norm) return { kind: 'unclear', question: whichQuestion(ctx, zone, 'Sorry, I didn\'t catch that —') };

  if (STRONG_DECLINE.some((re) => re.test(norm))) return { kind: 'decline', reason: `buyer declined: ${quote(text)}` };

  const nowLocal = DateTime.fromMillis(ctx.now, { zone });
  const env: Env = { zone, now: ctx.now, today: nowLocal.toISODate()!, todayWeekday: nowLocal.weekday, count: ctx.proposals.length };
  const proposals = localProposals(ctx, zone);

  const rejectAll = REJECT_ALL.some((re) => re.test(norm));
  const inquiry = INQUIRY.test(norm);
  const flexible = FLEXIBLE.test(norm) && !rejectAll;

  const clauses = norm
    .split(CLAUSE_SPLIT)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => analyseClause(s, env));
  // "Thursday at 10, unfortunately I'm busy then": a negation without its own subject applies to
  // the clause before it.
  for (let i = 1; i < clauses.length; i++) {
    const c = clauses[i]!;
    if (c.negated && !hasContent(c)) {
      for (let j = i - 1; j >= 0; j--) {
        if (hasContent(clauses[j]!)) {
          clauses[j]!.negated = true;
          break;
        }
      }
    }
  }
  const positive = clauses.filter((c) => !c.negated && hasContent(c));
  // "next week, Thursday afternoon": a span named on its own bounds the weekdays named beside it.
  const spans = positive.filter((c) => c.ranges.length > 0 && c.dates.length === 0).flatMap((c) => c.ranges);
  for (const c of positive) {
    if (c.ranges.length === 0 && c.dates.some((d) => d.kind === 'weekday')) c.ranges.push(...spans);
  }
  const negative = clauses.filter((c) => c.negated && hasContent(c));
  const rejected = new Set<number>();
  for (const c of negative) for (const i of selectedBy(c, proposals)) rejected.add(i);
  const outOfRange = clauses.flatMap((c) => c.outOfRange);

  const newTimes = (reason: string): ReplyIntent => {
    const constraint = constraintFrom(positive, negative, env);
    return { kind: 'new_times', ...(constraint ? { constraint } : {}), reason };
  };
  const choose = (index: number, why: string): ReplyIntent => {
    const p = ctx.proposals[index]!;
    return { kind: 'choose', proposalId: p.id, reason: `${why}: option ${index + 1}, ${describeProposal(p, ctx, zone)}` };
  };

  if (rejectAll) return newTimes(`buyer asked for other times: ${quote(text)}`);

  // What the positive clauses select: their common ground when they agree, else everything named.
  const sets = positive.filter((c) => c.ordinals.length > 0 || hasSelection(c)).map((c) => selectedBy(c, proposals));
  let selected = new Set<number>();
  if (sets.length > 0) {
    const common = sets.reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
    selected = common.size > 0 ? common : new Set(sets.flatMap((s) => [...s]));
  }
  for (const i of rejected) selected.delete(i);
  const picks = [...selected].sort((a, b) => a - b);
  // Naming an offered time exactly ("Thursday at 10", "option 2") is a choice even when phrased
  // as a question; "anything Friday morning?" only asks what is open.
  const exact = positive.some((c) => c.times.length > 0 || c.ordinals.length > 0);
  // Something named that matches no offer ("Monday" when nothing is on Monday) asks for new times.
  const unmatched = positive.some((c) => hasSelection(c) && c.ordinals.length === 0 && selectedBy(c, proposals).size === 0);

  if (picks.length === 1 && !unmatched && (!inquiry || exact)) return choose(picks[0]!, `${quote(text)} matches`);
  if (picks.length > 1 && !unmatched && (!inquiry || exact)) {
    if (flexible) return choose(picks[0]!, `buyer is flexible (${quote(text)}); took the soonest match`);
    return { kind: 'unclear', question: `Just to confirm — did you mean ${listOptions(ctx, zone, picks)}?` };
  }
  const askedFor = positive.some((c) => hasSelection(c) || c.ranges.length > 0);
  if (askedFor) return newTimes(`buyer asked for ${quote(text)}`);
  if (outOfRange.length > 0 && ctx.proposals.length > 0) {
    return { kind: 'unclear', question: `Just to confirm — which option did you mean: ${listOptions(ctx, zone)}?` };
  }
  if (negative.length > 0) return newTimes(`buyer can't make ${quote(text)}`);
  if (WEAK_DECLINE.some((re) => re.test(norm))) return { kind: 'decline', reason: `buyer declined: ${quote(text)}` };
  const negatedText = NEGATION.test(norm);
  if (ctx.proposals.length > 0 && !negatedText && (flexible || AFFIRMATIVE.test(norm))) {
    if (ctx.proposals.length === 1 || flexible) return choose(0, `buyer agreed (${quote(text)})`);
    return { kind: 'unclear', question: `Great — which works best for you: ${listOptions(ctx, zone)}?` };
  }
  if (negatedText && ctx.proposals.length > 0 && /\b(?:work|make it|do it|suit|good)\b/.test(norm)) {
    return newTimes(`buyer can't make the offered times: ${quote(text)}`);
  }
  return { kind: 'unclear', question: whichQuestion(ctx, zone, "Sorry, I didn't quite catch that —") };
}
