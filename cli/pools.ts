/**
 * `baton fairness` (each pool's counts against its members' weighted shares, read from the pool
 * workflows) and `baton simulate` (learning against fair rotation on synthetic leads).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, InputError } from '../domain/errors';
import { poolFairness, type PoolFairness } from '../domain/route/fairness-report';
import { simulate, type SimulationResult, type Truth } from '../domain/route/simulate';
import { findPool, type TeamConfig } from '../domain/team/config';
import { connectClient } from '../runtime/connect';
import { loadTeamConfig } from '../runtime/load';
import { readPoolStates } from '../runtime/pool-client';
import { readSettings } from '../runtime/settings';

const MAX_LEADS = 1_000_000;
const MAX_SEEDS = 100;

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${flag}: expected a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** truth.json: `{ "<rep>": { "default": 0.5, "<industry>": 0.8 } }`, every pool member present. */
export function readTruth(file: string, members: readonly string[]): Truth {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON: ${(err as Error).message}`}`);
  }
  const example = '{ "ana": { "default": 0.5, "healthcare": 0.8 } }';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${file}: expected an object of rep ids such as ${example}`);
  const truth: Truth = {};
  for (const [rep, rates] of Object.entries(raw)) {
    if (!members.includes(rep)) throw new InputError(`${file}: ${rep}: not a member of the pool (members: ${members.join(', ')})`);
    if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) throw new InputError(`${file}: ${rep}: expected held-rates by industry such as ${example}`);
    for (const [industry, rate] of Object.entries(rates)) {
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new InputError(`${file}: ${rep}.${industry}: expected a held-rate from 0 to 1, got ${JSON.stringify(rate)}`);
    }
    truth[rep] = { ...(rates as Record<string, number>) };
  }
  const missing = members.filter((m) => !truth[m]);
  if (missing.length) throw new InputError(`${file}: no held-rates for ${missing.join(', ')} (every member of the pool needs at least { "default": 0.5 })`);
  return truth;
}

function poolOf(team: TeamConfig, id: string) {
  const pool = findPool(team, id);
  if (!pool) throw new InputError(`--pool: unknown pool "${id}" (known: ${team.pools.map((p) => p.id).join(', ') || 'none'})`);
  return pool;
}

const namesOf = (team: TeamConfig) => Object.fromEntries(team.reps.map((r) => [r.id, r.name]));

export function simulateCommand(values: { team: string; pool: string; leads?: string; seed?: string; seeds?: string; truth?: string }): SimulationResult {
  const team = loadTeamConfig(values.team);
  const pool = poolOf(team, values.pool);
  const leads = wholeNumber('leads', values.leads, 20_000, 1, MAX_LEADS);
  const seed = wholeNumber('seed', values.seed, 1, 0, 2 ** 31);
  const seeds = wholeNumber('seeds', values.seeds, 10, 1, MAX_SEEDS);
  const truth = values.truth ? readTruth(values.truth, pool.members) : undefined;
  return simulate({ pool, leads, seed, seeds, ...(truth ? { truth } : {}), timezone: team.company.timezone, names: namesOf(team) });
}

export interface FairnessOutput {
  temporal: { address: string; taskQueue: string };
  pools: (PoolFairness & { workflow: 'running' | 'not started' })[];
}

/**
 * Reads each pool's ledger from its workflow (a query, answered by the worker) and reports it
 * against the team file's settings. TEMPORAL_ADDRESS is where the worker runs; unset, `npm start`'s
 * embedded dev server on this machine.
 */
export async function fairnessCommand(values: { team: string }, env: NodeJS.ProcessEnv = process.env): Promise<FairnessOutput> {
  const team = loadTeamConfig(values.team);
  const settings = readSettings(env);
  const address = settings.temporalAddress ?? `127.0.0.1:${settings.devServerPort}`;
  const where = settings.temporalAddress ? `TEMPORAL_ADDRESS (${address})` : `${address}, where npm start runs its embedded server when TEMPORAL_ADDRESS is unset`;
  let connections: Awaited<ReturnType<typeof connectClient>>;
  try {
    connections = await connectClient(settings, { address, timeoutMs: 2_000, identity: 'baton-cli' });
  } catch {
    throw new ConfigError(`fairness counts live in the pool workflows, and no Temporal server answered at ${where}: start Baton (npm start) or set TEMPORAL_ADDRESS to the server its worker uses`);
  }
  try {
    const states = await connections.connection
      .withDeadline(Date.now() + 10_000, () => readPoolStates(connections.client, settings.taskQueue, team.pools.map((p) => p.id)))
      .catch((err: Error) => {
        throw new ConfigError(`the pool workflows on task queue "${settings.taskQueue}" did not answer (is a Baton worker running against ${address}?): ${err.message.split('\n')[0]}`);
      });
    const now = Date.now();
    const names = namesOf(team);
    return {
      temporal: { address, taskQueue: settings.taskQueue },
      pools: team.pools.map((pool) => {
        const state = states.get(pool.id) ?? null;
        return {
          ...poolFairness({ ...pool, names, timezone: team.company.timezone }, state?.ledger ?? null, now),
          workflow: state ? ('running' as const) : ('not started' as const),
        };
      }),
    };
  } finally {
    await connections.close();
  }
}
