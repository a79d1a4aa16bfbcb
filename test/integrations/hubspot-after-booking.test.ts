/**
 * Contract tests for the CRM meeting after booking on HubSpot: new times, owner and outcome with
 * one PATCH of the meeting object, a note appended once, and a meeting deleted in HubSpot. The real
 * @hubspot/api-client talks to the local recorder (canned answers from fixtures/hubspot/*, each
 * naming its source) or to the stateful FakeHubSpot on it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderQuotaExhausted, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { HubSpotCrmProvider } from '../../integrations/hubspot/crm';
import type { MeetingStatus } from '../../integrations/providers';
import { FakeHubSpot } from './fake-hubspot';
import { fixture, HttpRecorder, replay } from './http-recorder';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const MEETING = '/crm/v3/objects/meetings/62001';

let server: HttpRecorder;
let crm: HubSpotCrmProvider;

beforeAll(async () => {
  server = await HttpRecorder.start();
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  crm = new HubSpotCrmProvider({ accessToken: TOKEN, basePath: server.url, timeoutMs: 2_000 });
});

const sent = () => server.requests.map((r) => `${r.method} ${r.path}`);

describe('updateMeeting: the CRM meeting follows the meeting', () => {
  it('a reschedule is one PATCH of times and outcome, and hs_timestamp moves with the start (HubSpot places the meeting by it)', async () => {
    const update = replay(server, 'hubspot/meetings-update');

    await crm.updateMeeting('62001', { start: '2026-01-07T10:00:00-06:00', end: '2026-01-07T10:30:00-06:00', status: 'rescheduled' });

    expect(server.unmatched).toEqual([]);
    expect(sent()).toEqual([`PATCH ${MEETING}`]);
    expect(server.requests[0]!.body).toEqual(update.request!.body);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it.each([
    ['scheduled', 'SCHEDULED'],
    ['rescheduled', 'RESCHEDULED'],
    ['canceled', 'CANCELED'],
    ['completed', 'COMPLETED'],
    ['no_show', 'NO_SHOW'],
  ] as [MeetingStatus, string][])('outcome %s is hs_meeting_outcome %s, alone in the PATCH', async (status, outcome) => {
    server.once('PATCH', MEETING, fixture('hubspot/meetings-update').response);
    await crm.updateMeeting('62001', { status });
    expect(server.requests.map((r) => r.body)).toEqual([{ properties: { hs_meeting_outcome: outcome } }]);
  });

  it('a cover becomes the owner: looked up by email, then hubspot_owner_id in the same PATCH', async () => {
    server.once('GET', '/crm/v3/owners/', {
      json: { results: [{ ...(fixture('hubspot/owners-by-email').response.json as { results: object[] }).results[0], id: '78', email: 'tom@acme.example' }] },
    });
    server.once('PATCH', MEETING, fixture('hubspot/meetings-update').response);

    await crm.updateMeeting('62001', { ownerEmail: 'tom@acme.example', status: 'scheduled' });

    expect(sent()).toEqual(['GET /crm/v3/owners/', `PATCH ${MEETING}`]);
    expect(server.requests[0]!.query).toMatchObject({ email: 'tom@acme.example' });
    expect(server.requests[1]!.body).toEqual({ properties: { hs_meeting_outcome: 'SCHEDULED', hubspot_owner_id: '78' } });
  });

  it('a cover HubSpot has no user for: the owner stays, and the body says for whom (as logMeeting does)', async () => {
    server.once('GET', '/crm/v3/owners/', { json: { results: [] } });
    const get = replay(server, 'hubspot/meetings-get-body');
    server.once('PATCH', MEETING, fixture('hubspot/meetings-update').response);

    await crm.updateMeeting('62001', { ownerEmail: 'ghost@acme.example' });

    expect(sent()).toEqual(['GET /crm/v3/owners/', `GET ${MEETING}`, `PATCH ${MEETING}`]);
    expect(server.requests[1]!.query).toMatchObject(get.request!.query!);
    const body = (get.response.json as { properties: { hs_meeting_body: string } }).properties.hs_meeting_body;
    expect(server.requests[2]!.body).toEqual({ properties: { hs_meeting_body: `${body}<p>For: ghost@acme.example (no HubSpot user with this email)</p>` } });
  });

  it('a note is appended once, as an escaped rich-text paragraph, however HubSpot rewrites the markup', async () => {
    const hubspot = new FakeHubSpot(server);
    hubspot.owners.push({ id: '77', email: 'sarah@acme.example' });
    const { id } = await crm.logMeeting({
      key: 'lead-jane@mercyhealth.org/meeting-1',
      contactEmail: 'jane@mercyhealth.org',
      contact: { contactId: '501' },
      mayExist: false,
      title: 'Acme intro: Mercy Health',
      start: '2026-01-06T15:00:00Z',
      end: '2026-01-06T15:30:00Z',
      body: 'Google Meet: https://meet.google.com/abc-defg-hij',
      ownerEmail: 'sarah@acme.example',
    });
    const note = 'Outcome: no-show.\nThe buyer was offered <3> new times & replied "Friday".';

    await crm.updateMeeting(id, { status: 'no_show', note });
    const meeting = () => hubspot.engagements.meetings.find((m) => m.id === id)!.properties;
    expect(meeting().hs_meeting_outcome).toBe('NO_SHOW');
    expect(meeting().hs_meeting_body).toMatch(
      /<p>Baton ref: batonref[0-9a-f]{24}<\/p><p>Outcome: no-show\.<br>The buyer was offered &lt;3&gt; new times &amp; replied &quot;Friday&quot;\.<\/p>$/,
    );

    // HubSpot's editor rewrites stored markup; the note is still found, not added a second time.
    meeting().hs_meeting_body = meeting().hs_meeting_body!.replace(/<br>/g, '<br/>').replace(/<p>/g, '<p style="margin:0">');
    const before = meeting().hs_meeting_body;
    await crm.updateMeeting(id, { status: 'no_show', note });
    expect(meeting().hs_meeting_body).toBe(before);
    expect(server.to('PATCH', `/crm/v3/objects/meetings/${id}`).map((r) => r.body)).toEqual([
      { properties: { hs_meeting_outcome: 'NO_SHOW', hs_meeting_body: expect.any(String) } },
      { properties: { hs_meeting_outcome: 'NO_SHOW' } },
    ]);
  });

  it('a meeting deleted in HubSpot: ProviderRejected crm_meeting_gone that says so, from the PATCH or from the read of its body', async () => {
    replay(server, 'hubspot/meetings-update-404-not-found');
    const err = await crm.updateMeeting('62001', { status: 'completed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as ProviderRejected).retryable).toBe(false);
    expect((err as ProviderRejected).details).toMatchObject({ provider: 'hubspot', status: 404, meetingId: '62001', code: 'crm_meeting_gone' });
    expect((err as Error).message).toMatch(/CRM meeting 62001 is not in HubSpot any more .*recycling bin.*nothing was updated/);

    server.once('GET', MEETING, fixture('hubspot/meetings-update-404-not-found').response);
    const onRead = await crm.updateMeeting('62001', { note: 'Held.' }).catch((e: unknown) => e);
    expect((onRead as ProviderRejected).details).toMatchObject({ code: 'crm_meeting_gone' });
    expect(server.to('PATCH', MEETING)).toHaveLength(1);
  });

  it('nothing to change sends nothing; a time that is not ISO is refused before any request', async () => {
    await crm.updateMeeting('62001', {});
    await expect(crm.updateMeeting('62001', { start: 'next Friday' })).rejects.toThrow(/not an ISO-8601 date-time: next Friday/);
    expect(server.requests).toEqual([]);
  });

  it('HubSpot’s limits keep their meaning: the daily limit is not retried, a 10-second one waits its window', async () => {
    server.once('PATCH', MEETING, fixture('hubspot/rate-limit-429-daily').response);
    await expect(crm.updateMeeting('62001', { status: 'completed' })).rejects.toBeInstanceOf(ProviderQuotaExhausted);
    server.once('PATCH', MEETING, fixture('hubspot/rate-limit-429').response);
    const err = await crm.updateMeeting('62001', { status: 'completed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).retryAfterMs).toBe(10_000);
  });

  it('the caller’s signal aborts the update: an aborted one sends nothing, one that fires mid-request closes it', async () => {
    const gone = await crm.updateMeeting('62001', { status: 'completed' }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ProviderUnavailable);
    expect(server.requests).toEqual([]);

    server.once('PATCH', MEETING, { ...fixture('hubspot/meetings-update').response, delayMs: 2_000 });
    const err = await crm.updateMeeting('62001', { status: 'completed' }, { signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/request aborted/);
    await expect.poll(() => server.to('PATCH', MEETING)[0]?.closedByClient, { timeout: 1_000 }).toBe(true);
  });
});
