/**
 * What Baton knows about a lead, as a schema: the one definition of the Facts type (facts.ts) and of
 * the `facts` the API returns (its OpenAPI document describes every field from here). Type-only
 * importers (the workflow) carry no zod.
 */
import { z } from 'zod';

export const DISQUALIFICATION_REASONS = ['spam', 'student', 'job_seeker', 'competitor', 'vendor_pitch'] as const;
export type DisqualificationReason = (typeof DISQUALIFICATION_REASONS)[number];

/** One fact and where it came from; a quote is the buyer's own words it rests on. */
export const factSchema = <T extends z.ZodType>(value: T) =>
  z.object({ value, source: z.enum(['field', 'message', 'transcript', 'llm']), quote: z.string().optional() });

export interface Fact<T> {
  value: T;
  source: 'field' | 'message' | 'transcript' | 'llm';
  quote?: string;
}

export const factsSchema = z.object({
  budgetUsd: factSchema(z.number()).optional(),
  employees: factSchema(z.number()).optional(),
  /** Canonical lower-case id (see INDUSTRIES), or a lower-cased value from a field or the LLM. */
  industry: factSchema(z.string()).optional(),
  city: factSchema(z.string()).optional(),
  /** US 2-letter code. */
  state: factSchema(z.string()).optional(),
  /** ISO 3166-1 alpha-2. */
  country: factSchema(z.string()).optional(),
  /** Every territory the location is in: built-in ones, then configured ones (names as written in config). */
  territories: z.array(z.string()),
  /** Configured competitors named in the text (config spelling), even when negated. */
  mentions: z.array(factSchema(z.string())),
  urgent: factSchema(z.boolean()).optional(),
  /** IANA zone: fields.timezone, else inferred from city/state/country when unambiguous. */
  timezone: factSchema(z.string()).optional(),
  productInterest: factSchema(z.string()).optional(),
  disqualified: z.object({ reason: z.enum(DISQUALIFICATION_REASONS), quote: z.string().optional() }).optional(),
  /**
   * A model's disqualification that Baton did not confirm (no grounded quote, or its own signals
   * disagree): the lead goes on, and the rep sees the doubt in the briefing.
   */
  doubt: z.object({ reason: z.enum(DISQUALIFICATION_REASONS), quote: z.string().optional(), why: z.string() }).optional(),
  /** `llm`: the deterministic extractor's facts plus the model's grounded ones. */
  extractor: z.enum(['deterministic', 'llm']),
  notes: z.array(z.string()),
});

export type Facts = z.infer<typeof factsSchema>;
