/**
 * `baton eval --team team.yaml --cases cases.jsonl [--crm crm.yaml] [--calendar calendar.json]
 *  [--now ISO] [--only id,id] [--no-model] [--json]`: every labelled lead through the deterministic
 * path and, when one is configured (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL and the budget
 * variables, as the worker reads them), through the model; accuracy side by side.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../../domain/errors';
import { realProvidersFromEnv } from '../../integrations/from-env';
import { loadTeamConfig } from '../../runtime/load';
import { readCases, type EvalCase } from './cases';
import { runPath, type CaseRun } from './harness';
import { buildReport, formatTable, type EvalReport } from './report';
import { scorePath } from './score';

export const EVAL_USAGE =
  'baton eval --team team.yaml --cases cases.jsonl [--crm crm.yaml] [--calendar calendar.json] [--now ISO] [--only id,id] [--no-model] [--json]';

export interface EvalOptions {
  teamFile: string;
  casesFile: string;
  crmFile?: string;
  calendarFile?: string;
  now: number;
  only?: string[];
  useModel: boolean;
  env: NodeJS.ProcessEnv;
  progress?: (path: string, run: CaseRun, done: number, total: number) => void;
}

function pick(cases: EvalCase[], only: string[] | undefined, file: string): EvalCase[] {
  if (!only) return cases;
  const unknown = only.filter((id) => !cases.some((c) => c.id === id));
  if (unknown.length) throw new InputError(`--only: no case ${unknown.map((id) => `"${id}"`).join(', ')} in ${file}`);
  return cases.filter((c) => only.includes(c.id));
}

export async function evaluate(options: EvalOptions): Promise<EvalReport> {
  const config = loadTeamConfig(options.teamFile);
  const cases = pick(readCases(options.casesFile, config), options.only, basename(options.casesFile));
  const llm = options.useModel ? realProvidersFromEnv(options.env, { repCount: config.reps.length }).llm : undefined;
  const setup = {
    teamFile: options.teamFile,
    now: options.now,
    ...(options.crmFile ? { crmFile: options.crmFile } : {}),
    ...(options.calendarFile ? { calendarFile: options.calendarFile } : {}),
  };
  const progress = (path: string) => {
    let done = 0;
    return (run: CaseRun) => options.progress?.(path, run, ++done, cases.length);
  };
  const deterministic = await runPath(setup, cases, undefined, progress('deterministic'));
  const model = llm ? await runPath(setup, cases, llm, progress('model')) : null;
  return buildReport({
    casesFile: basename(options.casesFile),
    teamFile: basename(options.teamFile),
    cases,
    runs: { deterministic, model },
    scores: { deterministic: scorePath(cases, deterministic), model: model ? scorePath(cases, model) : null },
  });
}

export async function evalCommand(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      team: { type: 'string' },
      cases: { type: 'string' },
      crm: { type: 'string' },
      calendar: { type: 'string' },
      now: { type: 'string' },
      only: { type: 'string' },
      'no-model': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  for (const name of ['team', 'cases'] as const) if (!values[name]) throw new InputError(`--${name} is required\nusage: ${EVAL_USAGE}`);
  let now = Date.now();
  if (values.now) {
    now = Date.parse(values.now);
    if (Number.isNaN(now)) throw new InputError(`--now: expected an ISO date-time such as 2026-11-27T17:00:00Z, got "${values.now}"`);
  }
  const report = await evaluate({
    teamFile: values.team!,
    casesFile: values.cases!,
    ...(values.crm ? { crmFile: values.crm } : {}),
    ...(values.calendar ? { calendarFile: values.calendar } : {}),
    now,
    ...(values.only ? { only: values.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    useModel: !values['no-model'],
    env: process.env,
    // Progress only for a person watching: a model run can take minutes.
    ...(process.stderr.isTTY
      ? { progress: (path: string, run: CaseRun, done: number, total: number) => process.stderr.write(`\r${path}: ${done}/${total} (${run.id}, ${Math.round(run.ms)} ms)\x1b[K${done === total ? '\n' : ''}`) }
      : {}),
  });
  return values.json ? JSON.stringify(report, null, 2) : formatTable(report);
}
