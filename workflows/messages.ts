/**
 * Every message a lead or pool workflow understands, plus the search attributes it keeps current.
 * Imported by the workflows and by the API and CLI alike: one definition per thing.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Facts } from '../domain/qualify/facts';
import type { Lead } from '../domain/qualify/lead';
import type { RouteDecision } from '../domain/route/routing';

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

export interface BookingPolicy {
  meetingMinutes: number;
  proposals: number;
  replyTimeoutMs: number;
  nudgeAfterMs: number;
  maxBookingAttempts: number;
  companyName: string;
  companyTimezone: string;
  /** An LLM is configured: replies are classified and briefings written by it (validated). */
  useLlm: boolean;
}

export interface LeadWorkflowInput {
  lead: Lead;
  policy: BookingPolicy;
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

export const LeadStageKey = defineSearchAttributeKey('LeadStage', SearchAttributeType.KEYWORD);
export const AssignedRepKey = defineSearchAttributeKey('AssignedRep', SearchAttributeType.KEYWORD);
export const LeadPoolKey = defineSearchAttributeKey('LeadPool', SearchAttributeType.KEYWORD);
export const LeadSourceKey = defineSearchAttributeKey('LeadSource', SearchAttributeType.KEYWORD);
export const NextDeadlineKey = defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME);
export const SEARCH_ATTRIBUTES = [LeadStageKey, AssignedRepKey, LeadPoolKey, LeadSourceKey, NextDeadlineKey];

/** Pool rotation: one long-lived workflow per pool serializes assignments, so concurrent leads never race. */
export interface AssignRequest {
  /** Idempotency key: the same request id always gets the same answer (activity retries). */
  requestId: string;
  members: string[];
  eligible: string[];
}
export interface PoolState {
  lastAssigned: string | null;
  recent: [string, string | null][];
  assignments: Record<string, number>;
}
export const assignUpdate = defineUpdate<string | null, [AssignRequest]>('assign');
export const poolStateQuery = defineQuery<PoolState>('poolState');

/** A pool's rotation belongs to one deployment (task queue): two deployments never share turns. */
export function poolWorkflowId(taskQueue: string, poolId: string): string {
  return `pool-${taskQueue}-${poolId}`;
}

const POOL_QUEUE_SUFFIX = '-pools';

/**
 * Pools run on a task queue of their own, polled by a worker of their own with its own slots:
 * leads route in a local activity that waits on the pool, and on a shared queue a burst of leads
 * holding every workflow-task slot would leave the pool none to answer them with.
 */
export function poolTaskQueue(taskQueue: string): string {
  return taskQueue.endsWith(POOL_QUEUE_SUFFIX) ? taskQueue : `${taskQueue}${POOL_QUEUE_SUFFIX}`;
}
