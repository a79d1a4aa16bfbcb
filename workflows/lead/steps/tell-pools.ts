import { FINAL_STAGES } from '../../../domain/lead-stages';
import { poolReports } from '../../../domain/route/pool-report';
import type { LeadState } from '../state';

/**
 * The pools that gave this lead a turn hear what became of it (booked, moved, covered, held,
 * missed, canceled, released), so fairness gives credits back and learning learns. What to say is
 * domain/route/pool-report.ts's; each event is keyed, so a retried step repeats nothing.
 */
export async function tellPools(lead: LeadState, closing = false): Promise<void> {
  if (!lead.decision || !lead.runner.tellsPools()) return;
  const { events, reported } = poolReports(lead.leadKey, lead.decision, lead.poolReported, {
    booking: lead.booking,
    outcome: lead.meeting?.outcome ?? null,
    closed: closing || lead.closedReason !== null || FINAL_STAGES.includes(lead.stage),
  });
  if (events.length === 0) return;
  const segment = lead.decision.segment;
  for (const e of events) await lead.steps.reportMeetingToPool({ ...e, leadId: lead.workflowId, ...(segment ? { segment } : {}) });
  lead.poolReported = reported;
}
