/**
 * Runs labelled leads the way Baton handles them — the same loading, activity and domain code as
 * the worker, over in-memory embedded providers — once per path: deterministic (no model) and with
 * the configured model. Each lead starts from fresh pools (empty ledgers), so its decision does not
 * depend on which cases ran before it. A lead is closed when its facts disqualify it (as the lead
 * workflow does), else routed.
 */
import { qualifyActivities } from '../../activities/qualify';
import { decideRoute } from '../../activities/route';
import type { ActivityDeps } from '../../activities/deps';
import { InMemoryPools } from '../../domain/route/distribution';
import type { Facts } from '../../domain/qualify/facts';
import type { Team } from '../../domain/team/team';
import type { LlmProvider, LlmTask, LlmUsage } from '../../integrations/providers';
import { embeddedProviders } from '../../runtime/providers';
import { loadCalendarSeed, loadCrmSeed, loadTeam } from '../../runtime/load';
import type { EvalCase } from './cases';

export type Outcome =
  | { closed: string; quote?: string }
  | { target: { type: 'rep' | 'pool'; id: string }; reps: string[]; source: 'owner' | 'rule' | 'fallback'; rule: number | null };

export interface CaseRun {
  id: string;
  facts: Facts | null;
  outcome: Outcome | null;
  /** Why the lead could not be handled (it then counts as wrong everywhere). */
  error?: string;
  /** Model calls made for this lead, and how many of them failed (the lead then went on without them). */
  calls: number;
  failedCalls: number;
  ms: number;
}

export interface PathRun {
  name: 'deterministic' | 'model';
  /** Which model answered (`LlmProvider.identity`). */
  model?: string;
  started: boolean;
  /** Why Baton did not start with this configuration. */
  error?: string;
  startup: { calls: number; ms: number };
  cases: CaseRun[];
}

export interface EvalSetup {
  teamFile: string;
  crmFile?: string;
  calendarFile?: string;
  /** Routing instant for cases without their own `now`. */
  now: number;
}

/** Counts the model calls and their failures, passing everything through unchanged. */
export class MeteredLlm implements LlmProvider {
  calls = 0;
  failures = 0;
  constructor(private readonly inner: LlmProvider) {}
  get kind() {
    return this.inner.kind;
  }
  get identity() {
    return this.inner.identity;
  }
  async completeJson<T>(task: LlmTask<T>): Promise<{ value: T; usage: LlmUsage }> {
    this.calls++;
    try {
      return await this.inner.completeJson(task);
    } catch (err) {
      this.failures++;
      throw err;
    }
  }
}

/** Runs every case through one path; `llm` absent is the deterministic path. */
export async function runPath(setup: EvalSetup, cases: EvalCase[], llm?: LlmProvider, onCase?: (run: CaseRun) => void): Promise<PathRun> {
  const metered = llm ? new MeteredLlm(llm) : undefined;
  const name = metered ? 'model' : 'deterministic';
  const identity = metered ? { model: metered.identity } : {};
  const loadStart = performance.now();
  let team: Team;
  try {
    // No compiled-rules cache: start-up calls are part of what is measured.
    team = await loadTeam(setup.teamFile, metered);
  } catch (err) {
    return { name, ...identity, started: false, error: (err as Error).message, startup: { calls: metered?.calls ?? 0, ms: performance.now() - loadStart }, cases: [] };
  }
  const startup = { calls: metered?.calls ?? 0, ms: performance.now() - loadStart };

  const local = embeddedProviders(':memory:', team);
  if (setup.crmFile) local.crm.seed(loadCrmSeed(setup.crmFile));
  if (setup.calendarFile) local.calendar.seed(loadCalendarSeed(setup.calendarFile, team));
  const runs: CaseRun[] = [];
  for (const c of cases) {
    const deps: ActivityDeps = {
      team,
      providers: { calendar: local.calendar, crm: local.crm, email: local.outbox, ...(metered ? { llm: metered } : {}) },
      pools: new InMemoryPools(),
    };
    const calls = metered?.calls ?? 0;
    const failures = metered?.failures ?? 0;
    const started = performance.now();
    const run: CaseRun = { id: c.id, facts: null, outcome: null, calls: 0, failedCalls: 0, ms: 0 };
    try {
      const scope = `eval-${c.id}`;
      const facts = await qualifyActivities(deps).qualifyLead({ workflowId: scope, lead: c.lead });
      run.facts = facts;
      if (facts.disqualified) run.outcome = { closed: facts.disqualified.reason, ...(facts.disqualified.quote ? { quote: facts.disqualified.quote } : {}) };
      else {
        const d = await decideRoute(deps, { lead: c.lead, facts, now: c.now ?? setup.now, scope, leadId: scope });
        run.outcome = { target: d.target, reps: d.reps, source: d.source, rule: d.rule?.index ?? null };
      }
    } catch (err) {
      run.error = (err as Error).message;
    }
    run.ms = performance.now() - started;
    run.calls = (metered?.calls ?? 0) - calls;
    run.failedCalls = (metered?.failures ?? 0) - failures;
    runs.push(run);
    onCase?.(run);
  }
  return { name, ...identity, started: true, startup, cases: runs };
}
