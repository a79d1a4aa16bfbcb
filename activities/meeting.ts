/**
 * After booking: what the meeting's life does in the outside world — reminders, moving and
 * cancelling the one calendar event, keeping the CRM meeting in step, notices and tasks for the rep,
 * and the check of the reps' side with a cover. Each activity makes one kind of write, keyed so a
 * retry repeats nothing; what to do is decided in domain/ (schedule/meeting*.ts, converse/).
 */
import { repNoticeEmail, reminderEmail, type RepNotice } from '../domain/converse/after-booking';
import { ProviderRejected, SlotConflict } from '../domain/errors';
import type { Lead } from '../domain/qualify/lead';
import { findCover, isOnPtoDuring } from '../domain/route/availability';
import { poolTurnRequest, type RouteDecision } from '../domain/route/routing';
import { findRep, type Pool, type Rep } from '../domain/team/config';
import { awayAtMeeting, type Away } from '../domain/schedule/meeting-check';
import { openSlotAt } from '../domain/schedule/slots';
import type { MeetingStatus } from '../integrations/providers';
import type { Booking } from '../workflows/lead/messages';
import { encodeLeadId } from '../domain/qualify/lead-id';
import { slotQuery } from './calendar';
import { attemptSignal, mayHaveWritten, type ActivityDeps } from './deps';
import { runTurns, turnsAtMeeting, turnsFor } from './pool';
import { loadCalendars } from './route';

const DAY_MS = 86_400_000;

/** Who the buyer meets, and the lead's contact, as notices need them. */
interface MeetingRef {
  /** `<workflow id>/<first run id>`: the same for the lead's whole life, continue-as-new included. */
  leadKey: string;
  lead: Lead;
  booking: Booking;
}

export function meetingActivities(deps: ActivityDeps) {
  const { team, providers } = deps;
  const rep = (id: string): Rep => {
    const found = findRep(team, id);
    if (!found) throw new Error(`unknown rep "${id}"`);
    return found;
  };
  const owner = (id: string) => ({ repId: id, email: rep(id).email });
  const eventOf = (b: Booking) => ({ eventId: b.eventId, organizer: owner(b.reps[0]!) });
  const outcomeLink = (leadKey: string) => outcomeLinkFor(deps.publicUrl, leadKey);
  const buyer = (lead: Lead) => ({ email: lead.email.toLowerCase(), ...(lead.name ? { name: lead.name } : {}) });

  /** Is `id` free at [start, end), apart from this booking's own event? */
  const freeAt = async (ids: string[], start: number, end: number, ignoreKeyOf: Booking | null) => {
    const calendars = await loadCalendars(deps, ids, start - DAY_MS, end + DAY_MS);
    if (ignoreKeyOf) {
      // Our own event shows as busy at the old time; a move may overlap it.
      for (const id of ids) calendars[id] = (calendars[id] ?? []).filter((b) => !(b.start === Date.parse(ignoreKeyOf.start) && b.end === Date.parse(ignoreKeyOf.end)));
    }
    const query = (id: string) => slotQuery(deps, [id], calendars, Math.min(Date.now(), start - team.booking.minNotice), 'all');
    return { calendars, busy: ids.filter((id) => openSlotAt(query(id), start) === null) };
  };

  return {
    /** The reminder email to the buyer (the rep is on the invite); one per meeting version and offset. */
    async sendReminder(input: MeetingRef & { offsetMs: number; version: number; timezone: string; now: number; resumed?: boolean }): Promise<void> {
      const { lead, booking } = input;
      const mail = reminderEmail({
        lead,
        repNames: booking.attendees.map((id) => rep(id).name),
        companyName: team.company.name,
        meeting: { start: Date.parse(booking.start), end: Date.parse(booking.end), timezone: input.timezone },
        now: input.now,
      });
      const organizer = rep(booking.reps[0]!);
      await providers.email.send({
        key: `${input.leadKey}/reminder/${input.version}/${input.offsetMs}`,
        mayHaveBeenSent: mayHaveWritten(input.resumed),
        to: [buyer(lead)],
        replyTo: { email: organizer.email, name: organizer.name },
        ...mail,
      });
    },

    /**
     * Moves the booked event to the chosen time: the same event, never a second one. Re-checks the
     * attendees first; throws SlotConflict (non-retryable) when one is no longer free then.
     */
    async moveMeeting(input: MeetingRef & { to: { start: string; end: string } }): Promise<'moved' | 'event_gone'> {
      const start = Date.parse(input.to.start);
      const end = Date.parse(input.to.end);
      if (start <= Date.now()) throw new SlotConflict(`${input.to.start} has already passed`);
      const { busy } = await freeAt(input.booking.attendees, start, end, input.booking);
      if (busy.length > 0) throw new SlotConflict(`${busy.join(', ')} no longer free at ${input.to.start}`, { details: { busy } });
      try {
        await providers.calendar.moveEvent(eventOf(input.booking), input.to);
        return 'moved';
      } catch (err) {
        // Deleted from the organizer's calendar meanwhile: the workflow books the new time as a new event.
        if (isGone(err, 'event_gone')) return 'event_gone';
        throw err;
      }
    },

    /** Cancels the event (invitees notified). Cancelling twice is harmless. */
    async cancelMeeting(input: MeetingRef): Promise<void> {
      await providers.calendar.cancelEvent(eventOf(input.booking));
    },

    /** The CRM meeting follows what happened: new times, canceled, held or missed. */
    /**
     * The CRM meeting follows what happened. One someone deleted in the CRM is not the buyer's
     * problem: it is logged and the conversation goes on (answers 'gone').
     */
    async updateCrmMeeting(input: { crmMeetingId: string; start?: string; end?: string; status?: MeetingStatus; ownerRepId?: string; note?: string }): Promise<'updated' | 'gone'> {
      const { crmMeetingId, ownerRepId, ...change } = input;
      try {
        await providers.crm.updateMeeting(crmMeetingId, { ...change, ...(ownerRepId ? { ownerEmail: rep(ownerRepId).email } : {}) }, { signal: attemptSignal() });
        return 'updated';
      } catch (err) {
        if (!isGone(err, 'crm_meeting_gone')) throw err;
        deps.log?.('warn', 'the CRM meeting was deleted in the CRM; its update is skipped', { crmMeetingId, status: change.status ?? null });
        return 'gone';
      }
    },

    /** A notice by email to the reps at the meeting (what changed, a question, the outcome request). */
    async notifyReps(input: MeetingRef & { what: string; notice: DistributiveOmit<RepNotice, 'repName' | 'repTimezone' | 'lead' | 'meeting'>; resumed?: boolean }): Promise<void> {
      const { lead, booking } = input;
      const reps = booking.attendees.map(rep);
      const first = reps[0]!;
      // The outcome link goes to the ops page's meetings, where the rep (or ops) records how it went.
      const notice = input.notice.kind === 'outcome_request' ? { ...input.notice, outcomeLink: outcomeLink(input.leadKey) } : input.notice;
      const mail = repNoticeEmail({
        ...notice,
        repName: reps.length === 1 ? first.name : 'team',
        repTimezone: first.timezone,
        lead: { email: lead.email, ...(lead.name ? { name: lead.name } : {}), ...(lead.company ? { company: lead.company } : {}) },
        meeting: { start: Date.parse(booking.start), end: Date.parse(booking.end) },
      } as RepNotice);
      await providers.email.send({
        key: `${input.leadKey}/rep-notice/${input.what}`,
        mayHaveBeenSent: mayHaveWritten(input.resumed),
        to: reps.map((r) => ({ email: r.email.toLowerCase(), name: r.name })),
        replyTo: buyer(lead),
        ...mail,
      });
    },

    /** A CRM task for the meeting's owner: a change too late to automate, a question, how it went. */
    async createRepTask(input: MeetingRef & { what: string; title: string; body: string; dueAt: string; resumed?: boolean }): Promise<void> {
      await providers.crm.createTask(
        {
          key: `${input.leadKey}/task/${input.what}`,
          contactEmail: input.lead.email,
          mayExist: mayHaveWritten(input.resumed),
          ownerEmail: rep(input.booking.reps[0]!).email,
          title: input.title,
          body: input.body,
          dueAt: input.dueAt,
        },
        { signal: attemptSignal() },
      );
    },

    /** The reps' side of the meeting now: who will not be there, and why (PTO, out of office, declined, deleted). */
    async checkMeeting(input: { booking: Booking }): Promise<Away[]> {
      const { booking } = input;
      const start = Date.parse(booking.start);
      const end = Date.parse(booking.end);
      const [event, calendars] = await Promise.all([
        providers.calendar.getEvent(eventOf(booking)),
        loadCalendars(deps, booking.attendees, start - DAY_MS, end + DAY_MS),
      ]);
      return awayAtMeeting({ meeting: { start, end }, reps: booking.attendees.map(rep), calendars, event });
    },

    /**
     * Who steps in for a rep (their backup chain, then a pool mate), for new times after the rep
     * missed a meeting. A pool's turn is asked at `now` (no meeting time is known yet, so caps are
     * checked for today) under ids keyed by the lead, so a retry gets the same cover.
     */
    async chooseCover(input: { leadKey: string; repId: string; exclude: string[]; now: number }): Promise<string | null> {
      const horizonEnd = input.now + team.booking.horizon;
      const calendars = await loadCalendars(deps, team.reps.map((r) => r.id), input.now, horizonEnd);
      const away = (id: string) =>
        id === input.repId || isOnPtoDuring(rep(id), input.now, horizonEnd, (calendars[id] ?? []).filter((b) => b.type === 'ooo'));
      const ask = (pool: Pool, eligible: string[]) => poolTurnRequest(team, pool, eligible, { at: input.now, segment: null });
      const turns = turnsFor(deps.pools, `${input.leadKey}/rep-no-show`, workflowIdOf(input.leadKey));
      const cover = await runTurns(findCover(team, input.repId, away, ask, new Set(input.exclude)), turns);
      return cover.repId;
    },

    /**
     * A cover for each rep who cannot make it, free at the same time: their backup chain, then a
     * pool mate (domain/route/availability.ts). The event is handed over (the same event). Answers
     * the booking as it now stands and whoever nobody could cover for.
     */
    async coverMeeting(input: MeetingRef & { away: Away[]; decision: RouteDecision; version: number }): Promise<{ booking: Booking; covered: { from: string; to: string }[]; uncovered: string[] }> {
      let booking = input.booking;
      const start = Date.parse(booking.start);
      const end = Date.parse(booking.end);
      const awayIds = new Set(input.away.map((a) => a.repId));
      const covered: { from: string; to: string }[] = [];
      const uncovered: string[] = [];
      const everyone = team.reps.map((r) => r.id);
      // This meeting's own event is not in anyone's way: a retry after a hand-over landed sees the
      // cover free and asks the same turns under the same ids (keyed by the meeting's version), so
      // the pool answers the same cover and the hand-over is a no-op.
      const { busy } = await freeAt(everyone, start, end, booking);
      const unavailable = (id: string) => awayIds.has(id) || busy.includes(id) || booking.attendees.includes(id);
      // Caps count by meeting date: the cover is checked on the meeting's own day.
      const ask = turnsAtMeeting(team, { at: Date.now(), meetingStart: start, segment: input.decision.segment ?? null });
      const turns = turnsFor(deps.pools, `${input.leadKey}/cover-${input.version}`, workflowIdOf(input.leadKey));
      for (const away of input.away) {
        if (away.reason === 'gone' && awayIds.size === booking.attendees.length) {
          // The whole event is gone: there is nothing to hand over; the buyer gets new times.
          uncovered.push(away.repId);
          continue;
        }
        const cover = await runTurns(findCover(team, away.repId, unavailable, ask, new Set(booking.attendees)), turns);
        if (!cover.repId) {
          uncovered.push(away.repId);
          continue;
        }
        let ref;
        try {
          ref = await providers.calendar.reassignEvent(eventOf(booking), { from: owner(away.repId), to: { ...owner(cover.repId), name: rep(cover.repId).name } });
        } catch (err) {
          // The cover was booked meanwhile, or the event went: nobody covers at that time, the buyer gets new times.
          if (err instanceof SlotConflict || isGone(err, 'event_gone')) {
            uncovered.push(away.repId);
            continue;
          }
          throw err;
        }
        const swap = (ids: string[]) => ids.map((id) => (id === away.repId ? cover.repId! : id));
        booking = { ...booking, eventId: ref.eventId, reps: swap(booking.reps), attendees: swap(booking.attendees) };
        covered.push({ from: away.repId, to: cover.repId });
      }
      return { booking, covered, uncovered };
    },
  };
}

/** The lead's workflow id from its key (`<workflow id>/<first run id>`): the lead the pools credit. */
function workflowIdOf(leadKey: string): string {
  return leadKey.slice(0, leadKey.lastIndexOf('/'));
}

/** `<public URL>/ops#meetings?lead=<leadId>`; without BATON_PUBLIC_URL, the path and the API route to use. */
function outcomeLinkFor(publicUrl: string | undefined, leadKey: string): string {
  const [workflowId, firstRunId] = [workflowIdOf(leadKey), leadKey.slice(leadKey.lastIndexOf('/') + 1)];
  const leadId = encodeLeadId(workflowId.replace(/^lead-/, ''), firstRunId);
  return publicUrl ? `${publicUrl.replace(/\/$/, '')}/ops#meetings?lead=${leadId}` : `the ops page (/ops), or POST /v1/leads/${leadId}/outcome`;
}

/** A provider's `ProviderRejected` for something deleted under us (`details.code`). */
function isGone(err: unknown, code: 'event_gone' | 'crm_meeting_gone'): boolean {
  return err instanceof ProviderRejected && (err.details as { code?: string } | undefined)?.code === code;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
