/**
 * The pools' side of a lead: answering the pool turns a decision asks for (between its pure steps),
 * and telling a pool what happened to a meeting it gave out.
 */
import { InputError } from '../domain/errors';
import type { PoolService } from '../domain/route/distribution';
import type { TurnAnswer, TurnRequest, TurnSteps } from '../domain/route/fairness';
import type { Segment } from '../domain/route/learning';
import { MEETING_EVENTS, type MeetingEventType } from '../domain/route/pool-ledger';
import { poolTurnRequest } from '../domain/route/routing';
import type { Pool } from '../domain/team/config';
import type { Team } from '../domain/team/team';
import type { ActivityDeps } from './deps';

/** Asks one pool turn. */
export type AskTurn = (request: TurnRequest) => Promise<TurnAnswer>;

/**
 * Turns asked on behalf of one lead in one activity. Request ids are `scope#n` (the lead run and
 * step, then a counter), so a retried activity asks the same questions under the same ids and gets
 * the same answers, never new turns.
 */
export function turnsFor(pools: PoolService, scope: string, leadId: string): AskTurn {
  let calls = 0;
  return (request) => pools.turn(request, { requestId: `${scope}#${calls++}`, leadId });
}

/** Runs a decision to its end: each pool turn it yields is asked, and the answer handed back. */
export async function runTurns<T>(steps: TurnSteps<T>, ask: AskTurn): Promise<T> {
  let step = steps.next();
  while (!step.done) step = steps.next(await ask(step.value));
  return step.value;
}

/**
 * Builds the pool turns asked at a known meeting time (a booking, a cover for a booked meeting):
 * caps count by meeting date, so every eligible member is checked at `meetingStart`.
 */
export function turnsAtMeeting(team: Team, context: { at: number; meetingStart: number; segment: Segment | null }): (pool: Pool, eligible: string[]) => TurnRequest {
  return (pool, eligible) =>
    poolTurnRequest(team, pool, eligible, { at: context.at, segment: context.segment, meetingAt: Object.fromEntries(eligible.map((id) => [id, context.meetingStart])) });
}

/** What the lead workflow reports to a pool about one of its meetings. */
export interface ReportMeetingInput {
  /** Idempotency key, unique per event of the lead (e.g. `<workflowId>/<runId>/booked-1`): a retry changes nothing. */
  key: string;
  poolId: string;
  /** The lead workflow's id (the same `workflowId` its routing turn carried). */
  leadId: string;
  /** Who has the meeting (after any cover). */
  repId: string;
  event: MeetingEventType;
  /** ISO start: required for `booked` and `rescheduled` (the new start). */
  meetingStart?: string;
  /** The lead's segment (RouteDecision.segment), for learning. */
  segment?: Segment;
}

export function poolActivities(deps: ActivityDeps) {
  return {
    /** Signals the pool workflow (starting it if needed); the pool applies each key once. */
    async reportMeetingToPool(input: ReportMeetingInput): Promise<void> {
      const { key, poolId, leadId, repId, event, meetingStart, segment } = input;
      if (!deps.team.pools.some((p) => p.id === poolId)) throw new InputError(`reportMeetingToPool: unknown pool "${poolId}" (known: ${deps.team.pools.map((p) => p.id).join(', ')})`);
      if (!MEETING_EVENTS.includes(event)) throw new InputError(`reportMeetingToPool: event must be one of ${MEETING_EVENTS.join(', ')}, got "${event}"`);
      if (!key || !leadId || !repId) throw new InputError('reportMeetingToPool: key, leadId and repId are required');
      const needsStart = event === 'booked' || event === 'rescheduled';
      if (meetingStart !== undefined ? Number.isNaN(Date.parse(meetingStart)) : needsStart) {
        throw new InputError(`reportMeetingToPool: ${event} needs meetingStart as an ISO date-time, got ${meetingStart === undefined ? 'none' : `"${meetingStart}"`}`);
      }
      await deps.pools.report(poolId, { key, leadId, repId, event, ...(meetingStart ? { meetingStart } : {}), ...(segment ? { segment } : {}) });
    },
  };
}
