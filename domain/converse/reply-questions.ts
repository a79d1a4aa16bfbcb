/** The one clarifying question the agent asks when a reply is unclear, and the quotes in reasons. */
import { describeTimes, formatSlotTime, joinWords } from './copy';
import type { ProposalRef, ReplyContext } from './reply-types';

export function describeProposal(p: ProposalRef, ctx: ReplyContext, zone: string): string {
  return formatSlotTime(p.start, zone, ctx.now);
}

export function listOptions(ctx: ReplyContext, zone: string, indexes?: number[]): string {
  const chosen = indexes ? indexes.map((i) => ctx.proposals[i]!) : ctx.proposals;
  return joinWords(chosen.map((p) => describeProposal(p, ctx, zone)));
}

export function whichQuestion(ctx: ReplyContext, zone: string, lead: string): string {
  if (ctx.proposals.length === 0) return `${lead} what day and time would suit you best?`;
  if (ctx.proposals.length === 1) return `${lead} would ${listOptions(ctx, zone)} work for you, or is there another time that suits you better?`;
  return `${lead} which works best for you: ${listOptions(ctx, zone)}, or is there another day that suits you better?`;
}

/** The buyer's words, short, for a reason line. */
export function quote(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `"${t.slice(0, 77)}..."` : `"${t}"`;
}

/** The clarifying questions a model may pick for an unclear reply; each is worded here, never by the model. */
export const CLARIFYING_TEMPLATES = ['which_time', 'other_times', 'keep_move_cancel'] as const;
export type ClarifyingTemplate = (typeof CLARIFYING_TEMPLATES)[number];

const SORRY = "Sorry, I didn't quite catch that —";

export function clarifyingQuestion(template: ClarifyingTemplate, ctx: ReplyContext, zone: string): string {
  const booked = ctx.booked;
  if (template === 'keep_move_cancel' || (booked && template === 'which_time' && ctx.proposals.every((p) => p.id === booked.proposalId))) {
    return booked
      ? `${SORRY} would you like to keep ${describeTimes([booked.start], zone, ctx.now)}, move it to another time, or cancel?`
      : whichQuestion(ctx, zone, SORRY);
  }
  if (template === 'other_times') return `${SORRY} which days and times would suit you best? I'll find openings then.`;
  return whichQuestion(ctx, zone, SORRY);
}
