/**
 * Where one lead stands, and the messages it answers: the state the business steps read and
 * change, the signal/query/update handlers (registered once), and the status view. No business
 * step lives here; they are in ./steps/ and read top to bottom in workflows/lead.ts.
 */
import { condition, setHandler, sleep, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { InputError, LeadStateConflict } from '../../domain/errors';
import type { Facts } from '../../domain/qualify/facts';
import type { PoolReported } from '../../domain/route/pool-report';
import type { RouteDecision } from '../../domain/route/routing';
import type { TimeConstraint } from '../../domain/schedule/constraint';
import type { CrmContactRef, Person } from '../../integrations/providers';
import { toFailure } from '../failures';
import {
  bookProposalUpdate,
  buyerMessageSignal,
  cancelMeetingUpdate,
  recordOutcomeUpdate,
  eventsQuery,
  FINAL_STAGES,
  leadResubmittedSignal,
  resumeSignal,
  statusQuery,
  type Attention,
  type Booking,
  type BookingOutcome,
  type CancelResult,
  type LeadSnapshot,
  type MeetingState,
  type OutcomeResult,
  type ReportedOutcome,
  type ChatMessage,
  type LeadEvent,
  type LeadStage,
  type LeadStatus,
  type BookingPolicy,
  type LeadWorkflowInput,
  type Proposal,
} from './messages';
import { LeadStageKey, SearchAttributePublisher } from './search-attributes';
import { StepRunner } from './step-runner';

export interface BookingRequest {
  proposalId: string;
  outcome?: BookingOutcome;
}
export interface CancelRequest {
  by: 'buyer' | 'server';
  reason?: string;
  result?: CancelResult;
}
export interface OutcomeRequest {
  outcome: ReportedOutcome;
  note?: string;
  result?: OutcomeResult;
}

/** Events kept in the workflow (the status query, the event stream): the newest, so a lead's state stays small. */
export const EVENTS_KEPT = 200;
/** Buyer messages a lead takes in all; past it the API answers 429 (memo `messageLimitReached`). */
export const MAX_BUYER_MESSAGES = 500;
/** Buyer messages read in one workflow task at most (see pace). */
const MESSAGES_PER_TASK = 25;
/** Notes kept from resubmissions of the public form (unverified: anyone can submit any email). */
export const RESUBMIT_NOTES_KEPT = 3;
export const RESUBMIT_NOTE_CHARS = 300;

export class LeadState {
  stage: LeadStage = 'qualifying';
  facts: Facts | null = null;
  decision: RouteDecision | null = null;
  people: Record<string, Person> = {};
  proposals: Proposal[] = [];
  /** How many times proposals were made; proposal ids are `<round>-<n>`. */
  round = 0;
  booking: Booking | null = null;
  bookingAttempts = 0;
  nudged = false;
  attention: Attention | null = null;
  closedReason: string | null = null;
  lastBuyerActivity = Date.now();
  lastProposalAt = Date.now();
  receivedAt = new Date().toISOString();
  events: LeadEvent[] = [];
  private nextEventId = 1;
  /** The first stage is recorded even though `stage` starts at it. */
  private stageRecorded = false;
  /** Buyer messages not yet understood, oldest first. */
  readonly inbox: string[] = [];
  /** Bookings asked for through the update, each answered when the workflow gets to it. */
  readonly bookingRequests: BookingRequest[] = [];
  readonly cancelRequests: CancelRequest[] = [];
  readonly outcomeRequests: OutcomeRequest[] = [];
  resumeRequested = false;
  private resumeTo: LeadStage | null = null;
  /** What the hand-off wrote to the CRM: each write happens once, and later steps refer to it. */
  crm: { contact?: CrmContactRef; meetingId?: string; briefingId?: string } = {};
  /** What the buyer asked for over the whole conversation (exclusions never expire): mergeConstraints. */
  constraint: TimeConstraint | null = null;
  /** The booked meeting's progress, once there is one. */
  meeting: MeetingState | null = null;
  buyerMessages = 0;
  /** Resubmissions of the form while the lead is active: counted, a few kept as flagged notes for the rep. */
  resubmitNotes = 0;
  /** What the pools that gave this lead a turn heard of its meeting (steps/tell-pools.ts). */
  poolReported: PoolReported | null = null;
  readonly notesForRep: string[] = [];
  /** The run that started the lead: keys of every write after continue-as-new stay the lead's. */
  readonly firstRunId: string;

  readonly attributes: SearchAttributePublisher;
  readonly runner: StepRunner;

  private decidedPolicy: BookingPolicy | undefined;

  constructor(readonly input: LeadWorkflowInput) {
    const carried = input.carried;
    this.decidedPolicy = carried?.policy ?? input.policy;
    this.firstRunId = carried?.firstRunId ?? workflowInfo().firstExecutionRunId;
    this.runner = new StepRunner(this, input.policy);
    this.attributes = new SearchAttributePublisher(this.runner.fastStart, carried?.deadline ?? null);
    if (carried) this.restore(carried);
    setHandler(statusQuery, () => this.status());
    setHandler(eventsQuery, (afterId: number) => ({ stage: this.stage, events: this.events.filter((e) => e.id > afterId) }));
    setHandler(buyerMessageSignal, ({ text }) => {
      if (this.buyerMessages >= MAX_BUYER_MESSAGES) return; // the API refuses them from here on (memo below)
      this.buyerMessages++;
      if (this.buyerMessages === MAX_BUYER_MESSAGES) upsertMemo({ messageLimitReached: true, messageLimit: MAX_BUYER_MESSAGES });
      this.record({ from: 'buyer', text });
      this.inbox.push(text);
    });
    // Anyone can submit the form with anyone's email: a resubmission never speaks in the conversation.
    setHandler(leadResubmittedSignal, ({ message }) => {
      this.resubmitNotes++;
      if (message && this.notesForRep.length < RESUBMIT_NOTES_KEPT) this.notesForRep.push(message.slice(0, RESUBMIT_NOTE_CHARS));
    });
    setHandler(resumeSignal, () => void (this.resumeRequested = true));
    setHandler(
      bookProposalUpdate,
      async ({ proposalId }) => {
        const request: BookingRequest = { proposalId };
        this.bookingRequests.push(request);
        await condition(() => request.outcome !== undefined);
        return request.outcome!;
      },
      {
        validator: ({ proposalId }) => {
          if (!this.acceptsBuyerInput()) throw toFailure(new LeadStateConflict(`the lead is ${this.stage}; there is nothing to book`));
          if (!this.proposals.some((p) => p.id === proposalId)) {
            const current = this.proposals.map((p) => p.id).join(', ') || 'none';
            throw toFailure(new InputError(`unknown proposal "${proposalId}"; current proposals: ${current}`));
          }
        },
      },
    );
    setHandler(
      cancelMeetingUpdate,
      async ({ by, reason }) => {
        const request: CancelRequest = { by, ...(reason ? { reason } : {}) };
        this.cancelRequests.push(request);
        await condition(() => request.result !== undefined);
        return request.result!;
      },
      { validator: (_request: { by: string }) => void this.assertMeetingAhead('cancel') },
    );
    setHandler(
      recordOutcomeUpdate,
      async ({ outcome, note }) => {
        const request: OutcomeRequest = { outcome, ...(note ? { note } : {}) };
        this.outcomeRequests.push(request);
        await condition(() => request.result !== undefined);
        return request.result!;
      },
      {
        validator: (_request: { outcome: ReportedOutcome }) => {
          if (!this.booking || !this.meeting || !['booked', 'rescheduling'].includes(this.stage)) {
            throw toFailure(new LeadStateConflict(`the lead is ${this.stage}; there is no meeting to record an outcome for`));
          }
          if (Date.parse(this.booking.start) > Date.now()) {
            throw toFailure(new LeadStateConflict(`the meeting starts at ${this.booking.start}; record its outcome once it has started`));
          }
        },
      },
    );
    if (carried) return;
    if (input.lead.message) this.record({ from: 'buyer', text: input.lead.message });
    this.setStage('qualifying');
  }

  private assertMeetingAhead(what: string): void {
    if (!this.booking || !['booked', 'rescheduling'].includes(this.stage) || Date.parse(this.booking.end) <= Date.now()) {
      throw toFailure(new LeadStateConflict(`the lead is ${this.stage}; there is no meeting ahead to ${what}`));
    }
  }

  private restore(c: LeadSnapshot): void {
    Object.assign(this, {
      stage: c.stage,
      facts: c.facts,
      decision: c.decision,
      people: c.people,
      proposals: c.proposals,
      round: c.round,
      booking: c.booking,
      bookingAttempts: c.bookingAttempts,
      nudged: c.nudged,
      attention: c.attention,
      lastBuyerActivity: c.lastBuyerActivity,
      lastProposalAt: c.lastProposalAt,
      receivedAt: c.receivedAt,
      nextEventId: c.nextEventId,
      events: c.events,
      crm: c.crm,
      constraint: c.constraint,
      meeting: c.meeting,
      buyerMessages: c.buyerMessages,
      resubmitNotes: c.resubmitNotes,
      poolReported: c.poolReported ?? null,
      stageRecorded: true,
    });
    this.notesForRep.push(...(c.notesForRep ?? []));
  }

  /** Where the lead stands, for its next run (continue-as-new): every field above that outlives a wait. */
  snapshot(): LeadSnapshot {
    return {
      policy: this.policy,
      stage: this.stage,
      facts: this.facts,
      decision: this.decision,
      people: this.people,
      proposals: this.proposals,
      round: this.round,
      booking: this.booking,
      bookingAttempts: this.bookingAttempts,
      nudged: this.nudged,
      attention: this.attention,
      lastBuyerActivity: this.lastBuyerActivity,
      lastProposalAt: this.lastProposalAt,
      receivedAt: this.receivedAt,
      nextEventId: this.nextEventId,
      events: this.events,
      deadline: this.attributes.nextDeadline,
      crm: this.crm,
      constraint: this.constraint,
      meeting: this.meeting,
      buyerMessages: this.buyerMessages,
      resubmitNotes: this.resubmitNotes,
      poolReported: this.poolReported,
      notesForRep: this.notesForRep,
      firstRunId: this.firstRunId,
    };
  }

  private readSinceWait = 0;
  /**
   * Called before each buyer message is read: a burst of messages read back to back (the API lets
   * through only a few a minute, but a backlog can build while a worker is away) is read
   * MESSAGES_PER_TASK at a time, one workflow task each, so no task runs into the deadlock timeout.
   */
  async pace(): Promise<void> {
    if (++this.readSinceWait <= MESSAGES_PER_TASK) return;
    this.readSinceWait = 1;
    await sleep(1);
  }

  /** The lead is about to wait: the next message starts a fresh count. */
  waited(): void {
    this.readSinceWait = 0;
  }

  /** Nothing is waiting on the workflow: no request, no message, no handler mid-way. */
  get idle(): boolean {
    return this.inbox.length === 0 && this.bookingRequests.length === 0 && this.cancelRequests.length === 0 && this.outcomeRequests.length === 0;
  }

  /** The business steps' activities, run by the step runner. */
  get steps() {
    return this.runner.steps;
  }

  get workflowId(): string {
    return workflowInfo().workflowId;
  }

  /** The same for the lead's whole life, continue-as-new included: what every write after booking is keyed by. */
  get leadKey(): string {
    return `${this.workflowId}/${this.firstRunId}`;
  }

  /** What the after-booking activities need to know of the meeting and the buyer. */
  get meetingRef() {
    return { leadKey: this.leadKey, lead: this.input.lead, booking: this.booking! };
  }

  /** How this lead is handled (the worker's team decides it first thing: see steps/policy.ts). */
  get policy(): BookingPolicy {
    if (!this.decidedPolicy) throw new Error('the lead policy is read before it was decided');
    return this.decidedPolicy;
  }

  set policy(policy: BookingPolicy) {
    this.decidedPolicy = policy;
  }

  get hasPolicy(): boolean {
    return this.decidedPolicy !== undefined;
  }

  get buyerTimezone(): string {
    return this.facts?.timezone?.value ?? this.policy.companyTimezone;
  }

  name(repId: string): string {
    return this.people[repId]?.name ?? repId;
  }

  /** Who the buyer meets, for the agent's wording: none named for a group pool until someone is booked. */
  get copyContext() {
    const reps = this.decision ? (this.decision.mode === 'any' ? [] : this.decision.attendees) : [];
    return {
      timezone: this.buyerTimezone,
      now: Date.now(),
      buyerName: this.input.lead.name,
      repNames: reps.map((id) => this.name(id)),
      companyName: this.policy.companyName,
    };
  }

  get lastAgentMessage(): string {
    return [...this.events].reverse().find((e) => e.message?.from === 'agent')?.message?.text ?? '';
  }

  /** Whether the buyer can book one of `proposals` now: before booking, or while new times are on offer after it. */
  acceptsBuyerInput(): boolean {
    // Parked for ops, the lead serves no booking until resumed (hours, maybe): accepted, one would
    // wait that long; refused, the caller hears why at once. (Validators do not run on replay.)
    if (this.attention?.waitingFor === 'ops') return false;
    if (this.meeting) return this.meeting.offer !== null && this.proposals.length > 0 && !FINAL_STAGES.includes(this.stage);
    return this.stage === 'awaiting_reply' || (this.stage === 'needs_attention' && this.attention?.waitingFor === 'buyer');
  }

  /** A lead continued as new picks up where it waited, its first steps long done. */
  get continued(): boolean {
    return this.input.carried !== undefined;
  }

  say(text: string, proposalIds?: string[]): void {
    this.record({ from: 'agent', text, ...(proposalIds ? { proposalIds } : {}) });
  }

  record(message: ChatMessage): void {
    this.push({ type: 'message', message });
  }

  setStage(stage: LeadStage): void {
    if (this.stage === stage && this.stageRecorded) return;
    this.stageRecorded = true;
    this.stage = stage;
    this.push({ type: 'stage', stage });
    this.attributes.set([{ key: LeadStageKey, value: stage }]);
  }

  private push(event: Omit<LeadEvent, 'id' | 'at'>): void {
    this.events.push({ id: this.nextEventId++, at: new Date().toISOString(), ...event });
    if (this.events.length > EVENTS_KEPT) this.events.splice(0, this.events.length - EVENTS_KEPT);
  }

  // ── Parking, for the step runner ─────────────────────────────────────────
  park(reason: string): void {
    this.resumeTo = this.stage;
    this.attention = { reason, since: new Date().toISOString(), waitingFor: 'ops' };
    this.setStage('needs_attention');
    this.resumeRequested = false;
  }

  unpark(): void {
    this.attention = null;
    this.setStage(this.resumeTo!);
  }

  flush(): void {
    this.attributes.flush();
  }

  status(): LeadStatus {
    const { email, name, company } = this.input.lead;
    const deadline = this.attributes.nextDeadline;
    return {
      workflowId: this.workflowId,
      stage: this.stage,
      lead: { email, name, company },
      receivedAt: this.receivedAt,
      facts: this.facts,
      route: this.decision,
      proposals: this.acceptsBuyerInput() ? this.proposals : [],
      booking: this.booking,
      bookingAttempts: this.bookingAttempts,
      nudged: this.nudged,
      nextDeadline: FINAL_STAGES.includes(this.stage) || deadline === null ? null : new Date(deadline).toISOString(),
      attention: this.attention,
      closedReason: this.closedReason,
      meeting: this.meeting
        ? { outcome: this.meeting.outcome, reschedules: this.meeting.reschedules, remindersSent: this.meeting.remindersSent, bookedAt: new Date(this.meeting.bookedAt).toISOString() }
        : null,
      firstRunId: this.firstRunId,
      resubmissions: { count: this.resubmitNotes, notes: this.notesForRep },
      events: this.events,
    };
  }
}
