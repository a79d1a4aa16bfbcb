/**
 * The time budget of one model step. A step (extract facts, classify a reply, write a briefing,
 * compile a rule) gets `timeoutMs` in total, every attempt included: each attempt may use what is
 * left of it, a transient failure (429, 5xx, network, timeout: ProviderUnavailable) is retried
 * after its Retry-After or a short backoff only when that wait still leaves room for an answer,
 * and anything else ends the step at once. The caller then takes the deterministic path, so a
 * slow or failing model never delays the buyer by more than the budget.
 */
import { ProviderUnavailable } from '../domain/errors';

export interface LlmBudget {
  /** The whole time one model step may take, every attempt included, in ms. */
  timeoutMs: number;
  /** Cap on the output tokens of one call (`max_completion_tokens`). */
  maxOutputTokens: number;
  /** At most this many attempts per step; only transient failures are tried again. */
  maxAttempts: number;
}

export const DEFAULT_LLM_BUDGET: LlmBudget = { timeoutMs: 8_000, maxOutputTokens: 1_024, maxAttempts: 3 };

/**
 * Bounds for BATON_LLM_TIMEOUT_MS. The upper one keeps a step well inside the LLM activities'
 * start-to-close timeout (workflows/activity-proxies.ts), so Temporal never cuts off a step that
 * is still inside its budget.
 */
export const LLM_TIMEOUT_BOUNDS = { min: 100, max: 30_000 } as const;
export const LLM_MAX_OUTPUT_TOKENS_BOUNDS = { min: 16, max: 32_768 } as const;

/** An attempt with less time than this left is not started: it could not finish. */
const MIN_ATTEMPT_MS = 50;
const BACKOFF_MS = 200;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs `attempt` (given the ms left and a signal that fires when they are up) until it answers,
 * fails for good, or the budget is spent. Throws the last failure; a budget that ran out, or a
 * Retry-After that does not fit, is a ProviderUnavailable saying so.
 */
export async function withinBudget<T>(
  provider: string,
  budget: Pick<LlmBudget, 'timeoutMs' | 'maxAttempts'>,
  attempt: (left: { timeoutMs: number; signal: AbortSignal }) => Promise<T>,
  clock: Clock = realClock,
): Promise<T> {
  const deadline = clock.now() + budget.timeoutMs;
  let last: unknown;
  for (let n = 1; ; n++) {
    const left = deadline - clock.now();
    if (left < MIN_ATTEMPT_MS) throw spent(provider, budget.timeoutMs, n - 1, last);
    try {
      return await attempt({ timeoutMs: left, signal: AbortSignal.timeout(left) });
    } catch (err) {
      last = err;
      if (!(err instanceof ProviderUnavailable) || n >= budget.maxAttempts) throw err;
      const wait = err.retryAfterMs ?? BACKOFF_MS * 2 ** (n - 1);
      if (deadline - clock.now() - wait < MIN_ATTEMPT_MS) {
        // A timed-out attempt used the whole budget: say so, not "retry after 200 ms".
        if (deadline - clock.now() < MIN_ATTEMPT_MS) throw spent(provider, budget.timeoutMs, n, err);
        throw new ProviderUnavailable(`${err.message}; a retry after ${wait} ms does not fit the ${budget.timeoutMs} ms budget`, {
          details: err.details,
          retryAfterMs: err.retryAfterMs,
        });
      }
      await clock.sleep(wait);
    }
  }
}

function spent(provider: string, budgetMs: number, attempts: number, last: unknown): ProviderUnavailable {
  const why = last instanceof Error ? `; last: ${last.message}` : '';
  return new ProviderUnavailable(
    `${provider}: no answer within the ${budgetMs} ms budget (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}${why})`,
    { details: { provider, code: 'budget_exceeded', budgetMs, attempts } },
  );
}
