/**
 * Times offered and the meeting booked, as schemas: the one definition of the Proposal and Booking
 * types the workflow carries (type-only, no zod there) and of what the API returns.
 */
import { z } from 'zod';

export const proposalSchema = z.object({
  /** `<round>-<n>`: the n-th option of the round-th set offered. */
  id: z.string(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /** Rep ids who would attend; for group pools, the members free at that time. */
  attendees: z.array(z.string()),
});
export type Proposal = z.infer<typeof proposalSchema>;

export const bookingSchema = z.object({
  proposalId: z.string(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /** The calendar event on the organizer's calendar (the first of `reps`): moved, never booked twice. */
  eventId: z.string(),
  /** Who owns the meeting, the organizer first. */
  reps: z.array(z.string()),
  /** Everyone at it: the reps and whoever a rule added. */
  attendees: z.array(z.string()),
  attempt: z.number().int(),
  meetLink: z.string().optional(),
  /** Reps on PTO at booking time and who covered for them. */
  escalated: z.array(z.object({ from: z.string(), to: z.string(), reason: z.literal('pto') })),
});
export type Booking = z.infer<typeof bookingSchema>;
