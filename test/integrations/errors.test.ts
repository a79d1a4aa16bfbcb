import { describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderQuotaExhausted, ProviderRejected, ProviderUnavailable } from '../../domain/errors';
import { fromGaxiosError, fromHubSpotError, fromSendGridError, networkCode, providerError, retryAfterMs, sanitizeCause } from '../../integrations/errors';
import { fixture } from './http-recorder';
import { ApplicationFailure } from '@temporalio/common';
import { fromFailure, toFailure } from '../../workflows/failures';

describe('providerError: one mapping from HTTP outcome to Baton error', () => {
  it.each([
    [401, ProviderAuthError],
    [403, ProviderAuthError],
    [400, ProviderRejected],
    [404, ProviderRejected],
    [409, ProviderRejected],
    [422, ProviderRejected],
    [408, ProviderUnavailable],
    [429, ProviderUnavailable],
    [500, ProviderUnavailable],
    [502, ProviderUnavailable],
    [503, ProviderUnavailable],
    [undefined, ProviderUnavailable],
  ])('%s → %s', (status, type) => {
    const err = providerError('acme', status, 'boom');
    expect(err).toBeInstanceOf(type);
    expect(err.message).toContain('acme:');
    expect(err.message).toContain('boom');
  });

  it('keeps the provider message and status in details; retryable only for unavailable', () => {
    const err = providerError('hubspot', 422, 'Property values were not valid', undefined, undefined, { body: { category: 'VALIDATION_ERROR' } });
    expect(err.message).toBe('hubspot: 422 Property values were not valid');
    expect(err.details).toEqual({ provider: 'hubspot', status: 422, body: { category: 'VALIDATION_ERROR' } });
    expect(err.retryable).toBe(false);
    expect(providerError('x', 503, 'down').retryable).toBe(true);
  });

  it('carries Retry-After on unavailable errors only', () => {
    expect(providerError('x', 429, 'slow down', { 'Retry-After': '12' }).retryAfterMs).toBe(12_000);
    expect(providerError('x', 503, 'down', new Headers({ 'retry-after': '1.5' })).retryAfterMs).toBe(1_500);
    expect(providerError('x', 400, 'bad', { 'retry-after': '12' }).retryAfterMs).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-05T14:00:00Z');
  it('reads delta-seconds, HTTP dates, and retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after': '120' }, now)).toBe(120_000);
    expect(retryAfterMs({ 'retry-after': 'Mon, 05 Jan 2026 14:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Mon, 05 Jan 2026 13:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(retryAfterMs({ 'retry-after': ['7'] }, now)).toBe(7_000);
  });
  it('is undefined when absent or garbage', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});

describe('network errors', () => {
  it('finds codes through undici cause chains and AggregateErrors', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(networkCode(refused)).toBe('ECONNREFUSED');
    const aggregate = new AggregateError([Object.assign(new Error('x'), { code: 'ETIMEDOUT' })]);
    expect(networkCode(aggregate)).toBe('ETIMEDOUT');
    expect(networkCode(new TypeError('fetch failed'))).toBe('FETCH_FAILED');
    expect(networkCode(new Error('nope'))).toBeUndefined();
  });

  it('sanitised causes drop everything but name, message and code', () => {
    const sdkError = Object.assign(new Error('Request failed'), {
      code: 'ECONNRESET',
      config: { headers: { Authorization: 'Bearer secret-token' } },
    });
    const cause = sanitizeCause(sdkError)!;
    expect(JSON.stringify({ ...cause, message: cause.message })).not.toContain('secret-token');
    expect((cause as Error & { code?: string }).code).toBe('ECONNRESET');
  });
});

describe('limits that last hours are their own error: ProviderQuotaExhausted', () => {
  // Each SDK's error shape, built from the recorded responses in fixtures/.
  const hubspot = (name: string) => {
    const { status, json, headers } = fixture(name).response;
    return Object.assign(new Error(`HTTP-Code: ${status}`), { code: status, body: json, headers: headers ?? {} });
  };
  const gaxios = (name: string) => {
    const { status, json, headers } = fixture(name).response;
    return Object.assign(new Error('gaxios'), { status, response: { status, data: json, headers: new Headers(headers ?? {}) } });
  };
  const sendgrid = (name: string) => {
    const { status, json } = fixture(name).response;
    return Object.assign(new Error('Unauthorized'), { code: status, response: { headers: {}, body: json } });
  };

  it('travels as a non-retryable Temporal failure of its own type, and comes back as its class', () => {
    const failure = toFailure(new ProviderQuotaExhausted('x')) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('ProviderQuotaExhausted');
    expect(failure.nonRetryable).toBe(true);
    expect(fromFailure(failure)).toBeInstanceOf(ProviderQuotaExhausted);
  });

  it.each([
    ['HubSpot 429 policyName DAILY', () => fromHubSpotError(hubspot('hubspot/rate-limit-429-daily'))],
    ['Google 403 dailyLimitExceeded', () => fromGaxiosError('google-calendar', gaxios('google-calendar/daily-limit-exceeded-403'))],
    ['Google 403 quotaExceeded', () => fromGaxiosError('google-calendar', gaxios('google-calendar/quota-exceeded-403'))],
    ['SendGrid 401 Maximum credits exceeded', () => fromSendGridError(sendgrid('sendgrid/max-credits-exceeded-401'))],
  ])('%s', (_what, map) => {
    expect(map()).toBeInstanceOf(ProviderQuotaExhausted);
  });

  it.each([
    ['HubSpot 429 TEN_SECONDLY_ROLLING', () => fromHubSpotError(hubspot('hubspot/rate-limit-429')), 10_000],
    ['HubSpot search 429 (secondly)', () => fromHubSpotError(hubspot('hubspot/rate-limit-429-search-secondly')), 1_000],
    ['Google 403 rateLimitExceeded', () => fromGaxiosError('google-calendar', gaxios('google-calendar/rate-limit-403')), undefined],
    ['Google 403 userRateLimitExceeded', () => fromGaxiosError('google-calendar', gaxios('google-calendar/user-rate-limit-403')), undefined],
  ])('short limits stay retryable with their wait: %s', (_what, map, wait) => {
    const err = map();
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect(err.retryAfterMs).toBe(wait);
  });

  it('a plain SendGrid 401 is still a bad key', () => {
    expect(fromSendGridError(sendgrid('sendgrid/unauthorized-401'))).toBeInstanceOf(ProviderAuthError);
  });
});
