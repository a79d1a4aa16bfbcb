/**
 * Baton's error types. Each one says once whether retrying can help (used for Temporal retry
 * policies through `ApplicationFailure`) and which HTTP status it becomes at the API edge.
 */
export abstract class BatonError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  abstract readonly httpStatus: number;
  readonly details?: unknown;
  /** For retryable provider errors: how long the provider asked us to wait (Retry-After). */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { details?: unknown; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class ConfigError extends BatonError {
  readonly code = 'config_invalid';
  readonly retryable = false;
  readonly httpStatus = 500;
}

export class InputError extends BatonError {
  readonly code = 'invalid_input';
  readonly retryable = false;
  readonly httpStatus = 400;
}

export class NotFoundError extends BatonError {
  readonly code = 'not_found';
  readonly retryable = false;
  readonly httpStatus = 404;
}

/** The lead is not in a stage that accepts this request (e.g. booking a closed lead). */
export class LeadStateConflict extends BatonError {
  readonly code = 'lead_state_conflict';
  readonly retryable = false;
  readonly httpStatus = 409;
}

/** The chosen time is no longer free for every attendee. */
export class SlotConflict extends BatonError {
  readonly code = 'slot_conflict';
  readonly retryable = false;
  readonly httpStatus = 409;
}

/** The provider rejected our credentials (401/403): retrying cannot help. */
export class ProviderAuthError extends BatonError {
  readonly code = 'provider_auth';
  readonly retryable = false;
  readonly httpStatus = 502;
}

/** The provider refused the request itself (400/422): retrying the same request cannot help. */
export class ProviderRejected extends BatonError {
  readonly code = 'provider_rejected';
  readonly retryable = false;
  readonly httpStatus = 502;
}

/**
 * A limit that lasts hours, not seconds: HubSpot's daily API limit (429 `policyName: DAILY`),
 * Google's `dailyLimitExceeded` / `quotaExceeded` (Calendar usage limits), SendGrid's
 * "Maximum credits exceeded". Retrying within minutes cannot help: the lead waits for ops.
 */
export class ProviderQuotaExhausted extends BatonError {
  readonly code = 'provider_quota_exhausted';
  readonly retryable = false;
  readonly httpStatus = 503;
}

/** Rate limits, 5xx and network errors: worth retrying with backoff. */
export class ProviderUnavailable extends BatonError {
  readonly code = 'provider_unavailable';
  readonly retryable = true;
  readonly httpStatus = 503;
}

export const NON_RETRYABLE_ERROR_TYPES = [
  'ConfigError',
  'RuleCompileError',
  'InputError',
  'NotFoundError',
  'LeadStateConflict',
  'SlotConflict',
  'ProviderAuthError',
  'ProviderRejected',
  'ProviderQuotaExhausted',
] as const;

export function isBatonError(err: unknown): err is BatonError {
  return err instanceof BatonError;
}
