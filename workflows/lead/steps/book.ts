import { confirmationMessage } from '../../../domain/converse/copy';
import { SlotConflict } from '../../../domain/errors';
import { isFailureOf } from '../../failures';
import type { BookingOutcome } from '../messages';
import type { LeadState } from '../state';
import { handToHuman } from './hand-off';
import { proposeTimes } from './propose';

/** 5. Book the chosen time, re-checking calendars; on a conflict, fresh times (or a person, after too many). */
export async function book(lead: LeadState, proposalId: string): Promise<BookingOutcome> {
  const proposal = lead.proposals.find((p) => p.id === proposalId);
  if (!proposal) return { outcome: 'conflict', message: 'That option is no longer on offer.', proposals: lead.proposals };
  lead.bookingAttempts++;
  lead.setStage('booking');
  try {
    lead.booking = await lead.steps.bookMeeting({
      workflowId: lead.workflowId,
      attempt: lead.bookingAttempts,
      proposal,
      decision: lead.decision!,
      lead: lead.input.lead,
      now: Date.now(),
    });
  } catch (err) {
    if (!isFailureOf(err, SlotConflict)) throw err;
    if (lead.bookingAttempts >= lead.policy.maxBookingAttempts) {
      const message = await handToHuman(lead, `the chosen times kept getting taken (${lead.bookingAttempts} attempts)`);
      return { outcome: 'handed_off', message };
    }
    await proposeTimes(lead, 'conflict');
    return { outcome: 'conflict', message: lead.lastAgentMessage, proposals: lead.proposals };
  }
  const booking = lead.booking;
  lead.say(
    confirmationMessage({
      start: Date.parse(booking.start),
      end: Date.parse(booking.end),
      ...lead.copyContext,
      repNames: booking.attendees.map((id) => lead.name(id)),
    }),
  );
  return { outcome: 'booked', booking };
}
