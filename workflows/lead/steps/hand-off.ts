import { handoffMessage } from '../../../domain/converse/copy';
import type { LeadState } from '../state';

/**
 * 6. Hand off: the buyer's contact, the meeting and the briefing in the CRM, then the intro email,
 * so the rep arrives prepared. One write per step, each once: the ids are kept, so a retried or
 * resumed later write never repeats an earlier one.
 */
export async function handOff(lead: LeadState): Promise<void> {
  const base = { workflowId: lead.workflowId, lead: lead.input.lead, facts: lead.facts!, decision: lead.decision!, booking: lead.booking! };
  const briefing = await lead.steps.writeBriefing(base);
  if (!lead.runner.writesCrmApart()) return legacyHandOff(lead, { ...base, briefing });
  const { workflowId, lead: buyer } = base;
  const crm = lead.crm;
  const contact = (crm.contact ??= await lead.steps.recordCrmContact({ workflowId, lead: buyer }));
  crm.meetingId ??= (await lead.steps.recordCrmMeeting({ workflowId, lead: buyer, contact, booking: base.booking, briefing })).id;
  crm.briefingId ??= (await lead.steps.recordCrmBriefing({ workflowId, lead: buyer, contact, briefing })).id;
  await lead.steps.sendIntroEmail({ ...base, briefing });
}

/** Leads started before `one-crm-write-per-activity` finish as they were recorded: the three CRM writes in one step. */
async function legacyHandOff(lead: LeadState, input: Parameters<LeadState['steps']['recordBooking']>[0]): Promise<void> {
  await lead.steps.recordBooking(input);
  await lead.steps.sendIntroEmail(input);
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
