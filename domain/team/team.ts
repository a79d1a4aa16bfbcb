import type { TeamConfig } from './config';
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

/** Compiles the rules with the deterministic parser (no LLM). Throws a RuleCompileError quoting the rule. */
export function withParsedRules(config: TeamConfig): Team {
  return { ...config, compiledRules: compileRules(config.rules, rosterOf(config)) };
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
