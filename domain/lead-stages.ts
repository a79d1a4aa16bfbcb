/**
 * The lead's stages and its meeting's outcomes: one vocabulary for the workflow, the `LeadStage` and
 * `MeetingOutcome` search attributes, the API and the ops page (contract sections 4 and 6). Plain data.
 */
/** One vocabulary for the `stage` field, the `LeadStage` search attribute and the ops page (contract section 4). */
export const LEAD_STAGES = [
  'qualifying',
  'routing',
  'proposing',
  'awaiting_reply',
  'booking',
  /** A meeting is ahead: the lead is active, and answers the buyer (contract section 6). */
  'booked',
  /** New times offered for a booked meeting, which stands until a new one is booked. */
  'rescheduling',
  'held',
  /** The buyer missed the meeting; new times were offered once. */
  'no_show',
  'canceled',
  'unresponsive',
  'disqualified',
  'declined',
  'needs_attention',
] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];
/**
 * Stages a lead never leaves. (Leads from before Baton stayed with the meeting closed in `booked`;
 * their workflow is closed, which is what the API checks first.)
 */
export const FINAL_STAGES: readonly LeadStage[] = ['held', 'canceled', 'unresponsive', 'disqualified', 'declined'];

/** What happened at the meeting: `unconfirmed` while nobody said, `canceled` when it never took place. */
export const MEETING_OUTCOMES = ['scheduled', 'unconfirmed', 'held', 'no_show', 'rep_no_show', 'canceled'] as const;
export type MeetingOutcome = (typeof MEETING_OUTCOMES)[number];
/** What the rep (or ops) may report after the meeting: `POST /v1/leads/:id/outcome`. */
export const REPORTED_OUTCOMES = ['held', 'no_show', 'rep_no_show'] as const;
export type ReportedOutcome = (typeof REPORTED_OUTCOMES)[number];
