/**
 * A desk that runs with no buffer and no notice (`buffer: 0m`, `minNotice: 0m`), through the lead
 * workflow on the time-skipping server: leads are offered, and book, the time right after another
 * meeting and the time right now (rounded up to the :00/:30 grid).
 */
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseTeamConfig } from '../../domain/team/config';
import { withParsedRules } from '../../domain/team/team';
import { bookProposalUpdate, statusQuery } from '../../workflows/lead/messages';
import { awaiting, waitForStatus, withTimeSkippingHarness, handedOff } from '../helpers/harness';
import { TEST_TEAM } from '../helpers/paths';

const ZONE = 'America/New_York';
const GRID = 30 * 60_000;

/** The test team (everyone works around the clock), with the booking policy a "book me now" desk uses. */
function zeroBufferTeam() {
  const text = readFileSync(TEST_TEAM, 'utf8').replace('minNotice: 1h', 'minNotice: 0m').replace('buffer: 10m', 'buffer: 0m');
  const team = withParsedRules(parseTeamConfig(text, 'team.yaml'));
  expect(team.booking).toMatchObject({ minNotice: 0, buffer: 0 });
  return team;
}

describe('leadWorkflow with buffer 0 and minNotice 0', () => {
  it('books the slot right after another meeting, and the slot at now rounded up to the grid', async () => {
    await withTimeSkippingHarness(
      async (h) => {
        // Skip to a Wednesday, 10:07 in New York: inside the buyer's waking hours, off the grid.
        const serverNow = DateTime.fromMillis(await h.env.currentTimeMs(), { zone: ZONE });
        let target = serverNow.plus({ days: 1 }).set({ hour: 10, minute: 7, second: 0, millisecond: 0 });
        while (target.weekday !== 3) target = target.plus({ days: 1 });
        await h.env.sleep(target.toMillis() - serverNow.toMillis());
        const now = await h.env.currentTimeMs();
        expect(now).toBeGreaterThanOrEqual(target.toMillis());
        expect(now - target.toMillis()).toBeLessThan(10 * 60_000);

        // Mark (the Competitor X rule) is in a meeting until 11:00.
        const meetingEnd = target.set({ hour: 11, minute: 0 });
        h.local.calendar.seed({ mark: [{ start: target.set({ hour: 9, minute: 0 }).toISO()!, end: meetingEnd.toISO()!, type: 'busy', title: 'pipeline review' }] });

        const afterMeeting = await h.start({ email: 'cto@initech.example', message: 'We use Competitor X today and want to compare.' });
        const offered = await waitForStatus(afterMeeting, awaiting);
        expect(offered.route?.reps).toEqual(['mark']);
        // No buffer: the first option starts the minute the other meeting ends (with 10m it would be 11:30).
        expect(Date.parse(offered.proposals[0]!.start)).toBe(meetingEnd.toMillis());
        const booked = await afterMeeting.executeUpdate(bookProposalUpdate, { args: [{ proposalId: offered.proposals[0]!.id }] });
        expect(booked.outcome).toBe('booked');
        await waitForStatus(afterMeeting, handedOff);
        const event = h.local.calendar.bookedEvents().find((e) => e.repId === 'mark')!;
        expect(Date.parse(event.start)).toBe(meetingEnd.toMillis());

        // No notice: a lead for the SMB desk (free all day) is offered the next grid time after now.
        const rightNow = await h.start({ email: 'ops@globex.example', message: 'Can we talk?' });
        const soon = await waitForStatus(rightNow, awaiting);
        const proposedAt = Date.parse(soon.receivedAt);
        const first = Date.parse(soon.proposals[0]!.start);
        expect(first % GRID).toBe(0);
        expect(first).toBeGreaterThanOrEqual(proposedAt);
        expect(first - proposedAt).toBeLessThan(GRID); // with the default 1h notice it would be >= 1h away
        expect(DateTime.fromMillis(first, { zone: ZONE }).toFormat('HH:mm')).toBe('10:30');
        const second = await rightNow.executeUpdate(bookProposalUpdate, { args: [{ proposalId: soon.proposals[0]!.id }] });
        expect(second.outcome).toBe('booked');
        expect((await rightNow.query(statusQuery)).booking?.start).toBe(soon.proposals[0]!.start);
      },
      { team: zeroBufferTeam() },
    );
  });
});
