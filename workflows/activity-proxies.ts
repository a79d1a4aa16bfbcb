import { proxyActivities } from '@temporalio/workflow';
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

/** The LLM can be slow; it gets a longer timeout and fewer attempts before the parser takes over. */
export const llmActivities = proxyActivities<BatonActivities>({
  startToCloseTimeout: '90s',
  retry: { ...retry, maximumAttempts: 3 },
});
