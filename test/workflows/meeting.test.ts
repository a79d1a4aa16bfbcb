/**
 * After booking (contract section 6), on the time-skipping server with Baton's real activities over
 * the embedded providers: reminders, reschedules, cancellations, the reps' side, outcomes and
 * no-show recovery, a meeting days away run in seconds.
 */
import { describe, expect, it } from 'vitest';
import type { Team } from '../../domain/team/team';
import {
  bookProposalUpdate,
  buyerMessageSignal,
  cancelMeetingUpdate,
  recordOutcomeUpdate,
  statusQuery,
  type LeadStatus,
} from '../../workflows/lead/messages';
import { awaiting, handedOff, skipToWorkingMorning, testTeam, untilStatus, waitForStatus, withTimeSkippingHarness, type Harness } from '../helpers/harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const jane = (email: string) => ({ email, name: 'Jane Park', company: 'Mercy Health', message: 'We run a hospital network and need better scheduling.' });
const withBooking = (edit: Partial<Team['booking']>) => testTeam((t) => ({ ...t, booking: { ...t.booking, ...edit } }));
const agentSaid = (s: LeadStatus) => s.events.filter((e) => e.message?.from === 'agent').map((e) => e.message!.text);
const lastAgent = (s: LeadStatus) => agentSaid(s).at(-1) ?? '';

/** Starts a lead for Sarah (healthcare rule), books the first time offered, waits for the hand-off. */
async function bookedLead(h: Harness, email: string) {
  const handle = await h.start(jane(email));
  const offered = await waitForStatus(handle, awaiting);
  const booked = await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: offered.proposals[0]!.id }] });
  expect(booked.outcome).toBe('booked');
  const status = await waitForStatus(handle, handedOff);
  return { handle, status, offered };
}

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
  }
  throw new Error('timed out');
}

const crmMeeting = (h: Harness, email: string) => h.local.crm.records({ contactEmail: email, kind: 'meeting' })[0]!;

describe('after booking: the lead stays with the meeting', () => {
  it('sends both reminders before a meeting 10 days out, asks the rep how it went, and closes when it was held', async () => {
    const team = withBooking({ minNotice: 10 * DAY, horizon: 12 * DAY });
    await withTimeSkippingHarness(
      async (h) => {
        const { handle, status } = await bookedLead(h, 'tenday@mercy.example');
        const start = Date.parse(status.booking!.start);
        expect(start - (await h.env.currentTimeMs())).toBeGreaterThan(10 * DAY - HOUR);
        expect(status.meeting).toEqual({ outcome: 'scheduled', reschedules: 0, remindersSent: [], bookedAt: expect.any(String) });
        // The meeting's life (reminders count from it) starts once the hand-off is done, after the booking's stage change.
        const bookedStage = status.events.findLast((e) => e.type === 'stage' && e.stage === 'booked')!;
        expect(Date.parse(status.meeting!.bookedAt)).toBeGreaterThanOrEqual(Date.parse(bookedStage.at));

        const asked = await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 6 * HOUR, maxSteps: 80 });
        expect(asked.meeting!.remindersSent).toEqual([DAY, HOUR]);
        const reminders = agentSaid(asked).filter((t) => /^See you|^Starting soon/.test(t));
        expect(reminders).toHaveLength(2);
        expect(reminders[0]).toMatch(/^See you tomorrow at .* with Sarah — reply here if anything changes\.$/);
        expect(reminders[1]).toMatch(/^Starting soon: your call with Sarah is in an hour/);
        const emails = h.local.outbox.list().filter((e) => e.key.includes('/reminder/'));
        expect(emails.map((e) => e.key.split('/reminder/')[1]).sort()).toEqual([`1/${DAY}`, `1/${HOUR}`].sort());
        expect(emails.every((e) => e.to[0]!.email === 'tenday@mercy.example')).toBe(true);
        // The rep is asked, by a CRM task and an email with the link to record it.
        expect(h.local.crm.records({ contactEmail: 'tenday@mercy.example', kind: 'task' }).map((t) => t.title)).toEqual(['How did your meeting with Jane Park go?']);
        expect(h.local.outbox.list({ to: 'sarah@acme.example' }).some((e) => e.key.endsWith('/rep-notice/outcome-1'))).toBe(true);

        const result = await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'held' }] });
        expect(result).toEqual({ stage: 'held', outcome: 'held' });
        expect(await handle.result()).toEqual({ stage: 'held' });
        expect(crmMeeting(h, 'tenday@mercy.example').meeting?.status).toBe('completed');
      },
      { team },
    );
  });

  it('gives no 24h reminder, nor an instant 1h one, to a meeting booked 30 minutes ahead', async () => {
    const team = withBooking({ minNotice: 0, buffer: 0 });
    await withTimeSkippingHarness(
      async (h) => {
        await skipToWorkingMorning(h);
        const { handle, status } = await bookedLead(h, 'soon@mercy.example');
        const start = Date.parse(status.booking!.start);
        expect(start - (await h.env.currentTimeMs())).toBeLessThanOrEqual(30 * 60_000);
        const after = await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 15 * 60_000 });
        expect(after.meeting!.remindersSent).toEqual([]);
        expect(h.local.outbox.list().filter((e) => e.key.includes('/reminder/'))).toEqual([]);
      },
      { team },
    );
  });

  it('moves the same event an hour later when the buyer asks, tells both sides, then answers "see you then" once', async () => {
    const team = withBooking({ minNotice: 6 * HOUR });
    await withTimeSkippingHarness(async (h) => {
      const email = 'later@mercy.example';
      const { handle, status } = await bookedLead(h, email);
      const booked = Date.parse(status.booking!.start);
      await handle.signal(buyerMessageSignal, { text: 'Something came up, can we push it an hour later?' });
      const offer = await waitForStatus(handle, (s) => s.stage === 'rescheduling');
      expect(Date.parse(offer.proposals[0]!.start)).toBe(booked + HOUR);
      expect(lastAgent(offer)).toMatch(/stays booked until you confirm/);
      // The booked meeting stands meanwhile.
      expect(offer.booking!.start).toBe(status.booking!.start);

      await handle.signal(buyerMessageSignal, { text: 'yes, the first one please' });
      const moved = await waitForStatus(handle, (s) => s.stage === 'booked' && s.meeting?.reschedules === 1);
      expect(Date.parse(moved.booking!.start)).toBe(booked + HOUR);
      expect(lastAgent(moved)).toMatch(/^Done, Jane — your meeting with Sarah is now .* instead of/);
      const events = h.local.calendar.bookedEvents();
      expect(events).toHaveLength(1);
      expect(Date.parse(events[0]!.start)).toBe(booked + HOUR);
      expect(crmMeeting(h, email).meeting).toMatchObject({ status: 'rescheduled', start: moved.booking!.start });
      expect(h.local.outbox.list({ to: 'sarah@acme.example' }).some((e) => e.key.endsWith('/rep-notice/moved-1') && /^Moved:/.test(e.subject))).toBe(true);

      await handle.signal(buyerMessageSignal, { text: 'great, see you then!' });
      const ack = await waitForStatus(handle, (s) => /^Great — see you/.test(lastAgent(s)));
      await handle.signal(buyerMessageSignal, { text: 'thanks 👍' });
      await handle.signal(buyerMessageSignal, { text: 'Do I need to prepare anything?' });
      const asked = await waitForStatus(handle, (s) => /passed it to Sarah/.test(lastAgent(s)));
      expect(agentSaid(asked).length).toBe(agentSaid(ack).length + 1); // one acknowledgement only, then the question's answer
      expect(h.local.outbox.list({ to: 'sarah@acme.example' }).some((e) => e.key.includes('/rep-notice/question-'))).toBe(true);
    }, { team });
  });

  it('cancels on "we need to cancel": the event, the CRM meeting, the rep told, stage canceled', async () => {
    await withTimeSkippingHarness(async (h) => {
      const email = 'cancel@mercy.example';
      const { handle } = await bookedLead(h, email);
      await handle.signal(buyerMessageSignal, { text: "Sorry, we need to cancel — we've decided to hold off for now." });
      expect(await handle.result()).toEqual({ stage: 'canceled' });
      const done = await handle.query(statusQuery);
      expect(done.meeting?.outcome).toBe('canceled');
      expect(lastAgent(done)).toMatch(/I've canceled your meeting with Sarah/);
      expect(h.local.calendar.bookedEvents()).toEqual([]);
      expect(crmMeeting(h, email).meeting?.status).toBe('canceled');
      expect(h.local.outbox.list({ to: 'sarah@acme.example' }).some((e) => /^Canceled:/.test(e.subject))).toBe(true);
    });
  });

  it('cancels through the update, and refuses a second cancel and an outcome before the meeting', async () => {
    await withTimeSkippingHarness(async (h) => {
      const { handle } = await bookedLead(h, 'api-cancel@mercy.example');
      await expect(handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'held' }] })).rejects.toMatchObject({
        cause: { type: 'LeadStateConflict', message: expect.stringMatching(/record its outcome once it has started/) },
      });
      const result = await handle.executeUpdate(cancelMeetingUpdate, { args: [{ by: 'server', reason: 'duplicate request' }] });
      expect(result.stage).toBe('canceled');
      // Closed now: Temporal has no running lead to send it to (the API answers 409 lead_closed first).
      await expect(handle.executeUpdate(cancelMeetingUpdate, { args: [{ by: 'server' }] })).rejects.toThrow(/not found/);
      expect(h.local.calendar.bookedEvents()).toEqual([]);
    });
  });

  it('has a cover take the meeting when the rep goes out of office before it: the same event, the buyer told', async () => {
    const team = withBooking({ minNotice: 30 * HOUR, horizon: 3 * DAY });
    await withTimeSkippingHarness(
      async (h) => {
        const { handle, status } = await bookedLead(h, 'cover@mercy.example');
        const b = status.booking!;
        h.local.calendar.seed({ sarah: [{ start: new Date(Date.parse(b.start) - 6 * HOUR).toISOString(), end: new Date(Date.parse(b.end) + 6 * HOUR).toISOString(), type: 'ooo', title: 'Out sick' }] });
        const covered = await untilStatus(h, handle, (s) => s.booking?.reps[0] === 'tom', { stepMs: 4 * HOUR, maxSteps: 20 });
        expect(covered.stage).toBe('booked');
        expect(covered.booking!.start).toBe(b.start);
        expect(agentSaid(covered).some((t) => /Tom will join instead of Sarah, who is out — same time/.test(t))).toBe(true);
        const events = h.local.calendar.bookedEvents();
        expect(events.map((e) => e.repId)).toEqual(['tom']);
        expect(events[0]!.key).toBe(h.local.calendar.bookedEvents()[0]!.key);
      },
      { team },
    );
  });

  it('offers new times once after a no-show, books the pick as a new meeting, and closes unresponsive after a second', async () => {
    await withTimeSkippingHarness(async (h) => {
      const email = 'noshow@mercy.example';
      const { handle } = await bookedLead(h, email);
      await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 2 * HOUR });
      const missed = await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'no_show' }] });
      expect(missed.stage).toBe('no_show');
      const recovery = await handle.query(statusQuery);
      expect(recovery.proposals.length).toBeGreaterThan(0);
      expect(lastAgent(recovery)).toMatch(/^Sorry we missed you/);
      expect(crmMeeting(h, email).meeting?.status).toBe('no_show');

      const rebooked = await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: recovery.proposals[0]!.id }] });
      expect(rebooked.outcome).toBe('booked');
      const again = await waitForStatus(handle, (s) => s.stage === 'booked');
      expect(again.booking!.start).toBe(recovery.proposals[0]!.start);
      expect(crmMeeting(h, email).meeting).toMatchObject({ status: 'scheduled', start: again.booking!.start });

      await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 2 * HOUR });
      await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'no_show' }] });
      expect(await handle.result()).toEqual({ stage: 'unresponsive' });
    });
  });

  it('apologises when the rep missed it, offers times with a cover, and shows the lead to ops', async () => {
    await withTimeSkippingHarness(async (h) => {
      const { handle } = await bookedLead(h, 'repmissed@mercy.example');
      await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 2 * HOUR });
      const result = await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'rep_no_show' }] });
      expect(result.stage).toBe('needs_attention');
      const s = await handle.query(statusQuery);
      expect(s.attention).toMatchObject({ waitingFor: 'buyer', reason: expect.stringMatching(/Sarah Chen missed the meeting; Tom Becker offered new times/) });
      expect(s.proposals.every((p) => p.attendees.includes('tom') && !p.attendees.includes('sarah'))).toBe(true);
      expect(lastAgent(s)).toMatch(/^I'm so sorry, Jane — Sarah couldn't make it/);
    });
  });

  it('hands a change inside the cutoff, and one past maxReschedules, to the rep as a task', async () => {
    const team = withBooking({ minNotice: 0, buffer: 0, rescheduleCutoff: 2 * HOUR, maxReschedules: 0 });
    await withTimeSkippingHarness(
      async (h) => {
        const email = 'late@mercy.example';
        await skipToWorkingMorning(h);
        const { handle } = await bookedLead(h, email);
        await handle.signal(buyerMessageSignal, { text: 'Can we move it to tomorrow?' });
        const told = await waitForStatus(handle, (s) => /passed your request to Sarah/.test(lastAgent(s)));
        expect(told.stage).toBe('booked');
        const tasks = h.local.crm.records({ contactEmail: email, kind: 'task' });
        expect(tasks.map((t) => t.key.split('/task/')[1])).toEqual(['late-change-1']);
        expect(tasks[0]!.body).toContain('Can we move it to tomorrow?');
      },
      { team },
    );
  });
});

describe('a long-lived lead keeps a short history', () => {
  it('through a reschedule, a no-show and a recovery booking, to held, in a few hundred events', async () => {
    const team = withBooking({ minNotice: 6 * HOUR });
    await withTimeSkippingHarness(
      async (h) => {
        const { handle } = await bookedLead(h, 'longlife@mercy.example');
        await handle.signal(buyerMessageSignal, { text: 'Something came up, can we push it an hour later?' });
        const offer = await waitForStatus(handle, (s) => s.stage === 'rescheduling');
        await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: offer.proposals[0]!.id }] });
        await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 2 * HOUR });
        await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'no_show' }] });
        const recovery = await handle.query(statusQuery);
        await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: recovery.proposals[0]!.id }] });
        await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 2 * HOUR });
        await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'held' }] });
        expect(await handle.result()).toEqual({ stage: 'held' });
        const { historyLength } = await handle.describe();
        console.log(`history of a lead through a reschedule, a no-show and a recovery to held: ${historyLength} events`);
        expect(historyLength).toBeLessThan(400);
      },
      { team },
    );
  });
});
