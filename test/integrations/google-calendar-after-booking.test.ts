/**
 * Contract tests for what the Google adapter does with a booked event: read it, move it, cancel it,
 * hand it to a cover. Google's documented answers (fixtures/google-calendar/*, each naming its
 * source) come from the local recorder; every request the real googleapis client sends is checked.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderQuotaExhausted, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { eventIdForKey, GoogleCalendarProvider } from '../../integrations/google-calendar/calendar';
import { fixture, HttpRecorder, replay, type RecordedRequest, type Reply } from './http-recorder';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const sarah = { repId: 'sarah', email: 'sarah@acme.example' };
const tom = { repId: 'tom', email: 'tom@acme.example', name: 'Tom Becker' };
const raj = { repId: 'raj', email: 'raj@acme.example' };
const priya = { repId: 'priya', email: 'priya@acme.example', name: 'Priya Nair' };
const ID = eventIdForKey('lead-jane@mercyhealth.org/booking-1');
const ref = { eventId: ID, organizer: sarah };
const at = (email: string) => `/calendar/v3/calendars/${email}/events/${ID}`;
const MOVE = `${at(sarah.email)}/move`;

type Json = Record<string, unknown> & { attendees?: Record<string, unknown>[] };
/** A fixture's response with its event edited (fixtures stay as the source shows them). */
function edited(name: string, edit: (event: Json) => void): Reply {
  const reply = structuredClone(fixture(name).response) as Reply & { json: Json };
  edit(reply.json);
  return reply;
}

function subject(req: RecordedRequest): string {
  const auth = String(req.headers.authorization);
  return auth.replace(/^Bearer ya29\./, '');
}

let server: HttpRecorder;
let calendar: GoogleCalendarProvider;

/** What the adapter sent, token requests left out: `METHOD path as <impersonated user>`. */
function calls(): string[] {
  return server.requests.filter((r) => r.path !== '/token').map((r) => `${r.method} ${r.path} as ${subject(r)}`);
}

beforeAll(async () => {
  server = await HttpRecorder.start();
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  // Domain-wide delegation: one access token per impersonated rep (`sub`), as google-calendar.test.ts checks.
  server.on('POST', '/token', (req) => {
    const assertion = (req.body as Record<string, string>).assertion!;
    const claims = JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string };
    return { json: { access_token: `ya29.${claims.sub}`, expires_in: 3599, token_type: 'Bearer' } };
  });
  calendar = new GoogleCalendarProvider({
    credentials: { kind: 'service_account', clientEmail: 'baton@acme-prod.iam.gserviceaccount.com', privateKey: PRIVATE_KEY },
    rootUrl: `${server.url}/`,
    tokenUrl: `${server.url}/token`,
    timeoutMs: 2_000,
  });
});

describe('getEvent: the event as its organizer’s calendar has it', () => {
  it('answers every guest’s response; a rep who deleted the invite reads declined; times in ISO UTC as the embedded calendar gives them', async () => {
    replay(server, 'google-calendar/events-get-meeting');

    expect(await calendar.getEvent(ref)).toEqual({
      status: 'confirmed',
      start: '2026-01-06T15:00:00.000Z',
      end: '2026-01-06T15:30:00.000Z',
      responses: { 'sarah@acme.example': 'accepted', 'jane@mercyhealth.org': 'accepted', 'raj@acme.example': 'declined' },
    });
    expect(calls()).toEqual([`GET ${at(sarah.email)} as sarah@acme.example`]);
  });

  it('an answer Google may add later, or none, reads needsAction; an organizer not on the guest list is there', async () => {
    server.once('GET', at(sarah.email), edited('google-calendar/events-get-meeting', (e) => {
      e.attendees = [{ email: 'Jane@MercyHealth.org' }, { email: 'raj@acme.example', responseStatus: 'somethingNew' }];
    }));
    expect((await calendar.getEvent(ref))?.responses).toEqual({
      'jane@mercyhealth.org': 'needsAction',
      'raj@acme.example': 'needsAction',
      'sarah@acme.example': 'accepted',
    });
  });

  it('deleted by its organizer: cancelled while Google keeps it, then null (404 or 410)', async () => {
    replay(server, 'google-calendar/events-get-cancelled');
    expect(await calendar.getEvent(ref)).toMatchObject({ status: 'cancelled' });
    replay(server, 'google-calendar/events-get-404-not-found', at(sarah.email));
    expect(await calendar.getEvent(ref)).toBeNull();
    server.once('GET', at(sarah.email), fixture('google-calendar/events-delete-410-deleted').response);
    expect(await calendar.getEvent(ref)).toBeNull();
  });
});

describe('moveEvent: the same event at new times', () => {
  const to = { start: '2026-01-07T16:00:00.000Z', end: '2026-01-07T16:30:00.000Z' };

  it('reads the event, then patches start and end (with offsets, no timeZone needed) as the organizer, guests notified', async () => {
    replay(server, 'google-calendar/events-get-meeting');
    const patch = replay(server, 'google-calendar/events-patch-times');

    await calendar.moveEvent(ref, to);

    expect(server.unmatched).toEqual([]);
    expect(calls()).toEqual([`GET ${at(sarah.email)} as sarah@acme.example`, `PATCH ${at(sarah.email)} as sarah@acme.example`]);
    const [sent] = server.to('PATCH', at(sarah.email));
    expect(sent!.query).toEqual(patch.request!.query);
    expect(sent!.body).toEqual(patch.request!.body);
  });

  it('a retry after the move landed patches nothing: the buyer gets one updated invitation', async () => {
    server.once('GET', at(sarah.email), fixture('google-calendar/events-patch-times').response);
    await calendar.moveEvent(ref, { start: '2026-01-07T10:00:00-06:00', end: '2026-01-07T10:30:00-06:00' });
    expect(calls()).toEqual([`GET ${at(sarah.email)} as sarah@acme.example`]);
  });

  it('an event cancelled meanwhile is never patched: ProviderRejected event_gone', async () => {
    replay(server, 'google-calendar/events-get-cancelled');
    const err = await calendar.moveEvent(ref, to).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as ProviderRejected).details).toMatchObject({ code: 'event_gone', eventId: ID });
    expect(server.to('PATCH', at(sarah.email))).toEqual([]);
  });

  it('an attendee’s copy is not the organizer’s: refused before Google answers forbiddenForNonOrganizer; that answer is a refusal too', async () => {
    server.once('GET', at(sarah.email), edited('google-calendar/events-get-meeting', (e) => {
      e.organizer = { email: 'raj@acme.example' };
    }));
    const err = await calendar.moveEvent(ref, to).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as ProviderRejected).details).toMatchObject({ code: 'not_organizer', organizer: 'raj@acme.example' });
    expect(server.to('PATCH', at(sarah.email))).toEqual([]);

    // The organizer changed between the read and the patch: Google's 403 is not a credentials problem.
    replay(server, 'google-calendar/events-get-meeting');
    replay(server, 'google-calendar/forbidden-for-non-organizer-403');
    const raced = await calendar.moveEvent(ref, to).catch((e: unknown) => e);
    expect(raced).toBeInstanceOf(ProviderRejected);
    expect((raced as Error).message).toMatch(/Shared properties can only be changed by the organizer/);
  });

  it('times that are not ISO date-times, or an end before the start, are refused before any request', async () => {
    await expect(calendar.moveEvent(ref, { start: 'Friday 9am', end: to.end })).rejects.toThrow(/not an ISO-8601 date-time: Friday 9am/);
    await expect(calendar.moveEvent(ref, { start: to.end, end: to.start })).rejects.toBeInstanceOf(ProviderRejected);
    expect(server.requests).toEqual([]);
  });
});

describe('cancelEvent: cancelled for everyone, once', () => {
  it('reads the event, then deletes it on the organizer’s calendar with sendUpdates=all', async () => {
    replay(server, 'google-calendar/events-get-meeting');
    const del = replay(server, 'google-calendar/events-delete-204');

    await cancel();

    expect(calls()).toEqual([`GET ${at(sarah.email)} as sarah@acme.example`, `DELETE ${at(sarah.email)} as sarah@acme.example`]);
    expect(server.to('DELETE', at(sarah.email))[0]!.query).toEqual(del.request!.query);
  });

  it('already cancelled (a retry) or gone: nothing is deleted, so no second cancellation email', async () => {
    replay(server, 'google-calendar/events-get-cancelled');
    await cancel();
    replay(server, 'google-calendar/events-get-404-not-found', at(sarah.email));
    await cancel();
    expect(server.to('DELETE', at(sarah.email))).toEqual([]);
  });

  it('a delete that races another (410 Resource has been deleted) is cancelled all the same', async () => {
    replay(server, 'google-calendar/events-get-meeting');
    replay(server, 'google-calendar/events-delete-410-deleted');
    await cancel();
    expect(server.to('DELETE', at(sarah.email))).toHaveLength(1);
  });

  it('an attendee’s copy is never deleted: that would only decline for one rep and leave the buyer’s meeting standing', async () => {
    server.once('GET', at(sarah.email), edited('google-calendar/events-get-meeting', (e) => {
      e.organizer = { email: 'raj@acme.example' };
    }));
    await expect(cancel()).rejects.toBeInstanceOf(ProviderRejected);
    expect(server.to('DELETE', at(sarah.email))).toEqual([]);
  });

  it('a quota or rate limit on the delete is reported, never taken for "already cancelled"', async () => {
    replay(server, 'google-calendar/events-get-meeting');
    server.once('DELETE', at(sarah.email), fixture('google-calendar/quota-exceeded-403').response);
    await expect(cancel()).rejects.toBeInstanceOf(ProviderQuotaExhausted);
    replay(server, 'google-calendar/events-get-meeting');
    server.once('DELETE', at(sarah.email), fixture('google-calendar/rate-limit-403').response);
    await expect(cancel()).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  const cancel = () => calendar.cancelEvent(ref);
});

describe('reassignEvent: a cover takes the rep’s place on the same event', () => {
  const handOver = () => calendar.reassignEvent(ref, { from: sarah, to: tom });

  it('the organizer’s event: read, moved to the cover’s calendar as the organizer, then the guest list patched there as the cover — the buyer’s entry and answer kept', async () => {
    replay(server, 'google-calendar/events-get-meeting');
    const move = replay(server, 'google-calendar/events-move');
    const patch = replay(server, 'google-calendar/events-patch-attendees');

    const after = await handOver();

    expect(server.unmatched).toEqual([]);
    expect(calls()).toEqual([
      `GET ${at(sarah.email)} as sarah@acme.example`,
      `POST ${MOVE} as sarah@acme.example`,
      `PATCH ${at(tom.email)} as tom@acme.example`,
    ]);
    expect(server.to('POST', MOVE)[0]!.query).toEqual(move.request!.query);
    const [sent] = server.to('PATCH', at(tom.email));
    expect(sent!.query).toEqual(patch.request!.query);
    expect(sent!.body).toEqual(patch.request!.body);
    expect(after).toEqual({ eventId: ID, organizer: { repId: 'tom', email: 'tom@acme.example' } });
  });

  it('retried after the move landed: Sarah’s copy names Tom, so nothing is moved again and the guest list is patched on Tom’s calendar', async () => {
    server.once('GET', at(sarah.email), edited('google-calendar/events-move', (e) => {
      e.organizer = { email: 'tom@acme.example' };
    }));
    server.once('GET', at(tom.email), fixture('google-calendar/events-move').response);
    const patch = replay(server, 'google-calendar/events-patch-attendees');

    expect(await handOver()).toEqual({ eventId: ID, organizer: { repId: 'tom', email: 'tom@acme.example' } });

    expect(calls()).toEqual([
      `GET ${at(sarah.email)} as sarah@acme.example`,
      `GET ${at(tom.email)} as tom@acme.example`,
      `PATCH ${at(tom.email)} as tom@acme.example`,
    ]);
    expect(server.to('PATCH', at(tom.email))[0]!.body).toEqual(patch.request!.body);
  });

  it('retried after both steps landed: Sarah’s copy is gone, Tom’s is right, nothing is sent', async () => {
    server.once('GET', at(sarah.email), fixture('google-calendar/events-get-cancelled').response);
    server.once('GET', at(tom.email), fixture('google-calendar/events-patch-attendees').response);
    expect(await handOver()).toEqual({ eventId: ID, organizer: { repId: 'tom', email: 'tom@acme.example' } });
    expect(calls()).toEqual([`GET ${at(sarah.email)} as sarah@acme.example`, `GET ${at(tom.email)} as tom@acme.example`]);
  });

  it('asked again with the ref it answered (Tom organizes): one read of Tom’s calendar, nothing sent', async () => {
    server.once('GET', at(tom.email), fixture('google-calendar/events-patch-attendees').response);
    const again = { eventId: ID, organizer: { repId: 'tom', email: 'tom@acme.example' } };
    expect(await calendar.reassignEvent(again, { from: sarah, to: tom })).toEqual(again);
    expect(calls()).toEqual([`GET ${at(tom.email)} as tom@acme.example`]);
  });

  it('a second rep (not the organizer) is swapped in the guest list only; the cover is invited without an answer', async () => {
    replay(server, 'google-calendar/events-get-meeting');
    server.once('PATCH', at(sarah.email), fixture('google-calendar/events-get-meeting').response);

    expect(await calendar.reassignEvent(ref, { from: raj, to: priya })).toEqual(ref);

    expect(calls()).toEqual([`GET ${at(sarah.email)} as sarah@acme.example`, `PATCH ${at(sarah.email)} as sarah@acme.example`]);
    const [sent] = server.to('PATCH', at(sarah.email));
    expect(sent!.query).toEqual({ sendUpdates: 'all' });
    expect((sent!.body as { attendees: unknown[] }).attendees).toEqual([
      { email: 'sarah@acme.example', organizer: true, self: true, responseStatus: 'accepted' },
      { email: 'jane@mercyhealth.org', displayName: 'Jane Park', responseStatus: 'accepted' },
      { email: 'priya@acme.example', displayName: 'Priya Nair' },
    ]);
  });

  it('the event is gone from both calendars: ProviderRejected event_gone, nothing written', async () => {
    replay(server, 'google-calendar/events-get-cancelled');
    replay(server, 'google-calendar/events-get-404-not-found', at(tom.email));
    const err = await handOver().catch((e: unknown) => e);
    expect((err as ProviderRejected).details).toMatchObject({ code: 'event_gone' });
    expect(server.requests.filter((r) => r.method !== 'GET' && r.path !== '/token')).toEqual([]);
  });

  it('Google refuses the move without writer access to both calendars (its text says "reader"): an auth error that says what to share', async () => {
    replay(server, 'google-calendar/events-get-meeting');
    replay(server, 'google-calendar/events-move-403-required-access-level', MOVE);
    const err = await handOver().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toMatch(/requiredAccessLevel.*writer access to both calendars for sarah@acme\.example \("Make changes to events" on tom@acme\.example's calendar\)/);
    expect(server.to('PATCH', at(tom.email))).toEqual([]);
  });
});

describe('after booking: Google’s errors keep their meaning', () => {
  const to = { start: '2026-01-07T16:00:00Z', end: '2026-01-07T16:30:00Z' };
  it.each([
    ['getEvent', () => calendar.getEvent(ref)],
    ['moveEvent', () => calendar.moveEvent(ref, to)],
    ['cancelEvent', () => calendar.cancelEvent(ref)],
    ['reassignEvent', () => calendar.reassignEvent(ref, { from: sarah, to: tom })],
  ])('%s: a 403 rateLimitExceeded is retryable, a 401 is an auth error, each sent once', async (_name, call) => {
    server.once('GET', at(sarah.email), fixture('google-calendar/rate-limit-403').response);
    await expect(call()).rejects.toBeInstanceOf(ProviderUnavailable);
    server.once('GET', at(sarah.email), fixture('google-calendar/invalid-credentials-401').response);
    await expect(call()).rejects.toBeInstanceOf(ProviderAuthError);
    expect(server.to('GET', at(sarah.email))).toHaveLength(2);
    expect(server.unmatched).toEqual([]);
  });
});
