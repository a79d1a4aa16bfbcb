import { calendarActivities } from './calendar';
import type { ActivityDeps } from './deps';
import { handoffActivities } from './handoff';
import { meetingActivities } from './meeting';
import { policyActivities } from './policy';
import { poolActivities } from './pool';
import { qualifyActivities } from './qualify';
import { routeActivities } from './route';
import { toFailure } from '../workflows/failures';

export type { ActivityDeps } from './deps';

/** Baton's errors leave every activity as the Temporal failure of their class (workflows/failures.ts). */
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
    ...policyActivities(deps),
    ...qualifyActivities(deps),
    ...routeActivities(deps),
    ...calendarActivities(deps),
    ...handoffActivities(deps),
    ...meetingActivities(deps),
    ...poolActivities(deps),
  });
}

export type BatonActivities = ReturnType<typeof createActivities>;
