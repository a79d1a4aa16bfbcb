import { handoffMessage } from '../../../domain/converse/copy';
import type { LeadState } from '../state';

/** 6. Hand off: the CRM note with the briefing, then the intro email, so the rep arrives prepared. */
export async function handOff(lead: LeadState): Promise<void> {
  const base = { workflowId: lead.workflowId, lead: lead.input.lead, facts: lead.facts!, decision: lead.decision!, booking: lead.booking! };
  const briefing = await lead.steps.writeBriefing(base);
  await lead.steps.recordBooking({ ...base, briefing });
  await lead.steps.sendIntroEmail({ ...base, briefing });
}

/** A person takes over: the owner gets a CRM task with the briefing, the buyer is told who will follow up. */
export async function handToHuman(lead: LeadState, reason: string): Promise<string> {
  const owner = lead.decision?.reps[0];
  const ownerName = (owner && lead.people[owner]?.name) || '';
  await lead.steps.createFollowUpTask({
    workflowId: lead.workflowId,
    lead: lead.input.lead,
    facts: lead.facts,
    decision: lead.decision,
    reason,
    now: Date.now(),
  });
  const message = handoffMessage(ownerName, { buyerName: lead.input.lead.name });
  lead.say(message);
  lead.proposals = [];
  lead.attention = { reason, since: new Date().toISOString(), waitingFor: 'buyer' };
  lead.setStage('needs_attention');
  return message;
}
