import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderQuotaExhausted, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { GOOGLE_CALENDAR_SCOPES, parseServiceAccountKey } from '../../integrations/google-calendar/auth';
import { eventIdForKey, FREEBUSY_MAX_ITEMS, FREEBUSY_MAX_RANGE_MS, GoogleCalendarProvider } from '../../integrations/google-calendar/calendar';
import { closedPortUrl, fixture, HttpRecorder, replay, type RecordedRequest } from './http-recorder';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SA_EMAIL = 'baton-scheduler@acme-prod.iam.gserviceaccount.com';

const sarah = { repId: 'sarah', email: 'sarah@acme.example' };
const tom = { repId: 'tom', email: 'tom@acme.example' };
const range = { start: '2026-01-05T14:00:00Z', end: '2026-01-07T14:00:00Z' };
const booking = {
  key: 'lead-jane@mercyhealth.org/booking-1',
  organizer: sarah,
  attendees: [
    { email: 'jane@mercyhealth.org', name: 'Jane Park' },
    { email: 'raj@acme.example', name: 'Raj Patel' },
    { email: 'SARAH@acme.example' }, // the organizer again: must not be invited twice
  ],
  start: '2026-01-06T15:00:00Z',
  end: '2026-01-06T15:30:00Z',
  title: 'Acme intro: Mercy Health',
  description: 'Jane Park (Mercy Health) booked through Baton.',
};

function jwtClaims(req: RecordedRequest): Record<string, unknown> {
  const assertion = (req.body as Record<string, string>).assertion!;
  const [, payload] = assertion.split('.');
  return JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Token endpoint for the JWT bearer grant: one access token per impersonated user (`sub`). */
function serveJwtTokens(server: HttpRecorder) {
  server.on('POST', '/token', (req) => {
    const claims = jwtClaims(req);
    return { json: { access_token: `ya29.${String(claims.sub)}`, expires_in: 3599, token_type: 'Bearer' } };
  });
}

let server: HttpRecorder;
let calendar: GoogleCalendarProvider;

function serviceAccountProvider(url = server.url, timeoutMs = 2_000) {
  return new GoogleCalendarProvider({
    credentials: { kind: 'service_account', clientEmail: SA_EMAIL, privateKey: PRIVATE_KEY },
    rootUrl: `${url}/`,
    tokenUrl: `${url}/token`,
    timeoutMs,
    conferencePollMs: [20, 20, 20, 20],
  });
}

beforeAll(async () => {
  server = await HttpRecorder.start();
  calendar = serviceAccountProvider();
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  calendar = serviceAccountProvider();
});

describe('Google Calendar CalendarProvider contract (service account, domain-wide delegation)', () => {
  it('freeBusy: one freebusy.query for all owners, one outOfOffice events.list per owner, each as that rep', async () => {
    serveJwtTokens(server);
    const fb = replay(server, 'google-calendar/freebusy-query');
    const oooSarah = replay(server, 'google-calendar/events-list-ooo-sarah');
    const oooTom = replay(server, 'google-calendar/events-list-empty');

    const blocks = await calendar.freeBusy([sarah, tom], range);

    expect(server.unmatched).toEqual([]);
    const fbReqs = server.to('POST', '/calendar/v3/freeBusy');
    expect(fbReqs).toHaveLength(1);
    expect(fbReqs[0]!.body).toEqual(fb.request!.body);
    expect(fbReqs[0]!.query).toEqual({});
    expect(fbReqs[0]!.headers.authorization).toBe('Bearer ya29.sarah@acme.example');

    const listSarah = server.to('GET', oooSarah.request!.path);
    expect(listSarah).toHaveLength(1);
    expect(listSarah[0]!.query).toEqual(oooSarah.request!.query);
    expect(listSarah[0]!.headers.authorization).toBe('Bearer ya29.sarah@acme.example');
    const listTom = server.to('GET', oooTom.request!.path);
    expect(listTom).toHaveLength(1);
    expect(listTom[0]!.query).toEqual(oooTom.request!.query);
    expect(listTom[0]!.headers.authorization).toBe('Bearer ya29.tom@acme.example');

    // The JWT bearer grant: issued by the service account, impersonating (sub) each rep, with both scopes.
    const tokenReqs = server.to('POST', '/token');
    expect(tokenReqs).toHaveLength(2);
    for (const req of tokenReqs) {
      expect((req.body as Record<string, string>).grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      const claims = jwtClaims(req);
      expect(claims.iss).toBe(SA_EMAIL);
      expect(claims.aud).toBe('https://oauth2.googleapis.com/token');
      expect(String(claims.scope).split(' ').sort()).toEqual([...GOOGLE_CALENDAR_SCOPES].sort());
    }
    expect(tokenReqs.map((r) => jwtClaims(r).sub).sort()).toEqual(['sarah@acme.example', 'tom@acme.example']);

    expect(blocks).toEqual({
      sarah: [
        { start: '2026-01-05T15:00:00Z', end: '2026-01-05T16:00:00Z', type: 'busy' },
        { start: '2026-01-06T00:00:00Z', end: '2026-01-07T00:00:00Z', type: 'busy' },
        // 2026-01-05T18:00-06:00 .. 2026-01-06T18:00-06:00, in UTC
        { start: '2026-01-06T00:00:00Z', end: '2026-01-07T00:00:00Z', type: 'ooo', title: 'Out of office' },
      ],
      tom: [{ start: '2026-01-05T18:30:00Z', end: '2026-01-05T19:00:00Z', type: 'busy' }],
    });
  });

  it('freeBusy: all-day out-of-office events use the calendar zone; pages are followed', async () => {
    serveJwtTokens(server);
    server.once('POST', '/calendar/v3/freeBusy', {
      json: { kind: 'calendar#freeBusy', calendars: { 'sarah@acme.example': { busy: [] } } },
    });
    server.once('GET', '/calendar/v3/calendars/sarah@acme.example/events', (req) => {
      expect(req.query.pageToken).toBeUndefined();
      return {
        json: {
          kind: 'calendar#events',
          timeZone: 'America/Chicago',
          nextPageToken: 'page-2',
          items: [{ id: 'a', status: 'confirmed', eventType: 'outOfOffice', summary: 'PTO', start: { date: '2026-01-06' }, end: { date: '2026-01-07' } }],
        },
      };
    });
    server.once('GET', '/calendar/v3/calendars/sarah@acme.example/events', (req) => {
      expect(req.query.pageToken).toBe('page-2');
      return {
        json: {
          kind: 'calendar#events',
          timeZone: 'America/Chicago',
          items: [
            { id: 'b', status: 'cancelled', eventType: 'outOfOffice', start: { dateTime: '2026-01-05T20:00:00Z' }, end: { dateTime: '2026-01-05T21:00:00Z' } },
            { id: 'c', status: 'confirmed', eventType: 'outOfOffice', start: { dateTime: '2026-01-07T08:00:00+01:00' }, end: { dateTime: '2026-01-07T10:00:00+01:00' } },
          ],
        },
      };
    });

    const blocks = await calendar.freeBusy([sarah], range);

    expect(server.unmatched).toEqual([]);
    expect(blocks).toEqual({
      sarah: [
        { start: '2026-01-06T06:00:00Z', end: '2026-01-07T06:00:00Z', type: 'ooo', title: 'PTO' },
        { start: '2026-01-07T07:00:00Z', end: '2026-01-07T09:00:00Z', type: 'ooo' },
      ],
    });
  });

  it('freeBusy with no owners makes no request', async () => {
    expect(await calendar.freeBusy([], range)).toEqual({});
    expect(server.requests).toEqual([]);
  });

  it('createEvent: events.insert on the organizer calendar with attendees, Meet, sendUpdates=all and a key-derived id', async () => {
    serveJwtTokens(server);
    const insert = replay(server, 'google-calendar/events-insert');

    const created = await calendar.createEvent(booking);

    expect(server.unmatched).toEqual([]);
    const reqs = server.to('POST', insert.request!.path);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.query).toEqual(insert.request!.query);
    expect(reqs[0]!.body).toEqual(insert.request!.body);
    expect(reqs[0]!.headers.authorization).toBe('Bearer ya29.sarah@acme.example');
    const id = (insert.request!.body as { id: string }).id;
    expect(id).toBe(eventIdForKey(booking.key));
    expect(id).toMatch(/^[a-v0-9]{5,1024}$/); // Google's base32hex id alphabet
    expect(created).toEqual({
      eventId: id,
      created: true,
      htmlLink: 'https://www.google.com/calendar/event?eid=YTljZDE3YjZkMWNk',
      meetLink: 'https://meet.google.com/abc-defg-hij',
    });
  });

  it('createEvent twice with the same key: 409 → events.get → created:false with the first event', async () => {
    serveJwtTokens(server);
    const insert = fixture('google-calendar/events-insert');
    const id = eventIdForKey(booking.key);
    replay(server, 'google-calendar/events-insert-409-duplicate');
    server.once('GET', `/calendar/v3/calendars/sarah@acme.example/events/${id}`, insert.response);

    const again = await calendar.createEvent(booking);

    expect(server.unmatched).toEqual([]);
    expect(server.to('POST', '/calendar/v3/calendars/sarah@acme.example/events')).toHaveLength(1);
    expect(server.to('GET', `/calendar/v3/calendars/sarah@acme.example/events/${id}`)).toHaveLength(1);
    expect(again).toMatchObject({ eventId: id, created: false, meetLink: 'https://meet.google.com/abc-defg-hij' });
  });

  it('findEvent: events.get of the key-derived id on each candidate calendar in turn, as its owner', async () => {
    serveJwtTokens(server);
    const id = eventIdForKey(booking.key);
    replay(server, 'google-calendar/events-get-404-not-found', `/calendar/v3/calendars/tom@acme.example/events/${id}`);
    server.once('GET', `/calendar/v3/calendars/sarah@acme.example/events/${id}`, fixture('google-calendar/events-insert').response);

    const found = await calendar.findEvent([tom, sarah], booking.key);

    expect(server.unmatched).toEqual([]);
    const [atTom] = server.to('GET', `/calendar/v3/calendars/tom@acme.example/events/${id}`);
    const [atSarah] = server.to('GET', `/calendar/v3/calendars/sarah@acme.example/events/${id}`);
    expect(atTom?.headers.authorization).toBe('Bearer ya29.tom@acme.example');
    expect(atSarah?.headers.authorization).toBe('Bearer ya29.sarah@acme.example');
    expect(found).toMatchObject({ eventId: id, created: false, meetLink: 'https://meet.google.com/abc-defg-hij', organizer: sarah });
  });

  it('findEvent: 404 (no such event) is null, and so is a cancelled event', async () => {
    serveJwtTokens(server);
    const id = eventIdForKey(booking.key);
    const path = `/calendar/v3/calendars/sarah@acme.example/events/${id}`;
    replay(server, 'google-calendar/events-get-404-not-found', path);
    expect(await calendar.findEvent([sarah], booking.key)).toBeNull();

    const live = fixture('google-calendar/events-insert').response;
    server.once('GET', path, { ...live, json: { ...(live.json as object), status: 'cancelled' } });
    expect(await calendar.findEvent([sarah], booking.key)).toBeNull();
    expect(server.unmatched).toEqual([]);
  });

  it('findEvent: a 500 is ProviderUnavailable, never "not booked"', async () => {
    serveJwtTokens(server);
    const id = eventIdForKey(booking.key);
    server.once('GET', `/calendar/v3/calendars/sarah@acme.example/events/${id}`, fixture('google-calendar/backend-error-500').response);
    await expect(calendar.findEvent([sarah, tom], booking.key)).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('a 403 rateLimitExceeded is ProviderUnavailable (retryable), not an auth error', async () => {
    serveJwtTokens(server);
    replay(server, 'google-calendar/rate-limit-403');
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah, tom], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toContain('403 Rate Limit Exceeded [rateLimitExceeded]');
  });

  it('429 with an HTTP-date Retry-After is ProviderUnavailable with retryAfterMs', async () => {
    serveJwtTokens(server);
    const fx = fixture('google-calendar/rate-limit-429');
    const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000).toUTCString();
    server.once('POST', '/calendar/v3/freeBusy', { ...fx.response, headers: { 'retry-after': retryAt } });
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).retryAfterMs).toBeGreaterThan(25_000);
    expect((err as ProviderUnavailable).retryAfterMs).toBeLessThanOrEqual(31_000);
    expect(server.to('POST', '/calendar/v3/freeBusy')).toHaveLength(1); // no SDK retries
  });

  it('401 Invalid Credentials is ProviderAuthError', async () => {
    serveJwtTokens(server);
    replay(server, 'google-calendar/invalid-credentials-401');
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toContain('Invalid Credentials');
  });

  it('500 backendError is ProviderUnavailable, requested once', async () => {
    serveJwtTokens(server);
    replay(server, 'google-calendar/backend-error-500');
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect(server.to('POST', '/calendar/v3/freeBusy')).toHaveLength(1);
  });

  it('a calendar the credentials cannot see is an error, never "free"', async () => {
    serveJwtTokens(server);
    replay(server, 'google-calendar/freebusy-calendar-not-found');
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah, tom], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toMatch(/tom@acme\.example.*notFound/);
  });

  it('a malformed JSON body is ProviderUnavailable', async () => {
    serveJwtTokens(server);
    server.once('POST', '/calendar/v3/freeBusy', { headers: { 'content-type': 'application/json' }, body: '{"kind":"calendar#freeBusy","calen' });
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toMatch(/malformed JSON/);
  });

  it('delegation not authorised (token endpoint unauthorized_client) is ProviderAuthError', async () => {
    server.on('POST', '/token', fixture('google-calendar/token-unauthorized-client').response);
    const err = await calendar.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toMatch(/unauthorized_client/);
    expect(server.to('POST', '/calendar/v3/freeBusy')).toHaveLength(0);
  });

  it('connection refused is ProviderUnavailable', async () => {
    const down = serviceAccountProvider(await closedPortUrl());
    const err = await down.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
  });

  it('a slow API hits the timeout: ProviderUnavailable', async () => {
    serveJwtTokens(server);
    const slow = serviceAccountProvider(server.url, 150);
    server.once('POST', '/calendar/v3/freeBusy', { ...fixture('google-calendar/freebusy-query').response, delayMs: 1_000 });
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await slow.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
  });
});

describe('Google Calendar CalendarProvider contract (OAuth refresh token)', () => {
  const tokenFx = fixture('google-calendar/token-refresh');
  const creds = tokenFx.request!.body as Record<string, string>;
  const oauth = () =>
    new GoogleCalendarProvider({
      credentials: { kind: 'oauth', clientId: creds.client_id!, clientSecret: creds.client_secret!, refreshToken: creds.refresh_token! },
      rootUrl: `${server.url}/`,
      tokenUrl: `${server.url}/token`,
    });

  it('refreshes once with the refresh_token grant and calls the API as that user', async () => {
    server.on('POST', '/token', tokenFx.response);
    replay(server, 'google-calendar/freebusy-query');
    replay(server, 'google-calendar/events-list-ooo-sarah');
    replay(server, 'google-calendar/events-list-empty');

    const blocks = await oauth().freeBusy([sarah, tom], range);

    expect(server.unmatched).toEqual([]);
    const tokenReqs = server.to('POST', '/token');
    expect(tokenReqs).toHaveLength(1);
    expect(tokenReqs[0]!.body).toEqual(tokenFx.request!.body);
    for (const req of server.requests.filter((r) => r.path !== '/token')) {
      expect(req.headers.authorization).toBe('Bearer ya29.oauth-user');
    }
    expect(blocks.sarah!.filter((b) => b.type === 'ooo')).toHaveLength(1);
  });

  it('a revoked refresh token (invalid_grant) is ProviderAuthError', async () => {
    server.on('POST', '/token', fixture('google-calendar/token-invalid-grant').response);
    const err = await oauth().freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as Error).message).toMatch(/invalid_grant/);
    expect(server.to('POST', '/token')).toHaveLength(1);
  });
});

describe('service account key parsing', () => {
  it('reads client_email and private_key, and names the source on errors without echoing the key', () => {
    const key = JSON.stringify({ type: 'service_account', client_email: SA_EMAIL, private_key: PRIVATE_KEY, private_key_id: 'k1' });
    expect(parseServiceAccountKey(key, 'GOOGLE_SERVICE_ACCOUNT_JSON')).toMatchObject({ clientEmail: SA_EMAIL, privateKeyId: 'k1' });
    expect(() => parseServiceAccountKey('{"type":"service_account"}', 'GOOGLE_SERVICE_ACCOUNT_JSON')).toThrow(
      /GOOGLE_SERVICE_ACCOUNT_JSON: missing "client_email"/,
    );
    expect(() => parseServiceAccountKey('not json', 'GOOGLE_SERVICE_ACCOUNT_KEY_FILE=/x.json')).toThrow(/not valid JSON/);
  });
});

describe('Google Calendar under real traffic', () => {
  const DAY = 86_400_000;

  it('time off: out-of-office events, and all-day events that are busy or titled as time off, count as PTO; nothing else does', async () => {
    serveJwtTokens(server);
    server.once('POST', '/calendar/v3/freeBusy', { json: { kind: 'calendar#freeBusy', calendars: { 'sarah@acme.example': { busy: [] } } } });
    const list = replay(server, 'google-calendar/events-list-time-off-sarah');

    const blocks = await calendar.freeBusy([sarah], range);

    expect(server.unmatched).toEqual([]);
    expect(server.to('GET', list.request!.path)[0]!.query).toEqual(list.request!.query);
    // One freebusy.query and one events.list, as before all-day events were read.
    expect(server.requests.filter((r) => r.path !== '/token')).toHaveLength(2);
    expect(blocks.sarah).toEqual([
      // "Vacation 🌴", all day, marked free (the Calendar UI's default): America/Chicago's 5 January.
      { start: '2026-01-05T06:00:00Z', end: '2026-01-06T06:00:00Z', type: 'ooo', title: 'Vacation 🌴' },
      // "Customer offsite", all day and busy.
      { start: '2026-01-06T06:00:00Z', end: '2026-01-07T06:00:00Z', type: 'ooo', title: 'Customer offsite' },
      // An out-of-office event, timed.
      { start: '2026-01-07T14:00:00Z', end: '2026-01-07T15:00:00Z', type: 'ooo', title: 'Dentist' },
    ]);
    // Not time off: timed meetings (even "Vacation planning"), a free all-day birthday, a declined
    // all-day invitation, a cancelled "PTO".
  });

  it('more than 50 reps: free/busy in batches of 50 calendars, every rep answered', async () => {
    serveJwtTokens(server);
    const reps = Array.from({ length: 120 }, (_, i) => ({ repId: `rep${i}`, email: `rep${i}@acme.example` }));
    server.on('POST', '/calendar/v3/freeBusy', (req) => {
      const items = (req.body as { items: { id: string }[] }).items;
      // Google answers calendars past its cap with an error instead of their busy times.
      const calendars = Object.fromEntries(
        items.map((item, i) => [
          item.id,
          i < FREEBUSY_MAX_ITEMS
            ? { busy: [{ start: '2026-01-05T15:00:00Z', end: '2026-01-05T15:30:00Z' }] }
            : { errors: [{ domain: 'calendar', reason: 'tooManyCalendarsRequested' }], busy: [] },
        ]),
      );
      return { json: { kind: 'calendar#freeBusy', calendars } };
    });
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);

    const blocks = await calendar.freeBusy(reps, range);

    const queries = server.to('POST', '/calendar/v3/freeBusy').map((r) => (r.body as { items: unknown[] }).items.length);
    expect(queries.sort((a, b) => b - a)).toEqual([50, 50, 20]);
    expect(Object.keys(blocks)).toHaveLength(120);
    for (const rep of reps) expect(blocks[rep.repId]).toEqual([{ start: '2026-01-05T15:00:00Z', end: '2026-01-05T15:30:00Z', type: 'busy' }]);
  });

  it('a range longer than one query allows is split (Google refuses long ranges: 400 timeRangeTooLong); a block across the cut is whole again', async () => {
    serveJwtTokens(server);
    const start = Date.parse('2026-01-05T14:00:00Z');
    const long = { start: new Date(start).toISOString(), end: new Date(start + 100 * DAY).toISOString() };
    const cut = new Date(start + FREEBUSY_MAX_RANGE_MS).toISOString().replace('.000', '');
    server.on('POST', '/calendar/v3/freeBusy', (req) => {
      const { timeMin, timeMax } = req.body as { timeMin: string; timeMax: string };
      if (Date.parse(timeMax) - Date.parse(timeMin) > FREEBUSY_MAX_RANGE_MS) return fixture('google-calendar/freebusy-time-range-too-long-400').response;
      // A week-long busy block around the cut comes back clipped to each window.
      const from = Math.max(Date.parse(timeMin), Date.parse(cut) - 3 * DAY);
      const to = Math.min(Date.parse(timeMax), Date.parse(cut) + 4 * DAY);
      const busy = from < to ? [{ start: new Date(from).toISOString().replace('.000', ''), end: new Date(to).toISOString().replace('.000', '') }] : [];
      return { json: { kind: 'calendar#freeBusy', calendars: { 'sarah@acme.example': { busy } } } };
    });
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);

    const blocks = await calendar.freeBusy([sarah], long);

    expect(server.to('POST', '/calendar/v3/freeBusy')).toHaveLength(2);
    expect(server.to('GET', '/calendar/v3/calendars/sarah@acme.example/events')).toHaveLength(1); // time off: one list for the whole range
    expect(blocks.sarah).toEqual([
      { start: new Date(Date.parse(cut) - 3 * DAY).toISOString().replace('.000', ''), end: new Date(Date.parse(cut) + 4 * DAY).toISOString().replace('.000', ''), type: 'busy' },
    ]);
  });

  it('Meet link pending at insert: the event is read again until the link exists, before anything is handed off', async () => {
    serveJwtTokens(server);
    const id = eventIdForKey(booking.key);
    const getPath = `/calendar/v3/calendars/sarah@acme.example/events/${id}`;
    replay(server, 'google-calendar/events-insert-conference-pending');
    server.once('GET', getPath, fixture('google-calendar/events-insert-conference-pending').response);
    server.once('GET', getPath, fixture('google-calendar/events-insert').response); // success, with entry points

    const created = await calendar.createEvent(booking);

    expect(server.to('GET', getPath)).toHaveLength(2);
    expect(created).toMatchObject({ eventId: id, created: true, meetLink: 'https://meet.google.com/abc-defg-hij' });
  });

  it('Meet link creation failed: the event stands and says so; still pending after every wait: retryable', async () => {
    serveJwtTokens(server);
    const id = eventIdForKey(booking.key);
    const getPath = `/calendar/v3/calendars/sarah@acme.example/events/${id}`;
    const pending = fixture('google-calendar/events-insert-conference-pending').response;
    const failed = structuredClone(pending) as { json: { conferenceData: { createRequest: { status: { statusCode: string } } } } };
    failed.json.conferenceData.createRequest.status.statusCode = 'failure';
    replay(server, 'google-calendar/events-insert-conference-pending');
    server.once('GET', getPath, failed);
    const created = await calendar.createEvent(booking);
    expect(created).toEqual({ eventId: id, created: true, htmlLink: 'https://www.google.com/calendar/event?eid=YTljZDE3YjZkMWNk', conference: 'failed' });

    server.reset();
    serveJwtTokens(server);
    replay(server, 'google-calendar/events-insert-conference-pending');
    server.on('GET', getPath, pending);
    const err = await calendar.createEvent(booking).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as ProviderUnavailable).details).toMatchObject({ code: 'conference_pending' });
    expect(server.to('GET', getPath)).toHaveLength(4);
  });

  it('findEvent on an attendee’s copy reports the organizer the event names, not the attendee', async () => {
    serveJwtTokens(server);
    const id = eventIdForKey(booking.key);
    const priya = { repId: 'priya', email: 'priya@acme.example' };
    const raj = { repId: 'raj', email: 'raj@acme.example' };
    const copy = fixture('google-calendar/events-get-attendee-copy').response;
    server.once('GET', `/calendar/v3/calendars/priya@acme.example/events/${id}`, copy);
    server.once('GET', `/calendar/v3/calendars/raj@acme.example/events/${id}`, {
      ...copy,
      json: { ...(copy.json as object), organizer: { email: 'raj@acme.example', self: true } },
    });

    const found = await calendar.findEvent([priya, raj], booking.key);

    expect(found?.organizer).toEqual(raj);
    expect(found?.meetLink).toBe('https://meet.google.com/abc-defg-hij');
  });

  it('findEvent: an event whose organizer is none of the candidates is an error, never a reason to book again', async () => {
    serveJwtTokens(server);
    const id = eventIdForKey(booking.key);
    server.once('GET', `/calendar/v3/calendars/priya@acme.example/events/${id}`, fixture('google-calendar/events-get-attendee-copy').response);
    const err = await calendar.findEvent([{ repId: 'priya', email: 'priya@acme.example' }], booking.key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejected);
    expect((err as Error).message).toMatch(/organized by raj@acme\.example/);
  });

  it.each([
    ['quotaExceeded (Calendar usage limits)', 'google-calendar/quota-exceeded-403', /usage limits/],
    ['dailyLimitExceeded (the project’s daily quota)', 'google-calendar/daily-limit-exceeded-403', /resets at midnight Pacific Time/],
  ])('403 %s lasts hours: ProviderQuotaExhausted, not retried', async (_what, name, says) => {
    serveJwtTokens(server);
    replay(server, name);
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderQuotaExhausted);
    expect((err as ProviderQuotaExhausted).retryable).toBe(false);
    expect((err as Error).message).toMatch(says);
  });

  it('403 userRateLimitExceeded is per minute: retryable', async () => {
    serveJwtTokens(server);
    replay(server, 'google-calendar/user-rate-limit-403');
    server.on('GET', /\/events$/, fixture('google-calendar/events-list-empty').response);
    const err = await calendar.freeBusy([sarah], range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
  });
});
