/**
 * What a buyer types is put into email headers and subjects, calendar titles and CRM fields. A
 * carriage return or line feed there can start a header of its own, other control characters are
 * dropped or mangled differently by each provider, and bidi overrides (U+202E...) make a name read
 * differently from what it is ("Invoice\u202Egnp.exe"). So at the edge, once:
 *
 * - single-line values (name, company, form fields) become one plain line: every line break, tab
 *   and other control character becomes a space, runs of spaces one space, and the ends are trimmed;
 * - multi-line values (the message, transcript turns) keep their line breaks (CRLF and CR become
 *   LF) and tabs, and lose every other control character;
 * - both lose bidi embedding/override/isolate marks and invisible characters (zero-width space,
 *   word joiner, byte-order mark), and are put in Unicode NFC, so one name is one string.
 *
 * Zero-width (non-)joiners stay: Persian, Indic scripts and emoji sequences need them. A value with
 * no visible character (empty, blank or only such characters) is refused: it cannot be shown to
 * anyone, and the OpenAPI document says so with the same pattern.
 */
import { z } from 'zod';

/** C0 controls, DEL and C1 controls (NEL U+0085 included). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** Line and paragraph separators: line breaks to some renderers. */
const SEPARATORS = /[\u2028\u2029]/g;
/** Bidi marks, embeddings, overrides and isolates (ALM, LRM, RLM, LRE..RLO, LRI..PDI). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Invisible characters with no use in a name or a message: zero-width space, word joiner, BOM. */
const INVISIBLE = /[\u200b\u2060\ufeff]/g;

/** One plain line: no control, bidi or invisible characters, spaces collapsed, ends trimmed. */
export function toSingleLine(value: string): string {
  return value
    .normalize('NFC')
    .replace(SEPARATORS, ' ')
    .replace(CONTROLS, ' ')
    .replace(BIDI, '')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Text that keeps its lines (LF only) and tabs, without other control, bidi or invisible characters. */
export function toMultiLine(value: string): string {
  return value
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(SEPARATORS, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
    .replace(BIDI, '')
    .replace(INVISIBLE, '')
    .trim();
}

/**
 * "Has a visible character": one character that is none of whitespace (JavaScript's \s, listed
 * out so the pattern means the same in every regex dialect that reads the OpenAPI document),
 * control, bidi or invisible. Exactly the strings the normalisers above leave non-empty, so the
 * documented `pattern` and the validator agree.
 */
export const VISIBLE_CHARACTER =
  /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;

const refuse = (what: string) =>
  `${what} needs a visible character (control, bidi and invisible characters are removed); leave it out if it is unknown`;

const tooLong = (what: string, max: number) => `${what} is limited to ${max.toLocaleString('en-US')} characters`;

/** A single-line string field, normalised; at most `max` characters as sent. */
export function singleLineText(what: string, max: number) {
  return z.string().max(max, { message: tooLong(what, max) }).regex(VISIBLE_CHARACTER, { message: refuse(what) }).overwrite(toSingleLine);
}

/** A multi-line string field, normalised; at most `max` characters as sent. */
export function multiLineText(what: string, max: number) {
  return z.string().max(max, { message: tooLong(what, max) }).regex(VISIBLE_CHARACTER, { message: refuse(what) }).overwrite(toMultiLine);
}
