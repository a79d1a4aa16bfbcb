import type { LeadStage } from '../messages';
import type { LeadState } from '../state';

export interface Closed {
  stage: LeadStage;
}

/** The lead's last word: its final stage and why, visible to ops; any booking still waiting is answered. */
export function close(lead: LeadState, stage: LeadStage, reason?: string): Closed {
  lead.closedReason = reason ?? lead.attention?.reason ?? stage;
  lead.setStage(stage);
  lead.attributes.setDeadline(null);
  lead.flush();
  for (const r of lead.bookingRequests) r.outcome ??= { outcome: 'handed_off', message: `The lead is ${stage}.` };
  return { stage };
}
