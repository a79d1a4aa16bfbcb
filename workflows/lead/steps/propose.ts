import { proposalMessage, type ProposalReason } from '../../../domain/converse/copy';
import type { TimeConstraint } from '../../../domain/schedule/slots';
import type { LeadState } from '../state';
import { handToHuman } from './hand-off';

/** 3. Propose 2-3 specific times from the reps' real calendars; false when nobody has any time at all. */
export async function proposeTimes(lead: LeadState, reason: ProposalReason, constraint?: TimeConstraint): Promise<boolean> {
  lead.setStage('proposing');
  const found = await lead.steps.findTimes({
    workflowId: lead.workflowId,
    decision: lead.decision!,
    now: Date.now(),
    count: lead.policy.proposals,
    buyerTimezone: lead.buyerTimezone,
    ...(constraint ? { constraint } : {}),
  });
  if (found.slots.length === 0) {
    await handToHuman(lead, 'no open times for the assigned reps');
    return false;
  }
  lead.round++;
  lead.proposals = found.slots.map((s, i) => ({ id: `${lead.round}-${i + 1}`, start: s.start, end: s.end, attendees: s.reps }));
  const copyReason: ProposalReason = found.extended && reason === 'first' ? 'extended' : reason;
  offerProposals(lead, copyReason);
  lead.lastProposalAt = Date.now();
  lead.attention = null;
  lead.setStage('awaiting_reply');
  return true;
}

/** The buyer went quiet: one follow-up, with fresh times if the offered ones are about to pass. */
export async function nudge(lead: LeadState): Promise<void> {
  lead.nudged = true;
  const soonest = Date.now() + 30 * 60_000;
  if (lead.proposals.some((p) => Date.parse(p.start) < soonest)) await proposeTimes(lead, 'nudge');
  else offerProposals(lead, 'nudge');
  lead.nudged = true;
}

function offerProposals(lead: LeadState, reason: ProposalReason): void {
  const text = proposalMessage(
    lead.proposals.map((p) => ({ start: Date.parse(p.start) })),
    { ...lead.copyContext, reason },
  );
  lead.say(text, lead.proposals.map((p) => p.id));
}
