/**
 * The buyer's message once a meeting is booked (ctx.booked), read in this order:
 * - "please cancel", "we're no longer interested", "we went with another vendor" -> cancel
 *   (unless they also ask for another time: "cancel and reschedule" is a reschedule);
 * - one of the times on offer named ("the second one", while rescheduling) -> choose;
 * - "keep it", "never mind" -> acknowledge (the booked meeting stands);
 * - another time, a move ("an hour later", "same time Friday"), "something came up",
 *   "2pm doesn't work anymore" -> reschedule, with a TimeConstraint (the booked time excluded;
 *   a move or an exact time as preferredStart);
 * - the booked time itself, "see you then", "great, thanks!", "is it still on?" -> acknowledge;
 * - a question only the rep can answer, or a note for them -> unclear with forRep;
 * - anything else -> unclear, asking whether to keep, move or cancel.
 */
import { DateTime } from 'luxon';
import type { TimeConstraint } from '../schedule/constraint';
import { localDate, localInstant } from '../schedule/local-time';
import { describeTimes } from './copy';
import { hasSelection, type Clause } from './reply-clause';
import { constraintFrom } from './reply-constraint';
import { meetingMinutesOf } from './reply-offer';
import { listOptions, quote } from './reply-questions';
import { localProposals, matchesClause, readReply, selectedBy, type Reading } from './reply-read';
import {
  ACKNOWLEDGE,
  AGREE,
  NEGATION,
  CANCEL,
  CANNOT_MAKE_IT,
  INQUIRY,
  KEEP,
  MEETING_TIME_QUESTION,
  NOTE_FOR_REP,
  QUESTION,
  REJECT_ALL,
  RESCHEDULE,
  STRONG_DECLINE,
  stripQuoted,
} from './reply-text';
import type { BookedMeeting, ReplyContext, ReplyIntent } from './reply-types';

/** The buyer's words as they would be passed on to the rep: quoted history dropped, at most 1000 characters. */
export function buyerWords(text: string): string {
  const t = stripQuoted(text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > 1000 ? `${t.slice(0, 997)}...` : t;
}

function minuteOfDay(ms: number, zone: string): number {
  const dt = DateTime.fromMillis(ms, { zone });
  return dt.hour * 60 + dt.minute;
}

/** The constraint of a reschedule: what the message states, the booked time excluded, and where a move or an exact time points. */
function rescheduleConstraint(r: Reading, ctx: ReplyContext, booked: BookedMeeting): TimeConstraint {
  const zone = r.zone;
  const meetingMinutes = meetingMinutesOf(ctx);
  const c: TimeConstraint = constraintFrom(r, { rejected: [], meetingMinutes }) ?? { timezone: zone };
  c.excluded = [...(c.excluded ?? []), { start: booked.start, end: booked.end }].sort((a, b) => a.start - b.start);
  const bookedMinute = minuteOfDay(booked.start, zone);
  const move = r.move;
  if (move?.kind === 'shift') {
    c.preferredStart = DateTime.fromMillis(booked.start, { zone }).plus({ days: move.days, minutes: move.minutes }).toMillis();
  } else if (move?.kind === 'later') {
    c.notBefore = booked.end;
  } else if (move?.kind === 'earlier') {
    c.notAfter = booked.start;
  } else if (move?.kind === 'same_time') {
    if (c.fromDate && c.fromDate === c.toDate) {
      c.preferredStart = localInstant(zone, c.fromDate, bookedMinute);
    } else {
      // "same time, another day": that time of day, any day but the booked one.
      c.windows = [{ earliestMinute: bookedMinute, latestMinute: Math.min(1440, bookedMinute + meetingMinutes) }];
    }
  } else {
    // An exact time ("Thursday at 3 instead?", "can we do 4pm?"): that time, on the day named or
    // the booked day, with the nearest open times around it.
    const timed = r.positive.filter((cl) => cl.times.length > 0 && cl.after === undefined && cl.before === undefined && !cl.alternatives);
    const times = timed.flatMap((cl) => cl.times);
    if (times.length === 1 && !c.windows) {
      const date = c.fromDate && c.fromDate === c.toDate ? c.fromDate : localDate(zone, booked.start);
      c.preferredStart = localInstant(zone, date, times[0]!.minute);
      delete c.earliestMinute;
      delete c.latestMinute;
      if (!(c.fromDate && c.fromDate === c.toDate)) {
        delete c.fromDate;
        delete c.toDate;
      }
    }
  }
  return c;
}

/** Does the clause name the booked meeting (its day, its time)? */
function namesBooked(cl: Clause, booked: BookedMeeting, zone: string): boolean {
  const local = localProposals([{ id: 'booked', start: booked.start, end: booked.end }], zone)[0]!;
  return matchesClause(local, cl, false);
}

export function understandBookedReply(text: string, ctx: ReplyContext): ReplyIntent {
  const booked = ctx.booked!;
  const r = readReply(text, ctx);
  const { norm, zone } = r;
  const when = describeTimes([booked.start], zone, ctx.now);
  const clarify = (lead = "Sorry, I didn't quite catch that —"): ReplyIntent => ({
    kind: 'unclear',
    question: `${lead} would you like to keep ${when}, move it to another time, or cancel?`,
  });
  if (!norm) return clarify();

  const timeClauses = r.positive.filter((cl) => hasSelection(cl) || cl.ranges.length > 0);
  const other = timeClauses.filter((cl) => !namesBooked(cl, booked, zone));
  const asksMove = RESCHEDULE.some((re) => re.test(norm)) || REJECT_ALL.some((re) => re.test(norm)) || r.move !== null || other.length > 0;
  const cannot = CANNOT_MAKE_IT.some((re) => re.test(norm));
  const cancels = CANCEL.some((re) => re.test(norm)) || STRONG_DECLINE.some((re) => re.test(norm));
  if (cancels && !asksMove) return { kind: 'cancel', reason: `buyer canceled: ${quote(text)}` };

  // A time still on offer (while rescheduling): the same reading as before booking.
  const offered = ctx.proposals.filter((p) => p.id !== booked.proposalId && p.start !== booked.start);
  if (offered.length > 0) {
    const local = localProposals(offered, zone);
    const rejected = new Set(r.negative.flatMap((cl) => [...selectedBy(cl, local)]));
    const sets = r.positive.filter((cl) => cl.ordinals.length > 0 || hasSelection(cl)).map((cl) => selectedBy(cl, local));
    const common = sets.length > 0 ? sets.reduce((a, b) => new Set([...a].filter((x) => b.has(x)))) : new Set<number>();
    const picks = [...common].filter((i) => !rejected.has(i)).sort((a, b) => a - b);
    const exact = r.positive.some((cl) => cl.times.length > 0 || cl.ordinals.length > 0);
    if (picks.length === 1 && (exact || !INQUIRY.test(norm))) {
      const p = offered[picks[0]!]!;
      return { kind: 'choose', proposalId: p.id, reason: `${quote(text)} matches ${describeTimes([p.start], zone, ctx.now)}` };
    }
    const sub = { ...ctx, proposals: offered };
    if (picks.length > 1) return { kind: 'unclear', question: `Just to confirm — did you mean ${listOptions(sub, zone, picks)}?` };
    // "Yes please" to "Shall I move it there?": the one time on offer, else which one.
    const agrees = timeClauses.length === 0 && sets.length === 0 && !REJECT_ALL.some((re) => re.test(norm)) && AGREE.test(norm) && !/\bsee (?:you|ya|u)\b/.test(norm) && !NEGATION.test(norm) && r.move === null && !KEEP.test(norm) && !cancels;
    if (agrees && offered.length === 1) return { kind: 'choose', proposalId: offered[0]!.id, reason: `buyer agreed (${quote(text)})` };
    if (agrees && !RESCHEDULE.some((re) => re.test(norm))) {
      return { kind: 'unclear', question: `Great — which works best for you: ${listOptions(sub, zone)}, or would you rather keep ${when}?` };
    }
  }

  if (KEEP.test(norm) && other.length === 0 && r.move === null) return { kind: 'acknowledge', reason: `buyer keeps ${when}: ${quote(text)}` };
  const acknowledges = ACKNOWLEDGE.some((re) => re.test(norm));
  if (asksMove || cannot || r.negative.length > 0) {
    // "See you tomorrow!" for a meeting on Thursday: a slip, not a request; ask rather than move.
    if (acknowledges && !RESCHEDULE.some((re) => re.test(norm)) && r.move === null && !cannot && r.negative.length === 0) {
      return { kind: 'unclear', question: `Just to confirm — we're meeting ${when}. Would you like to move it?` };
    }
    return { kind: 'reschedule', constraint: rescheduleConstraint(r, ctx, booked), reason: `buyer asked to reschedule: ${quote(text)}` };
  }
  if (timeClauses.length > 0) return { kind: 'acknowledge', reason: `buyer confirmed ${when}: ${quote(text)}` };
  if (MEETING_TIME_QUESTION.test(norm)) return { kind: 'acknowledge', reason: `buyer asked when the meeting is: ${quote(text)}` };
  if (QUESTION.test(norm) || NOTE_FOR_REP.test(norm)) {
    const words = buyerWords(text);
    if (words) return { kind: 'unclear', question: words, forRep: true };
  }
  if (acknowledges) return { kind: 'acknowledge', reason: `buyer acknowledged: ${quote(text)}` };
  return clarify();
}
