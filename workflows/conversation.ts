import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  setHandler,
  TemporalFailure,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  clarifyMessage,
  confirmationMessage,
  declineAckMessage,
  disqualifiedMessage,
  handoffMessage,
  proposalMessage,
  type ProposalReason,
} from '../domain/converse/copy';
import type { Facts } from '../domain/qualify/facts';
import { understandReply, type ReplyIntent } from '../domain/converse/reply';
import type { RouteDecision } from '../domain/route/routing';
import type { TimeConstraint } from '../domain/schedule/slots';
import type { CrmContactRef, Person } from '../integrations/providers';
import { activities, crmActivities, emailActivities, llmActivities, localActivities } from './activity-proxies';
import {
  AssignedRepKey,
  bookProposalUpdate,
  buyerMessageSignal,
  eventsQuery,
  FINAL_STAGES,
  LeadPoolKey,
  LeadSourceKey,
  LeadStageKey,
  leadResubmittedSignal,
  NextDeadlineKey,
  resumeSignal,
  statusQuery,
  type Attention,
  type Booking,
  type BookingOutcome,
  type ChatMessage,
  type LeadEvent,
  type LeadStage,
  type LeadStatus,
  type LeadWorkflowInput,
  type Proposal,
} from './messages';

type Steps = typeof activities;
type Closing = 'declined' | 'unresponsive' | 'needs_attention';
interface BookingRequest {
  proposalId: string;
  outcome?: BookingOutcome;
}

const DISQUALIFIED_COPY: Record<string, string> = {
  spam: 'this looks like an automated message',
  student: 'our sales team only meets with companies evaluating the product, but our docs and free resources are open to everyone',
  job_seeker: 'for roles, our careers page is the best place to apply',
  competitor: 'we keep product demos for prospective customers',
  vendor_pitch: 'we are not looking for new vendors right now',
};

/** State and steps of one lead's conversation; `leadWorkflow` calls these in business order. */
export class LeadConversation {
  private stage: LeadStage = 'qualifying';
  private facts: Facts | null = null;
  private decision: RouteDecision | null = null;
  private people: Record<string, Person> = {};
  private proposals: Proposal[] = [];
  private round = 0;
  private booking: Booking | null = null;
  private attempts = 0;
  private nudged = false;
  private attention: Attention | null = null;
  private closedReason: string | null = null;
  private readonly events: LeadEvent[] = [];
  private readonly inbox: string[] = [];
  private readonly bookingRequests: BookingRequest[] = [];
  private resumeRequested = false;
  /** What the hand-off wrote to the CRM: each write happens once, and later steps can refer to it. */
  private readonly crmRecords: { contact?: CrmContactRef; meetingId?: string; briefingId?: string } = {};
  private lastBuyerActivity = Date.now();
  private lastProposalAt = Date.now();
  private readonly receivedAt = new Date().toISOString();
  /**
   * Without an LLM, qualify, find times and the briefing run as local activities. Leads started
   * before this change replay with remote ones (test/infra/replay.test.ts).
   */
  private readonly localSteps: boolean;
  /**
   * Routing runs as a local activity too (pools answer on their own task queue), so a lead goes
   * from received to proposals in one workflow task, and its search attributes go out once per task.
   */
  private readonly fastStart: boolean;

  constructor(private readonly input: LeadWorkflowInput) {
    this.fastStart = patched('local-route-one-upsert');
    this.localSteps = !input.policy.useLlm && (this.fastStart || patched('local-read-steps'));
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
          if (!this.acceptsBuyerInput()) {
            throw ApplicationFailure.create({ type: 'LeadStateConflict', message: `the lead is ${this.stage}; there is nothing to book` });
          }
          if (!this.proposals.some((p) => p.id === proposalId)) {
            throw ApplicationFailure.create({
              type: 'InputError',
              message: `unknown proposal "${proposalId}"; current proposals: ${this.proposals.map((p) => p.id).join(', ') || 'none'}`,
            });
          }
        },
      },
    );
    if (input.lead.message) this.record({ from: 'buyer', text: input.lead.message });
    this.setStage('qualifying');
  }

  // ── 1. Qualify ────────────────────────────────────────────────────────────
  async qualify(): Promise<Facts> {
    const via = this.input.policy.useLlm ? llmActivities : this.readSteps;
    this.facts = await this.guarded('qualify', via, (a) => a.qualifyLead({ workflowId: this.workflowId, lead: this.input.lead }));
    return this.facts;
  }

  async disqualify(reason: NonNullable<Facts['disqualified']>): Promise<{ stage: LeadStage }> {
    const { lead, policy } = this.input;
    this.say(disqualifiedMessage(DISQUALIFIED_COPY[reason.reason] ?? '', { buyerName: lead.name, companyName: policy.companyName }));
    await this.guarded('record disqualification', patched('one-crm-write-per-activity') ? crmActivities : activities, (a) =>
      a.recordDisqualified({ workflowId: this.workflowId, lead, reason: reason.reason, quote: reason.quote ?? null }),
    );
    return this.close('disqualified', `disqualified: ${reason.reason}`);
  }

  // ── 2. Route ──────────────────────────────────────────────────────────────
  async route(): Promise<RouteDecision> {
    this.setStage('routing');
    const routed = await this.guarded('route', this.fastStart ? localActivities : activities, (a) =>
      a.routeLead({ workflowId: this.workflowId, lead: this.input.lead, facts: this.facts!, now: Date.now() }),
    );
    this.decision = routed.decision;
    this.people = routed.people;
    this.publish([
      { key: AssignedRepKey, value: routed.decision.reps[0] ?? null },
      { key: LeadPoolKey, value: routed.decision.pool },
      { key: LeadSourceKey, value: routed.decision.source },
    ]);
    return routed.decision;
  }

  // ── 3. Propose times ──────────────────────────────────────────────────────
  /** Finds fresh options and offers them; false when nobody has any time at all. */
  async proposeTimes(reason: ProposalReason, constraint?: TimeConstraint): Promise<boolean> {
    this.setStage('proposing');
    const found = await this.guarded('find times', this.readSteps, (a) =>
      a.findTimes({
        workflowId: this.workflowId,
        decision: this.decision!,
        now: Date.now(),
        count: this.input.policy.proposals,
        buyerTimezone: this.buyerTimezone,
        ...(constraint ? { constraint } : {}),
      }),
    );
    if (found.slots.length === 0) {
      await this.handToHuman('no open times for the assigned reps');
      return false;
    }
    this.round++;
    this.proposals = found.slots.map((s, i) => ({ id: `${this.round}-${i + 1}`, start: s.start, end: s.end, attendees: s.reps }));
    const copyReason: ProposalReason = found.extended && reason === 'first' ? 'extended' : reason;
    this.say(
      proposalMessage(
        this.proposals.map((p) => ({ start: Date.parse(p.start) })),
        { ...this.copyContext, reason: copyReason },
      ),
      this.proposals.map((p) => p.id),
    );
    this.lastProposalAt = Date.now();
    this.attention = null;
    this.setStage('awaiting_reply');
    return true;
  }

  // ── 4 + 5. Wait for the buyer, understand, book ─────────────────────────────
  async converseUntilBookedOrClosed(): Promise<'booked' | Closing> {
    for (;;) {
      if (this.stage === 'needs_attention' && this.attention?.waitingFor === 'buyer' && this.replyDeadline <= Date.now()) {
        return 'needs_attention';
      }
      const next = await this.nextBuyerInput();
      if (next.kind === 'timeout') {
        if (this.stage === 'needs_attention') return 'needs_attention';
        await this.handToHuman('the buyer did not reply');
        return 'unresponsive';
      }
      if (next.kind === 'nudge') {
        await this.nudge();
        continue;
      }
      if (next.kind === 'book') {
        next.request.outcome = await this.book(next.request.proposalId);
        if (next.request.outcome.outcome === 'booked') return 'booked';
        continue;
      }
      const intent = await this.understand(next.text);
      if (intent.kind === 'decline') {
        this.say(declineAckMessage({ buyerName: this.input.lead.name, companyName: this.input.policy.companyName }));
        return 'declined';
      }
      if (intent.kind === 'unclear') this.say(clarifyMessage(intent.question));
      if (intent.kind === 'new_times') await this.proposeTimes('new_times', intent.constraint);
      if (intent.kind === 'choose' && (await this.book(intent.proposalId)).outcome === 'booked') return 'booked';
    }
  }

  private async nextBuyerInput(): Promise<
    { kind: 'message'; text: string } | { kind: 'book'; request: BookingRequest } | { kind: 'nudge' } | { kind: 'timeout' }
  > {
    for (;;) {
      const request = this.bookingRequests.shift();
      if (request) return { kind: 'book', request };
      const text = this.inbox.shift();
      if (text !== undefined) {
        this.lastBuyerActivity = Date.now();
        this.nudged = false;
        return { kind: 'message', text };
      }
      const now = Date.now();
      if (now >= this.replyDeadline) return { kind: 'timeout' };
      if (this.nudgeAt !== null && now >= this.nudgeAt) return { kind: 'nudge' };
      const wakeAt = Math.min(this.replyDeadline, this.nudgeAt ?? Infinity);
      this.publishDeadline(wakeAt);
      this.flushSearchAttributes();
      await condition(() => this.inbox.length > 0 || this.bookingRequests.length > 0, wakeAt - now);
    }
  }

  private async understand(text: string): Promise<ReplyIntent> {
    const ctx = {
      proposals: this.proposals.map((p) => ({ id: p.id, start: Date.parse(p.start), end: Date.parse(p.end) })),
      now: Date.now(),
      timezone: this.buyerTimezone,
    };
    if (this.proposals.length === 0) return { kind: 'new_times', reason: 'no open proposals' };
    if (!this.input.policy.useLlm) return understandReply(text, ctx);
    return this.guarded('understand reply', llmActivities, (a) => a.classifyReply({ workflowId: this.workflowId, text, ...ctx }));
  }

  private async nudge(): Promise<void> {
    this.nudged = true;
    const soonest = Date.now() + 30 * 60_000;
    if (this.proposals.some((p) => Date.parse(p.start) < soonest)) {
      await this.proposeTimes('nudge');
    } else {
      this.say(proposalMessage(this.proposals.map((p) => ({ start: Date.parse(p.start) })), { ...this.copyContext, reason: 'nudge' }), this.proposals.map((p) => p.id));
    }
    this.nudged = true;
  }

  private async book(proposalId: string): Promise<BookingOutcome> {
    const proposal = this.proposals.find((p) => p.id === proposalId);
    if (!proposal) return { outcome: 'conflict', message: 'That option is no longer on offer.', proposals: this.proposals };
    this.attempts++;
    this.setStage('booking');
    try {
      this.booking = await this.guarded('book', activities, (a) =>
        a.bookMeeting({
          workflowId: this.workflowId,
          attempt: this.attempts,
          proposal,
          decision: this.decision!,
          lead: this.input.lead,
          now: Date.now(),
        }),
      );
    } catch (err) {
      if (!isSlotConflict(err)) throw err;
      if (this.attempts >= this.input.policy.maxBookingAttempts) {
        const message = await this.handToHuman(`the chosen times kept getting taken (${this.attempts} attempts)`);
        return { outcome: 'handed_off', message };
      }
      await this.proposeTimes('conflict');
      return { outcome: 'conflict', message: this.lastAgentMessage, proposals: this.proposals };
    }
    this.say(
      confirmationMessage({
        start: Date.parse(this.booking.start),
        end: Date.parse(this.booking.end),
        ...this.copyContext,
        repNames: this.booking.attendees.map((id) => this.people[id]?.name ?? id),
      }),
    );
    return { outcome: 'booked', booking: this.booking };
  }

  // ── 6. Hand off ───────────────────────────────────────────────────────────
  async handOff(): Promise<void> {
    const base = { workflowId: this.workflowId, lead: this.input.lead, facts: this.facts!, decision: this.decision!, booking: this.booking! };
    const via = this.input.policy.useLlm ? llmActivities : this.readSteps;
    const briefing = await this.guarded('brief', via, (a) => a.writeBriefing(base));
    if (patched('one-crm-write-per-activity')) {
      // One CRM write per activity: a retry of the note never repeats the meeting. `resumed` tells a
      // step run again after ops resumed it that its first try may have written already.
      const { workflowId, lead } = base;
      const crm = this.crmRecords;
      crm.contact ??= await this.guarded('record contact in CRM', crmActivities, (a) => a.recordCrmContact({ workflowId, lead }));
      const contact = crm.contact;
      let meetingTries = 0;
      crm.meetingId ??= (
        await this.guarded('record meeting in CRM', crmActivities, (a) =>
          a.recordCrmMeeting({ workflowId, lead, contact, booking: base.booking, briefing, resumed: meetingTries++ > 0 }),
        )
      ).id;
      let briefingTries = 0;
      crm.briefingId ??= (
        await this.guarded('record briefing in CRM', crmActivities, (a) =>
          a.recordCrmBriefing({ workflowId, lead, contact, briefing, resumed: briefingTries++ > 0 }),
        )
      ).id;
      let emailTries = 0;
      await this.guarded('intro email', emailActivities, (a) => a.sendIntroEmail({ ...base, briefing, resumed: emailTries++ > 0 }));
    } else {
      await this.guarded('record in CRM', activities, (a) => a.recordBooking({ ...base, briefing }));
      await this.guarded('intro email', activities, (a) => a.sendIntroEmail({ ...base, briefing }));
    }
  }

  /** A person takes over: the owner gets a CRM task with the briefing, the buyer is told who will follow up. */
  private async handToHuman(reason: string): Promise<string> {
    const owner = this.decision?.reps[0];
    const ownerName = (owner && this.people[owner]?.name) || '';
    await this.guarded('hand to a human', patched('one-crm-write-per-activity') ? crmActivities : activities, (a) =>
      a.createFollowUpTask({
        workflowId: this.workflowId,
        lead: this.input.lead,
        facts: this.facts,
        decision: this.decision,
        reason,
        now: Date.now(),
      }),
    );
    const message = handoffMessage(ownerName, { buyerName: this.input.lead.name });
    this.say(message);
    this.proposals = [];
    this.attention = { reason, since: new Date().toISOString(), waitingFor: 'buyer' };
    this.setStage('needs_attention');
    return message;
  }

  close(stage: LeadStage, reason?: string): { stage: LeadStage } {
    this.closedReason = reason ?? this.attention?.reason ?? stage;
    this.setStage(stage);
    this.publishDeadline(null);
    this.flushSearchAttributes();
    for (const r of this.bookingRequests) r.outcome ??= { outcome: 'handed_off', message: `The lead is ${stage}.` };
    return { stage };
  }

  // ── Plumbing ──────────────────────────────────────────────────────────────
  /**
   * Runs a step; when a provider fails in a way retries cannot fix (bad credentials, rejected
   * request, retries exhausted), the lead shows `needs_attention` with the reason and waits for
   * an ops `resume` signal, then tries the step again. Slot conflicts pass through to the caller.
   */
  private async guarded<T>(step: string, via: Steps, run: (steps: Steps) => Promise<T>): Promise<T> {
    for (;;) {
      // Anything but a local activity ends the workflow task: what ops search on goes out with it.
      if (via !== localActivities) this.flushSearchAttributes();
      try {
        return await run(via);
      } catch (err) {
        const failure = stepFailure(err);
        if (!failure || isSlotConflict(err)) throw err;
        const cause = failure instanceof ApplicationFailure ? `${failure.type}: ${failure.message}` : failure.message;
        const resumeTo = this.stage;
        this.attention = { reason: `${step} failed: ${cause}`, since: new Date().toISOString(), waitingFor: 'ops' };
        this.setStage('needs_attention');
        this.resumeRequested = false;
        this.flushSearchAttributes();
        await condition(() => this.resumeRequested);
        this.attention = null;
        this.setStage(resumeTo);
      }
    }
  }

  private get readSteps(): Steps {
    return this.localSteps ? localActivities : activities;
  }

  private get workflowId(): string {
    return workflowInfo().workflowId;
  }

  private get buyerTimezone(): string {
    return this.facts?.timezone?.value ?? this.input.policy.companyTimezone;
  }

  private get copyContext() {
    const reps = this.decision ? (this.decision.mode === 'any' ? [] : this.decision.attendees) : [];
    return {
      timezone: this.buyerTimezone,
      now: Date.now(),
      buyerName: this.input.lead.name,
      repNames: reps.map((id) => this.people[id]?.name ?? id),
      companyName: this.input.policy.companyName,
    };
  }

  private get replyDeadline(): number {
    return this.lastBuyerActivity + this.input.policy.replyTimeoutMs;
  }

  private get nudgeAt(): number | null {
    if (this.nudged || this.proposals.length === 0 || this.lastBuyerActivity > this.lastProposalAt) return null;
    return this.lastProposalAt + this.input.policy.nudgeAfterMs;
  }

  private get lastAgentMessage(): string {
    return [...this.events].reverse().find((e) => e.message?.from === 'agent')?.message?.text ?? '';
  }

  private acceptsBuyerInput(): boolean {
    return this.stage === 'awaiting_reply' || (this.stage === 'needs_attention' && this.attention?.waitingFor === 'buyer');
  }

  private say(text: string, proposalIds?: string[]): void {
    this.record({ from: 'agent', text, ...(proposalIds ? { proposalIds } : {}) });
  }

  private record(message: ChatMessage): void {
    this.events.push({ id: this.events.length + 1, at: new Date().toISOString(), type: 'message', message });
  }

  private setStage(stage: LeadStage): void {
    if (this.stage === stage && this.events.some((e) => e.type === 'stage')) return;
    this.stage = stage;
    this.events.push({ id: this.events.length + 1, at: new Date().toISOString(), type: 'stage', stage });
    this.publish([{ key: LeadStageKey, value: stage }]);
  }

  private deadlinePublished: number | null = null;
  private publishDeadline(at: number | null): void {
    if (at === this.deadlinePublished || (at !== null && !Number.isFinite(at))) return;
    this.deadlinePublished = at;
    this.publish([{ key: NextDeadlineKey, value: at === null ? null : new Date(at) }]);
  }

  /**
   * Search attributes reach the server only when the workflow task completes, so several changes
   * in one task (qualify, route and propose run in one since routing went local) are sent as one
   * upsert: one visibility write instead of one each. Leads started before replay upsert at once.
   */
  private readonly unpublished = new Map<string, SearchAttributeUpdatePair>();
  private publish(pairs: SearchAttributeUpdatePair[]): void {
    if (!this.fastStart) return upsertSearchAttributes(pairs);
    for (const pair of pairs) this.unpublished.set(pair.key.name, pair);
  }

  private flushSearchAttributes(): void {
    if (this.unpublished.size === 0) return;
    upsertSearchAttributes([...this.unpublished.values()]);
    this.unpublished.clear();
  }

  status(): LeadStatus {
    const { email, name, company } = this.input.lead;
    return {
      workflowId: this.workflowId,
      stage: this.stage,
      lead: { email, name, company },
      receivedAt: this.receivedAt,
      facts: this.facts,
      route: this.decision,
      proposals: this.acceptsBuyerInput() ? this.proposals : [],
      booking: this.booking,
      bookingAttempts: this.attempts,
      nudged: this.nudged,
      nextDeadline: FINAL_STAGES.includes(this.stage) || this.deadlinePublished === null ? null : new Date(this.deadlinePublished).toISOString(),
      attention: this.attention,
      closedReason: this.closedReason,
      events: this.events,
    };
  }
}

/**
 * Why a step failed, or null when it was not the step's activity that failed (a bug in the
 * workflow, a cancellation). A remote activity's failure comes wrapped in an ActivityFailure; a
 * local activity's comes as it is (an ApplicationFailure, or a TimeoutFailure).
 */
function stepFailure(err: unknown): TemporalFailure | null {
  if (err instanceof ActivityFailure) return err.cause instanceof TemporalFailure ? err.cause : err;
  if (err instanceof ApplicationFailure || err instanceof TimeoutFailure) return err;
  return null;
}

function isSlotConflict(err: unknown): boolean {
  const failure = stepFailure(err);
  return failure instanceof ApplicationFailure && failure.type === 'SlotConflict';
}
