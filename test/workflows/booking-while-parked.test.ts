/**
 * A lead parked for ops (a provider failed in a way retries cannot fix) serves no booking until ops
 * resume it: it refuses one at once, even while new times are on offer after a meeting, instead of
 * taking the update and leaving the caller waiting for a resume that may be hours away.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { ProviderAuthError } from '../../domain/errors';
import type { Providers } from '../../integrations/providers';
import { fromFailure } from '../../workflows/failures';
import { bookProposalUpdate, buyerMessageSignal, recordOutcomeUpdate, resumeSignal, statusQuery } from '../../workflows/lead/messages';
import { awaiting, handedOff, stageIs, untilStatus, waitForStatus, withTimeSkippingHarness } from '../helpers/harness';

const HOUR = 3_600_000;

/** The calendar's free/busy fails with bad credentials while `down` is set. */
function failingCalendar(state: { down: boolean }) {
  return (p: Providers): Providers => ({
    ...p,
    calendar: new Proxy(p.calendar, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (name !== 'freeBusy' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (state.down) return Promise.reject(new ProviderAuthError('calendar: 401 invalid credentials (test)'));
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    }),
  });
}

/** The update's answer, or 'still waiting' when the workflow took it and has not answered in `ms`. */
async function answerWithin<T>(update: Promise<T>, ms: number): Promise<T | Error | 'still waiting'> {
  const timer = new Promise<'still waiting'>((done) => setTimeout(() => done('still waiting'), ms));
  return Promise.race([update.catch((err: Error) => err), timer]);
}

describe('a booking while the lead is parked for ops', () => {
  it('is refused at once with lead_state_conflict, even with new times on offer after a no-show; after the resume it books', async () => {
    const calendar = { down: false };
    await withTimeSkippingHarness(
      async (h) => {
        const handle = await h.start({ email: 'parked@mercy.example', name: 'Jane Park', company: 'Mercy Health', message: 'We run a hospital network and need better scheduling.' });
        const offered = await waitForStatus(handle, awaiting);
        expect((await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: offered.proposals[0]!.id }] })).outcome).toBe('booked');
        await waitForStatus(handle, handedOff);
        await untilStatus(h, handle, (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: 2 * HOUR });
        await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'no_show' }] });
        const recovery = await handle.query(statusQuery);
        expect(recovery.proposals.length).toBeGreaterThan(0);

        // The buyer asks for other times; finding them fails for good: the lead parks, the old times still on offer in its state.
        calendar.down = true;
        await handle.signal(buyerMessageSignal, { text: 'None of those work, do you have anything next week?' });
        const parked = await waitForStatus(handle, stageIs('needs_attention'));
        expect(parked.attention).toMatchObject({ waitingFor: 'ops', reason: expect.stringMatching(/^find times failed: ProviderAuthError/) });
        expect(parked.proposals, 'a parked lead shows nothing to book').toEqual([]);

        const answer = await answerWithin(handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: recovery.proposals[0]!.id }] }), 5_000);
        expect(answer).toBeInstanceOf(WorkflowUpdateFailedError);
        const refused = fromFailure((answer as WorkflowUpdateFailedError).cause);
        expect(refused).toMatchObject({ code: 'lead_state_conflict', message: 'the lead is needs_attention; there is nothing to book' });

        // Ops fix the calendar and resume: new times, and one of them books.
        calendar.down = false;
        await handle.signal(resumeSignal);
        const fresh = await waitForStatus(handle, (s) => s.stage !== 'needs_attention' && s.proposals.length > 0);
        const booked = await handle.executeUpdate(bookProposalUpdate, { args: [{ proposalId: fresh.proposals[0]!.id }] });
        expect(booked.outcome).toBe('booked');
      },
      { wrapProviders: failingCalendar(calendar) },
    );
  });
});
