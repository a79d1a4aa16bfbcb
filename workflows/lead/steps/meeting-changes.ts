import {
  cancelConfirmationMessage,
  coverChangeMessage,
  lateChangeMessage,
  repUnavailableMessage,
  rescheduledMessage,
  rescheduleOfferMessage,
  tooManyReschedulesMessage,
  type CoverReason,
} from '../../../domain/converse/after-booking';
import { confirmationMessage } from '../../../domain/converse/copy';
import { SlotConflict } from '../../../domain/errors';
import type { RouteDecision } from '../../../domain/route/routing';
import { mergeConstraints, type TimeConstraint } from '../../../domain/schedule/constraint';
import { insideCutoff } from '../../../domain/schedule/meeting';
import type { AwayReason } from '../../../domain/schedule/meeting-check';
import { isFailureOf } from '../../failures';
import type { BookingOutcome, MeetingState } from '../messages';
import { AssignedRepKey, MeetingAtKey, MeetingOutcomeKey } from '../search-attributes';
import type { LeadState } from '../state';
import { handToHuman } from './hand-off';

const DAY_MS = 86_400_000;

function copyOf(lead: LeadState) {
  const b = lead.booking!;
  return { start: Date.parse(b.start), timezone: lead.buyerTimezone, now: Date.now(), buyerName: lead.input.lead.name, repNames: b.attendees.map((id) => lead.name(id)) };
}

/** New times on offer after booking, and why; proposal ids go on from the last round. */
export function offerTimes(lead: LeadState, slots: { start: string; end: string; reps: string[] }[], why: NonNullable<MeetingState['offer']>): void {
  lead.round++;
  lead.proposals = slots.map((s, i) => ({ id: `${lead.round}-${i + 1}`, start: s.start, end: s.end, attendees: s.reps }));
  lead.lastProposalAt = Date.now();
  lead.meeting!.offer = why;
}

/** Times the booked meeting's reps can all do, honouring everything the buyer asked for so far. */
async function timesFor(lead: LeadState, ids: string[], constraint?: TimeConstraint) {
  lead.constraint = mergeConstraints(lead.constraint ?? undefined, constraint, Date.now()) ?? null;
  const b = lead.booking!;
  return lead.steps.findTimesWith({
    workflowId: lead.workflowId,
    ids,
    now: Date.now(),
    count: lead.policy.proposals,
    buyerTimezone: lead.buyerTimezone,
    ...(lead.constraint ? { constraint: lead.constraint } : {}),
    // Moving the meeting: its own event is not in the way of "30 minutes earlier".
    ...(lead.meeting!.offer === null || lead.meeting!.offer === 'reschedule' ? { ignore: { start: b.start, end: b.end } } : {}),
    ...blockedOf(lead),
  });
}

/** The routing decision's periods where a rep is at their pool cap: new times never land there (none on older decisions). */
export function blockedOf(lead: LeadState): Pick<RouteDecision, 'blocked'> {
  const blocked = lead.decision?.blocked;
  return blocked && Object.keys(blocked).length > 0 ? { blocked } : {};
}

/**
 * The buyer wants another time for the booked meeting. Inside the cutoff, or past `maxReschedules`,
 * the rep handles it (a task and a notice) and the buyer is told so; otherwise new times from the
 * same attendees, and the booked meeting stands until one is picked.
 */
export async function changeMeeting(lead: LeadState, constraint: TimeConstraint | undefined, words: string): Promise<void> {
  const m = lead.meeting!;
  const copy = copyOf(lead);
  if (m.offer === 'recovery' || m.offer === 'rep_no_show') return offerAgain(lead, constraint);
  const late = insideCutoff(Date.now(), copy.start, lead.policy.rescheduleCutoffMs);
  if (late || m.reschedules >= lead.policy.maxReschedules) {
    const what = late ? 'late-change' : 'too-many-reschedules';
    await lead.steps.createRepTask({
      ...lead.meetingRef,
      what: `${what}-${m.version}`,
      title: `${lead.input.lead.name ?? lead.input.lead.email} asks to move your meeting`,
      body: `In their words: "${words}"`,
      dueAt: new Date(Date.now() + (late ? 3_600_000 : DAY_MS)).toISOString(),
    });
    await lead.steps.notifyReps({
      ...lead.meetingRef,
      what: `${what}-${m.version}`,
      notice: late ? { kind: 'late_change', words, cutoffMs: lead.policy.rescheduleCutoffMs } : { kind: 'too_many_reschedules', words, reschedules: m.reschedules },
    });
    lead.say(late ? lateChangeMessage({ ...copy, cutoffMs: lead.policy.rescheduleCutoffMs }) : tooManyReschedulesMessage(copy));
    return;
  }
  const found = await timesFor(lead, lead.booking!.attendees, constraint);
  if (found.slots.length === 0) {
    await lead.steps.createRepTask({ ...lead.meetingRef, what: `no-times-${m.version}`, title: `Find a new time with ${lead.input.lead.name ?? lead.input.lead.email}`, body: `In their words: "${words}"`, dueAt: new Date(Date.now() + DAY_MS).toISOString() });
    lead.say(rescheduleOfferMessage([], { booked: { start: copy.start }, ...copy }));
    return;
  }
  // The exact time asked for ("an hour later") goes first: the copy offers it first, and "yes" or "the first one" means it.
  const preferred = lead.constraint?.preferredStart;
  const slots = found.preferredOpen && preferred !== undefined ? [...found.slots].sort((a, b) => Number(Date.parse(b.start) === preferred) - Number(Date.parse(a.start) === preferred)) : found.slots;
  offerTimes(lead, slots, 'reschedule');
  lead.say(
    rescheduleOfferMessage(
      lead.proposals.map((p) => ({ start: Date.parse(p.start) })),
      {
        booked: { start: copy.start },
        ...copy,
        ...(lead.constraint?.preferredStart !== undefined ? { preferredStart: lead.constraint.preferredStart, preferredOpen: found.preferredOpen ?? false } : {}),
      },
    ),
    lead.proposals.map((p) => p.id),
  );
  lead.setStage('rescheduling');
}

/** After a missed meeting the buyer asks for other times than the ones offered: new ones, the same people. */
async function offerAgain(lead: LeadState, constraint: TimeConstraint | undefined): Promise<void> {
  const attendees = lead.proposals[0]?.attendees ?? lead.booking!.attendees;
  const found = await timesFor(lead, attendees, constraint);
  if (found.slots.length === 0) {
    await handToHuman(lead, 'no open times after the missed meeting');
    return;
  }
  offerTimes(lead, found.slots, lead.meeting!.offer!);
  lead.say(rescheduleOfferMessage(lead.proposals.map((p) => ({ start: Date.parse(p.start) })), { booked: { start: Date.parse(lead.booking!.start) }, ...copyOf(lead) }), lead.proposals.map((p) => p.id));
}

/**
 * The buyer picked one of the new times. A booked meeting that stands is moved (the same event,
 * never a second one); after a missed meeting, or when the event is gone, a new one is booked.
 * Either way the CRM meeting follows, both sides are told, and the meeting's timeline starts over.
 */
export async function pickNewTime(lead: LeadState, proposalId: string): Promise<BookingOutcome> {
  const m = lead.meeting!;
  const proposal = lead.proposals.find((p) => p.id === proposalId);
  if (!proposal || !m.offer) return { outcome: 'conflict', message: 'That option is no longer on offer.', proposals: lead.proposals };
  const before = lead.booking!;
  const moving = m.offer === 'reschedule' && !m.eventGone;
  try {
    const moved = moving ? await lead.steps.moveMeeting({ ...lead.meetingRef, to: { start: proposal.start, end: proposal.end } }) : 'event_gone';
    if (moved === 'moved') {
      lead.booking = { ...before, proposalId: proposal.id, start: proposal.start, end: proposal.end };
    } else {
      lead.bookingAttempts++;
      const attendees = proposal.attendees;
      lead.booking = await lead.steps.bookMeeting({
        workflowId: lead.workflowId,
        attempt: lead.bookingAttempts,
        proposal,
        decision: { ...lead.decision!, reps: [attendees[0]!], attendees, extraAttendees: attendees.slice(1), mode: 'all' },
        lead: lead.input.lead,
        now: Date.now(),
      });
    }
  } catch (err) {
    if (!isFailureOf(err, SlotConflict)) throw err;
    // Taken meanwhile: fresh times, the same people, what was asked still honoured.
    const found = await timesFor(lead, proposal.attendees);
    offerTimes(lead, found.slots, m.offer);
    lead.say(rescheduleOfferMessage(lead.proposals.map((p) => ({ start: Date.parse(p.start) })), { booked: { start: Date.parse(before.start) }, ...copyOf(lead) }), lead.proposals.map((p) => p.id));
    return { outcome: 'conflict', message: lead.lastAgentMessage, proposals: lead.proposals };
  }
  const after = lead.booking!;
  const wasMoved = after.eventId === before.eventId && moving;
  if (lead.crm.meetingId) {
    await lead.steps.updateCrmMeeting({
      crmMeetingId: lead.crm.meetingId,
      start: after.start,
      end: after.end,
      status: wasMoved ? 'rescheduled' : 'scheduled',
      ownerRepId: after.reps[0]!,
      ...(wasMoved ? {} : { note: `Booked again for ${after.start} after the meeting of ${before.start}.` }),
    });
  }
  await lead.steps.notifyReps({ ...lead.meetingRef, booking: before, what: `moved-${m.version}`, notice: { kind: 'rescheduled', to: { start: Date.parse(after.start), end: Date.parse(after.end) } } });
  const copy = copyOf(lead);
  if (moving) m.reschedules++;
  if (wasMoved) {
    lead.say(rescheduledMessage({ from: Date.parse(before.start), to: copy.start, timezone: copy.timezone, now: copy.now, buyerName: copy.buyerName, repNames: copy.repNames }));
  } else {
    lead.say(confirmationMessage({ start: copy.start, end: Date.parse(after.end), ...lead.copyContext, repNames: copy.repNames }));
  }
  startOver(lead);
  return { outcome: 'booked', booking: after };
}

/** A meeting's timeline from its booking on: no reminder sent, no check made, no outcome yet. */
export function freshTimeline(): Omit<MeetingState, 'version' | 'reschedules' | 'recoveryUsed'> {
  return {
    bookedAt: Date.now(),
    remindersSent: [],
    lastCheckAt: null,
    finalCheckDone: false,
    outcomeAsked: false,
    outcome: 'scheduled',
    offer: null,
    acknowledged: false,
    eventGone: false,
  };
}

/** The meeting has a new time (or a new event): reminders, checks and the outcome start over for it. */
function startOver(lead: LeadState): void {
  const m = lead.meeting!;
  Object.assign(m, { ...freshTimeline(), version: m.version + 1 });
  lead.proposals = [];
  lead.attention = null;
  lead.setStage('booked');
  publishMeeting(lead);
}

/** What ops search booked leads by: when the meeting is, how it went, whose it is. */
export function publishMeeting(lead: LeadState): void {
  lead.attributes.set([
    { key: MeetingAtKey, value: new Date(lead.booking!.start) },
    { key: MeetingOutcomeKey, value: lead.meeting!.outcome },
    { key: AssignedRepKey, value: lead.booking!.reps[0] ?? null },
  ]);
}

/** New times went unanswered: a booked meeting stands as it was; after a missed one, the lead goes quiet. */
export async function withdrawOffer(lead: LeadState): Promise<void> {
  const m = lead.meeting!;
  if (m.offer === 'reschedule' && !m.eventGone) {
    m.offer = null;
    lead.proposals = [];
    lead.setStage('booked');
    return;
  }
  m.offer = null;
  await handToHuman(lead, m.eventGone ? 'the buyer did not pick a new time after the meeting was lost' : 'the buyer did not reply after the missed meeting');
  lead.closedReason = 'the buyer did not reply to the new times';
  lead.setStage('unresponsive');
}

/** Cancel the booked meeting everywhere: the event (invitees notified), the CRM meeting, the rep; the lead closes. */
export async function cancelMeeting(lead: LeadState, by: 'buyer' | 'server', words?: string): Promise<void> {
  const m = lead.meeting!;
  if (!m.eventGone) await lead.steps.cancelMeeting(lead.meetingRef);
  if (lead.crm.meetingId) await lead.steps.updateCrmMeeting({ crmMeetingId: lead.crm.meetingId, status: 'canceled', ...(words ? { note: `Canceled by the ${by}: "${words}"` } : {}) });
  await lead.steps.notifyReps({ ...lead.meetingRef, what: `canceled-${m.version}`, notice: { kind: 'canceled', ...(words ? { words } : {}) } });
  lead.say(cancelConfirmationMessage(copyOf(lead)));
  m.outcome = 'canceled';
  m.offer = null;
  lead.proposals = [];
  lead.attributes.set([{ key: MeetingOutcomeKey, value: 'canceled' }]);
  lead.closedReason = by === 'buyer' ? 'the buyer canceled the meeting' : 'the meeting was canceled through the API';
  lead.setStage('canceled');
}

const COVER_REASON: Record<AwayReason, CoverReason> = { pto: 'pto', ooo: 'ooo', declined: 'unavailable', gone: 'unavailable' };

/**
 * The check before the meeting: a rep who went on PTO, is out of office, or declined or deleted the
 * invite is covered by someone free at the same time (the event handed over, the buyer told who is
 * coming); with nobody to cover, the buyer gets new times and the meeting stands until one is picked.
 */
export async function checkReps(lead: LeadState): Promise<void> {
  const m = lead.meeting!;
  if (m.offer !== null) return; // new times are already on offer
  const away = await lead.steps.checkMeeting({ booking: lead.booking! });
  if (away.length === 0) return;
  const before = lead.booking!;
  const result = await lead.steps.coverMeeting({ ...lead.meetingRef, away, decision: lead.decision!, version: m.version });
  lead.booking = result.booking;
  for (const c of result.covered) {
    const reason = COVER_REASON[away.find((a) => a.repId === c.from)!.reason];
    lead.say(coverChangeMessage({ fromName: lead.name(c.from), toName: lead.name(c.to), reason, start: Date.parse(before.start), timezone: lead.buyerTimezone, now: Date.now(), buyerName: lead.input.lead.name }));
  }
  if (result.covered.length > 0) {
    if (lead.crm.meetingId) {
      const note = result.covered.map((c) => `${lead.name(c.to)} covers for ${lead.name(c.from)}.`).join(' ');
      await lead.steps.updateCrmMeeting({ crmMeetingId: lead.crm.meetingId, ownerRepId: result.booking.reps[0]!, note });
    }
    lead.attributes.set([{ key: AssignedRepKey, value: result.booking.reps[0] ?? null }]);
  }
  if (result.uncovered.length === 0) return;
  m.eventGone = away.every((a) => a.reason === 'gone');
  const found = await timesFor(lead, lead.booking!.attendees);
  offerTimes(lead, found.slots, 'reschedule');
  const names = (ids: string[]) => ids.map((id) => lead.name(id));
  lead.say(
    repUnavailableMessage(
      lead.proposals.map((p) => ({ start: Date.parse(p.start) })),
      { booked: Date.parse(before.start), timezone: lead.buyerTimezone, now: Date.now(), buyerName: lead.input.lead.name, missedRepNames: names(result.uncovered), repNames: names(lead.booking!.attendees) },
    ),
    lead.proposals.map((p) => p.id),
  );
  if (lead.proposals.length === 0) await handToHuman(lead, `${names(result.uncovered).join(', ')} can no longer make the meeting and no other time is open`);
  else lead.setStage('rescheduling');
}
