import { describe, expect, it } from 'vitest';
import { countsAsTimeOff, titleSaysTimeOff } from '../../../domain/route/time-off';

describe('what counts as time off on a rep’s calendar', () => {
  it.each([
    ['an out-of-office event, even timed', { allDay: false, busy: true, eventType: 'outOfOffice' }, true],
    ['an all-day busy event, whatever its title', { allDay: true, busy: true, title: 'Customer offsite' }, true],
    ['an all-day free event titled as time off', { allDay: true, busy: false, title: 'Vacation 🌴' }, true],
    ['an all-day free "PTO - Lisbon"', { allDay: true, busy: false, title: 'PTO - Lisbon' }, true],
    ['an all-day free "OOO"', { allDay: true, busy: false, title: 'OOO' }, true],
    ['an all-day free "Out of office"', { allDay: true, busy: false, title: 'Out of office' }, true],
    ['an all-day free "Bank holiday"', { allDay: true, busy: false, title: 'Bank holiday' }, true],
    ['an all-day free "Annual leave"', { allDay: true, busy: false, title: 'Annual leave' }, true],
    ['an all-day free event with another title', { allDay: true, busy: false, title: "Mom's birthday" }, false],
    ['an all-day free event without a title', { allDay: true, busy: false }, false],
    ['a timed event titled "Vacation planning"', { allDay: false, busy: true, title: 'Vacation planning' }, false],
    ['an all-day busy invitation the rep declined', { allDay: true, busy: true, title: 'Sales kickoff', declined: true }, false],
  ])('%s: %s', (_what, entry, expected) => {
    expect(countsAsTimeOff(entry)).toBe(expected);
  });

  it('matches whole words only', () => {
    expect(titleSaysTimeOff('Laptop setup')).toBe(false); // "pto" inside a word
    expect(titleSaysTimeOff('Booking review')).toBe(false); // "ooo" inside a word
    expect(titleSaysTimeOff('out-of-office')).toBe(true);
  });
});
