/**
 * Baton's error types. Each class declares its kind once — whether retrying can help, the HTTP
 * status it becomes at the API edge, and its API code — and everything else derives from that:
 * the Temporal failure it travels as (workflows/failures.ts), retry policies, the API's answer.
 * Pure: no Temporal, no HTTP.
 */
export interface ErrorKind {
  /** The API's `error.code`. */
  readonly code: string;
  /** Whether retrying the same call can help (Temporal retries it; the API answers 5xx-with-Retry-After). */
  readonly retryable: boolean;
  readonly httpStatus: number;
}

export abstract class BatonError extends Error {
  static readonly kind: ErrorKind;
  readonly details?: unknown;
  /** For retryable provider errors: how long the provider asked us to wait (Retry-After). */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { details?: unknown; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }

  get kind(): ErrorKind {
    return (this.constructor as typeof BatonError).kind;
  }
  get code(): string {
    return this.kind.code;
  }
  get retryable(): boolean {
    return this.kind.retryable;
  }
  get httpStatus(): number {
    return this.kind.httpStatus;
  }
}

export class ConfigError extends BatonError {
  static override readonly kind = { code: 'config_invalid', retryable: false, httpStatus: 500 };
}

export class InputError extends BatonError {
  static override readonly kind = { code: 'invalid_input', retryable: false, httpStatus: 400 };
}

export class NotFoundError extends BatonError {
  static override readonly kind = { code: 'not_found', retryable: false, httpStatus: 404 };
}

/** The lead is not in a stage that accepts this request (e.g. booking a closed lead). */
export class LeadStateConflict extends BatonError {
  static override readonly kind = { code: 'lead_state_conflict', retryable: false, httpStatus: 409 };
}

/** The chosen time is no longer free for every attendee. */
export class SlotConflict extends BatonError {
  static override readonly kind = { code: 'slot_conflict', retryable: false, httpStatus: 409 };
}

/** The provider rejected our credentials (401/403): retrying cannot help. */
export class ProviderAuthError extends BatonError {
  static override readonly kind = { code: 'provider_auth', retryable: false, httpStatus: 502 };
}

/** The provider refused the request itself (400/422): retrying the same request cannot help. */
export class ProviderRejected extends BatonError {
  static override readonly kind = { code: 'provider_rejected', retryable: false, httpStatus: 502 };
}

/**
 * A limit that lasts hours, not seconds: HubSpot's daily API limit (429 `policyName: DAILY`),
 * Google's `dailyLimitExceeded` / `quotaExceeded` (Calendar usage limits), SendGrid's
 * "Maximum credits exceeded". Retrying within minutes cannot help: the lead waits for ops.
 */
export class ProviderQuotaExhausted extends BatonError {
  static override readonly kind = { code: 'provider_quota_exhausted', retryable: false, httpStatus: 503 };
}

/** Rate limits, 5xx and network errors: worth retrying with backoff. */
export class ProviderUnavailable extends BatonError {
  static override readonly kind = { code: 'provider_unavailable', retryable: true, httpStatus: 503 };
}

/**
 * Every error class by name: a failure that crossed a process boundary (a Temporal failure's type
 * is the class name) turns back into its class here. Subclasses declared elsewhere (RuleCompileError)
 * share their parent's kind and never cross to the API, so they need no entry.
 */
const ERROR_CLASSES = {
  ConfigError,
  InputError,
  NotFoundError,
  LeadStateConflict,
  SlotConflict,
  ProviderAuthError,
  ProviderRejected,
  ProviderQuotaExhausted,
  ProviderUnavailable,
};

export type BatonErrorName = keyof typeof ERROR_CLASSES;

/** The class a failure type names, or undefined for types that are not Baton's. */
export function errorClassNamed(name: string | undefined | null): (typeof ERROR_CLASSES)[BatonErrorName] | undefined {
  return name && Object.hasOwn(ERROR_CLASSES, name) ? ERROR_CLASSES[name as BatonErrorName] : undefined;
}

export function isBatonError(err: unknown): err is BatonError {
  return err instanceof BatonError;
}
