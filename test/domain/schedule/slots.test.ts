import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseWorkingHours, type DayHours } from '../../../domain/team/hours';
import {
  findOpenSlots,
  openSlotAt,
  proposeSlots,
  type Attendee,
  type Busy,
  type Slot,
  type SlotQuery,
} from '../../../domain/schedule/slots';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function hours(text: string): DayHours[] {
  const parsed = parseWorkingHours(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

function at(iso: string, zone: string): number {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad time ${iso}`);
  return dt.toMillis();
}

function local(ms: number, zone: string, format = "ccc yyyy-MM-dd HH:mm"): string {
  return DateTime.fromMillis(ms, { zone }).toFormat(format);
}

function rep(id: string, timezone: string, text = 'Mon-Fri 09:00-17:00', pto: Attendee['pto'] = []): Attendee {
  return { id, timezone, hours: hours(text), pto };
}

function query(over: Partial<SlotQuery> & Pick<SlotQuery, 'attendees' | 'now'>): SlotQuery {
  return {
    busy: {},
    meetingMinutes: 30,
    bufferMs: 10 * MIN,
    minNoticeMs: HOUR,
    horizonMs: 48 * HOUR,
    mode: 'all',
    ...over,
  };
}

describe('findOpenSlots: examples', () => {
  it('gives 09:00-17:00 local through the March DST change in New York', () => {
    const zone = 'America/New_York';
    const now = at('2026-03-06T00:00', zone); // Friday before the Sunday (Mar 8) change
    const slots = findOpenSlots(
      query({ attendees: [rep('ny', zone, 'Mon-Sun 09:00-17:00')], now, minNoticeMs: 0, horizonMs: 5 * DAY }),
    );
    const byDay = new Map<string, string[]>();
    for (const s of slots) {
      const day = local(s.start, zone, 'yyyy-MM-dd');
      byDay.set(day, [...(byDay.get(day) ?? []), local(s.start, zone, 'HH:mm')]);
    }
    expect([...byDay.keys()]).toEqual(['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
    for (const times of byDay.values()) {
      expect(times[0]).toBe('09:00');
      expect(times.at(-1)).toBe('16:30');
      expect(times).toHaveLength(16);
    }
    // The UTC instant moves by an hour: 14:00Z before the change, 13:00Z after.
    expect(new Date(slots[0]!.start).toISOString()).toBe('2026-03-06T14:00:00.000Z');
    const monday = slots.find((s) => local(s.start, zone, 'yyyy-MM-dd') === '2026-03-09')!;
    expect(new Date(monday.start).toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });

  it('gives 09:00-17:00 local through the November DST change in New York', () => {
    const zone = 'America/New_York';
    const now = at('2026-10-30T00:00', zone);
    const slots = findOpenSlots(
      query({ attendees: [rep('ny', zone, 'Mon-Sun 09:00-17:00')], now, minNoticeMs: 0, horizonMs: 5 * DAY }),
    );
    const days = new Set(slots.map((s) => local(s.start, zone, 'yyyy-MM-dd')));
    expect([...days]).toEqual(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03']);
    for (const s of slots) {
      const start = DateTime.fromMillis(s.start, { zone });
      const end = DateTime.fromMillis(s.end, { zone });
      expect(start.hour * 60 + start.minute).toBeGreaterThanOrEqual(9 * 60);
      expect(end.hour * 60 + end.minute).toBeLessThanOrEqual(17 * 60);
    }
    expect(slots.filter((s) => local(s.start, zone, 'yyyy-MM-dd') === '2026-11-01')).toHaveLength(16);
    const sunday = slots.find((s) => local(s.start, zone, 'yyyy-MM-dd') === '2026-11-01')!;
    expect(new Date(sunday.start).toISOString()).toBe('2026-11-01T14:00:00.000Z'); // EST now
  });

  it('finds the overlap of a rep in Chicago and a rep in London (and it shifts with DST)', () => {
    const attendees = [rep('sarah', 'America/Chicago'), rep('oliver', 'Europe/London')];
    // January: Chicago 09-17 = 15:00-23:00Z, London 09-17 = 09:00-17:00Z -> 15:00-17:00Z
    const winter = findOpenSlots(
      query({ attendees, now: Date.UTC(2027, 0, 12, 0, 0), minNoticeMs: 0, horizonMs: 20 * HOUR }),
    );
    expect(winter.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual(['15:00', '15:30', '16:00', '16:30']);
    expect(winter.every((s) => s.reps.join() === 'sarah,oliver')).toBe(true);
    // Mid-March: Chicago is on CDT (14:00-22:00Z), London still on GMT -> 14:00-17:00Z
    const march = findOpenSlots(
      query({ attendees, now: Date.UTC(2026, 2, 17, 0, 0), minNoticeMs: 0, horizonMs: 20 * HOUR }),
    );
    expect(march.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual([
      '14:00', '14:30', '15:00', '15:30', '16:00', '16:30',
    ]);
  });

  it("mode 'any' lists the free reps in attendee order", () => {
    const attendees = [rep('sarah', 'America/Chicago'), rep('oliver', 'Europe/London')];
    const now = Date.UTC(2027, 0, 12, 0, 0);
    const slots = findOpenSlots(query({ attendees, now, minNoticeMs: 0, horizonMs: 20 * HOUR, mode: 'any' }));
    const reps = (hhmm: string) => slots.find((s) => new Date(s.start).toISOString().slice(11, 16) === hhmm)?.reps;
    expect(reps('09:00')).toEqual(['oliver']);
    expect(reps('15:00')).toEqual(['sarah', 'oliver']);
    expect(reps('20:00')).toEqual(['sarah']);
    expect(reps('04:00')).toBeUndefined();
  });

  it("mode 'any' with required people: one of the group, and every required person, free", () => {
    // A group pool (Sarah in Chicago, Oliver in London) whose rule adds Mark (New York).
    const attendees = [rep('sarah', 'America/Chicago'), rep('oliver', 'Europe/London')];
    const mark = rep('mark', 'America/New_York', 'Mon-Fri 09:00-17:00');
    const now = Date.UTC(2027, 0, 12, 0, 0); // Tuesday
    const markBusy: Busy = { start: Date.UTC(2027, 0, 12, 16, 0), end: Date.UTC(2027, 0, 12, 17, 0), type: 'busy' };
    const q = query({ attendees, now, minNoticeMs: 0, horizonMs: 24 * HOUR, mode: 'any', bufferMs: 0, busy: { mark: [markBusy] } });
    const hhmm = (list: Slot[]) => list.map((s) => new Date(s.start).toISOString().slice(11, 16));
    const withoutMark = findOpenSlots(q);
    const withMark = findOpenSlots({ ...q, required: [mark] });
    // Without Mark the group covers 09:00Z-23:00Z; Mark is in 14:00-22:00Z and busy 16:00-17:00Z.
    expect(hhmm(withoutMark)).toContain('10:00');
    expect(hhmm(withMark)).toEqual(['14:00', '14:30', '15:00', '15:30', '17:00', '17:30', '18:00', '18:30', '19:00', '19:30', '20:00', '20:30', '21:00', '21:30']);
    // reps still lists only who may take the lead (Oliver 09:00-17:00Z, Sarah 15:00-23:00Z), never Mark.
    expect(withMark.find((s) => hhmm([s])[0] === '14:00')!.reps).toEqual(['oliver']);
    expect(withMark.find((s) => hhmm([s])[0] === '15:00')!.reps).toEqual(['sarah', 'oliver']);
    expect(withMark.find((s) => hhmm([s])[0] === '20:00')!.reps).toEqual(['sarah']);
    expect(withMark.every((s) => !s.reps.includes('mark'))).toBe(true);
    expect(openSlotAt({ ...q, required: [mark] }, Date.UTC(2027, 0, 12, 16, 0))).toBeNull();
    expect(openSlotAt(q, Date.UTC(2027, 0, 12, 16, 0))).not.toBeNull();
    // A required person on PTO leaves no time at all.
    const away = rep('mark', 'America/New_York', 'Mon-Fri 09:00-17:00', [{ from: '2027-01-12', to: '2027-01-12' }]);
    expect(findOpenSlots({ ...q, required: [away] })).toEqual([]);
  });

  it('Friday 17:00 lead gets Monday-morning slots in the rep zone', () => {
    const zone = 'America/Chicago';
    const now = at('2026-03-13T17:00', zone);
    const q = query({ attendees: [rep('sarah', zone)], now, horizonMs: 72 * HOUR });
    const slots = findOpenSlots(q);
    expect(local(slots[0]!.start, zone)).toBe('Mon 2026-03-16 09:00');
    const proposal = proposeSlots({ ...q, count: 3 });
    expect(proposal.extended).toBe(false);
    expect(local(proposal.slots[0]!.start, zone)).toBe('Mon 2026-03-16 09:00');
    // With the default 48h horizon the weekend is empty: the search extends to Monday.
    const extended = proposeSlots({ ...q, horizonMs: 48 * HOUR, count: 3 });
    expect(extended.extended).toBe(true);
    expect(local(extended.slots[0]!.start, zone)).toBe('Mon 2026-03-16 09:00');
    expect(extended.slots).toHaveLength(3);
  });

  it('pads calendar events with the buffer but not the edges of working hours', () => {
    const zone = 'America/New_York';
    const now = at('2026-03-10T06:00', zone);
    const busy: Busy[] = [{ start: at('2026-03-10T09:30', zone), end: at('2026-03-10T10:00', zone), type: 'busy' }];
    const starts = (bufferMs: number) =>
      findOpenSlots(query({ attendees: [rep('ny', zone)], busy: { ny: busy }, now, bufferMs, horizonMs: 6 * HOUR })).map(
        (s) => local(s.start, zone, 'HH:mm'),
      );
    expect(starts(10 * MIN).slice(0, 2)).toEqual(['10:30', '11:00']); // 09:00 would end at 09:30, inside the buffer
    expect(starts(0).slice(0, 3)).toEqual(['09:00', '10:00', '10:30']);
    // 09:00 and 17:00 are the edges of the day: no buffer is needed against them.
    const free = findOpenSlots(query({ attendees: [rep('ny', zone)], now, horizonMs: 14 * HOUR }));
    expect(local(free[0]!.start, zone, 'HH:mm')).toBe('09:00');
    expect(local(free.at(-1)!.end, zone, 'HH:mm')).toBe('17:00');
  });

  it('a meeting ending at 10:00 with a 10m buffer moves the next slot to 10:30', () => {
    const zone = 'Europe/Berlin';
    const now = at('2026-06-02T07:00', zone);
    const busy: Busy[] = [{ start: at('2026-06-02T09:00', zone), end: at('2026-06-02T10:00', zone), type: 'busy' }];
    const slots = findOpenSlots(query({ attendees: [rep('de', zone)], busy: { de: busy }, now, horizonMs: 4 * HOUR }));
    expect(slots.map((s) => local(s.start, zone, 'HH:mm'))).toEqual(['10:30', '11:00']);
    expect(openSlotAt(query({ attendees: [rep('de', zone)], busy: { de: busy }, now }), at('2026-06-02T10:00', zone))).toBeNull();
    expect(openSlotAt(query({ attendees: [rep('de', zone)], busy: { de: busy }, now }), at('2026-06-02T10:30', zone))?.reps).toEqual(['de']);
  });

  it('treats config PTO dates as inclusive days in the rep zone, and ooo blocks as unavailable', () => {
    const zone = 'Asia/Tokyo';
    const now = at('2026-03-09T00:00', zone); // Monday
    const tokyo = rep('kenji', zone, 'Mon-Fri 09:00-17:00', [{ from: '2026-03-10', to: '2026-03-11' }]);
    const days = findOpenSlots(query({ attendees: [tokyo], now, horizonMs: 5 * DAY })).map((s) => local(s.start, zone, 'yyyy-MM-dd'));
    expect([...new Set(days)]).toEqual(['2026-03-09', '2026-03-12', '2026-03-13']);
    const ooo: Busy[] = [{ start: at('2026-03-12T00:00', zone), end: at('2026-03-13T00:00', zone), type: 'ooo' }];
    const days2 = findOpenSlots(query({ attendees: [tokyo], busy: { kenji: ooo }, now, horizonMs: 5 * DAY })).map((s) =>
      local(s.start, zone, 'yyyy-MM-dd'),
    );
    expect([...new Set(days2)]).toEqual(['2026-03-09', '2026-03-13']);
  });

  it('never starts sooner than now + minNotice, and stays on the :00/:30 grid', () => {
    const zone = 'America/Los_Angeles';
    const now = at('2026-03-10T10:07', zone);
    const slots = findOpenSlots(query({ attendees: [rep('la', zone)], now, minNoticeMs: 2 * HOUR }));
    expect(local(slots[0]!.start, zone, 'HH:mm')).toBe('12:30');
    expect(slots.every((s) => s.start % (30 * MIN) === 0)).toBe(true);
  });

  it('honours a buyer constraint in the buyer zone', () => {
    const now = at('2026-03-10T08:00', 'America/Chicago'); // Tuesday
    const q = query({
      attendees: [rep('sarah', 'America/Chicago')],
      now,
      horizonMs: 7 * DAY,
      constraint: { timezone: 'America/Los_Angeles', weekdays: [5], earliestMinute: 9 * 60, latestMinute: 12 * 60 },
    });
    const slots = findOpenSlots(q).map((s) => local(s.start, 'America/Los_Angeles'));
    // Friday, 09:00-12:00 Pacific, and the rep's 09:00-17:00 Central (= 07:00-15:00 Pacific)
    expect(slots).toEqual(['Fri 2026-03-13 09:00', 'Fri 2026-03-13 09:30', 'Fri 2026-03-13 10:00', 'Fri 2026-03-13 10:30', 'Fri 2026-03-13 11:00', 'Fri 2026-03-13 11:30']);
    const dated = findOpenSlots({ ...q, constraint: { timezone: 'America/Chicago', fromDate: '2026-03-16', toDate: '2026-03-16' } });
    expect(new Set(dated.map((s) => local(s.start, 'America/Chicago', 'yyyy-MM-dd')))).toEqual(new Set(['2026-03-16']));
  });

  it('returns nothing for no attendees, or when nobody shares hours', () => {
    const now = Date.UTC(2026, 2, 10);
    expect(findOpenSlots(query({ attendees: [], now }))).toEqual([]);
    const far = [rep('la', 'America/Los_Angeles'), rep('tyo', 'Asia/Tokyo', 'Mon-Fri 09:00-12:00')];
    expect(findOpenSlots(query({ attendees: far, now }))).toEqual([]);
  });
});

describe('proposeSlots: examples', () => {
  const zone = 'America/Chicago';
  const now = at('2026-03-10T07:00', zone); // Tuesday

  it('spreads options across days, soonest first', () => {
    const { slots, extended } = proposeSlots({ ...query({ attendees: [rep('sarah', zone)], now, horizonMs: 4 * DAY }), count: 3 });
    expect(extended).toBe(false);
    expect(slots).toHaveLength(3);
    expect(local(slots[0]!.start, zone)).toBe('Tue 2026-03-10 09:00');
    expect(new Set(slots.map((s) => local(s.start, zone, 'yyyy-MM-dd'))).size).toBe(3);
    expect(slots.map((s) => s.start)).toEqual([...slots.map((s) => s.start)].sort((a, b) => a - b));
  });

  it('on a single day, picks different halves of the day and keeps 2h apart', () => {
    const { slots } = proposeSlots({ ...query({ attendees: [rep('sarah', zone)], now, horizonMs: 12 * HOUR }), count: 3 });
    expect(slots).toHaveLength(3);
    expect(new Set(slots.map((s) => local(s.start, zone, 'yyyy-MM-dd'))).size).toBe(1);
    const halves = new Set(slots.map((s) => (DateTime.fromMillis(s.start, { zone }).hour < 12 ? 'am' : 'pm')));
    expect(halves).toEqual(new Set(['am', 'pm']));
    for (let i = 1; i < slots.length; i++) expect(slots[i]!.start - slots[i - 1]!.start).toBeGreaterThanOrEqual(2 * HOUR);
    expect(local(slots[0]!.start, zone, 'HH:mm')).toBe('09:00');
  });

  it('falls back to adjacent times only when nothing else is open', () => {
    const busy: Busy[] = [{ start: at('2026-03-10T10:40', zone), end: at('2026-03-10T20:00', zone), type: 'busy' }];
    const { slots } = proposeSlots({ ...query({ attendees: [rep('sarah', zone)], busy: { sarah: busy }, now, horizonMs: 12 * HOUR }), count: 3 });
    expect(slots.map((s) => local(s.start, zone, 'HH:mm'))).toEqual(['09:00', '09:30', '10:00']);
  });

  it("keeps options inside the buyer's waking hours when that leaves enough", () => {
    const london = rep('oliver', 'Europe/London'); // 09-17 London = 01:00-09:00 Pacific in January
    const jan = Date.UTC(2027, 0, 11, 0, 0); // Monday
    const base = query({ attendees: [london], now: jan, horizonMs: 4 * DAY, minNoticeMs: 0 });
    const { slots } = proposeSlots({ ...base, count: 3, buyerTimezone: 'America/Los_Angeles' });
    expect(slots).toHaveLength(3);
    for (const s of slots) {
      const t = DateTime.fromMillis(s.start, { zone: 'America/Los_Angeles' });
      expect(t.hour * 60 + t.minute).toBeGreaterThanOrEqual(8 * 60);
      expect(local(s.end, 'America/Los_Angeles', 'HH:mm') <= '20:00').toBe(true);
    }
    const unconstrained = proposeSlots({ ...base, count: 3 });
    expect(local(unconstrained.slots[0]!.start, 'Europe/London', 'HH:mm')).toBe('09:00');
  });

  it('relaxes waking hours when they would leave too few options', () => {
    const london = rep('oliver', 'Europe/London');
    const jan = Date.UTC(2027, 0, 11, 0, 0);
    // One London working day: only 16:00 and 16:30 London are 08:00+ Pacific.
    const { slots } = proposeSlots({
      ...query({ attendees: [london], now: jan, horizonMs: 20 * HOUR, minNoticeMs: 0 }),
      count: 3,
      buyerTimezone: 'America/Los_Angeles',
    });
    expect(slots).toHaveLength(3);
    const pacific = slots.map((s) => local(s.start, 'America/Los_Angeles', 'HH:mm'));
    expect(pacific).toContain('08:00');
  });

  it('extends past an empty horizon day by day (PTO)', () => {
    const sarah = rep('sarah', zone, 'Mon-Fri 09:00-17:00', [{ from: '2026-03-10', to: '2026-03-12' }]);
    const r = proposeSlots({ ...query({ attendees: [sarah], now }), count: 3 });
    expect(r.extended).toBe(true);
    expect(r.slots).toHaveLength(3);
    expect(local(r.slots[0]!.start, zone)).toBe('Fri 2026-03-13 09:00');
    expect(r.searchedUntil).toBe(now + 48 * HOUR + 2 * DAY);
  });

  it('extends past a fully booked horizon, and gives up after maxExtensionDays', () => {
    const busy: Busy[] = [{ start: now, end: now + 6 * DAY, type: 'busy' }];
    const r = proposeSlots({ ...query({ attendees: [rep('sarah', zone)], busy: { sarah: busy }, now }), count: 2 });
    expect(r.extended).toBe(true);
    expect(r.slots[0]!.start).toBeGreaterThanOrEqual(now + 6 * DAY + 10 * MIN);
    const none = proposeSlots({ ...query({ attendees: [rep('sarah', zone)], busy: { sarah: busy }, now }), count: 2, maxExtensionDays: 2 });
    expect(none).toEqual({ slots: [], extended: true, searchedUntil: now + 48 * HOUR + 2 * DAY });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
  'UTC',
];

// Working hours between 05:00 and 23:00, whole or half hours: away from DST changes (00:00-03:00).
const dayHoursArb = fc
  .record({
    days: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
    start: fc.integer({ min: 10, max: 40 }),
    len: fc.integer({ min: 1, max: 16 }),
  })
  .map(({ days, start, len }) =>
    days.map((weekday) => ({ weekday, startMinute: start * 30, endMinute: Math.min(46, start + len) * 30 })),
  );

const T0 = Date.UTC(2026, 0, 1);
const T1 = Date.UTC(2027, 0, 1);

const scenarioArb = fc
  .record({
    now: fc.integer({ min: T0, max: T1 }),
    mode: fc.constantFrom('all' as const, 'any' as const),
    meetingMinutes: fc.constantFrom(15, 30, 45, 60, 90),
    bufferMin: fc.constantFrom(0, 5, 10, 15, 30),
    minNoticeMin: fc.integer({ min: 0, max: 240 }),
    horizonHours: fc.integer({ min: 1, max: 96 }),
    constraint: fc.option(
      fc.record({
        zone: fc.constantFrom(...ZONES),
        fromDay: fc.option(fc.integer({ min: -1, max: 3 }), { nil: undefined }),
        days: fc.integer({ min: 0, max: 3 }),
        weekdays: fc.option(fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }), { nil: undefined }),
        earliest: fc.option(fc.integer({ min: 12, max: 24 }), { nil: undefined }),
        latest: fc.option(fc.integer({ min: 26, max: 44 }), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    people: fc.array(
      fc.record({
        zone: fc.constantFrom(...ZONES),
        hours: dayHoursArb,
        pto: fc.array(fc.record({ offset: fc.integer({ min: -2, max: 5 }), len: fc.integer({ min: 0, max: 2 }) }), { maxLength: 2 }),
        busy: fc.array(
          fc.record({
            offsetMin: fc.integer({ min: -24 * 60, max: 5 * 24 * 60 }),
            lenMin: fc.integer({ min: 1, max: 300 }),
            ooo: fc.boolean(),
          }),
          { maxLength: 12 },
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    /** How many of the people (the last ones, leaving at least one attendee) must attend every slot. */
    requiredCount: fc.integer({ min: 0, max: 2 }),
  })
  .map((s) => {
    const attendees: Attendee[] = [];
    const busy: Record<string, Busy[]> = {};
    s.people.forEach((p, i) => {
      const id = `r${i}`;
      const today = DateTime.fromMillis(s.now, { zone: p.zone });
      const pto = p.pto.map(({ offset, len }) => ({
        from: today.plus({ days: offset }).toISODate()!,
        to: today.plus({ days: offset + len }).toISODate()!,
      }));
      attendees.push({ id, timezone: p.zone, hours: p.hours, pto });
      busy[id] = p.busy.map((b) => ({
        start: s.now + b.offsetMin * MIN,
        end: s.now + (b.offsetMin + b.lenMin) * MIN,
        type: b.ooo ? ('ooo' as const) : ('busy' as const),
      }));
    });
    const q: SlotQuery = {
      attendees,
      busy,
      meetingMinutes: s.meetingMinutes,
      bufferMs: s.bufferMin * MIN,
      minNoticeMs: s.minNoticeMin * MIN,
      horizonMs: s.horizonHours * HOUR,
      now: s.now,
      mode: s.mode,
    };
    const required = Math.min(s.requiredCount, attendees.length - 1);
    if (required > 0) q.required = attendees.splice(attendees.length - required, required);
    if (s.constraint) {
      const k = s.constraint;
      const today = DateTime.fromMillis(s.now, { zone: k.zone });
      q.constraint = {
        timezone: k.zone,
        ...(k.fromDay !== undefined
          ? {
              fromDate: today.plus({ days: k.fromDay }).toISODate()!,
              toDate: today.plus({ days: k.fromDay + k.days }).toISODate()!,
            }
          : {}),
        ...(k.weekdays ? { weekdays: k.weekdays } : {}),
        ...(k.earliest !== undefined ? { earliestMinute: k.earliest * 30 } : {}),
        ...(k.latest !== undefined ? { latestMinute: k.latest * 30 } : {}),
      };
    }
    return q;
  });

/** An independent, slow check of one attendee at one start: straight from the definitions. */
function attendeeFree(q: SlotQuery, a: Attendee, start: number): boolean {
  const end = start + q.meetingMinutes * MIN;
  const s = DateTime.fromMillis(start, { zone: a.timezone });
  const e = DateTime.fromMillis(end, { zone: a.timezone });
  const day = s.toISODate()!;
  if (e.toISODate() !== day) return false;
  const startMin = s.hour * 60 + s.minute;
  const endMin = e.hour * 60 + e.minute;
  if (!a.hours.some((h) => h.weekday === s.weekday && h.startMinute <= startMin && endMin <= h.endMinute)) return false;
  if (a.pto.some((p) => p.from <= day && day <= p.to)) return false;
  return !(q.busy[a.id] ?? []).some((b) => b.start - q.bufferMs < end && start < b.end + q.bufferMs);
}

/** The buyer constraint, straight from its definition (windows kept inside 06:00-22:00). */
function constraintAllows(q: SlotQuery, start: number): boolean {
  const k = q.constraint;
  if (!k) return true;
  const s = DateTime.fromMillis(start, { zone: k.timezone });
  const e = DateTime.fromMillis(start + q.meetingMinutes * MIN, { zone: k.timezone });
  const day = s.toISODate()!;
  const dayOk = (d: DateTime) =>
    !(k.fromDate && d.toISODate()! < k.fromDate) &&
    !(k.toDate && d.toISODate()! > k.toDate) &&
    !(k.weekdays && !k.weekdays.includes(d.weekday));
  if (!dayOk(s)) return false;
  // Whole allowed days run into each other, so a meeting may cross midnight between two of them.
  if (k.earliestMinute === undefined && k.latestMinute === undefined) return dayOk(e.minus(1));
  const endsAtMidnight = e.toISODate() !== day && +e === +s.startOf('day').plus({ days: 1 });
  if (e.toISODate() !== day && !endsAtMidnight) return false;
  if (s.hour * 60 + s.minute < (k.earliestMinute ?? 0)) return false;
  return (endsAtMidnight ? 1440 : e.hour * 60 + e.minute) <= (k.latestMinute ?? 1440);
}

function expectedSlots(q: SlotQuery): Slot[] {
  const out: Slot[] = [];
  const from = q.now + q.minNoticeMs;
  const to = q.now + q.horizonMs;
  for (let start = Math.ceil(from / (30 * MIN)) * 30 * MIN; start <= to; start += 30 * MIN) {
    const free = q.attendees.filter((a) => attendeeFree(q, a, start)).map((a) => a.id);
    const requiredFree = (q.required ?? []).every((a) => attendeeFree(q, a, start));
    const ok = constraintAllows(q, start) && requiredFree && (q.mode === 'all' ? free.length === q.attendees.length : free.length > 0);
    if (ok) out.push({ start, end: start + q.meetingMinutes * MIN, reps: free });
  }
  return out;
}

describe('findOpenSlots: properties', () => {
  it('every slot respects hours, PTO, buffers, notice and the grid; none is missed', () => {
    fc.assert(
      fc.property(scenarioArb, (q) => {
        const slots = findOpenSlots(q);
        for (const s of slots) {
          expect(s.start % (30 * MIN)).toBe(0);
          expect(s.start).toBeGreaterThanOrEqual(q.now + q.minNoticeMs);
          expect(s.start).toBeLessThanOrEqual(q.now + q.horizonMs);
          expect(s.end - s.start).toBe(q.meetingMinutes * MIN);
          const listed = q.attendees.filter((a) => s.reps.includes(a.id));
          if (q.mode === 'all') expect(listed).toHaveLength(q.attendees.length);
          else expect(listed.length).toBeGreaterThan(0);
          expect(s.reps.length).toBe(listed.length); // required people are never listed
          for (const a of [...listed, ...(q.required ?? [])]) {
            // no busy/ooo block (padded by the buffer) overlaps
            for (const b of q.busy[a.id] ?? []) {
              expect(b.start - q.bufferMs < s.end && s.start < b.end + q.bufferMs).toBe(false);
            }
            // inside working hours, in the attendee's zone, not on PTO
            expect(attendeeFree(q, a, s.start)).toBe(true);
            const day = DateTime.fromMillis(s.start, { zone: a.timezone }).toISODate()!;
            expect(a.pto.some((p) => p.from <= day && day <= p.to)).toBe(false);
          }
          expect(constraintAllows(q, s.start)).toBe(true);
        }
        // and nothing is missed: the fast sweep agrees with the slow definition
        expect(slots).toEqual(expectedSlots(q));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: identical inputs give identical output', () => {
    fc.assert(
      fc.property(scenarioArb, (q) => {
        const copy = structuredClone(q);
        expect(findOpenSlots(copy)).toEqual(findOpenSlots(q));
        expect(proposeSlots({ ...copy, count: 3, buyerTimezone: 'America/Denver' })).toEqual(
          proposeSlots({ ...q, count: 3, buyerTimezone: 'America/Denver' }),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('proposeSlots: properties', () => {
  it('returns at most count distinct open slots, sorted; members of findOpenSlots unless extended', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
        (q, count, buyerTimezone) => {
          const r = proposeSlots({ ...q, count, buyerTimezone, maxExtensionDays: 3 });
          expect(r.slots.length).toBeLessThanOrEqual(count);
          expect(new Set(r.slots.map((s) => s.start)).size).toBe(r.slots.length);
          expect(r.slots.map((s) => s.start)).toEqual([...r.slots.map((s) => s.start)].sort((a, b) => a - b));
          const open = findOpenSlots(q);
          if (!r.extended) {
            for (const s of r.slots) expect(open).toContainEqual(s);
            expect(r.slots.length).toBe(Math.min(count, open.length));
          } else {
            expect(open).toEqual([]);
            const wide = findOpenSlots(q, { from: q.now + q.minNoticeMs, to: r.searchedUntil });
            for (const s of r.slots) expect(wide).toContainEqual(s);
          }
          if (r.slots.length > 0 && !buyerTimezone) {
            const pool = r.extended ? findOpenSlots(q, { from: q.now + q.minNoticeMs, to: r.searchedUntil }) : open;
            expect(r.slots[0]!.start).toBe(pool[0]!.start); // soonest first
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('proposeSlots: spread property', () => {
  it('uses as many different days as the open slots allow (one attendee)', () => {
    fc.assert(
      fc.property(
        scenarioArb.map((q) => ({ ...q, attendees: q.attendees.slice(0, 1), mode: 'all' as const })),
        fc.integer({ min: 1, max: 4 }),
        (q, count) => {
          const zone = q.attendees[0]!.timezone;
          const dayOf = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate();
          const open = findOpenSlots(q);
          const r = proposeSlots({ ...q, count, maxExtensionDays: 0 });
          const openDays = new Set(open.map((s) => dayOf(s.start))).size;
          expect(new Set(r.slots.map((s) => dayOf(s.start))).size).toBe(Math.min(count, openDays));
          if (open.length > 0) expect(r.slots[0]!.start).toBe(open[0]!.start);
        },
      ),
      { numRuns: 200 },
    );
  });
});
