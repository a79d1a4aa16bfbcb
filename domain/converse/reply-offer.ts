/**
 * The buyer's reply to offered times, before anything is booked. Each clause is read as selecting
 * some of the proposals, rejecting some ("2pm doesn't work"), or asking for other times, and the
 * clauses are combined:
 * - one proposal selected (and not rejected)       -> choose
 * - several selected ("Thursday" with two Thursdays) -> unclear, asking which one
 * - times named that match no proposal, "none of these work", "next week?" -> new_times, with the
 *   TimeConstraint the reply states (what it asks for, and what it rules out, offered times included)
 * - "not interested", "please stop", "we went with another vendor" -> decline
 * - anything else -> unclear, with ONE clarifying question.
 */
import { DateTime } from 'luxon';
import type { TimeConstraint } from '../schedule/constraint';
import { constraintFrom } from './reply-constraint';
import { hasSelection } from './reply-clause';
import { describeProposal, listOptions, quote, whichQuestion } from './reply-questions';
import { localProposals, readReply, selectedBy, type Reading } from './reply-read';
import { AFFIRMATIVE, FLEXIBLE, INQUIRY, NEGATION, REJECT_ALL, STRONG_DECLINE, WEAK_DECLINE } from './reply-text';
import type { ProposalRef, ReplyContext, ReplyIntent } from './reply-types';

const DEFAULT_MEETING_MINUTES = 30;

export function meetingMinutesOf(ctx: ReplyContext): number {
  const m = ctx.booked ?? ctx.proposals[0];
  return m && m.end > m.start ? Math.round((m.end - m.start) / 60_000) : DEFAULT_MEETING_MINUTES;
}

/** A move said against the one time on offer ("an hour later?" with a single option). */
function moveFrom(r: Reading, anchor: ProposalRef): Partial<TimeConstraint> | null {
  const move = r.move;
  if (!move) return null;
  if (move.kind === 'shift') {
    const start = DateTime.fromMillis(anchor.start, { zone: r.zone }).plus({ days: move.days, minutes: move.minutes }).toMillis();
    return { preferredStart: start };
  }
  if (move.kind === 'later') return { notBefore: anchor.end };
  if (move.kind === 'earlier') return { notAfter: anchor.start };
  return null;
}

export function understandOfferReply(text: string, ctx: ReplyContext): ReplyIntent {
  const r = readReply(text, ctx);
  const { norm, zone } = r;
  if (!norm) return { kind: 'unclear', question: whichQuestion(ctx, zone, "Sorry, I didn't catch that —") };
  if (STRONG_DECLINE.some((re) => re.test(norm))) return { kind: 'decline', reason: `buyer declined: ${quote(text)}` };

  const proposals = localProposals(ctx.proposals, zone);
  const rejectAll = REJECT_ALL.some((re) => re.test(norm));
  const inquiry = INQUIRY.test(norm);
  const flexible = FLEXIBLE.test(norm) && !rejectAll;
  const { positive, negative } = r;
  const rejected = new Set<number>();
  for (const c of negative) for (const i of selectedBy(c, proposals)) rejected.add(i);
  const outOfRange = r.clauses.flatMap((c) => c.outOfRange);

  const newTimes = (reason: string, extra?: Partial<TimeConstraint>, allRuledOut = rejectAll): ReplyIntent => {
    const ruledOut = allRuledOut ? ctx.proposals : [...rejected].map((i) => ctx.proposals[i]!);
    const stated = constraintFrom(r, { rejected: ruledOut, meetingMinutes: meetingMinutesOf(ctx) });
    const constraint = extra ? { ...(stated ?? { timezone: zone }), ...extra } : stated;
    return { kind: 'new_times', ...(constraint ? { constraint } : {}), reason };
  };
  const choose = (index: number, why: string): ReplyIntent => {
    const p = ctx.proposals[index]!;
    return { kind: 'choose', proposalId: p.id, reason: `${why}: option ${index + 1}, ${describeProposal(p, ctx, zone)}` };
  };

  if (ctx.proposals.length === 1) {
    const moved = moveFrom(r, ctx.proposals[0]!);
    if (moved) return newTimes(`buyer asked to move the offered time: ${quote(text)}`, moved);
  }
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
    return newTimes(`buyer can't make the offered times: ${quote(text)}`, undefined, true);
  }
  return { kind: 'unclear', question: whichQuestion(ctx, zone, "Sorry, I didn't quite catch that —") };
}
