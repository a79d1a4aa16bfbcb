/**
 * The agent's wording once a meeting is booked: reminders, changes, cancellations, answers to
 * acknowledgements and questions, cover changes, no-show recovery, and the notices to the rep.
 *
 * Plain and warm, no links (the one exception is the outcome link handed to the rep, passed in);
 * buyer copy is in the buyer's zone with the zone named and relative days, rep notices in the
 * rep's zone with the date written out. Pure: `now` is an input, formatting pins en-US.
 */
import { DateTime } from 'luxon';
import { escapeHtml } from './html';
import { describeTimes, firstName, formatClock, formatSlotTime, joinWords, zoneLabel, type MeetingCopy } from './copy';

const LOCALE = 'en-US';

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Sarah", "Sarah and Raj"; "our team" when nobody is named. */
function firstNames(names: string[]): string {
  const first = names.map((n) => firstName(n)).filter((n): n is string => !!n);
  return first.length > 0 ? joinWords(first, 'and') : 'our team';
}

function hello(buyerName: string | undefined): string {
  const name = firstName(buyerName);
  return name ? `Hi ${name}` : 'Hi there';
}

/** "in 45 minutes", "in an hour", "in 3 hours". */
function inHowLong(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 55) return `in ${Math.max(5, Math.round(minutes / 5) * 5)} minutes`;
  if (minutes < 90) return 'in an hour';
  return `in ${Math.round(minutes / 60)} hours`;
}

/** Within this much of the start a reminder says "starting in an hour" rather than the day. */
const SOON_MS = 3 * 3_600_000;

export type { MeetingCopy } from './copy';

/**
 * The reminder in the conversation: "See you tomorrow at 2pm (Pacific) with Sarah — reply here if
 * anything changes." A day or more ahead it names the day; within 3 hours, how soon it starts.
 */
export function reminderMessage(o: MeetingCopy): string {
  const who = firstNames(o.repNames);
  const label = zoneLabel(o.timezone, o.start);
  const lead = o.start - o.now;
  if (lead <= SOON_MS) {
    const clock = formatClock(DateTime.fromMillis(o.start, { zone: o.timezone, locale: LOCALE }));
    return `Starting soon: your call with ${who} is ${inHowLong(lead)}, at ${clock} (${label}). The calendar invite has the details — reply here if anything changes.`;
  }
  return `See you ${formatSlotTime(o.start, o.timezone, o.now)} (${label}) with ${who} — reply here if anything changes.`;
}

export interface ReminderEmailInput {
  lead: { email: string; name?: string; company?: string };
  repNames: string[];
  companyName: string;
  meeting: { start: number; end: number; timezone: string };
  now: number;
}

/** The reminder by email, to the buyer (the rep is on the invite): subject, text and the same as HTML. */
export function reminderEmail(input: ReminderEmailInput): { subject: string; text: string; html: string } {
  const { lead, repNames, companyName, meeting, now } = input;
  const when = describeTimes([meeting.start], meeting.timezone, now);
  const minutes = Math.round((meeting.end - meeting.start) / 60_000);
  const reps = repNames.length > 0 ? joinWords(repNames, 'and') : `the ${companyName} team`;
  const subject = `Reminder: ${companyName} <> ${lead.company ?? lead.name ?? lead.email}, ${when}`;
  const paragraphs = [
    `${hello(lead.name)},`,
    `A quick reminder: you're meeting ${reps}${repNames.length > 0 ? ` from ${companyName}` : ''} ${when} for ${minutes} minutes. The calendar invite has the details and the video link.`,
    'If anything changes, just reply to this email or in the chat, and we will find another time.',
  ];
  return { subject, text: paragraphs.join('\n\n'), html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n') };
}

export interface RescheduleOfferInput {
  /** The booked meeting, which stands until a new time is picked. */
  booked: { start: number };
  timezone: string;
  now: number;
  buyerName?: string;
  repNames: string[];
  /** The exact time asked for ("an hour later"), and whether it was open. */
  preferredStart?: number;
  preferredOpen?: boolean;
}

/**
 * New times for a booked meeting. "No problem, Jane — Sarah can also do Friday at 10am or Monday at
 * 9am (Pacific). Which works best? Thursday at 2pm stays booked until you pick one." When the exact
 * time asked for is open it is offered first; when it is taken, the copy says so.
 */
export function rescheduleOfferMessage(slots: { start: number }[], o: RescheduleOfferInput): string {
  const name = firstName(o.buyerName);
  const who = firstNames(o.repNames);
  const stays = `${capitalize(formatSlotTime(o.booked.start, o.timezone, o.now))} stays booked until you pick one.`;
  if (slots.length === 0) {
    return `Sorry${name ? `, ${name}` : ''} — I couldn't find another time that works, so ${who} will follow up with you personally. Your meeting ${describeTimes([o.booked.start], o.timezone, o.now)} stays booked for now.`;
  }
  const starts = slots.map((s) => s.start);
  const preferred = o.preferredStart;
  if (preferred !== undefined && o.preferredOpen && starts.includes(preferred)) {
    const others = starts.filter((s) => s !== preferred).map((s) => formatSlotTime(s, o.timezone, o.now));
    const booked = capitalize(formatSlotTime(o.booked.start, o.timezone, o.now));
    const also = others.length > 0 ? ` If not, ${joinWords(others)} ${others.length === 1 ? 'is' : 'are'} open too.` : '';
    return `Sure${name ? `, ${name}` : ''} — ${who} can do ${describeTimes([preferred], o.timezone, o.now)}. Shall I move it there?${also} ${booked} stays booked until you confirm.`;
  }
  const taken = preferred !== undefined ? `${capitalize(formatSlotTime(preferred, o.timezone, o.now))} is taken, but ${who} can do` : `No problem${name ? `, ${name}` : ''} — ${who} can also do`;
  const n = starts.length;
  const question = n === 1 ? 'Does that work?' : n === 2 ? 'Which works better?' : 'Which works best?';
  return `${taken} ${describeTimes(starts, o.timezone, o.now)}. ${question} ${stays}`;
}

/** "Done — your meeting with Sarah is now Friday at 10am (Pacific) instead of Thursday at 2pm. The invite has been updated." */
export function rescheduledMessage(o: { from: number; to: number; timezone: string; now: number; buyerName?: string; repNames: string[] }): string {
  const name = firstName(o.buyerName);
  return `Done${name ? `, ${name}` : ''} — your meeting with ${firstNames(o.repNames)} is now ${describeTimes([o.to], o.timezone, o.now)} instead of ${formatSlotTime(o.from, o.timezone, o.now)}. The calendar invite has been updated; reply here if anything else changes.`;
}

/** "Done — I've canceled your meeting with Sarah on Thursday at 2pm (Pacific). If you'd like to pick it up again, just reply here." */
export function cancelConfirmationMessage(o: { start: number; timezone: string; now: number; buyerName?: string; repNames: string[] }): string {
  const name = firstName(o.buyerName);
  return `Done${name ? `, ${name}` : ''} — I've canceled your meeting with ${firstNames(o.repNames)} ${describeTimes([o.start], o.timezone, o.now)}. If you'd like to pick it up again, just reply here.`;
}

/** The one short answer to "see you then", "thanks!": "Great — see you Thursday at 2pm (Pacific)!" */
export function acknowledgementMessage(o: { start: number; timezone: string; now: number }): string {
  return `Great — see you ${describeTimes([o.start], o.timezone, o.now)}!`;
}

/** What the buyer is told when their question goes to the rep: "I've passed your question to Sarah, who will reply by email." */
export function questionForwardedMessage(o: { repNames: string[]; question: string }): string {
  const who = firstNames(o.repNames);
  const asks = /\?\s*$/.test(o.question.trim()) || /^(?:do|does|did|will|would|could|can|should|is|are|what|who|how|where|when|which|why)\b/i.test(o.question.trim());
  return asks ? `Good question — I've passed it to ${who}, who will reply by email.` : `Thanks — I've passed that on to ${who}.`;
}

/** A change asked for inside the reschedule cutoff: the rep handles it, and the buyer is told so. */
export function lateChangeMessage(o: { start: number; timezone: string; now: number; buyerName?: string; repNames: string[]; cutoffMs: number }): string {
  const name = firstName(o.buyerName);
  const who = firstNames(o.repNames);
  return `Thanks for letting me know${name ? `, ${name}` : ''}. Your meeting is ${formatSlotTime(o.start, o.timezone, o.now)} (${zoneLabel(o.timezone, o.start)}), less than ${duration(o.cutoffMs)} away, so I've passed your request to ${who}, who will get back to you directly.`;
}

/** After `maxReschedules`: the rep takes it from here; the booked meeting stands meanwhile. */
export function tooManyReschedulesMessage(o: { start: number; timezone: string; now: number; buyerName?: string; repNames: string[] }): string {
  const name = firstName(o.buyerName);
  const who = firstNames(o.repNames);
  return `Understood${name ? `, ${name}` : ''}. Since we've moved this meeting a few times already, I've asked ${who} to find a time with you directly. Until then, ${formatSlotTime(o.start, o.timezone, o.now)} (${zoneLabel(o.timezone, o.start)}) stays booked.`;
}

export type CoverReason = 'pto' | 'ooo' | 'unavailable';

/** "A quick update, Jane: Tom will join instead of Sarah, who is out — same time, Thursday at 2pm (Pacific)." */
export function coverChangeMessage(o: {
  fromName: string;
  toName: string;
  reason: CoverReason;
  start: number;
  timezone: string;
  now: number;
  buyerName?: string;
}): string {
  const name = firstName(o.buyerName);
  const from = firstName(o.fromName) ?? o.fromName;
  const to = firstName(o.toName) ?? o.toName;
  const why = o.reason === 'unavailable' ? "who can't make it after all" : 'who is out';
  return `A quick update${name ? `, ${name}` : ''}: ${to} will join instead of ${from}, ${why} — same time, ${describeTimes([o.start], o.timezone, o.now)}. The calendar invite has been updated.`;
}

/** After a missed meeting, once: "Sorry we missed you today, Jane! Sarah can still meet … — which works best?" */
export function noShowRecoveryMessage(slots: { start: number }[], o: { timezone: string; now: number; buyerName?: string; repNames: string[]; missed: number }): string {
  const name = firstName(o.buyerName);
  const who = firstNames(o.repNames);
  const day = formatSlotTime(o.missed, o.timezone, o.now).replace(/ at .*$/, '');
  const missed = `Sorry we missed you ${/^(?:today|tomorrow)$/.test(day) ? day : `on ${day}`}${name ? `, ${name}` : ''}!`;
  if (slots.length === 0) return `${missed} ${who} will reach out to find another time that works for you.`;
  const n = slots.length;
  return `${missed} No worries — ${who} can still meet ${describeTimes(slots.map((s) => s.start), o.timezone, o.now)}. ${n === 1 ? 'Does that work?' : n === 2 ? 'Which works better?' : 'Which works best?'}`;
}

/** When the rep missed it: an apology and new times, with whoever covers. */
export function repNoShowApologyMessage(slots: { start: number }[], o: { timezone: string; now: number; buyerName?: string; missedRepNames: string[]; repNames: string[] }): string {
  const name = firstName(o.buyerName);
  const missed = firstNames(o.missedRepNames);
  const who = firstNames(o.repNames);
  const sorry = `I'm so sorry${name ? `, ${name}` : ''} — ${missed} couldn't make it to your meeting, and that's on us.`;
  if (slots.length === 0) return `${sorry} ${capitalize(who)} will reach out personally to find a new time.`;
  const n = slots.length;
  return `${sorry} ${capitalize(who)} can meet you ${describeTimes(slots.map((s) => s.start), o.timezone, o.now)} — ${n === 1 ? 'does that work?' : n === 2 ? 'which works better?' : 'which works best?'}`;
}

// ---------------------------------------------------------------------------------------------
// Notices to the rep (email text, also used as CRM task text)
// ---------------------------------------------------------------------------------------------

export interface RepNoticeBase {
  /** Who the notice is for (first name used in the greeting). */
  repName: string;
  /** The rep's IANA zone: times in the notice are in it. */
  repTimezone: string;
  lead: { email: string; name?: string; company?: string };
  meeting: { start: number; end: number };
}

export type RepNotice =
  | (RepNoticeBase & { kind: 'rescheduled'; to: { start: number; end: number } })
  | (RepNoticeBase & { kind: 'canceled'; words?: string })
  | (RepNoticeBase & { kind: 'question'; question: string })
  | (RepNoticeBase & { kind: 'late_change'; words: string; cutoffMs: number })
  | (RepNoticeBase & { kind: 'too_many_reschedules'; words: string; reschedules: number })
  | (RepNoticeBase & { kind: 'outcome_request'; outcomeLink: string });

/** "Thu, Mar 12 at 2pm (Central)": written out, in the rep's zone. */
function repTime(ms: number, zone: string): string {
  const dt = DateTime.fromMillis(ms, { zone, locale: LOCALE });
  return `${dt.toFormat('ccc, LLL d')} at ${formatClock(dt)} (${zoneLabel(zone, ms)})`;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 1440 === 0) return minutes === 1440 ? 'a day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'an hour' : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}

function quoteWords(words: string): string {
  return `"${words.replace(/\s+/g, ' ').trim()}"`;
}

/** A notice to the rep about their booked meeting: subject, text and the same as HTML. */
export function repNoticeEmail(n: RepNotice): { subject: string; text: string; html: string } {
  const buyer = n.lead.name ?? n.lead.email;
  const who = `${buyer}${n.lead.company ? ` (${n.lead.company})` : ''}`;
  const when = repTime(n.meeting.start, n.repTimezone);
  const contact = `You can reach ${firstName(n.lead.name) ?? 'them'} at ${n.lead.email}.`;
  let subject: string;
  let body: string[];
  switch (n.kind) {
    case 'rescheduled':
      subject = `Moved: your meeting with ${who} is now ${repTime(n.to.start, n.repTimezone)}`;
      body = [`${who} moved your meeting from ${when} to ${repTime(n.to.start, n.repTimezone)}. The calendar event has been updated; nothing else to do.`];
      break;
    case 'canceled':
      subject = `Canceled: your meeting with ${who} on ${when}`;
      body = [`${who} canceled your meeting on ${when}. The calendar event has been canceled.`, ...(n.words ? [`In their words: ${quoteWords(n.words)}`] : []), contact];
      break;
    case 'question':
      subject = `Question from ${who} before your meeting on ${when}`;
      body = [`${who} asked a question I couldn't answer, ahead of your meeting on ${when}:`, quoteWords(n.question), `They were told you would reply by email. ${contact}`];
      break;
    case 'late_change':
      subject = `Please follow up: ${who} asked to change your meeting on ${when}`;
      body = [
        `${who} asked to change your meeting on ${when}, less than ${duration(n.cutoffMs)} before it starts, so I left it to you:`,
        quoteWords(n.words),
        `The meeting is still booked. ${contact}`,
      ];
      break;
    case 'too_many_reschedules':
      subject = `Please follow up: ${who} wants to move your meeting again`;
      body = [
        `${who} has moved this meeting ${n.reschedules} time${n.reschedules === 1 ? '' : 's'} and asked again:`,
        quoteWords(n.words),
        `Your meeting on ${when} is still booked; they were told you would find a time with them directly. ${contact}`,
      ];
      break;
    case 'outcome_request':
      subject = `How did your meeting with ${who} go?`;
      body = [
        `Your meeting with ${who} was on ${when}. Please record how it went (held, no_show or rep_no_show) so the follow-up and the team's numbers are right:`,
        n.outcomeLink,
        'Until it is recorded, the meeting counts as unconfirmed, not as held.',
      ];
      break;
  }
  const paragraphs = [`Hi ${firstName(n.repName) ?? n.repName},`, ...body];
  return { subject, text: paragraphs.join('\n\n'), html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n') };
}

/**
 * Before the meeting a rep turned out to be away and nobody could cover at that time: new times,
 * the booked one standing until the buyer picks. "Sorry, Jane — Sarah can no longer make Thursday
 * at 2pm (Pacific). Tom can do Friday at 10am or Monday at 9am — which works best?"
 */
export function repUnavailableMessage(slots: { start: number }[], o: { booked: number; timezone: string; now: number; buyerName?: string; missedRepNames: string[]; repNames: string[] }): string {
  const name = firstName(o.buyerName);
  const missed = firstNames(o.missedRepNames);
  const sorry = `Sorry${name ? `, ${name}` : ''} — ${missed} can no longer make ${describeTimes([o.booked], o.timezone, o.now)}.`;
  if (slots.length === 0) return `${sorry} ${capitalize(firstNames(o.repNames))} will reach out personally to find a new time.`;
  const n = slots.length;
  const ask = n === 1 ? 'does that work?' : n === 2 ? 'which works better?' : 'which works best?';
  return `${sorry} ${capitalize(firstNames(o.repNames))} can do ${describeTimes(slots.map((s) => s.start), o.timezone, o.now)} — ${ask}`;
}
