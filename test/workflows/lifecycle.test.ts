import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ProviderAuthError } from '../../domain/errors';
import type { Providers } from '../../integrations/providers';
import { withFaults } from '../../integrations/embedded/faults';
import { bookProposalUpdate, buyerMessageSignal, resumeSignal, statusQuery } from '../../workflows/lead/messages';
import { awaiting, handedOff, stageIs, testTeam, untilStatus, waitForStatus, withTimeSkippingHarness } from '../helpers/harness';

const withHarness = withTimeSkippingHarness;

const healthcare = (email: string) => ({ email, name: 'Jane Park', message: 'We run a hospital network and need better scheduling.' });

describe('lead lifecycle paths', () => {
  it('re-proposes inside the week the buyer names when none of the times work', async () => {
    await withHarness(async (h) => {
      const handle = await h.start(healthcare('nextweek@mercy.example'));
      const first = await waitForStatus(handle, awaiting);
      await handle.signal(buyerMessageSignal, { text: 'None of these work, how about next week?' });
      const second = await waitForStatus(handle, (s) => s.stage === 'awaiting_reply' && s.proposals[0]?.id.startsWith('2-') === true);
      const zone = 'America/New_York';
      const nextMonday = DateTime.fromISO(first.receivedAt, { zone }).startOf('week').plus({ weeks: 1 });
      for (const p of second.proposals) {
        const start = DateTime.fromISO(p.start, { zone });
        expect(start >= nextMonday && start < nextMonday.plus({ days: 5 })).toBe(true);
      }
      await handle.signal(buyerMessageSignal, { text: 'the first one' });
      await waitForStatus(handle, handedOff);
    });
  });

  it('lets exactly one of two leads racing for the same slot of the same rep book it', async () => {
    await withHarness(async (h) => {
      const a = await h.start(healthcare('a@mercy.example'));
      const b = await h.start(healthcare('b@mercy.example'));
      const [sa, sb] = await Promise.all([waitForStatus(a, awaiting), waitForStatus(b, awaiting)]);
      expect(sa.route?.reps).toEqual(['sarah']);
      expect(sb.route?.reps).toEqual(['sarah']);
      const shared = sa.proposals.find((p) => sb.proposals.some((q) => q.start === p.start))!;
      const other = sb.proposals.find((q) => q.start === shared.start)!;
      const [ra, rb] = await Promise.all([
        a.executeUpdate(bookProposalUpdate, { args: [{ proposalId: shared.id }] }),
        b.executeUpdate(bookProposalUpdate, { args: [{ proposalId: other.id }] }),
      ]);
      expect([ra.outcome, rb.outcome].sort()).toEqual(['booked', 'conflict']);
      const atThatTime = h.local.calendar.bookedEvents().filter((e) => e.repId === 'sarah' && e.start === new Date(shared.start).toISOString());
      expect(atThatTime).toHaveLength(1);
    });
  });

  it('hands the lead to the rep after maxBookingAttempts conflicts', async () => {
    await withHarness(async (h) => {
      const handle = await h.start(healthcare('unlucky@mercy.example'), { maxBookingAttempts: 2 });
      for (let attempt = 1; attempt <= 2; attempt++) {
        const s = await waitForStatus(handle, (x) => x.stage === 'awaiting_reply' && x.proposals[0]?.id.startsWith(`${attempt}-`) === true);
        const p = s.proposals[0]!;
        h.local.calendar.seed({ sarah: [{ start: p.start, end: p.end, type: 'busy' }] });
        const outcome = await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: p.id }] });
        expect(outcome.outcome).toBe(attempt < 2 ? 'conflict' : 'handed_off');
      }
      const s = await handle.query(statusQuery);
      expect(s.stage).toBe('needs_attention');
      expect(s.attention?.reason).toMatch(/kept getting taken/);
      expect(h.local.crm.records({ contactEmail: 'unlucky@mercy.example', kind: 'task' })).toHaveLength(1);
    });
  });

  it('routes to the backup when the CRM owner is on PTO, and says so in the CRM note', async () => {
    const today = DateTime.now().setZone('America/Chicago');
    const team = testTeam((t) => ({
      ...t,
      reps: t.reps.map((r) => (r.id === 'sarah' ? { ...r, pto: [{ from: today.minus({ days: 1 }).toISODate()!, to: today.plus({ days: 20 }).toISODate()! }] } : r)),
    }));
    await withHarness(
      async (h) => {
        h.local.crm.seed([{ domain: 'owned.example', name: 'Owned Co', owner: 'sarah' }]);
        const handle = await h.start({ email: 'buyer@owned.example', message: 'Demo please' });
        const s = await waitForStatus(handle, awaiting);
        expect(s.route?.source).toBe('owner');
        expect(s.route?.reps).toEqual(['tom']);
        expect(s.route?.escalated).toEqual([{ from: 'sarah', to: 'tom', reason: 'pto' }]);
        await handle.signal(buyerMessageSignal, { text: '1' });
        await waitForStatus(handle, handedOff);
        const note = h.local.crm.records({ contactEmail: 'buyer@owned.example', kind: 'note' })[0]!;
        expect(note.body).toMatch(/Sarah Chen skipped \(pto\); Tom Becker covers/);
      },
      { team },
    );
  });

  it('replaces a rep who went on PTO between proposal and booking before the invite goes out', async () => {
    await withHarness(async (h) => {
      const handle = await h.start(healthcare('late-pto@mercy.example'));
      const s = await waitForStatus(handle, awaiting);
      const p = s.proposals[0]!;
      h.local.calendar.seed({ sarah: [{ start: new Date(Date.parse(p.start) - 3_600_000).toISOString(), end: new Date(Date.parse(p.end) + 86_400_000).toISOString(), type: 'ooo', title: 'Sick' }] });
      const outcome = await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: p.id }] });
      expect(outcome.outcome).toBe('booked');
      if (outcome.outcome !== 'booked') return;
      expect(outcome.booking.reps).toEqual(['tom']);
      expect(outcome.booking.escalated).toEqual([{ from: 'sarah', to: 'tom', reason: 'pto' }]);
      expect(h.local.calendar.bookedEvents().map((e) => e.repId)).toEqual(['tom']);
      await waitForStatus(handle, handedOff);
      const intro = h.local.outbox.list().find((e) => /intro/i.test(e.subject) || e.cc.length > 0)!;
      expect(intro.cc.map((c) => c.email)).toEqual(['tom@acme.example']);
    });
  });

  it('waits in needs_attention on a non-retryable provider error and resumes when ops signal', async () => {
    let authBroken = true;
    const breakCrm = (p: Providers): Providers => ({
      ...p,
      crm: new Proxy(p.crm, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop !== 'findAccountByEmail') return value;
          return (...args: [string]) => (authBroken ? Promise.reject(new ProviderAuthError('hubspot: 401 invalid token')) : target.findAccountByEmail(...args));
        },
      }),
    });
    await withHarness(
      async (h) => {
        const handle = await h.start(healthcare('outage@mercy.example'));
        const stuck = await waitForStatus(handle, stageIs('needs_attention'));
        expect(stuck.attention?.reason).toMatch(/route failed: ProviderAuthError: hubspot: 401/);
        expect(stuck.attention?.waitingFor).toBe('ops');
        authBroken = false;
        await handle.signal(resumeSignal);
        const resumed = await waitForStatus(handle, awaiting);
        expect(resumed.route?.reps).toEqual(['sarah']);
        expect(resumed.attention).toBeNull();
      },
      { wrapProviders: breakCrm },
    );
  });

  it('completes every lead while a fifth of provider calls fail, through retries', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const flaky = (p: Providers): Providers => ({ calendar: withFaults(p.calendar, 0.2, random), crm: withFaults(p.crm, 0.2, random), email: withFaults(p.email, 0.2, random) });
    await withHarness(
      async (h) => {
        const handles = await Promise.all(['f1', 'f2', 'f3'].map((n) => h.start(healthcare(`${n}@flaky.example`))));
        // All three go to Sarah and see the same times: each picks a different one.
        for (const [i, handle] of handles.entries()) {
          await waitForStatus(handle, awaiting, 60_000);
          await handle.signal(buyerMessageSignal, { text: `option ${i + 1} works` });
        }
        // Retries back off on the server's clock (CRM writes wait 15 s before their first): skip it forward.
        for (const handle of handles) await untilStatus(h, handle, handedOff);
        expect(h.local.outbox.list()).toHaveLength(3);
      },
      { wrapProviders: flaky },
    );
  });

});
