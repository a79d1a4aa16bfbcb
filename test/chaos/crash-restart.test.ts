/**
 * 500 leads in flight while the worker is SIGKILLed twice and restarted, and the Temporal dev server
 * is stopped and started again on its SQLite file; buyers keep answering meanwhile (through the API,
 * retrying what fails while Temporal is away), and after booking some move their meeting an hour
 * later and some cancel it. Afterwards nothing is lost, nothing is booked twice, the calendar holds
 * exactly the meetings still booked (each at its latest time) and the outbox exactly the emails due.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeadId } from '../../domain/qualify/lead-id';
import { findRep } from '../../domain/team/config';
import type { Team } from '../../domain/team/team';
import { loadTeam } from '../../runtime/load';
import { mapLimit, sleep } from '../../scripts/bench-lib';
import { LeadStageKey } from '../../workflows/lead/search-attributes';
import { statusQuery, type LeadStage, type LeadStatus } from '../../workflows/lead/messages';
import { WorkerSupervisor } from './supervisor';
import { bookedEvents, chaosEnv, isSettled, leadRecord, overlaps, type ChaosEnv } from './env';
import { auditLead, calendarByLead, changeHeldBack, emailsByLead, meetingVersions, reminderTimes, settleWait } from './meetings';

const LEADS = Number(process.env.CHAOS_LEADS ?? 500);
const DEADLINE_MS = 6 * 60_000;
/** How long a reminder that came due may take to reach the outbox, once the chaos is over. */
const REMINDER_SETTLE_MS = 90_000;

type Plan = 'silent' | 'decline' | 'book' | 'choose' | 'reschedule' | 'cancel';
/**
 * One buyer in ten never answers, one declines, one books through the update, one books and then
 * moves the meeting an hour later, one books and then cancels; the rest reply in words.
 */
const planOf = (i: number): Plan => (['silent', 'decline', 'book', 'reschedule', 'cancel'] as const)[i % 10] ?? 'choose';
/** Half of the movers pick the new time with the booking button, half say "the first one"; half of the cancels go through POST /cancel. */
const byButton = (i: number) => Math.floor(i / 10) % 2 === 1;
const MESSAGES = [
  'We are a 300-person logistics company in Ohio; can we see a demo?',
  'SaaS startup, 40 people, Austin. Looking to route inbound demo requests.',
  'Hospital network in Seattle, about 2,000 staff, evaluating lead routing.',
];
const ASK_TO_MOVE = 'Something came up, can we push it an hour later?';
const CANCEL = 'Sorry, plans changed on our side, please cancel the meeting.';

/** An answer no buyer should get: fails the test (errors from Temporal being away are retried instead). */
class Unexpected extends Error {}

interface Started {
  i: number;
  plan: Plan;
  leadId: string;
  workflowId: string;
  runId: string;
  email: string;
  answeredRound?: string;
  /** The meeting's first time, as the buyer saw it before moving it. */
  firstStart?: number;
  /** The record's `meeting.bookedAt` for that first time. */
  firstBookedAt?: number;
  firstEventId?: string;
  asked?: boolean;
  /** The new time the buyer picked last; `unsure` while the API could not say whether the pick arrived. */
  picked?: { round: string; start: string; unsure?: boolean };
  canceled?: boolean;
  /** This buyer's part is over (the lead may still be running, e.g. booked). */
  done?: boolean;
}

let env: ChaosEnv;
let team: Team;
let supervisor: WorkerSupervisor;
beforeAll(async () => {
  // 100 reps: about 4 booking buyers per rep, so most leads book at the first or second try.
  env = await chaosEnv({ name: 'crash', reps: 100 });
  team = await loadTeam(env.teamFile);
});
afterAll(async () => {
  supervisor?.stop(); // cleanup's kill is no crash
  await env?.cleanup();
});

describe('chaos: crashes and restarts under load', () => {
  it(`${LEADS} leads, with moves and cancels after booking, survive two worker SIGKILLs and a dev server restart: none lost, none double-booked, the calendar and outbox exact`, async () => {
    const t0 = Date.now();
    const deadline = t0 + DEADLINE_MS;
    const timeline: string[] = [];
    const note = (what: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
    const started = new Map<number, Started>();
    let answers = 0;
    let apiFailures = 0;
    let heldBack = 0;
    const unexpected: string[] = [];
    const offsets = team.booking.reminders;

    // A process supervisor's job: a worker that dies on its own (not by our SIGKILL) is noted and restarted.
    supervisor = new WorkerSupervisor({ current: () => env.worker(), start: () => env.startWorker() }, note);

    // ── buyers submit leads (about 25 a second), retrying while Temporal is away ──
    const launch = mapLimit(Array.from({ length: LEADS }, (_, i) => i), 16, async (i) => {
      const due = t0 + i * 40;
      if (due > Date.now()) await sleep(due - Date.now());
      const email = `chaos-${i}@buyer${i}.example`;
      const body = { email, name: `Buyer ${i}`, company: `Buyer ${i} Inc`, message: MESSAGES[i % MESSAGES.length] };
      while (Date.now() < deadline) {
        const res = await env.post('/v1/leads', body).catch(() => null);
        if (res && (res.status === 202 || res.status === 200)) {
          const { leadId } = (await res.json()) as { leadId: string };
          const ids = decodeLeadId(leadId)!;
          started.set(i, { i, plan: planOf(i), leadId, email, ...ids });
          return;
        }
        apiFailures++;
        if (res && res.status < 500 && res.status !== 429) throw new Error(`POST /v1/leads answered ${res.status}: ${await res.text()}`);
        await sleep(500);
      }
    });
    let launched = false;
    // Its failure is the test's (awaited below); this copy must not count as unhandled.
    launch.then(() => (launched = true), () => {});

    const status = (s: Started) => env.client.workflow.getHandle(s.workflowId, s.runId).query(statusQuery);
    /**
     * The buyer's chat message, sent once: when the API could not say whether it arrived (Temporal
     * away), the lead is looked at before sending again (a query sees every signal accepted before it).
     */
    const say = async (s: Started, text: string, before: LeadStatus): Promise<boolean> => {
      const seen = new Set(before.events.map((e) => e.id));
      while (Date.now() < deadline) {
        const res = await env.post(`/v1/leads/${s.leadId}/messages`, { text }).catch(() => null);
        if (res?.status === 202) return true;
        apiFailures++;
        if (res && res.status < 500 && res.status !== 429) throw new Unexpected(`${s.workflowId}: message answered ${res.status}: ${await res.text()}`);
        for (;;) {
          await sleep(1_000);
          const now = await status(s).catch(() => null);
          if (!now) continue;
          if (now.events.some((e) => !seen.has(e.id) && e.message?.from === 'buyer' && e.message.text === text)) return true;
          break;
        }
      }
      return false;
    };

    // ── before booking: buyers answer the proposals they see (again after a conflict's fresh proposals) ──
    const answer = async (s: Started) => {
      const view = await env.get(`/v1/leads/${s.leadId}`);
      if (view.status !== 200) return void apiFailures++;
      const lead = (await view.json()) as { stage: LeadStage; proposals: { id: string }[] };
      if (lead.stage !== 'awaiting_reply' || lead.proposals.length < 2) return;
      const round = lead.proposals[0]!.id.split('-')[0]!;
      if (s.answeredRound === round) return;
      // Buyers pick different options (as people do), so leads of one rep do not all race for one
      // slot; those who will move it pick a later one (the first is within the 2 h reschedule cutoff).
      const n = lead.proposals.length;
      const pick = s.plan === 'reschedule' ? 1 + ((s.i + Number(round)) % (n - 1)) : (s.i + Number(round)) % n;
      const res =
        s.plan === 'book'
          ? await env.post(`/v1/leads/${s.leadId}/booking`, { proposalId: lead.proposals[pick]!.id })
          : await env.post(`/v1/leads/${s.leadId}/messages`, { text: s.plan === 'decline' ? 'Not interested, please stop.' : `Option ${pick + 1} works for me` });
      // 200/202 answered; 409 is a conflict (fresh proposals, answered next round) or a lead already moving on.
      if (res.status < 500) {
        s.answeredRound = round;
        answers++;
      } else apiFailures++;
    };

    // ── after booking: ask to move it an hour later, then take the first new time; or cancel ──
    const afterBooking = async (s: Started) => {
      const lead = await status(s);
      if (lead.stage === 'booked' && s.plan === 'reschedule' && (lead.meeting?.reschedules ?? 0) >= 1) return void (s.done = true);
      if (lead.stage === 'booked' && s.plan === 'reschedule' && !s.asked) {
        // The meeting's life starts once the hand-off is done; its bookedAt is what the audit needs.
        if (!lead.meeting) return;
        s.firstStart ??= Date.parse(lead.booking!.start);
        s.firstBookedAt ??= Date.parse(lead.meeting.bookedAt);
        s.firstEventId ??= lead.booking!.eventId;
        if (await say(s, ASK_TO_MOVE, lead)) s.asked = true;
        return;
      }
      // A move or a cancel never races one of the meeting's reminders (meetings.ts says why).
      const ending = (lead.stage === 'rescheduling' && s.plan === 'reschedule') || (lead.stage === 'booked' && s.plan === 'cancel' && !s.canceled);
      if (!ending) return;
      if (changeHeldBack(lead, offsets, Date.now())) return void heldBack++;
      if (s.plan === 'cancel') {
        const res = byButton(s.i) ? await env.post(`/v1/leads/${s.leadId}/cancel`, { reason: 'plans changed' }) : null;
        if (res && res.status >= 500) return void apiFailures++;
        // 409: canceled already, by an earlier try whose answer was lost.
        if (res && res.status !== 200 && res.status !== 409) throw new Unexpected(`${s.workflowId}: cancel answered ${res.status}: ${await res.text()}`);
        s.canceled = res ? true : await say(s, CANCEL, lead);
        return;
      }
      const first = lead.proposals[0];
      if (!first) return;
      const round = first.id.split('-')[0]!;
      if (s.picked?.round === round && !s.picked.unsure) return;
      s.picked = { round, start: first.start };
      const res = byButton(s.i) ? await env.post(`/v1/leads/${s.leadId}/booking`, { proposalId: first.id }) : null;
      // 409: taken meanwhile (fresh times, the next round) or already moved by an earlier try.
      if (res && res.status >= 500) return void (apiFailures++, (s.picked.unsure = true));
      if (res && res.status !== 200 && res.status !== 409) throw new Unexpected(`${s.workflowId}: booking answered ${res.status}: ${await res.text()}`);
      if (!res && !(await say(s, 'the first one', lead))) s.picked.unsure = true;
    };

    /** What each buyer still has to do, from the stages in visibility; true when everyone is done. */
    const drive = async (): Promise<boolean> => {
      const stages = new Map<string, string>();
      for await (const wf of env.client.workflow.list({ query: `TaskQueue = "${env.taskQueue}" AND WorkflowType = "leadWorkflow"` })) {
        stages.set(wf.workflowId, wf.typedSearchAttributes.get(LeadStageKey) ?? wf.status.name);
      }
      const todo: [Started, () => Promise<void>][] = [];
      for (const s of started.values()) {
        const stage = stages.get(s.workflowId);
        if (s.done || !stage) continue;
        if (stage === 'needs_attention' || ['declined', 'canceled', 'COMPLETED'].includes(stage)) s.done = true;
        else if (s.plan === 'silent') s.done = stage === 'awaiting_reply';
        else if (stage === 'awaiting_reply') todo.push([s, () => answer(s)]);
        else if (stage === 'booked' && (s.plan === 'book' || s.plan === 'choose')) s.done = true;
        else if (stage === 'booked' || stage === 'rescheduling') todo.push([s, () => afterBooking(s)]);
      }
      await mapLimit(todo, 8, ([, act]) =>
        act().catch((err) => {
          if (err instanceof Unexpected) unexpected.push(err.message);
          else apiFailures++; // Temporal away: the next round tries again
        }),
      );
      return launched && [...started.values()].every((s) => s.done);
    };
    const driveErrors = new Map<string, number>();
    const buyers = (async () => {
      while (Date.now() < deadline) {
        const finished = await drive().catch((err: Error) => {
          // Temporal restarting: the next round looks again (each kind of error noted once).
          const what = `${err.name}: ${err.message}`.slice(0, 200);
          if (!driveErrors.has(what)) note(`buyers could not look at the leads: ${what}`);
          driveErrors.set(what, (driveErrors.get(what) ?? 0) + 1);
          return false;
        });
        if (finished) return;
        await sleep(1_000);
      }
    })();

    // ── chaos: two SIGKILLs of the worker, one dev server restart, while leads flow ──
    const at = async (seconds: number) => {
      const due = t0 + seconds * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    };
    const kill = async (label: string) => {
      const killed = env.worker().pid;
      const sent = started.size;
      await supervisor.kill(2_000);
      note(`${label}: worker ${killed} SIGKILLed with ${sent} leads started, ${answers} answers sent; worker ${env.worker().pid} up`);
    };
    const afterBookingSoFar = () => {
      const all = [...started.values()];
      return `${all.filter((s) => s.asked).length} asked to move, ${all.filter((s) => s.picked).length} picked a new time, ${all.filter((s) => s.canceled).length} canceled`;
    };
    // Leads arrive over the first ~20 s; buyers answer from then on, and act after booking from ~15 s.
    await at(8);
    await kill('kill 1');
    await at(30);
    await kill('kill 2');
    await at(50);
    note(`dev server stopping with ${started.size} leads started, ${answers} answers sent; after booking: ${afterBookingSoFar()}`);
    await env.restartDevServer(2_000);
    note('dev server up again on the same SQLite file');

    await launch;
    note(`all ${started.size} leads started`);
    await buyers;
    note(`settled (answers sent: ${answers}; after booking: ${afterBookingSoFar()}; API calls that failed and were retried: ${apiFailures}; moves and cancels held back for a reminder: ${heldBack})`);

    // ── every lead accounted for, in the stage its buyer led it to ─────────────────
    if (started.size < LEADS || [...started.values()].some((s) => !s.done)) console.log(`chaos (crash/restart) timeline:\n  ${timeline.join('\n  ')}`);
    expect(started.size).toBe(LEADS);
    expect(unexpected, 'answers no buyer should get').toEqual([]);
    expect([...started.values()].filter((s) => !s.done).map((s) => s.workflowId), 'buyers who could not finish').toEqual([]);
    const runs: string[] = [];
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = "${env.taskQueue}" AND WorkflowType = "leadWorkflow"` })) runs.push(wf.workflowId);
    expect(runs.length, 'one workflow run per lead, no duplicates').toBe(LEADS);
    expect(new Set(runs)).toEqual(new Set([...started.values()].map((s) => s.workflowId)));

    // The lead's own record, closed leads included (a query replays a closed workflow on the worker).
    // A hand-off step lost with a SIGKILLed worker ends after 30 s (start-to-close) and retries 15 s later (crmRetry).
    const recordsBy = Date.now() + 120_000;
    const states = await mapLimit([...started.values()], 16, async (s) => {
      const { lead, ...state } = await leadRecord(env.client, s.workflowId, s.runId, recordsBy);
      return { s, state, lead };
    });
    const byStage: Record<string, number> = {};
    for (const { s, state, lead } of states) {
      byStage[state.stage ?? state.status] = (byStage[state.stage ?? state.status] ?? 0) + 1;
      expect(['RUNNING', 'COMPLETED'], `${s.workflowId} is ${state.status}`).toContain(state.status);
      const handedOver = state.stage === 'needs_attention';
      if (s.plan === 'silent') expect(state.stage).toBe('awaiting_reply');
      if (s.plan === 'decline') expect(state.stage).toBe('declined');
      if (s.plan === 'book' || s.plan === 'choose') expect(['booked', 'needs_attention']).toContain(state.stage);
      if (s.plan === 'cancel') expect(['canceled', 'needs_attention'], s.workflowId).toContain(state.stage);
      if (s.plan === 'reschedule' && !handedOver) {
        expect(state.stage, s.workflowId).toBe('booked');
        expect(lead.meeting?.reschedules, `${s.workflowId}: moved once`).toBe(1);
        // The same event, at the first of the new times the buyer was offered last ("an hour later" when open).
        expect(lead.booking!.eventId, `${s.workflowId}: the same calendar event`).toBe(s.firstEventId);
        expect(lead.booking!.start, `${s.workflowId}: the time picked`).toBe(s.picked!.start);
      }
      expect(isSettled(state.stage) || state.stage === 'booked', `${s.workflowId} ended in ${state.stage}`).toBe(true);
    }

    // ── the calendar holds exactly the meetings still booked, the outbox exactly the emails due ──
    const events = bookedEvents(env.db);
    expect(overlaps(events), 'overlapping meetings in one rep calendar').toEqual([]);
    const versions = new Map(states.map(({ s, lead }) => [s.workflowId, meetingVersions(lead, [{ ...(s.firstStart ? { start: s.firstStart } : {}), ...(s.firstBookedAt ? { bookedAt: s.firstBookedAt } : {}) }])]));
    // Audit when no reminder is on its way: none came due in the last REMINDER_SETTLE_MS.
    const wait = settleWait([...versions.values()].flatMap((v) => reminderTimes(v, offsets)), Date.now(), REMINDER_SETTLE_MS);
    if (wait > 0) {
      note(`waiting ${(wait / 1000).toFixed(0)}s for reminders that just came due`);
      await sleep(wait);
    }
    const auditAt = Date.now();
    const calendar = calendarByLead(env.db);
    const emails = emailsByLead(env.db);
    const problems = states.flatMap(({ s, lead }) =>
      auditLead({
        status: lead,
        buyerEmail: s.email,
        versions: versions.get(s.workflowId)!,
        calendar: calendar.get(s.workflowId),
        emails: emails.get(s.workflowId),
        offsets,
        auditAt,
        repEmail: (id) => findRep(team, id)!.email.toLowerCase(),
      }).map((p) => `${s.workflowId} (${s.plan}, ${lead.stage}): ${p}`),
    );
    expect(problems, 'calendar and outbox per lead').toEqual([]);
    const leads = new Set([...started.values()].map((s) => s.workflowId));
    expect([...emails.keys(), ...calendar.keys()].filter((id) => !leads.has(id)), 'emails and events of no lead').toEqual([]);

    const stillBooked = states.filter(({ state }) => state.stage === 'booked').length;
    const liveEvents = new Set(events.map((e) => e.key)).size;
    expect(liveEvents, 'calendar events == meetings still booked').toBe(stillBooked);
    const kinds: Record<string, number> = {};
    for (const list of emails.values()) for (const e of list) {
      const kind = e.what.replace(/^rep-notice\/(\w+)-\d+$/, 'notice $1').replace(/^reminder\/\d+\/(\d+)$/, (_, ms) => `reminder ${Number(ms) / 3_600_000}h`);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    note(`stages: ${JSON.stringify(byStage)}; calendar events ${liveEvents} == meetings booked ${stillBooked}; emails ${JSON.stringify(kinds)}; worker crashes ${supervisor.crashes.length}, failed worker starts ${supervisor.failedStarts.length}`);
    const handedOver = states.flatMap(({ lead }) => (lead.attention ? [lead.attention.reason] : []));
    if (handedOver.length > 0) note(`needs_attention, why: ${JSON.stringify(handedOver)}`);
    console.log(`chaos (crash/restart), ${((Date.now() - t0) / 1000).toFixed(0)}s:\n  ${timeline.join('\n  ')}`);
    // Buyers who chose a time (8 in 10) are booked, moved or canceled unless a person took over after repeated conflicts.
    const choosers = [...started.values()].filter((s) => !['silent', 'decline'].includes(s.plan)).length;
    expect((byStage.booked ?? 0) + (byStage.canceled ?? 0)).toBeGreaterThanOrEqual(Math.floor(choosers * 0.9));
    expect(byStage.canceled ?? 0, 'cancels went through').toBeGreaterThanOrEqual(Math.floor((LEADS / 10) * 0.9));
    expect(supervisor.crashes, 'the worker survives the dev server restart').toEqual([]);
  });
});
