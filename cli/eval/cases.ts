/**
 * The labelled cases of `baton eval`: one JSON object per line (JSONL), each a lead as the API takes
 * it plus what a careful human reads in it — the facts and the routing decision. A bad line is an
 * InputError naming the file, the line, the field and what was expected.
 *
 *   {"id": "mercy-seattle", "lead": {...}, "note": "why the label is what it is",
 *    "expect": {"facts": {"budgetUsd": 150000, "employees": 2000, "industry": "healthcare", "country": "US",
 *                         "state": "WA", "mentions": [], "urgent": null, "disqualified": null},
 *               "route": {"target": {"type": "rep", "id": "sarah"}, "reps": ["sarah"], "source": "rule", "rule": 2}}}
 *
 * Every fact is labelled, `null` meaning "the buyer does not say": a fact read where there is none
 * counts as wrong. A money amount in another currency is labelled as the range of US dollars it can
 * be worth (`[lo, hi]`). A lead Baton should close is labelled with its `disqualified` reason and
 * `"route": null`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../domain/errors';
import { DISQUALIFICATION_REASONS } from '../../domain/qualify/facts';
import { INDUSTRY_IDS } from '../../domain/qualify/industries';
import { leadSchema, type Lead } from '../../domain/qualify/lead';
import { formatPath, type TeamConfig } from '../../domain/team/config';

/** An exact number, or an inclusive range `[lo, hi]` (an amount in another currency, in US dollars). */
const quantity = z.union([z.number().nonnegative(), z.tuple([z.number().nonnegative(), z.number().nonnegative()]).refine(([lo, hi]) => lo <= hi, 'expected [lo, hi] with lo <= hi')]);

export const FACT_FIELDS = ['budgetUsd', 'employees', 'industry', 'country', 'state', 'mentions', 'urgent', 'disqualified'] as const;
export type FactField = (typeof FACT_FIELDS)[number];
export const ROUTE_FIELDS = ['target', 'reps', 'source', 'rule'] as const;
export type RouteField = (typeof ROUTE_FIELDS)[number];

const expectedFacts = z.strictObject({
  budgetUsd: quantity.nullable(),
  employees: quantity.nullable(),
  industry: z.enum(INDUSTRY_IDS as [string, ...string[]]).nullable(),
  country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as "US"').nullable(),
  state: z.string().regex(/^[A-Z]{2}$/, 'expected a US state code such as "WA"').nullable(),
  mentions: z.array(z.string()),
  urgent: z.boolean().nullable(),
  disqualified: z.enum(DISQUALIFICATION_REASONS).nullable(),
});

const expectedRoute = z.strictObject({
  target: z.strictObject({ type: z.enum(['rep', 'pool']), id: z.string().min(1) }),
  reps: z.array(z.string().min(1)).min(1),
  source: z.enum(['owner', 'rule', 'fallback']),
  rule: z.number().int().nonnegative().nullable(),
});

const caseSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'expected a short id of lower-case letters, digits and dashes'),
  lead: leadSchema,
  /** The instant to route at (ISO); else the run's `--now`. */
  now: z.iso.datetime({ offset: true }).optional(),
  note: z.string().optional(),
  expect: z.strictObject({ facts: expectedFacts, route: expectedRoute.nullable() }),
});

export type ExpectedFacts = z.infer<typeof expectedFacts>;
export type ExpectedRoute = z.infer<typeof expectedRoute>;
export interface EvalCase {
  id: string;
  line: number;
  lead: Lead;
  now?: number;
  note?: string;
  expect: { facts: ExpectedFacts; route: ExpectedRoute | null };
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

/** Checks a case's labels against the team: people, pools, rules and competitors that exist. */
function teamProblem(c: z.infer<typeof caseSchema>, team: TeamConfig): { path: string; reason: string } | undefined {
  const { facts, route } = c.expect;
  const competitors = team.competitors;
  for (const [i, m] of facts.mentions.entries()) {
    if (!competitors.includes(m)) return { path: `expect.facts.mentions[${i}]`, reason: `expected a competitor of the team file as spelled there (${competitors.join(', ') || 'none configured'}), got "${m}"` };
  }
  if (facts.disqualified && route) return { path: 'expect.route', reason: `expected null: a lead disqualified as "${facts.disqualified}" is closed, not routed` };
  if (!facts.disqualified && !route) return { path: 'expect.route', reason: 'expected a routing decision (null is only for a disqualified lead)' };
  if (!route) return undefined;
  const reps = team.reps.map((r) => r.id);
  const pools = team.pools.map((p) => p.id);
  const known = route.target.type === 'rep' ? reps : pools;
  if (!known.includes(route.target.id)) {
    return { path: 'expect.route.target.id', reason: `expected a ${route.target.type} of the team file (${known.join(', ') || 'none'}), got "${route.target.id}"` };
  }
  for (const [i, r] of route.reps.entries()) {
    if (!reps.includes(r)) return { path: `expect.route.reps[${i}]`, reason: `expected a rep of the team file (${reps.join(', ')}), got "${r}"` };
  }
  if (route.source === 'rule') {
    if (route.rule === null) return { path: 'expect.route.rule', reason: 'expected the 0-based index of the matching rule (source is "rule")' };
    if (route.rule >= team.rules.length) return { path: 'expect.route.rule', reason: `expected a rule index from 0 to ${team.rules.length - 1}, got ${route.rule}` };
  } else if (route.rule !== null) {
    return { path: 'expect.route.rule', reason: `expected null (source is "${route.source}")` };
  }
  return undefined;
}

/** Parses a cases file; `where` names it in errors (default: its file name). */
export function parseCases(text: string, where: string, team: TeamConfig): EvalCase[] {
  const cases: EvalCase[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (!raw.trim()) continue;
    const fail = (path: string, reason: string): never => {
      throw new InputError(`${where}:${line}: ${path}: ${reason}`);
    };
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      fail('(line)', `expected one JSON object per line: ${(err as Error).message}`);
    }
    const parsed = caseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      fail(formatPath(issue.path), issueText(issue));
    }
    const c = parsed.data!;
    const problem = teamProblem(c, team);
    if (problem) fail(problem.path, problem.reason);
    const first = seen.get(c.id);
    if (first !== undefined) fail('id', `"${c.id}" is already the id of line ${first}`);
    seen.set(c.id, line);
    cases.push({
      id: c.id,
      line,
      lead: c.lead,
      ...(c.now ? { now: Date.parse(c.now) } : {}),
      ...(c.note ? { note: c.note } : {}),
      expect: c.expect,
    });
  }
  if (cases.length === 0) throw new InputError(`${where}: no cases (expected one JSON object per line)`);
  return cases;
}

export function readCases(file: string, team: TeamConfig): EvalCase[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseCases(text, basename(file), team);
}
