/**
 * A booked meeting's new times respect the pool's caps: the periods where the rep was already at
 * their cap when the lead was routed (RouteDecision.blocked) are kept out of a reschedule's offer,
 * as they were out of the first proposals. On the time-skipping server with the real pool workflow.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { poolWithDefaults } from '../../domain/team/config';
import { TemporalPools } from '../../runtime/pool-client';
import { bookProposalUpdate, buyerMessageSignal } from '../../workflows/lead/messages';
import { awaiting, handedOff, testTeam, waitForStatus, withTimeSkippingHarness } from '../helpers/harness';

const ZONE = 'America/New_York'; // the test team's company zone: caps count its days

/** The SMB desk is Sam alone, at most one meeting a day; meetings at least 6 hours ahead (outside the change cutoff). */
const team = testTeam((t) => ({
  ...t,
  booking: { ...t.booking, minNotice: 6 * 3_600_000 },
  pools: t.pools.map((p) => (p.id === 'smb' ? poolWithDefaults({ id: 'smb', name: 'SMB desk', members: ['sam'], distribution: 'round_robin', caps: { sam: { count: 1, per: 'day' } } }) : p)),
}));

describe('caps after booking', () => {
  it("offers a reschedule no time on a day the rep's cap was already full", async () => {
    await withTimeSkippingHarness(
      async (h) => {
        // Start at 09:00 in the company's zone, so today has open hours whatever time the test runs.
        const now = DateTime.fromMillis(await h.env.currentTimeMs(), { zone: ZONE });
        const nine = now.plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
        await h.env.sleep(nine.toMillis() - now.toMillis());
        // Sam already has another lead's meeting on each of the next 16 days: his cap is full then.
        const pools = new TemporalPools(h.env.client, h.taskQueue);
        const fullDays = Array.from({ length: 16 }, (_, i) => nine.plus({ days: i + 1 }).set({ hour: 12 }));
        for (const [i, day] of fullDays.entries()) {
          await pools.report('smb', { key: `lead-earlier-${i}/booked`, leadId: `lead-earlier-${i}`, repId: 'sam', event: 'booked', meetingStart: day.toUTC().toISO()! });
        }
        const blockedDay = (iso: string) => fullDays.some((d) => DateTime.fromISO(iso, { zone: ZONE }).hasSame(d, 'day'));

        const handle = await h.start({ email: 'owner@shop.example', name: 'Lee Shop', company: 'Shop', message: 'We are a small online shop and would like a demo.' });
        const offered = await waitForStatus(handle, awaiting);
        expect(offered.route!.reps).toEqual(['sam']);
        expect(offered.proposals.length).toBeGreaterThan(0);
        expect(offered.proposals.filter((p) => blockedDay(p.start))).toEqual([]);
        const first = offered.proposals[0]!;
        expect((await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: first.id }] })).outcome).toBe('booked');
        await waitForStatus(handle, handedOff);

        // "A day later" is a day Sam is full: that exact time is not offered, nor any other on a full day.
        await handle.signal(buyerMessageSignal, { text: 'Something came up, can we push it a day later?' });
        const offer = await waitForStatus(handle, (s) => s.stage === 'rescheduling');
        expect(offer.proposals.length).toBeGreaterThan(0);
        expect(offer.proposals.map((p) => p.start)).not.toContain(DateTime.fromISO(first.start).plus({ days: 1 }).toUTC().toISO());
        expect(offer.proposals.filter((p) => blockedDay(p.start))).toEqual([]);
      },
      { team },
    );
  });
});
