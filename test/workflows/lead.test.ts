import { describe, expect, it } from 'vitest';
import { bookProposalUpdate, buyerMessageSignal, statusQuery } from '../../workflows/lead/messages';
import { awaiting, waitForStatus, withTimeSkippingHarness, handedOff } from '../helpers/harness';

const withHarness = withTimeSkippingHarness;

const healthcareLead = {
  email: 'jane@mercyhealth.org',
  name: 'Jane Park',
  company: 'Mercy Health',
  message: "We're a 2,000-person hospital network in Seattle looking at Baton for our scheduling team.",
};

describe('leadWorkflow on the time-skipping server', () => {
  it('qualifies, routes by rule, proposes, books the option the buyer names, and hands off', async () => {
    await withHarness(async (h) => {
      const handle = await h.start(healthcareLead);
      const proposing = await waitForStatus(handle, awaiting);
      expect(proposing.route?.source).toBe('rule');
      expect(proposing.route?.reps).toEqual(['sarah']);
      expect(proposing.proposals.length).toBe(3);
      const offer = proposing.events.findLast((e) => e.message?.from === 'agent')!.message!;
      expect(offer.proposalIds).toEqual(proposing.proposals.map((p) => p.id));
      expect(offer.text).not.toMatch(/https?:/);

      await handle.signal(buyerMessageSignal, { text: 'the second one works' });
      await waitForStatus(handle, handedOff);
      const done = await handle.query(statusQuery);
      expect(done.booking?.start).toBe(proposing.proposals[1]!.start);
      expect(done.booking?.reps).toEqual(['sarah']);

      const booked = h.local.calendar.bookedEvents();
      expect(booked.map((e) => e.repId)).toEqual(['sarah']);
      expect(booked[0]!.start).toBe(new Date(proposing.proposals[1]!.start).toISOString());
      const records = h.local.crm.records({ contactEmail: healthcareLead.email });
      expect(records.map((r) => r.kind).sort()).toEqual(['meeting', 'note']);
      expect(records.find((r) => r.kind === 'note')!.body).toContain('Healthcare companies go to Sarah');
      const [email, ...more] = h.local.outbox.list();
      expect(more).toEqual([]);
      expect(email!.to[0]!.email).toBe(healthcareLead.email);
      expect(email!.cc.map((p) => p.email)).toEqual(['sarah@acme.example']);
    });
  });

  it('nudges once after nudgeAfter, then closes as unresponsive with a CRM task after replyTimeout', async () => {
    await withHarness(async (h) => {
      const handle = await h.start({ email: 'quiet@globex.example', message: 'Interested in a demo.' });
      await waitForStatus(handle, awaiting);
      expect(await handle.result()).toEqual({ stage: 'unresponsive' });
      const s = await handle.query(statusQuery);
      const agent = s.events.filter((e) => e.message?.from === 'agent').map((e) => e.message!.text);
      expect(agent).toHaveLength(3); // proposal, nudge, hand-off
      expect(agent[1]).toMatch(/still/i);
      expect(s.nudged).toBe(true);
      const tasks = h.local.crm.records({ contactEmail: 'quiet@globex.example', kind: 'task' });
      expect(tasks).toHaveLength(1);
      expect(tasks[0]!.ownerEmail).toMatch(/@acme\.example$/);
    });
  });

  it('books through the update and answers 409-style with fresh proposals when the slot was taken', async () => {
    await withHarness(async (h) => {
      const handle = await h.start({ email: 'bob@initech.example', message: 'Can we talk this week?' });
      const s = await waitForStatus(handle, awaiting);
      const chosen = s.proposals[0]!;
      // Someone else grabs the time on every attendee's calendar after it was proposed.
      for (const rep of chosen.attendees) {
        h.local.calendar.seed({ [rep]: [{ start: chosen.start, end: chosen.end, type: 'busy', title: 'taken' }] });
      }
      const conflict = await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: chosen.id }] });
      expect(conflict.outcome).toBe('conflict');
      if (conflict.outcome !== 'conflict') return;
      expect(conflict.proposals.map((p) => p.start)).not.toContain(chosen.start);
      const booked = await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: conflict.proposals[0]!.id }] });
      expect(booked.outcome).toBe('booked');
      await waitForStatus(handle, handedOff);
      expect((await handle.query(statusQuery)).bookingAttempts).toBe(2);
    });
  });

  it('closes politely as declined when the buyer is no longer interested', async () => {
    await withHarness(async (h) => {
      const handle = await h.start({ email: 'no@acme-buyer.example', message: 'Demo please' });
      await waitForStatus(handle, awaiting);
      await handle.signal(buyerMessageSignal, { text: 'Actually we are not interested anymore' });
      expect(await handle.result()).toEqual({ stage: 'declined' });
      expect(h.local.calendar.bookedEvents()).toEqual([]);
    });
  });

  it('disqualifies a job seeker without booking anyone', async () => {
    await withHarness(async (h) => {
      const handle = await h.start({ email: 'kid@gmail.com', message: "Hi, I'm looking for a job — are you hiring? Attached my resume." });
      expect(await handle.result()).toEqual({ stage: 'disqualified' });
      expect(h.local.calendar.bookedEvents()).toEqual([]);
      expect(h.local.crm.records({ contactEmail: 'kid@gmail.com', kind: 'note' })[0]!.body).toMatch(/job_seeker/);
    });
  });
});
