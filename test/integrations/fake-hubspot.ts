/**
 * A small stateful HubSpot on the local HTTP recorder, for tests that need HubSpot's behaviour
 * across many calls rather than one canned answer: contacts readable by email at once, a search
 * index that shows a write only `indexLagMs` after it (HubSpot: "it may take a few moments"), the
 * search endpoints' per-token rate limit answered with the recorded 429 body and headers
 * (fixtures/hubspot/rate-limit-429-search-secondly.json), a create whose response is lost after
 * the write landed, and engagements read and patched by id (404 once deleted). Every request is still recorded (`server.requests`).
 */
import { fixture, type HttpRecorder, type RecordedRequest, type Reply } from './http-recorder';

interface StoredObject {
  id: string;
  properties: Record<string, string>;
  associations: unknown[];
  createdAt: number;
}

export interface FakeHubSpotOptions {
  /** How long after a write the search index shows it (default 0). */
  indexLagMs?: number;
  /** Searches allowed per rolling second per token (default: unlimited). HubSpot: 4. */
  searchesPerSecond?: number;
  /** Clock for the index lag (default Date.now); tests may advance a virtual one. */
  now?: () => number;
}

const ENGAGEMENTS = ['notes', 'meetings', 'tasks'] as const;
type Engagement = (typeof ENGAGEMENTS)[number];
const BODY: Record<Engagement, string> = { notes: 'hs_note_body', meetings: 'hs_meeting_body', tasks: 'hs_task_body' };

export class FakeHubSpot {
  readonly contacts = new Map<string, StoredObject>(); // by lower-case email
  readonly companies = new Map<string, StoredObject>();
  readonly engagements: Record<Engagement, StoredObject[]> = { notes: [], meetings: [], tasks: [] };
  readonly owners: { id: string; email: string }[] = [];
  /** Search requests answered 200 / 429. */
  searches = 0;
  throttled = 0;
  private nextId = 1000;
  private readonly searchTimes = new Map<string, number[]>();
  private readonly loseNextCreate = new Set<string>();

  constructor(
    readonly server: HttpRecorder,
    private readonly options: FakeHubSpotOptions = {},
  ) {
    server.on('GET', /^\/crm\/v3\/objects\/contacts\/[^/]+$/, (req) => this.getContact(req));
    server.on('POST', '/crm/v3/objects/contacts', (req) => this.createContact(req));
    server.on('PATCH', /^\/crm\/v3\/objects\/contacts\/\d+$/, (req) => this.updateContact(req));
    server.on('POST', '/crm/v3/objects/contacts/search', (req) => this.searchLimited(req, () => this.searchContacts(req)));
    server.on('GET', /^\/crm\/v3\/objects\/companies\/\d+$/, (req) => this.getCompany(req));
    server.on('POST', '/crm/v3/objects/companies/search', (req) => this.searchLimited(req, () => this.searchCompanies(req)));
    for (const type of ENGAGEMENTS) {
      server.on('POST', `/crm/v3/objects/${type}`, (req) => this.createEngagement(type, req));
      server.on('POST', `/crm/v3/objects/${type}/search`, (req) => this.searchLimited(req, () => this.searchEngagements(type, req)));
      server.on('GET', new RegExp(`^/crm/v3/objects/${type}/\\d+$`), (req) => this.getEngagement(type, req));
      server.on('PATCH', new RegExp(`^/crm/v3/objects/${type}/\\d+$`), (req) => this.updateEngagement(type, req));
    }
    server.on('GET', '/crm/v3/owners/', (req) => ({ json: { results: this.owners.filter((o) => o.email === req.query.email) } }));
    server.on('GET', /^\/crm\/v3\/owners\/\d+$/, (req) => {
      const owner = this.owners.find((o) => req.path.endsWith(`/${o.id}`));
      return owner ? { json: { ...owner, archived: false } } : { status: 404, json: { status: 'error', message: 'resource not found' } };
    });
  }

  seedCompany(domain: string, name: string, ownerEmail?: string): string {
    const id = String(this.nextId++);
    let ownerId: string | undefined;
    if (ownerEmail) {
      ownerId = this.owners.find((o) => o.email === ownerEmail)?.id ?? String(this.nextId++);
      if (!this.owners.some((o) => o.id === ownerId)) this.owners.push({ id: ownerId, email: ownerEmail });
    }
    this.companies.set(id, { id, properties: { domain, name, ...(ownerId ? { hubspot_owner_id: ownerId } : {}) }, associations: [], createdAt: 0 });
    return id;
  }

  seedContact(email: string, companyId?: string): string {
    const id = String(this.nextId++);
    this.contacts.set(email.toLowerCase(), { id, properties: { email, ...(companyId ? { associatedcompanyid: companyId } : {}) }, associations: [], createdAt: 0 });
    return id;
  }

  /** The next create of this object type is written, then its connection dropped before any answer. */
  loseResponseOfNextCreate(type: Engagement | 'contacts'): void {
    this.loseNextCreate.add(type);
  }

  private get clock(): number {
    return (this.options.now ?? Date.now)();
  }

  private searchLimited(req: RecordedRequest, answer: () => Reply): Reply {
    const limit = this.options.searchesPerSecond;
    if (limit !== undefined) {
      const token = String(req.headers.authorization);
      const now = Date.now();
      const recent = (this.searchTimes.get(token) ?? []).filter((t) => now - t < 1_000);
      if (recent.length >= limit) {
        this.searchTimes.set(token, recent);
        this.throttled++;
        return fixture('hubspot/rate-limit-429-search-secondly').response;
      }
      recent.push(now);
      this.searchTimes.set(token, recent);
    }
    this.searches++;
    return answer();
  }

  private getContact(req: RecordedRequest): Reply {
    const key = decodeURIComponent(req.path.split('/').pop()!);
    const contact = req.query.idProperty === 'email' ? this.contacts.get(key.toLowerCase()) : [...this.contacts.values()].find((c) => c.id === key);
    if (!contact) return fixture('hubspot/contacts-get-404-not-found').response;
    return { json: this.view(contact) };
  }

  private createContact(req: RecordedRequest): Reply {
    const { properties } = req.body as { properties: Record<string, string> };
    const email = properties.email!.toLowerCase();
    const existing = this.contacts.get(email);
    if (existing) {
      const fx = fixture('hubspot/contacts-create-409-conflict').response;
      return { ...fx, json: { ...(fx.json as object), message: `Contact already exists. Existing ID: ${existing.id}` } };
    }
    const contact: StoredObject = { id: String(this.nextId++), properties: { ...properties }, associations: [], createdAt: this.clock };
    this.contacts.set(email, contact);
    if (this.loseNextCreate.delete('contacts')) return { hangUp: true };
    return { status: 201, json: this.view(contact) };
  }

  private updateContact(req: RecordedRequest): Reply {
    const id = req.path.split('/').pop();
    const contact = [...this.contacts.values()].find((c) => c.id === id);
    if (!contact) return { status: 404, json: { status: 'error', message: 'resource not found' } };
    Object.assign(contact.properties, (req.body as { properties: Record<string, string> }).properties);
    return { json: this.view(contact) };
  }

  private getCompany(req: RecordedRequest): Reply {
    const company = this.companies.get(req.path.split('/').pop()!);
    return company ? { json: this.view(company) } : { status: 404, json: { status: 'error', message: 'resource not found' } };
  }

  private searchCompanies(req: RecordedRequest): Reply {
    const value = (req.body as { filterGroups: [{ filters: [{ value: string }] }] }).filterGroups[0].filters[0].value;
    const results = [...this.companies.values()].filter((c) => c.properties.domain === value).map((c) => this.view(c));
    return { json: { total: results.length, results } };
  }

  /** Email EQ, through the lagging index (what Baton did before reading contacts by email). */
  private searchContacts(req: RecordedRequest): Reply {
    const value = (req.body as { filterGroups: [{ filters: [{ value: string }] }] }).filterGroups[0].filters[0].value.toLowerCase();
    const contact = this.contacts.get(value);
    const visible = contact && this.clock - contact.createdAt >= (this.options.indexLagMs ?? 0);
    return { json: { total: visible ? 1 : 0, results: visible ? [this.view(contact)] : [] } };
  }

  private createEngagement(type: Engagement, req: RecordedRequest): Reply {
    const { properties, associations } = req.body as { properties: Record<string, string>; associations: unknown[] };
    const stored: StoredObject = { id: String(this.nextId++), properties, associations, createdAt: this.clock };
    this.engagements[type].push(stored);
    if (this.loseNextCreate.delete(type)) return { hangUp: true };
    return { status: 201, json: this.view(stored) };
  }

  /** As when someone deletes the engagement in HubSpot (it goes to the recycling bin: reads answer 404). */
  deleteEngagement(type: Engagement, id: string): void {
    this.engagements[type] = this.engagements[type].filter((e) => e.id !== id);
  }

  private engagement(type: Engagement, req: RecordedRequest): StoredObject | undefined {
    return this.engagements[type].find((e) => req.path.endsWith(`/${e.id}`));
  }

  private getEngagement(type: Engagement, req: RecordedRequest): Reply {
    const found = this.engagement(type, req);
    return found ? { json: this.view(found) } : fixture('hubspot/meetings-update-404-not-found').response;
  }

  /** PATCH: the given properties overwrite the stored ones (HubSpot: "Provided property values will be overwritten"). */
  private updateEngagement(type: Engagement, req: RecordedRequest): Reply {
    const found = this.engagement(type, req);
    if (!found) return fixture('hubspot/meetings-update-404-not-found').response;
    Object.assign(found.properties, (req.body as { properties: Record<string, string> }).properties);
    return { json: this.view(found) };
  }

  private searchEngagements(type: Engagement, req: RecordedRequest): Reply {
    const token = (req.body as { filterGroups: [{ filters: [{ value: string }] }] }).filterGroups[0].filters[0].value;
    const indexed = this.engagements[type].filter((e) => this.clock - e.createdAt >= (this.options.indexLagMs ?? 0));
    const results = indexed.filter((e) => e.properties[BODY[type]]?.split(/[^A-Za-z0-9]+/).includes(token)).map((e) => this.view(e));
    return { json: { total: results.length, results } };
  }

  private view(o: StoredObject) {
    const at = new Date(o.createdAt).toISOString();
    return { id: o.id, properties: { ...o.properties, hs_object_id: o.id }, createdAt: at, updatedAt: at, archived: false };
  }
}
