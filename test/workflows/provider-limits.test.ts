/**
 * Leads against real provider adapters (HubSpot, SendGrid) pointed at a local server that behaves
 * like the provider: limits that last hours park the lead with the reason instead of retrying for
 * minutes, and the hand-off's CRM writes happen once each even when one of them fails.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotCrmProvider } from '../../integrations/hubspot/crm';
import type { Providers } from '../../integrations/providers';
import { SendGridEmailProvider } from '../../integrations/sendgrid/email';
import { buyerMessageSignal, resumeSignal } from '../../workflows/lead/messages';
import { CRM_SEARCH_INDEX_LAG_MS } from '../../workflows/lead/step-runner';
import { FakeHubSpot } from '../integrations/fake-hubspot';
import { fixture, HttpRecorder } from '../integrations/http-recorder';
import { awaiting, stageIs, waitForStatus, withTimeSkippingHarness, handedOff } from '../helpers/harness';

const healthcare = (email: string) => ({ email, name: 'Jane Park', company: 'Mercy Health', message: 'We run a hospital network and need better scheduling.' });

let server: HttpRecorder;
beforeAll(async () => {
  server = await HttpRecorder.start();
});
afterAll(async () => server.close());
beforeEach(() => server.reset());

const withHubSpot = (p: Providers): Providers => ({ ...p, crm: new HubSpotCrmProvider({ accessToken: 'pat-na1-test', basePath: server.url, timeoutMs: 2_000 }) });

describe('limits that last hours park the lead with the reason', () => {
  it('HubSpot’s daily limit (429 DAILY): needs_attention at once, one request, then resumes when ops signal', async () => {
    const hubspot = new FakeHubSpot(server);
    hubspot.seedCompany('mercy.example', 'Mercy Health', 'sarah@acme.example');
    server.once('GET', '/crm/v3/objects/contacts/daily@mercy.example', fixture('hubspot/rate-limit-429-daily').response);
    await withTimeSkippingHarness(
      async (h) => {
        const handle = await h.start(healthcare('daily@mercy.example'));
        const stuck = await waitForStatus(handle, stageIs('needs_attention'));
        expect(stuck.attention?.reason).toMatch(
          /^route failed: ProviderQuotaExhausted: hubspot: 429 You have reached your daily limit\..*resets at midnight/,
        );
        expect(stuck.attention?.waitingFor).toBe('ops');
        expect(server.to('GET', '/crm/v3/objects/contacts/daily@mercy.example')).toHaveLength(1); // not retried
        await handle.signal(resumeSignal);
        const resumed = await waitForStatus(handle, awaiting);
        expect(resumed.route?.reps).toEqual(['sarah']);
      },
      { wrapProviders: withHubSpot },
    );
  });

  it('SendGrid’s "Maximum credits exceeded" 401: the intro email step parks with what it is, not as a bad key', async () => {
    server.on('POST', '/v3/mail/send', fixture('sendgrid/max-credits-exceeded-401').response);
    const withSendGrid = (p: Providers): Providers => ({
      ...p,
      email: new SendGridEmailProvider({ apiKey: 'SG.test', from: 'Acme <sales@acme.example>', baseUrl: `${server.url}/`, timeoutMs: 2_000 }),
    });
    await withTimeSkippingHarness(
      async (h) => {
        const handle = await h.start(healthcare('credits@mercy.example'));
        await waitForStatus(handle, awaiting);
        await handle.signal(buyerMessageSignal, { text: 'the second one works' });
        const stuck = await waitForStatus(handle, stageIs('needs_attention'));
        expect(stuck.attention?.reason).toMatch(/^intro email failed: ProviderQuotaExhausted: sendgrid: 401 Maximum credits exceeded: .*credits are used up \(the API key is fine\)/);
        expect(server.to('POST', '/v3/mail/send')).toHaveLength(1);
        expect(stuck.booking).not.toBeNull(); // the meeting stands; only the email waits
      },
      { wrapProviders: withSendGrid },
    );
  });
});

describe('the hand-off’s CRM writes', () => {
  it('a briefing note that fails once is retried alone: one meeting, one note, one contact', async () => {
    const hubspot = new FakeHubSpot(server, { indexLagMs: CRM_SEARCH_INDEX_LAG_MS });
    hubspot.seedCompany('mercy.example', 'Mercy Health', 'sarah@acme.example');
    server.once('POST', '/crm/v3/objects/notes', fixture('hubspot/server-error-500').response);
    await withTimeSkippingHarness(
      async (h) => {
        const handle = await h.start(healthcare('jane@mercy.example'));
        await waitForStatus(handle, awaiting);
        await handle.signal(buyerMessageSignal, { text: 'the second one works' });
        await waitForStatus(handle, handedOff);
        expect(server.to('POST', '/crm/v3/objects/notes')).toHaveLength(2); // failed, then retried
        expect(hubspot.engagements.meetings).toHaveLength(1);
        expect(hubspot.engagements.notes).toHaveLength(1);
        expect(hubspot.contacts.size).toBe(1);
      },
      { wrapProviders: withHubSpot },
    );
  });
});
