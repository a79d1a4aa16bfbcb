/**
 * normalizeName, the one comparison key for names (cities, territories, competitors). Its
 * "not a name character" regex is compiled once at module level (text-match.ts says why: the
 * workflow bundle turned the inline `\p{…}` literal into ~8,000 compilations per lead,
 * test/infra/workflow-bundle.test.ts); a shared global regex must give the same answer on every
 * call, whatever was normalised before.
 */
import { describe, expect, it } from 'vitest';
import { normalizeName } from '../../domain/text-match';

describe('normalizeName', () => {
  it('folds accents, case, possessives and punctuation, keeping letters of any script and & + # . -', () => {
    expect(normalizeName('São Paulo')).toBe('sao paulo');
    expect(normalizeName('  ZÜRICH,\tSwitzerland ')).toBe('zurich switzerland');
    expect(normalizeName("McDonald's")).toBe('mcdonald');
    expect(normalizeName('AT&T  (Inc.)')).toBe('at&t inc.');
    expect(normalizeName('C++ / C# devs')).toBe('c++ c# devs');
    expect(normalizeName('Winston-Salem!')).toBe('winston-salem');
    expect(normalizeName('東京都 🗼')).toBe('東京都');
    expect(normalizeName('')).toBe('');
  });

  it('gives the same key on every call, in any order (the module-level global regex keeps no state between calls)', () => {
    const names = ['São Paulo', 'AT&T (Inc.)', '東京都 🗼', "McDonald's", 'x!y?z', 'Winston-Salem'];
    const first = names.map(normalizeName);
    for (let round = 0; round < 50; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      const keys = order.map(normalizeName);
      expect(round % 2 === 0 ? keys : keys.reverse()).toEqual(first);
    }
    expect(first[4]).toBe('x y z');
  });
});
