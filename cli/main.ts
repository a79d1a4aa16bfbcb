import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InMemoryPools } from '../domain/route/distribution';
import { ConfigError, InputError } from '../domain/errors';
import { leadSchema, type Lead } from '../domain/qualify/lead';
import { findOpenSlots, proposeSlots } from '../domain/schedule/slots';
import { describeRule, RuleCompileError, compileRule } from '../domain/route/rules';
import { rosterOf, unbookableRule, type Team } from '../domain/team/team';
import { formatPath } from '../domain/team/config';
import { qualifyActivities } from '../activities/qualify';
import { decideRoute, EXTENSION_MS, loadCalendars } from '../activities/route';
import { slotQuery } from '../activities/calendar';
import type { ActivityDeps } from '../activities/deps';
import { realProvidersFromEnv } from '../integrations/from-env';
import { embeddedProviders } from '../runtime/providers';
import { loadCalendarSeed, loadCrmSeed, loadTeam, loadTeamConfig } from '../runtime/load';
import { fairnessCommand, simulateCommand } from './pools';

const USAGE = `usage:
  baton route --team team.yaml --lead lead.json [--crm crm.yaml] [--calendar calendar.json] [--now ISO]
  baton slots --team team.yaml --reps a,b [--mode all|any] [--calendar calendar.json] [--now ISO] [--tz ZONE] [--all]
  baton rules --team team.yaml
  baton fairness --team team.yaml
  baton simulate --team team.yaml --pool ID [--leads N] [--seed S] [--seeds K] [--truth truth.json]`;

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || !v) throw new InputError(`--${name} is required\n${USAGE}`);
  return v;
}

function parseNow(text: string | undefined): number {
  if (!text) return Date.now();
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InputError(`--now: expected an ISO date-time such as 2026-11-27T17:00:00Z, got "${text}"`);
  return ms;
}

function readLead(file: string): Lead {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON: ${(err as Error).message}`}`);
  }
  const parsed = leadSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${file}: ${formatPath(issue.path)}: ${issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message}`);
  }
  return parsed.data;
}

/** The same activity code the worker runs, over in-memory embedded providers seeded from the files. */
function offlineDeps(team: Team, crmFile?: string, calendarFile?: string): ActivityDeps {
  const local = embeddedProviders(':memory:', team);
  if (crmFile) local.crm.seed(loadCrmSeed(crmFile, team));
  if (calendarFile) local.calendar.seed(loadCalendarSeed(calendarFile, team));
  const llm = realProvidersFromEnv(process.env, { repCount: team.reps.length }).llm;
  return {
    team,
    providers: { calendar: local.calendar, crm: local.crm, email: local.outbox, ...(llm ? { llm } : {}) },
    // Turns answered in memory by the same takeTurn the pool workflow runs, from an empty ledger.
    pools: new InMemoryPools(),
  };
}

async function route(args: string[]) {
  const { values } = parseArgs({ args, options: { team: { type: 'string' }, lead: { type: 'string' }, crm: { type: 'string' }, calendar: { type: 'string' }, now: { type: 'string' } } });
  const llm = realProvidersFromEnv(process.env, { repCount: 0 }).llm;
  const team = await loadTeam(required(values, 'team'), llm);
  const lead = readLead(required(values, 'lead'));
  const now = parseNow(values.now);
  const deps = offlineDeps(team, values.crm, values.calendar);
  const facts = await qualifyActivities(deps).qualifyLead({ workflowId: 'cli', lead });
  const d = await decideRoute(deps, { lead, facts, now, scope: 'cli', leadId: 'cli' });
  return { target: d.target, reps: d.reps, attendees: d.attendees, source: d.source, rule: d.rule, escalated: d.escalated, facts: d.facts, reasoning: d.reasoning };
}

async function slots(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { team: { type: 'string' }, reps: { type: 'string' }, mode: { type: 'string', default: 'all' }, calendar: { type: 'string' }, now: { type: 'string' }, tz: { type: 'string' }, all: { type: 'boolean', default: false } },
  });
  const team = { ...loadTeamConfig(required(values, 'team')), compiledRules: [] };
  const reps = required(values, 'reps').split(',').map((r) => r.trim()).filter(Boolean);
  for (const id of reps) if (!team.reps.some((r) => r.id === id)) throw new InputError(`--reps: unknown rep "${id}" (known: ${team.reps.map((r) => r.id).join(', ')})`);
  if (values.mode !== 'all' && values.mode !== 'any') throw new InputError(`--mode: expected all or any, got "${values.mode}"`);
  if (values.tz && !Intl.supportedValuesOf('timeZone').includes(values.tz) && values.tz !== 'UTC') throw new InputError(`--tz: expected an IANA time zone, got "${values.tz}"`);
  const now = parseNow(values.now);
  const deps = offlineDeps(team, undefined, values.calendar);
  const calendars = await loadCalendars(deps, reps, now, now + team.booking.horizon + EXTENSION_MS);
  const query = slotQuery(deps, reps, calendars, now, values.mode);
  const found = values.all ? findOpenSlots(query) : proposeSlots({ ...query, count: team.booking.proposals, ...(values.tz ? { buyerTimezone: values.tz } : {}) }).slots;
  return { slots: found.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), reps: s.reps })) };
}

function rules(args: string[]): { output: unknown; failed: string | null } {
  const { values } = parseArgs({ args, options: { team: { type: 'string' } } });
  const file = required(values, 'team');
  const config = loadTeamConfig(file);
  const roster = rosterOf(config);
  let failed: string | null = null;
  const output = config.rules.map((text, index) => {
    try {
      const compiled = compileRule(text, index, roster);
      // Compiles, but could never book: start-up refuses it with the same words.
      const unbookable = unbookableRule(config, compiled);
      if (unbookable) failed ??= `${file}: rules[${index}]: "${text}" ${unbookable}`;
      return { index, text, compiled, description: describeRule(compiled), ...(unbookable ? { error: unbookable } : {}) };
    } catch (err) {
      if (!(err instanceof RuleCompileError)) throw err;
      failed ??= `${file}: ${err.message}`;
      return { index, text, error: err.reason };
    }
  });
  return { output: { rules: output }, failed };
}

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'route') console.log(JSON.stringify(await route(args), null, 2));
  else if (command === 'slots') console.log(JSON.stringify(await slots(args), null, 2));
  else if (command === 'rules') {
    const { output, failed } = rules(args);
    console.log(JSON.stringify(output, null, 2));
    if (failed) {
      console.error(`baton: ${failed}`);
      return 2;
    }
  } else if (command === 'fairness') {
    const { values } = parseArgs({ args, options: { team: { type: 'string' } } });
    console.log(JSON.stringify(await fairnessCommand({ team: required(values, 'team') }), null, 2));
  } else if (command === 'simulate') {
    const { values } = parseArgs({
      args,
      options: { team: { type: 'string' }, pool: { type: 'string' }, leads: { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' }, truth: { type: 'string' } },
    });
    console.log(JSON.stringify(simulateCommand({ ...values, team: required(values, 'team'), pool: required(values, 'pool') }), null, 2));
  } else throw new InputError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const bad = err instanceof ConfigError || err instanceof InputError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`baton: ${(err as Error).message.split('\n')[0]}`);
    if (!bad) console.error((err as Error).stack);
    process.exit(bad ? 2 : 1);
  },
);
