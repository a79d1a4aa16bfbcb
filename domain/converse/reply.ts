/**
 * Understanding the buyer's reply, without an LLM (and checking an LLM's answer when one is
 * configured: reply-llm.ts). Before booking, a reply to offered times (reply-offer.ts); once a
 * meeting is booked (ctx.booked), a message about that meeting (reply-booked.ts).
 *
 * Pure and deterministic: `now` and the buyer's zone come in through `ctx`. The message is read
 * in parts: text (reply-text.ts), time zones it names (reply-zones.ts), moves of a booked meeting
 * (reply-moves.ts), what each clause says about times (reply-clause.ts, over reply-scan.ts) and
 * days (reply-days.ts, through chrono-node), which offered times it points at (reply-read.ts) and
 * the TimeConstraint it states (reply-constraint.ts). The workflow bundle imports this module: no
 * zod here.
 */
import { understandBookedReply } from './reply-booked';
import { understandOfferReply } from './reply-offer';
import type { ReplyContext, ReplyIntent } from './reply-types';

export type { BookedMeeting, ProposalRef, ReplyContext, ReplyIntent, ReplyIntentKind } from './reply-types';
export { PARTS_OF_DAY } from './reply-clause';
export { safeZone } from './reply-read';
export { describeProposal, whichQuestion } from './reply-questions';
export { buyerWords } from './reply-booked';
export { mergeConstraints, type TimeConstraint } from '../schedule/constraint';

/** What the buyer's message asks for; see ReplyIntent for the kinds before and after booking. */
export function understandReply(text: string, ctx: ReplyContext): ReplyIntent {
  return ctx.booked ? understandBookedReply(text, ctx) : understandOfferReply(text, ctx);
}
