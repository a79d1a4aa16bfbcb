/**
 * Replies to offered times as buyers write them: time zones named, standing constraints, ranges,
 * exclusions, typos. Offered (context A): tomorrow (Wed) 2pm, Thursday 10am, Friday 11:30am
 * Pacific; now: Tuesday March 10, 2026, 10:00 Pacific.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { understandReply, type ProposalRef, type ReplyContext, type ReplyIntent } from '../../../domain/converse/reply';
import type { TimeConstraint } from '../../../domain/schedule/constraint';

const PT = 'America/Los_Angeles';
const at = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toMillis();
const p = (id: string, iso: string): ProposalRef => ({ id, start: at(iso), end: at(iso) + 30 * 60_000 });
const A: ReplyContext = {
  now: at('2026-03-10T10:00'),
  timezone: PT,
  proposals: [p('wed2', '2026-03-11T14:00'), p('thu10', '2026-03-12T10:00'), p('fri1130', '2026-03-13T11:30')],
};
const slot = (id: string) => {
  const x = A.proposals.find((q) => q.id === id)!;
  return { start: x.start, end: x.end };
};

function newTimes(text: string, ctx: ReplyContext = A): TimeConstraint {
  const r: ReplyIntent = understandReply(text, ctx);
  expect(r.kind, `${text} -> ${JSON.stringify(r)}`).toBe('new_times');
  return (r as Extract<ReplyIntent, { kind: 'new_times' }>).constraint ?? { timezone: ctx.timezone };
}

describe('explicit time zones', () => {
  const CASES: [string, string, Partial<TimeConstraint>][] = [
    ['Could we do 5pm Eastern on Monday?', 'America/New_York', { fromDate: '2026-03-16', toDate: '2026-03-16', earliestMinute: 1020 }],
    ['5pm ET monday?', 'America/New_York', { fromDate: '2026-03-16', earliestMinute: 1020 }],
    ['how about 2pm PT on monday', PT, { fromDate: '2026-03-16', earliestMinute: 840 }],
    ['Monday 2 pm (pst)?', PT, { fromDate: '2026-03-16', earliestMinute: 840 }],
    ['14:00 CET on Monday?', 'Europe/Berlin', { fromDate: '2026-03-16', earliestMinute: 840 }],
    ['3pm London time on monday works', 'Europe/London', { fromDate: '2026-03-16', earliestMinute: 900 }],
    ['monday at 9am central?', 'America/Chicago', { fromDate: '2026-03-16', earliestMinute: 540 }],
    ['anything after 4 eastern time?', 'America/New_York', { earliestMinute: 960 }],
    ["I'm on Central time - anything monday morning?", 'America/Chicago', { fromDate: '2026-03-16', earliestMinute: 480, latestMinute: 720 }],
    ["we're based in London, so mornings next week would be best", 'Europe/London', { fromDate: '2026-03-16', toDate: '2026-03-20' }],
    ['10am IST next tuesday?', 'Asia/Kolkata', { fromDate: '2026-03-17', earliestMinute: 600 }],
    ['monday 8am mountain', 'America/Denver', { fromDate: '2026-03-16', earliestMinute: 480 }],
    ['Monday 4pm GMT?', 'UTC', { fromDate: '2026-03-16', earliestMinute: 960 }],
    ['anything after 3pm my time?', PT, { earliestMinute: 900 }],
  ];
  it.each(CASES)('%j is read in %s', (text, zone, want) => {
    const c = newTimes(text);
    expect(c.timezone).toBe(zone);
    expect(c).toMatchObject(want);
  });

  it('chooses the offer that is the named time in the named zone', () => {
    // Thursday 10am Pacific is 1pm Eastern and 5pm London.
    expect(understandReply('Thursday at 1pm ET works', A)).toMatchObject({ kind: 'choose', proposalId: 'thu10' });
    expect(understandReply('thursday 5pm london time is good', A)).toMatchObject({ kind: 'choose', proposalId: 'thu10' });
    expect(understandReply('1pm eastern on thursday', A)).toMatchObject({ kind: 'choose', proposalId: 'thu10' });
    expect(understandReply('Thursday at 1pm works', A).kind).toBe('new_times'); // 1pm Pacific is not offered
  });

  it('reads a second zone in one message against the first', () => {
    // "2pm PT, so 5pm ET": the same instant, said twice.
    expect(understandReply('tomorrow 5pm ET (2pm PT) works', A)).toMatchObject({ kind: 'choose', proposalId: 'wed2' });
  });
});

describe('standing constraints', () => {
  const CASES: [string, Partial<TimeConstraint>][] = [
    ["I'm only free in the mornings next week", { fromDate: '2026-03-16', earliestMinute: 480, latestMinute: 720 }],
    ['Mornings are best for me, next week?', { fromDate: '2026-03-16', standing: [{ earliestMinute: 480, latestMinute: 720 }] }],
    ['next week - afternoons work best', { fromDate: '2026-03-16', standing: [{ earliestMinute: 720, latestMinute: 1020 }] }],
    ['I usually prefer afternoons, anything next week?', { standing: [{ earliestMinute: 720, latestMinute: 1020 }] }],
    ['only after 2pm, any day next week', { standing: [{ earliestMinute: 840 }] }],
    ['Tuesdays and Thursdays are best for me. Next week?', { standing: [{ weekdays: [2, 4] }] }],
    ['next week, not Mondays', { excludedWindows: [{ weekdays: [1] }] }],
    ['any day but Friday next week', { fromDate: '2026-03-16', excludedWindows: [{ weekdays: [5] }] }],
    ['anything but friday', { excluded: [slot('fri1130')], excludedWindows: [{ weekdays: [5] }] }],
    ['never on fridays', { excludedWindows: [{ weekdays: [5] }] }],
    ["I can't do mornings", { excludedWindows: [{ latestMinute: 720 }] }],
    ['afternoons are bad for me', { excludedWindows: [{ earliestMinute: 720 }] }],
    ["Tuesday mornings don't work", { excludedWindows: [{ weekdays: [2], latestMinute: 720 }] }],
  ];
  it.each(CASES)('%j', (text, want) => {
    expect(newTimes(text)).toMatchObject(want);
  });
});

describe('ranges', () => {
  const CASES: [string, Partial<TimeConstraint>][] = [
    ['anything until Thursday?', { toDate: '2026-03-12' }],
    ['Do you have anything by wednesday?', { toDate: '2026-03-11' }],
    ['anything before friday?', { toDate: '2026-03-12' }],
    ['after the 15th', { fromDate: '2026-03-16' }],
    ['sometime after the 20th?', { fromDate: '2026-03-21' }],
    ['from the 18th onwards', { fromDate: '2026-03-18' }],
    ['after the 15th but before the 20th', { fromDate: '2026-03-16', toDate: '2026-03-19' }],
    ['early next week', { fromDate: '2026-03-16', toDate: '2026-03-18' }],
    ['later this week?', { fromDate: '2026-03-11', toDate: '2026-03-13' }],
    ['next week', { fromDate: '2026-03-16', toDate: '2026-03-20' }],
    ['nxt wk?', { fromDate: '2026-03-16', toDate: '2026-03-20' }],
    ['late next week', { fromDate: '2026-03-18', toDate: '2026-03-20' }],
    ['in two weeks', { fromDate: '2026-03-23', toDate: '2026-03-27' }],
    ['sometime in January', { fromDate: '2027-01-01', toDate: '2027-01-31' }],
    ['maybe early april?', { fromDate: '2026-04-01', toDate: '2026-04-10' }],
    ['mid-april works better', { fromDate: '2026-04-11', toDate: '2026-04-20' }],
    ['end of the month?', { fromDate: '2026-03-22', toDate: '2026-03-31' }],
    ['Mon-Wed next week', { fromDate: '2026-03-16', toDate: '2026-03-18' }],
    ['monday to wednesday next week, afternoons', { fromDate: '2026-03-16', toDate: '2026-03-18' }],
    ['between the 16th and the 18th', { fromDate: '2026-03-16', toDate: '2026-03-18' }],
    ['not until next week', { fromDate: '2026-03-16' }],
    ['Monday morning or Wednesday afternoon next week?', {
      fromDate: '2026-03-16',
      windows: [{ weekdays: [1], earliestMinute: 480, latestMinute: 720 }, { weekdays: [3], earliestMinute: 720, latestMinute: 1020 }],
    }],
  ];
  it.each(CASES)('%j', (text, want) => {
    expect(newTimes(text)).toMatchObject(want);
  });
});

describe('exclusions', () => {
  const CASES: [string, Partial<TimeConstraint>][] = [
    ["2pm doesn't work", { excluded: [slot('wed2')], excludedWindows: [{ earliestMinute: 840, latestMinute: 870 }] }],
    ['2pm doesnt work for me', { excludedWindows: [{ earliestMinute: 840, latestMinute: 870 }] }],
    ['not Tuesday', { excludedWindows: [{ weekdays: [2] }] }],
    ['not tuesday or wednesday pls', { excluded: [slot('wed2')], excludedWindows: [{ weekdays: [2, 3] }] }],
    ["tomorrow doesn't work", { excluded: [{ start: at('2026-03-11T00:00'), end: at('2026-03-12T00:00') }] }],
    ["Thursday at 10 doesn't work and neither does friday", {}],
    ['option 2 is no good', { excluded: [slot('thu10')] }],
    ['the first one doesnt work, anything else?', { excluded: A.proposals.map((x) => ({ start: x.start, end: x.end })) }],
    ["can't do this week at all", { excluded: [{ start: at('2026-03-10T00:00'), end: at('2026-03-14T00:00') }] }],
    ['none of those, and not the weekend', { excludedWindows: [{ weekdays: [6, 7] }] }],
    ['I cant do anything after 3', { excludedWindows: [{ earliestMinute: 900 }] }],
  ];
  it.each(CASES)('%j', (text, want) => {
    expect(newTimes(text)).toMatchObject(want);
  });
});

describe('typos and casual punctuation', () => {
  it.each([
    ['thrusday works', 'thu10'],
    ['tmrw 2pm', 'wed2'],
    ['2moro @ 2 pls', 'wed2'],
    ['wendesday works!!', 'wed2'],
    ['firday 11:30', 'fri1130'],
    ['ok lets do option #2', 'thu10'],
    ['the 2nd one plz', 'thu10'],
    ['THURSDAY 10AM', 'thu10'],
    ['fri 1130am?? works for me', 'fri1130'],
    ['thurs @ 10 works 👍', 'thu10'],
  ])('%j chooses %s', (text, id) => {
    expect(understandReply(text, A)).toMatchObject({ kind: 'choose', proposalId: id });
  });

  it.each(['nope', 'nah, not interested', 'pls stop emailing me', 'we went w/ another vendor, thx', 'no thx'])('%j declines', (text) => {
    expect(understandReply(text, A).kind).toBe('decline');
  });
});
