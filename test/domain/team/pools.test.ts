import { describe, expect, it } from 'vitest';
import { parseTeamConfig, type Pool } from '../../../domain/team/config';

const team = (pool: string) => `company: { name: Acme }
reps:
  - { id: ana, name: Ana Souza, email: ana@acme.example }
  - { id: raj, name: Raj Patel, email: raj@acme.example }
  - { id: lee, name: Lee Park, email: lee@acme.example }
pools:
  - ${pool}
fallback: ana
`;
const pool = (text: string): Pool => parseTeamConfig(team(text)).pools[0]!;
const errorOf = (text: string) => {
  try {
    parseTeamConfig(team(text));
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('pools: members, weights, caps, fairness, learn', () => {
  it('fills every default: weight 1, no caps, monthly booked fairness with calibration, no learning', () => {
    expect(pool('{ id: desk, members: [ana, raj] }')).toEqual({
      id: 'desk',
      name: 'desk',
      members: ['ana', 'raj'],
      distribution: 'round_robin',
      weights: { ana: 1, raj: 1 },
      caps: {},
      fairness: { window: 'month', count: 'booked', calibrate: true },
      learn: false,
    });
  });

  it('reads members as ids or { id, weight, cap }, keeping ids in order in members', () => {
    const p = pool('{ id: desk, members: [ana, { id: raj, weight: 2 }, { id: lee, cap: 3/day }, ] }');
    expect(p.members).toEqual(['ana', 'raj', 'lee']);
    expect(p.weights).toEqual({ ana: 1, raj: 2, lee: 1 });
    expect(p.caps).toEqual({ lee: { count: 3, per: 'day' } });
    expect(pool('{ id: desk, members: [{ id: ana, weight: 0.5, cap: 10/week }, { id: raj, cap: 40 per month }] }')).toMatchObject({
      weights: { ana: 0.5, raj: 1 },
      caps: { ana: { count: 10, per: 'week' }, raj: { count: 40, per: 'month' } },
    });
  });

  it('reads fairness and learn, with defaults for what is left out', () => {
    expect(pool('{ id: desk, members: [ana], fairness: { window: week, count: held } }').fairness).toEqual({ window: 'week', count: 'held', calibrate: true });
    expect(pool('{ id: desk, members: [ana], fairness: { calibrate: false } }').fairness).toEqual({ window: 'month', count: 'booked', calibrate: false });
    expect(pool('{ id: desk, members: [ana], fairness: }').fairness).toEqual({ window: 'month', count: 'booked', calibrate: true });
    expect(pool('{ id: desk, members: [ana], learn: false }').learn).toBe(false);
    expect(pool('{ id: desk, members: [ana], learn: true }').learn).toEqual({ metric: 'held', explore: 0.1, holdout: 0.1, minShare: 0.5 });
    expect(pool('{ id: desk, members: [ana], learn: { metric: booked, explore: 0.2 } }').learn).toEqual({ metric: 'booked', explore: 0.2, holdout: 0.1, minShare: 0.5 });
    expect(pool('{ id: desk, members: [ana], learn: { explore: 0, holdout: 0, minShare: 1 } }').learn).toEqual({ metric: 'held', explore: 0, holdout: 0, minShare: 1 });
  });

  it.each([
    ['{ id: desk, members: [ana, { id: raj, weight: 0 }] }', 'team.yaml: pools[0].members[1].weight must be more than 0, got the number 0 (to give a member no leads, take them out of the pool)'],
    ['{ id: desk, members: [ana, { id: raj, weight: heavy }] }', 'team.yaml: pools[0].members[1].weight: expected a positive number such as 2 (default 1), got "heavy"'],
    ['{ id: desk, members: [ana, { id: raj, weigth: 2 }] }', 'team.yaml: pools[0].members[1]: unknown key "weigth" (did you mean "weight"? known keys: id, weight, cap)'],
    ['{ id: desk, members: [ana, { weight: 2 }] }', 'team.yaml: pools[0].members[1].id is required'],
    ['{ id: desk, members: [ana, { id: raj, cap: 3 }] }', 'team.yaml: pools[0].members[1].cap: expected a cap such as 3/day, 10/week or 40/month, got the number 3'],
    ['{ id: desk, members: [ana, { id: raj, cap: 3/year }] }', 'team.yaml: pools[0].members[1].cap: expected a cap such as 3/day, 10/week or 40/month, got "3/year"'],
    ['{ id: desk, members: [ana, { id: raj, cap: 0/day }] }', '(a cap of 0 means no leads: take the member out of the pool instead)'],
    ['{ id: desk, members: [ana, { id: zoe }] }', 'team.yaml: pools[0].members[1]: expected a rep id, got "zoe" (known reps: ana, raj, lee)'],
    ['{ id: desk, members: [ana, ana] }', 'team.yaml: pools[0].members[1]: "ana" is listed twice (give a weight, e.g. { id: ana, weight: 2 }, to give them more leads)'],
    ['{ id: desk, members: [ana, desk] }', 'team.yaml: pools[0].members[1]: "desk" is a pool: members are rep ids'],
    ['{ id: desk, members: [] }', 'team.yaml: pools[0].members is empty: a pool needs at least one member'],
    ['{ id: desk, members: ana, raj }', 'team.yaml: pools[0].members: expected a list such as [ana, raj] or [ana, { id: raj, weight: 2 }], got "ana"'],
    ['{ id: desk, members: [ana], distribution: random }', 'team.yaml: pools[0].distribution: expected one of round_robin, first_available, ranked, group, got "random"'],
    ['{ id: desk, members: [ana], fairness: { window: year } }', 'team.yaml: pools[0].fairness.window: expected one of month, week, day, never, got "year"'],
    ['{ id: desk, members: [ana], fairness: { count: meetings } }', 'team.yaml: pools[0].fairness.count: expected one of booked, held, got "meetings"'],
    ['{ id: desk, members: [ana], fairness: { calibrate: yes } }', 'team.yaml: pools[0].fairness.calibrate: expected true or false, got "yes"'],
    ['{ id: desk, members: [ana], fairness: { windw: week } }', 'team.yaml: pools[0].fairness: unknown key "windw" (did you mean "window"?'],
    ['{ id: desk, members: [ana], learn: yes }', 'team.yaml: pools[0].learn: expected false, true, or { metric: held, explore: 0.1, holdout: 0.1, minShare: 0.5 }, got "yes"'],
    ['{ id: desk, members: [ana], learn: { metric: revenue } }', 'team.yaml: pools[0].learn.metric: expected one of held, booked, got "revenue"'],
    ['{ id: desk, members: [ana], learn: { explore: 1.5 } }', 'team.yaml: pools[0].learn.explore must be from 0 to 1, got the number 1.5'],
    ['{ id: desk, members: [ana], learn: { minShare: -0.1 } }', 'team.yaml: pools[0].learn.minShare must be from 0 to 1, got the number -0.1'],
    ['{ id: desk, members: [ana], learn: { explore: 0.6, holdout: 0.4 } }', 'team.yaml: pools[0].learn: expected explore + holdout below 1, got 0.6 + 0.4: the rest of the leads follow the learned weights'],
    ['{ id: desk, members: [ana], learn: { explor: 0.2 } }', 'team.yaml: pools[0].learn: unknown key "explor" (did you mean "explore"?'],
    ['{ id: ana, members: [raj] }', 'team.yaml: pools[0].id: "ana" is already used by another rep or pool'],
  ])('%s', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });
});
