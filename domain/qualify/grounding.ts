/**
 * Grounding a model's facts in what the buyer actually wrote: every fact the model gives comes
 * with a quote, and the quote must be found in the buyer's own words, compared after
 * normalisation (case, accents, curly or straight quotes and apostrophes, punctuation, whitespace),
 * whole words only. A quote may skip words with "..." as long as its parts appear in order, in one
 * piece of text. Pure.
 */
import type { Lead } from './lead';

/** Lower case, no accents, apostrophes dropped, any other punctuation a space, whitespace collapsed. */
export function normalizeQuote(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const ELLIPSIS = /\s*(?:\.{3,}|…)\s*/;

/**
 * The buyer's own words: the message, the buyer's turns of the transcript (agent turns are not the
 * buyer's) and the company name they typed. Each piece is searched on its own, so a quote cannot
 * be stitched together across them.
 */
export class BuyerWords {
  private readonly pieces: string[];

  constructor(lead: Pick<Lead, 'message' | 'transcript' | 'company'>) {
    const texts = [lead.message, ...(lead.transcript ?? []).filter((t) => t.from === 'buyer').map((t) => t.text), lead.company];
    this.pieces = texts.filter((t): t is string => !!t?.trim()).map((t) => ` ${normalizeQuote(t)} `);
  }

  /** True when the quote (its parts around any "...", in order) is found word for word in one piece. */
  contains(quote: string | null | undefined): boolean {
    const parts = (quote ?? '').split(ELLIPSIS).map(normalizeQuote).filter(Boolean);
    if (parts.length === 0) return false;
    return this.pieces.some((piece) => {
      let from = 0;
      for (const part of parts) {
        const at = piece.indexOf(` ${part} `, from);
        if (at < 0) return false;
        from = at + part.length + 1;
      }
      return true;
    });
  }
}

const NUMBER_WORD =
  /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|dozens|hundreds|thousands|millions)\b/i;

/** A number in words or digits: what a quote for an amount or a head count must contain. */
export function namesANumber(quote: string): boolean {
  return NUMBER_WORD.test(quote);
}
