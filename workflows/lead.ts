/**
 * The lifecycle of one inbound lead, as the sales process reads:
 *   1. qualify   2. route   3. propose times   4. wait for the buyer   5. book   6. hand off.
 * Every step that touches the outside world is an activity; decisions come from domain/.
 */
import { LeadConversation } from './conversation';
import type { LeadStage, LeadWorkflowInput } from './messages';

export async function leadWorkflow(input: LeadWorkflowInput): Promise<{ stage: LeadStage }> {
  const lead = new LeadConversation(input);

  // 1. Qualify from what the buyer actually said.
  const facts = await lead.qualify();
  if (facts.disqualified) return lead.disqualify(facts.disqualified);

  // 2. Route on context: CRM owner, then the plain-English rules, then the fallback.
  await lead.route();

  // 3. Propose 2-3 specific times from the reps' real calendars.
  await lead.proposeTimes('first');

  // 4 + 5. Wait durably for the buyer; book in the conversation, re-proposing on conflicts.
  const outcome = await lead.converseUntilBookedOrClosed();
  if (outcome !== 'booked') return lead.close(outcome);

  // 6. Hand off: CRM note with the briefing and the intro email, so the rep arrives prepared.
  await lead.handOff();
  return lead.close('booked');
}
