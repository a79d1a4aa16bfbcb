import { describe, expect, it } from 'vitest';
import { ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { withinBudget, type Clock } from '../../integrations/llm-budget';

/** A clock that only moves when an attempt or a wait says so. */
function fakeClock(): Clock & { at: number; slept: number[] } {
  const clock = {
    at: 0,
    slept: [] as number[],
    now: () => clock.at,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.at += ms;
    },
  };
  return clock;
}

const budget = { timeoutMs: 1_000, maxAttempts: 3 };
const outage = (retryAfterMs?: number) => new ProviderUnavailable('openai: 503 busy', retryAfterMs === undefined ? {} : { retryAfterMs });

describe('withinBudget', () => {
  it('gives each attempt what is left of the budget, and retries an outage after a backoff', async () => {
    const clock = fakeClock();
    const given: number[] = [];
    const result = await withinBudget('openai', budget, async ({ timeoutMs }) => {
      given.push(timeoutMs);
      clock.at += 100;
      if (given.length < 3) throw outage();
      return 'answer';
    }, clock);
    expect(result).toBe('answer');
    expect(given).toEqual([1_000, 700, 200]);
    expect(clock.slept).toEqual([200, 400]);
  });

  it('honours a Retry-After that fits, and gives up at once on one that does not', async () => {
    const clock = fakeClock();
    let calls = 0;
    expect(await withinBudget('openai', budget, async () => (++calls === 1 ? Promise.reject(outage(300)) : 'ok'), clock)).toBe('ok');
    expect(clock.slept).toEqual([300]);

    const late = fakeClock();
    const err = await withinBudget('openai', budget, async () => Promise.reject(outage(5_000)), late).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toBe('openai: 503 busy; a retry after 5000 ms does not fit the 1000 ms budget');
    expect(late.slept).toEqual([]);
  });

  it('never retries what a retry cannot fix, and stops at the attempt cap', async () => {
    let calls = 0;
    const refused = await withinBudget('openai', budget, async () => {
      calls++;
      throw new ProviderRejected('openai: model refused');
    }, fakeClock()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderRejected);
    expect(calls).toBe(1);

    calls = 0;
    const down = await withinBudget('openai', { timeoutMs: 60_000, maxAttempts: 3 }, async () => {
      calls++;
      throw outage();
    }, fakeClock()).catch((e: unknown) => e);
    expect((down as Error).message).toBe('openai: 503 busy');
    expect(calls).toBe(3);
  });

  it('an attempt that used the whole budget ends the step, saying so', async () => {
    const clock = fakeClock();
    const err = await withinBudget('openai', budget, async () => {
      clock.at += 1_000;
      throw outage();
    }, clock).catch((e: unknown) => e);
    expect((err as Error).message).toBe('openai: no answer within the 1000 ms budget (1 attempt; last: openai: 503 busy)');
  });
});
