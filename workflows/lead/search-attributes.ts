/**
 * What ops search leads by in Temporal visibility (the Temporal UI, the ops page), and the one
 * place that sets them. Keys are imported by the API and the worker's registration too.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';

export const LeadStageKey = defineSearchAttributeKey('LeadStage', SearchAttributeType.KEYWORD);
export const AssignedRepKey = defineSearchAttributeKey('AssignedRep', SearchAttributeType.KEYWORD);
export const LeadPoolKey = defineSearchAttributeKey('LeadPool', SearchAttributeType.KEYWORD);
export const LeadSourceKey = defineSearchAttributeKey('LeadSource', SearchAttributeType.KEYWORD);
export const NextDeadlineKey = defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME);
/** When the booked meeting starts: "meetings in the next 24 h". */
export const MeetingAtKey = defineSearchAttributeKey('MeetingAt', SearchAttributeType.DATETIME);
/** scheduled | unconfirmed | held | no_show | rep_no_show | canceled: "no-shows this week". */
export const MeetingOutcomeKey = defineSearchAttributeKey('MeetingOutcome', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTES = [LeadStageKey, AssignedRepKey, LeadPoolKey, LeadSourceKey, NextDeadlineKey, MeetingAtKey, MeetingOutcomeKey];

/**
 * Search attributes reach the server only when the workflow task completes, so several changes in
 * one task (qualify, route and propose run in one since routing went local) go out as one upsert:
 * one visibility write instead of one each. Leads started before that (`batched` false) upsert at
 * once, as they were recorded.
 */
export class SearchAttributePublisher {
  private readonly pending = new Map<string, SearchAttributeUpdatePair>();
  constructor(
    private readonly batched: boolean,
    /** The deadline already published (a lead continued as new carries it). */
    private deadline: number | null = null,
  ) {}

  set(pairs: SearchAttributeUpdatePair[]): void {
    if (!this.batched) return upsertSearchAttributes(pairs);
    for (const pair of pairs) this.pending.set(pair.key.name, pair);
  }

  /** The next moment the lead acts on its own (a reply deadline, a nudge, a reminder); null when none. */
  setDeadline(at: number | null): void {
    if (at === this.deadline || (at !== null && !Number.isFinite(at))) return;
    this.deadline = at;
    this.set([{ key: NextDeadlineKey, value: at === null ? null : new Date(at) }]);
  }

  get nextDeadline(): number | null {
    return this.deadline;
  }

  /** Sends what is pending; called before anything that ends the workflow task. */
  flush(): void {
    if (this.pending.size === 0) return;
    upsertSearchAttributes([...this.pending.values()]);
    this.pending.clear();
  }
}
