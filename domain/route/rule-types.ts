/** The compiled form of routing rules: plain JSON data, safe to pass into Temporal workflows. */
import { ConfigError } from '../errors';

/** Bounds of a number; either may be absent (an open range). */
export interface Bounds {
  min?: number;
  max?: number;
  minInclusive: boolean;
  maxInclusive: boolean;
}

/** How a rule wrote an amount in another currency: its own figures and the rate used (USD per unit). */
export interface WrittenCurrency {
  code: string;
  rate: number;
  min?: number;
  max?: number;
}

/** One test on a lead's facts. Amounts are in US dollars; `currency` keeps what the rule wrote. */
export type Atom =
  | ({ kind: 'amount'; currency?: WrittenCurrency } & Bounds)
  | ({ kind: 'employees' } & Bounds)
  | { kind: 'industry'; industries: string[] }
  | { kind: 'territory'; territory: string }
  | { kind: 'mention'; terms: string[] }
  | { kind: 'urgent' };

/**
 * A rule's conditions are a list that must all hold. Each is an atom, possibly negated ("not
 * healthcare": it holds exactly when the atom does not, including when the fact is unknown), or an
 * `either`: at least one of its options (each a list that must all hold) does.
 */
export type Condition = (Atom & { negated?: true }) | Either;

export interface Either {
  kind: 'either';
  options: Condition[][];
}

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
  /** team.yaml `currencies`: US dollars per one unit, by ISO 4217 code. */
  currencies?: Readonly<Record<string, number>>;
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
