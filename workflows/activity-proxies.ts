import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BatonActivities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';

/**
 * Provider calls retry with backoff on outages (ProviderUnavailable honours Retry-After through
 * `nextRetryDelay`); auth, validation and conflict errors are non-retryable and come back at once.
 */
const retry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  maximumAttempts: 8,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
};

export const activities = proxyActivities<BatonActivities>({ startToCloseTimeout: '30s', retry });

/**
 * Facts by the deterministic extractor, free/busy for the proposals and the briefing without an LLM
 * only read and are safe to repeat, so without an LLM they run as local activities: in the worker,
 * inside the lead's workflow task, with no task-queue round trip each (bench/README.md). Routing
 * runs as one too: its one write, the pool's turn, is idempotent by request id, and the pool answers
 * from its own task queue and worker slots (`poolTaskQueue`), so a lead waiting on it cannot starve
 * it. The steps that write elsewhere (book, CRM, email) stay activities.
 */
export const localActivities = proxyLocalActivities<BatonActivities>({ startToCloseTimeout: '30s', retry });

/**
 * The steps that may ask the model (qualify, understand a reply, brief). Each one keeps to the
 * model's time budget by itself (BATON_LLM_TIMEOUT_MS, at most 30 s: integrations/llm-budget.ts)
 * and then takes the deterministic path, so it never fails because the model is slow or down and
 * Temporal's retries are left for a worker that died mid-step. The timeout is the largest budget
 * plus room for the deterministic work: a step inside its budget is never cut off, and a lost
 * worker costs 40 s instead of 90 s.
 */
export const llmActivities = proxyActivities<BatonActivities>({
  startToCloseTimeout: '40s',
  retry: { ...retry, maximumAttempts: 3 },
});
