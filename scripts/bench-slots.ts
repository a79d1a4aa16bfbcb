/**
 * Slot-finder benchmark: `npm run bench:slots`.
 *
 * 10 attendees in mixed zones, a 14-day horizon and 500 calendar blocks per attendee; measures
 * proposeSlots (which runs findOpenSlots, and extends past the horizon when it is full) in mode
 * 'all' and 'any', and prints mean / p95 / max milliseconds per call. Target: < 5 ms.
 * Inputs come from a seeded generator, so every run measures the same work.
 */
import { performance } from 'node:perf_hooks';
import { parseWorkingHours, type DayHours } from '../domain/team/hours';
import { proposeSlots, type Attendee, type Busy, type ProposeQuery } from '../domain/schedule/slots';
import { seededRandom } from '../domain/route/learning';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const WARMUP = 20;
const ATTENDEES = 10;
const BLOCKS = 500;
const HORIZON_DAYS = 14;
// Zones whose 08:00-18:00 days overlap (Americas and western Europe), so mode 'all' does real work.
const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Europe/London',
  'America/Toronto',
  'America/Sao_Paulo',
  'Europe/Dublin',
  'America/Phoenix',
  'America/Halifax',
];

/** A seeded generator (mulberry32, the one learning uses), so the benchmark input is reproducible. */
const rng = seededRandom;

function scenario(seed: number, mode: 'all' | 'any'): ProposeQuery {
  const rand = rng(seed);
  const now = Date.UTC(2026, 2, 2, 13, 7) + Math.floor(rand() * 7 * 24) * 3_600_000; // March 2026 (DST inside)
  const horizonMs = HORIZON_DAYS * 86_400_000;
  const hours = parseWorkingHours('Mon-Fri 08:00-18:00') as DayHours[];
  const attendees: Attendee[] = [];
  const busy: Record<string, Busy[]> = {};
  for (let i = 0; i < ATTENDEES; i++) {
    const id = `rep${i}`;
    attendees.push({ id, timezone: ZONES[i % ZONES.length]!, hours, pto: i === 3 ? [{ from: '2026-03-10', to: '2026-03-11' }] : [] });
    const blocks: Busy[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      // unsorted on purpose, 15-60 minute blocks on a 15-minute grid, a few 'ooo' days
      const start = now + Math.floor(rand() * horizonMs / 900_000) * 900_000;
      const ooo = rand() < 0.004;
      const len = ooo ? 8 * 3_600_000 : (1 + Math.floor(rand() * 4)) * 900_000;
      blocks.push({ start, end: start + len, type: ooo ? 'ooo' : 'busy' });
    }
    busy[id] = blocks;
  }
  return {
    attendees,
    busy,
    meetingMinutes: 30,
    bufferMs: 10 * 60_000,
    minNoticeMs: 3_600_000,
    horizonMs,
    now,
    mode,
    count: 3,
    buyerTimezone: 'America/Los_Angeles',
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const rows: string[][] = [];
for (const mode of ['all', 'any'] as const) {
  const inputs = Array.from({ length: RUNS }, (_, i) => scenario(1000 + i, mode));
  for (let i = 0; i < WARMUP; i++) proposeSlots(scenario(1 + i, mode));
  const times: number[] = [];
  let extended = 0;
  let offered = 0;
  for (const q of inputs) {
    const t0 = performance.now();
    const r = proposeSlots(q);
    times.push(performance.now() - t0);
    if (r.extended) extended++;
    offered += r.slots.length;
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  rows.push([
    mode,
    String(RUNS),
    mean.toFixed(3),
    percentile(times, 50).toFixed(3),
    percentile(times, 95).toFixed(3),
    times[times.length - 1]!.toFixed(3),
    (offered / RUNS).toFixed(2),
    `${extended}/${RUNS}`,
  ]);
}

const header = ['mode', 'runs', 'mean ms', 'p50 ms', 'p95 ms', 'max ms', 'slots/call', 'extended'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(`proposeSlots: ${ATTENDEES} attendees x ${HORIZON_DAYS}-day horizon x ${BLOCKS} blocks each (target < 5 ms)`);
console.log(line(header));
for (const r of rows) console.log(line(r));
const worst = Math.max(...rows.map((r) => Number(r[4])));
console.log(worst < 5 ? 'OK: p95 under 5 ms' : `SLOW: p95 ${worst.toFixed(3)} ms is over 5 ms`);
