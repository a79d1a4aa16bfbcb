/** `npx baton rules` (and start-up) on a team with a rep who takes no meetings (hours: none). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';
import { loadTeam } from '../../runtime/load';

const dir = mkdtempSync(join(tmpdir(), 'baton-cli-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('shows the rule that sends leads to a rep with hours: none as not compilable, and exits 2 naming it', async () => {
  const team = join(dir, 'team.yaml');
  writeFileSync(
    team,
    `company: { name: Acme }
reps:
  - { id: sarah, name: Sarah Chen, email: sarah@acme.example, hours: "Mon-Fri 09:00-12:00, 13:00-17:00" }
  - { id: dana, name: Dana Cole, email: dana@acme.example, hours: none }
rules:
  - Healthcare companies go to Sarah
  - Fintech companies go to Dana
fallback: sarah
`,
  );
  // Start-up refuses the same rule in the same words.
  await expect(loadTeam(team)).rejects.toThrow('team.yaml: rules[1]: "Fintech companies go to Dana" sends leads to dana, who takes no meetings');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'rules', '--team', team], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OPENAI_API_KEY: '' } });
  expect(run.status).toBe(2);
  const out = JSON.parse(run.stdout) as { rules: { index: number; error?: string; compiled?: unknown }[] };
  expect(out.rules[0]!.compiled).toBeDefined();
  expect(out.rules[0]!.error).toBeUndefined();
  expect(out.rules[1]!.compiled).toBeDefined();
  expect(out.rules[1]!.error).toBe('sends leads to dana, who takes no meetings (hours: none): give dana working hours or name someone else');
  expect(run.stderr.trim()).toBe(
    `baton: ${team}: rules[1]: "Fintech companies go to Dana" sends leads to dana, who takes no meetings (hours: none): give dana working hours or name someone else`,
  );
});
