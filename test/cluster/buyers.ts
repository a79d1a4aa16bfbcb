/**
 * Buyers and their chat frontend, over HTTP against the API processes: leads are submitted with the
 * API key (as a chat frontend does), and each buyer reads and answers their own lead with its buyer
 * token, through either API process. Every answer is logged, so the test can say that no 5xx other
 * than the documented 503s (with Retry-After) ever reached a buyer; 503s are
 * retried as the widget retries them (web/static/widget.js): after Retry-After, looking at the lead
 * first so that nothing is sent twice.
 */
import type { Client } from '@temporalio/client';
import { decodeLeadId } from '../../domain/qualify/lead-id';
import { mapLimit, sleep } from '../../scripts/bench-lib';
import { LeadStageKey } from '../../workflows/lead/search-attributes';
import { statusQuery, type LeadStage, type LeadStatus, type Proposal } from '../../workflows/lead/messages';
import { changeHeldBack, type EarlierTime } from '../chaos/meetings';
import { API_KEY } from './baton';

export interface ApiReply {
  status: number;
  // The API's JSON, as a client sees it.
  body: Record<string, any>;
  retryAfter: string | null;
}

/**
 * The API's 503s (api/errors.ts, /openapi.json): Temporal unreachable, a lead whose workflow task
 * is being retried, or no worker polling the lead's queue for a moment (its pollers were cut off
 * with the history service).
 */
const DOCUMENTED_503 = ['temporal_unavailable', 'lead_not_ready', 'worker_unavailable'];

/** What the APIs answered, over the whole run. */
export class ApiLog {
  readonly byStatus = new Map<number, number>();
  /** 5xx that are not the documented 503, and requests that got no answer at all. */
  readonly undocumented: string[] = [];
  /** Documented 503s (with Retry-After) per route and code. */
  readonly unavailable = new Map<string, number>();

  private readonly t0 = Date.now();

  record(method: string, route: string, r: ApiReply | Error): void {
    const at = `${((Date.now() - this.t0) / 1000).toFixed(1)}s`;
    if (r instanceof Error) return void this.undocumented.push(`${at} ${method} ${route}: no answer (${r.message})`);
    this.byStatus.set(r.status, (this.byStatus.get(r.status) ?? 0) + 1);
    if (r.status < 500) return;
    if (r.status === 503 && DOCUMENTED_503.includes(r.body?.error?.code) && r.retryAfter) {
      const key = `${method} ${route} ${r.body.error.code}`;
      this.unavailable.set(key, (this.unavailable.get(key) ?? 0) + 1);
    } else {
      this.undocumented.push(`${at} ${method} ${route}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
  }
}

/** The widget's reading of Retry-After (seconds), kept between 1 s and a minute. */
const retryDelay = (header: string | null) => Math.min(Math.max(/^\d+$/.test(header ?? '') ? Number(header) * 1000 : 5_000, 1_000), 60_000);

export class Apis {
  private next = 0;
  constructor(
    readonly urls: string[],
    readonly log: ApiLog,
  ) {}

  /** One request through the next API process (round robin), or through `api` when given. */
  async call(method: string, path: string, o: { body?: unknown; token?: string; api?: number } = {}): Promise<ApiReply> {
    const url = this.urls[o.api ?? this.next++ % this.urls.length]!;
    const route = path.replace(/\/v1\/leads\/[^/]+/, '/v1/leads/:leadId');
    try {
      const res = await fetch(url + path, {
        method,
        headers: { Authorization: `Bearer ${o.token ?? API_KEY}`, ...(o.body ? { 'Content-Type': 'application/json' } : {}) },
        ...(o.body ? { body: JSON.stringify(o.body) } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      const reply = { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, retryAfter: res.headers.get('retry-after') };
      this.log.record(method, route, reply);
      return reply;
    } catch (err) {
      this.log.record(method, route, err as Error);
      throw err;
    }
  }

  /**
   * `call`, retried while the answer is 503 or 429, after the Retry-After it carries. Before a
   * resend, `landed` may say the previous attempt went through after all (a reply to use), that it
   * did not (`false`: send again) or that it cannot tell yet (`null`: wait and look again).
   */
  async persistent(
    method: string,
    path: string,
    o: { body?: unknown; token?: string; api?: number } = {},
    landed?: () => Promise<ApiReply | false | null>,
    deadline = Date.now() + 4 * 60_000,
  ): Promise<ApiReply & { retried: number }> {
    let retried = 0;
    for (;;) {
      const r = await this.call(method, path, o);
      if ((r.status !== 503 && r.status !== 429) || Date.now() > deadline) return { ...r, retried };
      retried++;
      let wait = retryDelay(r.retryAfter);
      for (;;) {
        await sleep(wait);
        const seen = landed ? await landed().catch(() => null) : false;
        if (seen) return { ...seen, retried };
        if (seen === false || Date.now() > deadline) break;
        wait = 5_000;
      }
    }
  }
}

export interface LeadView {
  stage: LeadStage;
  proposals: Proposal[];
  booking: { proposalId: string; start: string; end: string } | null;
  meeting: { outcome: string; reschedules: number } | null;
  messages: { id: number; from: 'buyer' | 'agent'; text: string }[];
}

/** What a buyer does once the meeting is booked: keep it, move it an hour later, or cancel it. */
export type AfterBooking = 'keep' | 'reschedule' | 'cancel';

export interface Buyer {
  i: number;
  email: string;
  /** How this buyer answers: the booking button (an update) or a chat reply (a signal). */
  plan: 'book' | 'choose';
  afterBooking: AfterBooking;
  /** The steps of JOURNEYS[afterBooking] this buyer goes through. */
  journey: JourneyStep[];
  leadId?: string;
  token?: string;
  workflowId?: string;
  runId?: string;
  /** Index into `journey` of the step the lead is on. */
  step: number;
  /** The proposal round last answered (fresh proposals after a conflict start a new one). */
  answeredRound?: string;
  /** After booking: the meeting's first time and event, as the buyer saw them before moving it. */
  firstStart?: number;
  /** The record's `meeting.bookedAt` for that first time. */
  firstBookedAt?: number;
  firstEventId?: string;
  asked?: boolean;
  /** The new time picked last. */
  picked?: { round: string; start: string };
  canceled?: boolean;
  /** Moves and cancels held back while a reminder of the meeting was due (meetings.ts says why). */
  heldBack?: number;
  /** Not driven while true (the test answers it itself, during an outage). */
  hold?: boolean;
  /** Ended in needs_attention: a person took over (after repeated conflicts); not lost, not booked. */
  handedOff?: boolean;
  submittedAt?: number;
  doneAt?: number;
}

/**
 * Buyer `i`: books with the button or in words (every other one); with `afterBooking`, one in five
 * then moves the meeting an hour later and one in ten cancels it (half of those by message, half
 * through POST /cancel); the others keep it.
 */
export function buyer(i: number, tag: string, o: { afterBooking?: boolean } = {}): Buyer {
  const afterBooking: AfterBooking = !o.afterBooking ? 'keep' : i % 5 === 1 ? 'reschedule' : i % 10 === 3 ? 'cancel' : 'keep';
  return { i, email: `buyer-${i}@${tag}-shop${i}.example`, plan: i % 2 === 0 ? 'book' : 'choose', afterBooking, journey: JOURNEYS[afterBooking], step: 0 };
}

const MESSAGES = [
  'We are a 300-person logistics company in Ohio; can we see a demo?',
  'SaaS startup, 40 people, Austin. Looking to route inbound demo requests.',
  'Hospital network in Seattle, about 2,000 staff, evaluating lead routing.',
];

/** POST /v1/leads with the API key, retried through outages; the lead's ids and buyer token. */
export async function submit(b: Buyer, apis: Apis): Promise<void> {
  b.submittedAt = Date.now();
  const body = { email: b.email, name: `Buyer ${b.i}`, company: `Shop ${b.i}`, message: MESSAGES[b.i % MESSAGES.length] };
  // A 503 may hide a start that happened: the retry then joins it (200, with the token for the API key).
  const r = await apis.persistent('POST', '/v1/leads', { body });
  if (r.status !== 202 && r.status !== 200) throw new Error(`POST /v1/leads for ${b.email}: ${r.status} ${JSON.stringify(r.body)}`);
  const ids = decodeLeadId(r.body.leadId as string);
  if (!ids) throw new Error(`POST /v1/leads answered a malformed leadId ${r.body.leadId}`);
  Object.assign(b, { leadId: r.body.leadId, token: r.body.buyerToken, ...ids });
}

export async function view(b: Buyer, apis: Apis): Promise<LeadView | null> {
  const r = await apis.call('GET', `/v1/leads/${b.leadId}`, { token: b.token! });
  return r.status === 200 ? (r.body as LeadView) : null;
}

/** Before a resend: true while it must wait (a reminder of the meeting is due), so nothing races it. */
type Hold = () => Promise<boolean>;

/** The buyer's chat reply, never sent twice: a later buyer message with the same text is this one. */
export function sendMessage(b: Buyer, text: string, apis: Apis, before: LeadView, hold?: Hold) {
  const known = new Set(before.messages.map((m) => m.id));
  return apis.persistent('POST', `/v1/leads/${b.leadId}/messages`, { body: { text }, token: b.token! }, async () => {
    const now = await view(b, apis);
    if (!now) return null;
    if (now.messages.some((m) => m.from === 'buyer' && m.text === text && !known.has(m.id))) return { status: 202, body: { leadId: b.leadId }, retryAfter: null };
    return hold && (await hold()) ? null : false;
  });
}

/**
 * The booking button, for the first booking or a new time after booking: booked at this proposal
 * meanwhile stands; a proposal no longer on offer is a conflict.
 */
export function bookTime(b: Buyer, proposalId: string, apis: Apis, hold?: Hold) {
  return apis.persistent('POST', `/v1/leads/${b.leadId}/booking`, { body: { proposalId }, token: b.token! }, async () => {
    const now = await view(b, apis);
    if (!now) return null;
    if (now.booking?.proposalId === proposalId) return { status: 200, body: { booking: now.booking }, retryAfter: null };
    if (!['awaiting_reply', 'rescheduling'].includes(now.stage) || !now.proposals.some((p) => p.id === proposalId)) return { status: 409, body: { error: { code: 'lead_state_conflict' } }, retryAfter: null };
    return hold && (await hold()) ? null : false;
  });
}

/** Answers the proposals on offer, once per round; buyers pick different options, as people do. */
async function chooseTime(b: Buyer, lead: LeadView, apis: Apis): Promise<void> {
  if (lead.proposals.length === 0) return;
  const round = lead.proposals[0]!.id.split('-')[0]!;
  if (b.answeredRound === round) return;
  // Those who will move it pick a later option: the first is within the 2 h reschedule cutoff.
  const n = lead.proposals.length;
  const pick = b.afterBooking === 'reschedule' && n > 1 ? 1 + ((b.i + Number(round)) % (n - 1)) : (b.i + Number(round)) % n;
  const r = b.plan === 'book' ? await bookTime(b, lead.proposals[pick]!.id, apis) : await sendMessage(b, `Option ${pick + 1} works for me`, apis, lead);
  // 200/202 answered; 409 is a conflict (fresh proposals: the next round) or a lead already moving on.
  if (r.status < 500) b.answeredRound = round;
}

/** What a step may use besides the API: the lead's own record (the test's view, never the buyer's) and the team's reminders. */
export interface JourneyContext {
  client: Client;
  reminders: readonly number[];
}

export interface JourneyStep {
  name: string;
  /** The stage at which the buyer acts (again whenever the lead comes back to it). */
  actsAt: LeadStage;
  act(b: Buyer, lead: LeadView, apis: Apis, ctx: JourneyContext): Promise<void>;
  /** The stage that completes this step. */
  until: LeadStage;
}

const record = (b: Buyer, ctx: JourneyContext): Promise<LeadStatus> => ctx.client.workflow.getHandle(b.workflowId!, b.runId!).query(statusQuery);

/** What the buyer saw of the meeting's first time before moving it, for the audit (meetings.ts). */
export const earlierTimes = (b: Buyer): EarlierTime[] => [{ ...(b.firstStart ? { start: b.firstStart } : {}), ...(b.firstBookedAt ? { bookedAt: b.firstBookedAt } : {}) }];

/**
 * A move or a cancel waits while the hand-off is not done or a reminder of the standing meeting is
 * due, unsent: which the workflow saw first would be a race, and the audit expects one outbox
 * (meetings.ts, changeHeldBack). True: hold back now.
 */
async function holdFor(b: Buyer, ctx: JourneyContext): Promise<boolean> {
  const now = await record(b, ctx).catch(() => null);
  const holding = !now || changeHeldBack(now, ctx.reminders, Date.now()) !== null;
  if (holding) b.heldBack = (b.heldBack ?? 0) + 1;
  return holding;
}

const ASK_TO_MOVE = 'Something came up, can we push it an hour later?';
const CANCEL = 'Sorry, plans changed on our side, please cancel the meeting.';

/** "Can we push it an hour later?", once; the meeting stands until a new time is picked. */
async function askToMove(b: Buyer, lead: LeadView, apis: Apis, ctx: JourneyContext): Promise<void> {
  if (b.asked) return;
  const now = await record(b, ctx);
  // The meeting's life starts once the hand-off is done; its bookedAt is what the audit needs.
  if (!now.meeting) return;
  b.firstStart ??= Date.parse(now.booking!.start);
  b.firstBookedAt ??= Date.parse(now.meeting.bookedAt);
  b.firstEventId ??= now.booking!.eventId;
  const r = await sendMessage(b, ASK_TO_MOVE, apis, lead);
  if (r.status === 202) b.asked = true;
}

/** The first of the new times ("an hour later" when it is open), once per round: in words or with the button. */
async function pickFirstNewTime(b: Buyer, lead: LeadView, apis: Apis, ctx: JourneyContext): Promise<void> {
  const first = lead.proposals[0];
  if (!first) return;
  const round = first.id.split('-')[0]!;
  if (b.picked?.round === round || (await holdFor(b, ctx))) return;
  b.picked = { round, start: first.start };
  const hold = () => holdFor(b, ctx);
  const r = b.plan === 'book' ? await bookTime(b, first.id, apis, hold) : await sendMessage(b, 'the first one', apis, lead, hold);
  // 200/202 picked; 409 taken meanwhile (fresh times: the next round). Otherwise it is tried again.
  if (r.status >= 500) b.picked = undefined;
}

/** Cancels the meeting, once: by message ("please cancel"), or through POST /cancel with the buyer token. */
async function cancelMeeting(b: Buyer, lead: LeadView, apis: Apis, ctx: JourneyContext): Promise<void> {
  if (b.canceled || (await holdFor(b, ctx))) return;
  const hold = () => holdFor(b, ctx);
  const r =
    b.i % 20 < 10
      ? await sendMessage(b, CANCEL, apis, lead, hold)
      : await apis.persistent('POST', `/v1/leads/${b.leadId}/cancel`, { body: { reason: 'plans changed' }, token: b.token! }, async () => {
          const now = await view(b, apis);
          if (!now) return null;
          if (now.stage === 'canceled') return { status: 200, body: { stage: now.stage }, retryAfter: null };
          return (await hold()) ? null : false;
        });
  if (r.status === 200 || r.status === 202) b.canceled = true;
}

const CHOOSE: JourneyStep = { name: 'choose one of the proposed times', actsAt: 'awaiting_reply', act: chooseTime, until: 'booked' };

/**
 * A lead's whole lifecycle, as buyers drive it, in order: to the booking, then what the buyer does
 * with the meeting. The driver, the checks and the figures follow by themselves.
 */
export const JOURNEYS: Record<AfterBooking, JourneyStep[]> = {
  keep: [CHOOSE],
  reschedule: [
    CHOOSE,
    { name: 'ask to move it an hour later', actsAt: 'booked', act: askToMove, until: 'rescheduling' },
    { name: 'take the first new time', actsAt: 'rescheduling', act: pickFirstNewTime, until: 'booked' },
  ],
  cancel: [CHOOSE, { name: 'cancel the meeting', actsAt: 'booked', act: cancelMeeting, until: 'canceled' }],
};

/** Stage of every lead workflow on the task queue, from visibility (running or closed). */
export async function stagesOf(client: Client, taskQueue: string): Promise<Map<string, string>> {
  const stages = new Map<string, string>();
  for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND WorkflowType = "leadWorkflow"` })) {
    stages.set(wf.workflowId, wf.typedSearchAttributes.get(LeadStageKey) ?? wf.status.name);
  }
  return stages;
}

/**
 * Drives every submitted buyer through their journey until all have finished it or `deadline` passes.
 * `expected` is how many buyers there will be (some are still being submitted); `onStages` sees each
 * visibility snapshot (the test measures recovery from it).
 */
export async function drive(o: {
  buyers: () => Buyer[];
  expected: number;
  client: Client;
  taskQueue: string;
  apis: Apis;
  deadline: number;
  reminders: readonly number[];
  onStages?: (stages: Map<string, string>) => void;
}): Promise<void> {
  const ctx: JourneyContext = { client: o.client, reminders: o.reminders };
  while (Date.now() < o.deadline) {
    let stages: Map<string, string>;
    try {
      stages = await stagesOf(o.client, o.taskQueue);
    } catch {
      await sleep(1_000); // Temporal restarting
      continue;
    }
    o.onStages?.(stages);
    const all = o.buyers();
    const todo: Buyer[] = [];
    for (const b of all) {
      if (!b.workflowId || b.step >= b.journey.length) continue;
      const stage = stages.get(b.workflowId);
      if (stage === 'needs_attention') {
        Object.assign(b, { step: b.journey.length, handedOff: true, doneAt: Date.now() });
      } else if (stage === b.journey[b.step]!.until) {
        b.step++;
        if (b.step === b.journey.length) b.doneAt = Date.now();
      } else if (!b.hold && stage === b.journey[b.step]!.actsAt) todo.push(b);
    }
    if (all.length >= o.expected && all.every((b) => b.step >= b.journey.length)) return;
    await mapLimit(todo, 8, async (b) => {
      const step = b.journey[b.step]!;
      const lead = await view(b, o.apis).catch(() => null);
      if (lead?.stage === step.actsAt) await step.act(b, lead, o.apis, ctx).catch(() => {});
    });
    await sleep(1_000);
  }
}
