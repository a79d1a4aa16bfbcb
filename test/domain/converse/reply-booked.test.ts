/**
 * Messages about a booked meeting, written as buyers write them (typos, emoji, no punctuation).
 * Booked: Thursday March 12, 2026, 2:00-2:30pm Pacific; now: Tuesday March 10, 10:00 Pacific.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { understandReply, type ReplyContext, type ReplyIntent } from '../../../domain/converse/reply';
import type { TimeConstraint } from '../../../domain/schedule/constraint';

const PT = 'America/Los_Angeles';
const at = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toMillis();
const BOOKED = { start: at('2026-03-12T14:00'), end: at('2026-03-12T14:30'), attendees: ['sarah'], proposalId: '1-2' };
const CTX: ReplyContext = { now: at('2026-03-10T10:00'), timezone: PT, proposals: [], booked: BOOKED };
const BOOKED_SLOT = { start: BOOKED.start, end: BOOKED.end };

function intent(text: string, ctx: ReplyContext = CTX): ReplyIntent {
  return understandReply(text, ctx);
}

function constraintOf(text: string, ctx: ReplyContext = CTX): TimeConstraint {
  const r = intent(text, ctx);
  expect(r.kind, `${text} -> ${JSON.stringify(r)}`).toBe('reschedule');
  return (r as Extract<ReplyIntent, { kind: 'reschedule' }>).constraint!;
}

describe('after booking: reschedule', () => {
  // [text, what the constraint must say beyond "not the booked time"]
  const CASES: [string, Partial<TimeConstraint>][] = [
    // relative moves: the exact start asked for
    ['can we push it an hour later?', { preferredStart: at('2026-03-12T15:00') }],
    ['Could we push it back an hour', { preferredStart: at('2026-03-12T15:00') }],
    ['an hour later would be better', { preferredStart: at('2026-03-12T15:00') }],
    ['1 hour later?', { preferredStart: at('2026-03-12T15:00') }],
    ['2 hours later pls', { preferredStart: at('2026-03-12T16:00') }],
    ['push it a day', { preferredStart: at('2026-03-13T14:00') }],
    ['can we bump it a day?', { preferredStart: at('2026-03-13T14:00') }],
    ['a day later works better for me', { preferredStart: at('2026-03-13T14:00') }],
    ['30 minutes earlier?', { preferredStart: at('2026-03-12T13:30') }],
    ['30 mins earlier if possible', { preferredStart: at('2026-03-12T13:30') }],
    ['half an hour earlier?', { preferredStart: at('2026-03-12T13:30') }],
    ['could we move it up by 30 minutes', { preferredStart: at('2026-03-12T13:30') }],
    ['can we bring it forward an hour?', { preferredStart: at('2026-03-12T13:00') }],
    ['move it an hour and a half later', { preferredStart: at('2026-03-12T15:30') }],
    ['push the meeting out a week', { preferredStart: at('2026-03-19T14:00') }],
    ['same time next week?', { preferredStart: at('2026-03-19T14:00') }],
    ['same time tomorrow?', { preferredStart: at('2026-03-11T14:00') }],
    ['same time tmrw?', { preferredStart: at('2026-03-11T14:00') }],
    ['can we do Friday instead, same time?', { preferredStart: at('2026-03-13T14:00') }],
    ['friday at the same time?', { preferredStart: at('2026-03-13T14:00') }],
    ['the next day?', { preferredStart: at('2026-03-13T14:00') }],
    ['could we start 15 min later', { preferredStart: at('2026-03-12T14:15') }],
    // an exact time: that time, on the day named or the same day
    ['Can we do 4 instead?', { preferredStart: at('2026-03-12T16:00') }],
    ['could we do thursday at 3pm instead', { preferredStart: at('2026-03-12T15:00') }],
    ['Friday at 10am instead?', { preferredStart: at('2026-03-13T10:00') }],
    ['how about 11am on friday', { preferredStart: at('2026-03-13T11:00') }],
    ['5pm Eastern on Friday instead?', { preferredStart: at('2026-03-13T14:00') }],
    ['can we switch to 9:30am tomorrow', { preferredStart: at('2026-03-11T09:30') }],
    // no amount: later / earlier than the booked meeting
    ['can we push it back?', { notBefore: BOOKED.end }],
    ['can we do it later?', { notBefore: BOOKED.end }],
    ['postpone it please', { notBefore: BOOKED.end }],
    ['anything earlier?', { notAfter: BOOKED.start }],
    ['could we move it up', { notAfter: BOOKED.start }],
    // days and ranges
    ['Something came up, can we move it to Friday morning?', { fromDate: '2026-03-13', toDate: '2026-03-13', earliestMinute: 480, latestMinute: 720 }],
    ['something came up — can we move it to friday?', { fromDate: '2026-03-13', toDate: '2026-03-13' }],
    ['can we reschedule to next week?', { fromDate: '2026-03-16', toDate: '2026-03-20' }],
    ['next week?', { fromDate: '2026-03-16', toDate: '2026-03-20' }],
    ['Could we do early next week instead', { fromDate: '2026-03-16', toDate: '2026-03-18' }],
    ['any chance we can move it to after the 15th?', { fromDate: '2026-03-16' }],
    ['need to move it, anything until wednesday?', { toDate: '2026-03-11' }],
    ['can we do monday afternoon?', { fromDate: '2026-03-16', toDate: '2026-03-16', earliestMinute: 720, latestMinute: 1020 }],
    ['would wednesday work better', { fromDate: '2026-03-11', toDate: '2026-03-11' }],
    ['can we resched to sometime in april', { fromDate: '2026-04-01', toDate: '2026-04-30' }],
    // what can't work: excluded, for good
    ["2pm doesn't work anymore", { excludedWindows: [{ earliestMinute: 840, latestMinute: 870 }] }],
    ["thursday doesn't work for me anymore", { excludedWindows: [{ weekdays: [4] }] }],
    ["I'm out thursday, any other day?", { excludedWindows: [{ weekdays: [4] }] }],
    // standing constraints
    ["I'm only free in the mornings now, can we move it?", { standing: [{ earliestMinute: 480, latestMinute: 720 }] }],
    ['can we move it? afternoons work best', { standing: [{ earliestMinute: 720, latestMinute: 1020 }] }],
    ['need to reschedule - any day but Friday', { excludedWindows: [{ weekdays: [5] }] }],
    // no time said
    ['I need to reschedule', {}],
    ['Something came up, sorry!', {}],
    ["I can't make it on thursday", {}],
    ["sorry, I can't make it", {}],
    ['can we find another time?', {}],
    ['any other times?', {}],
    ['i have a conflict now, can we reschedule', {}],
    ['i got double booked, sorry', {}],
    ['cancel and reschedule pls', {}],
    ['resched?', {}],
  ];

  it.each(CASES)('%j', (text, want) => {
    const c = constraintOf(text);
    expect(c.timezone).toBe(text.includes('Eastern') ? 'America/New_York' : PT);
    expect(c.excluded).toContainEqual(BOOKED_SLOT);
    expect(c).toMatchObject(want);
  });

  it(`covers dozens of phrasings (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it('a move of +k hours or days always points at that exact time, DST included', () => {
    // Booked the Friday before the US change to summer time (Sunday March 8, 2026).
    const booked = { start: at('2026-03-06T14:00'), end: at('2026-03-06T14:30'), attendees: ['sarah'] };
    const ctx = { now: at('2026-03-05T09:00'), timezone: PT, proposals: [], booked };
    expect(constraintOf('push it 3 days', ctx).preferredStart).toBe(at('2026-03-09T14:00'));
    expect(constraintOf('same time next week', ctx).preferredStart).toBe(at('2026-03-13T14:00'));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.constantFrom('hour', 'day'), (n, unit) => {
        const words = n === 1 ? `an ${unit}` : `${n} ${unit}s`;
        const want = DateTime.fromMillis(BOOKED.start, { zone: PT }).plus(unit === 'hour' ? { hours: n } : { days: n }).toMillis();
        expect(constraintOf(`can we push it ${words} later?`).preferredStart).toBe(want);
        expect(constraintOf(`${words} later?`).preferredStart).toBe(want);
      }),
      { numRuns: 40 },
    );
  });
});

describe('after booking: cancel', () => {
  const CASES = [
    'please cancel',
    'we need to cancel',
    'Please cancel the meeting',
    'cancel',
    'CANCEL',
    'pls cancel it',
    'I have to cancel, sorry',
    'can you cancel our meeting?',
    'Can we cancel?',
    "we're no longer interested",
    'not interested anymore, please cancel',
    'please cancel, we went with another vendor',
    'We decided to go with a different solution',
    "we've signed with a competitor, so no need for the call",
    'Sorry, we need to cancel — budget got cut',
    "Let's call it off",
    "we don't need the meeting anymore",
    "I won't be able to make it at all",
    'please take it off the calendar',
    'please remove me from your list',
    'unsubscribe',
    'stop emailing me',
    "we're going with someone else",
    'no longer need this, thanks',
    'cancelling for now, will reach out when the time is right',
    'Hi - I need to cancel. Thanks',
    'cancle pls',
    'we are no longer evaluating tools this year',
    'not a fit for us after all, cancel please',
    'Scrap the meeting, thanks',
  ];
  it.each(CASES)('%j', (text) => {
    expect(intent(text)).toMatchObject({ kind: 'cancel' });
  });
  it(`covers dozens of phrasings (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(25));
});

describe('after booking: acknowledge', () => {
  const CASES = [
    'see you then',
    'See you then!',
    'great, thanks!',
    'perfect 👍',
    '👍',
    'thanks',
    'Thank you!',
    'thx',
    'ty!',
    'sounds good',
    'Sounds great, see you Thursday',
    'see u thursday',
    'see you at 2',
    'looking forward to it',
    'Looking forward to chatting!',
    'got it, thanks',
    'ok',
    'ok great',
    'perfect',
    'awesome, talk soon',
    'cheers',
    'confirmed',
    'accepted the invite, thanks',
    'got the invite 🙏',
    'cool cool',
    'great - talk then',
    'Thursday works, thanks!',
    'Thursday at 2 is perfect',
    'is it still on?',
    'what time is our meeting again?',
    'never mind, keep it as is',
    'all good, the original time works',
    'no worries, see you then',
    'Perfect, thank you so much!',
    'wonderful',
  ];
  it.each(CASES)('%j', (text) => {
    expect(intent(text)).toMatchObject({ kind: 'acknowledge' });
  });
  it(`covers dozens of phrasings (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(25));
});

describe('after booking: a question or a note for the rep', () => {
  const CASES = [
    'do I need to prepare anything?',
    'will there be a demo of the API?',
    'Do you support SSO?',
    'can Tom from our IT team join too?',
    "what's the pricing for 50 seats?",
    'Is there a free trial?',
    'how long does implementation usually take?',
    'Will Sarah be able to show the HubSpot integration?',
    'Should I invite our CTO?',
    'who else will be on the call?',
    'does it work with Salesforce',
    'thanks! quick question - do you have a SOC 2 report?',
    "I'll bring our CTO",
    'my colleague jane@mercy.org will join as well',
    "I'll be 10 minutes late",
    'running a few minutes late, sorry',
    'can you send the slides beforehand?',
    'Could you add my manager to the invite?',
    'what should we have ready for the call?',
    'any chance you can cover data residency in the EU?',
    'Is it ok if two more people from my team attend?',
    'can we get a quote before the meeting?',
  ];
  it.each(CASES)('%j', (text) => {
    const r = intent(text);
    expect(r).toMatchObject({ kind: 'unclear', forRep: true });
    if (r.kind === 'unclear') expect(r.question).toBe(text.replace(/\s+/g, ' ').trim());
  });
  it(`covers dozens of phrasings (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  it('passes on the buyer words without the quoted history', () => {
    const r = intent('Do you support SSO?\n\nOn Tue, Acme wrote:\n> You are all set');
    expect(r).toEqual({ kind: 'unclear', question: 'Do you support SSO?', forRep: true });
  });
});

describe('after booking: unclear', () => {
  it.each(['hmm', '', '...', 'maybe', 'asdf'])('%j asks whether to keep, move or cancel', (text) => {
    const r = intent(text);
    expect(r.kind).toBe('unclear');
    if (r.kind !== 'unclear') return;
    expect(r.forRep).toBeUndefined();
    expect(r.question).toContain('Thursday at 2pm (Pacific)');
    expect(r.question).toContain('cancel');
    expect(r.question.match(/\?/g)).toHaveLength(1);
  });

  it('asks rather than moves when an acknowledgement names another day', () => {
    const r = intent('see you tomorrow!');
    expect(r.kind).toBe('unclear');
    if (r.kind === 'unclear') expect(r.question).toContain('Thursday at 2pm (Pacific)');
  });
});

describe('after booking: a time still on offer', () => {
  // While rescheduling: the booked meeting stands and new times are on offer.
  const offered: ReplyContext = {
    ...CTX,
    proposals: [
      { id: '2-1', start: at('2026-03-13T09:00'), end: at('2026-03-13T09:30') },
      { id: '2-2', start: at('2026-03-13T13:00'), end: at('2026-03-13T13:30') },
      { id: '2-3', start: at('2026-03-16T10:00'), end: at('2026-03-16T10:30') },
    ],
  };
  it.each([
    ['the second one', '2-2'],
    ['option 3 please', '2-3'],
    ['friday at 1 works', '2-2'],
    ['Monday works', '2-3'],
    ['9am friday is perfect', '2-1'],
  ])('%j chooses %s', (text, id) => {
    expect(intent(text, offered)).toMatchObject({ kind: 'choose', proposalId: id });
  });

  it('takes a plain yes as the one time on offer, and asks which when there are several', () => {
    const one = { ...offered, proposals: offered.proposals.slice(1, 2) };
    expect(intent('yes please', one)).toMatchObject({ kind: 'choose', proposalId: '2-2' });
    expect(intent('sounds good!', one)).toMatchObject({ kind: 'choose', proposalId: '2-2' });
    const r = intent('yes please', offered);
    expect(r.kind).toBe('unclear');
    if (r.kind === 'unclear') {
      expect(r.question).toContain('Friday at 9am, Friday at 1pm or Monday at 10am');
      expect(r.question).toContain('keep Thursday at 2pm (Pacific)');
      expect(r.question.match(/\?/g)).toHaveLength(1);
    }
    expect(intent('no, keep the original time', one).kind).toBe('acknowledge');
  });

  it('asks which one when two are named', () => {
    const r = intent('friday works', offered);
    expect(r.kind).toBe('unclear');
    if (r.kind === 'unclear') expect(r.question).toContain('Friday at 9am or Friday at 1pm');
  });

  it('never chooses the booked proposal itself', () => {
    const ctx = { ...offered, proposals: [{ id: '1-2', start: BOOKED.start, end: BOOKED.end }, ...offered.proposals] };
    expect(intent('Thursday works', ctx).kind).toBe('acknowledge');
    expect(intent('keep the original time', offered).kind).toBe('acknowledge');
    expect(intent('none of these work, what about next week?', offered)).toMatchObject({ kind: 'reschedule' });
  });
});

describe('after booking: determinism', () => {
  it('gives the same answer for the same input', () => {
    for (const text of ['push it a day', 'see you then', 'please cancel', 'do I need to prepare anything?']) {
      expect(intent(text)).toEqual(intent(text));
    }
  });
});
