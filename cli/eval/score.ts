/**
 * Scoring one path's run against the labels: per fact field, per part of the routing decision and
 * for the whole decision; model calls and latency per lead. Pure.
 */
import type { Facts } from '../../domain/qualify/facts';
import { FACT_FIELDS, ROUTE_FIELDS, type EvalCase, type ExpectedFacts, type FactField, type RouteField } from './cases';
import type { CaseRun, Outcome, PathRun } from './harness';

export interface FieldScore {
  correct: number;
  total: number;
  /** Ids of the cases this path got wrong. */
  wrong: string[];
}

export type RouteScoreField = RouteField | 'decision';
export const ROUTE_SCORE_FIELDS: readonly RouteScoreField[] = ['decision', ...ROUTE_FIELDS];

export interface PathScore {
  name: PathRun['name'];
  model?: string;
  started: boolean;
  error?: string;
  facts: Record<FactField, FieldScore>;
  route: Record<RouteScoreField, FieldScore>;
  calls: { startup: number; total: number; failed: number; perLead: { mean: number; max: number } };
  /** Milliseconds per lead (facts and routing), nearest-rank percentiles. */
  latencyMs: { p50: number; p95: number; max: number };
  startupMs: number;
  /** Cases that could not be handled at all, with why. */
  errors: { id: string; error: string }[];
}

type Quantity = number | [number, number] | null;

function quantityMatches(expected: Quantity, actual: number | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (Array.isArray(expected)) return actual >= expected[0] && actual <= expected[1];
  return Math.abs(actual - expected) < 0.5;
}

const sorted = (list: string[]) => [...list].sort();
const sameList = (a: string[], b: string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Whether a path's facts agree with the label for one field. */
export function factMatches(field: FactField, expected: ExpectedFacts, facts: Facts): boolean {
  switch (field) {
    case 'budgetUsd':
      return quantityMatches(expected.budgetUsd, facts.budgetUsd?.value ?? null);
    case 'employees':
      return quantityMatches(expected.employees, facts.employees?.value ?? null);
    case 'industry':
      return expected.industry === (facts.industry?.value ?? null);
    case 'country':
      return expected.country === (facts.country?.value ?? null);
    case 'state':
      return expected.state === (facts.state?.value ?? null);
    case 'mentions':
      return sameList(expected.mentions, facts.mentions.map((m) => m.value));
    case 'urgent':
      return expected.urgent === (facts.urgent?.value ?? null);
    case 'disqualified':
      return expected.disqualified === (facts.disqualified?.reason ?? null);
  }
}

/** Whether a path's outcome agrees with the label for one part of the decision. */
export function routeMatches(field: RouteScoreField, expected: EvalCase['expect']['route'], outcome: Outcome): boolean {
  if (expected === null || 'closed' in outcome) return expected === null && 'closed' in outcome;
  switch (field) {
    case 'target':
      return expected.target.type === outcome.target.type && expected.target.id === outcome.target.id;
    case 'reps':
      return sameList(expected.reps, outcome.reps);
    case 'source':
      return expected.source === outcome.source;
    case 'rule':
      return expected.rule === outcome.rule;
    case 'decision':
      return ROUTE_FIELDS.every((f) => routeMatches(f, expected, outcome));
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function emptyScores<K extends string>(keys: readonly K[], total: number): Record<K, FieldScore> {
  return Object.fromEntries(keys.map((k) => [k, { correct: 0, total, wrong: [] as string[] }])) as unknown as Record<K, FieldScore>;
}

export function scorePath(cases: EvalCase[], run: PathRun): PathScore {
  const facts = emptyScores(FACT_FIELDS, cases.length);
  const route = emptyScores(ROUTE_SCORE_FIELDS, cases.length);
  const byId = new Map(run.cases.map((r) => [r.id, r]));
  const errors: PathScore['errors'] = [];
  const handled: CaseRun[] = [];
  for (const c of cases) {
    const r = byId.get(c.id);
    if (r) handled.push(r);
    if (r?.error) errors.push({ id: c.id, error: r.error });
    for (const field of FACT_FIELDS) {
      const ok = !!r?.facts && factMatches(field, c.expect.facts, r.facts);
      if (ok) facts[field].correct++;
      else facts[field].wrong.push(c.id);
    }
    for (const field of ROUTE_SCORE_FIELDS) {
      const ok = !!r?.outcome && routeMatches(field, c.expect.route, r.outcome);
      if (ok) route[field].correct++;
      else route[field].wrong.push(c.id);
    }
  }
  const perLead = handled.map((r) => r.calls);
  const total = perLead.reduce((a, b) => a + b, 0);
  const ms = handled.map((r) => r.ms);
  return {
    name: run.name,
    ...(run.model ? { model: run.model } : {}),
    started: run.started,
    ...(run.error ? { error: run.error } : {}),
    facts,
    route,
    calls: {
      startup: run.startup.calls,
      total: total + run.startup.calls,
      failed: handled.reduce((a, r) => a + r.failedCalls, 0),
      perLead: { mean: handled.length ? total / handled.length : 0, max: perLead.length ? Math.max(...perLead) : 0 },
    },
    latencyMs: { p50: percentile(ms, 50), p95: percentile(ms, 95), max: ms.length ? Math.max(...ms) : 0 },
    startupMs: run.startup.ms,
    errors,
  };
}

/** Per case: where the model path's decision is wrong but the deterministic one is right, and the reverse. */
export function compareDecisions(deterministic: PathScore, model: PathScore): { regressions: string[]; gains: string[] } {
  const dWrong = new Set(deterministic.route.decision.wrong);
  const mWrong = new Set(model.route.decision.wrong);
  return {
    regressions: model.route.decision.wrong.filter((id) => !dWrong.has(id)),
    gains: deterministic.route.decision.wrong.filter((id) => !mWrong.has(id)),
  };
}
