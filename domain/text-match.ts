/** Small text helpers shared by the facts extractor and the rule compiler. Pure. */

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Word boundaries that also work next to `$`, `.` and other non-word characters. */
export const WB_START = '(?<![\\p{L}\\p{N}_])';
export const WB_END = '(?![\\p{L}\\p{N}_])';

/** A regex source matching any of `phrases` as whole words, longest first, spaces matching any whitespace. */
export function phraseAlternation(phrases: Iterable<string>): string {
  const unique = [...new Set(phrases)].filter(Boolean).sort((a, b) => b.length - a.length);
  return unique.map((p) => escapeRegExp(p).replace(/\\?\s+/g, '\\s+')).join('|');
}

/**
 * Not a letter, digit or one of `&+#.- `. Compiled once here, not in normalizeName: the workflow
 * bundler (SWC, es2017) turns a `\p{…}` literal into `RegExp("<every such code point>", "gu")`
 * at its place, and geo-data.ts calls normalizeName for every city spelling each time a lead's
 * workflow loads its modules — about 8,000 compilations and 300 ms of CPU per lead (workers
 * stopped making progress at a dozen new leads at once: test/infra/workflow-bundle.test.ts).
 */
const NOT_NAME_CHARS = /[^\p{L}\p{N}&+#.\- ]+/gu;

/** Collapses whitespace and lower-cases, for comparing names. */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’']s\b/g, '')
    .replace(NOT_NAME_CHARS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function isStop(text: string, i: number): boolean {
  const ch = text[i]!;
  if (ch === '!' || ch === '?' || ch === '\n' || ch === ';') return true;
  return (ch === '.' || ch === ',') && (i + 1 >= text.length || /\s/.test(text[i + 1]!));
}

/**
 * A short quote around text[start, end): the match plus up to `words` words on each side,
 * never crossing a sentence boundary or comma, always an exact substring of `text`.
 */
export function snippet(text: string, start: number, end: number, words = 3, maxLength = 90): string {
  let from = start;
  for (let count = 0; from > 0 && count < words; count++) {
    let i = from - 1;
    while (i >= 0 && text[i] === ' ') i--;
    if (i < 0 || isStop(text, i)) break;
    while (i >= 0 && !/\s/.test(text[i]!) && !isStop(text, i)) i--;
    from = i + 1;
  }
  let to = end;
  for (let count = 0; to < text.length && count < words; count++) {
    let i = to;
    while (i < text.length && text[i] === ' ') i++;
    if (i >= text.length || isStop(text, i)) break;
    while (i < text.length && !/\s/.test(text[i]!) && !isStop(text, i)) i++;
    to = i;
  }
  let quote = text.slice(from, to).trim();
  if (quote.length > maxLength) quote = text.slice(start, end).trim().slice(0, maxLength);
  return quote;
}

function isSentenceEnd(text: string, i: number): boolean {
  const ch = text[i]!;
  if (ch === '!' || ch === '?' || ch === '\n') return true;
  return ch === '.' && (i + 1 >= text.length || /\s/.test(text[i + 1]!));
}

/** The [start, end) offsets of the sentence containing `index`, at most `maxSpan` characters each side. */
export function sentenceAround(text: string, index: number, maxSpan = 300): { start: number; end: number } {
  const floor = Math.max(0, index - maxSpan);
  const ceiling = Math.min(text.length, index + maxSpan);
  let start = Math.min(index, text.length);
  while (start > floor && !isSentenceEnd(text, start - 1)) start--;
  let end = index;
  while (end < ceiling && !isSentenceEnd(text, end)) end++;
  return { start, end };
}

const TERM_REGEX = new Map<string, RegExp>();

/**
 * A cached case-insensitive whole-word (or whole-phrase) regex for `term`; spaces match any
 * whitespace. Global flag off, so `.test` and `.exec` are stateless.
 */
export function termRegex(term: string): RegExp {
  let re = TERM_REGEX.get(term);
  if (!re) {
    const source = escapeRegExp(term.trim()).replace(/\s+/g, '\\s+');
    re = new RegExp(`${WB_START}${source}${WB_END}`, 'iu');
    if (TERM_REGEX.size > 10_000) TERM_REGEX.clear();
    TERM_REGEX.set(term, re);
  }
  return re;
}
