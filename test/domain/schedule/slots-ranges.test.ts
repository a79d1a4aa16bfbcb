/**
 * The slot finder over several working ranges a day (lunch breaks, split shifts), with hours
 * written as team.yaml writes them and checked against the ranges as generated, not as parsed.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { findOpenSlots, proposeSlots, type Attendee, type Busy, type SlotQuery } from '../../../domain/schedule/slots';
import { parseWorkingHours, type DayHours } from '../../../domain/team/hours';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const ZONES = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

function hours(text: string): DayHours[] {
  const parsed = parseWorkingHours(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();
const local = (ms: number, zone: string, format = 'HH:mm') => DateTime.fromMillis(ms, { zone }).toFormat(format);

function query(over: Partial<SlotQuery> & Pick<SlotQuery, 'attendees' | 'now'>): SlotQuery {
  return { busy: {}, meetingMinutes: 30, bufferMs: 10 * MIN, minNoticeMs: 0, horizonMs: 12 * HOUR, mode: 'all', ...over };
}

describe('several ranges a day: examples', () => {
  const zone = 'America/Chicago';
  const monday = '2026-02-02';
  const lunch = (id = 'sarah'): Attendee => ({ id, timezone: zone, hours: hours('Mon-Fri 08:00-12:00, 13:00-17:00'), pto: [] });

  it('never offers an hour that crosses the lunch break or the end of the day', () => {
    const slots = findOpenSlots(query({ attendees: [lunch()], now: at(`${monday}T07:00`, zone), meetingMinutes: 60 }));
    expect(slots.map((s) => local(s.start, zone))).toEqual([
      '08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', // 11:30 would run into lunch
      '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', // 16:30 would run past 17:00
    ]);
  });

  it('pads events with the buffer, but not the break: a meeting may end at 12:00 and start at 13:00', () => {
    const busy: Busy[] = [{ start: at(`${monday}T09:00`, zone), end: at(`${monday}T10:00`, zone), type: 'busy' }];
    const starts = (bufferMs: number) =>
      findOpenSlots(query({ attendees: [lunch()], busy: { sarah: busy }, now: at(`${monday}T07:00`, zone), bufferMs, horizonMs: 7 * HOUR })).map((s) => local(s.start, zone));
    expect(starts(0)).toEqual(['08:00', '08:30', '10:00', '10:30', '11:00', '11:30', '13:00', '13:30', '14:00']);
    expect(starts(10 * MIN)).toEqual(['08:00', '10:30', '11:00', '11:30', '13:00', '13:30', '14:00']);
  });

  it('intersects lunch breaks across attendees in different zones', () => {
    // Sarah (Chicago) lunches 12-13 Central; Oliver (New York) 12-13 Eastern = 11-12 Central.
    const oliver: Attendee = { id: 'oliver', timezone: 'America/New_York', hours: hours('Mon-Fri 09:00-12:00, 13:00-18:00'), pto: [] };
    const slots = findOpenSlots(query({ attendees: [lunch(), oliver], now: at(`${monday}T07:00`, zone), meetingMinutes: 60, horizonMs: 10 * HOUR }));
    expect(slots.map((s) => local(s.start, zone))).toEqual(['08:00', '08:30', '09:00', '09:30', '10:00', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00']);
  });

  it('a rep with no hours is never free: nothing in mode all, left out in mode any', () => {
    const none: Attendee = { id: 'lee', timezone: zone, hours: [], pto: [] };
    const now = at(`${monday}T07:00`, zone);
    expect(findOpenSlots(query({ attendees: [none], now }))).toEqual([]);
    expect(findOpenSlots(query({ attendees: [lunch(), none], now }))).toEqual([]);
    const any = findOpenSlots(query({ attendees: [none, lunch()], now, mode: 'any' }));
    expect(any.length).toBeGreaterThan(0);
    expect(any.every((s) => s.reps.join() === 'sarah')).toBe(true);
    expect(proposeSlots({ ...query({ attendees: [none], now }), count: 3 }).slots).toEqual([]);
  });

  it('24/7 hours are one stretch: a meeting may run across midnight (documented decision)', () => {
    const always: Attendee = { id: 'ops', timezone: 'UTC', hours: hours('24/7'), pto: [] };
    const slots = findOpenSlots(query({ attendees: [always], now: Date.UTC(2026, 1, 2, 22, 0), meetingMinutes: 60, horizonMs: 3 * HOUR, bufferMs: 0 }));
    expect(slots.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual(['22:00', '22:30', '23:00', '23:30', '00:00', '00:30', '01:00']);
  });

  it('with no notice the first slot is now rounded up to the grid', () => {
    const slots = findOpenSlots(query({ attendees: [lunch()], now: at(`${monday}T08:10`, zone), minNoticeMs: 0 }));
    expect(local(slots[0]!.start, zone)).toBe('08:30');
    const onTheGrid = findOpenSlots(query({ attendees: [lunch()], now: at(`${monday}T08:30`, zone), minNoticeMs: 0 }));
    expect(local(onTheGrid[0]!.start, zone)).toBe('08:30');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/** Ranges of one group of weekdays, as 30-minute marks between 05:00 and 23:00 (away from DST). */
const groupRangesArb = fc
  .uniqueArray(fc.integer({ min: 10, max: 46 }), { minLength: 2, maxLength: 8 })
  .map((marks) => {
    const sorted = [...marks].sort((a, b) => a - b);
    const out: { start: number; end: number }[] = [];
    for (let k = 0; k + 1 < sorted.length; k += 2) out.push({ start: sorted[k]! * 30, end: sorted[k + 1]! * 30 });
    return out; // distinct marks: a real gap between consecutive ranges
  });

interface Person {
  attendee: Attendee;
  /** The ranges as generated, per weekday: the truth the slots are checked against. */
  truth: Map<number, { start: number; end: number }[]>;
  text: string;
}

/** Weekdays in up to three groups, each with its own ranges, written in any of the accepted ways. */
const personArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    groupOf: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 7, maxLength: 7 }),
    groups: fc.array(groupRangesArb, { minLength: 3, maxLength: 3 }),
    // per range: carry the days (no days written), repeat them, or split it into two touching ranges
    styles: fc.array(fc.constantFrom('carry', 'repeat', 'split'), { minLength: 32, maxLength: 32 }),
  })
  .map(({ zone, groupOf, groups, styles }): Person => {
    const truth = new Map<number, { start: number; end: number }[]>();
    const parts: string[] = [];
    let s = 0;
    groups.forEach((ranges, g) => {
      const days = groupOf.flatMap((grp, i) => (grp === g ? [i + 1] : []));
      if (days.length === 0) return;
      const dayText = days.map((d) => DAY_NAMES[d - 1]).join(', ');
      for (const d of days) truth.set(d, ranges);
      ranges.forEach((r, k) => {
        const style = styles[s++ % styles.length]!;
        const prefix = k === 0 || style === 'repeat' ? `${dayText} ` : '';
        if (style === 'split' && r.end - r.start >= 60) {
          const mid = r.start + 30;
          parts.push(`${prefix}${hhmm(r.start)}-${hhmm(mid)}`, `${hhmm(mid)}-${hhmm(r.end)}`);
        } else parts.push(`${prefix}${hhmm(r.start)}-${hhmm(r.end)}`);
      });
    });
    const text = parts.length > 0 ? parts.join(', ') : 'none';
    return { attendee: { id: '', timezone: zone, hours: hours(text), pto: [] }, truth, text };
  });

const T0 = Date.UTC(2026, 0, 1);
const T1 = Date.UTC(2027, 0, 1);

const scenarioArb = fc
  .record({
    now: fc.integer({ min: T0, max: T1 }),
    mode: fc.constantFrom('all' as const, 'any' as const),
    meetingMinutes: fc.constantFrom(15, 30, 45, 60, 90),
    bufferMin: fc.constantFrom(0, 5, 10, 15, 30),
    minNoticeMin: fc.constantFrom(0, 0, 30, 60, 240),
    horizonHours: fc.integer({ min: 1, max: 96 }),
    people: fc.array(
      fc.record({
        person: personArb,
        busy: fc.array(fc.record({ offsetMin: fc.integer({ min: -24 * 60, max: 4 * 24 * 60 }), lenMin: fc.integer({ min: 1, max: 240 }) }), { maxLength: 10 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map((s) => {
    const people = s.people.map(({ person, busy }, i) => ({
      ...person,
      attendee: { ...person.attendee, id: `r${i}` },
      busy: busy.map((b) => ({ start: s.now + b.offsetMin * MIN, end: s.now + (b.offsetMin + b.lenMin) * MIN, type: 'busy' as const })),
    }));
    const q: SlotQuery = {
      attendees: people.map((p) => p.attendee),
      busy: Object.fromEntries(people.map((p) => [p.attendee.id, p.busy])),
      meetingMinutes: s.meetingMinutes,
      bufferMs: s.bufferMin * MIN,
      minNoticeMs: s.minNoticeMin * MIN,
      horizonMs: s.horizonHours * HOUR,
      now: s.now,
      mode: s.mode,
    };
    return { q, people };
  });

/** Local day, weekday and minutes of a meeting for one person, or null if it spans two days. */
function localSpan(zone: string, start: number, end: number) {
  const s = DateTime.fromMillis(start, { zone });
  const e = DateTime.fromMillis(end, { zone });
  if (s.toISODate() !== e.toISODate()) return null;
  return { weekday: s.weekday, from: s.hour * 60 + s.minute, to: e.hour * 60 + e.minute };
}

/** Is [start, end) free for the person, straight from the generated ranges and events? */
function freeByTruth(q: SlotQuery, p: { attendee: Attendee; truth: Person['truth']; busy: Busy[] }, start: number): boolean {
  const end = start + q.meetingMinutes * MIN;
  const span = localSpan(p.attendee.timezone, start, end);
  if (!span) return false;
  const inside = (p.truth.get(span.weekday) ?? []).some((r) => r.start <= span.from && span.to <= r.end);
  return inside && !p.busy.some((b) => b.start - q.bufferMs < end && start < b.end + q.bufferMs);
}

describe('several ranges a day: properties', () => {
  it('no slot crosses a gap, every slot lies inside a range, buffers pad events, and none is missed', () => {
    fc.assert(
      fc.property(scenarioArb, ({ q, people }) => {
        const slots = findOpenSlots(q);
        for (const s of slots) {
          const listed = people.filter((p) => s.reps.includes(p.attendee.id));
          if (q.mode === 'all') expect(listed).toHaveLength(people.length);
          for (const p of listed) {
            const span = localSpan(p.attendee.timezone, s.start, s.end);
            expect(span).not.toBeNull();
            const ranges = p.truth.get(span!.weekday) ?? [];
            // inside one range...
            expect(ranges.some((r) => r.start <= span!.from && span!.to <= r.end)).toBe(true);
            // ...so it overlaps none of the gaps between them
            for (let k = 0; k + 1 < ranges.length; k++) {
              const gap = { start: ranges[k]!.end, end: ranges[k + 1]!.start };
              expect(span!.from < gap.end && gap.start < span!.to).toBe(false);
            }
            for (const b of p.busy) expect(b.start - q.bufferMs < s.end && s.start < b.end + q.bufferMs).toBe(false);
          }
        }
        // nothing is missed: every grid start the definition allows is there
        const expected: { start: number; reps: string[] }[] = [];
        for (let start = Math.ceil((q.now + q.minNoticeMs) / (30 * MIN)) * 30 * MIN; start <= q.now + q.horizonMs; start += 30 * MIN) {
          const free = people.filter((p) => freeByTruth(q, p, start)).map((p) => p.attendee.id);
          if (q.mode === 'all' ? free.length === people.length : free.length > 0) expected.push({ start, reps: free });
        }
        expect(slots.map((s) => ({ start: s.start, reps: s.reps }))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('the proposals are open slots too (so never across a break)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 4 }), ({ q }, count) => {
        const open = findOpenSlots(q);
        const proposed = proposeSlots({ ...q, count, maxExtensionDays: 0 }).slots;
        for (const s of proposed) expect(open).toContainEqual(s);
      }),
      { numRuns: 150 },
    );
  });
});
