import { describe, expect, it } from 'vitest';
import { poolReports, type MeetingNow, type PoolReported } from '../../../domain/route/pool-report';

const rr = { poolTurns: [{ pool: 'smb', rep: 'sam', policy: 'fair' as const }], pool: 'smb', mode: 'all' as const, reps: ['sam'], attendees: ['sam'] };
const at = (start: string, attendees = ['sam']) => ({ start, attendees });

/** Plays the lead's meeting through `moments`, returning every event sent, as the workflow would. */
function play(decision: Parameters<typeof poolReports>[1], moments: MeetingNow[]) {
  let reported: PoolReported | null = null;
  const sent: string[] = [];
  const keys: string[] = [];
  for (const now of moments) {
    const r = poolReports('lead-1/run-1', decision, reported, now);
    for (const e of r.events) {
      sent.push(`${e.poolId}:${e.event}:${e.repId}${e.meetingStart ? `@${e.meetingStart}` : ''}`);
      keys.push(e.key);
    }
    reported = r.reported;
  }
  return { sent, keys };
}

describe('what a lead tells its pools', () => {
  it('says booked with the start once, then each move, then how it went, and nothing after', () => {
    const { sent, keys } = play(rr, [
      { booking: at('T1'), outcome: 'scheduled', closed: false },
      { booking: at('T1'), outcome: 'scheduled', closed: false }, // a message that changed nothing
      { booking: at('T2'), outcome: 'scheduled', closed: false },
      { booking: at('T2'), outcome: 'held', closed: true },
      { booking: at('T2'), outcome: 'held', closed: true },
    ]);
    expect(sent).toEqual(['smb:booked:sam@T1', 'smb:rescheduled:sam@T2', 'smb:held:sam']);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toBe('lead-1/run-1/pool-0');
  });

  it('moves the credit to a cover, at the same time, without a second booking', () => {
    const { sent } = play(rr, [
      { booking: at('T1'), outcome: 'scheduled', closed: false },
      { booking: at('T1', ['alex']), outcome: 'scheduled', closed: false },
      { booking: at('T1', ['alex']), outcome: 'no_show', closed: false },
    ]);
    expect(sent).toEqual(['smb:booked:sam@T1', 'smb:rescheduled:alex@T1', 'smb:no_show:alex']);
  });

  it('after a no-show, tells only that the recovery was held in the end', () => {
    const { sent } = play(rr, [
      { booking: at('T1'), outcome: 'scheduled', closed: false },
      { booking: at('T1'), outcome: 'no_show', closed: false },
      { booking: at('T3'), outcome: 'scheduled', closed: false },
      { booking: at('T3'), outcome: 'held', closed: true },
    ]);
    expect(sent).toEqual(['smb:booked:sam@T1', 'smb:no_show:sam', 'smb:held:sam']);
  });

  it('gives the turn back as released when the lead closes without a meeting, and a cancellation as canceled', () => {
    expect(play(rr, [{ booking: null, outcome: null, closed: false }, { booking: null, outcome: null, closed: true }, { booking: null, outcome: null, closed: true }]).sent).toEqual(['smb:released:sam']);
    expect(play(rr, [{ booking: at('T1'), outcome: 'scheduled', closed: false }, { booking: at('T1'), outcome: 'canceled', closed: true }]).sent).toEqual(['smb:booked:sam@T1', 'smb:canceled:sam']);
  });

  it("tells a group pool who was booked, and every pool of a two-pool decision about its own rep", () => {
    const group = { poolTurns: [], pool: 'smb', mode: 'any' as const, reps: ['sam', 'alex'], attendees: [] };
    expect(play(group, [{ booking: at('T1', ['alex']), outcome: 'held', closed: true }]).sent).toEqual(['smb:booked:alex@T1', 'smb:held:alex']);
    expect(play(group, [{ booking: null, outcome: null, closed: true }]).sent).toEqual([]); // no turn was taken yet
    const two = { poolTurns: [{ pool: 'enterprise', rep: 'ana', policy: 'fair' as const }, { pool: 'se', rep: 'priya', policy: 'fair' as const }], pool: 'enterprise', mode: 'all' as const, reps: ['ana'], attendees: ['ana', 'priya'] };
    expect(play(two, [{ booking: at('T1', ['ana', 'priya']), outcome: 'held', closed: true }]).sent).toEqual(['enterprise:booked:ana@T1', 'se:booked:priya@T1', 'enterprise:held:ana', 'se:held:priya']);
  });

  it('says nothing for a lead no pool gave a turn (the CRM owner, a rule naming a rep)', () => {
    const owner = { poolTurns: [], pool: null, mode: 'all' as const, reps: ['mark'], attendees: ['mark'] };
    expect(play(owner, [{ booking: at('T1', ['mark']), outcome: 'held', closed: true }]).sent).toEqual([]);
    expect(play(null, [{ booking: at('T1', ['mark']), outcome: 'held', closed: true }]).sent).toEqual([]);
  });
});
