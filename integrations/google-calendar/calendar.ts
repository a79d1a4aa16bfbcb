/**
 * `CalendarProvider` on the Google Calendar API v3 (googleapis).
 *
 * - freeBusy: `freebusy.query` for the owners' calendars (busy blocks), in batches of 50 calendars
 *   (`calendarExpansionMax`: "Maximum value is 50") and ranges of at most 60 days (a longer one is
 *   refused with 400 `timeRangeTooLong`); plus one `events.list` per owner over the whole range,
 *   for time off (type `ooo`): out-of-office events, and all-day events that block the day or whose
 *   title says vacation/PTO/OOO/holiday (the rule: domain/route/time-off.ts). The list is one call
 *   per rep either way — it used to ask for out-of-office events only — so reading the all-day
 *   events costs no extra request.
 * - createEvent: `events.insert` on the organizer's calendar with every attendee, a Google Meet
 *   (`conferenceData.createRequest`, `conferenceDataVersion=1`), `sendUpdates=all`, and an event
 *   id derived from the idempotency key (hex of sha256(key): hex digits are valid base32hex).
 *   A 409 means that key was already booked: the existing event is fetched and returned with
 *   `created: false`. Meet links are created asynchronously: while the insert answers
 *   `conferenceData.createRequest.status.statusCode: pending` (no entry points yet), the event is
 *   re-read with backoff until `success`; `failure` is reported (`conference: 'failed'`); still
 *   pending after the waits is a retryable error, so the booking is never handed off without its link.
 * - findEvent: `events.get` of the key-derived id on each candidate organizer's calendar in turn
 *   (404 or cancelled: not there), for a booking retried after its result was lost. Attendees'
 *   calendars hold copies of the event under the same id, so whose event it is comes from the event
 *   itself (`organizer.self`, else `organizer.email`), never from the calendar it was found on.
 * - After booking, on the one event (its id and organizer): getEvent reads it (`events.get`);
 *   moveEvent patches its times, cancelEvent deletes it, reassignEvent hands it to a cover
 *   (`events.move`, then a patch of the attendee list), each with `sendUpdates=all` so the buyer
 *   gets Google's updated invitation or cancellation. Each reads the event first and does nothing
 *   that is done already, so a retried activity sends no second notice. Only the organizer's copy
 *   can be changed; with domain-wide delegation every call acts as the rep whose calendar it
 *   touches, and a hand-over acts as the rep handing over, who needs writer access to the cover's
 *   calendar (Google: "writer access to both calendars").
 *
 * The SDK's retries are off (`retry: false`); Temporal's activity retries are the only ones.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import { ProviderAuthError, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { countsAsTimeOff } from '../../domain/route/time-off';
import type { AttendeeResponse, BusyBlock, CalendarOwner, CalendarProvider, CreatedEvent, EventRef, EventState, FoundEvent, NewCalendarEvent } from '../providers';
import { fromGaxiosError, gaxiosErrorInfo } from '../errors';
import { GoogleAuthClients, googleCalendarSdk, type GoogleCredentials } from './auth';

export const DEFAULT_GOOGLE_ROOT_URL = 'https://www.googleapis.com/';
export const DEFAULT_GOOGLE_TIMEOUT_MS = 10_000;
const PROVIDER = 'google-calendar';
const DAY_MS = 86_400_000;
/** Google's limit on calendars in one freebusy.query (FreeBusyRequest.calendarExpansionMax). */
export const FREEBUSY_MAX_ITEMS = 50;
/**
 * The longest range one freebusy.query asks for. Google refuses a long range with 400
 * `timeRangeTooLong` ("The requested time range is too long.") and does not document the limit;
 * Cal.com splits its queries at 90 days (calcom/cal.com#11962) and others report three months
 * already refused, so Baton stays at 60 days.
 */
export const FREEBUSY_MAX_RANGE_MS = 60 * DAY_MS;
/** Pages of 250 events per rep and range; events come by start time, so a cut-off drops only the far end. */
const MAX_EVENT_PAGES = 20;
/** Event types that can mean time off; working-location, focus-time and birthday events never do. */
const TIME_OFF_EVENT_TYPES = ['default', 'outOfOffice'];
const EVENT_FIELDS = 'nextPageToken,timeZone,items(id,status,summary,start,end,transparency,eventType,attendees(self,responseStatus))';
/** Waits between re-reads of an event whose Meet link is still being created (7.5 s in all). */
const CONFERENCE_POLL_MS = [500, 1_000, 2_000, 4_000];

export interface GoogleCalendarOptions {
  credentials: GoogleCredentials;
  /** API root (googleapis `rootUrl`), default `https://www.googleapis.com/`. */
  rootUrl?: string;
  /** OAuth token endpoint, default `https://oauth2.googleapis.com/token`. */
  tokenUrl?: string;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /** Waits between re-reads while a Meet link is pending (tests shorten them). */
  conferencePollMs?: number[];
}

/** The Google event id Baton uses for an idempotency key: 64 hex chars (a subset of base32hex). */
export function eventIdForKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class GoogleCalendarProvider implements CalendarProvider {
  readonly kind = 'google';
  private readonly api: calendar_v3.Calendar;
  private readonly auth: GoogleAuthClients;
  private readonly conferencePollMs: number[];

  constructor(options: GoogleCalendarOptions) {
    const timeout = options.timeoutMs ?? DEFAULT_GOOGLE_TIMEOUT_MS;
    this.auth = new GoogleAuthClients(options.credentials, { tokenUrl: options.tokenUrl, timeoutMs: timeout });
    this.conferencePollMs = options.conferencePollMs ?? CONFERENCE_POLL_MS;
    this.api = googleCalendarSdk().calendar({
      version: 'v3',
      rootUrl: options.rootUrl ?? DEFAULT_GOOGLE_ROOT_URL,
      retry: false,
      timeout,
    });
  }

  async freeBusy(owners: CalendarOwner[], range: { start: string; end: string }): Promise<Record<string, BusyBlock[]>> {
    const result: Record<string, BusyBlock[]> = {};
    for (const owner of owners) result[owner.repId] = [];
    if (owners.length === 0) return result;
    const emails = [...new Set(owners.map((o) => o.email.toLowerCase()))];
    const timeMin = toRfc3339(range.start);
    const timeMax = toRfc3339(range.end);
    const batches = chunk(emails, FREEBUSY_MAX_ITEMS);
    const windows = splitRange(Date.parse(timeMin), Date.parse(timeMax), FREEBUSY_MAX_RANGE_MS);

    const [busyParts, timeOffByEmail] = await Promise.all([
      Promise.all(batches.flatMap((batch) => windows.map((w) => this.queryFreeBusy(batch, w.start, w.end)))),
      Promise.all(emails.map(async (email) => [email, await this.listTimeOff(email, timeMin, timeMax)] as const)),
    ]);
    const busyByEmail = new Map<string, BusyBlock[]>();
    for (const part of busyParts) for (const [email, blocks] of part) busyByEmail.set(email, [...(busyByEmail.get(email) ?? []), ...blocks]);
    const timeOff = new Map(timeOffByEmail);
    for (const owner of owners) {
      const email = owner.email.toLowerCase();
      result[owner.repId] = [...joinAcrossWindows(busyByEmail.get(email) ?? []), ...(timeOff.get(email) ?? [])].sort((a, b) =>
        a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
      );
    }
    return result;
  }

  async createEvent(event: NewCalendarEvent): Promise<CreatedEvent> {
    const calendarId = event.organizer.email;
    const eventId = eventIdForKey(event.key);
    const auth = this.auth.for(event.organizer.email);
    const attendees = uniqueAttendees([{ email: event.organizer.email }, ...event.attendees]).map((p) =>
      p.email.toLowerCase() === event.organizer.email.toLowerCase()
        ? { email: p.email, ...(p.name ? { displayName: p.name } : {}), responseStatus: 'accepted' }
        : { email: p.email, ...(p.name ? { displayName: p.name } : {}) },
    );
    let inserted: calendar_v3.Schema$Event | undefined;
    const requestBody: calendar_v3.Schema$Event = {
      id: eventId,
      summary: event.title,
      description: event.description,
      start: { dateTime: toRfc3339(event.start) },
      end: { dateTime: toRfc3339(event.end) },
      attendees,
      conferenceData: {
        createRequest: {
          requestId: eventId.slice(0, 32),
          conferenceSolutionKey: { type: 'hangoutsMeet' },
        },
      },
      extendedProperties: { private: { batonKey: event.key } },
      guestsCanModify: false,
      reminders: { useDefault: true },
    };
    try {
      const res = await this.api.events.insert({
        auth,
        calendarId,
        conferenceDataVersion: 1,
        sendUpdates: 'all',
        requestBody,
      });
      inserted = expectObject(res.data, 'events.insert');
    } catch (err) {
      if (gaxiosErrorInfo(err).status !== 409) throw fromGaxiosError(PROVIDER, err);
    }
    if (inserted) return toCreated(await this.withConference(event.organizer, inserted), true);
    // 409: an event with this id exists — the key was booked before (e.g. a retried activity).
    const existing = await this.readEvent(event.organizer, eventId);
    if (!existing) throw new ProviderUnavailable(`${PROVIDER}: events.insert said ${eventId} exists, events.get did not find it`);
    if (existing.status === 'cancelled') {
      throw new ProviderRejected(
        `${PROVIDER}: the event for this booking key exists but was cancelled; a new attempt needs a new key`,
        { details: { provider: PROVIDER, eventId } },
      );
    }
    return toCreated(await this.withConference(event.organizer, existing), false);
  }

  /**
   * One `events.get` per candidate, in order, until one calendar has it. A copy on an attendee's
   * calendar names its organizer: that one is returned, never the attendee it was found on.
   */
  async findEvent(organizers: CalendarOwner[], key: string): Promise<FoundEvent | null> {
    const eventId = eventIdForKey(key);
    for (const candidate of organizers) {
      const existing = await this.readEvent(candidate, eventId);
      if (!existing || existing.status === 'cancelled') continue;
      const organizerEmail = existing.organizer?.email?.toLowerCase();
      const organizer = existing.organizer?.self
        ? candidate
        : organizers.find((o) => o.email.toLowerCase() === organizerEmail);
      if (!organizer) {
        throw new ProviderRejected(
          `${PROVIDER}: the event for this booking key is organized by ${existing.organizer?.email ?? 'nobody'}, who is none of the reps this booking could have used (${organizers.map((o) => o.email).join(', ')})`,
          { details: { provider: PROVIDER, eventId, organizer: existing.organizer?.email } },
        );
      }
      const settled = await this.withConference(organizer, organizer === candidate ? existing : ((await this.readEvent(organizer, eventId)) ?? existing));
      return { ...toCreated(settled, false), organizer };
    }
    return null;
  }

  /**
   * The event once its Meet link exists. Google creates conferences asynchronously: `pending`
   * means "the conference create request is still being processed" (no entry points yet), so the
   * event is re-read with backoff. `failure` is returned as it is (toCreated reports it); still
   * pending after every wait is retryable: the booking's retry reads the event again by its key.
   */
  private async withConference(organizer: CalendarOwner, event: calendar_v3.Schema$Event): Promise<calendar_v3.Schema$Event> {
    let current = event;
    for (const wait of this.conferencePollMs) {
      if (conferenceStatus(current) !== 'pending') return current;
      await new Promise((resolve) => setTimeout(resolve, wait));
      current = (await this.readEvent(organizer, event.id!)) ?? current;
    }
    if (conferenceStatus(current) !== 'pending') return current;
    throw new ProviderUnavailable(`${PROVIDER}: the Google Meet link of event ${event.id} is still being created; retrying the booking reads it again`, {
      details: { provider: PROVIDER, eventId: event.id, code: 'conference_pending' },
    });
  }

  /**
   * The event on its organizer's calendar: its status, its times (ISO UTC, as the embedded calendar
   * gives them) and each attendee's answer by email, lower case. A rep who deleted the invite from
   * their own calendar reads `declined` here: Google tells the organizer so ("when you remove an
   * event, Calendar lets the organizer know you declined", Google Calendar Help, "Delete an
   * event"), and so does Google's automatic decline while the rep is out of office. The event
   * deleted by its organizer reads `cancelled` ("the get method always returns them") or, once
   * Google has purged it, null (404/410).
   */
  async getEvent(ref: EventRef): Promise<EventState | null> {
    const event = await this.readEvent(ref.organizer, ref.eventId);
    if (!event) return null;
    const responses: Record<string, AttendeeResponse> = {};
    for (const a of event.attendees ?? []) {
      if (!a.email) continue;
      const r = a.responseStatus;
      responses[a.email.toLowerCase()] = r === 'accepted' || r === 'tentative' || r === 'declined' ? r : 'needsAction';
    }
    // An organizer who is not on the attendee list is there all the same (it is their event).
    responses[ref.organizer.email.toLowerCase()] ??= 'accepted';
    return {
      status: event.status === 'cancelled' ? 'cancelled' : 'confirmed',
      start: instantOf(event.start),
      end: instantOf(event.end),
      responses,
    };
  }

  /**
   * The same event at new times: `events.get`, then `events.patch` of start and end with
   * `sendUpdates: all` (every guest gets Google's "updated invitation" with the new time). Times go
   * as RFC 3339 with an offset, so no `timeZone` is needed for a single event (EventDateTime: "A time
   * zone offset is required unless a time zone is explicitly specified"). An event already at those
   * times is not patched again, so a retried move sends no second update. Throws ProviderRejected
   * (`event_gone`) for an event cancelled or deleted meanwhile, and (`not_organizer`) when the
   * calendar holds only an attendee's copy: Google lets only the organizer change the time.
   * Free/busy is not checked here (Google has no transaction to hold it): the caller checks first.
   */
  async moveEvent(ref: EventRef, times: { start: string; end: string }): Promise<void> {
    const start = toRfc3339(times.start);
    const end = toRfc3339(times.end);
    if (Date.parse(end) <= Date.parse(start)) throw new ProviderRejected(`${PROVIDER}: a move needs an end after its start (${times.start} .. ${times.end})`);
    const event = await this.organizerCopy(ref);
    if (Date.parse(instantOf(event.start)) === Date.parse(start) && Date.parse(instantOf(event.end)) === Date.parse(end)) return;
    try {
      await this.api.events.patch({
        auth: this.auth.for(ref.organizer.email),
        calendarId: ref.organizer.email,
        eventId: ref.eventId,
        sendUpdates: 'all',
        requestBody: { start: { dateTime: start }, end: { dateTime: end } },
      });
    } catch (err) {
      throw fromGaxiosError(PROVIDER, err);
    }
  }

  /**
   * Cancels the event for everyone: `events.delete` on the organizer's calendar with `sendUpdates:
   * all` (guests get Google's cancellation). Read first: an event already cancelled or gone is left
   * alone (no second cancellation email), and a copy that is not the organizer's is refused —
   * deleting an attendee's copy only removes it from that calendar and declines for them. A delete
   * that races another answers 410 "Resource has been deleted": cancelled all the same.
   */
  async cancelEvent(ref: EventRef): Promise<void> {
    const event = await this.readEvent(ref.organizer, ref.eventId);
    if (!event || event.status === 'cancelled') return;
    if (!event.organizer?.self) throw notOrganizer(ref, event);
    try {
      await this.api.events.delete({ auth: this.auth.for(ref.organizer.email), calendarId: ref.organizer.email, eventId: ref.eventId, sendUpdates: 'all' });
    } catch (err) {
      const { status } = gaxiosErrorInfo(err);
      if (status === 404 || status === 410) return;
      throw fromGaxiosError(PROVIDER, err);
    }
  }

  /**
   * A cover in the place of a rep, on the same event. When `from` organizes it: `events.move` from
   * `from`'s calendar to `to`'s ("changes an event's organizer"; the id stays), acting as `from` —
   * Google requires writer access to both calendars, refused otherwise with 403 requiredAccessLevel.
   * Then `events.patch` of the attendee list on the organizer's calendar, `from` out and `to` in,
   * every other guest's entry sent back as it was read (a patched array replaces the whole list, so
   * the buyer's entry and answer must be in it), guests notified. Each step is read before it is
   * done, so a retry after any of them finishes the rest and repeats nothing: 3 calls when `from`
   * organized it (get, move, patch), 2 otherwise (get, patch).
   */
  async reassignEvent(ref: EventRef, change: { from: CalendarOwner; to: CalendarOwner & { name?: string } }): Promise<EventRef> {
    const from = change.from.email.toLowerCase();
    const to = change.to.email.toLowerCase();
    const cover = { repId: change.to.repId, email: change.to.email };
    let organizer = ref.organizer;
    let eventId = ref.eventId;
    let event = await this.readEvent(ref.organizer, ref.eventId);
    const organizerEmail = event && event.status !== 'cancelled' ? organizerOf(event, ref.organizer) : undefined;
    if (event && organizerEmail === from && event.organizer?.self) {
      event = await this.moveToCalendarOf(ref, change.from, cover);
      organizer = cover;
      eventId = event.id ?? ref.eventId;
    } else if (organizerEmail === undefined || organizerEmail === to) {
      // Moved already (an earlier try): `from`'s copy names the cover as organizer, or is gone with
      // `from` off the list. The organizer's copy is on the cover's calendar.
      const atCover = organizerEmail === to && event?.organizer?.self ? event : await this.readEvent(cover, ref.eventId);
      if (!atCover || atCover.status === 'cancelled' || organizerOf(atCover, cover) !== to) throw eventGone(ref);
      event = atCover;
      organizer = cover;
    } else if (!event?.organizer?.self) {
      throw notOrganizer(ref, event!);
    }
    const current = event!.attendees ?? [];
    const attendees = current.filter((a) => a.email?.toLowerCase() !== from);
    if (!attendees.some((a) => a.email?.toLowerCase() === to)) {
      // Google warns that a guest added with an answer may not see the event; the new organizer's
      // own entry is accepted, as createEvent writes the organizer's.
      attendees.push({
        email: change.to.email,
        ...(change.to.name ? { displayName: change.to.name } : {}),
        ...(organizer === cover ? { responseStatus: 'accepted' } : {}),
      });
    }
    if (attendees.length !== current.length || attendees.some((a, i) => a !== current[i])) {
      try {
        await this.api.events.patch({ auth: this.auth.for(organizer.email), calendarId: organizer.email, eventId, sendUpdates: 'all', requestBody: { attendees } });
      } catch (err) {
        throw fromGaxiosError(PROVIDER, err);
      }
    }
    return { eventId, organizer };
  }

  /** `events.move` as `from`; its answer is the event on `to`'s calendar. */
  private async moveToCalendarOf(ref: EventRef, from: CalendarOwner, to: CalendarOwner): Promise<calendar_v3.Schema$Event> {
    try {
      const res = await this.api.events.move({ auth: this.auth.for(from.email), calendarId: from.email, eventId: ref.eventId, destination: to.email, sendUpdates: 'all' });
      return expectObject(res.data, 'events.move');
    } catch (err) {
      const mapped = fromGaxiosError(PROVIDER, err);
      if (gaxiosErrorInfo(err).message.includes('requiredAccessLevel')) {
        // Google's text here says "reader access"; what it needs is writer access to both calendars.
        throw new ProviderAuthError(
          `${mapped.message}: moving the event to ${to.email}'s calendar needs writer access to both calendars for ${from.email} ("Make changes to events" on ${to.email}'s calendar)`,
          { details: mapped.details, cause: mapped.cause },
        );
      }
      throw mapped;
    }
  }

  /** The event on the organizer's calendar, as long as it is there and it is the organizer's copy. */
  private async organizerCopy(ref: EventRef): Promise<calendar_v3.Schema$Event> {
    const event = await this.readEvent(ref.organizer, ref.eventId);
    if (!event || event.status === 'cancelled') throw eventGone(ref);
    if (!event.organizer?.self) throw notOrganizer(ref, event);
    return event;
  }

  /** `events.get` on the organizer's calendar; null when there is no event with that id. */
  private async readEvent(organizer: CalendarOwner, eventId: string): Promise<calendar_v3.Schema$Event | null> {
    try {
      const res = await this.api.events.get({ auth: this.auth.for(organizer.email), calendarId: organizer.email, eventId });
      return expectObject(res.data, 'events.get');
    } catch (err) {
      const { status } = gaxiosErrorInfo(err);
      if (status === 404 || status === 410) return null;
      throw fromGaxiosError(PROVIDER, err);
    }
  }

  private async queryFreeBusy(emails: string[], startMs: number, endMs: number): Promise<Map<string, BusyBlock[]>> {
    const timeMin = DateTime.fromMillis(startMs, { zone: 'utc' }).toISO({ suppressMilliseconds: true })!;
    const timeMax = DateTime.fromMillis(endMs, { zone: 'utc' }).toISO({ suppressMilliseconds: true })!;
    // With delegation the query runs as the first rep (free/busy is visible across the domain);
    // with OAuth it runs as the scheduling account.
    const auth = this.auth.for(emails[0]!);
    let data: calendar_v3.Schema$FreeBusyResponse;
    try {
      const res = await this.api.freebusy.query({
        auth,
        requestBody: { timeMin, timeMax, items: emails.map((id) => ({ id })) },
      });
      data = expectObject(res.data, 'freebusy.query');
    } catch (err) {
      throw fromGaxiosError(PROVIDER, err);
    }
    const calendars = data.calendars ?? {};
    const byLower = new Map(Object.entries(calendars).map(([id, cal]) => [id.toLowerCase(), cal]));
    const out = new Map<string, BusyBlock[]>();
    for (const email of emails) {
      const cal = byLower.get(email);
      if (!cal) {
        throw new ProviderUnavailable(`${PROVIDER}: freebusy.query returned nothing for ${email}`, {
          details: { provider: PROVIDER, calendar: email },
        });
      }
      if (cal.errors?.length) {
        // Never treat an unreadable calendar as free: that would double-book the rep.
        const reasons = cal.errors.map((e) => e.reason ?? 'unknown').join(', ');
        const details = { provider: PROVIDER, calendar: email, errors: cal.errors };
        if (cal.errors.some((e) => e.reason === 'notFound')) {
          throw new ProviderRejected(
            `${PROVIDER}: calendar ${email} is not visible to these credentials (${reasons}); share its free/busy or check delegation`,
            { details },
          );
        }
        throw new ProviderUnavailable(`${PROVIDER}: free/busy for ${email} failed (${reasons})`, { details });
      }
      out.set(
        email,
        (cal.busy ?? [])
          .filter((b): b is { start: string; end: string } => !!b.start && !!b.end)
          .map((b) => ({ start: normalizeInstant(b.start), end: normalizeInstant(b.end), type: 'busy' as const })),
      );
    }
    return out;
  }

  /** The rep's time off in the range: one `events.list` (pages of 250), classified by the domain's rule. */
  private async listTimeOff(email: string, timeMin: string, timeMax: string): Promise<BusyBlock[]> {
    const auth = this.auth.for(email);
    const blocks: BusyBlock[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_EVENT_PAGES; page++) {
      let data: calendar_v3.Schema$Events;
      try {
        const res = await this.api.events.list({
          auth,
          calendarId: email,
          eventTypes: TIME_OFF_EVENT_TYPES,
          timeMin,
          timeMax,
          singleEvents: true,
          orderBy: 'startTime',
          showDeleted: false,
          maxResults: 250,
          fields: EVENT_FIELDS,
          ...(pageToken ? { pageToken } : {}),
        });
        data = expectObject(res.data, 'events.list');
      } catch (err) {
        throw fromGaxiosError(PROVIDER, err);
      }
      const zone = data.timeZone ?? 'UTC';
      for (const item of data.items ?? []) {
        if (item.status === 'cancelled') continue;
        const entry = {
          allDay: !!item.start?.date && !item.start.dateTime,
          busy: item.transparency !== 'transparent',
          ...(item.summary ? { title: item.summary } : {}),
          ...(item.eventType ? { eventType: item.eventType } : {}),
          declined: item.attendees?.some((a) => a.self && a.responseStatus === 'declined') ?? false,
        };
        if (!countsAsTimeOff(entry)) continue;
        const start = eventTime(item.start, zone);
        const end = eventTime(item.end, zone);
        if (!start || !end) continue;
        blocks.push({ start, end, type: 'ooo', ...(item.summary ? { title: item.summary } : {}) });
      }
      pageToken = data.nextPageToken ?? undefined;
      if (!pageToken) break;
    }
    return blocks;
  }
}

function uniqueAttendees<T extends { email: string }>(people: T[]): T[] {
  const seen = new Set<string>();
  return people.filter((p) => {
    const key = p.email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toCreated(event: calendar_v3.Schema$Event, created: boolean): CreatedEvent {
  const video = event.conferenceData?.entryPoints?.find((e) => e.entryPointType === 'video')?.uri;
  const meetLink = event.hangoutLink ?? video ?? undefined;
  if (!event.id) {
    throw new ProviderUnavailable(`${PROVIDER}: the event in the response has no id`, {
      details: { provider: PROVIDER, code: 'malformed_response' },
    });
  }
  return {
    eventId: event.id,
    created,
    ...(event.htmlLink ? { htmlLink: event.htmlLink } : {}),
    ...(meetLink ? { meetLink } : {}),
    ...(conferenceStatus(event) === 'failure' ? { conference: 'failed' as const } : {}),
  };
}

function conferenceStatus(event: calendar_v3.Schema$Event): string | undefined {
  return event.conferenceData?.createRequest?.status?.statusCode ?? undefined;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** [start, end) cut into consecutive pieces of at most `max` ms. */
function splitRange(start: number, end: number, max: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let from = start; from < end; from += max) out.push({ start: from, end: Math.min(end, from + max) });
  return out;
}

/** Busy blocks that a window boundary cut in two become one again (sorted by start). */
function joinAcrossWindows(blocks: BusyBlock[]): BusyBlock[] {
  const sorted = [...blocks].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: BusyBlock[] = [];
  for (const block of sorted) {
    const last = out.at(-1);
    if (last && Date.parse(block.start) <= Date.parse(last.end)) {
      if (Date.parse(block.end) > Date.parse(last.end)) last.end = block.end;
    } else out.push({ ...block });
  }
  return out;
}

/** gaxios hands back the raw text when a 2xx body is not JSON: that is a broken response. */
function expectObject<T>(data: T, call: string): T {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ProviderUnavailable(`${PROVIDER}: malformed JSON in the ${call} response body`, {
      details: { provider: PROVIDER, code: 'malformed_response' },
    });
  }
  return data;
}

/** RFC 3339 with an explicit offset, as the Calendar API requires; rejects unparseable input. */
function toRfc3339(iso: string): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new ProviderRejected(`${PROVIDER}: not an ISO-8601 date-time: ${iso}`);
  return dt.toISO({ suppressMilliseconds: true })!;
}

/** Busy blocks come back in UTC (`2026-01-05T15:00:00Z`); keep them as ISO UTC strings. */
function normalizeInstant(value: string): string {
  const dt = DateTime.fromISO(value, { setZone: true });
  return dt.isValid ? dt.toUTC().toISO({ suppressMilliseconds: true })! : value;
}

/** Timed events carry `dateTime`; all-day ones a `date` in the event's (or calendar's) zone. */
function eventTime(time: calendar_v3.Schema$EventDateTime | undefined, calendarZone: string): string | undefined {
  if (!time) return undefined;
  if (time.dateTime) return normalizeInstant(time.dateTime);
  if (time.date) {
    const dt = DateTime.fromISO(time.date, { zone: time.timeZone ?? calendarZone });
    return dt.isValid ? dt.toUTC().toISO({ suppressMilliseconds: true })! : undefined;
  }
  return undefined;
}

/** A timed event's instant as ISO UTC with milliseconds (`2026-01-06T15:00:00.000Z`), as the embedded calendar gives it. */
function instantOf(time: calendar_v3.Schema$EventDateTime | undefined): string {
  const ms = Date.parse(time?.dateTime ?? time?.date ?? '');
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** Whose event this is, lower case: the calendar it was read on when `organizer.self`, else the email it names. */
function organizerOf(event: calendar_v3.Schema$Event, readOn: CalendarOwner): string | undefined {
  return event.organizer?.self ? readOn.email.toLowerCase() : event.organizer?.email?.toLowerCase();
}

function eventGone(ref: EventRef): ProviderRejected {
  return new ProviderRejected(`${PROVIDER}: event ${ref.eventId} is cancelled or no longer on ${ref.organizer.email}'s calendar`, {
    details: { provider: PROVIDER, eventId: ref.eventId, code: 'event_gone' },
  });
}

function notOrganizer(ref: EventRef, event: calendar_v3.Schema$Event): ProviderRejected {
  return new ProviderRejected(
    `${PROVIDER}: ${ref.organizer.email}'s calendar holds only an attendee's copy of event ${ref.eventId} (organized by ${event.organizer?.email ?? 'someone else'}); only the organizer's copy can be changed`,
    { details: { provider: PROVIDER, eventId: ref.eventId, organizer: event.organizer?.email, code: 'not_organizer' } },
  );
}
