/**
 * A routing decision, as a schema: the one definition of the RouteDecision type (routing.ts) and of
 * the `route` the API returns, so its OpenAPI document describes who the lead went to and why.
 * Type-only importers (the workflow) carry no zod.
 */
import { z } from 'zod';
import { factsSchema } from '../qualify/facts-schema';
import { DISTRIBUTIONS } from '../team/pools';
import { TURN_POLICIES } from './pool-ledger';

export const ROUTE_SOURCES = ['owner', 'rule', 'fallback'] as const;

const interval = z.object({ start: z.number().describe('epoch ms'), end: z.number().describe('epoch ms') });

export const routeDecisionSchema = z.object({
  target: z.object({ type: z.enum(['rep', 'pool']), id: z.string() }),
  /** The rep(s) who own the lead; for `group` pools, every member who may take it. */
  reps: z.array(z.string()),
  /** Everyone who must attend: `reps` (or, for group, none fixed) plus attendees a rule added. */
  attendees: z.array(z.string()),
  source: z.enum(ROUTE_SOURCES),
  rule: z.object({ index: z.number().int(), text: z.string() }).nullable(),
  /** Reps covered for PTO on the way, hop by hop. */
  escalated: z.array(z.object({ from: z.string(), to: z.string(), reason: z.literal('pto') })),
  facts: factsSchema,
  reasoning: z.string(),
  pool: z.string().nullable(),
  distribution: z.enum(DISTRIBUTIONS).nullable(),
  /** `any`: the lead goes to whichever of `reps` is free at the chosen time (group distribution). */
  mode: z.enum(['all', 'any']),
  /** Attendees added by the rule, beyond the owning rep(s). */
  extraAttendees: z.array(z.string()),
  /** The lead's segment, for learning: the lead passes it with its meeting events (absent on older decisions). */
  segment: z.object({ industry: z.string().nullable(), size: z.string().nullable(), territory: z.string().nullable() }).optional(),
  /** The pool turns this decision took: each pool hears how the meeting went (absent on older decisions). */
  poolTurns: z.array(z.object({ pool: z.string(), rep: z.string(), policy: z.enum(TURN_POLICIES) })).optional(),
  /** Times a rep must not be booked at: periods where they are at their cap (absent on older decisions). */
  blocked: z.record(z.string(), z.array(interval)).optional(),
});

export type RouteDecision = z.infer<typeof routeDecisionSchema>;
