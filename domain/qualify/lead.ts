import { z } from 'zod';

export const transcriptEntrySchema = z.strictObject({
  from: z.enum(['buyer', 'agent']),
  text: z.string().max(20_000),
});

/** Facts a form or CRM already knows; each one wins over anything extracted from text. */
export const leadFieldsSchema = z.strictObject({
  employees: z.number().int().nonnegative().optional(),
  industry: z.string().max(200).optional(),
  city: z.string().max(200).optional(),
  state: z.string().max(200).optional(),
  country: z.string().max(200).optional(),
  budget: z.number().nonnegative().optional(),
  timezone: z.string().max(100).optional(),
  urgent: z.boolean().optional(),
  title: z.string().max(200).optional(),
  phone: z.string().max(50).optional(),
});

export const leadSchema = z.strictObject({
  email: z.email().max(320),
  name: z.string().max(200).optional(),
  company: z.string().max(200).optional(),
  message: z.string().max(20_000).optional(),
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
