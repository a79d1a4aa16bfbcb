import type { Team } from './team';

/**
 * How a lead is handled, as the worker's team says: the part of team.yaml the lead workflow
 * itself reads (activities read the rest from the worker's team). Plain data: it travels into the
 * workflow, where it is fixed for the lead's whole life (continue-as-new carries it).
 */
export interface BookingPolicy {
  meetingMinutes: number;
  proposals: number;
  replyTimeoutMs: number;
  nudgeAfterMs: number;
  maxBookingAttempts: number;
  companyName: string;
  companyTimezone: string;
  /** An LLM is configured: replies are classified and briefings written by it (validated). */
  useLlm: boolean;
}

export function policyOf(team: Team, useLlm: boolean): BookingPolicy {
  return {
    meetingMinutes: team.booking.meetingMinutes,
    proposals: team.booking.proposals,
    replyTimeoutMs: team.booking.replyTimeout,
    nudgeAfterMs: team.booking.nudgeAfter,
    maxBookingAttempts: team.booking.maxBookingAttempts,
    companyName: team.company.name,
    companyTimezone: team.company.timezone,
    useLlm,
  };
}
