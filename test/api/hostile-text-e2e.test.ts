/**
 * A hostile name never reaches a header, a subject, a calendar title or the CRM: a lead whose name,
 * company and title carry CRLF, control, bidi and invisible characters goes through the real API into
 * the lead workflow on the time-skipping server, is booked, reminded and asked about, and then every
 * row the embedded email outbox, calendar and CRM hold is read back. The normaliser's own rules are
 * in test/domain/qualify/text-safety.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { TEST_API_KEY, TEST_TOKEN_SECRET } from '../helpers/dev-server';
import { untilStatus, withTimeSkippingHarness } from '../helpers/harness';
import { bearer, json } from './api-helpers';

const HOUR = 3_600_000;
/** Never in a one-line value: C0/C1 controls (CR, LF, NUL, ESC...), DEL, line and paragraph separators. */
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Never in any text: controls other than LF and tab, and CR. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Never in any text: bidi marks, embeddings, overrides and isolates; zero-width space, word joiner, BOM. */
const BIDI_OR_INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/;

type Person = { email: string; name?: string };

describe('hostile text at the lead edge, end to end', () => {
  it('a name with CRLF, controls and bidi overrides reaches emails, calendar and CRM as one clean line', async () => {
    await withTimeSkippingHarness(async (h) => {
      const app = createApp({
        client: h.env.client,
        taskQueue: h.taskQueue,
        namespace: 'default',
        apiKeys: [TEST_API_KEY],
        tokens: new BuyerTokens(TEST_TOKEN_SECRET),
        outbox: h.local.outbox,
      });
      const email = `hostile-${Date.now()}@mercyhealth.org`;
      const res = await app.request(
        '/v1/leads',
        json({
          email,
          name: 'Jane\r\nBcc: attacker@evil.example\u0000',
          company: '\u202EMercy\r\nHealth\u200B\u0007',
          message: "We're a 2,000-person hospital network in Seattle.\r\nCan we meet?\u202E",
          fields: { title: 'CTO\nX-Injected: yes', industry: 'healthcare\u2028' },
        }),
      );
      expect(res.status).toBe(202);
      const { leadId, buyerToken, workflowId } = (await res.json()) as { leadId: string; buyerToken: string; workflowId: string };
      const wf = h.env.client.workflow.getHandle(workflowId);
      const offered = await untilStatus(h, wf, (s) => s.stage === 'awaiting_reply', { stepMs: 1_000 });
      // What the workflow holds is already the clean value.
      expect(offered.lead).toEqual({ email, name: 'Jane Bcc: attacker@evil.example', company: 'Mercy Health' });

      const booked = await app.request(`/v1/leads/${leadId}/booking`, json({ proposalId: offered.proposals[0]!.id }, bearer(buyerToken)));
      expect(booked.status).toBe(200);
      // Past both reminders and the meeting itself: the rep is asked how it went.
      await untilStatus(h, wf, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: HOUR });

      const db = h.local.db;
      const all = <T>(sql: string) => db.prepare(sql).all() as unknown as T[];
      const emails = all<{ recipients: string; cc: string | null; reply_to: string | null; subject: string; text_body: string; html_body: string }>('SELECT * FROM outbox');
      const events = all<{ title: string | null; details: string | null }>("SELECT title, details FROM calendar_events WHERE event_key NOT LIKE 'seed:%'");
      const contacts = all<{ email: string; name: string | null; company: string | null; title: string | null }>('SELECT * FROM crm_contacts');
      const records = all<{ kind: string; title: string | null; body: string }>('SELECT kind, title, body FROM crm_records');

      // Something of each kind was written: the intro and both reminders, the event, the contact, meeting, note and task.
      expect(emails.length).toBeGreaterThanOrEqual(3);
      expect(events.length).toBeGreaterThanOrEqual(1);
      expect(contacts).toHaveLength(1);
      expect(records.map((r) => r.kind).sort()).toEqual(expect.arrayContaining(['meeting', 'note', 'task']));

      const people = (jsonText: string | null): Person[] => (jsonText ? ([JSON.parse(jsonText)].flat() as Person[]) : []);
      const oneLine: [string, string][] = [];
      const anyText: [string, string][] = [];
      for (const e of emails) {
        oneLine.push(['email subject', e.subject]);
        for (const p of [...people(e.recipients), ...people(e.cc), ...people(e.reply_to)]) oneLine.push(['email recipient', `${p.name ?? ''} <${p.email}>`]);
        anyText.push(['email text', e.text_body], ['email html', e.html_body]);
      }
      for (const e of events) {
        oneLine.push(['calendar title', e.title ?? '']);
        const details = JSON.parse(e.details ?? '{}') as { attendees?: Person[]; description?: string };
        for (const p of details.attendees ?? []) oneLine.push(['calendar attendee', `${p.name ?? ''} <${p.email}>`]);
        anyText.push(['calendar description', details.description ?? '']);
      }
      for (const c of contacts) oneLine.push(['CRM contact name', c.name ?? ''], ['CRM contact company', c.company ?? ''], ['CRM contact title', c.title ?? '']);
      for (const r of records) {
        oneLine.push([`CRM ${r.kind} title`, r.title ?? '']);
        anyText.push([`CRM ${r.kind} body`, r.body]);
      }
      for (const [where, value] of oneLine) {
        expect(value, where).not.toMatch(NOT_ONE_LINE);
        expect(value, where).not.toMatch(BIDI_OR_INVISIBLE);
      }
      for (const [where, value] of [...oneLine, ...anyText]) {
        expect(value, where).not.toMatch(CONTROL);
        expect(value, where).not.toContain('\r');
        expect(value, where).not.toMatch(BIDI_OR_INVISIBLE);
      }

      // The clean values are the ones used, and nobody else was written to.
      expect(contacts[0]).toMatchObject({ email, name: 'Jane Bcc: attacker@evil.example', company: 'Mercy Health', title: 'CTO X-Injected: yes' });
      const recipients = emails.flatMap((e) => [...people(e.recipients), ...people(e.cc), ...people(e.reply_to)]);
      expect(recipients.some((p) => p.email.includes('evil.example'))).toBe(false);
      expect(recipients.filter((p) => p.email === email).map((p) => p.name)).toContain('Jane Bcc: attacker@evil.example');
      expect(emails.map((e) => e.subject)).toContainEqual(expect.stringMatching(/^Acme <> Mercy Health: /));
      expect(emails.map((e) => e.subject)).toContainEqual(expect.stringMatching(/^Reminder: Acme <> Mercy Health, /));
      expect(events.map((e) => e.title)).toContain('Acme <> Mercy Health');
    });
  });
});
