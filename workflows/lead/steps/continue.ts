import { allHandlersFinished, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import type { leadWorkflow } from '../../lead';
import type { LeadState } from '../state';

/**
 * A lead may live for weeks (a chatty buyer, a meeting moved twice, a no-show recovered): before its
 * history grows large it starts afresh as a new run of the same workflow, carrying where it stands
 * (LeadState.snapshot) and not how it got there, with its memo and search attributes. Temporal
 * suggests when; the bound below (a booked lead that went through a reschedule and a no-show has
 * about 150 events) keeps a history small enough to replay in milliseconds whatever the server says.
 */
export const HISTORY_EVENTS_BOUND = 1_000;

function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= HISTORY_EVENTS_BOUND;
}

/**
 * Continues as new at a wait, when nothing is in flight: no message to read, no booking, cancel or
 * outcome request waiting, no handler mid-way (an update waits for the main loop to answer it, so
 * the loop never waits for handlers; it tries again at its next wait instead).
 */
export async function continueAsNewIfLong(lead: LeadState): Promise<void> {
  if (!historyIsLong() || !lead.idle || !allHandlersFinished()) return;
  lead.flush();
  const info = workflowInfo();
  await makeContinueAsNewFunc<typeof leadWorkflow>({ memo: info.memo ?? {}, typedSearchAttributes: info.typedSearchAttributes })({ lead: lead.input.lead, carried: lead.snapshot() });
}
