import type { TimeConstraint } from '../schedule/constraint';

export interface ProposalRef {
  id: string;
  start: number;
  end: number;
}

/** The meeting a buyer booked: their messages are then about it. */
export interface BookedMeeting {
  start: number;
  end: number;
  /** Rep ids at the meeting. */
  attendees: string[];
  /** The proposal it was booked from, when known: that one is not on offer again. */
  proposalId?: string;
}

export interface ReplyContext {
  /**
   * The times on offer, each with its id. Before booking, the proposals the buyer was sent; after
   * booking, only times still offered (while rescheduling, the new ones): a reply picking one of
   * them is `choose`. The booked one, if listed, is not on offer.
   */
  proposals: ProposalRef[];
  now: number;
  /** The buyer's IANA zone: "Thursday" and "2pm" mean Thursday and 2pm there (unless the message names another zone). */
  timezone: string;
  /** Set once a meeting is booked: the reply is read as being about that meeting. */
  booked?: BookedMeeting;
}

/**
 * What the buyer's reply asks for.
 * Before booking: choose | new_times | decline | unclear.
 * After booking (ctx.booked): choose (one of the times on offer) | reschedule | cancel | acknowledge | unclear.
 * `unclear` carries ONE clarifying question for the buyer; with `forRep` it is instead a question
 * (or a note) only the rep can answer, in the buyer's words, to pass on to the rep.
 */
export type ReplyIntent =
  | { kind: 'choose'; proposalId: string; reason: string }
  | { kind: 'new_times'; constraint?: TimeConstraint; reason: string }
  | { kind: 'decline'; reason: string }
  | { kind: 'unclear'; question: string; forRep?: true }
  | { kind: 'reschedule'; constraint?: TimeConstraint; reason: string }
  | { kind: 'cancel'; reason: string }
  | { kind: 'acknowledge'; reason: string };

export type ReplyIntentKind = ReplyIntent['kind'];
