/**
 * What `baton eval` prints: a table for people (the two paths side by side) or, with `--json`, one
 * JSON object for machines. Pure.
 */
import { FACT_FIELDS, type EvalCase, type FactField } from './cases';
import type { Outcome, PathRun } from './harness';
import { compareDecisions, factMatches, routeMatches, ROUTE_SCORE_FIELDS, type FieldScore, type PathScore, type RouteScoreField } from './score';

export interface EvalReport {
  casesFile: string;
  teamFile: string;
  cases: number;
  paths: { deterministic: PathScore; model: PathScore | null };
  /** Decisions that differ in correctness between the paths (null without a model). */
  comparison: { regressions: string[]; gains: string[] } | null;
  perCase: {
    id: string;
    deterministic: CaseResult;
    model: CaseResult | null;
  }[];
}

interface CaseResult {
  outcome: Outcome | null;
  /** Fact fields and decision parts this path got wrong. */
  wrong: string[];
  calls: number;
  ms: number;
  error?: string;
}

function caseResult(c: EvalCase, run: PathRun): CaseResult {
  const r = run.cases.find((x) => x.id === c.id);
  if (!r) return { outcome: null, wrong: ['not run'], calls: 0, ms: 0, ...(run.error ? { error: run.error } : {}) };
  const wrong: string[] = [];
  for (const f of FACT_FIELDS) if (!r.facts || !factMatches(f, c.expect.facts, r.facts)) wrong.push(f);
  for (const f of ROUTE_SCORE_FIELDS) if (f !== 'decision' && (!r.outcome || !routeMatches(f, c.expect.route, r.outcome))) wrong.push(`route.${f}`);
  return { outcome: r.outcome, wrong, calls: r.calls, ms: Math.round(r.ms * 10) / 10, ...(r.error ? { error: r.error } : {}) };
}

export function buildReport(input: {
  casesFile: string;
  teamFile: string;
  cases: EvalCase[];
  runs: { deterministic: PathRun; model: PathRun | null };
  scores: { deterministic: PathScore; model: PathScore | null };
}): EvalReport {
  const { cases, runs, scores } = input;
  return {
    casesFile: input.casesFile,
    teamFile: input.teamFile,
    cases: cases.length,
    paths: scores,
    comparison: scores.model ? compareDecisions(scores.deterministic, scores.model) : null,
    perCase: cases.map((c) => ({ id: c.id, deterministic: caseResult(c, runs.deterministic), model: runs.model ? caseResult(c, runs.model) : null })),
  };
}

function cell(score: FieldScore): string {
  const pct = score.total ? ((100 * score.correct) / score.total).toFixed(1) : '0.0';
  return `${score.correct}/${score.total}`.padStart(7) + `  ${pct.padStart(5)}%`;
}

function ms(value: number): string {
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

const FACT_LABELS: Record<FactField, string> = {
  budgetUsd: 'budget (USD)',
  employees: 'employees',
  industry: 'industry',
  country: 'country',
  state: 'state',
  mentions: 'competitors named',
  urgent: 'urgency',
  disqualified: 'disqualification',
};
const ROUTE_LABELS: Record<RouteScoreField, string> = {
  decision: 'whole decision',
  target: 'target',
  reps: 'reps',
  source: 'source',
  rule: 'rule index',
};

function ids(list: string[], max = 12): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

export function formatTable(report: EvalReport): string {
  const { deterministic: d, model: m } = report.paths;
  const width = 24;
  const col = 22;
  const row = (label: string, left: string, right?: string) => `${label.padEnd(width)}${left.padEnd(col)}${right ?? ''}`.trimEnd();
  const lines: string[] = [];
  lines.push(`baton eval: ${report.cases} cases from ${report.casesFile}, team ${report.teamFile}`);
  lines.push(m ? `model: ${m.model ?? 'configured'}` : 'model: none configured (set OPENAI_API_KEY, and OPENAI_BASE_URL / OPENAI_MODEL for another server, to compare)');
  if (m && !m.started) lines.push(`model path: Baton did not start: ${m.error}`);
  lines.push('');
  lines.push(row('', 'deterministic', m ? 'with the model' : undefined));
  lines.push('facts');
  for (const f of FACT_FIELDS) lines.push(row(`  ${FACT_LABELS[f]}`, cell(d.facts[f]), m ? cell(m.facts[f]) : undefined));
  lines.push('routing');
  for (const f of ROUTE_SCORE_FIELDS) lines.push(row(`  ${ROUTE_LABELS[f]}`, cell(d.route[f]), m ? cell(m.route[f]) : undefined));
  if (m) {
    lines.push('model calls');
    lines.push(row('  at start-up', '-', String(m.calls.startup)));
    lines.push(row('  per lead (mean, max)', '-', `${m.calls.perLead.mean.toFixed(2)}, ${m.calls.perLead.max}`));
    lines.push(row('  failed or over budget', '-', String(m.calls.failed)));
  }
  lines.push('latency per lead');
  lines.push(row('  p50', ms(d.latencyMs.p50), m ? ms(m.latencyMs.p50) : undefined));
  lines.push(row('  p95', ms(d.latencyMs.p95), m ? ms(m.latencyMs.p95) : undefined));
  lines.push(row('  start-up', ms(d.startupMs), m ? ms(m.startupMs) : undefined));
  lines.push('');
  lines.push(`wrong decisions, deterministic (${d.route.decision.wrong.length}): ${ids(d.route.decision.wrong) || '-'}`);
  if (m) {
    lines.push(`wrong decisions, with the model (${m.route.decision.wrong.length}): ${ids(m.route.decision.wrong) || '-'}`);
    const cmp = report.comparison!;
    lines.push(`model wrong where deterministic right (${cmp.regressions.length}): ${ids(cmp.regressions) || '-'}`);
    lines.push(`model right where deterministic wrong (${cmp.gains.length}): ${ids(cmp.gains) || '-'}`);
  }
  for (const p of [d, m]) {
    if (p?.errors.length) lines.push(`leads that failed, ${p.name} (${p.errors.length}): ${p.errors.slice(0, 3).map((e) => `${e.id}: ${e.error}`).join('; ')}`);
  }
  return lines.join('\n');
}
