import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatWorkingHours, longestStretchMinutes, parseWorkingHours, type DayHours } from '../../../domain/team/hours';

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const h = (weekday: number, start: string, end: string): DayHours => {
  const min = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return { weekday, startMinute: min(start), endMinute: min(end) };
};
const days = (list: number[], start: string, end: string) => list.map((d) => h(d, start, end));

function parsed(text: string): DayHours[] {
  const out = parseWorkingHours(text);
  if (typeof out === 'string') throw new Error(out);
  return out;
}

describe('working hours: what teams write', () => {
  it.each<[string, DayHours[]]>([
    ['Mon-Fri 09:00-17:00', days([1, 2, 3, 4, 5], '09:00', '17:00')],
    ['Mon-Thu 08:00-16:00, Fri 08:00-12:00', [...days([1, 2, 3, 4], '08:00', '16:00'), h(5, '08:00', '12:00')]],
    // The lunch break, written both ways.
    [
      'Mon-Thu 08:00-12:00, Mon-Thu 13:00-16:00, Fri 08:00-12:00',
      [1, 2, 3, 4].flatMap((d) => [h(d, '08:00', '12:00'), h(d, '13:00', '16:00')]).concat(h(5, '08:00', '12:00')),
    ],
    ['Mon-Fri 09:00-12:00, 13:00-17:00', [1, 2, 3, 4, 5].flatMap((d) => [h(d, '09:00', '12:00'), h(d, '13:00', '17:00')])],
    ['Mon-Thu 08:00-12:00, Fri 08:00-12:00, 13:00-15:00', [...days([1, 2, 3, 4], '08:00', '12:00'), h(5, '08:00', '12:00'), h(5, '13:00', '15:00')]],
    ['Mon-Sun 00:00-24:00', days([1, 2, 3, 4, 5, 6, 7], '00:00', '24:00')],
    ['24/7', days([1, 2, 3, 4, 5, 6, 7], '00:00', '24:00')],
    ['none', []],
    ['NONE', []],
    ['Sun-Thu 09:00-17:00', days([1, 2, 3, 4, 7], '09:00', '17:00')],
    ['Fri-Mon 10:00-12:00', days([1, 5, 6, 7], '10:00', '12:00')],
    ['Mon, Wed, Fri 10:00-14:00', days([1, 3, 5], '10:00', '14:00')],
    ['Tues/Thurs 9:00-12:00', days([2, 4], '09:00', '12:00')],
    ['monday to friday 09.00 – 17.00', days([1, 2, 3, 4, 5], '09:00', '17:00')],
    ['weekdays 09:00-17:00; weekends 10:00-14:00', [...days([1, 2, 3, 4, 5], '09:00', '17:00'), ...days([6, 7], '10:00', '14:00')]],
    ['daily 08:00-09:00', days([1, 2, 3, 4, 5, 6, 7], '08:00', '09:00')],
    // Touching ranges are one stretch.
    ['Mon-Fri 09:00-12:00, 12:00-17:00', days([1, 2, 3, 4, 5], '09:00', '17:00')],
    ['Mon 13:00-17:00, Mon 09:00-13:00', [h(1, '09:00', '17:00')]],
  ])('%s', (text, hours) => {
    expect(parsed(text)).toEqual(hours);
  });

  it.each([
    ['', 'is empty: write working hours like "Mon-Fri 09:00-17:00", or "none" for a rep who takes no meetings'],
    ['Mon-Fri 09:00-17:00, Fri 08:00-12:00', '"Mon-Fri 09:00-17:00" and "Fri 08:00-12:00" overlap on Fri: ranges on one day must not overlap (ranges that only touch, like 09:00-12:00 and 12:00-13:00, are joined)'],
    ['Mon-Fri 09:00-17:00, Mon-Fri 09:00-17:00', '"Mon-Fri 09:00-17:00" and "Mon-Fri 09:00-17:00" overlap on Mon'],
    ['Mon 09:00-12:00, 11:00-13:00', '"Mon 09:00-12:00" and "11:00-13:00" overlap on Mon'],
    ['Mon-Fri 22:00-06:00', '"Mon-Fri 22:00-06:00" ends before it starts: a range cannot cross midnight; write its two sides, "Mon-Fri 22:00-24:00, Tue-Sat 00:00-06:00"'],
    ['Mon 09:00-09:00', '"Mon 09:00-09:00" is empty: it starts and ends at 09:00'],
    ['Mon-Mon 09:00-10:00', '"Mon-Mon 09:00-10:00" starts and ends on Mon: write "Mon" for one day or "Mon-Sun" for the whole week'],
    ['Funday 09:00-17:00', '"Funday 09:00-17:00": "Funday" is not a weekday (expected Mon, Tue, Wed, Thu, Fri, Sat, Sun, or a range such as Mon-Fri)'],
    ['Mon-Fri 9am-5pm', '"Mon-Fri 9am-5pm": expected the times as HH:MM-HH:MM on a 24-hour clock, e.g. "Mon-Fri 09:00-17:00"'],
    ['Mon 09:75-10:00', '"Mon 09:75-10:00": 09:75 is not a time of day (expected 00:00 to 24:00)'],
    ['Mon 09:00-24:30', '"Mon 09:00-24:30": 24:30 is not a time of day (expected 00:00 to 24:00)'],
    ['09:00-17:00', '"09:00-17:00" names no days: write e.g. "Mon-Fri 09:00-17:00" (a range without days keeps the days of the range before it)'],
    ['Mon-Fri 09:00-17:00, Sat', '"Sat" names days but no hours: write e.g. "Sat 09:00-17:00"'],
    ['Mon-Fri 09:00-17:00, none', '"none" cannot be combined with other hours in "Mon-Fri 09:00-17:00, none"'],
  ])('refuses %j, saying what would work', (text, message) => {
    expect(parseWorkingHours(text)).toContain(message);
  });

  it('measures the longest stretch, across midnight and from Sunday into Monday', () => {
    expect(longestStretchMinutes(parsed('Mon-Fri 09:00-12:00, 13:00-17:00'))).toBe(240);
    expect(longestStretchMinutes(parsed('Mon 20:00-24:00, Tue 00:00-02:00'))).toBe(360);
    expect(longestStretchMinutes(parsed('Sun 22:00-24:00, Mon 00:00-01:00'))).toBe(180);
    expect(longestStretchMinutes(parsed('24/7'))).toBe(7 * 1440);
    expect(longestStretchMinutes([])).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/** Normalised hours: per weekday, sorted ranges with a gap between each (5-minute marks). */
const normalisedArb = fc
  .array(fc.uniqueArray(fc.integer({ min: 0, max: 288 }), { minLength: 0, maxLength: 6 }), { minLength: 7, maxLength: 7 })
  .map((perDay) =>
    perDay.flatMap((marks, i) => {
      const sorted = [...marks].sort((a, b) => a - b);
      const out: DayHours[] = [];
      for (let k = 0; k + 1 < sorted.length; k += 2) out.push({ weekday: i + 1, startMinute: sorted[k]! * 5, endMinute: sorted[k + 1]! * 5 });
      // Marks are distinct, so ranges never touch: exactly the form the parser returns.
      return out;
    }),
  );

/** A written range: some days (as "Mon/Wed" or "Fri-Mon"), a start and an end on 30-minute marks. */
const partArb = fc.record({
  days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  start: fc.integer({ min: 0, max: 47 }),
  len: fc.integer({ min: 1, max: 48 }),
});
type Part = { days: number[]; start: number; end: number; text: string };

function writeParts(raw: { days: number[]; start: number; len: number }[]): Part[] {
  return raw.map(({ days: d, start, len }) => {
    const end = Math.min(48, start + len);
    const text = `${d.map((x) => DAY_NAMES[x - 1]).join('/')} ${hhmm(start * 30)}-${hhmm(end * 30)}`;
    return { days: d, start: start * 30, end: end * 30, text };
  });
}

/** Straight from the definition: the working minutes of each weekday, as sorted maximal ranges. */
function expectedFromMinutes(parts: Part[]): DayHours[] {
  const out: DayHours[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    const minutes = new Array<boolean>(1440).fill(false);
    for (const p of parts) if (p.days.includes(weekday)) for (let m = p.start; m < p.end; m++) minutes[m] = true;
    for (let m = 0; m < 1440; m++) {
      if (!minutes[m]) continue;
      let e = m;
      while (e < 1440 && minutes[e]) e++;
      out.push({ weekday, startMinute: m, endMinute: e });
      m = e;
    }
  }
  return out;
}

function overlapping(parts: Part[]): [Part, Part] | null {
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const a = parts[i]!;
      const b = parts[j]!;
      if (a.days.some((d) => b.days.includes(d)) && a.start < b.end && b.start < a.end) return [a, b];
    }
  }
  return null;
}

describe('working hours: properties', () => {
  it('round-trips: parse(format(hours)) gives the same hours', () => {
    fc.assert(
      fc.property(normalisedArb, (hours) => {
        expect(parsed(formatWorkingHours(hours))).toEqual(hours);
      }),
      { numRuns: 500 },
    );
  });

  it('joins touching ranges and refuses overlapping ones, naming both, whatever the order written', () => {
    fc.assert(
      fc.property(fc.array(partArb, { minLength: 1, maxLength: 5 }), fc.boolean(), (raw, reversed) => {
        const parts = writeParts(raw);
        const written = reversed ? [...parts].reverse() : parts;
        const result = parseWorkingHours(written.map((p) => p.text).join(', '));
        const clash = overlapping(parts);
        if (clash) {
          expect(typeof result).toBe('string');
          expect(result).toMatch(/overlap on (Mon|Tue|Wed|Thu|Fri|Sat|Sun): ranges on one day must not overlap/);
          // Both ranges of some overlapping pair are quoted.
          const quoted = [...(result as string).matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
          expect(quoted.slice(0, 2).every((q) => parts.some((p) => p.text === q))).toBe(true);
          const [a, b] = parts.filter((p) => quoted.slice(0, 2).includes(p.text));
          expect(overlapping([a!, b ?? a!])).not.toBeNull();
        } else {
          expect(result).toEqual(expectedFromMinutes(parts));
          // and the canonical text reads back to the same hours
          expect(parsed(formatWorkingHours(result as DayHours[]))).toEqual(result);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a range with no days keeps the days before it: "D a-b, c-d" equals "D a-b, D c-d"', () => {
    fc.assert(
      fc.property(partArb, fc.integer({ min: 1, max: 47 }), fc.integer({ min: 1, max: 48 }), (first, gap, len) => {
        const [p] = writeParts([first]);
        const start = Math.min(48, p!.end / 30 + gap);
        const end = Math.min(48, start + len);
        fc.pre(start < end);
        const second = `${hhmm(start * 30)}-${hhmm(end * 30)}`;
        const dayText = p!.text.split(' ')[0]!;
        expect(parseWorkingHours(`${p!.text}, ${second}`)).toEqual(parseWorkingHours(`${p!.text}, ${dayText} ${second}`));
      }),
      { numRuns: 300 },
    );
  });

  it('day ranges run forward through the week and may wrap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }), (first, extra) => {
        const last = ((first - 1 + extra) % 7) + 1;
        const expectedDays = Array.from({ length: extra + 1 }, (_, k) => ((first - 1 + k) % 7) + 1).sort((a, b) => a - b);
        const hours = parsed(`${DAY_NAMES[first - 1]}-${DAY_NAMES[last - 1]} 09:00-10:00`);
        expect(hours.map((x) => x.weekday)).toEqual(expectedDays);
      }),
    );
  });
});
