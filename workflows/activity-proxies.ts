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
 * How long HubSpot's search index may take to show a write: HubSpot documents only "it may take a
 * few moments for newly created or updated CRM objects to appear in search results"; the figure it
 * is given elsewhere is 10 s (Okta's HubSpot connector documentation: "wait 10 seconds after using
 * a Create card" before searching for the record).
 */
export const CRM_SEARCH_INDEX_LAG_MS = 10_000;

/**
 * CRM writes are de-duplicated by searching for their key's marker (integrations/hubspot/crm.ts),
 * which only works once the index shows the first try's write. A retry sooner than the index lag
 * would not find it and write twice, so CRM steps wait 15 s before their first retry.
 */
export const crmRetry = { ...retry, initialInterval: '15s', maximumInterval: '2m' };

export const crmActivities = proxyActivities<BatonActivities>({ startToCloseTimeout: '30s', retry: crmRetry });

/**
 * The intro email is de-duplicated the same way when its first try's outcome was lost: SendGrid's
 * Email Activity feed is asked for the key (integrations/sendgrid/email.ts), and it shows a message
 * only once SendGrid has processed it. SendGrid does not say how soon; the email gets the CRM's floor.
 */
export const emailActivities = crmActivities;

/**
 * Facts by the deterministic extractor, free/busy for the proposals and the briefing without an LLM
 * only read and are safe to repeat, so without an LLM they run as local activities: in the worker,
 * inside the lead's workflow task, with no task-queue round trip each (bench/README.md). Routing
 * runs as one too: its one write, the pool's turn, is idempotent by request id, and the pool answers
 * from its own task queue and worker slots (`poolTaskQueue`), so a lead waiting on it cannot starve
 * it. The steps that write elsewhere (book, CRM, email) stay activities.
 */
export const localActivities = proxyLocalActivities<BatonActivities>({ startToCloseTimeout: '30s', retry });

/** The LLM can be slow; it gets a longer timeout and fewer attempts before the parser takes over. */
export const llmActivities = proxyActivities<BatonActivities>({
  startToCloseTimeout: '90s',
  retry: { ...retry, maximumAttempts: 3 },
});
