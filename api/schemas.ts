import { z } from 'zod';
import { leadSchema } from '../domain/qualify/lead';
import { multiLineText } from '../domain/qualify/text-safety';
import { attentionSchema, chatMessageSchema as chatMessage, leadEventSchema } from '../domain/converse/conversation-schema';
import { LEAD_STAGES, MEETING_OUTCOMES } from '../domain/lead-stages';
import { factsSchema } from '../domain/qualify/facts-schema';
import { routeDecisionSchema } from '../domain/route/route-schema';
import { bookingSchema, proposalSchema } from '../domain/schedule/booking-schema';

export { leadSchema };

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

// Base64url of an address of up to 320 characters, a dot and a run id: up to 465 characters.
export const leadIdParams = z.object({ leadId: z.string().min(1).max(512) });
export const stageSchema = z.enum(LEAD_STAGES);

export const createdLeadSchema = z.object({
  leadId: z.string(),
  workflowId: z.string(),
  /** Reads and answers only this lead (header `Authorization: Bearer <token>`, or `?token=` on the events route). */
  buyerToken: z.string(),
});

/** The longest buyer message the API relays; longer ones are refused with 400, naming the limit. */
export const MAX_MESSAGE_CHARS = 5_000;
export const messageBodySchema = z.strictObject({ text: multiLineText('the message', MAX_MESSAGE_CHARS) });
export const bookingBodySchema = z.strictObject({ proposalId: z.string().min(1).max(50) });

// The lead's values are defined once, in domain/, and reused here: the OpenAPI document describes them fully.
export { bookingSchema, proposalSchema };

/** A message as the API lists it: the conversation's message with its event id and time. */
export const chatMessageSchema = chatMessage.extend({ id: leadEventSchema.shape.id, at: leadEventSchema.shape.at });

export const leadViewSchema = z.object({
  leadId: z.string(),
  workflowId: z.string(),
  stage: stageSchema,
  lead: z.object({ email: z.string(), name: z.string().optional(), company: z.string().optional() }),
  receivedAt: z.string(),
  facts: factsSchema.nullable(),
  route: routeDecisionSchema.nullable(),
  proposals: z.array(proposalSchema),
  booking: bookingSchema.nullable(),
  bookingAttempts: z.number(),
  nextDeadline: z.string().nullable(),
  attention: attentionSchema.nullable(),
  closedReason: z.string().nullable(),
  /** After booking: the meeting's outcome so far, how often it moved, the reminders sent (ms before the start). */
  meeting: z
    .object({ outcome: z.enum(MEETING_OUTCOMES), reschedules: z.number().int(), remindersSent: z.array(z.number()) })
    .nullable(),
  messages: z.array(chatMessageSchema),
  temporalUiUrl: z.string().nullable(),
});

/**
 * What a buyer token reads: its conversation and meeting, nothing Baton decided about the buyer
 * (facts, routing reasoning with CRM owners and PTO, provider errors, internal links). When the lead
 * view gains a field, decide here whether the buyer may see it.
 */
export const buyerBookingSchema = bookingSchema.pick({ proposalId: true, start: true, end: true, meetLink: true });
export const buyerLeadViewSchema = leadViewSchema.pick({ leadId: true, stage: true, proposals: true, messages: true }).extend({
  booking: buyerBookingSchema.nullable(),
  meeting: z.object({ outcome: z.enum(MEETING_OUTCOMES), reschedules: z.number().int() }).nullable(),
});

export const bookingResultSchema = z.object({ booking: bookingSchema });
export const conflictSchema = errorSchema.extend({ proposals: z.array(proposalSchema) });

export const opsQuerySchema = z.strictObject({
  stage: stageSchema.optional(),
  stuck: z.enum(['true', 'false']).optional(),
  /** A rep id (letters, digits, - and _), as in team.yaml. */
  rep: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, { message: 'expected a rep id (letters, digits, - and _)' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const opsLeadSchema = z.object({
  leadId: z.string(),
  workflowId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  company: z.string().nullable(),
  stage: z.string(),
  /** Needs attention, or running past its next deadline. */
  stuck: z.boolean(),
  rep: z.string().nullable(),
  pool: z.string().nullable(),
  source: z.string().nullable(),
  nextDeadline: z.string().nullable(),
  startedAt: z.string(),
  status: z.string(),
  temporalUiUrl: z.string().nullable(),
});

export const opsLeadsSchema = z.object({
  counts: z.record(z.string(), z.number()),
  leads: z.array(opsLeadSchema),
});

export const outboxSchema = z.object({
  emails: z.array(
    z.object({
      id: z.number(),
      to: z.array(z.object({ email: z.string(), name: z.string().optional() })),
      cc: z.array(z.object({ email: z.string(), name: z.string().optional() })),
      subject: z.string(),
      text: z.string(),
      html: z.string(),
      sentAt: z.string(),
    }),
  ),
});

export const healthSchema = z.object({ ok: z.boolean(), temporal: z.enum(['reachable', 'unreachable']) });
