import { z } from 'zod';
import { multiLineText, singleLineText } from './text-safety';

export const transcriptEntrySchema = z.strictObject({
  from: z.enum(['buyer', 'agent']),
  text: multiLineText('the transcript turn', 20_000),
});

/** Facts a form or CRM already knows; each one wins over anything extracted from text. */
export const leadFieldsSchema = z.strictObject({
  employees: z.number().int().nonnegative().max(100_000_000).optional(),
  industry: singleLineText('the industry', 200).optional(),
  city: singleLineText('the city', 200).optional(),
  state: singleLineText('the state', 200).optional(),
  country: singleLineText('the country', 200).optional(),
  budget: z.number().nonnegative().optional(),
  timezone: singleLineText('the time zone', 100).optional(),
  urgent: z.boolean().optional(),
  title: singleLineText('the title', 200).optional(),
  phone: singleLineText('the phone number', 50).optional(),
});

/**
 * The edge of Baton: every lead, from the API or `baton route --lead`, is parsed here. Names and
 * companies reach email headers and subjects, calendar titles and CRM fields, so they are made one
 * plain line (text-safety.ts); the buyer's message keeps its lines but loses control characters.
 */
/**
 * An address as people and mail providers write it: a dot-atom local part (RFC 5322, no quoted
 * strings or comments) and a DNS host name with a top-level label that starts with a letter
 * (punycode `xn--` included). A plain pattern, without look-arounds, so that the OpenAPI document
 * carries the very same one and generated clients and test tools agree with the validator.
 */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])$/;

export const emailSchema = z.string().max(320).regex(EMAIL_PATTERN, { message: 'expected an email address such as jane@example.com' });

export const leadSchema = z.strictObject({
  email: emailSchema,
  name: singleLineText('the name', 200).optional(),
  company: singleLineText('the company', 200).optional(),
  message: multiLineText('the message', 20_000).optional(),
  transcript: z.array(transcriptEntrySchema).max(200).optional(),
  fields: leadFieldsSchema.optional(),
});

export type Lead = z.infer<typeof leadSchema>;
export type LeadFields = z.infer<typeof leadFieldsSchema>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailDomain(email: string): string {
  return normalizeEmail(email).split('@')[1] ?? '';
}

/** Workflow ids allow most characters; keep the email readable in the Temporal UI. */
export function leadWorkflowId(email: string): string {
  return `lead-${normalizeEmail(email)}`;
}

/** Everything the buyer wrote, in order: the message first, then their transcript turns. */
export function buyerText(lead: Pick<Lead, 'message' | 'transcript'>): string {
  const turns = (lead.transcript ?? []).filter((t) => t.from === 'buyer').map((t) => t.text);
  return [lead.message ?? '', ...turns].filter(Boolean).join('\n');
}
