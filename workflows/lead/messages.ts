/**
 * Every message a lead workflow understands, and the values they carry. Imported by the workflow
 * and by the API and CLI alike: one definition per thing.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Facts } from '../../domain/qualify/facts';
import type { Lead } from '../../domain/qualify/lead';
import type { RouteDecision } from '../../domain/route/routing';
import type { BookingPolicy } from '../../domain/team/policy';
import type { TimeConstraint } from '../../domain/schedule/constraint';
import type { CrmContactRef, Person } from '../../integrations/providers';

export type { BookingPolicy } from '../../domain/team/policy';
export type { Booking, Proposal } from '../../domain/schedule/booking-schema';
export type { Attention, ChatMessage, LeadEvent } from '../../domain/converse/conversation-schema';
import type { Booking, Proposal } from '../../domain/schedule/booking-schema';
import type { Attention, LeadEvent } from '../../domain/converse/conversation-schema';

export { FINAL_STAGES, LEAD_STAGES, MEETING_OUTCOMES, REPORTED_OUTCOMES, type LeadStage, type MeetingOutcome, type ReportedOutcome } from '../../domain/lead-stages';
import type { LeadStage, MeetingOutcome, ReportedOutcome } from '../../domain/lead-stages';
import type { PoolReported } from '../../domain/route/pool-report';

export const TASK_QUEUE_DEFAULT = 'baton-leads';


export interface LeadWorkflowInput {
  lead: Lead;
  /** A lead continued as new (its history grew long) carries where it stood. */
  carried?: LeadSnapshot;
  /**
   * How to handle the lead. The worker's team decides it in the lead's first step; leads started
   * before that carry the API's copy (and keep it), and tests set one to vary it per lead.
   */
  policy?: BookingPolicy;
}






export interface LeadStatus {
  workflowId: string;
  stage: LeadStage;
  lead: Pick<Lead, 'email' | 'name' | 'company'>;
  receivedAt: string;
  facts: Facts | null;
  route: RouteDecision | null;
  proposals: Proposal[];
  booking: Booking | null;
  bookingAttempts: number;
  nudged: boolean;
  nextDeadline: string | null;
  attention: Attention | null;
  closedReason: string | null;
  /** The booked meeting's life after booking; null until one is booked. */
  meeting: MeetingView | null;
  /** The run that started this lead (its leadId names it), the same across continue-as-new. */
  firstRunId: string;
  /** Submissions of the public form for this email while the lead was active: unverified, never in the conversation. */
  resubmissions: { count: number; notes: string[] };
  events: LeadEvent[];
}

export interface MeetingView {
  outcome: MeetingOutcome;
  /** How many times the buyer moved it. */
  reschedules: number;
  /** Reminders sent for the current time, as offsets before the start in ms. */
  remindersSent: number[];
  /**
   * When the meeting took its current time: the first booking once the hand-off is done, or the
   * latest move. Reminders due before it are skipped. Not in the API's lead views.
   */
  bookedAt: string;
}

export type BookingOutcome =
  | { outcome: 'booked'; booking: Booking }
  | { outcome: 'conflict'; message: string; proposals: Proposal[] }
  | { outcome: 'handed_off'; message: string };

export interface CancelResult {
  stage: LeadStage;
  /** The meeting that was canceled. */
  booking: Booking;
}

export interface OutcomeResult {
  stage: LeadStage;
  outcome: ReportedOutcome;
}

/** The buyer's reply, relayed by a chat frontend. */
export const buyerMessageSignal = defineSignal<[{ text: string }]>('buyerMessage');
/** The same buyer submitted the form again while the lead is active. */
export const leadResubmittedSignal = defineSignal<[{ message?: string }]>('leadResubmitted');
/** Ops fixed what needed attention (credentials, config): retry the blocked step. */
export const resumeSignal = defineSignal<[]>('resume');
/** Book one proposal now; answers with the booking or fresh proposals after a conflict. */
export const bookProposalUpdate = defineUpdate<BookingOutcome, [{ proposalId: string }]>('bookProposal');
/** Cancel the booked meeting: the buyer (with the lead's token) or a server; answers once it is canceled everywhere. */
export const cancelMeetingUpdate = defineUpdate<CancelResult, [{ reason?: string; by: 'buyer' | 'server' }]>('cancelMeeting');
/** After the meeting: how it went, from the rep, the ops page or a server. */
export const recordOutcomeUpdate = defineUpdate<OutcomeResult, [{ outcome: ReportedOutcome; note?: string }]>('recordOutcome');
export const statusQuery = defineQuery<LeadStatus>('status');
/** Events after `afterId`, for the server-sent event stream. */
export const eventsQuery = defineQuery<{ stage: LeadStage; events: LeadEvent[] }, [number]>('events');

/** Everything a lead carries into its next run when it continues as new: where it stands, not its history. */
export interface LeadSnapshot {
  policy: BookingPolicy;
  stage: LeadStage;
  facts: Facts | null;
  decision: RouteDecision | null;
  people: Record<string, Person>;
  proposals: Proposal[];
  round: number;
  booking: Booking | null;
  bookingAttempts: number;
  nudged: boolean;
  attention: Attention | null;
  lastBuyerActivity: number;
  lastProposalAt: number;
  receivedAt: string;
  nextEventId: number;
  events: LeadEvent[];
  deadline: number | null;
  crm: { contact?: CrmContactRef; meetingId?: string; briefingId?: string };
  constraint: TimeConstraint | null;
  meeting: MeetingState | null;
  buyerMessages: number;
  resubmitNotes: number;
  /** Absent in snapshots from before resubmission notes were carried. */
  notesForRep?: string[];
  firstRunId: string;
  /** What the pools heard of this lead's meeting (absent in runs from before the lead told them). */
  poolReported?: PoolReported | null;
}

/** A booked meeting's progress: its timeline (domain/schedule/meeting.ts) and what the buyer and rep did. */
export interface MeetingState {
  /** Bumped each time the meeting moves or is booked anew: reminders and notices are keyed by it. */
  version: number;
  bookedAt: number;
  remindersSent: number[];
  lastCheckAt: number | null;
  finalCheckDone: boolean;
  outcomeAsked: boolean;
  outcome: MeetingOutcome;
  reschedules: number;
  /** New times on offer after booking, and why. */
  offer: 'reschedule' | 'recovery' | 'rep_no_show' | null;
  /** The buyer missed one meeting already: recovery is offered once. */
  recoveryUsed: boolean;
  acknowledged: boolean;
  /** The event was deleted from the calendar (the rep-side check found it gone): a new time books a new one. */
  eventGone: boolean;
}