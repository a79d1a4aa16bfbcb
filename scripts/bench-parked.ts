/**
 * Booked leads parked on their meeting's timers, made in seconds instead of a lifecycle each (the
 * long-tail phase, scripts/bench-long-tail.ts, needs thousands): a `leadWorkflow` started the way a
 * booked lead continues as new (workflows/lead/steps/continue.ts), with `{ lead, carried }` and the
 * memo and search attributes a run carries into the next.
 *
 * Why it is faithful: everything the snapshot holds comes from a real booked lead (the bench's probe,
 * read through the status query: facts, route, booking, events, attempts), or is what the workflow
 * itself would have set (the reps as routeLead's `people`, the meeting's state as newMeetingState()
 * makes it, what the pools heard as poolReports() says after a booking, the team's policy as the
 * `leadPolicy` activity's policyOf()). Only the meeting's time moves (days ahead, so the lead waits
 * on a timer) with `bookedAt` now. workflows/lead.ts then skips to stayUntilHeld, whose first task
 * publishes the meeting, finds nothing to tell the pools, and waits on the next duty's timer.
 *
 * What is not the same: these leads own no calendar event and no CRM records of their own (the
 * probe's event id and no CRM ids are carried), and the pools never heard of them; nothing the bench
 * measures reads those (a reminder only sends an email). The carried conversation is the probe's,
 * so its confirmation names the probe's time.
 */
import type { Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { leadWorkflowId, normalizeEmail, type Lead } from '../domain/qualify/lead';
import { poolReports } from '../domain/route/pool-report';
import { meetingDuties } from '../domain/schedule/meeting';
import { policyOf, type BookingPolicy } from '../domain/team/policy';
import type { Team } from '../domain/team/team';
import { statusQuery, type LeadSnapshot, type LeadStatus, type LeadWorkflowInput } from '../workflows/lead/messages';
import { AssignedRepKey, LeadPoolKey, LeadSourceKey, LeadStageKey, MeetingAtKey, MeetingOutcomeKey } from '../workflows/lead/search-attributes';
import { newMeetingState } from '../workflows/lead/steps/meeting';

/** A booked lead's state to copy: its status, the lead it was started with, and the worker's team. */
export interface ParkedTemplate {
  status: LeadStatus;
  lead: Lead;
  team: Team;
}

export interface ParkedLead {
  workflowId: string;
  /** `carried` without `firstRunId`: see parkedLead. */
  input: LeadWorkflowInput;
  memo: Record<string, unknown>;
  searchAttributes: SearchAttributePair[];
  /** When the lead's first duty (a check or a reminder) is due. */
  firstDutyAt: number;
}

/**
 * A booked lead's template, read through its status query once it shows `booked` (the intro email,
 * which ends a bench lifecycle, goes out a workflow task before the stage changes).
 */
export async function bookedTemplate(client: Client, workflowId: string, lead: Lead, team: Team, timeoutMs = 30_000): Promise<ParkedTemplate> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.stage === 'booked') return { status, lead: { ...lead, email: normalizeEmail(lead.email) }, team };
    if (Date.now() > deadline) throw new Error(`${workflowId} is ${status.stage}, not booked, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The team's policy for a lead, as the worker's `leadPolicy` activity decides it (the bench worker has no LLM). */
export function teamPolicy(team: Team): BookingPolicy {
  return policyOf(team, false);
}

/**
 * One parked lead: the template's lead under another address, booked for `start` (the same length of
 * meeting), handled by `policy` (the team's, or a shortened one for a wave of reminders).
 */
export function parkedLead(t: ParkedTemplate, o: { email: string; start: number; policy: BookingPolicy; now: number }): ParkedLead {
  const { status } = t;
  if (!status.booking || !status.route || status.stage !== 'booked') throw new Error(`the template lead is ${status.stage}, not booked`);
  const email = normalizeEmail(o.email);
  const lead: Lead = { ...t.lead, email };
  const length = Date.parse(status.booking.end) - Date.parse(status.booking.start);
  const booking = { ...status.booking, start: new Date(o.start).toISOString(), end: new Date(o.start + length).toISOString() };
  const meeting = { ...newMeetingState(), bookedAt: o.now };
  const decision = status.route;
  // What the pools heard once the booking was told: only `reported` is kept (the events' keys are not).
  const { reported } = poolReports(email, decision, null, { booking, outcome: meeting.outcome, closed: false });
  const messages = status.events.filter((e) => e.type === 'message' && e.message);
  const lastAt = (pick: (e: (typeof messages)[number]) => boolean) => {
    const found = [...messages].reverse().find(pick);
    return found ? Date.parse(found.at) : Date.parse(status.receivedAt);
  };
  const buyerMessages = messages.filter((e) => e.message!.from === 'buyer').length - (lead.message ? 1 : 0);
  const rounds = messages.filter((e) => e.message!.from === 'agent' && (e.message!.proposalIds?.length ?? 0) > 0).length;
  const snapshot: Omit<LeadSnapshot, 'firstRunId'> = {
    policy: o.policy,
    stage: 'booked',
    facts: status.facts,
    decision,
    // Every rep, as routeLead answers (a backup may step in at booking time).
    people: Object.fromEntries(t.team.reps.map((r) => [r.id, { email: r.email, name: r.name }])),
    // A booked lead offers none (the status shows none either); a move makes fresh ones.
    proposals: [],
    round: rounds,
    booking,
    bookingAttempts: status.bookingAttempts,
    nudged: status.nudged,
    attention: null,
    lastBuyerActivity: lastAt((e) => e.message!.from === 'buyer'),
    lastProposalAt: lastAt((e) => (e.message!.proposalIds?.length ?? 0) > 0),
    receivedAt: status.receivedAt,
    nextEventId: Math.max(0, ...status.events.map((e) => e.id)) + 1,
    events: status.events,
    // The first task publishes it with the meeting's attributes (one upsert either way): the long-tail
    // phase counts leads with a deadline to know they reached their wait.
    deadline: null,
    crm: {},
    constraint: null,
    meeting,
    buyerMessages,
    resubmitNotes: status.resubmissions.count,
    notesForRep: status.resubmissions.notes,
    poolReported: reported,
  };
  const first = meetingDuties({
    start: Date.parse(booking.start),
    end: Date.parse(booking.end),
    bookedAt: meeting.bookedAt,
    reminders: o.policy.reminders,
    remindersSent: meeting.remindersSent,
    lastCheckAt: meeting.lastCheckAt,
    finalCheckDone: meeting.finalCheckDone,
    outcomeAfterMs: o.policy.outcomeAfterMs,
    outcomeAsked: meeting.outcomeAsked,
  })[0]!;
  return {
    workflowId: leadWorkflowId(email),
    // Continue-as-new carries the first run's id; this run is its chain's first, and without the field
    // the workflow takes its own (LeadState: `carried.firstRunId ?? firstExecutionRunId`), so the
    // lead's keys, its status and the id the API gives all name this run.
    input: { lead, carried: snapshot as LeadSnapshot },
    // What the API's start put in the memo, and what continue-as-new carries on.
    memo: { ...(lead.name ? { name: lead.name } : {}), ...(lead.company ? { company: lead.company } : {}) },
    searchAttributes: [
      { key: LeadStageKey, value: 'booked' },
      ...(booking.reps[0] ? [{ key: AssignedRepKey, value: booking.reps[0] }] : []),
      ...(decision.pool ? [{ key: LeadPoolKey, value: decision.pool }] : []),
      { key: LeadSourceKey, value: decision.source },
      { key: MeetingAtKey, value: new Date(booking.start) },
      { key: MeetingOutcomeKey, value: meeting.outcome },
    ],
    firstDutyAt: first.at,
  };
}
