/**
 * A pool hears what became of the leads it gave out (domain/route/pool-report.ts): the lead workflow
 * reports each booking, move and outcome, and the turn of a lead that never booked comes back. On
 * the time-skipping server with the real lead and pool workflows and Baton's activities.
 */
import { describe, expect, it } from 'vitest';
import { bookProposalUpdate, buyerMessageSignal, recordOutcomeUpdate } from '../../workflows/lead/messages';
import { poolStateQuery, poolWorkflowId, type PoolState } from '../../workflows/pool/messages';
import { awaiting, handedOff, testTeam, untilStatus, waitForStatus, withTimeSkippingHarness, type Harness } from '../helpers/harness';

const HOUR = 3_600_000;
/**
 * The first time offered is at least this far ahead, past the reschedule cutoff (2 h): with the
 * team's own notice, a lead started early on a working day was offered a time within the cutoff,
 * and its move went to a person instead.
 */
const noticeTeam = testTeam((t) => ({ ...t, booking: { ...t.booking, minNotice: 6 * HOUR } }));
const shop = (email: string) => ({ email, name: 'Lee Shop', company: 'Shop', message: 'We are a small online shop and would like a demo.' });

async function smbLedger(h: Harness, ok: (s: PoolState) => boolean): Promise<PoolState> {
  const handle = h.env.client.workflow.getHandle(poolWorkflowId(h.taskQueue, 'smb'));
  for (const deadline = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const s = await handle.query(poolStateQuery).catch(() => null);
    if (s && ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`the pool never got there: ${JSON.stringify(s?.ledger?.meetings)}`);
  }
}

describe('a lead tells its pool how its meeting went', () => {
  it('booked at its start, moved, then held: the pool counts the meeting by its new date and learns it was held', async () => {
    await withTimeSkippingHarness(async (h) => {
      const handle = await h.start(shop('owner@shop.example'));
      const offered = await waitForStatus(handle, awaiting);
      expect(offered.route!.pool).toBe('smb');
      const rep = offered.route!.reps[0]!;
      await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: offered.proposals[0]!.id }] });
      const booked = await waitForStatus(handle, handedOff);
      const leadId = handle.workflowId;

      let s = await smbLedger(h, (st) => st.ledger?.meetings[leadId]?.state === 'booked');
      expect(s.ledger!.meetings[leadId]).toMatchObject({ member: rep, start: Date.parse(booked.booking!.start) });
      expect(s.ledger!.tallies[rep]).toMatchObject({ assigned: 1, booked: 1 });

      await handle.signal(buyerMessageSignal, { text: 'Something came up, can we move it an hour later?' });
      await waitForStatus(handle, (st) => st.stage === 'rescheduling');
      await handle.signal(buyerMessageSignal, { text: 'yes, the first one please' });
      const moved = await waitForStatus(handle, (st) => st.stage === 'booked' && st.meeting!.reschedules === 1);
      expect(moved.booking!.start).not.toBe(booked.booking!.start);
      s = await smbLedger(h, (st) => st.ledger?.meetings[leadId]?.start === Date.parse(moved.booking!.start));
      expect(s.ledger!.tallies[rep]!.booked).toBe(1); // a move is not a second booking

      await untilStatus(h, handle, (st) => st.meeting?.outcome === 'unconfirmed', { stepMs: 2 * HOUR });
      await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'held' }] });
      expect(await handle.result()).toEqual({ stage: 'held' });
      s = await smbLedger(h, (st) => st.ledger?.meetings[leadId]?.state === 'held');
      expect(s.ledger!.tallies[rep]).toMatchObject({ assigned: 1, booked: 1, held: 1, noShow: 0 });
    }, { team: noticeTeam });
  });

  it('gives the turn of a lead that never answered back as released', async () => {
    await withTimeSkippingHarness(async (h) => {
      const handle = await h.start(shop('quiet@shop.example'));
      const offered = await waitForStatus(handle, awaiting);
      expect(await handle.result()).toEqual({ stage: 'unresponsive' });
      const s = await smbLedger(h, (st) => st.ledger?.meetings[handle.workflowId]?.state === 'released');
      expect(s.ledger!.tallies[offered.route!.reps[0]!]).toMatchObject({ assigned: 1, booked: 0, released: 1 });
    });
  });
});
