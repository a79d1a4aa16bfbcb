import { noShowRecoveryMessage, repNoShowApologyMessage } from '../../../domain/converse/after-booking';
import type { OutcomeResult, ReportedOutcome } from '../messages';
import { MeetingOutcomeKey } from '../search-attributes';
import type { LeadState } from '../state';
import { handToHuman } from './hand-off';
import { blockedOf, offerTimes } from './meeting-changes';

/** After the meeting (`outcomeAfter`): the rep is asked how it went; until someone says, it is unconfirmed. */
export async function askForOutcome(lead: LeadState): Promise<void> {
  const m = lead.meeting!;
  m.outcomeAsked = true;
  m.outcome = 'unconfirmed';
  lead.attributes.set([{ key: MeetingOutcomeKey, value: 'unconfirmed' }]);
  const buyer = lead.input.lead.name ?? lead.input.lead.email;
  await lead.steps.createRepTask({
    ...lead.meetingRef,
    what: `outcome-${m.version}`,
    title: `How did your meeting with ${buyer} go?`,
    body: 'Record the outcome (held, no-show, or you could not make it) on the ops page, or POST it to the lead’s /outcome route.',
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  await lead.steps.notifyReps({ ...lead.meetingRef, what: `outcome-${m.version}`, notice: { kind: 'outcome_request', outcomeLink: '' } });
}

/**
 * How the meeting went, as the rep or ops said. Held: the lead is done. The buyer missed it: new
 * times once, then the lead goes quiet. The rep missed it: an apology and new times with a cover,
 * and the lead shows on the ops page as needing attention.
 */
export async function recordOutcome(lead: LeadState, outcome: ReportedOutcome, note?: string): Promise<OutcomeResult> {
  const m = lead.meeting!;
  const b = lead.booking!;
  m.outcome = outcome;
  m.outcomeAsked = true;
  lead.attributes.set([{ key: MeetingOutcomeKey, value: outcome }]);
  if (lead.crm.meetingId) {
    const noted = outcome === 'rep_no_show' ? `The rep missed this meeting.${note ? ` ${note}` : ''}` : note;
    await lead.steps.updateCrmMeeting({ crmMeetingId: lead.crm.meetingId, status: outcome === 'held' ? 'completed' : 'no_show', ...(noted ? { note: noted } : {}) });
  }
  const copy = { timezone: lead.buyerTimezone, now: Date.now(), buyerName: lead.input.lead.name };
  if (outcome === 'held') {
    lead.closedReason = 'the meeting was held';
    lead.setStage('held');
  } else if (outcome === 'no_show') {
    if (m.recoveryUsed) {
      lead.closedReason = 'the buyer missed the meeting again';
      lead.setStage('unresponsive');
    } else {
      m.recoveryUsed = true;
      const found = await lead.steps.findTimesWith({ workflowId: lead.workflowId, ids: b.attendees, now: Date.now(), count: lead.policy.proposals, buyerTimezone: lead.buyerTimezone, ...blockedOf(lead) });
      if (found.slots.length === 0) {
        await handToHuman(lead, 'the buyer missed the meeting and no new time is open');
      } else {
        offerTimes(lead, found.slots, 'recovery');
        const repNames = b.attendees.map((id) => lead.name(id));
        lead.say(noShowRecoveryMessage(lead.proposals.map((p) => ({ start: Date.parse(p.start) })), { ...copy, repNames, missed: Date.parse(b.start) }), lead.proposals.map((p) => p.id));
        lead.setStage('no_show');
      }
    }
  } else {
    const missed = b.reps[0]!;
    const cover = await lead.steps.chooseCover({ leadKey: lead.leadKey, repId: missed, exclude: b.attendees, now: Date.now() });
    const attendees = b.attendees.map((id) => (id === missed && cover ? cover : id));
    const found = await lead.steps.findTimesWith({ workflowId: lead.workflowId, ids: attendees, now: Date.now(), count: lead.policy.proposals, buyerTimezone: lead.buyerTimezone, ...blockedOf(lead) });
    offerTimes(lead, found.slots, 'rep_no_show');
    lead.say(
      repNoShowApologyMessage(lead.proposals.map((p) => ({ start: Date.parse(p.start) })), { ...copy, missedRepNames: [lead.name(missed)], repNames: attendees.map((id) => lead.name(id)) }),
      lead.proposals.map((p) => p.id),
    );
    // Ops are alerted: the lead waits on the ops page, for the buyer's pick.
    lead.attention = { reason: `${lead.name(missed)} missed the meeting${cover ? `; ${lead.name(cover)} offered new times` : ''}`, since: new Date().toISOString(), waitingFor: 'buyer' };
    lead.setStage('needs_attention');
  }
  return { stage: lead.stage, outcome };
}
