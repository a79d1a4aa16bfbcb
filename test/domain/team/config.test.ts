import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTeamConfig } from '../../../domain/team/config';
import { formatDuration, parseDuration } from '../../../domain/team/duration';
import { parseWorkingHours } from '../../../domain/team/hours';
import { ROOT } from '../../helpers/paths';

const base = `company: { name: Acme, timezone: America/New_York }
reps:
  - { id: sarah, name: Sarah Chen, email: sarah@acme.example, timezone: America/Chicago, backup: tom }
  - { id: tom, name: Tom Becker, email: tom@acme.example }
pools:
  - { id: smb, members: [sarah, tom] }
fallback: smb
`;
const errorOf = (text: string) => {
  try {
    parseTeamConfig(text, 'team.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('team.yaml', () => {
  it('loads the example team in config/', () => {
    const team = parseTeamConfig(readFileSync(`${ROOT}config/team.yaml`, 'utf8'));
    expect(team.reps).toHaveLength(10);
    expect(team.booking).toMatchObject({ horizon: 48 * 3_600_000, minNotice: 3_600_000, buffer: 600_000, nudgeAfter: 7_200_000 });
    expect(team.fallback).toEqual({ type: 'pool', id: 'smb' });
    expect(team.reps.find((r) => r.id === 'sarah')!.pto).toEqual([{ from: '2026-12-24', to: '2026-12-31' }]);
  });

  it('reads currencies: US dollars per one unit, by ISO 4217 code; none by default', () => {
    expect(parseTeamConfig(base).currencies).toEqual({});
    expect(parseTeamConfig(base + 'currencies: { EUR: 1.08, GBP: 1.27, SEK: 0.095 }\n').currencies).toEqual({ EUR: 1.08, GBP: 1.27, SEK: 0.095 });
  });

  it('fills defaults: booking policy, company zone for reps without one, Mon-Fri 9-5', () => {
    const team = parseTeamConfig(base);
    expect(team.booking.meetingMinutes).toBe(30);
    expect(team.reps[1]!.timezone).toBe('America/New_York');
    expect(team.reps[1]!.hours.map((h) => h.weekday)).toEqual([1, 2, 3, 4, 5]);
    expect(team.pools[0]).toMatchObject({ name: 'smb', distribution: 'round_robin' });
  });

  it.each([
    [base.replace('America/Chicago', 'Mars/Olympus'), 'team.yaml: reps[0].timezone: expected an IANA time zone'],
    [base.replace('backup: tom', 'backup: nobody'), 'team.yaml: reps[0].backup: expected the id of another rep, got "nobody"'],
    [base.replace('backup: tom', 'backup: sarah'), 'reps[0].backup: a rep cannot be their own backup'],
    [base.replace('fallback: smb', 'fallback: ghost'), 'team.yaml: fallback: expected the id of a rep or pool, got "ghost"'],
    [base.replace('members: [sarah, tom]', 'members: [sarah, zoe]'), 'team.yaml: pools[0].members[1]: expected a rep id, got "zoe"'],
    [base.replace('{ id: smb,', '{ id: smb, distribution: random,'), 'team.yaml: pools[0].distribution'],
    [base + 'colour: blue\n', 'team.yaml: (top level): unknown key(s) "colour"'],
    [base + 'booking: { horizon: 2 days }\n', 'team.yaml: booking.horizon: expected a duration like 90s, 15m, 2h, 3d or 1h30m, got "2 days"'],
    [base + 'booking: { nudgeAfter: 2d, replyTimeout: 1d }\n', 'booking.nudgeAfter: expected a duration shorter than booking.replyTimeout'],
    [base.replace('{ id: tom,', '{ id: tom, hours: "Mon-Fri 17:00-09:00",'), 'team.yaml: reps[1].hours: "Mon-Fri 17:00-09:00" has an invalid time range'],
    [base.replace('{ id: tom,', '{ id: tom, pto: [2026-12-31..2026-12-24],'), 'team.yaml: reps[1].pto[0]: expected YYYY-MM-DD..YYYY-MM-DD'],
    [base.replace('sarah@acme.example', 'not-an-email'), 'team.yaml: reps[0].email'],
    [base.replace('- { id: tom, name: Tom Becker', '- { id: sarah, name: Tom Becker'), 'team.yaml: reps[1].id: duplicate rep id "sarah"'],
    ['reps: [', 'team.yaml: line 1: not valid YAML'],
    [base + 'currencies: { USD: 1 }\n', 'team.yaml: currencies.USD: USD is the base currency'],
    [base + 'currencies: { eur: 1.08 }\n', 'team.yaml: currencies.eur: expected an ISO 4217 currency code in capitals, such as EUR or GBP, got "eur"'],
    [base + 'currencies: { XYZ: 2 }\n', 'team.yaml: currencies.XYZ: "XYZ" is not an ISO 4217 currency code'],
    [base + 'currencies: { EUR: 0 }\n', 'team.yaml: currencies.EUR: expected US dollars per one EUR, a positive number (EUR: 1.25 means 1 EUR = $1.25), got 0'],
    [base + 'currencies: { GBP: -1.27 }\n', 'team.yaml: currencies.GBP: expected US dollars per one GBP, a positive number'],
    [base + 'currencies: { EUR: "1.08" }\n', 'team.yaml: currencies.EUR: expected US dollars per one EUR, a positive number (EUR: 1.25 means 1 EUR = $1.25), got "1.08"'],
    [base + 'currencies: { EUR: .inf }\n', 'team.yaml: currencies.EUR: expected US dollars per one EUR, a positive number (EUR: 1.25 means 1 EUR = $1.25), got Infinity'],
    [base + 'currencies: [EUR]\n', 'team.yaml: currencies: expected ISO 4217 codes with US dollars per one unit, e.g. { EUR: 1.08, GBP: 1.27 }'],
  ])('rejects bad input with the file, the path and what was expected (%#)', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });
});

describe('durations and working hours', () => {
  it('parses the contract formats and round-trips them', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('3d')).toBe(259_200_000);
    expect(parseDuration('')).toBeNull();
    expect(parseDuration('5 minutes')).toBeNull();
    expect(formatDuration(5_400_000)).toBe('1h30m');
  });

  it('parses split weeks and rejects repeated days', () => {
    const hours = parseWorkingHours('Mon-Thu 08:00-16:00, Fri 08:00-12:00');
    expect(hours).toEqual([
      ...[1, 2, 3, 4].map((weekday) => ({ weekday, startMinute: 480, endMinute: 960 })),
      { weekday: 5, startMinute: 480, endMinute: 720 },
    ]);
    expect(parseWorkingHours('Mon-Fri 09:00-17:00, Fri 08:00-12:00')).toMatch(/repeats fri/);
    expect(parseWorkingHours('Funday 09:00-17:00')).toMatch(/not like/);
  });
});
