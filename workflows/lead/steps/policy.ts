import type { LeadState } from '../state';

/**
 * 0. The worker's team decides how the lead is handled (the API only relays the lead): taken once,
 * at the start, and kept for the lead's whole life. Leads started with a policy keep theirs.
 */
export async function takeTeamPolicy(lead: LeadState): Promise<void> {
  if (!lead.hasPolicy) lead.policy = await lead.steps.leadPolicy();
}
