import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOnPto } from '../../../domain/route/availability';
import { DEFAULT_BOOKING, poolWithDefaults, type Pool, type Rep, type TeamConfig } from '../../../domain/team/config';
import { InMemoryPools, nextInRotation } from '../../../domain/route/distribution';
import { settle } from '../../../domain/route/fairness';
import { extractFacts } from '../../../domain/qualify/facts';
import { chooseTarget, routeLead, type RoutingInput } from '../../../domain/route/routing';
import { withParsedRules, type Team } from '../../../domain/team/team';
import { parseWorkingHours, type DayHours } from '../../../domain/team/hours';

const NOW = Date.parse('2026-12-01T15:00:00Z'); // a Tuesday
const ALL_WEEK = parseWorkingHours('Mon-Sun 00:00-24:00') as DayHours[];
const booking = { ...DEFAULT_BOOKING, meetingMinutes: 30, horizon: 48 * 3_600_000, proposals: 3, minNotice: 3_600_000, buffer: 600_000, replyTimeout: 86_400_000, nudgeAfter: 7_200_000, maxBookingAttempts: 3 };

function rep(id: string, extra: Partial<Rep> = {}): Rep {
  return { id, name: `${id[0]!.toUpperCase()}${id.slice(1)} Tester`, email: `${id}@acme.example`, timezone: 'America/New_York', hours: ALL_WEEK, pto: [], ...extra };
}

type PoolFields = Pick<Pool, 'id' | 'members'> & Partial<Pool>;

function team({ pools = [], ...config }: Partial<Omit<TeamConfig, 'pools'>> & Pick<TeamConfig, 'reps'> & { pools?: PoolFields[] }): Team {
  return withParsedRules({
    company: { name: 'Acme', timezone: 'America/New_York' },
    booking,
    territories: {},
    competitors: ['Competitor X'],
    rules: [],
    fallback: { type: 'rep', id: config.reps[0]!.id },
    ...config,
    pools: pools.map(poolWithDefaults),
  });
}

const ptoToday = [{ from: '2026-11-30', to: '2026-12-05' }];
const input = (t: Team, message: string, extra = {}) => {
  const lead = { email: 'buyer@example.com', message };
  return { team: t, facts: extractFacts(lead, { competitors: t.competitors, territories: t.territories }), text: message, crmOwner: null, now: NOW, calendars: {}, ...extra };
};
/** Routes one lead, answering its pool turns in memory (each lead its own id, as each lead workflow is). */
const route = (i: RoutingInput, pools = new InMemoryPools(), leadId = 'lead') => settle(routeLead(i), pools.answerer(leadId));

describe('routing precedence and explanations', () => {
  const t = team({
    reps: [rep('sarah', { backup: 'tom' }), rep('tom'), rep('mark'), rep('ana'), rep('raj')],
    pools: [{ id: 'enterprise', name: 'Enterprise team', members: ['ana', 'raj'], distribution: 'round_robin' }],
    rules: ['Healthcare companies go to Sarah', 'If someone mentions Competitor X, route to Mark'],
    fallback: { type: 'pool', id: 'enterprise' },
  });

  it('puts the CRM owner before any rule, the first matching rule before later ones, and the fallback last', () => {
    const hospital = input(t, 'We are a hospital and we use Competitor X today');
    expect(chooseTarget(t, hospital.facts, hospital.text, { repId: 'mark' }).source).toBe('owner');
    expect(chooseTarget(t, hospital.facts, hospital.text, { email: 'TOM@acme.example' }).target).toEqual({ type: 'rep', id: 'tom' });
    expect(chooseTarget(t, hospital.facts, hospital.text, { email: 'stranger@acme.example' }).target).toEqual({ type: 'rep', id: 'sarah' });
    const other = input(t, 'We sell shoes');
    expect(chooseTarget(t, other.facts, other.text, null)).toMatchObject({ source: 'fallback', target: { type: 'pool', id: 'enterprise' } });
  });

  it('an account owner who is not on the team is noted and the rules (or the fallback) decide', () => {
    const hospital = input(t, 'We are a hospital group');
    const byRule = route({ ...hospital, crmOwner: { repId: 'olduser', accountName: 'Mercy Health' } });
    expect(byRule).toMatchObject({ source: 'rule', reps: ['sarah'] });
    expect(byRule.reasoning).toMatch(/^This account's CRM owner \(olduser\) is not on the team, so the rules decide\. Rule 1 /);
    const other = input(t, 'We sell shoes');
    const byFallback = route({ ...other, crmOwner: { email: 'gone@acme.example', name: 'Bob Stone' } });
    expect(byFallback.source).toBe('fallback');
    expect(byFallback.reasoning).toMatch(/^This account's CRM owner \(Bob Stone <gone@acme\.example>\) is not on the team, so the rules decide\. No rule matched/);
    // An account without an owner says nothing about one.
    expect(route({ ...other, crmOwner: { accountName: 'Shoes Inc' } }).reasoning).not.toMatch(/owner/);
  });

  it('follows the backup chain past reps on PTO, without cycles, and explains who was skipped', async () => {
    const cyclic = team({
      reps: [rep('sarah', { backup: 'tom', pto: ptoToday }), rep('tom', { backup: 'sarah', pto: ptoToday }), rep('ana')],
      pools: [{ id: 'desk', name: 'Desk', members: ['tom', 'ana'], distribution: 'round_robin' }],
      rules: ['Healthcare companies go to Sarah'],
      fallback: { type: 'rep', id: 'ana' },
    });
    const d = route(input(cyclic, 'hospital group'));
    expect(d.reps).toEqual(['ana']); // sarah → tom (also away) → no more backups → tom's pool mate
    expect(d.escalated).toEqual([{ from: 'sarah', to: 'tom', reason: 'pto' }, { from: 'sarah', to: 'ana', reason: 'pto' }]);
    expect(d.reasoning).toMatch(/Sarah Tester is on PTO/);
  });
});

describe('distribution properties', () => {
  it('round robin stays within one lead of even over any arrival order and PTO pattern', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 60 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), async (size, leads, away) => {
        const ids = Array.from({ length: size }, (_, i) => `r${i}`);
        const present = ids.filter((_, i) => !away[i]);
        const t = team({
          reps: ids.map((id, i) => rep(id, away[i] ? { pto: ptoToday } : {})),
          pools: [{ id: 'p', name: 'P', members: ids, distribution: 'round_robin' }],
          fallback: { type: 'pool', id: 'p' },
        });
        const pools = new InMemoryPools();
        const counts = new Map<string, number>();
        for (let n = 0; n < leads; n++) {
          const d = route(input(t, 'hello'), pools, `l${n}`);
          counts.set(d.reps[0]!, (counts.get(d.reps[0]!) ?? 0) + 1);
        }
        if (present.length === 0) return;
        for (const id of counts.keys()) expect(present).toContain(id);
        const values = present.map((id) => counts.get(id) ?? 0);
        expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });

  it('never routes to someone outside the roster or on PTO when anyone else can cover', async () => {
    const messages = ['hospital network', 'we use Competitor X', 'budget $250k', 'shoe store', 'bank in Texas'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        fc.constantFrom(...messages),
        fc.constantFrom('round_robin', 'first_available', 'ranked', 'group'),
        async (away, message, distribution) => {
          const ids = ['sarah', 'tom', 'mark', 'ana', 'raj'];
          const t = team({
            reps: ids.map((id, i) => rep(id, { ...(away[i] ? { pto: ptoToday } : {}), ...(id === 'sarah' ? { backup: 'tom' } : {}) })),
            pools: [{ id: 'enterprise', name: 'Enterprise team', members: ['ana', 'raj', 'mark'], distribution }],
            rules: ['Deals over $100K go to the enterprise team with Mark', 'Healthcare companies go to Sarah', 'If someone mentions Competitor X, route to Mark'],
            fallback: { type: 'pool', id: 'enterprise' },
          });
          const d = route(input(t, message));
          for (const id of [...d.reps, ...d.attendees]) expect(ids).toContain(id);
          const canCover = ids.some((_, i) => !away[i]);
          if (canCover && !d.reasoning.includes('nobody could cover') && !d.reasoning.includes('every member')) {
            for (const id of d.reps) expect(isOnPto(t.reps.find((r) => r.id === id)!, NOW)).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('nextInRotation takes the member after the last assignee, skipping ineligible ones', () => {
    expect(nextInRotation(['a', 'b', 'c'], null, ['a', 'b', 'c'])).toBe('a');
    expect(nextInRotation(['a', 'b', 'c'], 'a', ['a', 'b', 'c'])).toBe('b');
    expect(nextInRotation(['a', 'b', 'c'], 'b', ['a', 'b'])).toBe('a');
    expect(nextInRotation(['a', 'b', 'c'], 'c', [])).toBeNull();
  });

  it('first_available picks the member with the earliest open slot; ranked the highest-ranked with any', async () => {
    const busyAll = (id: string, hours: number) => ({ [id]: [{ start: NOW, end: NOW + hours * 3_600_000, type: 'busy' as const }] });
    for (const [distribution, expected] of [['first_available', 'raj'], ['ranked', 'ana']] as const) {
      const t = team({
        reps: [rep('ana'), rep('raj')],
        pools: [{ id: 'p', name: 'P', members: ['ana', 'raj'], distribution }],
        fallback: { type: 'pool', id: 'p' },
      });
      const d = route(input(t, 'hi', { calendars: { ...busyAll('ana', 20) } }));
      expect(d.reps).toEqual([expected]);
    }
  });
});

describe('a rep with no working hours (hours: none) is never given a lead', () => {
  const off = (id: string, extra: Partial<Rep> = {}) => rep(id, { hours: [], ...extra });

  it('is skipped by every distribution, with the reason in the decision', async () => {
    for (const distribution of ['round_robin', 'first_available', 'ranked', 'group'] as const) {
      const t = team({
        reps: [off('lee'), rep('ana'), rep('raj')],
        pools: [{ id: 'p', name: 'P', members: ['lee', 'ana', 'raj'], distribution }],
        fallback: { type: 'pool', id: 'p' },
      });
      const pools = new InMemoryPools();
      for (let n = 0; n < 6; n++) {
        const d = route(input(t, 'hello'), pools, `l${n}`);
        expect(d.reps).not.toContain('lee');
        expect(d.reps.length).toBeGreaterThan(0);
        expect(d.reasoning).toContain('lee skipped: takes no meetings (hours: none)');
      }
    }
  });

  it('never covers for a rep on PTO, nor joins as the attendee a rule adds from a pool', async () => {
    const t = team({
      reps: [rep('sarah', { pto: ptoToday }), off('lee'), rep('ana'), rep('priya')],
      pools: [
        { id: 'desk', name: 'Desk', members: ['sarah', 'lee', 'ana'], distribution: 'round_robin' },
        { id: 'se', name: 'SE', members: ['lee', 'priya'], distribution: 'round_robin' },
      ],
      rules: ['Healthcare companies go to Sarah with a solutions engineer from the SE pool'],
      fallback: { type: 'pool', id: 'desk' },
    });
    const pools = new InMemoryPools();
    for (let n = 0; n < 4; n++) {
      const d = route(input(t, 'hospital network'), pools, `l${n}`);
      expect(d.reps).toEqual(['ana']);
      expect(d.extraAttendees).toEqual(['priya']);
    }
  });

  it('as the CRM owner is passed over, said in the reasoning, and the rules decide', async () => {
    const t = team({
      reps: [off('lee'), rep('sarah'), rep('ana')],
      rules: ['Healthcare companies go to Sarah'],
      fallback: { type: 'rep', id: 'ana' },
    });
    const d = route(input(t, 'hospital network', { crmOwner: { repId: 'lee', accountName: 'Mercy' } }));
    expect(d).toMatchObject({ source: 'rule', reps: ['sarah'] });
    expect(d.reasoning).toContain('Lee Tester owns the account of Mercy in the CRM but takes no meetings (hours: none), so the rules decide');
    const other = route(input(t, 'shoes', { crmOwner: { email: 'lee@acme.example' } }));
    expect(other).toMatchObject({ source: 'fallback', reps: ['ana'] });
  });

  it('cannot be the target or an added attendee of a rule: start-up refuses it, naming the rule', () => {
    const reps = [off('lee'), rep('sarah')];
    expect(() => team({ reps, rules: ['Healthcare companies go to Lee'], fallback: { type: 'rep', id: 'sarah' } })).toThrow(
      'team.yaml: rules[0]: "Healthcare companies go to Lee" sends leads to lee, who takes no meetings (hours: none): give lee working hours or name someone else',
    );
    expect(() => team({ reps, rules: ['Fintech companies go to Sarah', 'Healthcare companies go to Sarah with Lee'], fallback: { type: 'rep', id: 'sarah' } })).toThrow(
      'team.yaml: rules[1]: "Healthcare companies go to Sarah with Lee" adds to the meeting lee, who takes no meetings',
    );
  });
});

describe('pool turns as data', () => {
  const t = team({
    reps: [rep('ana'), rep('raj'), rep('lee')],
    pools: [{ id: 'p', name: 'Pod', members: ['ana', 'raj', 'lee'], distribution: 'round_robin' }],
    fallback: { type: 'pool', id: 'p' },
  });

  it('yields the pool turn it needs and decides from the answer it is given', () => {
    const steps = routeLead(input(t, 'We are a 300-person hospital in Seattle'));
    const first = steps.next();
    expect(first.done).toBe(false);
    const request = first.value as import('../../../domain/route/fairness').TurnRequest;
    expect(request).toMatchObject({
      pool: { id: 'p', members: ['ana', 'raj', 'lee'] },
      eligible: ['ana', 'raj', 'lee'],
      segment: { industry: 'healthcare', size: '200-999' },
      at: NOW,
      timezone: 'America/New_York',
      names: { ana: 'Ana Tester' },
    });
    const done = steps.next({ rep: 'raj', notes: ['Ana Tester skipped: reached the cap of 2/day for Tue 1 Dec'], policy: 'fair', blocked: [{ start: 1, end: 2 }] });
    expect(done.done).toBe(true);
    const d = done.value as import('../../../domain/route/routing').RouteDecision;
    expect(d.reps).toEqual(['raj']);
    expect(d.poolTurns).toEqual([{ pool: 'p', rep: 'raj', policy: 'fair' }]);
    expect(d.blocked).toEqual({ raj: [{ start: 1, end: 2 }] });
    expect(d.reasoning).toContain('Note: Ana Tester skipped: reached the cap of 2/day for Tue 1 Dec.');
  });

  it('gives leads by weight through the same turns the pool workflow takes', () => {
    const weighted = team({
      reps: [rep('ana'), rep('raj')],
      pools: [{ id: 'p', name: 'Pod', members: ['ana', 'raj'], weights: { ana: 1, raj: 2 } }],
      fallback: { type: 'pool', id: 'p' },
    });
    const pools = new InMemoryPools();
    const got = Array.from({ length: 30 }, (_, n) => route(input(weighted, 'hello'), pools, `l${n}`).reps[0]);
    expect(got.filter((r) => r === 'raj')).toHaveLength(20);
    expect(got.slice(0, 3).sort()).toEqual(['ana', 'raj', 'raj']);
  });

  it('skips a member at their cap, says so, and keeps the period blocked for the next lead', () => {
    const capped = team({
      reps: [rep('ana'), rep('raj')],
      pools: [{ id: 'p', name: 'Pod', members: ['ana', 'raj'], caps: { ana: { count: 1, per: 'day' } }, distribution: 'ranked' }],
      fallback: { type: 'pool', id: 'p' },
    });
    const pools = new InMemoryPools(() => NOW);
    const first = route(input(capped, 'hello'), pools, 'l1');
    expect(first.reps).toEqual(['ana']); // ranked: the top-ranked first
    pools.reportNow('p', { key: 'l1/booked', leadId: 'l1', repId: 'ana', event: 'booked', meetingStart: new Date(NOW + 2 * 3_600_000).toISOString() });
    const second = route(input(capped, 'hello'), pools, 'l2');
    expect(second.reps).toEqual(['raj']);
    expect(second.reasoning).toContain('Ana Tester skipped: reached the cap of 1/day for Tue 1 Dec');
  });

  it('first_available gives the lead to the next earliest when everyone tied is at their cap', () => {
    const busy = { raj: [{ start: NOW, end: NOW + 20 * 3_600_000, type: 'busy' as const }] };
    const capped = team({
      reps: [rep('ana'), rep('raj')],
      pools: [{ id: 'p', name: 'Pod', members: ['ana', 'raj'], caps: { ana: { count: 1, per: 'week' } }, distribution: 'first_available' }],
      fallback: { type: 'pool', id: 'p' },
    });
    const pools = new InMemoryPools(() => NOW);
    expect(route(input(capped, 'hi', { calendars: busy }), pools, 'l1').reps).toEqual(['ana']);
    expect(route(input(capped, 'hi', { calendars: busy }), pools, 'l2').reps).toEqual(['raj']);
  });
});
