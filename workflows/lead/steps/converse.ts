import { condition } from '@temporalio/workflow';
import { clarifyMessage, declineAckMessage } from '../../../domain/converse/copy';
import { understandReply, type ReplyIntent } from '../../../domain/converse/reply';
import { mergeConstraints } from '../../../domain/schedule/constraint';
import { continueAsNewIfLong } from './continue';
import type { BookingRequest, LeadState } from '../state';
import { book } from './book';
import { handToHuman } from './hand-off';
import { nudge, proposeTimes } from './propose';

export type ConversationEnd = 'booked' | 'declined' | 'unresponsive' | 'needs_attention';

type BuyerInput = { kind: 'message'; text: string } | { kind: 'book'; request: BookingRequest } | { kind: 'nudge' } | { kind: 'timeout' };

/** 4 + 5. Wait durably for the buyer, understand each reply, book in the conversation. */
export async function converseUntilBooked(lead: LeadState): Promise<ConversationEnd> {
  for (;;) {
    if (lead.stage === 'needs_attention' && lead.attention?.waitingFor === 'buyer' && replyDeadline(lead) <= Date.now()) {
      return 'needs_attention';
    }
    const next = await nextBuyerInput(lead);
    if (next.kind === 'timeout') {
      if (lead.stage === 'needs_attention') return 'needs_attention';
      await handToHuman(lead, 'the buyer did not reply');
      return 'unresponsive';
    }
    if (next.kind === 'nudge') {
      await nudge(lead);
      continue;
    }
    if (next.kind === 'book') {
      next.request.outcome = await book(lead, next.request.proposalId);
      if (next.request.outcome.outcome === 'booked') return 'booked';
      continue;
    }
    const intent = await understand(lead, next.text);
    if (intent.kind === 'decline') {
      lead.say(declineAckMessage({ buyerName: lead.input.lead.name, companyName: lead.policy.companyName }));
      return 'declined';
    }
    if (intent.kind === 'unclear') lead.say(clarifyMessage(intent.question));
    if (intent.kind === 'new_times') {
      // What the buyer ruled out stays ruled out for the whole conversation.
      lead.constraint = mergeConstraints(lead.constraint ?? undefined, intent.constraint, Date.now()) ?? null;
      await proposeTimes(lead, 'new_times', lead.constraint ?? undefined);
    }
    if (intent.kind === 'choose' && (await book(lead, intent.proposalId)).outcome === 'booked') return 'booked';
  }
}

/** The next thing to act on: a booking, a message, or the nudge or reply deadline, whichever comes first. */
async function nextBuyerInput(lead: LeadState): Promise<BuyerInput> {
  for (;;) {
    const request = lead.bookingRequests.shift();
    if (request) return { kind: 'book', request };
    if (lead.inbox.length > 0) {
      await lead.pace();
      const text = lead.inbox.shift()!;
      lead.lastBuyerActivity = Date.now();
      lead.nudged = false;
      return { kind: 'message', text };
    }
    const now = Date.now();
    const deadline = replyDeadline(lead);
    const nudgeTime = nudgeAt(lead);
    if (now >= deadline) return { kind: 'timeout' };
    if (nudgeTime !== null && now >= nudgeTime) return { kind: 'nudge' };
    await continueAsNewIfLong(lead);
    const wakeAt = Math.min(deadline, nudgeTime ?? Infinity);
    lead.attributes.setDeadline(wakeAt);
    lead.flush();
    lead.waited();
    await condition(() => lead.inbox.length > 0 || lead.bookingRequests.length > 0, wakeAt - now);
  }
}

/** What the buyer means: the model's reading when one is configured (checked), else the parser's. */
async function understand(lead: LeadState, text: string): Promise<ReplyIntent> {
  const ctx = {
    proposals: lead.proposals.map((p) => ({ id: p.id, start: Date.parse(p.start), end: Date.parse(p.end) })),
    now: Date.now(),
    timezone: lead.buyerTimezone,
  };
  if (lead.proposals.length === 0) return { kind: 'new_times', reason: 'no open proposals' };
  if (!lead.policy.useLlm) return understandReply(text, ctx);
  return lead.steps.classifyReply({ workflowId: lead.workflowId, text, ...ctx });
}

function replyDeadline(lead: LeadState): number {
  return lead.lastBuyerActivity + lead.policy.replyTimeoutMs;
}

function nudgeAt(lead: LeadState): number | null {
  if (lead.nudged || lead.proposals.length === 0 || lead.lastBuyerActivity > lead.lastProposalAt) return null;
  return lead.lastProposalAt + lead.policy.nudgeAfterMs;
}
