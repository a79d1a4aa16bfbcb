import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTeamConfig } from '../../../domain/team/config';
import { ConfigError } from '../../../domain/errors';
import { ROOT } from '../../helpers/paths';

const base = `company: { name: Acme, timezone: America/New_York }
reps:
  - { id: sarah, name: Sarah Chen, email: sarah@acme.example, timezone: America/Chicago, backup: tom }
  - { id: tom, name: Tom Becker, email: tom@acme.example }
pools:
  - { id: smb, members: [sarah, tom] }
fallback: smb
`;
const withTom = (extra: string) => base.replace('{ id: tom,', `{ id: tom, ${extra},`);
const withPool = (extra: string) => base.replace('{ id: smb,', `{ id: smb, ${extra},`);
const withMembers = (members: string) => base.replace('members: [sarah, tom]', `members: ${members}`);

const errorOf = (text: string) => {
  try {
    parseTeamConfig(text, 'team.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return 'no error';
};

describe('team.yaml', () => {
  it('caps booking.horizon at 90 days, naming the key', () => {
    expect(errorOf(`${base}booking: { horizon: 120d }\n`)).toMatch(/booking\.horizon: expected at most 90d/);
    expect(parseTeamConfig(`${base}booking: { horizon: 90d }\n`).booking.horizon).toBe(90 * 86_400_000);
  });

  it('loads the example team in config/', () => {
    const team = parseTeamConfig(readFileSync(`${ROOT}config/team.yaml`, 'utf8'));
    expect(team.reps).toHaveLength(10);
    expect(team.booking).toMatchObject({ horizon: 48 * 3_600_000, minNotice: 3_600_000, buffer: 600_000, nudgeAfter: 7_200_000 });
    expect(team.fallback).toEqual({ type: 'pool', id: 'smb' });
    expect(team.reps.find((r) => r.id === 'sarah')!.pto).toEqual([{ from: '2026-12-24', to: '2026-12-31' }]);
    // Mark's lunch break: two ranges on Monday to Thursday.
    expect(team.reps.find((r) => r.id === 'mark')!.hours.filter((h) => h.weekday === 1)).toEqual([
      { weekday: 1, startMinute: 9 * 60, endMinute: 12 * 60 },
      { weekday: 1, startMinute: 13 * 60, endMinute: 17 * 60 },
    ]);
  });

  it("loads the README's team.yaml example: a lunch break, no buffer, no notice, a rep with no hours", () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const example = /A desk with a lunch break[^`]*```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const team = parseTeamConfig(example!);
    expect(team.booking).toMatchObject({ buffer: 0, minNotice: 0, horizon: 7 * 86_400_000 });
    expect(team.reps.find((r) => r.id === 'mark')!.hours.filter((h) => h.weekday === 1)).toHaveLength(2);
    expect(team.reps.find((r) => r.id === 'vp')!.hours).toEqual([]);
    expect(team.rules).toEqual([]);
  });

  it('reads currencies: US dollars per one unit, by ISO 4217 code; none by default', () => {
    expect(parseTeamConfig(base).currencies).toEqual({});
    expect(parseTeamConfig(base + 'currencies: { EUR: 1.08, GBP: 1.27, SEK: 0.095 }\n').currencies).toEqual({ EUR: 1.08, GBP: 1.27, SEK: 0.095 });
  });

  it('fills defaults: booking policy, company zone for reps without one, Mon-Fri 9-5', () => {
    const team = parseTeamConfig(base);
    expect(team.booking).toEqual({
      meetingMinutes: 30,
      horizon: 48 * 3_600_000,
      proposals: 3,
      minNotice: 3_600_000,
      buffer: 600_000,
      replyTimeout: 24 * 3_600_000,
      nudgeAfter: 2 * 3_600_000,
      maxBookingAttempts: 3,
      reminders: [24 * 3_600_000, 3_600_000],
      maxReschedules: 2,
      rescheduleCutoff: 2 * 3_600_000,
      outcomeAfter: 30 * 60_000,
    });
    expect(team.reps[1]!.timezone).toBe('America/New_York');
    expect(team.reps[1]!.hours.map((h) => h.weekday)).toEqual([1, 2, 3, 4, 5]);
    expect(team.pools[0]).toMatchObject({ name: 'smb', distribution: 'round_robin' });
  });

  it('accepts zero where it means something: no buffer, no notice, no reschedule cutoff, no reschedules', () => {
    const team = parseTeamConfig(base + 'booking: { buffer: 0m, minNotice: 0, rescheduleCutoff: 0s, maxReschedules: 0 }\n');
    expect(team.booking).toMatchObject({ buffer: 0, minNotice: 0, rescheduleCutoff: 0, maxReschedules: 0 });
  });

  it('accepts what teams naturally write: weeks, empty lists, 24/7, no hours, lunch breaks', () => {
    const team = parseTeamConfig(
      base.replace('{ id: tom,', '{ id: tom, hours: "Mon-Fri 09:00-12:00, 13:00-17:00",') +
        'booking: { horizon: 1w, replyTimeout: 2w3d, reminders: [1h, 24h, 1h, 15m] }\nrules:\nterritories:\ncompetitors:\n' +
        '  # none yet\n',
    );
    expect(team.booking.horizon).toBe(7 * 86_400_000);
    expect(team.booking.replyTimeout).toBe(17 * 86_400_000);
    expect(team.booking.reminders).toEqual([86_400_000, 3_600_000, 900_000]);
    expect(team.rules).toEqual([]);
    expect(team.territories).toEqual({});
    expect(team.competitors).toEqual([]);
    expect(team.reps[1]!.hours).toHaveLength(10);
    const always = parseTeamConfig(withTom('hours: 24/7'));
    expect(always.reps[1]!.hours).toHaveLength(7);
    const listed = parseTeamConfig(withTom('hours: [Mon-Fri 09:00-12:00, 13:00-17:00]'));
    expect(listed.reps[1]!.hours).toEqual(team.reps[1]!.hours);
    const off = parseTeamConfig(base.replace('{ id: sarah,', '{ id: lee, name: Lee Park, email: lee@acme.example, hours: none }\n  - { id: sarah,'));
    expect(off.reps[0]!.hours).toEqual([]);
    expect(parseTeamConfig(base.replace('{ id: sarah,', '{ id: lee, name: Lee Park, email: lee@acme.example, hours: [] }\n  - { id: sarah,')).reps[0]!.hours).toEqual([]);
    expect(parseTeamConfig(withPool('distribution: Round-Robin')).pools[0]!.distribution).toBe('round_robin');
    expect(parseTeamConfig(base + 'booking:\n').booking.buffer).toBe(600_000);
  });

  const noHoursLee = (where: string) => base.replace('{ id: sarah,', `{ id: lee, name: Lee Park, email: lee@acme.example, hours: none }\n  - { id: sarah,`).replace('fallback: smb', where);

  it.each([
    // durations: zero refused only where it means nothing; text that is not a duration
    [base + 'booking: { horizon: 0m }\n', 'team.yaml: booking.horizon must be longer than 0: it is how far ahead times are proposed (e.g. 48h)'],
    [base + 'booking: { replyTimeout: 0s }\n', 'team.yaml: booking.replyTimeout must be longer than 0: it is how long to wait for the buyer in total (e.g. 24h)'],
    [base + 'booking: { nudgeAfter: 0m }\n', 'team.yaml: booking.nudgeAfter must be longer than 0: it is when the one follow-up goes out after the proposals (e.g. 2h)'],
    [base + 'booking: { outcomeAfter: 0m }\n', 'team.yaml: booking.outcomeAfter must be longer than 0: it is how long after the meeting ends the rep is asked how it went (e.g. 30m)'],
    [base + 'booking: { reminders: [24h, 0m] }\n', 'team.yaml: booking.reminders[1] must be longer than 0: it is how long before the meeting a reminder goes out (e.g. 1h)'],
    [base + 'booking: { horizon: 2 days }\n', 'team.yaml: booking.horizon: expected a duration like 90s, 15m, 2h, 3d, 1w or 1h30m, got "2 days"'],
    [base + 'booking: { buffer: 10 }\n', 'team.yaml: booking.buffer: expected a duration like 90s, 15m, 2h, 3d, 1w or 1h30m, got the number 10 (a number needs a unit: 10m, 10h...)'],
    [base + 'booking: { minNotice: [1h] }\n', 'team.yaml: booking.minNotice: expected a duration like 90s, 15m, 2h, 3d, 1w or 1h30m, got a list'],
    [base + 'booking: { nudgeAfter: 2d, replyTimeout: 1d }\n', 'team.yaml: booking.nudgeAfter must be shorter than booking.replyTimeout (2d is not shorter than 1d): the follow-up goes out before Baton stops waiting'],
    [base + 'booking: { horizon: 1h, minNotice: 2h }\n', 'team.yaml: booking.horizon must be longer than booking.minNotice (1h is not longer than 2h), or no time could ever be proposed'],
    // booking numbers
    [base + 'booking: { meetingMinutes: 0 }\n', 'team.yaml: booking.meetingMinutes must be longer than 0: it is how long a meeting lasts, in minutes (e.g. 30)'],
    [base + 'booking: { meetingMinutes: 30m }\n', 'team.yaml: booking.meetingMinutes: expected a whole number of minutes from 5 to 480, such as 30, got "30m"'],
    [base + 'booking: { meetingMinutes: 22.5 }\n', 'team.yaml: booking.meetingMinutes: expected a whole number of minutes, got the number 22.5'],
    [base + 'booking: { meetingMinutes: 600 }\n', 'team.yaml: booking.meetingMinutes must be from 5 to 480 minutes, got the number 600'],
    [base + 'booking: { proposals: 0 }\n', 'team.yaml: booking.proposals must be at least 1, got the number 0'],
    [base + 'booking: { proposals: 9 }\n', 'team.yaml: booking.proposals must be at most 5, got the number 9'],
    [base + 'booking: { proposals: three }\n', 'team.yaml: booking.proposals: expected a whole number of options to offer, from 1 to 5, such as 3, got "three"'],
    [base + 'booking: { maxBookingAttempts: 0 }\n', 'team.yaml: booking.maxBookingAttempts must be at least 1, got the number 0'],
    [base + 'booking: { maxReschedules: -1 }\n', 'team.yaml: booking.maxReschedules must be at least 0, got the number -1'],
    [base + 'booking: { reminders: 1h }\n', 'team.yaml: booking.reminders: expected a list such as [24h, 1h] (or [] for none), got "1h"'],
    [base + 'booking:\n  reminders:\n', 'team.yaml: booking.reminders: expected a list such as [24h, 1h] (or [] for none), got an empty value'],
    [base + 'booking: { bufer: 5m }\n', 'team.yaml: booking: unknown key "bufer" (did you mean "buffer"? known keys: meetingMinutes, horizon, proposals, minNotice, buffer,'],
    // company
    [base.replace('company: { name: Acme, timezone: America/New_York }\n', ''), 'team.yaml: company is required: a mapping such as { name: Acme, timezone: America/New_York }'],
    [base.replace('company: { name: Acme, timezone: America/New_York }', 'company:'), 'team.yaml: company: expected a mapping such as { name: Acme, timezone: America/New_York }, got an empty value'],
    [base.replace('name: Acme, ', ''), 'team.yaml: company.name is required: the company name buyers see, such as Acme'],
    [base.replace('America/New_York', 'Mars/Olympus'), 'team.yaml: company.timezone: expected an IANA time zone such as America/New_York, got "Mars/Olympus"'],
    // reps
    [base.replace('America/Chicago', 'PST'), 'team.yaml: reps[0].timezone: expected an IANA time zone such as America/New_York, got "PST": write America/Los_Angeles (a named zone keeps daylight saving right)'],
    [base.replace('America/Chicago', 'EST'), 'team.yaml: reps[0].timezone: expected an IANA time zone such as America/New_York, got "EST": write America/New_York'],
    [base.replace('America/Chicago', 'America/New York'), 'team.yaml: reps[0].timezone: expected an IANA time zone such as America/New_York, got "America/New York": write America/New_York'],
    [base.replace('sarah@acme.example', 'sarah'), 'team.yaml: reps[0].email: expected an email address such as sarah@acme.example, got "sarah"'],
    [base.replace('email: sarah@acme.example, ', ''), 'team.yaml: reps[0].email is required: an email address such as sarah@acme.example'],
    [base.replace('tom@acme.example', 'Sarah@acme.example'), 'team.yaml: reps[1].email: "Sarah@acme.example" is already the email of reps[0] (sarah)'],
    [base.replace('- { id: tom, name: Tom Becker', '- { id: sarah, name: Tom Becker'), 'team.yaml: reps[1].id: duplicate rep id "sarah" (also reps[0])'],
    [base.replace('id: tom', 'id: "tom b"').replace('backup: tom', 'backup: sarah'), 'team.yaml: reps[1].id: expected an id of letters, digits, "-" or "_" such as sarah, got "tom b"'],
    [base.replace('id: tom', 'id: 42').replace('backup: tom', 'backup: sarah'), 'team.yaml: reps[1].id: expected an id of letters, digits, "-" or "_" such as sarah, got the number 42'],
    [base.replace('name: Tom Becker', 'name: ""'), 'team.yaml: reps[1].name is empty: expected the name rules and buyers see, such as Sarah Chen'],
    [withTom('phone: 123'), 'team.yaml: reps[1]: unknown key "phone" (known keys: id, name, email, timezone, hours, backup, pto)'],
    [withTom('timezon: UTC'), 'team.yaml: reps[1]: unknown key "timezon" (did you mean "timezone"?'],
    [base.replace(/reps:[\s\S]*?pools/, 'reps: []\npools'), 'team.yaml: reps is empty: a team needs at least one rep'],
    // backup
    [base.replace('backup: tom', 'backup: nobody'), 'team.yaml: reps[0].backup: expected the id of another rep, got "nobody" (known reps: sarah, tom)'],
    [base.replace('backup: tom', 'backup: sarah'), 'team.yaml: reps[0].backup: a rep cannot be their own backup'],
    [base.replace('backup: tom', 'backup: smb'), 'team.yaml: reps[0].backup: "smb" is a pool: a backup is one rep (pool mates already cover when the backup cannot)'],
    [withTom('hours: none'), 'team.yaml: reps[0].backup: "tom" has no working hours (hours: none), so could never cover: name a rep who takes meetings'],
    // hours
    [withTom('hours: "Mon-Fri 17:00-09:00"'), 'team.yaml: reps[1].hours: "Mon-Fri 17:00-09:00" ends before it starts: a range cannot cross midnight; write its two sides, "Mon-Fri 17:00-24:00, Tue-Sat 00:00-09:00"'],
    [withTom('hours: "Mon-Thu 08:00-16:00, Mon-Thu 12:00-13:00"'), 'team.yaml: reps[1].hours: "Mon-Thu 08:00-16:00" and "Mon-Thu 12:00-13:00" overlap on Mon'],
    [withTom('hours: "Mon 09:00-09:15"'), 'team.yaml: reps[1].hours: "Mon 09:00-09:15" has no stretch long enough for a 30-minute meeting (the longest is 15 minutes)'],
    [withTom('hours: null'), 'team.yaml: reps[1].hours: expected working hours like "Mon-Fri 09:00-17:00", "24/7", or "none" for a rep who takes no meetings, got an empty value (leave the key out for Mon-Fri 09:00-17:00)'],
    [withTom('hours: false'), 'team.yaml: reps[1].hours: expected working hours like "Mon-Fri 09:00-17:00", "24/7", or "none" for a rep who takes no meetings, got false'],
    [withTom('hours: [Mon-Fri 09:00-17:00, 5]'), 'team.yaml: reps[1].hours: expected working hours like'],
    // pto
    [withTom('pto: [2026-12-31..2026-12-24]'), 'team.yaml: reps[1].pto[0]: "2026-12-31..2026-12-24" ends before it starts: write 2026-12-24..2026-12-31'],
    [withTom('pto: [2026-02-30]'), 'team.yaml: reps[1].pto[0]: expected inclusive dates YYYY-MM-DD..YYYY-MM-DD such as 2026-12-24..2026-12-31, or one day such as 2026-12-24, got "2026-02-30" (2026-02-30 is not a date)'],
    [withTom('pto: [Dec 24]'), 'team.yaml: reps[1].pto[0]: expected inclusive dates YYYY-MM-DD..YYYY-MM-DD such as 2026-12-24..2026-12-31, or one day such as 2026-12-24, got "Dec 24"'],
    [withTom('pto: 2026-12-24..2026-12-31'), 'team.yaml: reps[1].pto: expected a list such as [2026-12-24..2026-12-31], got "2026-12-24..2026-12-31"'],
    // territories, competitors, rules
    [base + 'territories: { PNW: WA }\n', 'team.yaml: territories.PNW: expected a list such as [WA, OR, ID], got "WA"'],
    [base + 'territories: { PNW: [] }\n', 'team.yaml: territories.PNW is empty: a territory needs at least one place'],
    [base + 'territories: { PNW: [Atlantis] }\n', 'team.yaml: territories.PNW[0]: "Atlantis" is not a known US state, country or city'],
    [base + 'territories: [WA]\n', 'team.yaml: territories: expected a mapping such as { Pacific Northwest: [WA, OR, ID] }, got a list'],
    [base + 'competitors: Gong\n', 'team.yaml: competitors: expected a list such as [Competitor X, Gong], got "Gong"'],
    [base + 'rules:\n  - If deal: big, go to Sam\n', 'team.yaml: rules[0]: expected a rule in plain English such as "Healthcare companies go to Sarah", got a mapping (a ": " inside a rule makes YAML read it as a key: put the rule in quotes)'],
    [base + 'rules: ["  "]\n', 'team.yaml: rules[0]: expected a rule in plain English such as "Healthcare companies go to Sarah", got "  "'],
    [base + 'rules: Healthcare companies go to Sarah\n', 'team.yaml: rules: expected a list such as ["Healthcare companies go to Sarah"], got "Healthcare companies go to Sarah"'],
    // fallback
    [base.replace('fallback: smb\n', ''), 'team.yaml: fallback is required: the id of the rep or pool for leads no rule matches, such as smb'],
    [base.replace('fallback: smb', 'fallback: ghost'), 'team.yaml: fallback: expected the id of a rep or pool, got "ghost" (known: smb, sarah, tom)'],
    [noHoursLee('fallback: lee'), 'team.yaml: fallback: "lee" has no working hours (hours: none), so leads sent there could never be booked'],
    // top level
    [base + 'colour: blue\n', 'team.yaml: (top level): unknown key "colour" (known keys: company, booking, territories,'],
    [base + 'rule: []\n', 'team.yaml: (top level): unknown key "rule" (did you mean "rules"?'],
    ['- a\n- b\n', 'team.yaml: (top level): expected a mapping with company, reps and fallback (see config/team.yaml), got a list'],
    ['', 'team.yaml: company is required'],
    ['reps: [', 'team.yaml: line 1: not valid YAML'],
    [base + 'currencies: { USD: 1 }\n', 'team.yaml: currencies.USD: USD is the base currency'],
    [base + 'currencies: { eur: 1.08 }\n', 'team.yaml: currencies.eur: expected an ISO 4217 currency code in capitals, such as EUR or GBP, got "eur"'],
    [base + 'currencies: { XYZ: 2 }\n', 'team.yaml: currencies.XYZ: "XYZ" is not an ISO 4217 currency code'],
    [base + 'currencies: { EUR: 0 }\n', 'team.yaml: currencies.EUR: expected US dollars per one EUR, a positive number (EUR: 1.25 means 1 EUR = $1.25), got 0'],
    [base + 'currencies: { GBP: -1.27 }\n', 'team.yaml: currencies.GBP: expected US dollars per one GBP, a positive number'],
    [base + 'currencies: { EUR: "1.08" }\n', 'team.yaml: currencies.EUR: expected US dollars per one EUR, a positive number (EUR: 1.25 means 1 EUR = $1.25), got "1.08"'],
    [base + 'currencies: { EUR: .inf }\n', 'team.yaml: currencies.EUR: expected US dollars per one EUR, a positive number (EUR: 1.25 means 1 EUR = $1.25), got Infinity'],
    [base + 'currencies: [EUR]\n', 'team.yaml: currencies: expected ISO 4217 codes with US dollars per one unit, e.g. { EUR: 1.08, GBP: 1.27 }'],
  ])('names the key, what was given and what would work (%#)', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('never shows zod\'s generic wording', () => {
    for (const text of [base + 'booking: { proposals: null }\n', withPool('fairness: 3'), withMembers('[{ id: 3 }]'), base + 'territories: { PNW: [3] }\n']) {
      expect(errorOf(text)).not.toMatch(/Invalid input|nonoptional|received/);
    }
  });
});
