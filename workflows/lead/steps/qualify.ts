import { disqualifiedFor } from '../../../domain/converse/copy';
import type { Facts } from '../../../domain/qualify/facts';
import type { LeadState } from '../state';
import { close, type Closed } from './close';

/** 1. Qualify from what the buyer actually said (the model adds, the extractor is the floor). */
export async function qualify(lead: LeadState): Promise<Facts> {
  lead.facts = await lead.steps.qualifyLead({ workflowId: lead.workflowId, lead: lead.input.lead });
  return lead.facts;
}

/** Not a lead for sales: tell the buyer why, kindly, note it in the CRM, and close. */
export async function disqualify(lead: LeadState, reason: NonNullable<Facts['disqualified']>): Promise<Closed> {
  const buyer = lead.input.lead;
  lead.say(disqualifiedFor(reason.reason, { buyerName: buyer.name, companyName: lead.policy.companyName }));
  await lead.steps.recordDisqualified({ workflowId: lead.workflowId, lead: buyer, reason: reason.reason, quote: reason.quote ?? null });
  return close(lead, 'disqualified', `disqualified: ${reason.reason}`);
}
