/**
 * The agent's wording. Plain and warm, no links, times always in the buyer's zone with the zone
 * named, and relative days ("today", "tomorrow", "Thursday") when the day is near.
 *
 * Pure: `now` is an input, and every format pins the en-US locale so the words never depend on
 * the machine that renders them.
 */
import { DateTime } from 'luxon';

const LOCALE = 'en-US';

export type ProposalReason = 'first' | 'new_times' | 'conflict' | 'nudge' | 'extended';

export interface ProposalCopyOptions {
  /** The buyer's IANA zone: times are written in it and it is named. */
  timezone: string;
  now: number;
  buyerName?: string;
  /** Who the buyer would meet, full names (first names are used in proposals). */
  repNames: string[];
  companyName: string;
  reason?: ProposalReason;
}

const ZONE_LABELS: [string, string[]][] = [
  [
    'Pacific',
    ['America/Los_Angeles', 'America/Vancouver', 'America/Tijuana', 'US/Pacific', 'Canada/Pacific', 'PST8PDT'],
  ],
  [
    'Mountain',
    [
      'America/Denver', 'America/Boise', 'America/Edmonton', 'America/Phoenix', 'America/Yellowknife',
      'America/Cambridge_Bay', 'America/Inuvik', 'America/Ojinaga', 'America/Ciudad_Juarez', 'US/Mountain',
      'US/Arizona', 'Canada/Mountain', 'MST7MDT', 'Navajo',
    ],
  ],
  [
    'Central',
    [
      'America/Chicago', 'America/Winnipeg', 'America/Menominee', 'America/Indiana/Knox', 'America/Indiana/Tell_City',
      'America/North_Dakota/Center', 'America/North_Dakota/New_Salem', 'America/North_Dakota/Beulah',
      'America/Rainy_River', 'America/Rankin_Inlet', 'America/Resolute', 'America/Matamoros', 'US/Central',
      'Canada/Central', 'CST6CDT',
    ],
  ],
  [
    'Eastern',
    [
      'America/New_York', 'America/Detroit', 'America/Toronto', 'America/Montreal', 'America/Nipigon',
      'America/Thunder_Bay', 'America/Iqaluit', 'America/Nassau', 'America/Kentucky/Louisville',
      'America/Kentucky/Monticello', 'America/Louisville', 'America/Fort_Wayne', 'America/Indianapolis',
      'America/Indiana/Indianapolis', 'America/Indiana/Vincennes', 'America/Indiana/Winamac',
      'America/Indiana/Marengo', 'America/Indiana/Petersburg', 'America/Indiana/Vevay', 'US/Eastern',
      'US/Michigan', 'Canada/Eastern', 'EST5EDT',
    ],
  ],
  ['Alaska', ['America/Anchorage', 'America/Juneau', 'America/Sitka', 'America/Yakutat', 'America/Nome', 'America/Metlakatla', 'US/Alaska']],
  ['Hawaii', ['Pacific/Honolulu', 'US/Hawaii']],
  ['London time', ['Europe/London', 'GB', 'GB-Eire']],
];

const LABEL_BY_ZONE = new Map(ZONE_LABELS.flatMap(([label, zones]) => zones.map((z) => [z, label] as const)));

/**
 * A short, familiar name for the zone: "Pacific", "Mountain", "Central", "Eastern", "Alaska",
 * "Hawaii", "London time", else luxon's short offset name at `at` (e.g. "GMT+1", "UTC").
 */
export function zoneLabel(timezone: string, at: number): string {
  const known = LABEL_BY_ZONE.get(timezone);
  if (known) return known;
  const dt = DateTime.fromMillis(at, { zone: timezone, locale: LOCALE });
  if (!dt.isValid) return timezone;
  return dt.offsetNameShort ?? timezone;
}

/** "2pm", "9:30am", "12pm". */
export function formatClock(dt: DateTime): string {
  const h12 = dt.hour % 12 === 0 ? 12 : dt.hour % 12;
  const suffix = dt.hour < 12 ? 'am' : 'pm';
  return dt.minute === 0 ? `${h12}${suffix}` : `${h12}:${String(dt.minute).padStart(2, '0')}${suffix}`;
}

/**
 * A start time as the buyer would say it: "today at 2pm", "tomorrow at 2pm", "Thursday at 10am"
 * (within the coming week), else "Mon, Dec 7 at 9:30am" (with the year when it is not obvious).
 */
export function formatSlotTime(start: number, timezone: string, now: number): string {
  const dt = DateTime.fromMillis(start, { zone: timezone, locale: LOCALE });
  const today = DateTime.fromMillis(now, { zone: timezone, locale: LOCALE }).startOf('day');
  if (!dt.isValid || !today.isValid) return new Date(start).toISOString();
  const days = Math.round(dt.startOf('day').diff(today, 'days').days);
  const clock = formatClock(dt);
  if (days === 0) return `today at ${clock}`;
  if (days === 1) return `tomorrow at ${clock}`;
  if (days > 1 && days < 7) return `${dt.toFormat('cccc')} at ${clock}`;
  const withYear = dt.year !== today.year && (days < 0 || days > 180);
  return `${dt.toFormat(withYear ? 'ccc, LLL d, yyyy' : 'ccc, LLL d')} at ${clock}`;
}

/** "A", "A or B", "A, B or C". */
export function joinWords(items: string[], conjunction: 'or' | 'and' = 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

export function firstName(name: string | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  return first ? first : undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function whoCanMeet(repNames: string[]): { subject: string; plural: boolean } {
  const names = repNames.map((n) => firstName(n)).filter((n): n is string => !!n);
  if (names.length === 0) return { subject: 'I', plural: true };
  return { subject: joinWords(names, 'and'), plural: names.length > 1 };
}

function whichQuestion(n: number): string {
  return n === 1 ? 'does that work for you?' : n === 2 ? 'which works better?' : 'which works best?';
}

/** The times, written in the buyer's zone, followed by the zone: "tomorrow at 2pm or Thursday at 10am (Pacific)". */
export function describeTimes(starts: number[], timezone: string, now: number): string {
  if (starts.length === 0) return '';
  const label = zoneLabel(timezone, starts[0]!);
  return `${joinWords(starts.map((s) => formatSlotTime(s, timezone, now)))} (${label})`;
}

/**
 * The message that offers times. Reasons:
 * - first: "Hi Jane — thanks for reaching out to Acme! Sarah has openings tomorrow at 2pm, Thursday at 10am or Friday at 11:30am (Pacific) — which works best?"
 * - new_times: "No problem, Jane — Sarah can also do …"
 * - conflict: "Sorry — that time was just taken. I can do …"
 * - nudge: "Hi Jane — still want to meet? Tuesday at 2pm or Thursday at 10am (Pacific) are still open. …"
 * - extended: the next days are full, so the times are further out.
 * With no slots at all it says a person will follow up.
 */
export function proposalMessage(slots: { start: number }[], o: ProposalCopyOptions): string {
  const name = firstName(o.buyerName);
  const reason = o.reason ?? 'first';
  const { subject, plural } = whoCanMeet(o.repNames);
  const starts = slots.map((s) => s.start);
  const times = describeTimes(starts, o.timezone, o.now);
  const n = starts.length;
  const hi = name ? `Hi ${name}` : 'Hi there';
  const thanks = o.companyName ? `thanks for reaching out to ${o.companyName}!` : 'thanks for reaching out!';

  if (n === 0) {
    const follow = o.repNames.length > 0 ? `${joinWords(o.repNames, 'and')} will follow up` : 'someone from our team will follow up';
    if (reason === 'first' || reason === 'extended') {
      return `${hi} — ${thanks} Our calendar is full for the next couple of weeks, so ${follow} with you personally to find a time that works.`;
    }
    return `${name ? `Sorry, ${name}` : 'Sorry'} — I couldn't find an open time that fits. ${capitalize(follow)} with you personally to find one that works.`;
  }

  const has = subject === 'I' ? 'I have' : `${subject} ${plural ? 'have' : 'has'}`;
  const openings = n === 1 ? 'an opening' : 'openings';
  switch (reason) {
    case 'new_times':
      return `No problem${name ? `, ${name}` : ''} — ${has} ${openings} ${times}. ${capitalize(whichQuestion(n))}`;
    case 'conflict':
      return `Sorry${name ? `, ${name}` : ''} — that time was just taken. I can do ${times} instead — ${whichQuestion(n)}`;
    case 'nudge':
      return `${hi} — still want to meet? ${capitalize(times)} ${n === 1 ? 'is' : 'are'} still open. Just reply with the one that suits you.`;
    case 'extended':
      return `${hi} — ${thanks} The next few days are fully booked, but ${has} ${openings} ${times} — ${whichQuestion(n)}`;
    case 'first':
    default:
      return `${hi} — ${thanks} ${capitalize(has)} ${openings} ${times} — ${whichQuestion(n)}`;
  }
}

/** A booked meeting as the agent's wording needs it. */
export interface MeetingCopy {
  start: number;
  end: number;
  /** The buyer's IANA zone. */
  timezone: string;
  now: number;
  buyerName?: string;
  /** Who the buyer meets, full names. */
  repNames: string[];
}

export interface ConfirmationCopyOptions extends MeetingCopy {
  companyName: string;
}

/** "You're all set, Jane — Sarah Chen will meet you Thursday at 10am (Pacific) for 30 minutes. …" */
export function confirmationMessage(o: ConfirmationCopyOptions): string {
  const name = firstName(o.buyerName);
  const minutes = Math.round((o.end - o.start) / 60_000);
  const who = o.repNames.length > 0 ? joinWords(o.repNames, 'and') : `the ${o.companyName} team`;
  const when = describeTimes([o.start], o.timezone, o.now);
  return `You're all set${name ? `, ${name}` : ''} — ${who} will meet you ${when} for ${minutes} minutes. A calendar invite is on its way; reply here if you need to change anything.`;
}

/** After "not interested" / "please stop": short, no pressure, no further questions. */
export function declineAckMessage(o: { buyerName?: string; companyName: string }): string {
  const name = firstName(o.buyerName);
  return `Understood${name ? `, ${name}` : ''} — I won't follow up again. If anything changes, just reply here. Thanks for considering ${o.companyName || 'us'}.`;
}

/** One clarifying question, tidied. */
export function clarifyMessage(question: string): string {
  const q = question.replace(/\s+/g, ' ').trim();
  if (!q) return 'Which time works best for you?';
  return /[?.!]$/.test(q) ? q : `${q}?`;
}

/**
 * When the lead is not a fit. `reason` is shown to the buyer, so pass a buyer-safe phrase
 * ("we only offer demos to teams of 10 or more"), not an internal code.
 */
export function disqualifiedMessage(reason: string, o: { buyerName?: string; companyName?: string } = {}): string {
  const name = firstName(o.buyerName);
  const company = o.companyName ? ` in ${o.companyName}` : '';
  const why = reason.trim().replace(/[.!]+$/, '');
  return `Thanks for your interest${company}${name ? `, ${name}` : ''}. We're not able to set up a sales meeting for this request${why ? ` — ${why}` : ''}. If anything changes, just reply here and we'll take another look.`;
}

/** Why, in the buyer's words, for each disqualification reason (domain/qualify/facts.ts). */
const DISQUALIFIED_WHY: Record<string, string> = {
  spam: 'this looks like an automated message',
  student: 'our sales team only meets with companies evaluating the product, but our docs and free resources are open to everyone',
  job_seeker: 'for roles, our careers page is the best place to apply',
  competitor: 'we keep product demos for prospective customers',
  vendor_pitch: 'we are not looking for new vendors right now',
};

/** The closing message for a lead disqualified for `reason` (an id such as `student`). */
export function disqualifiedFor(reason: string, o: { buyerName?: string; companyName?: string } = {}): string {
  return disqualifiedMessage(DISQUALIFIED_WHY[reason] ?? '', o);
}

/** When the buyer went quiet or booking attempts ran out: a person takes it from here. */
export function handoffMessage(repName: string, o: { buyerName?: string } = {}): string {
  const name = firstName(o.buyerName);
  const who = repName.trim() || 'someone from our team';
  return `${name ? `Hi ${name}` : 'Hi there'} — no worries if the timing hasn't worked out. ${capitalize(who)} will follow up with you personally to find a time that suits you.`;
}
