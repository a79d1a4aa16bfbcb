import type { TeamConfig } from './config';
import { compileRules, type CompiledRule, type Roster } from './rules';

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
  };
}

/** Compiles the rules with the deterministic parser (no LLM). Throws a RuleCompileError quoting the rule. */
export function withParsedRules(config: TeamConfig): Team {
  return { ...config, compiledRules: compileRules(config.rules, rosterOf(config)) };
}
