import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../domain/team/duration';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['3d', 259_200_000],
    ['1w', 604_800_000],
    ['2w3d', 17 * 86_400_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1H30M', 5_400_000],
    ['0m', 0],
    ['0s', 0],
    ['0', 0],
    ['0h0m', 0],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '  ', '5 minutes', '2 days', '1.5h', '-5m', '30m1h', 'h', '10'])('is not a duration: %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('formats the shortest text that reads back the same, weeks included', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(17 * 86_400_000)).toBe('2w3d');
    expect(formatDuration(0)).toBe('0s');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), (seconds) => {
        const text = formatDuration(seconds * 1000);
        expect(parseDuration(text)).toBe(seconds * 1000);
      }),
    );
  });
});
