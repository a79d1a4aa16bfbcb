import { ConfigError } from '../errors';
import { findRep, takesMeetings, type TeamConfig } from './config';
import type { Busy, SlotQuery } from '../schedule/slots';
import { compileRules, type CompiledRule, type Roster } from '../route/rules';

/** A loaded team: the validated config plus its rules compiled once, at load time. */
export interface Team extends TeamConfig {
  compiledRules: CompiledRule[];
}

export function rosterOf(config: TeamConfig): Roster {
  return {
    reps: config.reps.map((r) => ({ id: r.id, name: r.name })),
    pools: config.pools.map((p) => ({ id: p.id, name: p.name })),
    territories: config.territories,
    competitors: config.competitors,
    currencies: config.currencies ?? {},
  };
}

/**
 * Why a compiled rule could never book, or null: it sends leads to, or adds to the meeting, a rep
 * with `hours: none` ("sends leads to mark, who takes no meetings ..."). Such a rep may own CRM
 * accounts (routing then passes them over) but is never a rule's target.
 */
export function unbookableRule(config: Pick<TeamConfig, 'reps'>, rule: CompiledRule): string | null {
  const targets = [{ role: 'sends leads to', target: rule.target }, ...rule.attendees.map((target) => ({ role: 'adds to the meeting', target }))];
  for (const { role, target } of targets) {
    const rep = target.type === 'rep' ? findRep(config, target.id) : undefined;
    if (rep && !takesMeetings(rep)) {
      return `${role} ${rep.id}, who takes no meetings (hours: none): give ${rep.id} working hours or name someone else`;
    }
  }
  return null;
}

/** Throws a ConfigError (`rules[i]: ...`) for the first rule that could never book. */
export function assertRulesBookable(config: Pick<TeamConfig, 'reps'>, rules: CompiledRule[], file = 'team.yaml'): void {
  for (const rule of rules) {
    const why = unbookableRule(config, rule);
    if (why) throw new ConfigError(`${file}: rules[${rule.index}]: "${rule.text}" ${why}`, { details: { file, path: `rules[${rule.index}]` } });
  }
}

/** Compiles the rules with the deterministic parser (no LLM). Throws a RuleCompileError quoting the rule. */
export function withParsedRules(config: TeamConfig): Team {
  const compiledRules = compileRules(config.rules, rosterOf(config));
  assertRulesBookable(config, compiledRules);
  return { ...config, compiledRules };
}

/**
 * The slot-finder query for some of the team's reps, with the team's booking policy. `required`:
 * reps who must be free at every slot whatever the mode (with 'any': one of `ids` and all of these).
 */
export function teamSlotQuery(
  team: TeamConfig,
  ids: string[],
  calendars: Record<string, Busy[]>,
  now: number,
  mode: 'all' | 'any',
  required: string[] = [],
): SlotQuery {
  const attendee = (id: string) => {
    const rep = team.reps.find((r) => r.id === id);
    if (!rep) throw new Error(`unknown rep "${id}"`);
    return { id, timezone: rep.timezone, hours: rep.hours, pto: rep.pto };
  };
  return {
    attendees: ids.map(attendee),
    ...(required.length ? { required: required.map(attendee) } : {}),
    busy: Object.fromEntries([...ids, ...required].map((id) => [id, calendars[id] ?? []])),
    meetingMinutes: team.booking.meetingMinutes,
    bufferMs: team.booking.buffer,
    minNoticeMs: team.booking.minNotice,
    horizonMs: team.booking.horizon,
    now,
    mode,
  };
}
