/**
 * How a lead's steps run — the plumbing that business steps never see: which proxy (local
 * activity, remote activity, the model's), timeouts and retries, the `patched()` gates that chose
 * them for leads in flight, parking in `needs_attention` until ops resume, and the
 * search-attribute flush before the workflow task ends. A business step calls `lead.steps.<name>()`.
 */
import { condition, patched, proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { BatonActivities } from '../../activities';
import { SlotConflict } from '../../domain/errors';
import { isFailureOf, stepFailure } from '../failures';
import { ApplicationFailure } from '@temporalio/common';

type Activities = BatonActivities;
export type StepName = keyof Activities;

/**
 * How each activity runs, declared once:
 * - `write`: a remote activity (it changes the outside world: a task-queue round trip, retried by Temporal);
 * - `read`: only reads and is safe to repeat, so (for leads since `local-read-steps`) a local activity in the
 *   worker, inside the lead's workflow task, with no task-queue round trip (bench/README.md); with a model
 *   configured too since `local-reads-with-model` (only the model's own steps need a remote activity's timeout);
 * - `route`: a read plus one idempotent write, the pool's turn (by request id) — local since `local-route-one-upsert`,
 *   when pools answer from their own task queue and worker slots, so a lead waiting on one cannot starve it;
 * - `model`: uses the LLM when one is configured (a remote activity with the model's timeout), else like `read`;
 * - `local`: always a local activity (only leads that reach it under the code that has it call it);
 * - `crm`: a CRM write (or the intro email), de-duplicated by a search that only finds the first try's
 *   write once the provider's index shows it, so retried no sooner than that (since `one-crm-write-per-activity`).
 */
type Runs = 'write' | 'read' | 'route' | 'model' | 'local' | 'crm';
/** `resumable`: the step's input takes `resumed`, true when it runs again after ops resumed it (its first try may have written). */
const HOW: Record<StepName, { label: string; runs: Runs; resumable?: true }> = {
  leadPolicy: { label: 'load the team policy', runs: 'local' },
  qualifyLead: { label: 'qualify', runs: 'model' },
  routeLead: { label: 'route', runs: 'route' },
  findTimes: { label: 'find times', runs: 'read' },
  findTimesWith: { label: 'find times', runs: 'read' },
  chooseCover: { label: 'find a cover', runs: 'write' },
  classifyReply: { label: 'understand reply', runs: 'model' },
  bookMeeting: { label: 'book', runs: 'write' },
  writeBriefing: { label: 'brief', runs: 'model' },
  recordBooking: { label: 'record in CRM', runs: 'write' },
  recordCrmContact: { label: 'record contact in CRM', runs: 'crm' },
  recordCrmMeeting: { label: 'record meeting in CRM', runs: 'crm', resumable: true },
  recordCrmBriefing: { label: 'record briefing in CRM', runs: 'crm', resumable: true },
  sendIntroEmail: { label: 'intro email', runs: 'crm', resumable: true },
  createFollowUpTask: { label: 'hand to a human', runs: 'crm' },
  recordDisqualified: { label: 'record disqualification', runs: 'crm' },
  // After booking (leads that stay with their meeting: all of them are newer than the CRM gate).
  sendReminder: { label: 'reminder email', runs: 'crm', resumable: true },
  moveMeeting: { label: 'move the meeting', runs: 'write' },
  cancelMeeting: { label: 'cancel the meeting', runs: 'write' },
  updateCrmMeeting: { label: 'update the CRM meeting', runs: 'write' },
  notifyReps: { label: 'notify the rep', runs: 'crm', resumable: true },
  createRepTask: { label: 'task for the rep', runs: 'crm', resumable: true },
  checkMeeting: { label: 'check the reps before the meeting', runs: 'write' },
  coverMeeting: { label: 'cover for a rep', runs: 'write' },
  // The pool hears what happened to the meeting it gave out (a signal, idempotent by key).
  reportMeetingToPool: { label: 'tell the pool', runs: 'write' },
};

/**
 * Provider calls retry with backoff on outages (ProviderUnavailable honours Retry-After through
 * `nextRetryDelay`); errors retrying cannot fix come back at once, marked non-retryable by their
 * class (workflows/failures.ts).
 */
const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8 } satisfies ActivityOptions['retry'];
const remote = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry });
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry });
/**
 * The steps that may ask the model (qualify, understand a reply, brief). Each one keeps to the
 * model's time budget by itself (BATON_LLM_TIMEOUT_MS, at most 30 s: integrations/llm-budget.ts)
 * and then takes the deterministic path, so it never fails because the model is slow or down and
 * Temporal's retries are left for a worker that died mid-step. The timeout is the largest budget
 * plus room for the deterministic work: a step inside its budget is never cut off, and a lost
 * worker costs 40 s instead of 90 s.
 */
const model = proxyActivities<Activities>({ startToCloseTimeout: '40s', retry: { ...retry, maximumAttempts: 3 } });

/**
 * How long HubSpot's search index may take to show a write: HubSpot documents only "it may take a
 * few moments for newly created or updated CRM objects to appear in search results"; the figure it
 * is given elsewhere is 10 s (Okta's HubSpot connector documentation: "wait 10 seconds after using
 * a Create card" before searching for the record).
 */
export const CRM_SEARCH_INDEX_LAG_MS = 10_000;

/**
 * CRM writes are de-duplicated by searching for their key's marker (integrations/hubspot/crm.ts),
 * which only works once the index shows the first try's write: a retry sooner than the index lag
 * would not find it and write twice, so CRM steps wait 15 s before their first retry. The intro
 * email gets the same floor: SendGrid's Email Activity feed (integrations/sendgrid/email.ts) shows a
 * message only once SendGrid has processed it, and SendGrid does not say how soon.
 */
export const crmRetry = { ...retry, initialInterval: '15s', maximumInterval: '2m' } as const;
const crm = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry: crmRetry });

/** What the runner needs from the lead: its stage, to park and resume it. */
export interface Parkable {
  park(reason: string): void;
  unpark(): void;
  readonly resumeRequested: boolean;
  /** Called before anything that ends the workflow task (a remote activity, a wait). */
  flush(): void;
}

/**
 * A lead started since this gate runs every step the way the gates below chose, and takes this one
 * marker in its first workflow task instead of theirs. A gate added later is read on its own again.
 */
const EVERY_GATE_OPEN = 'every-gate-open';

/** Gates a lead reads after its start: leads from before EVERY_GATE_OPEN took them in their first workflow task (constructor). */
const LATER_GATES = ['one-crm-write-per-activity', 'stay-until-held', 'meeting-events-to-pools', 'local-reads-with-model'] as const;
type LaterGate = (typeof LATER_GATES)[number];

export class StepRunner {
  /** Routing runs locally, and a lead goes from received to proposals in one workflow task. */
  readonly fastStart: boolean;
  /** Without an LLM, qualify, find times and the briefing run as local activities. */
  private readonly localReadsAllowed: boolean;
  private readonly laterGates = new Map<LaterGate, boolean>();

  /**
   * `started` is the policy the lead was started with, if any: leads started before the worker
   * decided the policy have one, and were recorded with the gates evaluated in this order.
   */
  constructor(
    private readonly lead: Parkable & { readonly policy: { readonly useLlm: boolean } },
    started: { readonly useLlm: boolean } | undefined,
  ) {
    // One marker stands for every gate before it: each patch marker costs a history event and an
    // upsert of the TemporalChangeVersion search attribute (a visibility write on the server), and a
    // lead took five in its first workflow task, again in every run it continued into (bench/README.md).
    if (patched(EVERY_GATE_OPEN)) {
      this.fastStart = true;
      this.localReadsAllowed = true;
      for (const gate of LATER_GATES) this.laterGates.set(gate, true);
      return;
    }
    // Leads started before each gate replay with the proxies they were recorded with (test/infra/replay.test.ts).
    this.fastStart = patched('local-route-one-upsert');
    this.localReadsAllowed = this.fastStart || (started !== undefined && !started.useLlm && patched('local-read-steps'));
    // Leads from before EVERY_GATE_OPEN took the later gates here, so their markers come before its
    // first local activity. Read right after one, a gate can fail replay: when a workflow task that
    // started late is completed while a local activity runs (the SDK heartbeats it), the code after
    // the activity ran in the next task, but replay resolves the activity in the first and reads the
    // gate before it knows of the marker ("patch marker encountered … but there is no corresponding
    // change command"; seen in the cluster test). Leads recorded before that read them where they
    // always did: a gate that is not open here is read again at its place.
    for (const gate of LATER_GATES) if (patched(gate)) this.laterGates.set(gate, true);
  }

  private later(gate: LaterGate): boolean {
    let open = this.laterGates.get(gate);
    if (open === undefined) this.laterGates.set(gate, (open = patched(gate)));
    return open;
  }

  private proxyFor(runs: Runs): Activities {
    // The policy (and so the LLM) is known from the lead's first step on, which runs `local`.
    const localReads = () => !this.lead.policy.useLlm && this.localReadsAllowed;
    switch (runs) {
      case 'write':
        return remote;
      case 'local':
        return local;
      case 'read':
        return localReads() || (this.lead.policy.useLlm && this.readsLocallyWithModel()) ? local : remote;
      case 'route':
        return this.fastStart ? local : remote;
      case 'model':
        return this.lead.policy.useLlm ? model : localReads() ? local : remote;
      case 'crm':
        return this.writesCrmApart() ? crm : remote;
    }
  }

  /**
   * Since `local-reads-with-model`, a lead with a model runs its reads (finding times) as local
   * activities as well, in the workflow task that follows the model's step, instead of a remote
   * activity's task-queue round trip and one more workflow task. Leads with a model recorded before
   * it ran them remote; such leads read the gate at their first read, so their histories replay.
   */
  private readsLocallyWithModel(): boolean {
    return this.fastStart && this.later('local-reads-with-model');
  }

  /**
   * Since `one-crm-write-per-activity`, each CRM write is an activity of its own with the CRM's retry
   * floor; leads recorded before it made the booking's three writes in one (`recordBooking`). Such
   * leads read the gate where they first wrote to the CRM, so their histories replay.
   */
  writesCrmApart(): boolean {
    return this.later('one-crm-write-per-activity');
  }

  /** Since `stay-until-held`, a booked lead stays with its meeting; leads booked before it closed at booking. */
  staysWithMeeting(): boolean {
    return this.later('stay-until-held');
  }

  /** Since `meeting-events-to-pools`, a lead tells its pools how its meeting went; leads from before it never did. */
  tellsPools(): boolean {
    return this.later('meeting-events-to-pools');
  }

  /** Every activity, run the way HOW says, parked on failures retries cannot fix. */
  readonly steps: Activities = new Proxy({} as Activities, {
    get: (_target, name: StepName) => {
      const how = HOW[name];
      return (...args: unknown[]) => {
        let tries = 0;
        return this.run(how.label, this.proxyFor(how.runs), (a) => {
          const [first, ...rest] = args;
          const input = how.resumable && tries++ > 0 ? { ...(first as object), resumed: true } : first;
          return (a[name] as (...x: unknown[]) => Promise<unknown>)(input, ...rest);
        });
      };
    },
  });

  /**
   * Runs a step; when a provider fails in a way retries cannot fix (bad credentials, rejected
   * request, retries exhausted), the lead shows `needs_attention` with the reason and waits for an
   * ops `resume` signal, then tries the step again. Slot conflicts are the business step's to handle.
   */
  private async run<T>(label: string, via: Activities, call: (steps: Activities) => Promise<T>): Promise<T> {
    for (;;) {
      // Anything but a local activity ends the workflow task: what ops search on goes out with it.
      if (via !== local) this.lead.flush();
      try {
        return await call(via);
      } catch (err) {
        const failure = stepFailure(err);
        if (!failure || isFailureOf(err, SlotConflict)) throw err;
        const cause = failure instanceof ApplicationFailure ? `${failure.type}: ${failure.message}` : failure.message;
        this.lead.park(`${label} failed: ${cause}`);
        this.lead.flush();
        await condition(() => this.lead.resumeRequested);
        this.lead.unpark();
      }
    }
  }
}
