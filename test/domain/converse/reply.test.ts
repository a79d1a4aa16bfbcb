import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatSlotTime } from '../../../domain/converse/copy';
import { llmReplySchema, replyFromLlm, replyPrompt } from '../../../domain/converse/reply-llm';
import {
  understandReply,
  type ProposalRef,
  type ReplyContext,
  type ReplyIntent,
} from '../../../domain/converse/reply';

const PT = 'America/Los_Angeles';
const at = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toMillis();
const p = (id: string, iso: string, zone = PT): ProposalRef => ({ id, start: at(iso, zone), end: at(iso, zone) + 30 * 60_000 });

// Tuesday March 10, 2026, 10:00 Pacific.
const NOW = at('2026-03-10T10:00');
/** tomorrow (Wed) 2pm, Thursday 10am, Friday 11:30am */
const A: ReplyContext = {
  now: NOW,
  timezone: PT,
  proposals: [p('wed2', '2026-03-11T14:00'), p('thu10', '2026-03-12T10:00'), p('fri1130', '2026-03-13T11:30')],
};
/** two on Thursday (10am, 2pm) and Friday 9am */
const B: ReplyContext = {
  now: NOW,
  timezone: PT,
  proposals: [p('thu10', '2026-03-12T10:00'), p('thu14', '2026-03-12T14:00'), p('fri9', '2026-03-13T09:00')],
};
/** seen from Friday afternoon: Monday 10am, Tuesday 2pm, Wednesday 9:30am */
const C: ReplyContext = {
  now: at('2026-03-13T15:00'),
  timezone: PT,
  proposals: [p('mon10', '2026-03-16T10:00'), p('tue14', '2026-03-17T14:00'), p('wed930', '2026-03-18T09:30')],
};

const slotOf = (ctx: ReplyContext, id: string) => {
  const found = ctx.proposals.find((x) => x.id === id)!;
  return { start: found.start, end: found.end };
};
const ALL_OF_A = A.proposals.map((x) => ({ start: x.start, end: x.end }));

type Expect =
  | { choose: string }
  | { newTimes: true; constraint?: Record<string, unknown> | null }
  | { decline: true }
  | { unclear: string[] };

function check(intent: ReplyIntent, want: Expect) {
  if ('choose' in want) {
    expect(intent).toMatchObject({ kind: 'choose', proposalId: want.choose });
  } else if ('newTimes' in want) {
    expect(intent.kind).toBe('new_times');
    if (intent.kind !== 'new_times') return;
    if (want.constraint === null) expect(intent.constraint).toBeUndefined();
    else if (want.constraint) expect(intent.constraint).toEqual({ timezone: PT, ...want.constraint });
  } else if ('decline' in want) {
    expect(intent.kind).toBe('decline');
  } else {
    expect(intent.kind).toBe('unclear');
    if (intent.kind !== 'unclear') return;
    for (const part of want.unclear) expect(intent.question).toContain(part);
    expect(intent.question.match(/\?/g)).toHaveLength(1); // ONE question
  }
}

const CASES: [string, ReplyContext, Expect][] = [
  // numbers and ordinals
  ['2', A, { choose: 'thu10' }],
  ['option 2', A, { choose: 'thu10' }],
  ['Option #3 please', A, { choose: 'fri1130' }],
  ['#1', A, { choose: 'wed2' }],
  ['the second one', A, { choose: 'thu10' }],
  ['The last', A, { choose: 'fri1130' }],
  ['first works', A, { choose: 'wed2' }],
  ["Let's do the first one.", A, { choose: 'wed2' }],
  ['3 works for me', A, { choose: 'fri1130' }],
  ["let's do 2", A, { choose: 'thu10' }],
  ['the middle one', A, { choose: 'thu10' }],
  ['Second option is perfect, thanks!', A, { choose: 'thu10' }],
  // a day or a time that matches exactly one option
  ['Thursday works', A, { choose: 'thu10' }],
  ['thurs', A, { choose: 'thu10' }],
  ['2pm is good', A, { choose: 'wed2' }],
  ['tomorrow works', A, { choose: 'wed2' }],
  ['Tomorrow afternoon is great', A, { choose: 'wed2' }],
  ['Friday at 11:30 please', A, { choose: 'fri1130' }],
  ['Fri', A, { choose: 'fri1130' }],
  ['Weds 2pm', A, { choose: 'wed2' }],
  ['the 10am', A, { choose: 'thu10' }],
  ["I'll take the 11:30 slot", A, { choose: 'fri1130' }],
  ['The 13th works', A, { choose: 'fri1130' }],
  ['can we do wed at 2?', A, { choose: 'wed2' }],
  ['Thursday at 10 works for me!', B, { choose: 'thu10' }],
  ['Thursday 2pm', B, { choose: 'thu14' }],
  ['Thursday afternoon', B, { choose: 'thu14' }],
  ['Thursday morning is perfect', B, { choose: 'thu10' }],
  ['Thursday, 10am works', B, { choose: 'thu10' }],
  ['Tue at 2', C, { choose: 'tue14' }],
  ['Monday morning works', C, { choose: 'mon10' }],
  ['wednesday 9:30am', C, { choose: 'wed930' }],
  ['No problem, Friday works', A, { choose: 'fri1130' }],
  ['Sure — Friday at 11:30 works. Looking forward to it!', A, { choose: 'fri1130' }],
  ['Is Thursday at 10 still available?', A, { choose: 'thu10' }],
  ['> On Tue, Acme wrote: tomorrow at 2pm, Thursday at 10am or Friday\nFriday please', A, { choose: 'fri1130' }],
  // negations are not choices
  ["2pm doesn't work", A, { newTimes: true }],
  ["2pm doesn't work but Thursday is great", A, { choose: 'thu10' }],
  ["Thursday at 10 doesn't work, but 2pm does", B, { choose: 'thu14' }],
  ["I can't make it tomorrow but Friday at 11:30 works", A, { choose: 'fri1130' }],
  ["I'm not interested in Thursday, but Friday works", A, { choose: 'fri1130' }],
  ['Thursday works but not at 10', B, { choose: 'thu14' }],
  ["Thursday's out — Friday?", B, { choose: 'fri9' }],
  // what the buyer rules out is carried in the constraint, offered times included, so it is never offered again
  ["that doesn't work for me", A, { newTimes: true, constraint: { excluded: ALL_OF_A } }],
  ["I'm away Thursday", A, { newTimes: true, constraint: { excluded: [slotOf(A, 'thu10')], excludedWindows: [{ weekdays: [4] }] } }],
  // words that look like ordinals, negations or dates but are not
  ['give me a second, Thursday works', A, { choose: 'thu10' }],
  ['book Thursday right away', A, { choose: 'thu10' }],
  ['the earliest you have next week', A, { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-20' } }],
  ['the earliest', A, { choose: 'wed2' }],
  ['Mon, Mar 16 at 10am works', C, { choose: 'mon10' }],
  // new times
  ['none of these work', A, { newTimes: true, constraint: { excluded: ALL_OF_A } }],
  ['Neither works, sorry', A, { newTimes: true }],
  ['next week?', A, { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-20' } }],
  [
    "Sorry, can't do any of those. Next week?",
    A,
    { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-20', excluded: ALL_OF_A } },
  ],
  [
    'anything Friday morning?',
    A,
    { newTimes: true, constraint: { fromDate: '2026-03-13', toDate: '2026-03-13', earliestMinute: 480, latestMinute: 720 } },
  ],
  [
    'how about next Tuesday afternoon?',
    A,
    { newTimes: true, constraint: { fromDate: '2026-03-17', toDate: '2026-03-17', earliestMinute: 720, latestMinute: 1020 } },
  ],
  ['anything after 3?', A, { newTimes: true, constraint: { earliestMinute: 900 } }],
  ['Do you have anything before noon?', A, { newTimes: true, constraint: { latestMinute: 720 } }],
  [
    'tomorrow morning',
    A,
    { newTimes: true, constraint: { fromDate: '2026-03-11', toDate: '2026-03-11', earliestMinute: 480, latestMinute: 720 } },
  ],
  [
    "Thursday doesn't work for me, could we do Monday?",
    A,
    { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-16', excluded: [slotOf(A, 'thu10')], excludedWindows: [{ weekdays: [4] }] } },
  ],
  ['Could you do early next week instead?', A, { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-18' } }],
  [
    'Not this week, maybe next week',
    A,
    { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-20', excluded: [{ start: at('2026-03-10T00:00'), end: at('2026-03-14T00:00') }] } },
  ],
  [
    'Any chance of Monday at 9?',
    A,
    { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-16', earliestMinute: 540, latestMinute: 720 } },
  ],
  [
    "I'm busy Wednesday and Thursday",
    A,
    { newTimes: true, constraint: { excluded: [slotOf(A, 'wed2'), slotOf(A, 'thu10')], excludedWindows: [{ weekdays: [3, 4] }] } },
  ],
  [
    "mornings don't work for me",
    A,
    { newTimes: true, constraint: { excluded: [slotOf(A, 'thu10'), slotOf(A, 'fri1130')], excludedWindows: [{ latestMinute: 720 }] } },
  ],
  ['Could we find another time?', A, { newTimes: true, constraint: { excluded: ALL_OF_A } }],
  [
    'Monday or Wednesday would be better',
    B,
    { newTimes: true, constraint: { fromDate: '2026-03-11', toDate: '2026-03-16', weekdays: [1, 3] } },
  ],
  ['next week, Thursday afternoon', B, { newTimes: true, constraint: { fromDate: '2026-03-16', toDate: '2026-03-20', weekdays: [4], earliestMinute: 720, latestMinute: 1020 } }],
  [
    'next week, Tuesday or Thursday afternoon',
    A,
    {
      newTimes: true,
      constraint: { fromDate: '2026-03-16', toDate: '2026-03-20', weekdays: [2, 4], earliestMinute: 720, latestMinute: 1020 },
    },
  ],
  ['between 1 and 3pm on Friday?', A, { newTimes: true, constraint: { fromDate: '2026-03-13', toDate: '2026-03-13', earliestMinute: 780, latestMinute: 900 } }],
  // declines
  ['not interested anymore', A, { decline: true }],
  ['please stop', A, { decline: true }],
  ['STOP', A, { decline: true }],
  ['we went with another vendor', A, { decline: true }],
  ["We've decided to go with a different solution, thanks", A, { decline: true }],
  ['Please remove me from your list', A, { decline: true }],
  ['unsubscribe', A, { decline: true }],
  ['no thanks', A, { decline: true }],
  ['We are no longer evaluating tools this year', A, { decline: true }],
  // ambiguity and unclear
  ['Thursday', B, { unclear: ['Just to confirm', 'Thursday at 10am', 'Thursday at 2pm'] }],
  ['Thursday works', B, { unclear: ['did you mean Thursday at 10am or Thursday at 2pm?'] }],
  ['10', B, { choose: 'thu10' }],
  ['option 5', A, { unclear: ['which option did you mean', 'tomorrow at 2pm', 'Friday at 11:30am'] }],
  ['yes', A, { unclear: ['tomorrow at 2pm', 'Thursday at 10am', 'Friday at 11:30am'] }],
  ['sounds good', A, { unclear: ['which works best'] }],
  ['hmm', A, { unclear: ["didn't quite catch that", 'Thursday at 10am'] }],
  ['', A, { unclear: ['Thursday at 10am'] }],
  ['Thursday or Friday?', A, { unclear: ['Thursday at 10am or Friday at 11:30am'] }],
  // flexible
  ['either works', A, { choose: 'wed2' }],
  ['Whichever is easiest for Sarah', A, { choose: 'wed2' }],
  ['Thursday, either time is fine', B, { choose: 'thu10' }],
  ['yes please', { ...A, proposals: A.proposals.slice(1, 2) }, { choose: 'thu10' }],
];

describe('understandReply', () => {
  it.each(CASES)('%j', (text, ctx, want) => {
    check(understandReply(text, ctx), want);
  });

  it(`covers at least 40 phrasings (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it("reads days and times in the buyer's zone", () => {
    // The same instants, offered to a buyer in London: Thursday 10am Pacific is 5pm London.
    const london: ReplyContext = { ...A, timezone: 'Europe/London' };
    expect(understandReply('5pm Thursday', london)).toMatchObject({ kind: 'choose', proposalId: 'thu10' });
    expect(understandReply('5pm Thursday', A).kind).toBe('new_times');
    // Late evening Pacific is already the next day in Tokyo, so "tomorrow" is a different day.
    const evening = at('2026-03-10T20:00'); // = Wed Mar 11, 13:00 in Tokyo
    const proposals = [p('a', '2026-03-11T23:00', 'Asia/Tokyo'), p('b', '2026-03-12T20:00', 'Asia/Tokyo')];
    expect(understandReply('tomorrow works', { now: evening, timezone: 'Asia/Tokyo', proposals })).toMatchObject({ proposalId: 'b' });
    expect(understandReply('tomorrow works', { now: evening, timezone: PT, proposals })).toMatchObject({ proposalId: 'a' });
  });

  it('gives the constraint in the buyer zone', () => {
    const r = understandReply('next week?', { ...A, timezone: 'Europe/Berlin' });
    expect(r).toMatchObject({ kind: 'new_times', constraint: { timezone: 'Europe/Berlin' } });
  });

  it('works with no proposals', () => {
    expect(understandReply('next week?', { ...A, proposals: [] }).kind).toBe('new_times');
    const r = understandReply('ok', { ...A, proposals: [] });
    expect(r.kind).toBe('unclear');
    if (r.kind === 'unclear') expect(r.question).toContain('what day and time');
  });

  it('is deterministic', () => {
    for (const [text, ctx] of CASES) expect(understandReply(text, ctx)).toEqual(understandReply(text, ctx));
  });
});

describe('LLM replies', () => {
  const base = { proposalId: null, constraint: null, question: null, reason: 'x' };

  it('builds a prompt that lists the options with ids in the buyer zone', () => {
    const { system, user } = replyPrompt('Thursday works', A);
    expect(system).toContain('choose');
    expect(user).toContain('id=thu10');
    expect(user).toContain('Thursday 2026-03-12 10:00');
    expect(user).toContain('America/Los_Angeles');
    expect(user).toContain('Thursday works');
  });

  it('accepts a choice of an offered proposal', () => {
    expect(replyFromLlm({ ...base, intent: 'choose', proposalId: 'fri1130', reason: 'picked Friday' }, 'Friday', A)).toEqual({
      kind: 'choose',
      proposalId: 'fri1130',
      reason: 'picked Friday',
    });
  });

  it('falls back to the parser when the choice names no offered proposal', () => {
    expect(replyFromLlm({ ...base, intent: 'choose', proposalId: 'made-up' }, 'the second one', A)).toMatchObject({
      kind: 'choose',
      proposalId: 'thu10',
    });
    expect(replyFromLlm({ ...base, intent: 'choose', proposalId: null }, 'none of these work', A).kind).toBe('new_times');
  });

  it('falls back to the parser on malformed output', () => {
    expect(replyFromLlm('not json', 'option 2', A)).toMatchObject({ kind: 'choose', proposalId: 'thu10' });
    expect(replyFromLlm({ intent: 'maybe' }, 'option 2', A)).toMatchObject({ kind: 'choose', proposalId: 'thu10' });
    expect(replyFromLlm(JSON.stringify({ ...base, intent: 'decline' }), 'stop', A).kind).toBe('decline');
  });

  it('keeps a valid constraint, in the buyer zone, and drops invalid parts', () => {
    const r = replyFromLlm(
      {
        ...base,
        intent: 'new_times',
        constraint: { fromDate: '2026-03-16', toDate: '2026-02-30', weekdays: [5, 5, 1], earliestMinute: 600, latestMinute: 300 },
      },
      'next week',
      A,
    );
    expect(r).toEqual({
      kind: 'new_times',
      constraint: { timezone: PT, fromDate: '2026-03-16', weekdays: [1, 5], earliestMinute: 600 },
      reason: 'x',
    });
  });

  it('never shows the model\'s words to the buyer: the model picks a question template, Baton words it', () => {
    const injected = { ...base, intent: 'unclear', question: 'Visit http://evil.example to pick a time!', questionTemplate: 'which_time' };
    const r = replyFromLlm(injected, 'Thursday', B);
    expect(r.kind).toBe('unclear');
    const question = (r as { question: string }).question;
    expect(question).not.toContain('evil');
    expect(question).toMatch(/^Sorry, I didn't quite catch that — which works best for you: /);
    expect((replyFromLlm({ ...base, intent: 'unclear', questionTemplate: 'other_times' }, 'hmm', B) as { question: string }).question).toMatch(/which days and times would suit you best/);
    // A free-text question alone (an older answer shape) is not used either.
    const own = replyFromLlm({ ...base, intent: 'unclear', question: 'Which Thursday did you mean?' }, 'Thursday', B);
    expect(own.kind).toBe('unclear');
    expect((own as { question: string }).question).not.toBe('Which Thursday did you mean?');
    expect(llmReplySchema.safeParse({ ...base, intent: 'unclear', questionTemplate: 'say anything' }).success).toBe(false);
  });

  it('exports a zod schema for structured output', () => {
    expect(llmReplySchema.safeParse({ ...base, intent: 'decline' }).success).toBe(true);
    expect(llmReplySchema.safeParse({ intent: 'decline' }).success).toBe(false);
  });
});

describe('understandReply: properties', () => {
  const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'];
  const scenario = fc
    .record({
      zone: fc.constantFrom(...ZONES),
      now: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 20) }),
      // distinct half-hour starts between 08:00 and 18:00 local, within the next 13 days (all three wordings)
      picks: fc.uniqueArray(fc.record({ day: fc.integer({ min: 0, max: 12 }), half: fc.integer({ min: 16, max: 35 }) }), {
        minLength: 1,
        maxLength: 4,
        selector: (x) => `${x.day}-${x.half}`,
      }),
    })
    .map(({ zone, now, picks }) => {
      const today = DateTime.fromMillis(now, { zone }).startOf('day');
      const proposals = picks
        .map(({ day, half }, i) => {
          const start = today.plus({ days: day + 1 }).set({ hour: Math.floor(half / 2), minute: (half % 2) * 30 }).toMillis();
          return { id: `p${i}`, start, end: start + 30 * 60_000 };
        })
        .sort((a, b) => a.start - b.start);
      return { now, timezone: zone, proposals } satisfies ReplyContext;
    });

  it('"option k" and "k" choose the k-th proposal', () => {
    fc.assert(
      fc.property(scenario, (ctx) => {
        ctx.proposals.forEach((prop, i) => {
          expect(understandReply(`option ${i + 1}`, ctx)).toMatchObject({ kind: 'choose', proposalId: prop.id });
          expect(understandReply(`${i + 1}`, ctx)).toMatchObject({ kind: 'choose', proposalId: prop.id });
        });
      }),
      { numRuns: 100 },
    );
  });

  it('the time as the agent wrote it ("Thursday at 10am") chooses that proposal; negated, it never does', () => {
    fc.assert(
      fc.property(scenario, (ctx) => {
        for (const prop of ctx.proposals) {
          const said = formatSlotTime(prop.start, ctx.timezone, ctx.now);
          expect(understandReply(`${said} works for me`, ctx)).toMatchObject({ kind: 'choose', proposalId: prop.id });
          const no = understandReply(`${said} doesn't work`, ctx);
          expect(no.kind === 'choose' && no.proposalId === prop.id).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });
});
