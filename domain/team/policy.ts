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
  /** After booking (section 6 of the contract): reminder offsets before the start, longest first. */
  reminders: number[];
  maxReschedules: number;
  /** Inside this much of the start a change goes to the rep as a task instead. */
  rescheduleCutoffMs: number;
  /** After the meeting ends, when the rep is asked how it went. */
  outcomeAfterMs: number;
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
    reminders: team.booking.reminders,
    maxReschedules: team.booking.maxReschedules,
    rescheduleCutoffMs: team.booking.rescheduleCutoff,
    outcomeAfterMs: team.booking.outcomeAfter,
  };
}
