import { policyOf, type BookingPolicy } from '../domain/team/policy';
import type { ActivityDeps } from './deps';

export function policyActivities(deps: ActivityDeps) {
  return {
    /** The worker's team and LLM decide how a lead is handled: never the API's copy of team.yaml. */
    async leadPolicy(): Promise<BookingPolicy> {
      return policyOf(deps.team, !!deps.providers.llm);
    },
  };
}
