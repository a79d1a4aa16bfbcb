/**
 * Classifying the buyer's reply with an LLM: the structured answer it must give, the prompt, and the
 * checks that fall back to understandReply when the answer cannot be trusted. Pure; the LLM call
 * lives in activities. Kept apart from reply.ts so that the workflow bundle does not carry zod.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { describeProposal, safeZone, understandReply, whichQuestion, type ReplyContext, type ReplyIntent } from './reply';
import type { TimeConstraint } from '../schedule/slots';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** What an LLM must return (nullable rather than optional fields, for strict structured output). */
export const llmReplySchema = z.object({
  intent: z.enum(['choose', 'new_times', 'decline', 'unclear']),
  proposalId: z.string().nullable(),
  constraint: z
    .object({
      fromDate: isoDate.nullable(),
      toDate: isoDate.nullable(),
      weekdays: z.array(z.number().int().min(1).max(7)).nullable(),
      earliestMinute: z.number().int().min(0).max(1440).nullable(),
      latestMinute: z.number().int().min(0).max(1440).nullable(),
    })
    .nullable(),
  question: z.string().nullable(),
  reason: z.string(),
});

export type LlmReply = z.infer<typeof llmReplySchema>;

/** The prompt for classifying a reply; proposals are listed with their ids in the buyer's zone. */
export function replyPrompt(text: string, ctx: ReplyContext): { system: string; user: string } {
  const zone = safeZone(ctx.timezone);
  const now = DateTime.fromMillis(ctx.now, { zone });
  const options = ctx.proposals
    .map((p, i) => {
      const dt = DateTime.fromMillis(p.start, { zone });
      return `${i + 1}. id=${p.id}: ${dt.toFormat("cccc yyyy-MM-dd HH:mm")} (${describeProposal(p, ctx, zone)})`;
    })
    .join('\n');
  const system = [
    'You read a sales prospect\'s reply to a message that offered meeting times, and classify it.',
    'Return JSON with: intent ("choose" | "new_times" | "decline" | "unclear"), proposalId, constraint, question, reason.',
    '- choose: the reply clearly picks exactly one offered time; proposalId must be one of the listed ids.',
    '- new_times: none of the offered times suit, or the reply asks for other times. Put what they asked for in constraint',
    '  (local dates YYYY-MM-DD inclusive, ISO weekdays 1=Mon..7=Sun, minutes after local midnight: the meeting must start',
    '  at or after earliestMinute and end by latestMinute; morning = 480-720, afternoon = 720-1020, evening = 1020-1200;',
    '  "next week" = Monday to Friday of next week), or null when they did not say.',
    '- decline: they are not interested, want no more messages, or chose another vendor.',
    '- unclear: anything else, or when two offered times could be meant; question is ONE short, friendly clarifying question',
    '  that names the candidate times.',
    'A negated time ("2pm doesn\'t work") is never a choice of that time. Use null for fields that do not apply.',
    'reason: one short sentence for the sales team.',
  ].join('\n');
  const user = [
    `Now: ${now.toFormat("cccc yyyy-MM-dd HH:mm")} in the prospect's zone ${zone}.`,
    ctx.proposals.length > 0 ? `Offered times (prospect's zone):\n${options}` : 'No times are currently offered.',
    `Reply:\n"""\n${text.slice(0, 4000)}\n"""`,
  ].join('\n\n');
  return { system, user };
}

/**
 * Turns an LLM's answer into an intent, trusting it only as far as it can be checked: malformed
 * output, or a 'choose' that names no offered proposal, falls back to understandReply.
 */
export function replyFromLlm(output: unknown, text: string, ctx: ReplyContext): ReplyIntent {
  let value = output;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return understandReply(text, ctx);
    }
  }
  const parsed = llmReplySchema.safeParse(value);
  if (!parsed.success) return understandReply(text, ctx);
  const r = parsed.data;
  const reason = r.reason.trim() || 'classified by the language model';
  switch (r.intent) {
    case 'choose': {
      const p = ctx.proposals.find((x) => x.id === r.proposalId);
      return p ? { kind: 'choose', proposalId: p.id, reason } : understandReply(text, ctx);
    }
    case 'decline':
      return { kind: 'decline', reason };
    case 'unclear': {
      const question = r.question?.replace(/\s+/g, ' ').trim();
      if (!question || /https?:|www\./i.test(question)) {
        const fallback = understandReply(text, ctx);
        return fallback.kind === 'unclear'
          ? fallback
          : { kind: 'unclear', question: whichQuestion(ctx, safeZone(ctx.timezone), "Sorry, I didn't quite catch that —") };
      }
      return { kind: 'unclear', question };
    }
    case 'new_times': {
      const constraint = checkedConstraint(r.constraint, ctx);
      return { kind: 'new_times', ...(constraint ? { constraint } : {}), reason };
    }
  }
}

function checkedConstraint(c: LlmReply['constraint'], ctx: ReplyContext): TimeConstraint | undefined {
  if (!c) return undefined;
  const out: TimeConstraint = { timezone: safeZone(ctx.timezone) };
  const valid = (d: string | null) => d !== null && DateTime.fromISO(d, { zone: 'UTC' }).isValid;
  if (valid(c.fromDate)) out.fromDate = c.fromDate!;
  if (valid(c.toDate)) out.toDate = c.toDate!;
  if (out.fromDate && out.toDate && out.toDate < out.fromDate) delete out.toDate;
  if (c.weekdays && c.weekdays.length > 0) out.weekdays = [...new Set(c.weekdays)].sort((a, b) => a - b);
  if (c.earliestMinute !== null && c.earliestMinute > 0) out.earliestMinute = c.earliestMinute;
  if (c.latestMinute !== null && c.latestMinute < 1440) out.latestMinute = c.latestMinute;
  if (out.earliestMinute !== undefined && out.latestMinute !== undefined && out.latestMinute <= out.earliestMinute) {
    delete out.latestMinute;
  }
  return Object.keys(out).length > 1 ? out : undefined;
}
