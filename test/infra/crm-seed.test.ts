/**
 * crm.yaml accounts whose owner is not on the team (someone who left, or was never set up in Baton)
 * load, and routing notes the owner and lets the rules decide.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qualifyActivities } from '../../activities/qualify';
import { decideRoute } from '../../activities/route';
import { ConfigError } from '../../domain/errors';
import { InMemoryPools } from '../../domain/route/distribution';
import { loadCrmSeed, loadTeam } from '../../runtime/load';
import { embeddedProviders } from '../../runtime/providers';
import { TEST_TEAM } from '../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'baton-crm-seed-'));
function seed(yaml: string): string {
  const file = join(dir, `crm-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

describe('crm.yaml with owners who are not on the team', () => {
  it('loads them, and routing names the owner and goes on to the rules', async () => {
    const accounts = loadCrmSeed(
      seed(`accounts:
  - { domain: mercyhealth.org, name: Mercy Health, owner: olduser }
  - { domain: globex.example, name: Globex, owner: gone@acme.example }
  - { domain: initech.example, name: Initech, owner: mark }
`),
    );
    expect(accounts.map((a) => a.owner)).toEqual(['olduser', 'gone@acme.example', 'mark']);

    const team = await loadTeam(TEST_TEAM);
    const local = embeddedProviders(':memory:', team);
    local.crm.seed(accounts);
    const deps = { team, providers: { calendar: local.calendar, crm: local.crm, email: local.outbox }, pools: new InMemoryPools() };
    const route = async (email: string, message: string) => {
      const lead = { email, message };
      const facts = await qualifyActivities(deps).qualifyLead({ workflowId: 'w', lead });
      return decideRoute(deps, { lead, facts, now: Date.parse('2026-12-01T15:00:00Z'), scope: email, leadId: email });
    };

    const byRule = await route('jane@mercyhealth.org', 'We run a hospital network.');
    expect(byRule).toMatchObject({ source: 'rule', reps: ['sarah'] });
    expect(byRule.reasoning).toMatch(/^This account's CRM owner \(olduser\) is not on the team, so the rules decide\. Rule 2 /);
    const byFallback = await route('kim@globex.example', 'We sell shoes.');
    expect(byFallback.source).toBe('fallback');
    expect(byFallback.reasoning).toMatch(/^This account's CRM owner \(gone@acme\.example\) is not on the team, so the rules decide\./);
    expect(await route('bo@initech.example', 'We run a hospital network.')).toMatchObject({ source: 'owner', reps: ['mark'] });
  });

  it('an empty owner is still an error naming the file and the path', () => {
    expect(() => loadCrmSeed(seed('accounts:\n  - { domain: a.example, owner: "  " }\n'))).toThrow(ConfigError);
    expect(() => loadCrmSeed(seed('accounts:\n  - { domain: a.example, owner: "  " }\n'))).toThrow(/crm-\w+\.yaml: accounts\[0\]\.owner: expected a rep id or email/);
  });
});
