/**
 * `CrmProvider` on HubSpot's CRM v3 API (@hubspot/api-client), authenticated with a private
 * app's access token. How requests are sent (limiters, deadlines, aborts): `./transport.ts`.
 *
 * - Contacts are read by email, `GET /crm/v3/objects/contacts/{email}?idProperty=email`: a read of
 *   the record itself, so it sees a contact created a moment ago (the search index does not yet)
 *   and it is not a search (the search endpoints allow 4 requests/s per token).
 * - findAccountByEmail: the contact's primary company (`associatedcompanyid`), else a company
 *   search by the email's domain (skipped for free-mail domains) → the owner (`hubspot_owner_id`)
 *   resolved to an email and a name through the owners API. Routing maps the email to a rep; an
 *   owner who is not on the team is named in the decision's reasoning. A deactivated owner (someone
 *   who left: the owners API answers 404 unless asked for archived owners) is looked up among the
 *   archived ones for their name and never routed to.
 * - upsertContact: read by email, then update (PATCH) or create (POST). A create that races
 *   another writer answers 409 "Contact already exists" or 400 "... already has that value" (email
 *   is a unique-value property); either way the contact is read again by email, so its id and its
 *   company association come from HubSpot, and updated.
 * - logMeeting / addNote / createTask: engagements associated to the contact (the one the caller
 *   passes, else read by email and created if missing) and its primary company, owned by the rep
 *   (`hubspot_owner_id` looked up by email).
 * - updateMeeting: one PATCH of the meeting `logMeeting` created (times with `hs_timestamp`,
 *   `hs_meeting_outcome`, owner), after a read of its body only when a line is to be appended.
 *
 * Idempotency for engagements: HubSpot has no idempotency keys, so each body ends with a marker
 * line `Baton ref: batonref<24 hex of sha256(key)>` — one alphanumeric token — and, when an earlier
 * try may have written the key (`mayExist`), the adapter first searches the object type for that
 * token (`CONTAINS_TOKEN` on the body property). Found: the existing id is returned and nothing is
 * written. HubSpot's search index trails writes (HubSpot documents "a few moments"), which is why
 * CRM steps retry no sooner than the lag (workflows/lead/step-runner.ts).
 */
import { createHash } from 'node:crypto';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec';
import { ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import type { CallOptions, CrmAccount, CrmContact, CrmContactRef, CrmProvider, CrmRecord, MeetingStatus } from '../providers';
import { hubSpotSdk, HubSpotTransport, type LimiterOptions, type SdkCallOptions } from './transport';

export { DEFAULT_HUBSPOT_BASE_PATH } from './transport';
export const DEFAULT_HUBSPOT_TIMEOUT_MS = 10_000;
const PROVIDER = 'hubspot';
const OWNER_CACHE_MS = 10 * 60_000;

const EQ = 'EQ' as FilterOperatorEnum;
const CONTAINS_TOKEN = 'CONTAINS_TOKEN' as FilterOperatorEnum;
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as AssociationSpecAssociationCategoryEnum;

/** Free-mail domains never identify a company account. */
const FREE_MAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com',
  'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.net', 'gmx.de',
  'web.de', 'yandex.com', 'yandex.ru', 'mail.com', 'mail.ru', 'qq.com', '163.com', 'zoho.com', 'hey.com', 'fastmail.com',
]);

export interface HubSpotCrmOptions {
  /** Private app access token (`pat-...`). */
  accessToken: string;
  /** API base, default `https://api.hubapi.com`. Tests point it at a local server. */
  basePath?: string;
  /** Per-request deadline in ms (default 10 s), counted from when the request leaves the limiter. */
  timeoutMs?: number;
  /** Bottleneck options for every call (default: the SDK's DEFAULT_LIMITER_OPTIONS). */
  limiter?: LimiterOptions;
  /** Bottleneck options for CRM searches (default: the SDK's SEARCH_LIMITER_OPTIONS). */
  searchLimiter?: LimiterOptions;
  /** Clock for note timestamps (tests). */
  now?: () => Date;
}

interface HsObject {
  id: string;
  properties: Record<string, string | null | undefined>;
}

type EngagementType = 'notes' | 'meetings' | 'tasks';

interface OwnerInfo {
  email?: string;
  name?: string;
}

function personName(owner: { firstName?: string; lastName?: string }): string {
  return [owner.firstName, owner.lastName].filter((p) => p?.trim()).join(' ');
}

type EngagementSpec = { bodyProperty: string; toContact: number; toCompany: number };
/** Built on first use: the association ids come from the SDK, which loads with the first provider. */
let engagementSpecs: Record<EngagementType, EngagementSpec> | undefined;
const engagementSpec = (type: EngagementType): EngagementSpec => (engagementSpecs ??= engagementSpecsOf(hubSpotSdk().AssociationTypes))[type];

const engagementSpecsOf = (AssociationTypes: typeof import('@hubspot/api-client').AssociationTypes): Record<EngagementType, EngagementSpec> => ({
  notes: { bodyProperty: 'hs_note_body', toContact: AssociationTypes.noteToContact, toCompany: AssociationTypes.noteToCompany },
  meetings: { bodyProperty: 'hs_meeting_body', toContact: AssociationTypes.meetingToContact, toCompany: AssociationTypes.meetingToCompany },
  tasks: { bodyProperty: 'hs_task_body', toContact: AssociationTypes.taskToContact, toCompany: AssociationTypes.taskToCompany },
});

/** The token written into an engagement body for an idempotency key (one alphanumeric word). */
export function markerForKey(key: string): string {
  return `batonref${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 24)}`;
}

/** Baton's meeting status as HubSpot's meeting outcome property has it. */
const MEETING_OUTCOME: Record<MeetingStatus, string> = {
  scheduled: 'SCHEDULED',
  rescheduled: 'RESCHEDULED',
  canceled: 'CANCELED',
  completed: 'COMPLETED',
  no_show: 'NO_SHOW',
};

export class HubSpotCrmProvider implements CrmProvider {
  readonly kind = 'hubspot';
  private readonly http: HubSpotTransport;
  private readonly now: () => Date;
  private readonly owners = new Map<string, { owner: OwnerInfo; at: number }>();
  private readonly ownerIds = new Map<string, { id?: string; at: number }>();

  constructor(options: HubSpotCrmOptions) {
    this.now = options.now ?? (() => new Date());
    this.http = new HubSpotTransport({
      accessToken: options.accessToken,
      basePath: options.basePath,
      timeoutMs: options.timeoutMs ?? DEFAULT_HUBSPOT_TIMEOUT_MS,
      limiter: options.limiter,
      searchLimiter: options.searchLimiter,
    });
  }

  async findAccountByEmail(email: string, options: CallOptions = {}): Promise<CrmAccount | null> {
    const { signal } = options;
    const domain = domainOf(email);
    const contact = await this.contactByEmail(email, ['email', 'company', 'associatedcompanyid', 'hubspot_owner_id'], signal);
    let company: HsObject | undefined;
    const companyId = contact?.properties.associatedcompanyid;
    if (companyId) {
      company = await this.http
        .call((o) => this.http.api.companies.getById(companyId, ['domain', 'name', 'hubspot_owner_id'], undefined, undefined, false, undefined, o), signal)
        .catch(notFoundAsUndefined);
    }
    if (!company && domain && !FREE_MAIL.has(domain)) {
      const found = await this.http.call(
        (o) =>
          this.http.search.companies.doSearch(
            {
              filterGroups: [{ filters: [{ propertyName: 'domain', operator: EQ, value: domain }] }],
              properties: ['domain', 'name', 'hubspot_owner_id'],
              limit: 10,
            },
            o,
          ),
        signal,
      );
      const results = found.results ?? [];
      company = results.find((c) => c.properties.hubspot_owner_id) ?? results[0];
    }
    const ownerId = company?.properties.hubspot_owner_id || contact?.properties.hubspot_owner_id || undefined;
    if (!company && !ownerId) return null;
    const owner = ownerId ? await this.ownerById(ownerId, signal) : {};
    const name = company?.properties.name || contact?.properties.company || undefined;
    return {
      domain: company?.properties.domain || domain,
      ...(name ? { name } : {}),
      ...(owner.email ? { ownerEmail: owner.email } : {}),
      ...(owner.name ? { ownerName: owner.name } : {}),
    };
  }

  async upsertContact(contact: CrmContact, options: CallOptions = {}): Promise<CrmContactRef> {
    const properties = contactProperties(contact);
    const existing = await this.contactByEmail(contact.email, ['email', 'associatedcompanyid'], options.signal);
    if (existing) {
      await this.update(existing.id, properties, options.signal);
      return refOf(existing);
    }
    return this.createContact(contact.email, properties, options.signal);
  }

  async logMeeting(
    record: CrmRecord & { title: string; start: string; end: string; body: string; ownerEmail: string },
    options: CallOptions = {},
  ): Promise<{ id: string }> {
    return this.createEngagement('meetings', record, options.signal, async (body) => {
      const ownerId = await this.ownerIdByEmail(record.ownerEmail, options.signal);
      return {
        hs_timestamp: isoUtc(record.start),
        hs_meeting_title: record.title,
        hs_meeting_body: body(record.body, ownerId ? undefined : record.ownerEmail),
        hs_meeting_start_time: isoUtc(record.start),
        hs_meeting_end_time: isoUtc(record.end),
        hs_meeting_outcome: 'SCHEDULED',
        ...(ownerId ? { hubspot_owner_id: ownerId } : {}),
      };
    });
  }

  async addNote(record: CrmRecord & { body: string }, options: CallOptions = {}): Promise<{ id: string }> {
    return this.createEngagement('notes', record, options.signal, async (body) => ({
      hs_timestamp: this.now().toISOString(),
      hs_note_body: body(record.body),
    }));
  }

  async createTask(
    record: CrmRecord & { ownerEmail: string; title: string; body: string; dueAt: string },
    options: CallOptions = {},
  ): Promise<{ id: string }> {
    return this.createEngagement('tasks', record, options.signal, async (body) => {
      const ownerId = await this.ownerIdByEmail(record.ownerEmail, options.signal);
      return {
        hs_timestamp: isoUtc(record.dueAt),
        hs_task_subject: record.title,
        hs_task_body: body(record.body, ownerId ? undefined : record.ownerEmail),
        hs_task_status: 'NOT_STARTED',
        hs_task_type: 'TODO',
        ...(ownerId ? { hubspot_owner_id: ownerId } : {}),
      };
    });
  }

  /**
   * The meeting's times, owner and outcome follow what happened: one `PATCH
   * /crm/v3/objects/meetings/{id}` ("Provided property values will be overwritten"), so writing the
   * same change twice is harmless. A new start moves `hs_timestamp` too — HubSpot places the meeting
   * on the timeline by it and says the start "should match the value for hs_timestamp".
   * `hs_meeting_outcome` takes SCHEDULED, RESCHEDULED, CANCELED, COMPLETED or NO_SHOW. A note, or a new
   * owner HubSpot has no user for, is appended to the body once: the body is read first and a
   * paragraph whose text is already in it is not added again. A meeting deleted in HubSpot (404:
   * HubSpot moves deleted activities to its recycling bin) is ProviderRejected with code
   * `crm_meeting_gone`; nothing is written.
   */
  async updateMeeting(
    id: string,
    change: { start?: string; end?: string; status?: MeetingStatus; ownerEmail?: string; note?: string },
    options: CallOptions = {},
  ): Promise<void> {
    const { signal } = options;
    const properties: Record<string, string> = {};
    if (change.start) properties.hs_meeting_start_time = properties.hs_timestamp = isoUtc(change.start);
    if (change.end) properties.hs_meeting_end_time = isoUtc(change.end);
    if (change.status) properties.hs_meeting_outcome = MEETING_OUTCOME[change.status];
    const additions: string[] = [];
    if (change.ownerEmail) {
      const ownerId = await this.ownerIdByEmail(change.ownerEmail, signal);
      if (ownerId) properties.hubspot_owner_id = ownerId;
      else additions.push(unassignedLine(change.ownerEmail));
    }
    if (change.note?.trim()) additions.push(change.note.trim());
    if (additions.length) {
      const current = await this.meetingCall(id, (o) => this.http.api.meetings.getById(id, ['hs_meeting_body'], undefined, undefined, false, undefined, o), signal);
      const body = current.properties.hs_meeting_body ?? '';
      const text = squash(plainText(body));
      const missing = additions.filter((a) => !text.includes(squash(a)));
      if (missing.length) properties.hs_meeting_body = body + missing.flatMap(paragraphs).join('');
    }
    if (Object.keys(properties).length === 0) return;
    await this.meetingCall(id, (o) => this.http.api.meetings.update(id, { properties }, undefined, o), signal);
  }

  /** A call on one meeting; its 404 says plainly that the meeting is gone. */
  private async meetingCall<T>(id: string, work: (options: SdkCallOptions) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await this.http.call(work, signal);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      throw new ProviderRejected(
        `${PROVIDER}: CRM meeting ${id} is not in HubSpot any more (deleted? HubSpot keeps deleted activities in its recycling bin, where it can be restored); nothing was updated`,
        { details: { provider: PROVIDER, status: 404, meetingId: id, code: 'crm_meeting_gone' }, cause: err },
      );
    }
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Searches for the key's marker first when an earlier try may have written it; creates the
   * engagement (associated to the contact and its company) only when nothing carries it. `build`
   * gets a body formatter that appends the marker.
   */
  private async createEngagement(
    type: EngagementType,
    record: CrmRecord,
    signal: AbortSignal | undefined,
    build: (body: (text: string, unassignedOwner?: string) => string) => Promise<Record<string, string>>,
  ): Promise<{ id: string }> {
    const spec = engagementSpec(type);
    const marker = markerForKey(record.key);
    if (record.mayExist !== false) {
      const existing = await this.http.call(
        (o) =>
          this.http.search[type].doSearch(
            {
              filterGroups: [{ filters: [{ propertyName: spec.bodyProperty, operator: CONTAINS_TOKEN, value: marker }] }],
              properties: [spec.bodyProperty],
              limit: 1,
            },
            o,
          ),
        signal,
      );
      const found = existing.results?.[0];
      if (found) return { id: found.id };
    }

    const contact = record.contact ?? (await this.contactForRecord(record.contactEmail, signal));
    const properties = await build((text, unassignedOwner) => formatBody(text, marker, unassignedOwner));
    const associations = [
      { to: { id: contact.contactId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: spec.toContact }] },
      ...(contact.companyId
        ? [{ to: { id: contact.companyId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: spec.toCompany }] }]
        : []),
    ];
    const created = await this.http.call((o) => this.http.api[type].create({ properties, associations }, o), signal);
    return { id: created.id };
  }

  /** The record's contact (with its primary company), created with just the email if missing. */
  private async contactForRecord(email: string, signal: AbortSignal | undefined): Promise<CrmContactRef> {
    const found = await this.contactByEmail(email, ['email', 'associatedcompanyid'], signal);
    return found ? refOf(found) : this.createContact(email, {}, signal);
  }

  /**
   * POST a contact. When another writer created it first (409 "Contact already exists", or 400
   * "... already has that value"), read that contact by email — id and company association come
   * from HubSpot, not from the error text — and update it.
   */
  private async createContact(email: string, properties: Record<string, string>, signal: AbortSignal | undefined): Promise<CrmContactRef> {
    try {
      const created = await this.http.call(
        (o) => this.http.api.contacts.create({ properties: { email: email.trim().toLowerCase(), ...properties }, associations: [] }, o),
        signal,
      );
      // A new contact has no company yet: HubSpot associates one by domain later, if the account
      // has "create and associate companies with contacts" on.
      return { contactId: created.id };
    } catch (err) {
      if (!isCreateConflict(err)) throw err;
      const existing = await this.contactByEmail(email, ['email', 'associatedcompanyid'], signal);
      if (!existing) {
        throw new ProviderUnavailable(`${PROVIDER}: creating contact ${email} conflicted with an existing one that reading by email does not find yet`, {
          details: { provider: PROVIDER },
        });
      }
      await this.update(existing.id, properties, signal);
      return refOf(existing);
    }
  }

  /** `GET /crm/v3/objects/contacts/{email}?idProperty=email`; undefined when there is no such contact. */
  private async contactByEmail(email: string, properties: string[], signal: AbortSignal | undefined): Promise<HsObject | undefined> {
    return this.http
      .call((o) => this.http.api.contacts.getById(email.trim().toLowerCase(), properties, undefined, undefined, false, 'email', o), signal)
      .catch(notFoundAsUndefined);
  }

  private async update(contactId: string, properties: Record<string, string>, signal: AbortSignal | undefined): Promise<void> {
    if (Object.keys(properties).length === 0) return;
    await this.http.call((o) => this.http.api.contacts.update(contactId, { properties }, undefined, o), signal);
  }

  /**
   * The owner's email and name. An active owner comes with both; a deactivated one (404 among
   * active owners) only with a name that says so, taken from the archived owners when HubSpot still
   * has them, so they are named in the reasoning but never routed to.
   */
  private async ownerById(ownerId: string, signal: AbortSignal | undefined): Promise<OwnerInfo> {
    const cached = this.owners.get(ownerId);
    if (cached && Date.now() - cached.at < OWNER_CACHE_MS) return cached.owner;
    const numeric = Number(ownerId);
    if (!Number.isSafeInteger(numeric)) return { name: `HubSpot owner ${ownerId}` };
    const fetchOwner = (archived: boolean) =>
      this.http.call((o) => this.http.api.owners.getById(numeric, 'id', archived, o), signal).catch(notFoundAsUndefined);
    let owner: OwnerInfo;
    const active = await fetchOwner(false);
    if (active) {
      owner = { ...(active.email ? { email: active.email } : {}), ...(personName(active) ? { name: personName(active) } : {}) };
      if (active.email) this.ownerIds.set(active.email.toLowerCase(), { id: ownerId, at: Date.now() });
    } else {
      const gone = await fetchOwner(true);
      const who = gone ? [personName(gone), gone.email].filter(Boolean).join(', ') : '';
      owner = { name: `${who || `HubSpot owner ${ownerId}`}, deactivated in HubSpot` };
    }
    this.owners.set(ownerId, { owner, at: Date.now() });
    return owner;
  }

  private async ownerIdByEmail(email: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.ownerIds.get(key);
    if (cached && Date.now() - cached.at < OWNER_CACHE_MS) return cached.id;
    const page = await this.http.call((o) => this.http.api.owners.getPage(email, undefined, 1, false, o), signal);
    const id = page.results?.find((owner) => owner.email?.toLowerCase() === key)?.id;
    this.ownerIds.set(key, { id, at: Date.now() });
    return id;
  }
}

function refOf(contact: HsObject): CrmContactRef {
  const companyId = contact.properties.associatedcompanyid || undefined;
  return { contactId: contact.id, ...(companyId ? { companyId } : {}) };
}

function statusOf(err: unknown): number | undefined {
  return err instanceof ProviderRejected ? (err.details as { status?: number } | undefined)?.status : undefined;
}

function notFoundAsUndefined(err: unknown): undefined {
  if (statusOf(err) === 404) return undefined;
  throw err;
}

/** A create that lost a race for a unique value: 409 for contacts by email, 400 for other unique-value properties. */
function isCreateConflict(err: unknown): boolean {
  const status = statusOf(err);
  if (status === 409) return true;
  return status === 400 && /already has that value|already exists/i.test((err as Error).message);
}

function contactProperties(contact: CrmContact): Record<string, string> {
  const out: Record<string, string> = {};
  const name = contact.name?.trim();
  if (name) {
    const [first, ...rest] = name.split(/\s+/);
    out.firstname = first!;
    if (rest.length) out.lastname = rest.join(' ');
  }
  if (contact.company) out.company = contact.company;
  if (contact.phone) out.phone = contact.phone;
  if (contact.title) out.jobtitle = contact.title;
  return out;
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase();
}

function isoUtc(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ProviderRejected(`${PROVIDER}: not an ISO-8601 date-time: ${value}`);
  return new Date(ms).toISOString();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text as rich-text paragraphs (a blank line starts a new one). */
function paragraphs(text: string): string[] {
  return text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
}

/** The line that names an owner HubSpot has no user for. */
function unassignedLine(email: string): string {
  return `For: ${email} (no HubSpot user with this email)`;
}

/** Engagement bodies are rich text: plain text becomes HTML paragraphs, then the marker line. */
function formatBody(text: string, marker: string, unassignedOwner?: string): string {
  return [...paragraphs(text), ...(unassignedOwner ? paragraphs(unassignedLine(unassignedOwner)) : []), `<p>Baton ref: ${marker}</p>`].join('');
}

/** The text of a rich-text body, for "is this already in it?" (HubSpot may rewrite the markup). */
function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
