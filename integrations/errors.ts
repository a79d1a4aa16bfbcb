/**
 * Maps what the provider SDKs throw onto Baton's error types, once, so every adapter retries the
 * same way:
 *
 * - a limit that lasts hours         → ProviderQuotaExhausted (not retryable: the lead waits for ops),
 *   (HubSpot 429 `DAILY`, Google      with what ran out and when it comes back
 *   `dailyLimitExceeded` /
 *   `quotaExceeded`, SendGrid
 *   "Maximum credits exceeded")
 * - 401 / 403                       → ProviderAuthError (not retryable: fix the credentials)
 * - 429, 408, 5xx, network failures,
 *   timeouts, no HTTP status at all → ProviderUnavailable (retryable, with `retryAfterMs` from
 *                                     Retry-After / retry-after-ms when the provider sent one)
 * - any other 4xx (400, 404, 409,
 *   422, ...)                        → ProviderRejected (not retryable), carrying the provider's
 *                                     own message
 *
 * Each SDK shapes its errors differently (openai `APIError`, gaxios `GaxiosError`, HubSpot
 * `ApiException`, SendGrid `ResponseError`); one `…ErrorInfo` function per SDK reduces them to
 * `{ status, headers, message, body }`. Errors are rebuilt from plain data: the SDK error itself
 * is never attached as `cause`, because some of them (axios, gaxios) carry request configs with
 * the Authorization header and Baton's logs must never see tokens.
 */
import {
  BatonError,
  ProviderAuthError,
  ProviderQuotaExhausted,
  ProviderRejected,
  ProviderUnavailable,
} from '../domain/errors';

export type HeaderBag = Headers | Record<string, string | string[] | number | undefined> | undefined;

/** What one SDK error says, reduced to plain data. */
export interface ProviderErrorInfo {
  /** HTTP status; undefined for network errors, timeouts and anything that never got a response. */
  status?: number;
  headers?: HeaderBag;
  /** The provider's own message (from the error body when it has one). */
  message: string;
  /** Parsed error body, kept in `details` (never contains credentials). */
  body?: unknown;
  /** Node / undici / DOMException code of a network-level failure (ECONNREFUSED, TimeoutError...). */
  code?: string;
  /**
   * Classify as if this status had been returned (e.g. Google's 403 rateLimitExceeded is a 429,
   * an OAuth `invalid_grant` 400 is a 401); the message keeps the real status.
   */
  classifyAs?: number;
  /** Wait hint when the response has no Retry-After header (e.g. derived from a rate-limit policy). */
  retryAfterMs?: number;
  /**
   * Set when the provider says a limit that lasts hours ran out (a daily quota, plan credits):
   * what ran out and when it comes back, for the operator. Such an error is never retried.
   */
  exhausted?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'TimeoutError',
  'AbortError',
]);

/** Reads one header from a fetch `Headers` or a plain (case-insensitive) record. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted || value === undefined || value === null) continue;
    return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

/**
 * Retry-After as milliseconds: delta-seconds (`120`) or an HTTP date; also OpenAI's
 * `retry-after-ms`. Undefined when absent or unparseable; never negative.
 */
export function retryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = headerValue(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The one mapping from an HTTP outcome to a Baton error. `provider` names the service in the
 * message (`hubspot: 422 Property values were not valid`), so an operator sees who said what.
 */
export function providerError(
  provider: string,
  status: number | undefined,
  message: string,
  headers?: HeaderBag,
  cause?: unknown,
  extra: { body?: unknown; code?: string; classifyAs?: number; retryAfterMs?: number; exhausted?: string } = {},
): BatonError {
  const text = message.trim() || 'no message';
  const details: Record<string, unknown> = { provider };
  if (status !== undefined) details.status = status;
  if (extra.code !== undefined) details.code = extra.code;
  if (extra.body !== undefined) details.body = extra.body;
  const safeCause = sanitizeCause(cause);
  const kind = extra.classifyAs ?? status;

  if (extra.exhausted && status !== undefined) {
    return new ProviderQuotaExhausted(`${provider}: ${status} ${text}: ${extra.exhausted}`, { details, cause: safeCause });
  }
  if (status === undefined || status === 0) {
    const what = extra.code ? `${extra.code}: ${text}` : text;
    return new ProviderUnavailable(`${provider}: unreachable (${what})`, { details, cause: safeCause });
  }
  if (kind === 401 || kind === 403) {
    return new ProviderAuthError(`${provider}: ${status} ${text}`, { details, cause: safeCause });
  }
  if (kind === 429 || kind === 408 || (kind !== undefined && kind >= 500)) {
    return new ProviderUnavailable(`${provider}: ${status} ${text}`, {
      details,
      cause: safeCause,
      retryAfterMs: retryAfterMs(headers) ?? extra.retryAfterMs,
    });
  }
  return new ProviderRejected(`${provider}: ${status} ${text}`, { details, cause: safeCause });
}

/** Turns a reduced error into a Baton error (see `providerError`). */
export function errorFromInfo(provider: string, info: ProviderErrorInfo, cause?: unknown): BatonError {
  return providerError(provider, info.status, info.message, info.headers, cause, {
    body: info.body,
    code: info.code,
    classifyAs: info.classifyAs,
    retryAfterMs: info.retryAfterMs,
    exhausted: info.exhausted,
  });
}

/** A plain Error with the name, message and code of `err`, and nothing else (no configs, no headers). */
export function sanitizeCause(err: unknown): Error | undefined {
  if (err === undefined || err === null) return undefined;
  if (err instanceof BatonError) return err;
  // First line only: HubSpot's ApiException appends the whole body and response headers.
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
  const plain = new Error(text);
  if (err instanceof Error) plain.name = err.name;
  const code = networkCode(err);
  if (code) (plain as Error & { code?: string }).code = code;
  return plain;
}

/** The first network-ish code found on an error or its `cause` chain (undici nests them). */
export function networkCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const e = err as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || e.code.startsWith('UND_ERR'))) return e.code;
  if (typeof e.name === 'string' && (e.name === 'TimeoutError' || e.name === 'AbortError')) return e.name;
  const nested = networkCode(e.cause, depth + 1);
  if (nested) return nested;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = networkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return 'FETCH_FAILED';
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

/** Errors that mean "the response body was not the JSON it claimed to be". */
function malformedBody(provider: string, err: unknown): BatonError {
  return new ProviderUnavailable(`${provider}: malformed JSON in the response body (${messageOf(err)})`, {
    details: { provider, code: 'malformed_response' },
    cause: sanitizeCause(err),
  });
}

// ---------------------------------------------------------------------------------------------
// OpenAI (openai-node): APIError { status, headers: Headers, error: { message, type, code } },
// APIConnectionError / APIConnectionTimeoutError (status undefined).

export function openAiErrorInfo(err: unknown): ProviderErrorInfo {
  const e = asRecord(err) ?? {};
  const status = typeof e.status === 'number' ? e.status : undefined;
  const body = asRecord(e.error);
  const message =
    str(body?.message) ??
    str(asRecord(body?.error)?.message) ??
    (err instanceof Error ? err.message : 'request failed');
  const headers = e.headers instanceof Headers ? e.headers : undefined;
  const code =
    status === undefined
      ? networkCode(err) ?? (err instanceof Error && /timed? ?out/i.test(err.name + err.message) ? 'TimeoutError' : undefined)
      : undefined;
  return { status, headers, message, body: body ?? undefined, code };
}

export function fromOpenAiError(err: unknown): BatonError {
  if (err instanceof BatonError) return err;
  if (err instanceof SyntaxError) return malformedBody('openai', err);
  return errorFromInfo('openai', openAiErrorInfo(err), err);
}

// ---------------------------------------------------------------------------------------------
// Google (gaxios): GaxiosError { status, response: { status, headers: Headers, data }, code }.
// API errors carry `{ error: { code, message, status, errors: [{ domain, reason, message }] } }`;
// the OAuth token endpoint answers `{ error: "invalid_grant", error_description: "..." }`.

/**
 * Google answers rate limits with 403 or 429 (usageLimits domain). Per-minute ones are retryable
 * (https://developers.google.com/calendar/api/guides/errors: "use exponential backoff").
 */
const GOOGLE_RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/**
 * The ones that last hours, per the same page: `dailyLimitExceeded` ("the Courtesy API limit for
 * your project has been reached": request more quota) and `quotaExceeded` ("Calendar usage limits
 * exceeded", the limits Google keeps against abuse, per user).
 */
const GOOGLE_EXHAUSTED: Record<string, string> = {
  dailyLimitExceeded:
    "the Google Cloud project's daily Calendar API quota is used up; it resets at midnight Pacific Time, or raise the quota in the Cloud console",
  quotaExceeded:
    "this account hit Google Calendar's usage limits (Google's 'Avoid Calendar use limits'), which last hours; check the account and try again later",
};

/**
 * 403s that refuse the request, not the credentials: `forbiddenForNonOrganizer` ("Shared properties
 * can only be changed by the organizer of the event", a change made on an attendee's copy).
 */
const GOOGLE_REFUSALS = new Set(['forbiddenForNonOrganizer']);

/** Token-endpoint answers (RFC 6749 §5.2) that mean the credentials themselves are bad. */
const OAUTH_CREDENTIAL_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied']);

export function gaxiosErrorInfo(err: unknown): ProviderErrorInfo {
  const e = asRecord(err) ?? {};
  const response = asRecord(e.response);
  const status =
    typeof response?.status === 'number' ? response.status : typeof e.status === 'number' ? e.status : undefined;
  const data = response?.data;
  const dataRecord = asRecord(data);
  const apiError = asRecord(dataRecord?.error);
  const reasons = Array.isArray(apiError?.errors)
    ? (apiError.errors as unknown[]).map((x) => str(asRecord(x)?.reason)).filter((x): x is string => !!x)
    : [];
  let message =
    str(apiError?.message) ??
    (str(dataRecord?.error) ? [str(dataRecord?.error), str(dataRecord?.error_description)].filter(Boolean).join(': ') : undefined) ??
    (typeof data === 'string' && data.trim() && data.length < 300 ? data.trim() : undefined) ??
    (err instanceof Error ? err.message : 'request failed');
  if (reasons.length) message = `${message} [${reasons.join(', ')}]`;
  const headers = response?.headers as HeaderBag;
  const oauthError = str(dataRecord?.error);
  const exhausted = reasons.map((r) => GOOGLE_EXHAUSTED[r]).find((x) => x !== undefined);
  const classifyAs =
    status === 403 && reasons.some((r) => GOOGLE_RATE_LIMIT_REASONS.has(r))
      ? 429
      : status === 403 && reasons.some((r) => GOOGLE_REFUSALS.has(r))
        ? 400
        : status !== undefined && status < 500 && oauthError && OAUTH_CREDENTIAL_ERRORS.has(oauthError)
          ? 401
          : undefined;
  const code = status === undefined ? networkCode(err) ?? str(e.code) : undefined;
  return { status, headers, message, body: data, code, classifyAs, ...(exhausted && status !== undefined && status < 500 ? { exhausted } : {}) };
}

export function fromGaxiosError(provider: string, err: unknown): BatonError {
  if (err instanceof BatonError) return err;
  if (err instanceof SyntaxError) return malformedBody(provider, err);
  return errorFromInfo(provider, gaxiosErrorInfo(err), err);
}

// ---------------------------------------------------------------------------------------------
// HubSpot (@hubspot/api-client): ApiException { code: status, body: { status, message,
// correlationId, category }, headers: Record<string,string> }. A non-JSON error body with a JSON
// content type makes the SDK throw a SyntaxError before the ApiException exists.

// https://developers.hubspot.com/docs/api/usage-details: "The message and policyName will indicate
// which limit you hit (either daily or secondly)"; "the daily limit resets at midnight based on your
// time zone setting". Rate-limited responses carry X-HubSpot-RateLimit-Interval-Milliseconds (the
// window); search 429s carry neither header nor policyName, only "You have reached your secondly
// limit." (the SDK's own RetryDecorator waits 1 s for those).
const HUBSPOT_POLICY_WAIT_MS: Record<string, number> = {
  TEN_SECONDLY_ROLLING: 10_000,
  SECONDLY: 1_000,
  SECONDLY_ROLLING: 1_000,
};
const HUBSPOT_DAILY =
  "HubSpot's daily API limit for this account is used up; it resets at midnight in the HubSpot account's time zone";

export function hubspotErrorInfo(err: unknown): ProviderErrorInfo {
  const e = asRecord(err) ?? {};
  const status = typeof e.code === 'number' ? e.code : undefined;
  const body = e.body;
  const bodyRecord = asRecord(body);
  const message =
    str(bodyRecord?.message) ??
    (typeof body === 'string' && body.trim() && body.length < 300 ? body.trim() : undefined) ??
    (err instanceof Error ? err.message : 'request failed');
  const category = str(bodyRecord?.category) ?? str(bodyRecord?.errorType);
  const headers = asRecord(e.headers) as HeaderBag;
  const code = status === undefined ? networkCode(err) ?? (typeof e.code === 'string' ? e.code : undefined) : undefined;
  // HubSpot's 429s name the window that was exceeded instead of sending Retry-After.
  const policy = str(bodyRecord?.policyName);
  const interval = Number(headerValue(headers, 'x-hubspot-ratelimit-interval-milliseconds'));
  const wait =
    status === 429
      ? (Number.isFinite(interval) && interval > 0 ? interval : undefined) ??
        (policy ? HUBSPOT_POLICY_WAIT_MS[policy] : undefined) ??
        (/secondly/i.test(message) ? 1_000 : undefined)
      : undefined;
  return {
    status,
    headers,
    message: category && status ? `${message} (${category})` : message,
    body,
    code,
    retryAfterMs: wait,
    ...(status === 429 && policy === 'DAILY' ? { exhausted: HUBSPOT_DAILY } : {}),
  };
}

export function fromHubSpotError(err: unknown): BatonError {
  if (err instanceof BatonError) return err;
  if (err instanceof SyntaxError) return malformedBody('hubspot', err);
  return errorFromInfo('hubspot', hubspotErrorInfo(err), err);
}

// ---------------------------------------------------------------------------------------------
// SendGrid (@sendgrid/client, axios): ResponseError { code: status, message: statusText,
// response: { headers, body: { errors: [{ message, field, help }] } } }. Network failures are
// plain AxiosErrors (code ECONNREFUSED / ECONNABORTED / ETIMEDOUT, no response).

export function sendGridErrorInfo(err: unknown): ProviderErrorInfo {
  const e = asRecord(err) ?? {};
  const response = asRecord(e.response);
  const status =
    typeof e.code === 'number' ? e.code : typeof response?.status === 'number' ? response.status : undefined;
  const body = response && 'body' in response ? response.body : response?.data;
  const bodyRecord = asRecord(body);
  const errors = Array.isArray(bodyRecord?.errors) ? (bodyRecord.errors as unknown[]) : [];
  const fromErrors = errors
    .map((x) => {
      const item = asRecord(x);
      const msg = str(item?.message);
      const field = str(item?.field);
      return msg ? (field ? `${msg} (${field})` : msg) : undefined;
    })
    .filter((x): x is string => !!x)
    .join('; ');
  const message =
    fromErrors ||
    (typeof body === 'string' && body.trim() && body.length < 300 ? body.trim() : undefined) ||
    (err instanceof Error && err.message ? err.message : 'request failed');
  const headers = asRecord(response?.headers) as HeaderBag;
  const code = status === undefined ? networkCode(err) ?? str(e.code) : undefined;
  // SendGrid's 429s carry X-RateLimit-Reset (epoch seconds) rather than Retry-After.
  const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
  const wait = status === 429 && Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined;
  // A 401 "Maximum credits exceeded" is the plan's sending credits, not the key (sendgrid-nodejs#1032).
  const exhausted =
    status === 401 && /maximum credits exceeded/i.test(message)
      ? "the SendGrid account's email credits are used up (the API key is fine): upgrade the plan or wait until the credits renew"
      : undefined;
  return { status, headers, message, body, code, retryAfterMs: wait, ...(exhausted ? { exhausted } : {}) };
}

export function fromSendGridError(err: unknown): BatonError {
  if (err instanceof BatonError) return err;
  if (err instanceof SyntaxError) return malformedBody('sendgrid', err);
  return errorFromInfo('sendgrid', sendGridErrorInfo(err), err);
}
