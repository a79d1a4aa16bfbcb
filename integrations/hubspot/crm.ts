/**
 * `CrmProvider` on HubSpot's CRM v3 API (@hubspot/api-client), authenticated with a private
 * app's access token.
 *
 * - findAccountByEmail: contact search by email → its primary company (`associatedcompanyid`),
 *   else a company search by the email's domain (skipped for free-mail domains) → the owner
 *   (`hubspot_owner_id`) resolved to an email and a name through the owners API. Routing maps the
 *   email to a rep; an owner who is not on the team is named in the decision's reasoning. A
 *   deactivated owner (someone who left: the owners API answers 404 unless asked for archived
 *   owners) is looked up among the archived ones for their name and never routed to.
 * - upsertContact: search by email, then update (PATCH) or create (POST); a create that races
 *   another one (409 "Contact already exists. Existing ID: n") updates that contact instead.
 * - logMeeting / addNote / createTask: engagements associated to the contact (created if missing)
 *   and its primary company, owned by the rep (`hubspot_owner_id` looked up by email).
 *
 * Idempotency for engagements: HubSpot has no idempotency keys, so each body ends with a marker
 * line `Baton ref: batonref<24 hex of sha256(key)>` — one alphanumeric token — and the adapter
 * first searches the object type for that token (`CONTAINS_TOKEN` on the body property). Found:
 * the existing id is returned and nothing is written. HubSpot's search index lags writes by a few
 * seconds, so two writes of the same key within that window can still both land; Temporal only
 * retries after a failure/timeout plus backoff, which keeps that window mostly closed.
 *
 * SDK retries are off (`numberOfApiCallRetries: 0`, no limiter): Temporal retries. The SDK's
 * fetch has no timeout, so every call runs under `withDeadline`.
 */
import { createHash } from 'node:crypto';
import { AssociationTypes, Client } from '@hubspot/api-client';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec';
import { ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import type { CrmAccount, CrmContact, CrmProvider, CrmRecord } from '../providers';
import { fromHubSpotError, hubspotErrorInfo, withDeadline } from '../errors';

export const DEFAULT_HUBSPOT_BASE_PATH = 'https://api.hubapi.com';
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
  /** Per-call deadline in ms (default 10 s). */
  timeoutMs?: number;
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

const ENGAGEMENT: Record<EngagementType, { bodyProperty: string; toContact: number; toCompany: number }> = {
  notes: { bodyProperty: 'hs_note_body', toContact: AssociationTypes.noteToContact, toCompany: AssociationTypes.noteToCompany },
  meetings: { bodyProperty: 'hs_meeting_body', toContact: AssociationTypes.meetingToContact, toCompany: AssociationTypes.meetingToCompany },
  tasks: { bodyProperty: 'hs_task_body', toContact: AssociationTypes.taskToContact, toCompany: AssociationTypes.taskToCompany },
};

/** The token written into an engagement body for an idempotency key (one alphanumeric word). */
export function markerForKey(key: string): string {
  return `batonref${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 24)}`;
}

export class HubSpotCrmProvider implements CrmProvider {
  readonly kind = 'hubspot';
  private readonly client: Client;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly owners = new Map<string, { owner: OwnerInfo; at: number }>();
  private readonly ownerIds = new Map<string, { id?: string; at: number }>();

  constructor(options: HubSpotCrmOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HUBSPOT_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
    this.client = new Client({
      accessToken: options.accessToken,
      basePath: (options.basePath ?? DEFAULT_HUBSPOT_BASE_PATH).replace(/\/+$/, ''),
      numberOfApiCallRetries: 0,
    });
  }

  async findAccountByEmail(email: string): Promise<CrmAccount | null> {
    const domain = domainOf(email);
    const contact = await this.findContact(email, ['email', 'company', 'associatedcompanyid', 'hubspot_owner_id']);
    let company: HsObject | undefined;
    const companyId = contact?.properties.associatedcompanyid;
    if (companyId) {
      company = await this.call(() =>
        this.client.crm.companies.basicApi.getById(companyId, ['domain', 'name', 'hubspot_owner_id']),
      ).catch((err: unknown) => {
        if (err instanceof ProviderRejected && (err.details as { status?: number } | undefined)?.status === 404) return undefined;
        throw err;
      });
    }
    if (!company && domain && !FREE_MAIL.has(domain)) {
      const found = await this.call(() =>
        this.client.crm.companies.searchApi.doSearch({
          filterGroups: [{ filters: [{ propertyName: 'domain', operator: EQ, value: domain }] }],
          properties: ['domain', 'name', 'hubspot_owner_id'],
          limit: 10,
        }),
      );
      const results = found.results ?? [];
      company = results.find((c) => c.properties.hubspot_owner_id) ?? results[0];
    }
    const ownerId = company?.properties.hubspot_owner_id || contact?.properties.hubspot_owner_id || undefined;
    if (!company && !ownerId) return null;
    const owner = ownerId ? await this.ownerById(ownerId) : {};
    const name = company?.properties.name || contact?.properties.company || undefined;
    return {
      domain: company?.properties.domain || domain,
      ...(name ? { name } : {}),
      ...(owner.email ? { ownerEmail: owner.email } : {}),
      ...(owner.name ? { ownerName: owner.name } : {}),
    };
  }

  async upsertContact(contact: CrmContact): Promise<{ contactId: string }> {
    const properties = contactProperties(contact);
    const existing = await this.findContact(contact.email, ['email']);
    if (existing) {
      await this.update(existing.id, properties);
      return { contactId: existing.id };
    }
    return { contactId: await this.createContact(contact.email, properties) };
  }

  async logMeeting(
    record: CrmRecord & { title: string; start: string; end: string; body: string; ownerEmail: string },
  ): Promise<{ id: string }> {
    return this.createEngagement('meetings', record, async (body) => {
      const ownerId = await this.ownerIdByEmail(record.ownerEmail);
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

  async addNote(record: CrmRecord & { body: string }): Promise<{ id: string }> {
    return this.createEngagement('notes', record, async (body) => ({
      hs_timestamp: this.now().toISOString(),
      hs_note_body: body(record.body),
    }));
  }

  async createTask(
    record: CrmRecord & { ownerEmail: string; title: string; body: string; dueAt: string },
  ): Promise<{ id: string }> {
    return this.createEngagement('tasks', record, async (body) => {
      const ownerId = await this.ownerIdByEmail(record.ownerEmail);
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

  // -------------------------------------------------------------------------------------------

  /**
   * Search for the key's marker first; create (associated to the contact and its company) only
   * when nothing carries it. `build` gets a body formatter that appends the marker.
   */
  private async createEngagement(
    type: EngagementType,
    record: CrmRecord,
    build: (body: (text: string, unassignedOwner?: string) => string) => Promise<Record<string, string>>,
  ): Promise<{ id: string }> {
    const spec = ENGAGEMENT[type];
    const marker = markerForKey(record.key);
    const api = this.client.crm.objects[type];
    const existing = await this.call(() =>
      api.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: spec.bodyProperty, operator: CONTAINS_TOKEN, value: marker }] }],
        properties: [spec.bodyProperty],
        limit: 1,
      }),
    );
    const found = existing.results?.[0];
    if (found) return { id: found.id };

    const contact = await this.contactForRecord(record.contactEmail);
    const properties = await build((text, unassignedOwner) => formatBody(text, marker, unassignedOwner));
    const associations = [
      { to: { id: contact.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: spec.toContact }] },
      ...(contact.properties.associatedcompanyid
        ? [
            {
              to: { id: contact.properties.associatedcompanyid },
              types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: spec.toCompany }],
            },
          ]
        : []),
    ];
    const created = await this.call(() => api.basicApi.create({ properties, associations }));
    return { id: created.id };
  }

  /** The record's contact (with its primary company id), created with just the email if missing. */
  private async contactForRecord(email: string): Promise<HsObject> {
    const found = await this.findContact(email, ['email', 'associatedcompanyid']);
    if (found) return found;
    return { id: await this.createContact(email, {}), properties: {} };
  }

  /** POST a contact; when another writer created it first (409 "Existing ID: n"), update that one. */
  private async createContact(email: string, properties: Record<string, string>): Promise<string> {
    try {
      const created = await this.call(() =>
        this.client.crm.contacts.basicApi.create({ properties: { email, ...properties }, associations: [] }),
      );
      return created.id;
    } catch (err) {
      const details = err instanceof ProviderRejected ? (err.details as { status?: number; body?: { message?: string } }) : undefined;
      const id = details?.status === 409 ? /Existing ID:\s*(\d+)/i.exec(details.body?.message ?? '')?.[1] : undefined;
      if (!id) throw err;
      await this.update(id, properties);
      return id;
    }
  }

  private async findContact(email: string, properties: string[]): Promise<HsObject | undefined> {
    const res = await this.call(() =>
      this.client.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'email', operator: EQ, value: email }] }],
        properties,
        limit: 1,
      }),
    );
    return res.results?.[0];
  }

  private async update(contactId: string, properties: Record<string, string>): Promise<void> {
    if (Object.keys(properties).length === 0) return;
    await this.call(() => this.client.crm.contacts.basicApi.update(contactId, { properties }));
  }

  /**
   * The owner's email and name. An active owner comes with both; a deactivated one (404 among
   * active owners) only with a name that says so, taken from the archived owners when HubSpot still
   * has them, so they are named in the reasoning but never routed to.
   */
  private async ownerById(ownerId: string): Promise<OwnerInfo> {
    const cached = this.owners.get(ownerId);
    if (cached && Date.now() - cached.at < OWNER_CACHE_MS) return cached.owner;
    const numeric = Number(ownerId);
    if (!Number.isSafeInteger(numeric)) return { name: `HubSpot owner ${ownerId}` };
    const fetchOwner = async (archived: boolean) => {
      try {
        return await withDeadline(PROVIDER, this.timeoutMs, () => this.client.crm.owners.ownersApi.getById(numeric, 'id', archived));
      } catch (err) {
        if (hubspotErrorInfo(err).status === 404) return undefined;
        throw fromHubSpotError(err);
      }
    };
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

  private async ownerIdByEmail(email: string): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.ownerIds.get(key);
    if (cached && Date.now() - cached.at < OWNER_CACHE_MS) return cached.id;
    const page = await this.call(() => this.client.crm.owners.ownersApi.getPage(email, undefined, 1, false));
    const id = page.results?.find((o) => o.email?.toLowerCase() === key)?.id;
    this.ownerIds.set(key, { id, at: Date.now() });
    return id;
  }

  /** Runs one SDK call under the deadline and maps its errors. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await withDeadline(PROVIDER, this.timeoutMs, work);
      if (result === undefined || result === null || typeof result !== 'object') {
        throw new ProviderUnavailable(`${PROVIDER}: empty or non-JSON response body`, {
          details: { provider: PROVIDER, code: 'malformed_response' },
        });
      }
      return result;
    } catch (err) {
      throw fromHubSpotError(err);
    }
  }
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

/** Engagement bodies are rich text: plain text becomes HTML paragraphs, then the marker line. */
function formatBody(text: string, marker: string, unassignedOwner?: string): string {
  const paragraphs = text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  if (unassignedOwner) paragraphs.push(`<p>For: ${escapeHtml(unassignedOwner)} (no HubSpot user with this email)</p>`);
  paragraphs.push(`<p>Baton ref: ${marker}</p>`);
  return paragraphs.join('');
}
