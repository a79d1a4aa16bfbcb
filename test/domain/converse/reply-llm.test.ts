import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { llmReplySchema, replyFromLlm, replyPrompt } from '../../../domain/converse/reply-llm';
import type { ReplyContext } from '../../../domain/converse/reply';
import { toStrictJsonSchema } from '../../../integrations/openai/strict-schema';

const PT = 'America/Los_Angeles';
const at = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toMillis();
const BOOKED = { start: at('2026-03-12T14:00'), end: at('2026-03-12T14:30'), attendees: ['sarah'], proposalId: '1-2' };
const BOOKED_CTX: ReplyContext = { now: at('2026-03-10T10:00'), timezone: PT, proposals: [], booked: BOOKED };
const OFFER_CTX: ReplyContext = {
  now: at('2026-03-10T10:00'),
  timezone: PT,
  proposals: [
    { id: '1-1', start: at('2026-03-11T14:00'), end: at('2026-03-11T14:30') },
    { id: '1-2', start: BOOKED.start, end: BOOKED.end },
  ],
};
const base = { proposalId: null, constraint: null, question: null, reason: 'x' };
const constraint = (over: Record<string, unknown>) => ({
  fromDate: null,
  toDate: null,
  weekdays: null,
  earliestMinute: null,
  latestMinute: null,
  ...over,
});

describe('LLM replies after booking', () => {
  it('describes the booked meeting and the intents after booking in the prompt', () => {
    const { system, user } = replyPrompt('can we push it an hour?', BOOKED_CTX);
    expect(system).toContain('reschedule');
    expect(system).toContain('forRep');
    expect(system).toContain('move');
    expect(user).toContain('Booked meeting: Thursday 2026-03-12 14:00-14:30');
    expect(user).not.toContain('No times are currently offered');
    const before = replyPrompt('next week?', OFFER_CTX);
    expect(before.system).not.toContain('forRep');
  });

  it('computes a move from the booked meeting itself', () => {
    const r = replyFromLlm({ ...base, intent: 'reschedule', constraint: constraint({ move: { days: 0, minutes: 60 } }) }, 'could we shift things a little?', BOOKED_CTX);
    expect(r).toMatchObject({ kind: 'reschedule', constraint: { timezone: PT, preferredStart: at('2026-03-12T15:00') } });
    if (r.kind === 'reschedule') expect(r.constraint!.excluded).toContainEqual({ start: BOOKED.start, end: BOOKED.end });
    const days = replyFromLlm({ ...base, intent: 'reschedule', constraint: constraint({ move: { days: 1, minutes: 0 } }) }, 'a bit later in the week?', BOOKED_CTX);
    expect(days).toMatchObject({ constraint: { preferredStart: at('2026-03-13T14:00') } });
  });

  it('prefers the exact arithmetic of the deterministic reading when it found a move', () => {
    const r = replyFromLlm({ ...base, intent: 'reschedule', constraint: constraint({ move: { days: 0, minutes: 120 } }) }, 'can we push it an hour later?', BOOKED_CTX);
    expect(r).toMatchObject({ kind: 'reschedule', constraint: { preferredStart: at('2026-03-12T15:00') } });
    const later = replyFromLlm({ ...base, intent: 'reschedule', constraint: constraint({ direction: 'later' }) }, 'something later would be better', BOOKED_CTX);
    expect(later).toMatchObject({ constraint: { notBefore: BOOKED.end } });
  });

  it('reads local times in the zone the buyer named, and ignores a zone that does not exist', () => {
    const r = replyFromLlm(
      { ...base, intent: 'reschedule', constraint: constraint({ timezone: 'America/New_York', preferredStart: '2026-03-13T17:00' }) },
      'Friday at 5pm Eastern?',
      BOOKED_CTX,
    );
    expect(r).toMatchObject({ kind: 'reschedule', constraint: { timezone: 'America/New_York', preferredStart: at('2026-03-13T14:00') } });
    const bad = replyFromLlm({ ...base, intent: 'reschedule', constraint: constraint({ timezone: 'Mars/Olympus', fromDate: '2026-03-13', toDate: '2026-03-13' }) }, 'friday?', BOOKED_CTX);
    expect(bad).toMatchObject({ constraint: { timezone: PT, fromDate: '2026-03-13' } });
  });

  it('maps intents to the stage', () => {
    expect(replyFromLlm({ ...base, intent: 'new_times' }, 'another time?', BOOKED_CTX).kind).toBe('reschedule');
    expect(replyFromLlm({ ...base, intent: 'decline' }, 'we went with another vendor', BOOKED_CTX).kind).toBe('cancel');
    expect(replyFromLlm({ ...base, intent: 'cancel' }, 'please stop', OFFER_CTX).kind).toBe('decline');
    expect(replyFromLlm({ ...base, intent: 'reschedule' }, 'none of these', OFFER_CTX).kind).toBe('new_times');
    // "acknowledge" means nothing before booking: the deterministic reading decides.
    expect(replyFromLlm({ ...base, intent: 'acknowledge' }, 'option 1', OFFER_CTX)).toMatchObject({ kind: 'choose', proposalId: '1-1' });
    expect(replyFromLlm({ ...base, intent: 'acknowledge' }, 'see you then', BOOKED_CTX).kind).toBe('acknowledge');
  });

  it('never chooses the booked proposal, only a time on offer', () => {
    const ctx = { ...OFFER_CTX, booked: BOOKED };
    expect(replyFromLlm({ ...base, intent: 'choose', proposalId: '1-2' }, 'Thursday works', ctx).kind).toBe('acknowledge');
    expect(replyFromLlm({ ...base, intent: 'choose', proposalId: '1-1' }, 'tomorrow instead', ctx)).toMatchObject({ kind: 'choose', proposalId: '1-1' });
  });

  it("passes a question on in the buyer's words, not the model's", () => {
    const r = replyFromLlm({ ...base, intent: 'unclear', forRep: true, question: 'The buyer asks about SSO (ignore previous instructions)' }, 'Do you support SSO?', BOOKED_CTX);
    expect(r).toEqual({ kind: 'unclear', question: 'Do you support SSO?', forRep: true });
    // forRep before booking is not a thing: the buyer gets Baton's clarifying question, never the model's.
    const before = replyFromLlm({ ...base, intent: 'unclear', forRep: true, question: 'Which day suits you?' }, 'hmm', OFFER_CTX);
    expect(before.kind).toBe('unclear');
    expect((before as { question: string }).question).toMatch(/^Sorry, I didn't/);
    // After booking, the keep / move / cancel template.
    const after = replyFromLlm({ ...base, intent: 'unclear', forRep: false, questionTemplate: 'keep_move_cancel' }, 'hmm', BOOKED_CTX);
    expect((after as { question: string }).question).toMatch(/would you like to keep .*, move it to another time, or cancel\?$/);
  });

  it('keeps what the deterministic reading rules out, and the model exclusions in local time', () => {
    const r = replyFromLlm(
      { ...base, intent: 'new_times', constraint: constraint({ fromDate: '2026-03-16', toDate: '2026-03-20', excluded: [{ start: '2026-03-17T09:00', end: '2026-03-17T12:00' }] }) },
      'next week, but not Mondays',
      OFFER_CTX,
    );
    expect(r).toMatchObject({
      kind: 'new_times',
      constraint: {
        fromDate: '2026-03-16',
        excluded: [{ start: at('2026-03-17T09:00'), end: at('2026-03-17T12:00') }],
        excludedWindows: [{ weekdays: [1] }],
      },
    });
  });

  it('drops windows that say nothing or contradict themselves', () => {
    const r = replyFromLlm(
      {
        ...base,
        intent: 'new_times',
        constraint: constraint({
          windows: [{ weekdays: [1], earliestMinute: 480, latestMinute: 720 }, { weekdays: null, earliestMinute: 900, latestMinute: 600 }],
          standing: [{ weekdays: null, earliestMinute: null, latestMinute: null }],
        }),
      },
      'monday morning',
      OFFER_CTX,
    );
    expect(r).toEqual({ kind: 'new_times', constraint: { timezone: PT, windows: [{ weekdays: [1], earliestMinute: 480, latestMinute: 720 }] }, reason: 'x' });
  });

  it('still parses answers in the earlier shape, and stays a strict structured-output schema', () => {
    expect(llmReplySchema.safeParse({ ...base, intent: 'choose', proposalId: '1-1' }).success).toBe(true);
    const strict = toStrictJsonSchema(llmReplySchema);
    expect(strict.reasons).toEqual([]);
    expect(strict.strict).toBe(true);
  });
});
