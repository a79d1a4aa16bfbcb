import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InMemoryPools } from '../domain/route/distribution';
import { ConfigError, InputError } from '../domain/errors';
import { leadSchema, type Lead } from '../domain/qualify/lead';
import { findOpenSlots, proposeSlots } from '../domain/schedule/slots';
import { describeRule } from '../domain/route/rules';
import { unbookableRule, type Team } from '../domain/team/team';
import { formatPath } from '../domain/team/config';
import { qualifyActivities } from '../activities/qualify';
import { decideRoute, EXTENSION_MS, loadCalendars } from '../activities/route';
import { findTimesAmong, slotQuery } from '../activities/calendar';
import { understandReply, type ReplyContext, type ReplyIntent } from '../domain/converse/reply';
import type { ActivityDeps } from '../activities/deps';
import { realProvidersFromEnv } from '../integrations/from-env';
import type { LlmProvider } from '../integrations/providers';
import { embeddedProviders } from '../runtime/providers';
import { compileTeamRules, loadCalendarSeed, loadCrmSeed, loadProposals, loadTeam, loadTeamConfig, type RuleLoadOptions } from '../runtime/load';
import { ruleCacheFile } from '../runtime/rule-cache';
import { dataDirOf } from '../runtime/settings';
import { EVAL_USAGE, evalCommand } from './eval/command';
import { fairnessCommand, simulateCommand } from './pools';

const USAGE = `usage:
  baton route --team team.yaml --lead lead.json [--crm crm.yaml] [--calendar calendar.json] [--now ISO]
  baton slots --team team.yaml --reps a,b [--mode all|any] [--calendar calendar.json] [--now ISO] [--tz ZONE] [--all]
  baton rules --team team.yaml
  baton reply --team team.yaml --proposals proposals.json --text "..." [--booked PROPOSAL_ID] [--calendar calendar.json] [--now ISO] [--tz ZONE]
  baton fairness --team team.yaml
  baton simulate --team team.yaml --pool ID [--leads N] [--seed S] [--seeds K] [--truth truth.json]
  ${EVAL_USAGE}`;

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

function parseZone(flag: string, zone: string): string {
  if (zone !== 'UTC' && !Intl.supportedValuesOf('timeZone').includes(zone)) {
    throw new InputError(`${flag}: expected an IANA time zone such as America/Los_Angeles, got "${zone}"`);
  }
  return zone;
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

function llmFromEnv(): LlmProvider | undefined {
  return realProvidersFromEnv(process.env, { repCount: 0 }).llm;
}

/** The worker's compiled-rules cache (BATON_DATA_DIR), so the CLI uses and shows the same rules without new model calls. */
function ruleOptions(): RuleLoadOptions {
  return { cacheFile: ruleCacheFile(dataDirOf(process.env)), warn: (message) => console.error(`baton: warning: ${message}`) };
}

/** The same activity code the worker runs, over in-memory embedded providers seeded from the files. */
function offlineDeps(team: Team, llm: LlmProvider | undefined, crmFile?: string, calendarFile?: string): ActivityDeps {
  const local = embeddedProviders(':memory:', team);
  if (crmFile) local.crm.seed(loadCrmSeed(crmFile));
  if (calendarFile) local.calendar.seed(loadCalendarSeed(calendarFile, team));
  return {
    team,
    providers: { calendar: local.calendar, crm: local.crm, email: local.outbox, ...(llm ? { llm } : {}) },
    // Turns answered in memory by the same takeTurn the pool workflow runs, from an empty ledger.
    pools: new InMemoryPools(),
  };
}

async function route(args: string[]) {
  const { values } = parseArgs({ args, options: { team: { type: 'string' }, lead: { type: 'string' }, crm: { type: 'string' }, calendar: { type: 'string' }, now: { type: 'string' } } });
  const llm = llmFromEnv();
  const team = await loadTeam(required(values, 'team'), llm, ruleOptions());
  const lead = readLead(required(values, 'lead'));
  const now = parseNow(values.now);
  const deps = offlineDeps(team, llm, values.crm, values.calendar);
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
  if (values.tz) parseZone('--tz', values.tz);
  const now = parseNow(values.now);
  const deps = offlineDeps(team, undefined, undefined, values.calendar);
  const calendars = await loadCalendars(deps, reps, now, now + team.booking.horizon + EXTENSION_MS);
  const query = slotQuery(deps, reps, calendars, now, values.mode);
  const found = values.all ? findOpenSlots(query) : proposeSlots({ ...query, count: team.booking.proposals, ...(values.tz ? { buyerTimezone: values.tz } : {}) }).slots;
  return { slots: found.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), reps: s.reps })) };
}

/**
 * How the conversation would understand one buyer message, and the times the agent would offer
 * next: the same understanding as the workflow (the LLM path when one is configured), and the same
 * activity code to find times, over the seeded embedded calendar.
 */
async function reply(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      team: { type: 'string' },
      proposals: { type: 'string' },
      text: { type: 'string' },
      booked: { type: 'string' },
      calendar: { type: 'string' },
      now: { type: 'string' },
      tz: { type: 'string' },
    },
  });
  const team = { ...loadTeamConfig(required(values, 'team')), compiledRules: [] };
  const proposals = loadProposals(required(values, 'proposals'), team);
  const text = values.text;
  if (typeof text !== 'string' || !text.trim()) throw new InputError(`--text: expected the buyer's message\n${USAGE}`);
  const now = parseNow(values.now);
  const timezone = parseZone('--tz', values.tz ?? team.company.timezone);
  const booked = values.booked === undefined ? undefined : proposals.find((p) => p.id === values.booked);
  if (values.booked !== undefined && !booked) {
    throw new InputError(`--booked: unknown proposal "${values.booked}" (proposals: ${proposals.map((p) => p.id).join(', ') || 'none'})`);
  }
  if (values.calendar && !existsSync(values.calendar)) throw new InputError(`--calendar: ${values.calendar}: no such file`);
  const deps = offlineDeps(team, llmFromEnv(), undefined, values.calendar);
  // Once booked, the other proposals are no longer on offer: the message is about the booked meeting.
  const onOffer = booked ? [booked] : proposals;
  const ctx: ReplyContext = {
    proposals: onOffer.map((p) => ({ id: p.id, start: Date.parse(p.start), end: Date.parse(p.end) })),
    now,
    timezone,
    ...(booked ? { booked: { start: Date.parse(booked.start), end: Date.parse(booked.end), attendees: booked.attendees, proposalId: booked.id } } : {}),
  };
  const intent: ReplyIntent = deps.providers.llm
    ? await qualifyActivities(deps).classifyReply({ workflowId: 'cli', text, ...ctx })
    : understandReply(text, ctx);
  let slots: { start: string; end: string; reps: string[] }[] = [];
  if (intent.kind === 'new_times' || intent.kind === 'reschedule') {
    // The same attendees as the proposals: the booked meeting's, else those every proposal shares
    // (all of them must attend), else a group pool's members (any one of them will do).
    const lists = booked ? [booked.attendees] : proposals.map((p) => p.attendees);
    const ids = [...new Set(lists.flat())];
    const same = lists.every((l) => l.length === ids.length && ids.every((id) => l.includes(id)));
    if (ids.length > 0) {
      const found = await findTimesAmong(deps, {
        ids,
        mode: same ? 'all' : 'any',
        now,
        count: team.booking.proposals,
        buyerTimezone: timezone,
        ...(intent.constraint ? { constraint: intent.constraint } : {}),
      });
      slots = found.slots;
    }
  }
  return { intent: intent.kind, proposalId: intent.kind === 'choose' ? intent.proposalId : null, slots };
}

/** The rules exactly as the worker loads them: same parser, same model, same cache. */
async function rules(args: string[]): Promise<{ output: unknown; failed: string | null }> {
  const { values } = parseArgs({ args, options: { team: { type: 'string' } } });
  const file = required(values, 'team');
  const config = loadTeamConfig(file);
  const loaded = await compileTeamRules(config, llmFromEnv(), ruleOptions());
  let failed: string | null = null;
  const output = loaded.map((rule) => {
    const { index, text } = rule;
    if ('error' in rule) {
      failed ??= `${file}: ${rule.error.message}`;
      return { index, text, error: rule.error.reason };
    }
    // Compiles, but could never book: start-up refuses it with the same words.
    const unbookable = unbookableRule(config, rule.compiled);
    if (unbookable) failed ??= `${file}: rules[${index}]: "${text}" ${unbookable}`;
    return {
      index,
      text,
      compiled: rule.compiled,
      description: describeRule(rule.compiled),
      ...(rule.model ? { model: rule.model } : {}),
      ...(unbookable ? { error: unbookable } : {}),
    };
  });
  return { output: { rules: output }, failed };
}

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'route') console.log(JSON.stringify(await route(args), null, 2));
  else if (command === 'slots') console.log(JSON.stringify(await slots(args), null, 2));
  else if (command === 'reply') console.log(JSON.stringify(await reply(args), null, 2));
  else if (command === 'rules') {
    const { output, failed } = await rules(args);
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
  } else if (command === 'eval') console.log(await evalCommand(args));
  else throw new InputError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
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
