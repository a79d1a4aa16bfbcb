import { condition } from '@temporalio/workflow';
import { acknowledgementMessage, questionForwardedMessage, reminderMessage } from '../../../domain/converse/after-booking';
import { clarifyMessage, declineAckMessage } from '../../../domain/converse/copy';
import { understandReply, type ReplyContext, type ReplyIntent } from '../../../domain/converse/reply';
import { meetingDuties, type MeetingDuty } from '../../../domain/schedule/meeting';
import { FINAL_STAGES, type BookingOutcome, type MeetingState } from '../messages';
import type { CancelRequest, LeadState, OutcomeRequest } from '../state';
import { close, type Closed } from './close';
import { continueAsNewIfLong } from './continue';
import { cancelMeeting, changeMeeting, checkReps, freshTimeline, pickNewTime, publishMeeting, withdrawOffer } from './meeting-changes';
import { askForOutcome, recordOutcome } from './outcome';
import { tellPools } from './tell-pools';

type MeetingInput =
  | { kind: 'outcome'; request: OutcomeRequest }
  | { kind: 'cancel'; request: CancelRequest }
  | { kind: 'book'; proposalId: string; answer: (outcome: BookingOutcome) => void }
  | { kind: 'message'; text: string }
  | { kind: 'duty'; duty: MeetingDuty }
  | { kind: 'offer_expired' };

/**
 * 7. Stay with the meeting until it is held: reminders in the conversation and by email, the
 * buyer's changes and questions, the reps' side checked before it, and the outcome after it.
 * Leads booked before Baton stayed with the meeting close at booking, as they were recorded.
 */
export async function stayUntilHeld(lead: LeadState): Promise<Closed> {
  if (!lead.runner.staysWithMeeting()) return close(lead, 'booked');
  startMeeting(lead);
  for (;;) {
    // The pools that gave the lead a turn hear each change to its meeting (booked, moved, covered, how it went).
    await tellPools(lead);
    await continueAsNewIfLong(lead);
    const next = await nextMeetingInput(lead);
    switch (next.kind) {
      case 'outcome':
        next.request.result = await recordOutcome(lead, next.request.outcome, next.request.note);
        break;
      case 'cancel': {
        const booking = lead.booking!;
        await cancelMeeting(lead, next.request.by, next.request.reason);
        next.request.result = { stage: lead.stage, booking };
        break;
      }
      case 'book':
        next.answer(await pickNewTime(lead, next.proposalId));
        break;
      case 'message':
        await answer(lead, next.text);
        break;
      case 'duty':
        await doDuty(lead, next.duty);
        break;
      case 'offer_expired':
        await withdrawOffer(lead);
        break;
    }
    if (FINAL_STAGES.includes(lead.stage) || lead.closedReason !== null) {
      await tellPools(lead);
      return close(lead, lead.stage);
    }
  }
}

/** The meeting's first version: its timeline starts, and ops can find it by time and outcome. */
function startMeeting(lead: LeadState): void {
  lead.meeting ??= newMeetingState();
  lead.setStage('booked');
  publishMeeting(lead);
}

export function newMeetingState(): MeetingState {
  return { version: 1, reschedules: 0, recoveryUsed: false, ...freshTimeline() };
}

/** The meeting's next duty (reminder, check, outcome, giving up); none while new times are on offer after it. */
function nextDuty(lead: LeadState): MeetingDuty | null {
  const m = lead.meeting!;
  const b = lead.booking!;
  if (m.offer === 'recovery' || m.offer === 'rep_no_show') return null;
  const duties = meetingDuties({
    start: Date.parse(b.start),
    end: Date.parse(b.end),
    bookedAt: m.bookedAt,
    reminders: lead.policy.reminders,
    remindersSent: m.remindersSent,
    lastCheckAt: m.lastCheckAt,
    finalCheckDone: m.finalCheckDone,
    outcomeAfterMs: lead.policy.outcomeAfterMs,
    outcomeAsked: m.outcomeAsked,
  });
  return duties[0] ?? null;
}

/** New times on offer expire like the first ones did: replyTimeout after they were made. */
function offerExpiresAt(lead: LeadState): number | null {
  return lead.meeting!.offer ? lead.lastProposalAt + lead.policy.replyTimeoutMs : null;
}

async function nextMeetingInput(lead: LeadState): Promise<MeetingInput> {
  for (;;) {
    const outcome = lead.outcomeRequests.shift();
    if (outcome) return { kind: 'outcome', request: outcome };
    const cancel = lead.cancelRequests.shift();
    if (cancel) return { kind: 'cancel', request: cancel };
    const booking = lead.bookingRequests.shift();
    if (booking) return { kind: 'book', proposalId: booking.proposalId, answer: (o) => (booking.outcome = o) };
    if (lead.inbox.length > 0) {
      await lead.pace();
      lead.lastBuyerActivity = Date.now();
      return { kind: 'message', text: lead.inbox.shift()! };
    }
    const now = Date.now();
    const duty = nextDuty(lead);
    const expires = offerExpiresAt(lead);
    if (expires !== null && now >= expires) return { kind: 'offer_expired' };
    if (duty && now >= duty.at) return { kind: 'duty', duty };
    const wakeAt = Math.min(duty?.at ?? Infinity, expires ?? Infinity);
    lead.attributes.setDeadline(Number.isFinite(wakeAt) ? wakeAt : null);
    lead.flush();
    lead.waited();
    const woken = () => !lead.idle;
    if (Number.isFinite(wakeAt)) await condition(woken, wakeAt - now);
    else await condition(woken);
  }
}

async function doDuty(lead: LeadState, duty: MeetingDuty): Promise<void> {
  const m = lead.meeting!;
  switch (duty.kind) {
    case 'reminder':
      return remind(lead, duty.offsetMs);
    case 'check':
      m.lastCheckAt = Date.now();
      if (duty.final) m.finalCheckDone = true;
      return checkReps(lead);
    case 'ask_outcome':
      return askForOutcome(lead);
    case 'give_up':
      // Nobody said how it went: it stays unconfirmed (never counted as held), and the lead closes.
      lead.closedReason = 'no outcome was recorded within 7 days of the meeting';
      return;
  }
}

/** "See you tomorrow at 2pm (Pacific) with Sarah — reply here if anything changes", in the chat and by email. */
async function remind(lead: LeadState, offsetMs: number): Promise<void> {
  const m = lead.meeting!;
  const b = lead.booking!;
  m.remindersSent = [...m.remindersSent, offsetMs];
  const repNames = b.attendees.map((id) => lead.name(id));
  lead.say(reminderMessage({ start: Date.parse(b.start), end: Date.parse(b.end), timezone: lead.buyerTimezone, now: Date.now(), buyerName: lead.input.lead.name, repNames }));
  await lead.steps.sendReminder({ ...lead.meetingRef, offsetMs, version: m.version, timezone: lead.buyerTimezone, now: Date.now() });
}

/** A buyer's message while a meeting is booked (or new times are on offer after it). */
async function answer(lead: LeadState, text: string): Promise<void> {
  const intent = await understandAfterBooking(lead, text);
  const m = lead.meeting!;
  switch (intent.kind) {
    case 'choose':
      await pickNewTime(lead, intent.proposalId);
      return;
    case 'reschedule':
    case 'new_times':
      await changeMeeting(lead, intent.constraint, text);
      return;
    case 'cancel':
    case 'decline':
      if (m.offer === 'recovery' || m.offer === 'rep_no_show') {
        // The meeting is behind us: declining the new times closes the lead.
        lead.say(declineAckMessage({ buyerName: lead.input.lead.name, companyName: lead.policy.companyName }));
        lead.closedReason = 'the buyer declined new times after the missed meeting';
        lead.setStage('declined');
        return;
      }
      await cancelMeeting(lead, 'buyer', text);
      return;
    case 'acknowledge':
      if (!m.acknowledged) lead.say(acknowledgementMessage({ start: Date.parse(lead.booking!.start), timezone: lead.buyerTimezone, now: Date.now() }));
      m.acknowledged = true;
      return;
    case 'unclear':
      if (intent.forRep) {
        await lead.steps.notifyReps({ ...lead.meetingRef, what: `question-${lead.buyerMessages}`, notice: { kind: 'question', question: intent.question } });
        lead.say(questionForwardedMessage({ repNames: lead.booking!.attendees.map((id) => lead.name(id)), question: intent.question }));
      } else {
        lead.say(clarifyMessage(intent.question));
      }
      return;
  }
}

/**
 * What the buyer means now: about the booked meeting while it is ahead; about the times on offer
 * when the meeting is behind us (a no-show's recovery). The model's reading when one is configured.
 */
async function understandAfterBooking(lead: LeadState, text: string): Promise<ReplyIntent> {
  const m = lead.meeting!;
  const b = lead.booking!;
  const offered = m.offer ? lead.proposals : [];
  const ctx: ReplyContext = {
    proposals: offered.map((p) => ({ id: p.id, start: Date.parse(p.start), end: Date.parse(p.end) })),
    now: Date.now(),
    timezone: lead.buyerTimezone,
    ...(m.offer === 'recovery' || m.offer === 'rep_no_show'
      ? {}
      : { booked: { start: Date.parse(b.start), end: Date.parse(b.end), attendees: b.attendees, proposalId: b.proposalId } }),
  };
  if (!lead.policy.useLlm) return understandReply(text, ctx);
  return lead.steps.classifyReply({ workflowId: lead.workflowId, text, ...ctx });
}
