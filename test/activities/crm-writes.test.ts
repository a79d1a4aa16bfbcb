/**
 * The booking's CRM writes against a HubSpot that behaves like HubSpot (test/integrations/
 * fake-hubspot.ts): a search index that trails writes, the search rate limit per token, responses
 * lost after the write landed, slow answers. One write per activity, retried no sooner than the
 * index lag, requests aborted when the attempt is cancelled, and few searches per lead.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { msToNumber } from '@temporalio/common/lib/time';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { InMemoryPools } from '../../domain/route/distribution';
import { extractFacts } from '../../domain/qualify/facts';
import type { Lead } from '../../domain/qualify/lead';
import { HubSpotCrmProvider, type HubSpotCrmOptions } from '../../integrations/hubspot/crm';
import type { CrmContactRef } from '../../integrations/providers';
import type { RouteDecision } from '../../domain/route/routing';
import { embeddedProviders, type EmbeddedProviders } from '../../runtime/providers';
import { CRM_SEARCH_INDEX_LAG_MS, crmRetry } from '../../workflows/lead/step-runner';
import type { Booking } from '../../workflows/lead/messages';
import { testTeam } from '../helpers/harness';
import { FakeHubSpot } from '../integrations/fake-hubspot';
import { fixture, HttpRecorder } from '../integrations/http-recorder';

const team = testTeam();
const jane: Lead = { email: 'jane@mercyhealth.org', name: 'Jane Park', company: 'Mercy Health', message: 'We run a hospital network.' };
const bookingFor = (reps: string[]): Booking => ({
  proposalId: '1-1', start: '2026-12-02T16:00:00.000Z', end: '2026-12-02T16:30:00.000Z', eventId: 'evt', reps, attendees: reps, attempt: 1, escalated: [],
});

let server: HttpRecorder;
let dir: string;
let local: EmbeddedProviders;
let virtualNow: number;

beforeAll(async () => {
  server = await HttpRecorder.start();
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  virtualNow = Date.parse('2026-12-01T15:00:00Z');
  dir = mkdtempSync(join(tmpdir(), 'baton-crm-writes-'));
  local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
});
afterEach(() => {
  local.db.close();
  rmSync(dir, { recursive: true, force: true });
});

function activitiesWith(options: Partial<HubSpotCrmOptions> = {}) {
  const crm = new HubSpotCrmProvider({ accessToken: 'pat-na1-test', basePath: server.url, timeoutMs: 2_000, ...options });
  return createActivities({ team, providers: { calendar: local.calendar, crm, email: local.outbox }, pools: new InMemoryPools() });
}

/** Temporal's attempt `attempt` of an activity of lead run `runId`, with the proxies' 30 s timeout. */
const attemptOf = (attempt: number, workflowId = 'lead-jane@mercyhealth.org') =>
  new MockActivityEnvironment({ attempt, startToCloseTimeoutMs: 30_000, workflowExecution: { workflowId, runId: 'run-1' } });

describe('one CRM write per activity', () => {
  it('a briefing note that fails and is retried never repeats the meeting, and reuses the contact the first step returned', async () => {
    const hubspot = new FakeHubSpot(server, { indexLagMs: CRM_SEARCH_INDEX_LAG_MS });
    const companyId = hubspot.seedCompany('mercyhealth.org', 'Mercy Health', 'sarah@acme.example');
    const acts = activitiesWith();
    const base = { workflowId: 'lead-jane@mercyhealth.org', lead: jane };

    const contact = (await attemptOf(1).run(acts.recordCrmContact, base)) as CrmContactRef;
    const meeting = (await attemptOf(1).run(acts.recordCrmMeeting, { ...base, contact, booking: bookingFor(['sarah']), briefing: 'Brief.' })) as { id: string };
    server.once('POST', '/crm/v3/objects/notes', fixture('hubspot/server-error-500').response);
    await expect(attemptOf(1).run(acts.recordCrmBriefing, { ...base, contact, briefing: 'Brief.' })).rejects.toMatchObject({ type: 'ProviderUnavailable' });
    const note = (await attemptOf(2).run(acts.recordCrmBriefing, { ...base, contact, briefing: 'Brief.' })) as { id: string };

    expect(hubspot.engagements.meetings.map((m) => m.id)).toEqual([meeting.id]);
    expect(hubspot.engagements.notes.map((n) => n.id)).toEqual([note.id]);
    expect(hubspot.contacts.size).toBe(1);
    // The contact was read by email once and never looked up again: its id rode along.
    expect(server.to('GET', '/crm/v3/objects/contacts/jane@mercyhealth.org')).toHaveLength(1);
    expect(contact).toEqual({ contactId: hubspot.contacts.get('jane@mercyhealth.org')!.id });
    void companyId;
  });

  it('retries no sooner than HubSpot’s index lag, so a write whose answer was lost is found, not written twice', async () => {
    const hubspot = new FakeHubSpot(server, { indexLagMs: CRM_SEARCH_INDEX_LAG_MS, now: () => virtualNow });
    const acts = activitiesWith();
    const input = {
      workflowId: 'lead-jane@mercyhealth.org', lead: jane, contact: { contactId: hubspot.seedContact(jane.email) }, booking: bookingFor(['sarah']), briefing: 'Brief.',
    };
    hubspot.loseResponseOfNextCreate('meetings');
    await expect(attemptOf(1).run(acts.recordCrmMeeting, input)).rejects.toMatchObject({ type: 'ProviderUnavailable' });
    expect(hubspot.engagements.meetings).toHaveLength(1); // it landed

    virtualNow += msToNumber(crmRetry.initialInterval); // Temporal's first retry of a CRM step
    const retried = (await attemptOf(2).run(acts.recordCrmMeeting, input)) as { id: string };

    expect(hubspot.engagements.meetings.map((m) => m.id)).toEqual([retried.id]);
    expect(msToNumber(crmRetry.initialInterval)).toBeGreaterThan(CRM_SEARCH_INDEX_LAG_MS);
  });

  it('a step run again after ops resumed it checks for its first try’s write even on attempt 1', async () => {
    const hubspot = new FakeHubSpot(server);
    const acts = activitiesWith();
    const input = { workflowId: 'lead-jane@mercyhealth.org', lead: jane, contact: { contactId: hubspot.seedContact(jane.email) }, briefing: 'Brief.' };
    const first = await attemptOf(1).run(acts.recordCrmBriefing, input);
    const again = await attemptOf(1).run(acts.recordCrmBriefing, { ...input, resumed: true });
    expect(again).toEqual(first);
    expect(hubspot.engagements.notes).toHaveLength(1);
  });

  it('cancelling the activity aborts its HTTP request (HubSpot sees the connection close)', async () => {
    const hubspot = new FakeHubSpot(server);
    const acts = activitiesWith();
    server.once('POST', '/crm/v3/objects/notes', { status: 201, json: { id: '1', properties: {} }, delayMs: 5_000 });
    const env = attemptOf(1);
    const running = env.run(acts.recordCrmBriefing, { workflowId: 'lead-jane@mercyhealth.org', lead: jane, contact: { contactId: hubspot.seedContact(jane.email) }, briefing: 'B.' });
    await expect.poll(() => server.to('POST', '/crm/v3/objects/notes').length).toBe(1);
    env.cancel();
    await expect(running).rejects.toThrow(/aborted/);
    await expect.poll(() => server.to('POST', '/crm/v3/objects/notes')[0]!.closedByClient, { timeout: 1_000 }).toBe(true);
  });
});

describe('CRM searches per booked lead', () => {
  /** Route (the CRM owner), then the hand-off's three writes: what a booked lead costs in HubSpot searches. */
  async function bookedLead(acts: ReturnType<typeof activitiesWith>, lead: Lead) {
    const workflowId = `lead-${lead.email}`;
    const facts = extractFacts(lead, { competitors: team.competitors, territories: team.territories });
    const routed = (await attemptOf(1, workflowId).run(acts.routeLead, { workflowId, lead, facts, now: virtualNow })) as { decision: RouteDecision };
    const booking = bookingFor(routed.decision.reps);
    const contact = (await attemptOf(1, workflowId).run(acts.recordCrmContact, { workflowId, lead })) as CrmContactRef;
    await attemptOf(1, workflowId).run(acts.recordCrmMeeting, { workflowId, lead, contact, booking, briefing: 'Brief.' });
    await attemptOf(1, workflowId).run(acts.recordCrmBriefing, { workflowId, lead, contact, briefing: 'Brief.' });
    return routed.decision;
  }

  it('a new buyer at a known company costs one search (the company by domain); a known contact none', async () => {
    const hubspot = new FakeHubSpot(server, { indexLagMs: CRM_SEARCH_INDEX_LAG_MS });
    const mercy = hubspot.seedCompany('mercyhealth.org', 'Mercy Health', 'sarah@acme.example');
    const acts = activitiesWith();

    const decision = await bookedLead(acts, jane);
    expect(decision.reps).toEqual(['sarah']);
    expect(hubspot.searches).toBe(1); // main before this change: 7 (route 2, hand-off 5)

    hubspot.searches = 0;
    hubspot.seedContact('dana@mercyhealth.org', mercy);
    await bookedLead(acts, { ...jane, email: 'dana@mercyhealth.org', name: 'Dana Lee' });
    expect(hubspot.searches).toBe(0); // main before this change: 6
    expect(hubspot.engagements.meetings).toHaveLength(2);
    expect(hubspot.engagements.notes).toHaveLength(2);
  });

  // 50 leads at once against a HubSpot that allows 4 searches a second per token and answers the
  // recorded 429 beyond. The general limiter is off here (`limiter: {}`): it is the search limit
  // this test is about, and 9 requests/s would only make it slower.
  const fiftyLeads = (hubspot: FakeHubSpot): Lead[] =>
    Array.from({ length: 50 }, (_, i) => {
      const domain = `clinic${i}.example`;
      const companyId = hubspot.seedCompany(domain, `Clinic ${i}`, 'sarah@acme.example');
      // Half are contacts HubSpot knows already (no search), half new buyers (one company search).
      if (i % 2 === 0) hubspot.seedContact(`buyer@${domain}`, companyId);
      return { email: `buyer@${domain}`, name: `Buyer ${i}`, company: `Clinic ${i}`, message: 'We run a hospital network.' };
    });

  it('50 booked leads at once stay under the search limit with the SDK’s search limiter on: no 429', { timeout: 60_000 }, async () => {
    const hubspot = new FakeHubSpot(server, { searchesPerSecond: 4 });
    const acts = activitiesWith({ limiter: {} });
    const leads = fiftyLeads(hubspot);
    const results = await Promise.allSettled(leads.map((lead) => bookedLead(acts, lead)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(hubspot.throttled).toBe(0);
    expect(hubspot.searches).toBe(25);
    expect(hubspot.engagements.meetings).toHaveLength(50);
  });

  it('the same 50 without a search limiter get 429s: the server really enforces 4/s', { timeout: 60_000 }, async () => {
    const hubspot = new FakeHubSpot(server, { searchesPerSecond: 4 });
    const acts = activitiesWith({ limiter: {}, searchLimiter: {} });
    const results = await Promise.allSettled(fiftyLeads(hubspot).map((lead) => bookedLead(acts, lead)));
    expect(hubspot.throttled).toBeGreaterThan(0);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.length).toBe(hubspot.throttled);
    expect(failed[0]!.reason).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false, nextRetryDelay: 1_000 });
  });
});
