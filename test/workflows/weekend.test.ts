import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { findTimesFor } from '../../activities/calendar';
import { InMemoryPools } from '../../domain/route/distribution';
import { proposalMessage } from '../../domain/converse/copy';
import { withParsedRules } from '../../domain/team/team';
import { embeddedProviders } from '../../runtime/providers';
import { loadTeamConfig } from '../../runtime/load';
import { decideRoute } from '../../activities/route';
import { extractFacts } from '../../domain/qualify/facts';
import { ROOT } from '../helpers/paths';

/** The example team (config/team.yaml) keeps real working hours: a Friday-evening lead meets Monday. */
const team = withParsedRules(loadTeamConfig(`${ROOT}config/team.yaml`));
const local = embeddedProviders(':memory:', team);
const deps = { team, providers: { calendar: local.calendar, crm: local.crm, email: local.outbox }, pools: new InMemoryPools() };

describe('weekend and night leads', () => {
  it('answers a Friday 17:00 lead with the first working hours of the rep, shown in the buyer zone', async () => {
    const friday5pm = DateTime.fromISO('2026-11-20T17:00', { zone: 'America/New_York' }).toMillis();
    const lead = { email: 'night@mercyhealth.org', message: 'Hospital in Portland, Oregon looking for a demo' };
    const facts = extractFacts(lead, { competitors: team.competitors, territories: team.territories });
    const decision = await decideRoute(deps, { lead, facts, now: friday5pm, scope: 'weekend', leadId: 'weekend' });
    expect(decision.reps).toEqual(['sarah']);
    const t0 = performance.now();
    const found = await findTimesFor(deps, { decision, now: friday5pm, count: 3, buyerTimezone: 'America/Los_Angeles' });
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(found.slots).toHaveLength(3);
    const first = DateTime.fromISO(found.slots[0]!.start, { zone: 'America/Chicago' });
    expect(first.weekday).toBe(1); // Monday
    // Sarah starts at 09:00 Chicago, but that is 07:00 for a Pacific buyer: the first time inside
    // both her hours and the buyer's waking hours (from 08:00) is 10:00 Chicago.
    expect(first.toFormat('HH:mm')).toBe('10:00');
    for (const s of found.slots) expect(DateTime.fromISO(s.start, { zone: 'America/Chicago' }).weekday).toBeLessThanOrEqual(5);
    const text = proposalMessage(found.slots.map((s) => ({ start: Date.parse(s.start) })), {
      timezone: 'America/Los_Angeles', now: friday5pm, repNames: ['Sarah Chen'], companyName: 'Acme',
    });
    expect(text).toContain('Monday at 8am');
    expect(text).toContain('Pacific');
  });
});
