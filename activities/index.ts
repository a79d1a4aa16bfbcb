import { ApplicationFailure } from '@temporalio/common';
import { isBatonError } from '../domain/errors';
import { calendarActivities } from './calendar';
import type { ActivityDeps } from './deps';
import { handoffActivities } from './handoff';
import { qualifyActivities } from './qualify';
import { routeActivities } from './route';

export type { ActivityDeps } from './deps';

/**
 * Baton's errors become Temporal failures here, once: the error's type name, whether a retry can
 * help, and the provider's Retry-After as the next retry delay.
 */
function toFailure(err: unknown): unknown {
  if (!isBatonError(err)) return err;
  return ApplicationFailure.create({
    type: err.name,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs ? { nextRetryDelay: err.retryAfterMs } : {}),
    ...(err.details !== undefined ? { details: [err.details] } : {}),
  });
}

function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toFailure(err);
      }
    };
  }
  return wrapped as T;
}

/** Built from the providers, so the worker and the tests wire activities the same way. */
export function createActivities(deps: ActivityDeps) {
  return withFailureMapping({
    ...qualifyActivities(deps),
    ...routeActivities(deps),
    ...calendarActivities(deps),
    ...handoffActivities(deps),
  });
}

export type BatonActivities = ReturnType<typeof createActivities>;
