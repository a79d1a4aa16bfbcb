/**
 * Every message a lead workflow understands, and the values they carry. Imported by the workflow
 * and by the API and CLI alike: one definition per thing.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Facts } from '../../domain/qualify/facts';
import type { Lead } from '../../domain/qualify/lead';
import type { RouteDecision } from '../../domain/route/routing';
import type { BookingPolicy } from '../../domain/team/policy';

export type { BookingPolicy } from '../../domain/team/policy';

export const LEAD_STAGES = [
  'qualifying',
  'routing',
  'proposing',
  'awaiting_reply',
  'booking',
  'booked',
  'unresponsive',
  'disqualified',
  'declined',
  'needs_attention',
] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];
export const FINAL_STAGES: readonly LeadStage[] = ['booked', 'unresponsive', 'disqualified', 'declined'];

export const TASK_QUEUE_DEFAULT = 'baton-leads';


export interface LeadWorkflowInput {
  lead: Lead;
  /**
   * How to handle the lead. The worker's team decides it in the lead's first step; leads started
   * before that carry the API's copy (and keep it), and tests set one to vary it per lead.
   */
  policy?: BookingPolicy;
}

export interface Proposal {
  id: string;
  start: string;
  end: string;
  /** Rep ids who would attend; for group pools, the members free at that time. */
  attendees: string[];
}

export interface ChatMessage {
  from: 'buyer' | 'agent';
  text: string;
  /** Proposal ids this agent message offers, so a chat UI can render them as buttons. */
  proposalIds?: string[];
}

export interface LeadEvent {
  id: number;
  at: string;
  type: 'stage' | 'message';
  stage?: LeadStage;
  message?: ChatMessage;
}

export interface Booking {
  proposalId: string;
  start: string;
  end: string;
  eventId: string;
  reps: string[];
  attendees: string[];
  attempt: number;
  meetLink?: string;
  escalated: { from: string; to: string; reason: 'pto' }[];
}

export interface Attention {
  reason: string;
  since: string;
  /** What unblocks it: an ops `resume` signal after fixing the cause, or the buyer replying. */
  waitingFor: 'ops' | 'buyer';
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
  events: LeadEvent[];
}

export type BookingOutcome =
  | { outcome: 'booked'; booking: Booking }
  | { outcome: 'conflict'; message: string; proposals: Proposal[] }
  | { outcome: 'handed_off'; message: string };

/** The buyer's reply, relayed by a chat frontend. */
export const buyerMessageSignal = defineSignal<[{ text: string }]>('buyerMessage');
/** The same buyer submitted the form again while the lead is active. */
export const leadResubmittedSignal = defineSignal<[{ message?: string }]>('leadResubmitted');
/** Ops fixed what needed attention (credentials, config): retry the blocked step. */
export const resumeSignal = defineSignal<[]>('resume');
/** Book one proposal now; answers with the booking or fresh proposals after a conflict. */
export const bookProposalUpdate = defineUpdate<BookingOutcome, [{ proposalId: string }]>('bookProposal');
export const statusQuery = defineQuery<LeadStatus>('status');
/** Events after `afterId`, for the server-sent event stream. */
export const eventsQuery = defineQuery<{ stage: LeadStage; events: LeadEvent[] }, [number]>('events');
