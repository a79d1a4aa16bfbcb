import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { understandReply, type ReplyContext } from '../../../domain/converse/reply';
import {
  allowedIntervals,
  fitsConstraint,
  mergeConstraints,
  type DayWindow,
  type TimeConstraint,
} from '../../../domain/schedule/constraint';
import { findOpenSlots, proposeSlots, type Attendee, type ProposeQuery, type Slot } from '../../../domain/schedule/slots';
import { parseWorkingHours, type DayHours } from '../../../domain/team/hours';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const PT = 'America/Los_Angeles';
const at = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toMillis();
const local = (ms: number, zone = PT) => DateTime.fromMillis(ms, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');

function hours(text: string): DayHours[] {
  const parsed = parseWorkingHours(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}
const rep = (id: string, timezone = PT, text = 'Mon-Fri 09:00-17:00'): Attendee => ({ id, timezone, hours: hours(text), pto: [] });

// Tuesday March 10, 2026, 08:00 Pacific.
const NOW = at('2026-03-10T08:00');
function query(over: Partial<ProposeQuery> = {}): ProposeQuery {
  return {
    attendees: [rep('sarah')],
    busy: {},
    meetingMinutes: 30,
    bufferMs: 0,
    minNoticeMs: HOUR,
    horizonMs: 48 * HOUR,
    now: NOW,
    mode: 'all',
    count: 3,
    buyerTimezone: PT,
    ...over,
  };
}
const starts = (slots: Slot[]) => slots.map((s) => local(s.start));

describe('allowedIntervals and fitsConstraint', () => {
  const meeting = (iso: string, minutes = 30) => [at(iso), at(iso) + minutes * MIN] as const;

  it('allows everything without a constraint, or with only a zone', () => {
    expect(allowedIntervals(undefined, NOW, NOW + DAY)).toBeNull();
    expect(allowedIntervals({ timezone: PT }, NOW, NOW + DAY)).toBeNull();
    expect(fitsConstraint(...meeting('2026-03-10T03:00'), { timezone: PT })).toBe(true);
  });

  it('honours windows (any of them), standing windows and instants', () => {
    const c: TimeConstraint = {
      timezone: PT,
      windows: [
        { weekdays: [1], earliestMinute: 480, latestMinute: 720 },
        { weekdays: [3], earliestMinute: 720, latestMinute: 1020 },
      ],
    };
    expect(fitsConstraint(...meeting('2026-03-16T09:00'), c)).toBe(true); // Monday morning
    expect(fitsConstraint(...meeting('2026-03-16T13:00'), c)).toBe(false); // Monday afternoon
    expect(fitsConstraint(...meeting('2026-03-11T13:00'), c)).toBe(true); // Wednesday afternoon
    expect(fitsConstraint(...meeting('2026-03-11T11:30'), c)).toBe(false);
    const standing: TimeConstraint = { timezone: PT, standing: [{ earliestMinute: 480, latestMinute: 720 }] };
    expect(fitsConstraint(...meeting('2026-03-11T11:30'), standing)).toBe(true);
    expect(fitsConstraint(...meeting('2026-03-11T11:45'), standing)).toBe(false); // ends 12:15
    const instants: TimeConstraint = { timezone: PT, notBefore: at('2026-03-11T14:30'), notAfter: at('2026-03-11T16:00') };
    expect(fitsConstraint(...meeting('2026-03-11T14:00'), instants)).toBe(false);
    expect(fitsConstraint(...meeting('2026-03-11T14:30'), instants)).toBe(true);
    expect(fitsConstraint(...meeting('2026-03-11T15:30'), instants)).toBe(true);
    expect(fitsConstraint(...meeting('2026-03-11T15:45'), instants)).toBe(false);
  });

  it('never allows a meeting that overlaps an excluded interval or window', () => {
    const c: TimeConstraint = {
      timezone: PT,
      excluded: [{ start: at('2026-03-11T14:00'), end: at('2026-03-11T14:30') }],
      excludedWindows: [{ weekdays: [2] }, { earliestMinute: 600, latestMinute: 630 }],
    };
    expect(fitsConstraint(...meeting('2026-03-11T14:00'), c)).toBe(false);
    expect(fitsConstraint(...meeting('2026-03-11T13:30', 60), c)).toBe(false);
    expect(fitsConstraint(...meeting('2026-03-11T13:30'), c)).toBe(true);
    expect(fitsConstraint(...meeting('2026-03-11T14:30'), c)).toBe(true);
    expect(fitsConstraint(...meeting('2026-03-10T15:00'), c)).toBe(false); // Tuesday
    expect(fitsConstraint(...meeting('2026-03-12T10:00'), c)).toBe(false); // 10am any day
    expect(fitsConstraint(...meeting('2026-03-12T09:30', 60), c)).toBe(false);
    expect(fitsConstraint(...meeting('2026-03-12T10:30'), c)).toBe(true);
  });

  it('reads a window in its own zone', () => {
    // Mornings in London: 08:00-12:00 London is 01:00-05:00 Pacific in March (before the UK change).
    const c: TimeConstraint = { timezone: PT, standing: [{ earliestMinute: 480, latestMinute: 720, timezone: 'Europe/London' }] };
    expect(fitsConstraint(...meeting('2026-03-11T02:00'), c)).toBe(true);
    expect(fitsConstraint(...meeting('2026-03-11T09:00'), c)).toBe(false);
  });
});

describe('proposeSlots honours the new fields', () => {
  it('offers only inside windows, standing windows and bounds', () => {
    const windows = proposeSlots(query({ constraint: { timezone: PT, windows: [{ weekdays: [3], earliestMinute: 720, latestMinute: 1020 }] } }));
    expect(starts(windows.slots).every((s) => s.startsWith('Wed') && s >= 'Wed 2026-03-11 12:00')).toBe(true);
    const standing = proposeSlots(query({ constraint: { timezone: PT, standing: [{ latestMinute: 720 }] } }));
    expect(standing.slots).toHaveLength(3);
    for (const s of standing.slots) expect(DateTime.fromMillis(s.end, { zone: PT }).hour * 60 + DateTime.fromMillis(s.end, { zone: PT }).minute).toBeLessThanOrEqual(720);
    const later = proposeSlots(query({ constraint: { timezone: PT, notBefore: at('2026-03-11T15:00') } }));
    for (const s of later.slots) expect(s.start).toBeGreaterThanOrEqual(at('2026-03-11T15:00'));
  });

  it('never offers what was excluded, even when that leaves little', () => {
    const excludedWindows: DayWindow[] = [{ weekdays: [2] }, { earliestMinute: 540, latestMinute: 600 }];
    const r = proposeSlots(query({ constraint: { timezone: PT, excluded: [{ start: at('2026-03-11T10:00'), end: at('2026-03-11T11:00') }], excludedWindows } }));
    expect(r.slots).toHaveLength(3);
    for (const s of starts(r.slots)) {
      expect(s.startsWith('Tue')).toBe(false);
      expect(s.slice(-5) >= '10:00' || s.slice(-5) < '09:00').toBe(true);
      expect(['Wed 2026-03-11 10:00', 'Wed 2026-03-11 10:30']).not.toContain(s);
    }
  });

  it('offers the preferred start first when it is open, with the nearest open times', () => {
    const r = proposeSlots(query({ constraint: { timezone: PT, preferredStart: at('2026-03-11T15:00') } }));
    expect(r.preferredOpen).toBe(true);
    expect(starts(r.slots)).toEqual(['Wed 2026-03-11 14:30', 'Wed 2026-03-11 15:00', 'Wed 2026-03-11 15:30']);
  });

  it('offers the nearest open times when the preferred start is taken', () => {
    const busy = { sarah: [{ start: at('2026-03-11T14:30'), end: at('2026-03-11T16:00'), type: 'busy' as const }] };
    const r = proposeSlots(query({ busy, constraint: { timezone: PT, preferredStart: at('2026-03-11T15:00') } }));
    expect(r.preferredOpen).toBe(false);
    expect(starts(r.slots)).toEqual(['Wed 2026-03-11 13:30', 'Wed 2026-03-11 14:00', 'Wed 2026-03-11 16:00']);
  });

  it('looks past the horizon for a preferred start and for a window that starts later', () => {
    const week = proposeSlots(query({ constraint: { timezone: PT, preferredStart: at('2026-03-18T14:00') } }));
    expect(starts(week.slots)).toContain('Wed 2026-03-18 14:00');
    expect(week.extended).toBe(true);
    const nextWeek = proposeSlots(query({ constraint: { timezone: PT, fromDate: '2026-03-16', toDate: '2026-03-20' } }));
    // A horizon's worth (48h) of next week, spread over its days, not three times on Monday morning.
    expect(starts(nextWeek.slots).map((s) => s.slice(0, 3))).toEqual(['Mon', 'Mon', 'Tue']);
    const inside = proposeSlots(query({ maxExtensionDays: 0, constraint: { timezone: PT, fromDate: '2026-03-16' } }));
    expect(inside.slots).toEqual([]);
  });

  it('keeps every earlier result when the constraint uses only the old fields', () => {
    const old: TimeConstraint = { timezone: PT, fromDate: '2026-03-11', toDate: '2026-03-11', earliestMinute: 480, latestMinute: 720 };
    expect(starts(proposeSlots(query({ constraint: old })).slots)).toEqual(['Wed 2026-03-11 09:00', 'Wed 2026-03-11 09:30', 'Wed 2026-03-11 11:00']);
  });
});

describe('mergeConstraints', () => {
  const tue2: TimeConstraint = { timezone: PT, excluded: [{ start: at('2026-03-10T14:00'), end: at('2026-03-10T14:30') }] };

  it('keeps what was ruled out for the whole conversation and takes the newest ask', () => {
    const one = mergeConstraints(undefined, { timezone: PT, excludedWindows: [{ weekdays: [2] }], fromDate: '2026-03-16' });
    const two = mergeConstraints(one, { timezone: PT, excludedWindows: [{ earliestMinute: 840, latestMinute: 870 }], earliestMinute: 720 });
    expect(two).toEqual({
      timezone: PT,
      earliestMinute: 720,
      excludedWindows: [{ weekdays: [2] }, { earliestMinute: 840, latestMinute: 870 }],
    });
    const three = mergeConstraints(two, undefined);
    expect(three).toEqual({ timezone: PT, excludedWindows: two!.excludedWindows });
  });

  it('keeps standing windows until restated, and drops them when the newest ask contradicts them', () => {
    const mornings = mergeConstraints(undefined, { timezone: PT, standing: [{ latestMinute: 720 }] });
    expect(mergeConstraints(mornings, { timezone: PT, fromDate: '2026-03-16', toDate: '2026-03-20' })).toMatchObject({ standing: [{ latestMinute: 720 }] });
    expect(mergeConstraints(mornings, { timezone: PT, standing: [{ earliestMinute: 720 }] })!.standing).toEqual([{ earliestMinute: 720 }]);
    const afternoon = mergeConstraints(mornings, { timezone: PT, fromDate: '2026-03-17', toDate: '2026-03-17', earliestMinute: 720, latestMinute: 1020 });
    expect(afternoon!.standing).toBeUndefined();
  });

  it('lifts an exclusion only when the buyer asks for exactly that again', () => {
    const noTuesday = mergeConstraints(undefined, { timezone: PT, excludedWindows: [{ weekdays: [2] }] });
    expect(mergeConstraints(noTuesday, { timezone: PT, fromDate: '2026-03-17', toDate: '2026-03-17' })!.excludedWindows).toBeUndefined();
    expect(mergeConstraints(noTuesday, { timezone: PT, fromDate: '2026-03-16', toDate: '2026-03-20' })!.excludedWindows).toEqual([{ weekdays: [2] }]);
    expect(mergeConstraints(tue2, { timezone: PT, preferredStart: at('2026-03-10T14:00') })!.excluded).toBeUndefined();
    expect(mergeConstraints(tue2, { timezone: PT, preferredStart: at('2026-03-10T15:00') })!.excluded).toEqual(tue2.excluded);
  });

  it('drops excluded times that are over, and keeps windows in the zone they were said in', () => {
    expect(mergeConstraints(tue2, { timezone: PT }, at('2026-03-10T15:00'))).toBeUndefined();
    const london = mergeConstraints({ timezone: 'Europe/London', excludedWindows: [{ earliestMinute: 900, latestMinute: 930 }] }, { timezone: PT, fromDate: '2026-03-16' });
    expect(london).toEqual({ timezone: PT, fromDate: '2026-03-16', excludedWindows: [{ earliestMinute: 900, latestMinute: 930, timezone: 'Europe/London' }] });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Asia/Kolkata'];

/** The constraint straight from its definition, for a meeting inside one local day. */
function satisfies(start: number, end: number, k: TimeConstraint): boolean {
  const inWindow = (w: DayWindow, zone: string) => {
    const z = w.timezone ?? zone;
    const s = DateTime.fromMillis(start, { zone: z });
    const e = DateTime.fromMillis(end, { zone: z });
    if (w.weekdays && !w.weekdays.includes(s.weekday)) return false;
    const sm = s.hour * 60 + s.minute;
    const em = e.toISODate() === s.toISODate() ? e.hour * 60 + e.minute : 1440;
    return sm >= (w.earliestMinute ?? 0) && em <= (w.latestMinute ?? 1440);
  };
  const overlapsWindow = (w: DayWindow, zone: string) => {
    const z = w.timezone ?? zone;
    for (let d = DateTime.fromMillis(start, { zone: z }).startOf('day').minus({ days: 1 }); +d < end; d = d.plus({ days: 1 })) {
      if (w.weekdays && !w.weekdays.includes(d.weekday)) continue;
      // Wall-clock minutes of that day: on a DST day, 06:00 is not midnight plus six hours.
      const at = (minute: number) => +(minute >= 1440 ? d.plus({ days: 1 }) : d.set({ hour: Math.floor(minute / 60), minute: minute % 60 }));
      const ws = at(w.earliestMinute ?? 0);
      const we = at(w.latestMinute ?? 1440);
      if (ws < end && start < we) return true;
    }
    return false;
  };
  const s = DateTime.fromMillis(start, { zone: k.timezone });
  const day = s.toISODate()!;
  if (k.fromDate && day < k.fromDate) return false;
  if (k.toDate && day > k.toDate) return false;
  if (!inWindow({ ...(k.weekdays ? { weekdays: k.weekdays } : {}), earliestMinute: k.earliestMinute ?? 0, latestMinute: k.latestMinute ?? 1440 }, k.timezone)) return false;
  if (k.windows && !k.windows.some((w) => inWindow(w, k.timezone))) return false;
  if (k.standing && !k.standing.some((w) => inWindow(w, k.timezone))) return false;
  if (k.notBefore !== undefined && start < k.notBefore) return false;
  if (k.notAfter !== undefined && end > k.notAfter) return false;
  if ((k.excluded ?? []).some((i) => i.start < end && start < i.end)) return false;
  return !(k.excludedWindows ?? []).some((w) => overlapsWindow(w, k.timezone));
}

const windowArb: fc.Arbitrary<DayWindow> = fc
  .record({
    weekdays: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    from: fc.integer({ min: 12, max: 36 }),
    len: fc.integer({ min: 1, max: 16 }),
    zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined, freq: 4 }),
  })
  .map(({ weekdays, from, len, zone }) => ({
    ...(weekdays ? { weekdays } : {}),
    earliestMinute: from * 30,
    latestMinute: Math.min(1440, (from + len) * 30),
    ...(zone ? { timezone: zone } : {}),
  }));

const scenarioArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    repZone: fc.constantFrom(...ZONES),
    now: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 1) }).map((t) => Math.floor(t / (30 * MIN)) * 30 * MIN),
    meeting: fc.constantFrom(30, 60),
    busy: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 6 * 48 }), len: fc.integer({ min: 1, max: 6 }) }), { maxLength: 6 }),
    fromDay: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    windows: fc.option(fc.array(windowArb, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    standing: fc.option(fc.array(windowArb, { minLength: 1, maxLength: 1 }), { nil: undefined }),
    excludedWindows: fc.option(fc.array(windowArb, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    excluded: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 4 * 48 }), len: fc.integer({ min: 1, max: 8 }) }), { maxLength: 4 }),
    notBefore: fc.option(fc.integer({ min: 0, max: 3 * 48 }), { nil: undefined }),
    preferred: fc.option(fc.integer({ min: 2, max: 5 * 48 }), { nil: undefined }),
    count: fc.integer({ min: 1, max: 4 }),
  })
  .map((s) => {
    const half = 30 * MIN;
    const constraint: TimeConstraint = {
      timezone: s.zone,
      ...(s.fromDay !== undefined ? { fromDate: DateTime.fromMillis(s.now, { zone: s.zone }).plus({ days: s.fromDay }).toISODate()! } : {}),
      ...(s.windows ? { windows: s.windows } : {}),
      ...(s.standing ? { standing: s.standing } : {}),
      ...(s.excludedWindows ? { excludedWindows: s.excludedWindows } : {}),
      ...(s.excluded.length > 0 ? { excluded: s.excluded.map((e) => ({ start: s.now + e.offset * half, end: s.now + (e.offset + e.len) * half })) } : {}),
      ...(s.notBefore !== undefined ? { notBefore: s.now + s.notBefore * half } : {}),
      ...(s.preferred !== undefined ? { preferredStart: s.now + s.preferred * half } : {}),
    };
    const q: ProposeQuery = {
      attendees: [rep('r', s.repZone, 'Mon-Sun 07:00-19:00')],
      busy: { r: s.busy.map((b) => ({ start: s.now + b.offset * half, end: s.now + (b.offset + b.len) * half, type: 'busy' as const })) },
      meetingMinutes: s.meeting,
      bufferMs: 0,
      minNoticeMs: HOUR,
      horizonMs: 48 * HOUR,
      now: s.now,
      mode: 'all',
      count: s.count,
      buyerTimezone: s.zone,
      maxExtensionDays: 3,
      constraint,
    };
    return q;
  });

describe('constraints: properties', () => {
  it('every proposal satisfies the constraint; no excluded interval or window is ever proposed', () => {
    fc.assert(
      fc.property(scenarioArb, (q) => {
        const r = proposeSlots(q);
        for (const s of r.slots) {
          expect(satisfies(s.start, s.end, q.constraint!), `${new Date(s.start).toISOString()} ${JSON.stringify(q.constraint)}`).toBe(true);
          for (const i of q.constraint!.excluded ?? []) expect(i.start < s.end && s.start < i.end).toBe(false);
        }
        // The fast path and the definition agree on every open start.
        for (const s of findOpenSlots(q)) expect(fitsConstraint(s.start, s.end, q.constraint)).toBe(satisfies(s.start, s.end, q.constraint!));
      }),
      { numRuns: 250 },
    );
  });

  it('an open preferred start is always offered', () => {
    fc.assert(
      fc.property(scenarioArb, (q) => {
        const preferred = q.constraint!.preferredStart;
        if (preferred === undefined) return;
        const open = findOpenSlots(q, { from: preferred, to: preferred }).some((s) => s.start === preferred) && preferred >= q.now + q.minNoticeMs;
        const r = proposeSlots(q);
        expect(r.preferredOpen).toBe(open);
        expect(r.slots.some((s) => s.start === preferred)).toBe(open);
      }),
      { numRuns: 250 },
    );
  });

  it('what a buyer rules out in any message is never offered later in the conversation', () => {
    const ctx: ReplyContext = { now: at('2026-03-09T08:00'), timezone: PT, proposals: [] };
    const MESSAGES: [string, (start: DateTime) => boolean][] = [
      ["2pm doesn't work", (s) => s.hour === 14 && s.minute === 0],
      ['not Tuesday', (s) => s.weekday === 2],
      ['any day but Friday', (s) => s.weekday === 5],
      ["mornings don't work for me", (s) => s.hour < 12],
      ["Thursday at 3 doesn't work", (s) => s.weekday === 4 && s.hour === 15 && s.minute === 0],
      ["I can't do Wednesday afternoon", (s) => s.weekday === 3 && s.hour >= 12],
      ['nothing after 4pm please', (s) => s.hour * 60 + s.minute + 30 > 16 * 60],
    ];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: MESSAGES.length - 1 }), { minLength: 1, maxLength: 5 }), fc.constantFrom('next week?', 'anything else?', 'Thursday or Friday?'), (picks, last) => {
        let constraint: TimeConstraint | undefined;
        for (const i of [...picks, -1]) {
          const text = i < 0 ? last : MESSAGES[i]![0];
          const r = understandReply(text, ctx);
          expect(r.kind).toBe('new_times');
          if (r.kind === 'new_times') constraint = mergeConstraints(constraint, r.constraint, ctx.now);
        }
        const slots = proposeSlots(query({ now: ctx.now, horizonMs: 5 * DAY, attendees: [rep('sarah', PT, 'Mon-Fri 08:00-18:00')], count: 3, constraint })).slots;
        for (const s of slots) {
          const start = DateTime.fromMillis(s.start, { zone: PT });
          for (const i of picks) expect(MESSAGES[i]![1](start), `${MESSAGES[i]![0]} -> ${local(s.start)}`).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a move of +1h (or +1 day) from a booked meeting proposes exactly that time when it is free', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(2026, 0, 5), max: Date.UTC(2026, 10, 20) }),
        fc.integer({ min: 2, max: 40 }),
        fc.constantFrom<[string, { hours?: number; days?: number }]>(
          ['can we push it an hour later?', { hours: 1 }],
          ['an hour later?', { hours: 1 }],
          ['push it a day', { days: 1 }],
          ['30 minutes earlier please', { hours: -0.5 }],
        ),
        (zone, t, slotIndex, [text, shift]) => {
          const now = Math.floor(t / (30 * MIN)) * 30 * MIN;
          const q = query({ now, attendees: [rep('sarah', zone, 'Mon-Sun 08:00-18:00')], buyerTimezone: zone, horizonMs: 4 * DAY });
          const open = findOpenSlots(q);
          const booked = open[slotIndex % open.length]!;
          const want = DateTime.fromMillis(booked.start, { zone }).plus(shift.days ? { days: shift.days } : { minutes: (shift.hours ?? 0) * 60 }).toMillis();
          const r = understandReply(text, { now, timezone: zone, proposals: [], booked: { start: booked.start, end: booked.end, attendees: ['sarah'] } });
          expect(r.kind).toBe('reschedule');
          if (r.kind !== 'reschedule') return;
          expect(r.constraint?.preferredStart).toBe(want);
          const proposal = proposeSlots({ ...q, constraint: r.constraint });
          const free = findOpenSlots(q, { from: want, to: want }).some((s) => s.start === want) && want >= now + q.minNoticeMs;
          expect(proposal.slots.some((s) => s.start === want)).toBe(free);
          expect(proposal.slots.some((s) => s.start === booked.start)).toBe(false);
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('constraints on a day the clocks change', () => {
  it('reads an excluded window in wall-clock time on the day daylight saving starts', () => {
    // 2026-03-08, Los Angeles springs forward at 02:00: 06:00-07:30 PDT is 13:00-14:30 UTC.
    const k: TimeConstraint = { timezone: 'America/Los_Angeles', excludedWindows: [{ earliestMinute: 360, latestMinute: 450 }] };
    const at = (iso: string) => Date.parse(iso);
    expect(fitsConstraint(at('2026-03-08T15:00:00Z'), at('2026-03-08T15:30:00Z'), k)).toBe(true); // 08:00 PDT
    expect(fitsConstraint(at('2026-03-08T14:00:00Z'), at('2026-03-08T14:30:00Z'), k)).toBe(false); // 07:00 PDT
    expect(satisfies(at('2026-03-08T15:00:00Z'), at('2026-03-08T15:30:00Z'), k)).toBe(true);
    expect(satisfies(at('2026-03-08T14:00:00Z'), at('2026-03-08T14:30:00Z'), k)).toBe(false);
  });
});
