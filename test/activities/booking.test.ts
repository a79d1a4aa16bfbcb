/**
 * bookMeeting when Temporal retries it after its result was lost (the worker died after the
 * calendar write): the retry must return the booking it made, not take its own event for a conflict.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { InMemoryPools } from '../../domain/route/distribution';
import { settle } from '../../domain/route/fairness';
import { extractFacts } from '../../domain/qualify/facts';
import { routeLead } from '../../domain/route/routing';
import type { Team } from '../../domain/team/team';
import type { CalendarOwner, CalendarProvider } from '../../integrations/providers';
import { embeddedProviders, type EmbeddedProviders } from '../../runtime/providers';
import type { Booking, Proposal } from '../../workflows/lead/messages';
import { testTeam } from '../helpers/harness';

const NOW = Date.parse('2026-12-01T15:00:00Z');
const jane = { email: 'jane@mercy.example', name: 'Jane Park', company: 'Mercy Health', message: 'We run a hospital network.' };
const proposal: Proposal = { id: '1-1', start: '2026-12-02T16:00:00.000Z', end: '2026-12-02T16:30:00.000Z', attendees: ['sarah'] };

let dir: string;
let local: EmbeddedProviders;
let team: Team;
let findEventCalls: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-booking-'));
  team = testTeam();
  local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
  findEventCalls = [];
});
afterEach(() => {
  local.db.close();
  rmSync(dir, { recursive: true, force: true });
});

const bank = { email: 'cio@bigbank.example', name: 'Dana Lee', company: 'Big Bank', message: 'We are an enterprise bank with 20,000 employees and a $250K budget.' };

/** Reps on PTO on the proposal's day, from the test team. */
const onPtoOnTheDay = (...ids: string[]) =>
  testTeam((t) => ({ ...t, reps: t.reps.map((r) => (ids.includes(r.id) ? { ...r, pto: [{ from: '2026-12-02', to: '2026-12-02' }] } : r)) }));

/**
 * bookMeeting as Temporal's attempt `n` of the same activity, for a lead routed with `routedBy`
 * (Jane's healthcare lead goes to Sarah); `teamForRun` is the team at booking time.
 */
async function booking(teamForRun: Team, routedBy: Team = teamForRun, lead = jane): Promise<(attempt: number) => Promise<Booking>> {
  // The embedded calendar, counting findEvent's candidates.
  const calendar: CalendarProvider = Object.assign(Object.create(local.calendar) as CalendarProvider, {
    findEvent: (organizers: CalendarOwner[], key: string) => (findEventCalls.push(organizers.map((o) => o.repId).join(',')), local.calendar.findEvent(organizers, key)),
  });
  const activities = createActivities({
    team: teamForRun,
    providers: { calendar, crm: local.crm, email: local.outbox },
    pools: new InMemoryPools(),
  });
  const facts = extractFacts(lead, { competitors: routedBy.competitors, territories: routedBy.territories });
  const decision = settle(routeLead({ team: routedBy, facts, text: lead.message, crmOwner: null, now: NOW, calendars: {} }), new InMemoryPools().answerer('lead'));
  const input = { workflowId: `lead-${lead.email}`, attempt: 1, proposal, decision, lead, now: NOW };
  return (attempt) =>
    new MockActivityEnvironment({ attempt, workflowExecution: { workflowId: input.workflowId, runId: 'run-1' } }).run(activities.bookMeeting, input) as Promise<Booking>;
}

describe('bookMeeting retried after its result was lost', () => {
  it('returns the booking it made instead of a conflict, and writes one event', async () => {
    const book = await booking(team);
    const first = await book(1);
    const retried = await book(2);
    expect(first.reps).toEqual(['sarah']);
    expect(retried).toEqual(first);
    expect(findEventCalls).toEqual(['sarah,tom']); // one lookup: the owner, then her backup
    expect(local.calendar.bookedEvents().map((e) => e.repId)).toEqual(['sarah']);
  });

  it('finds the event on the backup who covered a rep on PTO at the first try', async () => {
    const book = await booking(onPtoOnTheDay('sarah'));
    const first = await book(1);
    const retried = await book(2);
    expect(first.reps).toEqual(['tom']);
    expect(first.escalated).toEqual([{ from: 'sarah', to: 'tom', reason: 'pto' }]);
    expect(retried.eventId).toBe(first.eventId);
    expect(retried.reps).toEqual(['tom']);
    expect(local.calendar.bookedEvents().map((e) => e.repId)).toEqual(['tom']);
  });

  it('still reports a real conflict on a retry that had booked nothing', async () => {
    local.calendar.seed({ sarah: [{ start: proposal.start, end: proposal.end, title: 'Another meeting' }] });
    const book = await booking(team);
    await expect(book(1)).rejects.toMatchObject({ type: 'SlotConflict' });
    expect(findEventCalls).toEqual([]); // a first attempt has nothing of its own to find
    await expect(book(2)).rejects.toMatchObject({ type: 'SlotConflict' });
    expect(findEventCalls).toEqual(['sarah,tom']); // the owner, then her backup
    expect(local.calendar.bookedEvents()).toEqual([]);
  });
});

describe('bookMeeting when someone went on PTO after the times were proposed', () => {
  it('covers the owner with a pool mate when there is no backup, and says so', async () => {
    // The enterprise rule: Ana (enterprise pool, no backup) with Priya from the SE pool.
    const book = await booking(onPtoOnTheDay('ana'), team, bank);
    const booked = await book(1);
    expect(booked.reps).toEqual(['raj']);
    expect(booked.attendees).toEqual(['raj', 'priya']);
    expect(booked.escalated).toEqual([{ from: 'ana', to: 'raj', reason: 'pto' }]);
    expect(local.calendar.bookedEvents().map((e) => e.repId).sort()).toEqual(['priya', 'raj']);
    // And a retry of that try finds its event on the pool mate's calendar.
    expect(await book(2)).toEqual(booked);
  });

  it('covers an attendee a rule added, not only the owner', async () => {
    const book = await booking(onPtoOnTheDay('priya'), team, bank);
    // Priya has no backup and is alone in the SE pool: nobody can cover, so no meeting on her PTO.
    await expect(book(1)).rejects.toMatchObject({ type: 'SlotConflict', message: expect.stringContaining('priya is on PTO') });
    expect(local.calendar.bookedEvents()).toEqual([]);
  });
});
