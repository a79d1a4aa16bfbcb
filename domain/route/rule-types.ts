/** The compiled form of routing rules: plain JSON data, safe to pass into Temporal workflows. */
import { ConfigError } from '../errors';

export type Condition =
  | { kind: 'amount'; min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean }
  | { kind: 'employees'; min?: number; max?: number; minInclusive: boolean; maxInclusive: boolean }
  | { kind: 'industry'; industries: string[] }
  | { kind: 'territory'; territory: string }
  | { kind: 'mention'; terms: string[] }
  | { kind: 'urgent' };

export interface RuleTarget {
  type: 'rep' | 'pool';
  id: string;
}

export interface CompiledRule {
  index: number;
  text: string;
  conditions: Condition[];
  target: RuleTarget;
  /** Extra people on the meeting: a rep, or one member of a pool. */
  attendees: RuleTarget[];
  compiledBy: 'parser' | 'llm';
}

export interface Roster {
  reps: { id: string; name: string }[];
  pools: { id: string; name: string }[];
  territories: Record<string, string[]>;
  competitors: string[];
}

/** A rule that cannot be compiled: `rules[3]: cannot compile "<rule>": <what was not understood>`. */
export class RuleCompileError extends ConfigError {
  readonly index: number;
  readonly rule: string;
  readonly reason: string;

  constructor(index: number, rule: string, reason: string) {
    super(`rules[${index}]: cannot compile "${rule}": ${reason}`, { details: { path: `rules[${index}]`, rule, reason } });
    this.index = index;
    this.rule = rule;
    this.reason = reason;
  }
}
