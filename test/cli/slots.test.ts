/**
 * `npx baton slots` as a user runs it, on a team file with a lunch break, no buffer and no notice.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'baton-cli-slots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZONE = 'America/Chicago';
const MONDAY = '2026-02-02';

function teamFile(booking: string, hours = 'Mon-Fri 08:00-12:00, 13:00-17:00'): string {
  const file = join(dir, `team-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `company: { name: Acme, timezone: ${ZONE} }
booking: { meetingMinutes: 60, ${booking.includes('horizon') ? '' : 'horizon: 10h, '}${booking} }
reps:
  - { id: sarah, name: Sarah Chen, email: sarah@acme.example, hours: "${hours}" }
  - { id: lee, name: Lee Park, email: lee@acme.example, hours: none }
fallback: sarah
`,
  );
  return file;
}

const calendar = join(dir, 'calendar.json');
writeFileSync(
  calendar,
  JSON.stringify({ sarah: [{ start: DateTime.fromISO(`${MONDAY}T09:00`, { zone: ZONE }).toISO(), end: DateTime.fromISO(`${MONDAY}T10:00`, { zone: ZONE }).toISO(), type: 'busy', title: 'standup' }] }),
);

function baton(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OPENAI_API_KEY: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function slots(team: string, options: { all?: boolean; calendar?: boolean; reps?: string } = {}): string[] {
  const now = DateTime.fromISO(`${MONDAY}T08:10`, { zone: ZONE }).toUTC().toISO()!;
  const args = ['slots', '--team', team, '--reps', options.reps ?? 'sarah', '--now', now];
  if (options.calendar !== false) args.push('--calendar', calendar);
  if (options.all !== false) args.push('--all');
  const run = baton(...args);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const out = JSON.parse(run.stdout) as { slots: { start: string; end: string; reps: string[] }[] };
  return out.slots.map((s) => `${DateTime.fromISO(s.start, { zone: ZONE }).toFormat('HH:mm')}-${DateTime.fromISO(s.end, { zone: ZONE }).toFormat('HH:mm')}`);
}

describe('baton slots', () => {
  it('--all with buffer 0 and minNotice 0: right after the meeting, never across lunch', () => {
    expect(slots(teamFile('buffer: 0m, minNotice: 0m'))).toEqual([
      // 08:30 would overlap the 09:00 meeting; 10:00 starts right as it ends; 11:30 would cross lunch
      '10:00-11:00', '10:30-11:30', '11:00-12:00',
      '13:00-14:00', '13:30-14:30', '14:00-15:00', '14:30-15:30', '15:00-16:00', '15:30-16:30', '16:00-17:00',
    ]);
  });

  it('--all with a 10m buffer (also the default when left out) starts half an hour later', () => {
    expect(slots(teamFile('buffer: 10m, minNotice: 0m'))[0]).toBe('10:30-11:30');
    expect(slots(teamFile('minNotice: 0m'))[0]).toBe('10:30-11:30');
  });

  it('with no notice the first time is now rounded up to the grid; with 1h notice an hour later', () => {
    expect(slots(teamFile('buffer: 0m, minNotice: 0m'), { calendar: false })[0]).toBe('08:30-09:30');
    expect(slots(teamFile('buffer: 0m, minNotice: 1h'), { calendar: false })[0]).toBe('09:30-10:30');
    const proposed = slots(teamFile('buffer: 0m, minNotice: 0m'), { calendar: false, all: false });
    expect(proposed).toHaveLength(3);
    expect(proposed[0]).toBe('08:30-09:30');
  });

  it('a rep with hours: none has no slots', () => {
    expect(slots(teamFile('buffer: 0m, minNotice: 0m'), { reps: 'lee' })).toEqual([]);
  });

  it.each([
    ['booking.horizon: 0m', teamFile('horizon: 0m'), 'booking.horizon must be longer than 0: it is how far ahead times are proposed (e.g. 48h)'],
    ['overlapping hours', teamFile('buffer: 0m', 'Mon-Fri 08:00-12:00, Fri 11:00-13:00'), 'reps[0].hours: "Mon-Fri 08:00-12:00" and "Fri 11:00-13:00" overlap on Fri'],
  ])('refuses %s with exit status 2 and one line naming the file and key', (_, team, message) => {
    const run = baton('slots', '--team', team, '--reps', 'sarah', '--all');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`baton: ${team.split('/').at(-1)}: ${message}`);
  });
});
