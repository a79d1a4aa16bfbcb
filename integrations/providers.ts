import type { z } from 'zod';

/**
 * The small interfaces every provider implements: the embedded SQLite ones that `npm start` uses,
 * and Google Calendar, HubSpot, SendGrid and OpenAI. Times are ISO-8601 strings at this boundary.
 */

export interface Person {
  email: string;
  name?: string;
}

export interface CalendarOwner {
  /** Baton's rep id; providers that key calendars by email use `email`. */
  repId: string;
  email: string;
}

export interface BusyBlock {
  start: string;
  end: string;
  /** `ooo` is an out-of-office event: the rep is treated as on PTO for that time. */
  type: 'busy' | 'ooo';
  title?: string;
}

export interface NewCalendarEvent {
  /** Idempotency key (lead + attempt): creating the same key twice returns the first event. */
  key: string;
  organizer: CalendarOwner;
  attendees: Person[];
  start: string;
  end: string;
  title: string;
  description: string;
}

export interface CreatedEvent {
  eventId: string;
  /** False when the key had already been used and the existing event was returned. */
  created: boolean;
  htmlLink?: string;
  meetLink?: string;
  /** The provider could not create the video conference: the event stands, without a link. */
  conference?: 'failed';
}

export interface FoundEvent extends CreatedEvent {
  organizer: CalendarOwner;
}

/** An event Baton booked, as its provider knows it: the id on the organizer's calendar. */
export interface EventRef {
  eventId: string;
  organizer: CalendarOwner;
}

/** An attendee rep's answer to the invite; `gone` when the event is no longer on their calendar. */
export type AttendeeResponse = 'accepted' | 'tentative' | 'needsAction' | 'declined' | 'gone';

export interface EventState {
  status: 'confirmed' | 'cancelled';
  start: string;
  end: string;
  /** The reps' answers, by email (lower case). */
  responses: Record<string, AttendeeResponse>;
}

export interface CalendarProvider {
  readonly kind: string;
  /** Busy and out-of-office blocks overlapping [start, end) for every owner, in one call. */
  freeBusy(owners: CalendarOwner[], range: { start: string; end: string }): Promise<Record<string, BusyBlock[]>>;
  createEvent(event: NewCalendarEvent): Promise<CreatedEvent>;
  /**
   * The live event an earlier `createEvent` with this key put on the calendar of one of these
   * possible organizers (in order of likelihood), and whose it is; else null. A booking retried
   * after its result was lost sees its own event as busy, and must not take it for a conflict
   * (free/busy cannot say whose event a block is).
   */
  findEvent(organizers: CalendarOwner[], key: string): Promise<FoundEvent | null>;
  /** The event as it stands now, or null when it was deleted from the organizer's calendar. */
  getEvent(ref: EventRef): Promise<EventState | null>;
  /**
   * Moves the same event (never a second one) to new times, invitees notified. Throws SlotConflict
   * when an attendee rep is no longer free then (embedded, atomically; Google cannot hold a check,
   * so the caller checks first), and ProviderRejected with `details.code: 'event_gone'` when the
   * event was cancelled or deleted. Moving it to where it already is does nothing.
   */
  moveEvent(ref: EventRef, times: { start: string; end: string }): Promise<void>;
  /** Cancels the event, invitees notified. An event already cancelled or gone is not an error. */
  cancelEvent(ref: EventRef): Promise<void>;
  /**
   * Puts `to` in the place of the rep `from` (a cover): the attendee swapped, and the event handed
   * to `to` when `from` organized it. Throws SlotConflict when `to` is not free then (as for
   * moveEvent), ProviderRejected `event_gone` as moveEvent does. Answers the event's ref afterwards
   * (its organizer may have changed). Done already: nothing changes.
   */
  reassignEvent(ref: EventRef, change: { from: CalendarOwner; to: CalendarOwner & { name?: string } }): Promise<EventRef>;
}

export interface CrmAccount {
  domain: string;
  name?: string;
  /** Owner as the CRM knows them; mapped to a rep by id or email against the roster. */
  ownerRepId?: string;
  ownerEmail?: string;
  /**
   * How the CRM names the owner ("Bob Stone", "HubSpot owner 812, deactivated"), for the decision's
   * reasoning when they are not on the team. Never used to route.
   */
  ownerName?: string;
}

export interface CrmContact {
  email: string;
  name?: string;
  company?: string;
  phone?: string;
  title?: string;
}

export interface CrmRecord {
  /** Idempotency key: writing the same key twice keeps one record. */
  key: string;
  contactEmail: string;
  /** The contact (and its primary company) `upsertContact` returned: saves looking the contact up again. */
  contact?: CrmContactRef;
  /**
   * False when no earlier try can have written this key (the first attempt of a step that runs once
   * per lead run): the provider may skip its check for an existing record. Default true.
   */
  mayExist?: boolean;
}

export interface CrmContactRef {
  contactId: string;
  /** The contact's primary company, when the CRM has one: records are associated to it too. */
  companyId?: string;
}

/** Per-call options: `signal` aborts the call's HTTP requests (Temporal cancelled or timed out the attempt). */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface CrmProvider {
  readonly kind: string;
  findAccountByEmail(email: string, options?: CallOptions): Promise<CrmAccount | null>;
  upsertContact(contact: CrmContact, options?: CallOptions): Promise<CrmContactRef>;
  logMeeting(
    record: CrmRecord & { title: string; start: string; end: string; body: string; ownerEmail: string },
    options?: CallOptions,
  ): Promise<{ id: string }>;
  addNote(record: CrmRecord & { body: string }, options?: CallOptions): Promise<{ id: string }>;
  createTask(record: CrmRecord & { ownerEmail: string; title: string; body: string; dueAt: string }, options?: CallOptions): Promise<{ id: string }>;
  /**
   * Keeps the CRM meeting `logMeeting` created (by its id) in step with what happened: new times
   * after a reschedule, canceled, or the outcome. Writing the same change twice is harmless. A
   * meeting deleted in the CRM is ProviderRejected with `details.code: 'crm_meeting_gone'`.
   */
  updateMeeting(id: string, change: { start?: string; end?: string; status?: MeetingStatus; ownerEmail?: string; note?: string }, options?: CallOptions): Promise<void>;
}

/** A CRM meeting's status (HubSpot's meeting outcome: SCHEDULED, RESCHEDULED, CANCELED, COMPLETED, NO_SHOW). */
export type MeetingStatus = 'scheduled' | 'rescheduled' | 'canceled' | 'completed' | 'no_show';

export interface OutgoingEmail {
  /** Idempotency key: a second send with the same key is not delivered again. */
  key: string;
  /** An earlier try of this send may have reached the provider (a Temporal retry): check before sending. */
  mayHaveBeenSent?: boolean;
  to: Person[];
  cc?: Person[];
  replyTo?: Person;
  subject: string;
  text: string;
  html: string;
}

export interface SentResult {
  messageId: string;
  /** The key had been sent before: nothing was sent this time. */
  duplicate: boolean;
  /**
   * Sent, after an earlier try whose outcome was never known (its answer was lost): the recipient
   * may get this email twice. The provider could not tell (see docs/connect-your-tools.md).
   */
  afterUnknownOutcome?: boolean;
}

export interface EmailProvider {
  readonly kind: string;
  send(email: OutgoingEmail): Promise<SentResult>;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmTask<T> {
  /** Short task name, used for logs and the JSON schema name: `extract_facts`, `compile_rule`, ... */
  name: string;
  system: string;
  user: string;
  schema: z.ZodType<T>;
}

export interface LlmProvider {
  readonly kind: string;
  /** Which model answers, and where (`openai gpt-4.1-mini at https://…`): part of the compiled-rule cache key. */
  readonly identity: string;
  /**
   * Structured output validated against `schema`, within the provider's time budget (every attempt
   * included); throws when the model refuses, truncates, returns invalid JSON or the budget runs out.
   */
  completeJson<T>(task: LlmTask<T>): Promise<{ value: T; usage: LlmUsage }>;
}

export interface Providers {
  calendar: CalendarProvider;
  crm: CrmProvider;
  email: EmailProvider;
  /** Absent when no LLM is configured: the deterministic extractor, compiler and parser are used. */
  llm?: LlmProvider;
}
