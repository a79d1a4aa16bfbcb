/**
 * Where one lead stands, and the messages it answers: the state the business steps read and
 * change, the signal/query/update handlers (registered once), and the status view. No business
 * step lives here; they are in ./steps/ and read top to bottom in workflows/lead.ts.
 */
import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { InputError, LeadStateConflict } from '../../domain/errors';
import type { Facts } from '../../domain/qualify/facts';
import type { RouteDecision } from '../../domain/route/routing';
import type { CrmContactRef, Person } from '../../integrations/providers';
import { toFailure } from '../failures';
import {
  bookProposalUpdate,
  buyerMessageSignal,
  eventsQuery,
  FINAL_STAGES,
  leadResubmittedSignal,
  resumeSignal,
  statusQuery,
  type Attention,
  type Booking,
  type BookingOutcome,
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
  readonly receivedAt = new Date().toISOString();
  readonly events: LeadEvent[] = [];
  /** Buyer messages not yet understood, oldest first. */
  readonly inbox: string[] = [];
  /** Bookings asked for through the update, each answered when the workflow gets to it. */
  readonly bookingRequests: BookingRequest[] = [];
  resumeRequested = false;
  private resumeTo: LeadStage | null = null;
  /** What the hand-off wrote to the CRM: each write happens once, and later steps refer to it. */
  readonly crm: { contact?: CrmContactRef; meetingId?: string; briefingId?: string } = {};

  readonly attributes: SearchAttributePublisher;
  readonly runner: StepRunner;

  private decidedPolicy: BookingPolicy | undefined;

  constructor(readonly input: LeadWorkflowInput) {
    this.decidedPolicy = input.policy;
    this.runner = new StepRunner(this, input.policy);
    this.attributes = new SearchAttributePublisher(this.runner.fastStart);
    setHandler(statusQuery, () => this.status());
    setHandler(eventsQuery, (afterId: number) => ({ stage: this.stage, events: this.events.filter((e) => e.id > afterId) }));
    setHandler(buyerMessageSignal, ({ text }) => {
      this.record({ from: 'buyer', text });
      this.inbox.push(text);
    });
    setHandler(leadResubmittedSignal, ({ message }) => {
      if (message) this.record({ from: 'buyer', text: message });
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
    if (input.lead.message) this.record({ from: 'buyer', text: input.lead.message });
    this.setStage('qualifying');
  }

  /** The business steps' activities, run by the step runner. */
  get steps() {
    return this.runner.steps;
  }

  get workflowId(): string {
    return workflowInfo().workflowId;
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

  acceptsBuyerInput(): boolean {
    return this.stage === 'awaiting_reply' || (this.stage === 'needs_attention' && this.attention?.waitingFor === 'buyer');
  }

  say(text: string, proposalIds?: string[]): void {
    this.record({ from: 'agent', text, ...(proposalIds ? { proposalIds } : {}) });
  }

  record(message: ChatMessage): void {
    this.events.push({ id: this.events.length + 1, at: new Date().toISOString(), type: 'message', message });
  }

  setStage(stage: LeadStage): void {
    if (this.stage === stage && this.events.some((e) => e.type === 'stage')) return;
    this.stage = stage;
    this.events.push({ id: this.events.length + 1, at: new Date().toISOString(), type: 'stage', stage });
    this.attributes.set([{ key: LeadStageKey, value: stage }]);
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
      events: this.events,
    };
  }
}
