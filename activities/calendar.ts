import { Context } from '@temporalio/activity';
import { followBackups, isOnPtoDuring, possibleCovers } from '../domain/route/availability';
import { planBooking } from '../domain/schedule/booking-plan';
import { findRep } from '../domain/team/config';
import { SlotConflict } from '../domain/errors';
import type { Lead } from '../domain/qualify/lead';
import type { RouteDecision } from '../domain/route/routing';
import { teamSlotQuery } from '../domain/team/team';
import { DAY_MS, openSlotAt, proposeSlots, searchLimit, type Busy, type SlotQuery, type TimeConstraint } from '../domain/schedule/slots';
import type { CreatedEvent } from '../integrations/providers';
import type { Booking, Proposal } from '../workflows/lead/messages';
import { currentRunId, type ActivityDeps } from './deps';
import { turnsAtMeeting, turnsFor } from './pool';
import { EXTENSION_MS, loadCalendars } from './route';

export function slotQuery(deps: ActivityDeps, ids: string[], calendars: Record<string, Busy[]>, now: number, mode: 'all' | 'any', required: string[] = []): SlotQuery {
  return teamSlotQuery(deps.team, ids, calendars, now, mode, required);
}

/**
 * Who must be free for a slot: every attendee; or, for a group pool, one of the pool's reps and
 * every attendee the rule added ("... go to the enterprise team with Mark": Mark's calendar counts).
 */
export function attendeesFor(decision: RouteDecision): { ids: string[]; mode: 'all' | 'any'; required: string[] } {
  return decision.mode === 'any'
    ? { ids: decision.reps, mode: 'any', required: decision.extraAttendees }
    : { ids: decision.attendees, mode: 'all', required: [] };
}

/**
 * A rep's periods at their pool cap (RouteDecision.blocked) are busy for this lead: no time is
 * offered there. Takes the decision, or just its `blocked` (a booked meeting's new times).
 */
export function withBlocked(calendars: Record<string, Busy[]>, decision: Pick<RouteDecision, 'blocked'>): Record<string, Busy[]> {
  const blocked = Object.entries(decision.blocked ?? {});
  if (blocked.length === 0) return calendars;
  const out = { ...calendars };
  for (const [id, periods] of blocked) out[id] = [...(out[id] ?? []), ...periods.map((p) => ({ start: p.start, end: p.end, type: 'busy' as const }))];
  return out;
}

export interface FoundTimes {
  slots: { start: string; end: string; reps: string[] }[];
  extended: boolean;
  /** With a constraint's preferredStart ("an hour later"): whether that exact time was open. */
  preferredOpen?: boolean;
}

export async function findTimesFor(
  deps: ActivityDeps,
  input: { decision: RouteDecision; now: number; count: number; buyerTimezone?: string; constraint?: TimeConstraint },
): Promise<FoundTimes> {
  const { decision, ...rest } = input;
  return findTimesAmong(deps, { ...attendeesFor(decision), ...rest, ...(decision.blocked ? { blocked: decision.blocked } : {}) });
}

/** What a search for times takes: among whom, from when, how many, and what the buyer asked for. */
export interface TimesRequest {
  ids: string[];
  mode: 'all' | 'any';
  required?: string[];
  now: number;
  count: number;
  buyerTimezone?: string;
  constraint?: TimeConstraint;
  /** A booked meeting being moved: its own event is not in the way of its new time. */
  ignore?: { start: string; end: string };
  /** The routing decision's periods where a rep is at their pool cap (RouteDecision.blocked): never offered. */
  blocked?: RouteDecision['blocked'];
}

/** The times to offer among given reps (every one of them, or any one for a group pool), from their calendars. */
export async function findTimesAmong(
  deps: ActivityDeps,
  input: TimesRequest,
): Promise<FoundTimes> {
  const { ids, mode } = input;
  const required = input.required ?? [];
  // A preferred start or a window past the horizon ("push it a week", "next month") is searched
  // too, so the calendars are read as far as the search can go.
  const usual = input.now + deps.team.booking.horizon + EXTENSION_MS;
  const until = input.constraint
    ? Math.max(usual, searchLimit({ now: input.now, horizonMs: deps.team.booking.horizon, constraint: input.constraint }) + DAY_MS)
    : usual;
  const loaded = await loadCalendars(deps, [...ids, ...required], input.now, until);
  if (input.ignore) {
    const [start, end] = [Date.parse(input.ignore.start), Date.parse(input.ignore.end)];
    for (const id of Object.keys(loaded)) loaded[id] = loaded[id]!.filter((b) => !(b.type === 'busy' && b.start === start && b.end === end));
  }
  // After `ignore`: a cap period that happens to match the meeting's own times still blocks.
  const calendars = withBlocked(loaded, { blocked: input.blocked });
  const found = proposeSlots({
    ...slotQuery(deps, ids, calendars, input.now, mode, required),
    ...(input.constraint ? { constraint: input.constraint } : {}),
    count: input.count,
    ...(input.buyerTimezone ? { buyerTimezone: input.buyerTimezone } : {}),
  });
  return {
    slots: found.slots.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), reps: s.reps })),
    extended: found.extended,
    ...(found.preferredOpen !== undefined ? { preferredOpen: found.preferredOpen } : {}),
  };
}

/**
 * The event an earlier try of this booking created, looked up by its key on the calendars of
 * whoever that try could have made organizer: for a group pool, each rep offered at that time; else
 * the owning rep, their backups in order, then pool mates of any of them (cover for PTO). With it,
 * who the try booked.
 */
async function findOwnEvent(
  deps: ActivityDeps,
  key: string,
  decision: RouteDecision,
  proposal: Proposal,
): Promise<{ event: CreatedEvent; reps: string[]; escalated: Booking['escalated'] } | null> {
  const { team } = deps;
  const owner = decision.reps[0]!;
  const covers = possibleCovers(team, owner);
  const { chain } = covers;
  const candidates = decision.mode === 'any' ? proposal.attendees : covers.candidates;
  const event = await deps.providers.calendar.findEvent(
    candidates.map((id) => ({ repId: id, email: findRep(team, id)!.email })),
    key,
  );
  if (!event) return null;
  const id = event.organizer.repId;
  if (decision.mode === 'any') return { event, reps: [id], escalated: [] };
  const escalated = chain.includes(id)
    ? followBackups(team, owner, (candidate) => candidate !== id).escalated
    : [...followBackups(team, owner, () => true).escalated, { from: owner, to: id, reason: 'pto' as const }];
  return { event, reps: [id, ...decision.reps.slice(1)], escalated };
}

export function calendarActivities(deps: ActivityDeps) {
  const { team, providers } = deps;
  const rep = (id: string) => team.reps.find((r) => r.id === id)!;

  return {
    /**
     * Times every one of these reps can do (a booked meeting's attendees, when the buyer wants to
     * move it). `blocked` is the lead's routing decision's cap periods (RouteDecision.blocked), as
     * the pool answered when the lead was routed: a move never lands where a rep was already at
     * their cap then. A cap filled since routing is not seen here (moving a meeting takes no pool
     * turn); a rep who took over the meeting as cover has no periods in it.
     */
    async findTimesWith(input: Omit<TimesRequest, 'mode' | 'required'> & { workflowId: string }): Promise<FoundTimes> {
      const { workflowId: _workflowId, ...rest } = input;
      return findTimesAmong(deps, { ...rest, mode: 'all' });
    },

    async findTimes(input: {
      workflowId: string;
      decision: RouteDecision;
      now: number;
      count: number;
      buyerTimezone?: string;
      constraint?: TimeConstraint;
    }): Promise<FoundTimes> {
      return findTimesFor(deps, input);
    },

    /**
     * Re-checks every attendee's calendar and PTO for the chosen time, replaces reps who went on
     * PTO with their backup, then books. Throws SlotConflict (non-retryable) when the time is gone.
     * The event key is the lead run + attempt, so a retried activity never books twice.
     */
    async bookMeeting(input: {
      workflowId: string;
      attempt: number;
      proposal: Proposal;
      decision: RouteDecision;
      lead: Lead;
      now: number;
    }): Promise<Booking> {
      const { proposal, decision, lead } = input;
      const start = Date.parse(proposal.start);
      const end = Date.parse(proposal.end);
      const runId = currentRunId();
      const key = `${input.workflowId}/${runId}/attempt-${input.attempt}`;
      const booked = (reps: string[], attendees: string[], event: CreatedEvent, escalated: Booking['escalated']): Booking => {
        if (event.conference === 'failed') {
          // The calendar could not create the video call: the meeting stands, the invite and intro email go without a link.
          deps.log?.('warn', 'video conference could not be created for the booked meeting', { workflowId: input.workflowId, eventId: event.eventId });
        }
        return bookingOf(reps, attendees, event, escalated);
      };
      const bookingOf = (reps: string[], attendees: string[], event: CreatedEvent, escalated: Booking['escalated']): Booking => ({
        proposalId: proposal.id,
        start: proposal.start,
        end: proposal.end,
        eventId: event.eventId,
        reps,
        attendees,
        attempt: input.attempt,
        escalated,
        ...(event.meetLink ? { meetLink: event.meetLink } : {}),
      });
      // A retry after the event was created but its result lost (worker killed, Temporal restarted)
      // would see that event as busy: taken for a conflict, it would re-propose and leave a phantom
      // meeting, and PTO cover would pick someone else. So a retry first looks for its own event.
      if (Context.current().info.attempt > 1) {
        const mine = await findOwnEvent(deps, key, decision, proposal);
        // Attendees a rule added are reported as routed (cover given to them in that try is not known).
        if (mine) return booked(mine.reps, [...new Set([...mine.reps, ...decision.extraAttendees])], mine.event, mine.escalated);
      }

      if (start <= input.now) throw new SlotConflict(`${proposal.start} has already passed`);
      const everyone = team.reps.map((r) => r.id);
      const calendars = await loadCalendars(deps, everyone, start - 86_400_000, end + 86_400_000);
      const query = (ids: string[]) => slotQuery(deps, ids, calendars, Math.min(input.now, start - team.booking.minNotice), 'all');
      const free = new Set(everyone.filter((id) => openSlotAt(query([id]), start) !== null));
      const away = new Set(everyone.filter((id) => isOnPtoDuring(rep(id), start, end, (calendars[id] ?? []).filter((b) => b.type === 'ooo'))));

      // Pool turns at booking time know the meeting's start: caps count by meeting date. Covers and
      // a group's pick are asked under scopes of their own, so a retry gets the same answers.
      const turnAt = turnsAtMeeting(team, { at: input.now, meetingStart: start, segment: decision.segment ?? null });
      const ask = {
        cover: turnsFor(deps.pools, `${input.workflowId}/${runId}/cover-${input.attempt}`, input.workflowId),
        book: turnsFor(deps.pools, `${input.workflowId}/${runId}/book-${input.attempt}`, input.workflowId),
      };
      const plan = planBooking(team, decision, { proposal, free, away }, turnAt);
      let step = plan.next();
      while (!step.done) step = plan.next(await ask[step.value.kind](step.value.request));
      const { reps, attendees, escalated } = step.value;

      const organizer = rep(reps[0]!);
      const names = attendees.map((id) => rep(id).name);
      const created = await providers.calendar.createEvent({
        key,
        organizer: { repId: organizer.id, email: organizer.email },
        attendees: [{ email: lead.email.toLowerCase(), name: lead.name }, ...attendees.map((id) => ({ email: rep(id).email.toLowerCase(), name: rep(id).name }))],
        start: proposal.start,
        end: proposal.end,
        title: `${team.company.name} <> ${lead.company ?? lead.name ?? lead.email}`,
        description: `Booked by Baton for ${lead.name ?? lead.email}${lead.company ? ` (${lead.company})` : ''} with ${names.join(', ')}.`,
      });
      return booked(reps, attendees, created, escalated);
    },
  };
}
