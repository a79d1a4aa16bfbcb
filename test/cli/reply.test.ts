/**
 * `npx baton reply` as a user runs it: the command in a child process, over the example team, with
 * files in a temp folder. Sarah (config/team.yaml) works Mon-Fri 09:00-17:00 Central; the buyer is
 * in Pacific time; now is Tuesday November 24, 2026, 07:00 Pacific.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRecorder, type RecordedRequest } from '../integrations/http-recorder';
import { ROOT } from '../helpers/paths';

const TEAM = join(ROOT, 'config/team.yaml');
const PT = 'America/Los_Angeles';
const NOW = '2026-11-24T15:00:00Z';
const utc = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toUTC().toISO({ suppressMilliseconds: false })!;
const PROPOSALS = [
  { id: '1-1', start: utc('2026-11-25T07:00'), end: utc('2026-11-25T07:30'), attendees: ['sarah'] },
  { id: '1-2', start: utc('2026-11-25T11:00'), end: utc('2026-11-25T11:30'), attendees: ['sarah'] },
  { id: '1-3', start: utc('2026-11-26T08:00'), end: utc('2026-11-26T08:30'), attendees: ['sarah'] },
];

let dir: string;
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function baton(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPENAI_') && !k.startsWith('BATON_') && !k.startsWith('TEMPORAL_')));
  const child = spawn(process.execPath, [join(ROOT, 'cli/baton.mjs'), ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function reply(text: string, extra: string[] = [], env: Record<string, string> = {}) {
  const r = await baton(['reply', '--team', TEAM, '--proposals', file('proposals.json', PROPOSALS), '--text', text, '--now', NOW, '--tz', PT, ...extra], env);
  expect(r.stderr, r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { intent: string; proposalId: string | null; slots: { start: string; end: string; reps: string[] }[] };
}

const local = (iso: string) => DateTime.fromISO(iso, { zone: PT }).toFormat('ccc yyyy-MM-dd HH:mm');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-reply-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('baton reply: before booking', () => {
  it('prints the choice, and no slots', async () => {
    expect(await reply('the second one works')).toEqual({ intent: 'choose', proposalId: '1-2', slots: [] });
    expect(await reply('we went with another vendor')).toEqual({ intent: 'decline', proposalId: null, slots: [] });
  });

  it('offers new times that honour what was asked, from the seeded calendar', async () => {
    // Sarah is busy Monday morning next week.
    const calendar = file('calendar.json', { sarah: [{ start: utc('2026-11-30T07:00'), end: utc('2026-11-30T10:00'), type: 'busy' }] });
    const r = await reply("none of these work - next week, but I can't do mornings", ['--calendar', calendar]);
    expect(r.intent).toBe('new_times');
    expect(r.proposalId).toBeNull();
    expect(r.slots).toHaveLength(3);
    for (const s of r.slots) {
      expect(s.reps).toEqual(['sarah']);
      const start = DateTime.fromISO(s.start, { zone: PT });
      expect(start.toISODate()! >= '2026-11-30' && start.toISODate()! <= '2026-12-04').toBe(true);
      expect(start.hour).toBeGreaterThanOrEqual(12);
      expect(Date.parse(s.end) - Date.parse(s.start)).toBe(30 * 60_000);
    }
  });

  it('never offers what the buyer ruled out', async () => {
    const r = await reply('2pm doesnt work, and not thursday');
    expect(r.intent).toBe('new_times');
    for (const s of r.slots) {
      const start = DateTime.fromISO(s.start, { zone: PT });
      expect(start.weekday).not.toBe(4);
      expect(start.hour === 14 && start.minute === 0).toBe(false);
    }
  });

  it('offers any member of a group pool when the proposals had different attendees', async () => {
    const pool = [
      { id: '2-1', start: utc('2026-11-25T07:00'), end: utc('2026-11-25T07:30'), attendees: ['sam'] },
      { id: '2-2', start: utc('2026-11-25T11:00'), end: utc('2026-11-25T11:30'), attendees: ['sam', 'alex'] },
    ];
    const r = await baton(['reply', '--team', TEAM, '--proposals', file('pool.json', pool), '--text', 'anything friday?', '--now', NOW, '--tz', PT]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.intent).toBe('new_times');
    expect(out.slots.length).toBeGreaterThan(0);
    for (const s of out.slots) {
      expect(local(s.start).startsWith('Fri')).toBe(true);
      expect(s.reps.every((id: string) => ['sam', 'alex'].includes(id))).toBe(true);
    }
  });
});

describe('baton reply: after booking (--booked)', () => {
  it('offers exactly an hour later when it is free, and the nearest times when it is not', async () => {
    const r = await reply('can we push it an hour later?', ['--booked', '1-2']);
    expect(r.intent).toBe('reschedule');
    expect(r.slots.map((s) => local(s.start))).toContain('Wed 2026-11-25 12:00');
    expect(r.slots.map((s) => local(s.start))).not.toContain('Wed 2026-11-25 11:00');
    const calendar = file('busy-noon.json', { sarah: [{ start: utc('2026-11-25T11:50'), end: utc('2026-11-25T12:40'), type: 'busy' }] });
    const taken = await reply('can we push it an hour later?', ['--booked', '1-2', '--calendar', calendar]);
    expect(taken.intent).toBe('reschedule');
    expect(taken.slots).toHaveLength(3);
    expect(taken.slots.map((s) => local(s.start))).not.toContain('Wed 2026-11-25 12:00');
    // The nearest open times around noon (Sarah's buffer is 10 minutes).
    for (const s of taken.slots) expect(Math.abs(Date.parse(s.start) - Date.parse(utc('2026-11-25T12:00')))).toBeLessThanOrEqual(3 * 3_600_000);
  });

  it('reads a reschedule to a day and a time of day', async () => {
    const r = await reply('Something came up, can we move it to Friday morning?', ['--booked', '1-2']);
    expect(r.intent).toBe('reschedule');
    expect(r.slots.length).toBeGreaterThan(0);
    for (const s of r.slots) expect(local(s.start)).toMatch(/^Fri 2026-11-27 (0[89]|1[01]):/);
  });

  it.each([
    ['see you then', 'acknowledge'],
    ['perfect 👍', 'acknowledge'],
    ['please cancel, we went with another vendor', 'cancel'],
    ['do I need to prepare anything?', 'unclear'],
  ])('%j -> %s with no slots', async (text, intent) => {
    expect(await reply(text, ['--booked', '1-2'])).toEqual({ intent, proposalId: null, slots: [] });
  });
});

describe('baton reply: bad input exits 2 with one line naming what is wrong', () => {
  async function fails(args: string[], pattern: RegExp) {
    const r = await baton(['reply', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  }
  const ok = () => ['--team', TEAM, '--proposals', file('ok.json', PROPOSALS), '--text', 'option 1'];

  it('names the proposals file, the path in it and the reason', async () => {
    await fails(['--team', TEAM, '--proposals', file('bad.json', '[{"id": "1"'), '--text', 'x'], /^baton: bad\.json: not valid JSON/);
    await fails(['--team', TEAM, '--proposals', join(dir, 'missing.json'), '--text', 'x'], /^baton: missing\.json: no such file$/m);
    await fails(['--team', TEAM, '--proposals', file('shape.json', { proposals: PROPOSALS }), '--text', 'x'], /^baton: shape\.json: \(top level\): expected a list of proposals/);
    await fails(['--team', TEAM, '--proposals', file('start.json', [{ ...PROPOSALS[0], start: 'tomorrow' }]), '--text', 'x'], /^baton: start\.json: \[0\]\.start: expected an ISO date-time$/m);
    await fails(['--team', TEAM, '--proposals', file('keys.json', [{ ...PROPOSALS[0], room: 'A' }]), '--text', 'x'], /^baton: keys\.json: \[0\]: unknown key\(s\) room$/m);
    await fails(['--team', TEAM, '--proposals', file('rep.json', [PROPOSALS[0], { ...PROPOSALS[1], attendees: ['sarah', 'nobody'] }]), '--text', 'x'], /^baton: rep\.json: \[1\]\.attendees\[1\]: unknown rep "nobody" \(known: sarah, /m);
    await fails(['--team', TEAM, '--proposals', file('dup.json', [PROPOSALS[0], PROPOSALS[0]]), '--text', 'x'], /^baton: dup\.json: \[1\]\.id: duplicate proposal id "1-1"$/m);
    await fails(['--team', TEAM, '--proposals', file('end.json', [{ ...PROPOSALS[0], end: PROPOSALS[0]!.start }]), '--text', 'x'], /^baton: end\.json: \[0\]\.end: expected a time after start$/m);
  });

  it('names the flag and the reason', async () => {
    await fails([...ok(), '--booked', '9-9'], /^baton: --booked: unknown proposal "9-9" \(proposals: 1-1, 1-2, 1-3\)$/m);
    await fails([...ok(), '--now', 'yesterday'], /^baton: --now: expected an ISO date-time/);
    await fails([...ok(), '--tz', 'Mars/Olympus'], /^baton: --tz: expected an IANA time zone such as America\/Los_Angeles, got "Mars\/Olympus"$/m);
    await fails([...ok(), '--calendar', join(dir, 'nope.json')], /^baton: --calendar: .*nope\.json: no such file$/m);
    await fails(['--team', TEAM, '--proposals', file('ok2.json', PROPOSALS)], /^baton: --text: expected the buyer's message$/m);
    await fails(['--team', TEAM, '--text', 'hi'], /^baton: --proposals is required$/m);
  });
});

describe('baton reply: with an LLM configured', () => {
  let server: HttpRecorder;
  const seen: RecordedRequest[] = [];
  let answer: unknown;
  const completion = (content: unknown) => ({
    id: 'c', object: 'chat.completion', created: 0, model: 'm',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(content), refusal: null } }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });
  beforeAll(async () => {
    server = await HttpRecorder.start();
    server.on('POST', '/v1/chat/completions', (req) => {
      seen.push(req);
      return { json: completion(answer) };
    });
  });
  afterAll(() => server?.close());

  it('uses the same LLM path as the worker, checked against the booking', async () => {
    const env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_MODEL: 'm' };
    answer = { intent: 'reschedule', proposalId: null, constraint: { fromDate: null, toDate: null, weekdays: null, earliestMinute: null, latestMinute: null, move: { days: 1, minutes: 0 } }, question: null, reason: 'wants the next day' };
    const r = await reply('could we shift things a bit?', ['--booked', '1-2'], env);
    expect(r.intent).toBe('reschedule');
    expect(r.slots.map((s) => local(s.start))).toContain('Thu 2026-11-26 11:00');
    const task = (seen.at(-1)!.body as { response_format: { json_schema: { name: string } } }).response_format.json_schema.name;
    expect(task).toBe('classify_reply');
    // A choice the model makes up is not trusted: the deterministic reading decides.
    answer = { intent: 'choose', proposalId: '7-7', constraint: null, question: null, reason: 'made up' };
    expect(await reply('the third one', [], env)).toEqual({ intent: 'choose', proposalId: '1-3', slots: [] });
  });
});
