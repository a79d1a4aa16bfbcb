import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderQuotaExhausted, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { HubSpotCrmProvider, markerForKey } from '../../integrations/hubspot/crm';
import { closedPortUrl, fixture, HttpRecorder, replay, type Reply } from './http-recorder';
import { qualifyActivities } from '../../activities/qualify';
import { decideRoute } from '../../activities/route';
import { InMemoryPools } from '../../domain/route/distribution';
import { embeddedProviders } from '../../runtime/providers';
import { testTeam } from '../helpers/harness';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const NOW = new Date('2026-01-05T14:00:00.000Z');
const JANE_PATH = '/crm/v3/objects/contacts/jane@mercyhealth.org';

let server: HttpRecorder;
let crm: HubSpotCrmProvider;

beforeAll(async () => {
  server = await HttpRecorder.start();
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  crm = new HubSpotCrmProvider({ accessToken: TOKEN, basePath: server.url, timeoutMs: 2_000, now: () => NOW });
});

function expectAllAuthorized() {
  expect(server.unmatched).toEqual([]);
  for (const req of server.requests) expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
}

const janeFound = () => server.once('GET', JANE_PATH, fixture('hubspot/contacts-get-by-email').response);
const janeMissing = (path = JANE_PATH) => server.once('GET', path, fixture('hubspot/contacts-get-404-not-found').response);
const searches = () => server.requests.filter((r) => r.path.endsWith('/search'));

describe('HubSpot CrmProvider contract: accounts and contacts (read by email, not searched)', () => {
  it('findAccountByEmail: contact by email → primary company → owner email, without a search', async () => {
    const contact = replay(server, 'hubspot/contacts-get-by-email');
    const company = replay(server, 'hubspot/companies-get');
    const owner = replay(server, 'hubspot/owners-get');

    const account = await crm.findAccountByEmail('jane@mercyhealth.org');

    expectAllAuthorized();
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${JANE_PATH}`,
      'GET /crm/v3/objects/companies/9001',
      'GET /crm/v3/owners/77',
    ]);
    expect(server.requests[0]!.query).toEqual(contact.request!.query);
    expect(server.requests[1]!.query).toMatchObject(company.request!.query!);
    expect(server.requests[2]!.query).toEqual(owner.request!.query);
    expect(account).toEqual({ domain: 'mercyhealth.org', name: 'Mercy Health', ownerEmail: 'sarah@acme.example', ownerName: 'Sarah Chen' });
  });

  it('findAccountByEmail: unknown contact (404) → company search by domain, preferring an owned company; owners are cached', async () => {
    janeMissing('/crm/v3/objects/contacts/buyer@northwind.example');
    const companies = replay(server, 'hubspot/companies-search-domain');
    server.on('GET', '/crm/v3/owners/78', {
      json: { ...(fixture('hubspot/owners-get').response.json as object), id: '78', email: 'tom@acme.example', firstName: 'Tom', lastName: 'Becker' },
    });

    const account = await crm.findAccountByEmail('buyer@northwind.example');

    expectAllAuthorized();
    expect(server.to('POST', '/crm/v3/objects/companies/search')[0]!.body).toEqual(companies.request!.body);
    expect(account).toEqual({ domain: 'northwind.example', name: 'Northwind Traders', ownerEmail: 'tom@acme.example', ownerName: 'Tom Becker' });

    janeMissing('/crm/v3/objects/contacts/other@northwind.example');
    replay(server, 'hubspot/companies-search-domain');
    await crm.findAccountByEmail('other@northwind.example');
    expect(server.to('GET', '/crm/v3/owners/78')).toHaveLength(1);
  });

  it('findAccountByEmail: a deactivated owner (404 among active owners) is named from the archived owners, never given as an email to route to', async () => {
    janeFound();
    server.once('GET', '/crm/v3/objects/companies/9001', {
      json: { ...(fixture('hubspot/companies-get').response.json as { properties: object }), properties: { domain: 'mercyhealth.org', name: 'Mercy Health', hubspot_owner_id: '812' } },
    });
    const notFound = replay(server, 'hubspot/owners-get-404-not-found');
    const archived = replay(server, 'hubspot/owners-get-archived');

    const account = await crm.findAccountByEmail('jane@mercyhealth.org');

    expectAllAuthorized();
    expect(server.to('GET', '/crm/v3/owners/812').map((r) => r.query)).toEqual([notFound.request!.query, archived.request!.query]);
    expect(account).toEqual({ domain: 'mercyhealth.org', name: 'Mercy Health', ownerName: 'Bob Stone, bob.stone@acme.example, deactivated in HubSpot' });

    // Gone from the archived owners too: named by id. Cached: no second lookup.
    server.reset();
    const gone = new HubSpotCrmProvider({ accessToken: TOKEN, basePath: server.url, timeoutMs: 2_000 });
    for (let i = 0; i < 2; i++) {
      janeFound();
      server.once('GET', '/crm/v3/objects/companies/9001', {
        json: { ...(fixture('hubspot/companies-get').response.json as { properties: object }), properties: { domain: 'mercyhealth.org', hubspot_owner_id: '812' } },
      });
    }
    server.on('GET', '/crm/v3/owners/812', fixture('hubspot/owners-get-404-not-found').response);
    expect((await gone.findAccountByEmail('jane@mercyhealth.org'))?.ownerName).toBe('HubSpot owner 812, deactivated in HubSpot');
    expect((await gone.findAccountByEmail('jane@mercyhealth.org'))?.ownerName).toBe('HubSpot owner 812, deactivated in HubSpot');
    expect(server.to('GET', '/crm/v3/owners/812')).toHaveLength(2);
  });

  it('routing with HubSpot: an owner who is not on the team (active or deactivated) is noted and the rules decide', async () => {
    const team = testTeam();
    const local = embeddedProviders(':memory:', team);
    const lead = { email: 'jane@mercyhealth.org', message: 'We run a hospital network.' };
    /** Routes the lead with a fresh HubSpot provider (owners are cached per provider) whose account is owned by 812. */
    const route = async (...ownerReplies: Reply[]) => {
      server.reset();
      janeFound();
      server.once('GET', '/crm/v3/objects/companies/9001', {
        json: { ...(fixture('hubspot/companies-get').response.json as { properties: object }), properties: { domain: 'mercyhealth.org', name: 'Mercy Health', hubspot_owner_id: '812' } },
      });
      for (const reply of ownerReplies) server.once('GET', '/crm/v3/owners/812', reply);
      const hubspot = new HubSpotCrmProvider({ accessToken: TOKEN, basePath: server.url, timeoutMs: 2_000 });
      const deps = { team, providers: { calendar: local.calendar, crm: hubspot, email: local.outbox }, pools: new InMemoryPools() };
      const facts = await qualifyActivities(deps).qualifyLead({ workflowId: 'w', lead });
      const decision = await decideRoute(deps, { lead, facts, now: NOW.getTime(), scope: 'w', leadId: 'w' });
      expectAllAuthorized();
      return decision;
    };
    const owner = (over: object): Reply => ({ json: { ...(fixture('hubspot/owners-get').response.json as object), id: '812', ...over } });

    const active = await route(owner({ email: 'bob.stone@acme.example', firstName: 'Bob', lastName: 'Stone' }));
    expect(active.source).toBe('rule');
    expect(active.reps).toEqual(['sarah']);
    expect(active.reasoning).toMatch(/^This account's CRM owner \(Bob Stone <bob\.stone@acme\.example>\) is not on the team, so the rules decide\. Rule 2 \("Healthcare companies go to Sarah"\) matched/);

    const deactivated = await route(fixture('hubspot/owners-get-404-not-found').response, fixture('hubspot/owners-get-archived').response);
    expect(deactivated.reps).toEqual(['sarah']);
    expect(deactivated.reasoning).toMatch(/^This account's CRM owner \(Bob Stone, bob\.stone@acme\.example, deactivated in HubSpot\) is not on the team, so the rules decide\./);

    // A known rep still owns the account: the owner wins, with no note.
    const known = await route(owner({ email: 'mark@acme.example', firstName: 'Mark', lastName: 'Li' }));
    expect(known).toMatchObject({ source: 'owner', reps: ['mark'] });
    expect(known.reasoning).not.toMatch(/not on the team/);
  });

  it('findAccountByEmail: a free-mail address with no contact is null, without a company search', async () => {
    janeMissing('/crm/v3/objects/contacts/someone@gmail.com');
    expect(await crm.findAccountByEmail('someone@gmail.com')).toBeNull();
    expect(server.requests.map((r) => r.path)).toEqual(['/crm/v3/objects/contacts/someone@gmail.com']);
  });

  const jane = { email: 'jane@mercyhealth.org', name: 'Jane Park', company: 'Mercy Health', phone: '+1 206 555 0100', title: 'CIO' };

  it('upsertContact: an existing contact is updated with PATCH; its id and company come back', async () => {
    janeFound();
    const update = replay(server, 'hubspot/contacts-update');
    expect(await crm.upsertContact(jane)).toEqual({ contactId: '501', companyId: '9001' });
    expectAllAuthorized();
    expect(server.requests[0]!.query).toMatchObject({ idProperty: 'email' });
    expect(server.to('PATCH', '/crm/v3/objects/contacts/501')[0]!.body).toEqual(update.request!.body);
    expect(server.to('POST', '/crm/v3/objects/contacts')).toHaveLength(0);
    expect(searches()).toEqual([]);
  });

  it('upsertContact: a new contact is created with POST', async () => {
    janeMissing();
    const create = replay(server, 'hubspot/contacts-create');
    expect(await crm.upsertContact(jane)).toEqual({ contactId: '502' });
    expectAllAuthorized();
    expect(server.to('POST', '/crm/v3/objects/contacts')[0]!.body).toEqual(create.request!.body);
  });

  it.each([
    ['409 "Contact already exists"', 'hubspot/contacts-create-409-conflict'],
    ['400 "already has that value"', 'hubspot/contacts-create-400-already-has-value'],
  ])('upsertContact: a create that loses a race (%s) reads the winner by email, updates it and keeps its company', async (_what, conflict) => {
    janeMissing();
    replay(server, conflict);
    janeFound(); // the winner, with its company association
    replay(server, 'hubspot/contacts-update');

    expect(await crm.upsertContact(jane)).toEqual({ contactId: '501', companyId: '9001' });

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${JANE_PATH}`,
      'POST /crm/v3/objects/contacts',
      `GET ${JANE_PATH}`,
      'PATCH /crm/v3/objects/contacts/501',
    ]);
  });

  it('a 400 that is not a race for the email is ProviderRejected, not retried as a conflict', async () => {
    janeMissing();
    replay(server, 'hubspot/validation-400', '/crm/v3/objects/contacts');
    const err = await crm.upsertContact(jane).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect(server.requests).toHaveLength(2);
  });
});

describe('HubSpot CrmProvider contract: engagements (idempotent by body marker)', () => {
  const noteKey = 'lead-jane@mercyhealth.org/note-routed';
  const noteText = 'Routed to Sarah Chen (rule 2: Healthcare companies go to Sarah).\nBudget $150K.\n\nBooked for Tue 9:00 CT.';

  it('addNote: searches the key marker, reads the contact by email, then creates the note associated to contact (202) and company (190)', async () => {
    const search = replay(server, 'hubspot/notes-search-empty');
    janeFound();
    const create = replay(server, 'hubspot/notes-create');

    const result = await crm.addNote({ key: noteKey, contactEmail: 'jane@mercyhealth.org', body: noteText });

    expectAllAuthorized();
    expect(result).toEqual({ id: '61001' });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /crm/v3/objects/notes/search',
      `GET ${JANE_PATH}`,
      'POST /crm/v3/objects/notes',
    ]);
    expect(server.requests[0]!.body).toEqual(search.request!.body);
    expect((search.request!.body as { filterGroups: [{ filters: [{ value: string }] }] }).filterGroups[0].filters[0].value).toBe(
      markerForKey(noteKey),
    );
    expect(server.requests[2]!.body).toEqual(create.request!.body);
  });

  it('addNote with the contact known and no earlier try (mayExist: false) is one request: the create', async () => {
    const create = replay(server, 'hubspot/notes-create');
    const result = await crm.addNote({
      key: noteKey,
      contactEmail: 'jane@mercyhealth.org',
      contact: { contactId: '501', companyId: '9001' },
      mayExist: false,
      body: noteText,
    });
    expect(result).toEqual({ id: '61001' });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /crm/v3/objects/notes']);
    expect(server.requests[0]!.body).toEqual(create.request!.body);
  });

  it('addNote with a key already written returns the existing note and writes nothing', async () => {
    server.once('POST', '/crm/v3/objects/notes/search', {
      json: { total: 1, results: [{ id: '61001', properties: { hs_note_body: `<p>…</p><p>Baton ref: ${markerForKey(noteKey)}</p>` }, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), archived: false }] },
    });
    expect(await crm.addNote({ key: noteKey, contactEmail: 'jane@mercyhealth.org', body: 'again' })).toEqual({ id: '61001' });
    expect(server.requests).toHaveLength(1);
  });

  it('logMeeting: owner resolved by email; meeting associated to contact (200) and company (188)', async () => {
    server.once('POST', '/crm/v3/objects/meetings/search', { json: { total: 0, results: [] } });
    const owners = replay(server, 'hubspot/owners-by-email');
    const create = replay(server, 'hubspot/meetings-create');

    const result = await crm.logMeeting({
      key: 'lead-jane@mercyhealth.org/meeting-1',
      contactEmail: 'jane@mercyhealth.org',
      contact: { contactId: '501', companyId: '9001' },
      title: 'Acme intro: Mercy Health',
      start: '2026-01-06T09:00:00-06:00',
      end: '2026-01-06T09:30:00-06:00',
      body: 'Google Meet: https://meet.google.com/abc-defg-hij',
      ownerEmail: 'sarah@acme.example',
    });

    expectAllAuthorized();
    expect(result).toEqual({ id: '62001' });
    expect(server.to('GET', '/crm/v3/owners/')[0]!.query).toEqual(owners.request!.query);
    expect(server.to('POST', '/crm/v3/objects/meetings')[0]!.body).toEqual(create.request!.body);
  });

  it('createTask: owned by the rep, due at dueAt, associated to contact (204) and company (192)', async () => {
    server.once('POST', '/crm/v3/objects/tasks/search', { json: { total: 0, results: [] } });
    replay(server, 'hubspot/owners-by-email');
    janeFound();
    const create = replay(server, 'hubspot/tasks-create');

    const result = await crm.createTask({
      key: 'lead-jane@mercyhealth.org/task-prep',
      contactEmail: 'jane@mercyhealth.org',
      ownerEmail: 'sarah@acme.example',
      title: 'Prepare for Mercy Health intro',
      body: 'Read the briefing.',
      dueAt: '2026-01-06T14:00:00Z',
    });

    expectAllAuthorized();
    expect(result).toEqual({ id: '63001' });
    expect(server.to('POST', '/crm/v3/objects/tasks')[0]!.body).toEqual(create.request!.body);
  });

  it('createTask for an owner HubSpot does not know: unassigned, and the body says for whom', async () => {
    server.once('POST', '/crm/v3/objects/tasks/search', { json: { total: 0, results: [] } });
    server.once('GET', '/crm/v3/owners/', { json: { results: [] } });
    janeMissing('/crm/v3/objects/contacts/new@lead.example');
    server.once('POST', '/crm/v3/objects/contacts', fixture('hubspot/contacts-create').response);
    server.once('POST', '/crm/v3/objects/tasks', fixture('hubspot/tasks-create').response);

    await crm.createTask({
      key: 'k',
      contactEmail: 'new@lead.example',
      ownerEmail: 'ghost@acme.example',
      title: 'T',
      body: 'B',
      dueAt: '2026-01-06T14:00:00Z',
    });

    // The missing contact was created first (email only), then the task, associated to it only.
    expect((server.to('POST', '/crm/v3/objects/contacts')[0]!.body as { properties: unknown }).properties).toEqual({ email: 'new@lead.example' });
    const task = server.to('POST', '/crm/v3/objects/tasks')[0]!.body as { properties: Record<string, string>; associations: unknown[] };
    expect(task.properties.hubspot_owner_id).toBeUndefined();
    expect(task.properties.hs_task_body).toContain('For: ghost@acme.example');
    expect(task.associations).toEqual([{ to: { id: '502' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }] }]);
  });
});

describe('HubSpot CrmProvider contract: errors and limits', () => {
  const call = () => crm.findAccountByEmail('jane@mercyhealth.org').catch((e: unknown) => e);

  it('401 is ProviderAuthError', async () => {
    server.once('GET', JANE_PATH, fixture('hubspot/unauthorized-401').response);
    const err = await call();
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toContain('Authentication credentials not found');
  });

  it('403 MISSING_SCOPES is ProviderAuthError naming the category', async () => {
    server.once('GET', JANE_PATH, fixture('hubspot/missing-scopes-403').response);
    const err = await call();
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toContain('MISSING_SCOPES');
  });

  it('429 TEN_SECONDLY_ROLLING waits the interval header (10 s), sent once (SDK retries off)', async () => {
    server.once('GET', JANE_PATH, fixture('hubspot/rate-limit-429').response);
    const err = await call();
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).retryAfterMs).toBe(10_000);
    expect(server.requests).toHaveLength(1);
  });

  it('429 names its window in X-HubSpot-RateLimit-Interval-Milliseconds: that is the wait', async () => {
    const fx = fixture('hubspot/rate-limit-429').response;
    server.once('GET', JANE_PATH, { ...fx, headers: { ...fx.headers, 'x-hubspot-ratelimit-interval-milliseconds': '1000' }, json: { ...(fx.json as object), policyName: 'SECONDLY' } });
    expect(((await call()) as ProviderUnavailable).retryAfterMs).toBe(1_000);
  });

  it('429 with Retry-After uses the header', async () => {
    server.once('GET', JANE_PATH, fixture('hubspot/rate-limit-429-retry-after').response);
    const err = await call();
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).retryAfterMs).toBe(3_000);
  });

  it('a search 429 (as recorded from HubSpot: no header, no policy) waits 1 s and is retryable', async () => {
    janeMissing('/crm/v3/objects/contacts/buyer@northwind.example');
    replay(server, 'hubspot/rate-limit-429-search-secondly');
    const err = await crm.findAccountByEmail('buyer@northwind.example').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).retryable).toBe(true);
    expect((err as ProviderUnavailable).retryAfterMs).toBe(1_000);
  });

  it('429 with policy DAILY is ProviderQuotaExhausted: not retryable, and says when it resets', async () => {
    replay(server, 'hubspot/rate-limit-429-daily');
    const err = await call();
    expect(err).toBeInstanceOf(ProviderQuotaExhausted);
    expect((err as ProviderQuotaExhausted).retryable).toBe(false);
    expect((err as Error).message).toMatch(/^hubspot: 429 You have reached your daily limit\. \(RATE_LIMIT\): .*daily API limit.*resets at midnight/);
  });

  it('500 is ProviderUnavailable, sent once', async () => {
    server.once('GET', JANE_PATH, fixture('hubspot/server-error-500').response);
    const err = await call();
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect(server.requests).toHaveLength(1);
  });

  it('400 VALIDATION_ERROR is ProviderRejected with HubSpot’s message', async () => {
    server.once('POST', '/crm/v3/objects/tasks/search', { json: { total: 0, results: [] } });
    replay(server, 'hubspot/owners-by-email');
    janeFound();
    replay(server, 'hubspot/validation-400');
    const err = await crm
      .createTask({ key: 'k', contactEmail: 'jane@mercyhealth.org', ownerEmail: 'sarah@acme.example', title: 't', body: 'b', dueAt: '2026-01-06T14:00:00Z' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toContain('Property values were not valid');
  });

  it('a malformed JSON body is ProviderUnavailable', async () => {
    server.once('GET', JANE_PATH, { headers: { 'content-type': 'application/json;charset=utf-8' }, body: '{"id":"501","properties":{' });
    const err = await call();
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/malformed JSON/);
  });

  it('a slow API hits the deadline: ProviderUnavailable, and the request is aborted (HubSpot sees the connection close)', async () => {
    const slow = new HubSpotCrmProvider({ accessToken: TOKEN, basePath: server.url, timeoutMs: 150 });
    server.once('GET', JANE_PATH, { ...fixture('hubspot/contacts-get-by-email').response, delayMs: 2_000 });
    const started = Date.now();
    const err = await slow.findAccountByEmail('jane@mercyhealth.org').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/no response within 150 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect.poll(() => server.requests[0]?.closedByClient, { timeout: 1_000 }).toBe(true);
  });

  it('the caller’s signal (a cancelled or timed-out Temporal attempt) aborts the request in flight', async () => {
    const write = crm.createTask(
      { key: 'k', contactEmail: 'jane@mercyhealth.org', contact: { contactId: '501' }, mayExist: false, ownerEmail: 'sarah@acme.example', title: 't', body: 'b', dueAt: '2026-01-06T14:00:00Z' },
      { signal: AbortSignal.timeout(200) },
    );
    replay(server, 'hubspot/owners-by-email');
    server.once('POST', '/crm/v3/objects/tasks', { ...fixture('hubspot/tasks-create').response, delayMs: 2_000 });
    const err = await write.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/request aborted/);
    await expect.poll(() => server.to('POST', '/crm/v3/objects/tasks')[0]?.closedByClient, { timeout: 1_000 }).toBe(true);
  });

  it('an already aborted signal sends nothing', async () => {
    const err = await crm.findAccountByEmail('jane@mercyhealth.org', { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toEqual([]);
  });

  it('connection refused is ProviderUnavailable', async () => {
    const down = new HubSpotCrmProvider({ accessToken: TOKEN, basePath: await closedPortUrl() });
    const err = await down.findAccountByEmail('jane@mercyhealth.org').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/unreachable/);
  });
});
