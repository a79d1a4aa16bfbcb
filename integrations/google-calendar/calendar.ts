/**
 * `CalendarProvider` on the Google Calendar API v3 (googleapis).
 *
 * - freeBusy: ONE `freebusy.query` for every owner's calendar (busy blocks), plus one
 *   `events.list?eventTypes=outOfOffice` per owner (out-of-office blocks, type `ooo`).
 * - createEvent: `events.insert` on the organizer's calendar with every attendee, a Google Meet
 *   (`conferenceData.createRequest`, `conferenceDataVersion=1`), `sendUpdates=all`, and an event
 *   id derived from the idempotency key (hex of sha256(key): hex digits are valid base32hex).
 *   A 409 means that key was already booked: the existing event is fetched and returned with
 *   `created: false`.
 * - findEvent: `events.get` of the key-derived id on each candidate organizer's calendar in turn
 *   (404 or cancelled: not there), for a booking retried after its result was lost.
 *
 * The SDK's retries are off (`retry: false`); Temporal's activity retries are the only ones.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { calendar as googleCalendar, type calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import { ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import type { BusyBlock, CalendarOwner, CalendarProvider, CreatedEvent, FoundEvent, NewCalendarEvent } from '../providers';
import { fromGaxiosError, gaxiosErrorInfo } from '../errors';
import { GoogleAuthClients, type GoogleCredentials } from './auth';

export const DEFAULT_GOOGLE_ROOT_URL = 'https://www.googleapis.com/';
export const DEFAULT_GOOGLE_TIMEOUT_MS = 10_000;
const PROVIDER = 'google-calendar';
/** Google's limit on calendars in one freebusy.query. */
const FREEBUSY_MAX_ITEMS = 50;
const MAX_OOO_PAGES = 10;

export interface GoogleCalendarOptions {
  credentials: GoogleCredentials;
  /** API root (googleapis `rootUrl`), default `https://www.googleapis.com/`. */
  rootUrl?: string;
  /** OAuth token endpoint, default `https://oauth2.googleapis.com/token`. */
  tokenUrl?: string;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
}

/** The Google event id Baton uses for an idempotency key: 64 hex chars (a subset of base32hex). */
export function eventIdForKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class GoogleCalendarProvider implements CalendarProvider {
  readonly kind = 'google';
  private readonly api: calendar_v3.Calendar;
  private readonly auth: GoogleAuthClients;

  constructor(options: GoogleCalendarOptions) {
    const timeout = options.timeoutMs ?? DEFAULT_GOOGLE_TIMEOUT_MS;
    this.auth = new GoogleAuthClients(options.credentials, { tokenUrl: options.tokenUrl, timeoutMs: timeout });
    this.api = googleCalendar({
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
    if (emails.length > FREEBUSY_MAX_ITEMS) {
      throw new ProviderRejected(`${PROVIDER}: freebusy.query takes at most ${FREEBUSY_MAX_ITEMS} calendars, got ${emails.length}`);
    }
    const timeMin = toRfc3339(range.start);
    const timeMax = toRfc3339(range.end);

    const [busyByEmail, oooByEmail] = await Promise.all([
      this.queryFreeBusy(emails, timeMin, timeMax),
      Promise.all(emails.map(async (email) => [email, await this.listOutOfOffice(email, timeMin, timeMax)] as const)),
    ]);
    const ooo = new Map(oooByEmail);
    for (const owner of owners) {
      const email = owner.email.toLowerCase();
      result[owner.repId] = [...(busyByEmail.get(email) ?? []), ...(ooo.get(email) ?? [])].sort((a, b) =>
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
      return toCreated(expectObject(res.data, 'events.insert'), true);
    } catch (err) {
      if (gaxiosErrorInfo(err).status !== 409) throw fromGaxiosError(PROVIDER, err);
    }
    // 409: an event with this id exists — the key was booked before (e.g. a retried activity).
    const existing = await this.getEvent(event.organizer, eventId);
    if (!existing) throw new ProviderUnavailable(`${PROVIDER}: events.insert said ${eventId} exists, events.get did not find it`);
    if (existing.status === 'cancelled') {
      throw new ProviderRejected(
        `${PROVIDER}: the event for this booking key exists but was cancelled; a new attempt needs a new key`,
        { details: { provider: PROVIDER, eventId } },
      );
    }
    return toCreated(existing, false);
  }

  /** One `events.get` per candidate, in order, until one calendar has it. */
  async findEvent(organizers: CalendarOwner[], key: string): Promise<FoundEvent | null> {
    const eventId = eventIdForKey(key);
    for (const organizer of organizers) {
      const existing = await this.getEvent(organizer, eventId);
      if (existing && existing.status !== 'cancelled') return { ...toCreated(existing, false), organizer };
    }
    return null;
  }

  /** `events.get` on the organizer's calendar; null when there is no event with that id. */
  private async getEvent(organizer: CalendarOwner, eventId: string): Promise<calendar_v3.Schema$Event | null> {
    try {
      const res = await this.api.events.get({ auth: this.auth.for(organizer.email), calendarId: organizer.email, eventId });
      return expectObject(res.data, 'events.get');
    } catch (err) {
      const { status } = gaxiosErrorInfo(err);
      if (status === 404 || status === 410) return null;
      throw fromGaxiosError(PROVIDER, err);
    }
  }

  private async queryFreeBusy(emails: string[], timeMin: string, timeMax: string): Promise<Map<string, BusyBlock[]>> {
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

  private async listOutOfOffice(email: string, timeMin: string, timeMax: string): Promise<BusyBlock[]> {
    const auth = this.auth.for(email);
    const blocks: BusyBlock[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_OOO_PAGES; page++) {
      let data: calendar_v3.Schema$Events;
      try {
        const res = await this.api.events.list({
          auth,
          calendarId: email,
          eventTypes: ['outOfOffice'],
          timeMin,
          timeMax,
          singleEvents: true,
          showDeleted: false,
          maxResults: 250,
          ...(pageToken ? { pageToken } : {}),
        });
        data = expectObject(res.data, 'events.list');
      } catch (err) {
        throw fromGaxiosError(PROVIDER, err);
      }
      const zone = data.timeZone ?? 'UTC';
      for (const item of data.items ?? []) {
        if (item.status === 'cancelled') continue;
        if (item.eventType && item.eventType !== 'outOfOffice') continue;
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
  };
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
