/**
 * A group pool whose rule adds an attendee ("... go to the group desk with Mark"): the proposed
 * times and the booking re-check must both count Mark's calendar, not only the pool's.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { FoundTimes } from '../../activities/calendar';
import { InMemoryPools } from '../../domain/route/distribution';
import { settle, type TurnAnswer, type TurnIds, type TurnRequest } from '../../domain/route/fairness';
import { extractFacts } from '../../domain/qualify/facts';
import { routeLead, type RouteDecision } from '../../domain/route/routing';
import { poolWithDefaults } from '../../domain/team/config';
import { withParsedRules, type Team } from '../../domain/team/team';
import { embeddedProviders, type EmbeddedProviders } from '../../runtime/providers';
import { loadTeamConfig } from '../../runtime/load';
import type { Booking, Proposal } from '../../workflows/lead/messages';
import { TEST_TEAM } from '../helpers/paths';

const NOW = Date.parse('2026-12-01T15:00:00Z');
const HOUR = 3_600_000;
const bank = { email: 'cio@bigbank.example', name: 'Dana Lee', company: 'Big Bank', message: 'We are a bank with a $250K budget.' };

/** The test team plus a group pool (Ana, Raj) that big deals go to, with Mark. */
function groupTeam(): Team {
  const config = loadTeamConfig(TEST_TEAM);
  return withParsedRules({
    ...config,
    pools: [...config.pools, poolWithDefaults({ id: 'group', name: 'Group desk', members: ['ana', 'raj'], distribution: 'group' })],
    rules: ['Deals over $100K go to the group desk with Mark'],
  });
}

/** Pools that remember every turn they hand out, per pool. */
class CountingPools extends InMemoryPools {
  readonly turns: string[] = [];
  override async turn(request: TurnRequest, ids: TurnIds): Promise<TurnAnswer> {
    this.turns.push(request.pool.id);
    return super.turn(request, ids);
  }
}

let dir: string;
let local: EmbeddedProviders;
let team: Team;
let pools: CountingPools;
let decision: RouteDecision;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-group-'));
  team = groupTeam();
  local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
  pools = new CountingPools();
  const facts = extractFacts(bank, { competitors: team.competitors, territories: team.territories });
  decision = settle(routeLead({ team, facts, text: bank.message, crmOwner: null, now: NOW, calendars: {} }), new InMemoryPools().answerer('lead'));
});
afterEach(() => {
  local.db.close();
  rmSync(dir, { recursive: true, force: true });
});

function activities() {
  return createActivities({ team, providers: { calendar: local.calendar, crm: local.crm, email: local.outbox }, pools });
}

const env = (attempt = 1) => new MockActivityEnvironment({ attempt, workflowExecution: { workflowId: `lead-${bank.email}`, runId: 'run-1' } });

describe('a group pool with an attendee a rule added', () => {
  it('routes to the group with Mark as an extra attendee', () => {
    expect(decision).toMatchObject({ mode: 'any', reps: ['ana', 'raj'], extraAttendees: ['mark'], attendees: ['mark'] });
  });

  it("proposes only times when Mark is free too, and lists only the pool's reps per time", async () => {
    // Ana and Raj are free around the clock; Mark is busy for the next 30 hours.
    local.calendar.seed({ mark: [{ start: new Date(NOW).toISOString(), end: new Date(NOW + 30 * HOUR).toISOString(), title: 'Offsite' }] });
    const found = (await env().run(activities().findTimes, { workflowId: 'w', decision, now: NOW, count: 3 })) as FoundTimes;
    expect(found.slots).toHaveLength(3);
    const markFreeFrom = NOW + 30 * HOUR + team.booking.buffer;
    for (const s of found.slots) {
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(markFreeFrom);
      expect(s.reps).toEqual(['ana', 'raj']);
    }
  });

  it('re-checks Mark at booking: a taken time is a conflict and spends no pool turn', async () => {
    const start = NOW + 4 * HOUR;
    const proposal: Proposal = { id: '1-1', start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString(), attendees: ['ana', 'raj'] };
    local.calendar.seed({ mark: [{ start: proposal.start, end: proposal.end, title: 'Another meeting' }] });
    const book = () => env().run(activities().bookMeeting, { workflowId: `lead-${bank.email}`, attempt: 1, proposal, decision, lead: bank, now: NOW }) as Promise<Booking>;
    await expect(book()).rejects.toMatchObject({ type: 'SlotConflict', message: expect.stringContaining('mark no longer free') });
    expect(pools.turns).toEqual([]);
    expect(local.calendar.bookedEvents()).toEqual([]);
  });

  it('books the group rep the pool picks, with Mark, when everyone is free', async () => {
    const start = NOW + 4 * HOUR;
    const proposal: Proposal = { id: '1-1', start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString(), attendees: ['ana', 'raj'] };
    const booked = (await env().run(activities().bookMeeting, { workflowId: `lead-${bank.email}`, attempt: 1, proposal, decision, lead: bank, now: NOW })) as Booking;
    expect(booked.reps).toEqual(['ana']);
    expect(booked.attendees).toEqual(['ana', 'mark']);
    expect(pools.turns).toEqual(['group']);
  });
});
