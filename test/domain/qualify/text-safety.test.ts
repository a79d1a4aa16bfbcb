/**
 * The text normaliser at the lead edge (domain/qualify/text-safety.ts): what a buyer types reaches
 * email headers and subjects, calendar titles and CRM fields, so names and companies become one
 * plain line, messages keep their lines, and nothing invisible or direction-changing survives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadSchema } from '../../../domain/qualify/lead';
import { multiLineText, singleLineText, toMultiLine, toSingleLine, VISIBLE_CHARACTER } from '../../../domain/qualify/text-safety';

/** Anything a header, subject or title must never carry: C0/C1 controls, DEL, line/paragraph separators. */
const CONTROL_OR_SEPARATOR = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Bidi marks, embeddings, overrides and isolates; zero-width space, word joiner, BOM. */
const BIDI_OR_INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/;

/**
 * Strings of what an attacker would try (controls, line breaks, separators, bidi and invisible
 * characters, odd spaces), any UTF-16 unit (lone surrogates included), and ordinary letters.
 */
const SPECIALS = [...'\r\n\t\v\f\u0000\u0007\u001b\u007f\u0085\u009f\u00a0\u1680\u2000\u2028\u2029\u202f\u205f\u3000\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff '];
const hostile = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(fc.constantFrom(...SPECIALS), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('a', 'Z', 'é', 'e\u0301', '👩')),
    maxLength,
  });

describe('single-line values (name, company, form fields)', () => {
  it('turns CR, LF, CRLF, tabs and separators into one space: a name is one line', () => {
    expect(toSingleLine('Jane\r\nBcc: attacker@evil.example')).toBe('Jane Bcc: attacker@evil.example');
    expect(toSingleLine('Jane\rPark')).toBe('Jane Park');
    expect(toSingleLine('Jane\nPark')).toBe('Jane Park');
    expect(toSingleLine('Mercy\tHealth')).toBe('Mercy Health');
    expect(toSingleLine('Mercy\u2028Health\u2029Inc')).toBe('Mercy Health Inc');
    expect(toSingleLine('Mercy\u0085Health')).toBe('Mercy Health'); // NEL, a C1 line break
  });

  it('drops every other control character, collapses spaces and trims the ends', () => {
    expect(toSingleLine('\u0000Jane\u0007 \u001b[31mPark\u007f')).toBe('Jane [31mPark');
    expect(toSingleLine('  Jane   \u000b\u000c  Park  ')).toBe('Jane Park');
  });

  it('removes bidi overrides, isolates and marks, so a name reads as what it is', () => {
    expect(toSingleLine('Invoice\u202Egnp.exe')).toBe('Invoicegnp.exe');
    expect(toSingleLine('\u202AAcme\u202C \u2066Corp\u2069 \u200E\u200F\u061C')).toBe('Acme Corp');
  });

  it('removes invisible characters (zero-width space, word joiner, BOM) but keeps zero-width joiners', () => {
    expect(toSingleLine('\uFEFFJa\u200Bne\u2060')).toBe('Jane');
    // ZWJ and ZWNJ carry meaning in Persian, Indic scripts and emoji sequences.
    expect(toSingleLine('می\u200Cخواهم')).toBe('می\u200Cخواهم');
    expect(toSingleLine('👩\u200D💻 Dev')).toBe('👩\u200D💻 Dev');
  });

  it('puts the value in Unicode NFC, so one name is one string', () => {
    expect(toSingleLine('Jose\u0301')).toBe('José');
    expect(toSingleLine('Jose\u0301')).toBe(toSingleLine('Jos\u00e9'));
  });

  it('never leaves a control, separator, bidi or invisible character, a leading or trailing space, or a double space', () => {
    fc.assert(
      fc.property(hostile(80), (s) => {
        const out = toSingleLine(s);
        expect(out).not.toMatch(CONTROL_OR_SEPARATOR);
        expect(out).not.toMatch(BIDI_OR_INVISIBLE);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/\s\s/);
        expect(toSingleLine(out)).toBe(out); // idempotent
      }),
    );
  });
});

describe('multi-line values (the message, transcript turns)', () => {
  it('keeps line breaks (CRLF and CR become LF) and tabs', () => {
    expect(toMultiLine('Hi,\r\nwe are 2,000 people.\rThanks\n\tJane')).toBe('Hi,\nwe are 2,000 people.\nThanks\n\tJane');
    expect(toMultiLine('one\u2028two\u2029three')).toBe('one\ntwo\nthree');
  });

  it('drops other controls, bidi and invisible characters, and trims the ends', () => {
    expect(toMultiLine('\u0000  Need\u0007 a \u202Edemo\u202C\u200B  \n')).toBe('Need a demo');
  });

  it('never leaves a control character other than LF and tab, nor a bidi or invisible one', () => {
    fc.assert(
      fc.property(hostile(120), (s) => {
        const out = toMultiLine(s);
        expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\r\u2028\u2029]/);
        expect(out).not.toMatch(BIDI_OR_INVISIBLE);
        expect(toMultiLine(out)).toBe(out);
      }),
    );
  });
});

describe('the schema fields at the edge', () => {
  const name = singleLineText('the name', 200);
  const message = multiLineText('the message', 5_000);

  it('hands the normalised value on', () => {
    expect(name.parse('  Jane\r\nPark\u202E ')).toBe('Jane Park');
    expect(message.parse('line one\r\nline two')).toBe('line one\nline two');
    const lead = leadSchema.parse({
      email: 'jane@mercyhealth.org',
      name: 'Jane\r\nBcc: x@evil.example',
      company: 'Mercy\u202EHealth\u0000',
      message: 'We are\r\nin Seattle\u200B',
      transcript: [{ from: 'buyer', text: 'a\r\nb' }],
      fields: { title: 'CTO\nInjected: yes', city: '\u2066Seattle\u2069' },
    });
    expect(lead).toMatchObject({
      name: 'Jane Bcc: x@evil.example',
      company: 'MercyHealth',
      message: 'We are\nin Seattle',
      transcript: [{ from: 'buyer', text: 'a\nb' }],
      fields: { title: 'CTO Injected: yes', city: 'Seattle' },
    });
  });

  it('refuses a value with nothing visible left, saying what and why (a clear 400 at the API)', () => {
    for (const blank of ['', '   ', '\r\n\t', '\u202E\u202C', '\u200B\uFEFF\u2060', '\u0000\u0007', '\u00a0\u3000']) {
      const result = name.safeParse(blank);
      expect(result.success, JSON.stringify(blank)).toBe(false);
      expect(result.error!.issues[0]!.message).toBe(
        'the name needs a visible character (control, bidi and invisible characters are removed); leave it out if it is unknown',
      );
      expect(message.safeParse(blank).success, JSON.stringify(blank)).toBe(false);
    }
    const lead = leadSchema.safeParse({ email: 'jane@mercyhealth.org', company: '\u202E\u200B' });
    expect(lead.success).toBe(false);
    expect(lead.error!.issues[0]).toMatchObject({ path: ['company'], message: expect.stringMatching(/^the company needs a visible character/) });
  });

  it('limits the length as sent, naming the limit', () => {
    expect(name.safeParse('x'.repeat(201)).error?.issues[0]?.message).toBe('the name is limited to 200 characters');
    expect(name.safeParse('x'.repeat(200)).success).toBe(true);
  });

  it('the visible-character pattern accepts exactly what the normalisers leave non-empty', () => {
    fc.assert(
      fc.property(hostile(20), (s) => {
        expect(VISIBLE_CHARACTER.test(s)).toBe(toSingleLine(s).length > 0);
        expect(VISIBLE_CHARACTER.test(s)).toBe(toMultiLine(s).length > 0);
      }),
      { numRuns: 1_000 },
    );
  });
});
