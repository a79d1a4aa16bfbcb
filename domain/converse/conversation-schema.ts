/**
 * The conversation as the lead records it, as schemas: one definition of the message, event and
 * attention types the workflow keeps (type-only there) and of what the API and the event stream send.
 */
import { z } from 'zod';
import { LEAD_STAGES } from '../lead-stages';

export const chatMessageSchema = z.object({
  from: z.enum(['buyer', 'agent']),
  text: z.string(),
  /** Proposal ids this agent message offers, so a chat UI can render them as buttons. */
  proposalIds: z.array(z.string()).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const leadEventSchema = z.object({
  /** Increasing over the lead's whole life (continue-as-new included): the event stream's resume point. */
  id: z.number().int(),
  at: z.iso.datetime(),
  type: z.enum(['stage', 'message']),
  stage: z.enum(LEAD_STAGES).optional(),
  message: chatMessageSchema.optional(),
});
export type LeadEvent = z.infer<typeof leadEventSchema>;

export const attentionSchema = z.object({
  reason: z.string(),
  since: z.iso.datetime(),
  /** What unblocks it: an ops `resume` signal after fixing the cause, or the buyer replying. */
  waitingFor: z.enum(['ops', 'buyer']),
});
export type Attention = z.infer<typeof attentionSchema>;
