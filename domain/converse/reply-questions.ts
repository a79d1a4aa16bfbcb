/** The one clarifying question the agent asks when a reply is unclear, and the quotes in reasons. */
import { formatSlotTime, joinWords } from './copy';
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
