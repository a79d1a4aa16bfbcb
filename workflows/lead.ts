/**
 * The lifecycle of one inbound lead, as the sales process reads. Each step is a small function in
 * ./lead/steps/; how a step runs (local or remote, retries, parking for ops) is the step runner's
 * (./lead/step-runner.ts); where the lead stands and the messages it answers, ./lead/state.ts.
 */
import type { LeadWorkflowInput } from './lead/messages';
import { LeadState } from './lead/state';
import { close, type Closed } from './lead/steps/close';
import { converseUntilBooked } from './lead/steps/converse';
import { handOff } from './lead/steps/hand-off';
import { stayUntilHeld } from './lead/steps/meeting';
import { takeTeamPolicy } from './lead/steps/policy';
import { proposeTimes } from './lead/steps/propose';
import { disqualify, qualify } from './lead/steps/qualify';
import { route } from './lead/steps/route';
import { tellPools } from './lead/steps/tell-pools';

export async function leadWorkflow(input: LeadWorkflowInput): Promise<Closed> {
  const lead = new LeadState(input);

  // A lead continued as new (its history grew long) picks up at the wait it was in.
  if (!lead.continued) {
    await takeTeamPolicy(lead);

    // 1. Qualify from what the buyer actually said.
    const facts = await qualify(lead);
    if (facts.disqualified) return disqualify(lead, facts.disqualified);

    // 2. Route on context: CRM owner, then the plain-English rules, then the fallback.
    await route(lead);

    // 3. Propose 2-3 specific times from the reps' real calendars.
    await proposeTimes(lead, 'first');
  }

  if (!lead.booking) {
    // 4 + 5. Wait durably for the buyer; book in the conversation, re-proposing on conflicts.
    const outcome = await converseUntilBooked(lead);
    if (outcome !== 'booked') {
      // The pools that gave it a turn get the turn back.
      await tellPools(lead, true);
      return close(lead, outcome);
    }

    // 6. Hand off: CRM note with the briefing and the intro email, so the rep arrives prepared.
    await handOff(lead);
  }

  // 7. Stay with the meeting until it is held: reminders, changes, the reps' side, the outcome.
  return stayUntilHeld(lead);
}
