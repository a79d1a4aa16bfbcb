/**
 * Classifying the buyer's reply with an LLM: the structured answer it must give, the prompt, and the
 * checks that fall back to understandReply when the answer cannot be trusted. Pure; the LLM call
 * lives in activities. Kept apart from reply.ts so that the workflow bundle does not carry zod.
 *
 * What is checked rather than trusted: a choice must name a time on offer (never the booked one);
 * intents are mapped to the stage (before booking new_times/decline, after it reschedule/cancel);
 * dates, minutes and zones must be valid; arithmetic on the booked meeting ("an hour later") is
 * done here from the model's days/minutes, or taken from the deterministic reading when it found
 * a move; what either reading rules out is ruled out; a question for the rep is passed on in the
 * buyer's own words, never the model's; a clarifying question for the buyer is one of Baton's
 * templates, which the model only picks.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { DayWindow, TimeConstraint, TimeInterval } from '../schedule/constraint';
import { buyerWords, describeProposal, safeZone, understandReply, whichQuestion, type ReplyContext, type ReplyIntent } from './reply';
import { describeTimes } from './copy';
import { CLARIFYING_TEMPLATES, clarifyingQuestion } from './reply-questions';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** A local date-time in the constraint's zone, "YYYY-MM-DDTHH:mm". */
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
const minute = z.number().int().min(0).max(1440);
const llmWindow = z.object({
  weekdays: z.array(z.number().int().min(1).max(7)).nullable(),
  earliestMinute: minute.nullable(),
  latestMinute: minute.nullable(),
});

/**
 * What an LLM must return (nullable rather than optional fields, for strict structured output;
 * the fields added for booked meetings are optional, so an answer in the earlier shape still parses).
 */
export const llmReplySchema = z.object({
  intent: z.enum(['choose', 'new_times', 'decline', 'unclear', 'reschedule', 'cancel', 'acknowledge']),
  proposalId: z.string().nullable(),
  constraint: z
    .object({
      fromDate: isoDate.nullable(),
      toDate: isoDate.nullable(),
      weekdays: z.array(z.number().int().min(1).max(7)).nullable(),
      earliestMinute: minute.nullable(),
      latestMinute: minute.nullable(),
      /** IANA zone the buyer named ("5pm Eastern" -> America/New_York); every local time is in it. */
      timezone: z.string().nullable().optional(),
      windows: z.array(llmWindow).max(6).nullable().optional(),
      standing: z.array(llmWindow).max(6).nullable().optional(),
      excludedWindows: z.array(llmWindow).max(20).nullable().optional(),
      excluded: z.array(z.object({ start: localDateTime, end: localDateTime })).max(20).nullable().optional(),
      preferredStart: localDateTime.nullable().optional(),
      /** A move of the booked meeting: signed days and minutes ("an hour later" = 0, 60). */
      move: z.object({ days: z.number().int().min(-60).max(60), minutes: z.number().int().min(-1440).max(1440) }).nullable().optional(),
      /** "later" / "earlier" than the booked meeting, by no amount said. */
      direction: z.enum(['later', 'earlier']).nullable().optional(),
    })
    .nullable(),
  /** With intent "unclear" after booking: the message is a question or note only the rep can answer. */
  forRep: z.boolean().nullable().optional(),
  /**
   * With intent "unclear": which of Baton's clarifying questions to ask (reply-questions.ts). The
   * model picks, the template speaks: no model text ever reaches the buyer.
   */
  questionTemplate: z.enum(CLARIFYING_TEMPLATES).nullable().optional(),
  reason: z.string(),
});

export type LlmReply = z.infer<typeof llmReplySchema>;

/** The prompt for classifying a reply; proposals are listed with their ids in the buyer's zone. */
export function replyPrompt(text: string, ctx: ReplyContext): { system: string; user: string } {
  const zone = safeZone(ctx.timezone);
  const now = DateTime.fromMillis(ctx.now, { zone });
  const booked = ctx.booked;
  const offered = ctx.proposals.filter((p) => !booked || (p.id !== booked.proposalId && p.start !== booked.start));
  const options = offered
    .map((p, i) => {
      const dt = DateTime.fromMillis(p.start, { zone });
      return `${i + 1}. id=${p.id}: ${dt.toFormat("cccc yyyy-MM-dd HH:mm")} (${describeProposal(p, ctx, zone)})`;
    })
    .join('\n');
  const constraintHelp = [
    '  constraint: local dates YYYY-MM-DD inclusive (fromDate, toDate), ISO weekdays 1=Mon..7=Sun, minutes after local midnight',
    '  (the meeting must start at or after earliestMinute and end by latestMinute; morning = 480-720, afternoon = 720-1020,',
    '  evening = 1020-1200; "next week" = Monday to Friday of next week); windows: alternatives the meeting must fit one of',
    '  ("Monday morning or Wednesday afternoon"); standing: what the buyer says holds in general ("I\'m only free in the mornings");',
    '  excludedWindows / excluded (local "YYYY-MM-DDTHH:mm" start and end): what the buyer rules out ("not Mondays", "2pm doesn\'t',
    '  work", "Thursday at 10 is taken"); timezone: the IANA zone when the buyer names one ("5pm Eastern" -> America/New_York),',
    '  and then every local time and date is in it, else null. Use null for fields that do not apply, or for constraint when they said nothing.',
  ];
  const system = booked
    ? [
        'You read a sales prospect\'s message about a meeting they already booked, and classify it.',
        'Return JSON with: intent, proposalId, constraint, forRep, questionTemplate, reason.',
        '- reschedule: they want another time, or cannot make it. Say what they asked for in constraint; for a move relative to',
        '  the booked meeting ("an hour later", "push it a day", "30 minutes earlier") give move (signed days and minutes) and no',
        '  dates; for "later"/"earlier" with no amount give direction; for an exact new time give preferredStart.',
        ...constraintHelp,
        '- choose: they pick exactly one of the other times on offer (listed below, if any); proposalId must be one of those ids.',
        '- cancel: they want to cancel, are no longer interested, or went with another vendor (and do not ask for another time).',
        '- acknowledge: "see you then", "thanks", "perfect", confirming the booked time, or asking when it is.',
        '- unclear with forRep true: a question or note only the sales rep can answer (product, pricing, preparation, who attends).',
        '- unclear with forRep false: anything else; questionTemplate "keep_move_cancel" (Baton asks whether to keep, move or cancel).',
        'reason: one short sentence for the sales team.',
      ].join('\n')
    : [
        'You read a sales prospect\'s reply to a message that offered meeting times, and classify it.',
        'Return JSON with: intent ("choose" | "new_times" | "decline" | "unclear"), proposalId, constraint, questionTemplate, reason.',
        '- choose: the reply clearly picks exactly one offered time; proposalId must be one of the listed ids.',
        '- new_times: none of the offered times suit, or the reply asks for other times. Put what they asked for in constraint.',
        ...constraintHelp,
        '- decline: they are not interested, want no more messages, or chose another vendor.',
        '- unclear: anything else, or when two offered times could be meant. Pick the clarifying question Baton asks with',
        '  questionTemplate: "which_time" (asks which offered time works) or "other_times" (asks which days and times suit them).',
        'A negated time ("2pm doesn\'t work") is never a choice of that time; put it in excluded or excludedWindows.',
        'reason: one short sentence for the sales team.',
      ].join('\n');
  const user = [
    `Now: ${now.toFormat("cccc yyyy-MM-dd HH:mm")} in the prospect's zone ${zone}.`,
    booked
      ? `Booked meeting: ${DateTime.fromMillis(booked.start, { zone }).toFormat("cccc yyyy-MM-dd HH:mm")}-${DateTime.fromMillis(booked.end, { zone }).toFormat('HH:mm')} (${describeTimes([booked.start], zone, ctx.now)}).`
      : null,
    offered.length > 0 ? `${booked ? 'Other times on offer' : 'Offered times'} (prospect's zone):\n${options}` : booked ? null : 'No times are currently offered.',
    `Reply:\n"""\n${text.slice(0, 4000)}\n"""`,
  ].filter((l): l is string => l !== null).join('\n\n');
  return { system, user };
}

/**
 * Turns an LLM's answer into an intent, trusting it only as far as it can be checked: malformed
 * output, a 'choose' that names no time on offer, or an intent that does not fit the stage falls
 * back to understandReply.
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
  const booked = ctx.booked;
  const zone = safeZone(ctx.timezone);
  switch (r.intent) {
    case 'choose': {
      const p = ctx.proposals.find((x) => x.id === r.proposalId && !(booked && (x.id === booked.proposalId || x.start === booked.start)));
      return p ? { kind: 'choose', proposalId: p.id, reason } : understandReply(text, ctx);
    }
    case 'decline':
    case 'cancel':
      return booked ? { kind: 'cancel', reason } : { kind: 'decline', reason };
    case 'acknowledge':
      return booked ? { kind: 'acknowledge', reason } : understandReply(text, ctx);
    case 'unclear': {
      if (booked && r.forRep) {
        const words = buyerWords(text);
        if (words) return { kind: 'unclear', question: words, forRep: true };
      }
      // The model only picks which question; Baton's template words it (never the model's text).
      if (r.questionTemplate) return { kind: 'unclear', question: clarifyingQuestion(r.questionTemplate, ctx, zone) };
      const fallback = understandReply(text, ctx);
      if (fallback.kind === 'unclear') return fallback;
      return { kind: 'unclear', question: clarifyingQuestion(booked ? 'keep_move_cancel' : 'which_time', ctx, zone) };
    }
    case 'new_times':
    case 'reschedule': {
      const constraint = checkedConstraint(r.constraint, text, ctx);
      return booked
        ? { kind: 'reschedule', ...(constraint ? { constraint } : {}), reason }
        : { kind: 'new_times', ...(constraint ? { constraint } : {}), reason };
    }
  }
}

function checkedWindow(w: z.infer<typeof llmWindow>): DayWindow | null {
  const out: DayWindow = {};
  if (w.weekdays && w.weekdays.length > 0 && w.weekdays.length < 7) out.weekdays = [...new Set(w.weekdays)].sort((a, b) => a - b);
  if (w.earliestMinute !== null && w.earliestMinute > 0) out.earliestMinute = w.earliestMinute;
  if (w.latestMinute !== null && w.latestMinute < 1440) out.latestMinute = w.latestMinute;
  if (out.earliestMinute !== undefined && out.latestMinute !== undefined && out.latestMinute <= out.earliestMinute) return null;
  return Object.keys(out).length > 0 ? out : null;
}

function windows(list: z.infer<typeof llmWindow>[] | null | undefined): DayWindow[] | undefined {
  const out = (list ?? []).map(checkedWindow).filter((w): w is DayWindow => w !== null);
  return out.length > 0 ? out : undefined;
}

function checkedConstraint(c: LlmReply['constraint'], text: string, ctx: ReplyContext): TimeConstraint | undefined {
  const buyerZone = safeZone(ctx.timezone);
  const zone = c?.timezone && IANAZone.isValidZone(c.timezone) ? c.timezone : buyerZone;
  const out: TimeConstraint = { timezone: zone };
  const instant = (local: string | null | undefined): number | undefined => {
    if (!local) return undefined;
    const dt = DateTime.fromISO(local, { zone });
    return dt.isValid ? dt.toMillis() : undefined;
  };
  if (c) {
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
    const w = windows(c.windows);
    if (w) out.windows = w;
    const standing = windows(c.standing);
    if (standing) out.standing = standing;
    const excludedWindows = windows(c.excludedWindows);
    if (excludedWindows) out.excludedWindows = excludedWindows;
    const excluded = (c.excluded ?? [])
      .map((i) => ({ start: instant(i.start), end: instant(i.end) }))
      .filter((i): i is TimeInterval => i.start !== undefined && i.end !== undefined && i.end > i.start);
    if (excluded.length > 0) out.excluded = excluded;
    const preferred = instant(c.preferredStart);
    if (preferred !== undefined && preferred > ctx.now) out.preferredStart = preferred;
  }
  const booked = ctx.booked;
  if (booked) {
    // Moves are arithmetic on the booked meeting: done here, or taken from the deterministic
    // reading when it found one (it reads "an hour later" exactly); the booked time is excluded.
    const reading = understandReply(text, ctx);
    const parsed = reading.kind === 'reschedule' ? reading.constraint : undefined;
    if (parsed && (parsed.preferredStart !== undefined || parsed.notBefore !== undefined || parsed.notAfter !== undefined)) {
      for (const key of ['preferredStart', 'notBefore', 'notAfter'] as const) {
        if (parsed[key] !== undefined) out[key] = parsed[key];
      }
      if (parsed.timezone !== out.timezone && out.preferredStart === undefined) out.timezone = parsed.timezone;
    } else if (c?.move && (c.move.days !== 0 || c.move.minutes !== 0)) {
      out.preferredStart = DateTime.fromMillis(booked.start, { zone }).plus({ days: c.move.days, minutes: c.move.minutes }).toMillis();
    } else if (c?.direction === 'later') {
      out.notBefore = booked.end;
    } else if (c?.direction === 'earlier') {
      out.notAfter = booked.start;
    }
    out.excluded = [...(out.excluded ?? []), ...(parsed?.excluded ?? []), { start: booked.start, end: booked.end }];
    if (parsed?.excludedWindows) out.excludedWindows = [...(out.excludedWindows ?? []), ...parsed.excludedWindows.map((w) => (parsed.timezone === zone ? w : { ...w, timezone: parsed.timezone }))];
  } else {
    // What the deterministic reading rules out is ruled out too: the model may miss a "not Tuesday".
    const reading = understandReply(text, ctx);
    const parsed = reading.kind === 'new_times' ? reading.constraint : undefined;
    if (parsed?.excluded) out.excluded = [...(out.excluded ?? []), ...parsed.excluded];
    if (parsed?.excludedWindows) out.excludedWindows = [...(out.excludedWindows ?? []), ...parsed.excludedWindows.map((w) => (parsed.timezone === zone ? w : { ...w, timezone: parsed.timezone }))];
  }
  if (out.excluded) out.excluded = dedupe(out.excluded.filter((i) => i.end > ctx.now));
  if (out.excluded?.length === 0) delete out.excluded;
  if (out.excludedWindows) out.excludedWindows = dedupe(out.excludedWindows);
  return Object.keys(out).length > 1 ? out : undefined;
}

function dedupe<T>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const key = JSON.stringify(x);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
