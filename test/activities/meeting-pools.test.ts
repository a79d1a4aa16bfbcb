/**
 * The after-booking activities that need a pool: a cover for a rep who cannot make a booked
 * meeting (coverMeeting, chooseCover) takes the pool's turn with caps counted on the meeting's own
 * date, and a retry of the same meeting version gets the same cover; new times for a booked meeting
 * (findTimesWith) stay out of the periods where a rep was at their cap when the lead was routed.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { FoundTimes } from '../../activities/calendar';
import { ProviderUnavailable } from '../../domain/errors';
import { extractFacts } from '../../domain/qualify/facts';
import { InMemoryPools } from '../../domain/route/distribution';
import { settle, takeTurn } from '../../domain/route/fairness';
import { poolTurnRequest, routeLead, type RouteDecision } from '../../domain/route/routing';
import { poolWithDefaults, type Pool } from '../../domain/team/config';
import type { Team } from '../../domain/team/team';
import type { CalendarProvider } from '../../integrations/providers';
import { embeddedProviders, type EmbeddedProviders } from '../../runtime/providers';
import type { Booking } from '../../workflows/lead/messages';
import { testTeam } from '../helpers/harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEAD = 'lead-jane@mercy.example';
const LEAD_KEY = `${LEAD}/run-1`;
const jane = { email: 'jane@mercy.example', name: 'Jane Park', company: 'Mercy Health', message: 'We run a hospital network.' };

/** The test team with a three-member pool (Ana, Raj, Mark), with caps and weights per member. */
function teamWith(caps: Pool['caps'] = {}, weights: Pool['weights'] = {}, fairness?: Pool['fairness']): Team {
  return testTeam((t) => ({
    ...t,
    pools: [
      ...t.pools.filter((p) => p.id !== 'enterprise'),
      poolWithDefaults({ id: 'enterprise', name: 'Enterprise team', members: ['ana', 'raj', 'mark'], distribution: 'round_robin', caps, weights, ...(fairness ? { fairness } : {}) }),
    ],
  }));
}

let dir: string;
let local: EmbeddedProviders;
let team: Team;
let pools: InMemoryPools;
/** A meeting three days out, on the hour (reps work around the clock). */
let start: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-meeting-pools-'));
  start = Math.ceil((Date.now() + 3 * DAY) / HOUR) * HOUR;
  pools = new InMemoryPools();
});
afterEach(() => {
  local.db.close();
  rmSync(dir, { recursive: true, force: true });
});

function setUp(t: Team, calendar?: (base: CalendarProvider) => CalendarProvider) {
  team = t;
  local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
  const providers = { calendar: calendar ? calendar(local.calendar) : local.calendar, crm: local.crm, email: local.outbox };
  return createActivities({ team, providers, pools });
}

/** Ana's booked meeting with Jane, as the lead workflow holds it (`n`: a later meeting, an hour on per step). */
async function anasMeeting(n = 1): Promise<Booking> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const at = start + (n - 1) * HOUR;
  const event = await local.calendar.createEvent({
    key: `${LEAD}/run-1/attempt-${n}`,
    organizer: { repId: 'ana', email: 'ana@acme.example' },
    attendees: [{ email: jane.email, name: jane.name }, { email: 'ana@acme.example', name: 'Ana Souza' }],
    start: iso(at),
    end: iso(at + HOUR / 2),
    title: 'Acme <> Mercy Health',
    description: 'Booked by Baton',
  });
  return { proposalId: `${n}-1`, start: iso(at), end: iso(at + HOUR / 2), eventId: event.eventId, reps: ['ana'], attendees: ['ana'], attempt: n, escalated: [] };
}

/** Jane's routing decision (the cover's turn carries its segment). */
function janesDecision(): RouteDecision {
  const facts = extractFacts(jane, { competitors: team.competitors, territories: team.territories });
  return settle(routeLead({ team, facts, text: jane.message, crmOwner: null, now: Date.now(), calendars: {} }), new InMemoryPools().answerer(LEAD));
}

const env = (attempt = 1) => new MockActivityEnvironment({ attempt, workflowExecution: { workflowId: LEAD, runId: 'run-2' } });
const enterprise = () => team.pools.find((p) => p.id === 'enterprise')!;
/** Another lead's turn in the pool, for one of `eligible`, with its meeting at `meetingAt`. */
const otherLead = (id: string, eligible: string[], meetingAt = start) =>
  pools.turnNow(poolTurnRequest(team, enterprise(), eligible, { at: Date.now(), segment: null, meetingAt: Object.fromEntries(eligible.map((m) => [m, meetingAt])) }), { requestId: `${id}#0`, leadId: id });
/** What a new turn for Jane's lead (a new request id) would answer now, without taking it. */
const freshTurn = (eligible: string[]) =>
  takeTurn(structuredClone(pools.ledger('enterprise')), poolTurnRequest(team, enterprise(), eligible, { at: Date.now(), segment: null }), { requestId: 'fresh#0', leadId: LEAD }).rep;
/** Every member not at their cap earns share from every lead, so leads only one could take put them ahead. */
const uncalibrated = { window: 'month', count: 'booked', calibrate: false } as const;
type Covered = Awaited<ReturnType<ReturnType<typeof createActivities>['coverMeeting']>>;

describe('a cover for a booked meeting', () => {
  /** Ana cannot make her meeting; Raj (weight 5, so fairness prefers him) has another lead's meeting `otherAt`. */
  async function coverWithRajsMeetingAt(otherAt: (meeting: number) => number): Promise<Covered> {
    const acts = setUp(teamWith({ raj: { count: 1, per: 'day' } }, { raj: 5 }));
    const booking = await anasMeeting();
    expect(otherLead('lead-other', ['raj'], otherAt(start)).rep).toBe('raj');
    pools.reportNow('enterprise', { key: 'lead-other/booked', leadId: 'lead-other', repId: 'raj', event: 'booked', meetingStart: new Date(otherAt(start)).toISOString() });
    const input = { leadKey: LEAD_KEY, lead: jane, booking, away: [{ repId: 'ana', reason: 'pto' as const }], decision: janesDecision(), version: 1 };
    return (await env().run(acts.coverMeeting, input)) as Covered;
  }

  it("skips a pool mate at their cap on the meeting's own day, though they are under it today", async () => {
    const result = await coverWithRajsMeetingAt((meeting) => meeting + HOUR);
    expect(result.covered).toEqual([{ from: 'ana', to: 'mark' }]);
    expect(result.booking.reps).toEqual(['mark']);
    // The pool now credits Mark with this lead.
    expect(pools.ledger('enterprise').meetings[LEAD]?.member).toBe('mark');
  });

  it("takes the pool mate fairness prefers when their cap is full only on another day", async () => {
    const result = await coverWithRajsMeetingAt((meeting) => meeting + DAY);
    expect(result.covered).toEqual([{ from: 'ana', to: 'raj' }]);
  });

  it('gets the same cover when the hand-over is retried, and a new turn for the next meeting version', async () => {
    let failures = 1;
    const acts = setUp(teamWith({}, {}, uncalibrated), (base) =>
      Object.assign(Object.create(base) as CalendarProvider, {
        // The first hand-over fails after the pool's turn was taken (the provider had an outage).
        reassignEvent: (...args: Parameters<CalendarProvider['reassignEvent']>) => (failures-- > 0 ? Promise.reject(new ProviderUnavailable('calendar down')) : base.reassignEvent(...args)),
      }),
    );
    const decision = janesDecision();
    const booking = await anasMeeting();
    const input = { leadKey: LEAD_KEY, lead: jane, booking, away: [{ repId: 'ana', reason: 'pto' as const }], decision, version: 1 };
    await expect(env(1).run(acts.coverMeeting, input)).rejects.toThrow('calendar down');
    const first = pools.ledger('enterprise').meetings[LEAD]!.member;
    const other = first === 'raj' ? 'mark' : 'raj';
    // Meanwhile other leads go to the same rep, so a new turn would now choose the other one.
    otherLead('lead-a', [first]);
    otherLead('lead-b', [first]);
    expect(freshTurn(['raj', 'mark'])).toBe(other);

    const retried = (await env(2).run(acts.coverMeeting, input)) as Covered;
    expect(retried.covered).toEqual([{ from: 'ana', to: first }]);

    // The next version of the meeting (moved, then Ana is away again) is a new turn.
    const moved = await anasMeeting(2);
    const next = (await env(1).run(acts.coverMeeting, { ...input, booking: moved, version: 2 })) as Covered;
    expect(next.covered).toEqual([{ from: 'ana', to: other }]);
  });

  it('chooses the same cover for a missed meeting when asked again', async () => {
    const acts = setUp(teamWith({}, {}, uncalibrated));
    const ask = (attempt: number) => env(attempt).run(acts.chooseCover, { leadKey: LEAD_KEY, repId: 'ana', exclude: ['ana'], now: Date.now() }) as Promise<string | null>;
    const cover = await ask(1);
    expect(['raj', 'mark']).toContain(cover);
    otherLead('lead-a', [cover!]);
    otherLead('lead-b', [cover!]);
    expect(freshTurn(['raj', 'mark'])).not.toBe(cover);
    expect(await ask(2)).toBe(cover);
  });
});

describe('new times for a booked meeting', () => {
  it('never offers a time in a period where the rep was at their cap when the lead was routed', async () => {
    const acts = setUp(teamWith());
    const now = Date.now();
    const findTimes = (blocked?: Record<string, { start: number; end: number }[]>) =>
      env().run(acts.findTimesWith, { workflowId: LEAD, ids: ['ana'], now, count: 3, ...(blocked ? { blocked } : {}) }) as Promise<FoundTimes>;
    const open = await findTimes();
    expect(open.slots).toHaveLength(3);
    // Ana's cap is full for the next 30 hours: the times move past it.
    const capped = { start: now, end: now + 30 * HOUR };
    expect(Date.parse(open.slots[0]!.start)).toBeLessThan(capped.end);
    const found = await findTimes({ ana: [capped] });
    expect(found.slots).toHaveLength(3);
    for (const s of found.slots) expect(Date.parse(s.start)).toBeGreaterThanOrEqual(capped.end);
    // Periods for someone else leave Ana's times alone.
    expect((await findTimes({ raj: [capped] })).slots).toEqual(open.slots);
  });
});
