/**
 * Baton on a production-shaped Temporal: PostgreSQL and the four Temporal services as separate
 * processes (scripts/cluster/, configured as docker-compose.yml configures its server), two Baton
 * worker processes and two API processes. 300 leads go through the whole lifecycle (JOURNEYS in
 * ./buyers.ts: booked, then kept, moved an hour later or canceled) while the history service, then matching, then one Baton worker are SIGKILLed and
 * started again. Nothing may be lost or done twice, and buyers may see no 5xx but the documented
 * 503 (retried after its Retry-After, as the widget does). The same 50-lead burst on the cluster and
 * on the dev server, on this machine in this run, gives the throughput ratio.
 */
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../runtime/dev-server';
import { ensureSearchAttributes } from '../../runtime/temporal';
import { freePort, mapLimit, sleep, writeBundle, writeSyntheticTeam } from '../../scripts/bench-lib';
import { startCluster, type Cluster } from '../../scripts/cluster/index';
import type { ServiceName } from '../../scripts/cluster/services';
import { findRep } from '../../domain/team/config';
import type { Team } from '../../domain/team/team';
import { loadTeam } from '../../runtime/load';
import { poolStateQuery, poolWorkflowId } from '../../workflows/pool/messages';
import { statusQuery } from '../../workflows/lead/messages';
import { bookedEvents, leadRecord, overlaps } from '../chaos/env';
import { auditLead, calendarByLead, emailsByLead, meetingVersions, reminderTimes, settleWait } from '../chaos/meetings';
import { startBaton, type BatonStack } from './baton';
import { ApiLog, Apis, buyer, drive, earlierTimes, sendMessage, stagesOf, submit, view, type Buyer, type LeadView } from './buyers';

const LEADS = Number(process.env.CLUSTER_LEADS ?? 300);
const BURST = Number(process.env.CLUSTER_BURST ?? 50);
const REPS = 100;
/** What is killed, in order, and for how long it stays down. */
const KILLS: { what: ServiceName | 'baton worker'; downMs: number }[] = [
  { what: 'history', downMs: 10_000 },
  { what: 'matching', downMs: 10_000 },
  { what: 'baton worker', downMs: 3_000 },
];
/** How long a reminder that came due may take to reach the outbox, once the chaos is over. */
const REMINDER_SETTLE_MS = 90_000;
/** Stages in which a lead is being worked on (not waiting for a buyer, not done). */
const MOVING = new Set(['qualifying', 'routing', 'proposing', 'booking']);

let dir: string;
let teamFile: string;
let team: Team;
let bundlePath: string;
let cluster: Cluster;
let client: Client;
let baton: BatonStack;
let dev: DevServer | undefined;
let devBaton: BatonStack | undefined;
const t0 = Date.now();
const timeline: string[] = [];
const note = (what: string) => {
  timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
};
const figures: { clusterUpS?: number; burst?: Record<'cluster' | 'dev', number>; kills: string[]; chaosS?: number; summary?: string } = { kills: [] };
const allBuyers: Buyer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-cluster-test-'));
  teamFile = join(dir, 'team.yaml');
  writeSyntheticTeam(teamFile, { reps: REPS });
  team = await loadTeam(teamFile);
  bundlePath = await writeBundle('baton', join(dir, 'baton.js'));
  cluster = await startCluster({ log: note });
  figures.clusterUpS = (Date.now() - t0) / 1000;
  client = new Client({ connection: await Connection.connect({ address: cluster.address }), namespace: cluster.namespace });
  baton = await startBaton({ address: cluster.address, dir, teamFile, bundlePath, name: 'pg' });
  note(`Baton up: workers ${baton.workers.map((w) => w.pid).join(', ')}, APIs ${baton.apis.map((a) => a.url).join(', ')}`);
});

afterAll(async () => {
  await devBaton?.stop().catch(() => {});
  await dev?.stop().catch(() => {});
  await baton?.stop().catch(() => {});
  await cluster?.stop().catch(() => {});
  console.log(`cluster test timeline:\n  ${timeline.join('\n  ')}`);
  // What the API processes logged as errors (an undocumented 5xx is logged there with its cause).
  const apiErrors = (baton?.apis ?? []).flatMap((a) => a.output().split('\n').filter((l) => /"level":50/.test(l)));
  if (apiErrors.length) console.log(`API errors logged (${apiErrors.length}):\n  ${apiErrors.slice(0, 5).map((l) => l.slice(0, 1500)).join('\n  ')}`);
  const ratio = figures.burst ? figures.burst.cluster / figures.burst.dev : NaN;
  console.log(
    `cluster figures: ${figures.summary ?? (figures.chaosS === undefined ? '(the chaos run did not finish)' : '(the chaos run finished; its checks failed before the figures: see the assertion)')}; ${figures.kills.join('; ')}; ` +
      `throughput (${BURST}-lead burst): cluster ${figures.burst?.cluster.toFixed(2)}/s vs dev server ${figures.burst?.dev.toFixed(2)}/s = ${ratio.toFixed(2)}x; ` +
      `cluster up in ${figures.clusterUpS?.toFixed(0)}s, chaos run ${figures.chaosS?.toFixed(0)}s`,
  );
  if (dir) rmSync(dir, { recursive: true, force: true });
  // The client connection is left to process exit: closing it under pending long polls throws from a gRPC timer.
});

/** BURST leads submitted at once, every buyer answering at once: leads booked per second. */
async function burst(stack: BatonStack, on: Client, tag: string): Promise<{ seconds: number; perSecond: number; log: ApiLog }> {
  const log = new ApiLog();
  const apis = new Apis(stack.apis.map((a) => a.url), log);
  const buyers = Array.from({ length: BURST }, (_, i) => buyer(i, `burst-${tag}`));
  const start = Date.now();
  await mapLimit(buyers, 16, (b) => submit(b, apis));
  await drive({ buyers: () => buyers, expected: BURST, client: on, taskQueue: stack.taskQueue, apis, deadline: start + 4 * 60_000, reminders: team.booking.reminders });
  expect(buyers.filter((b) => b.step < b.journey.length), 'every burst lead finished').toEqual([]);
  const seconds = (Math.max(...buyers.map((b) => b.doneAt!)) - start) / 1000;
  return { seconds, perSecond: BURST / seconds, log };
}

describe('Baton on a Temporal cluster (PostgreSQL, four services)', () => {
  it(`books a burst of ${BURST} leads (throughput, no faults)`, async () => {
    const r = await burst(baton, client, 'pg');
    figures.burst = { cluster: r.perSecond, dev: NaN };
    note(`cluster burst: ${BURST} leads booked in ${r.seconds.toFixed(1)}s (${r.perSecond.toFixed(2)}/s; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
    expect(r.log.undocumented).toEqual([]);
  });

  it(`books the same burst on the dev server, on this machine, right after (the throughput ratio)`, async () => {
    const port = await freePort();
    dev = await startDevServer({ dataDir: join(dir, 'dev-server'), port, uiPort: await freePort() });
    const connection = await Connection.connect({ address: dev.address });
    await ensureSearchAttributes(connection, 'default');
    devBaton = await startBaton({ address: dev.address, dir, teamFile, bundlePath, name: 'dev' });
    const r = await burst(devBaton, new Client({ connection, namespace: 'default' }), 'dev');
    figures.burst = { cluster: figures.burst?.cluster ?? NaN, dev: r.perSecond };
    note(`dev server burst: ${BURST} leads booked in ${r.seconds.toFixed(1)}s (${r.perSecond.toFixed(2)}/s; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
    expect(r.log.undocumented).toEqual([]);
    // Not needed any more: its processes would only take CPU from the cluster's chaos run.
    await devBaton.stop();
    await dev.stop();
    devBaton = dev = undefined;
  });

  it(`${LEADS} leads through the lifecycle while history, matching and a Baton worker are SIGKILLed: none lost, none double-booked`, async () => {
    const start = Date.now();
    const deadline = start + 8 * 60_000;
    const log = new ApiLog();
    const apis = new Apis(baton.apis.map((a) => a.url), log);
    const buyers: Buyer[] = [];
    const regular = LEADS - KILLS.length; // each kill adds one canary lead
    let latest = new Map<string, string>();
    const trackers: { left: Map<string, string>; movedOnAt?: number }[] = [];
    const onStages = (stages: Map<string, string>) => {
      latest = stages;
      for (const t of trackers) {
        for (const [wf, stage] of t.left) if (stages.get(wf) !== stage) t.left.delete(wf);
        if (t.left.size === 0 && t.movedOnAt === undefined) t.movedOnAt = Date.now();
      }
    };

    // Baton workers that die on their own (not by our kill) are crashes; they must survive the cluster's failures.
    const killedPids = new Set<number>();
    const crashes: string[] = [];
    const watch = setInterval(() => {
      for (const w of baton.workers) {
        if ((w.child.exitCode !== null || w.child.signalCode !== null) && !killedPids.has(w.pid) && !crashes.some((c) => c.startsWith(`${w.pid}:`))) {
          crashes.push(`${w.pid}: ${w.stderr().slice(-500)}`);
        }
      }
    }, 1_000);

    // ── buyers arrive about 3 a second (over the whole chaos sequence), through both APIs; one waits
    // to answer during the history outage ──
    const launch = mapLimit(Array.from({ length: regular }, (_, i) => i), 8, async (i) => {
      const due = start + i * 330;
      if (due > Date.now()) await sleep(due - Date.now());
      const b = buyer(i, 'chaos', { afterBooking: i !== 0 });
      if (i === 0) b.hold = true;
      await submit(b, apis);
      buyers.push(b);
    });
    const driving = drive({ buyers: () => buyers, expected: LEADS, client, taskQueue: baton.taskQueue, apis, deadline, reminders: team.booking.reminders, onStages });
    for (const p of [launch, driving]) p.catch(() => {}); // awaited below; not unhandled if a kill's check fails first

    // ── the kills ──
    let outage: { retried: number; status: number; ms: number } | undefined;
    await sleep(Math.max(0, start + 12_000 - Date.now()));
    for (const [k, kill] of KILLS.entries()) {
      const inFlight = new Map([...latest].filter(([, stage]) => MOVING.has(stage)));
      const inFlightAtKill = inFlight.size;
      const tracker: (typeof trackers)[number] = { left: inFlight };
      trackers.push(tracker);
      const probe = buyers.find((b) => b.i === 0)!;
      const probeLead = kill.what === 'history' ? await view(probe, apis) : null;
      const killedAt = Date.now();
      let back: Promise<unknown>;
      if (kill.what === 'baton worker') {
        killedPids.add(baton.workers[0]!.pid);
        back = baton.restartWorker(0, kill.downMs);
      } else {
        await cluster.kill(kill.what);
        back = sleep(kill.downMs).then(() => cluster.start(kill.what as ServiceName));
      }
      note(`SIGKILL ${kill.what} (${buyers.length} leads submitted, ${inFlightAtKill} being worked on)`);
      const restarted = back.then(() => Date.now());
      // Temporal itself answering again, straight through the client with a short deadline: history
      // for a describe, matching for a query (dispatched through matching to a worker).
      const answering =
        kill.what === 'baton worker'
          ? Promise.resolve(undefined)
          : (async () => {
              const handle = client.workflow.getHandle(probe.workflowId!, probe.runId!);
              for (;;) {
                const ok = await client.connection
                  .withDeadline(Date.now() + 2_000, (): Promise<unknown> => (kill.what === 'history' ? handle.describe() : handle.query(statusQuery)))
                  .then(() => true, () => false);
                if (ok && Date.now() - killedAt > 1_000) return Date.now();
                if (Date.now() > deadline) throw new Error(`Temporal never answered again after the ${kill.what} kill`);
                await sleep(250);
              }
            })();

      // New work: a lead submitted right after the kill, until the worker has proposed times.
      const canary = buyer(100_000 + k, `canary${k}`);
      canary.hold = true;
      const canaryReady = (async () => {
        await submit(canary, apis);
        buyers.push(canary);
        for (;;) {
          const lead = await view(canary, apis).catch(() => null);
          if (lead?.stage === 'awaiting_reply') return Date.now();
          if (Date.now() > deadline) throw new Error(`the lead started after the ${kill.what} kill never got proposals (${lead?.stage})`);
          await sleep(500);
        }
      })();

      // Awaited below; should one fail first, the others must not count as unhandled (vitest fails the run on those).
      for (const p of [restarted, answering, canaryReady]) p.catch(() => {});

      // A buyer's reply while history is down: answered 503 with Retry-After, sent again, not lost.
      if (kill.what === 'history') {
        expect(probeLead?.stage, 'the outage probe waits for a reply').toBe('awaiting_reply');
        const sentAt = Date.now();
        const r = await sendMessage(probe, 'Option 1 works for me', apis, probeLead!);
        outage = { retried: r.retried, status: r.status, ms: Date.now() - sentAt };
        probe.answeredRound = probeLead!.proposals[0]!.id.split('-')[0]!;
        probe.hold = false;
        note(`reply during the history outage: ${r.retried} retries after 503, then ${r.status} after ${(outage.ms / 1000).toFixed(1)}s`);
      }

      const restartedAt = await restarted;
      const answeringAt = await answering;
      const readyAt = await canaryReady;
      canary.hold = false;
      while (tracker.movedOnAt === undefined && Date.now() < deadline) await sleep(500);
      const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
      const figure =
        `${kill.what}: back up ${s(restartedAt - killedAt)} after the kill` +
        (answeringAt ? `, Temporal answering ${s(answeringAt - killedAt)}` : '') +
        `, a new lead through the API had proposals at ${s(readyAt - killedAt)}, ` +
        (inFlightAtKill === 0
          ? 'no lead was mid-step at the kill'
          : `the ${inFlightAtKill} leads mid-step at the kill had all moved on at ${s((tracker.movedOnAt ?? Date.now()) - killedAt)}`);
      figures.kills.push(figure);
      note(figure);
      if (k < KILLS.length - 1) await sleep(8_000);
    }

    await launch;
    await driving;
    clearInterval(watch);
    figures.chaosS = (Date.now() - start) / 1000;
    note(`chaos run settled after ${figures.chaosS.toFixed(0)}s`);
    allBuyers.push(...buyers);

    // ── every lead finished its journey: booked (kept or moved), canceled, or handed to a person after repeated conflicts ──
    expect(buyers.length).toBe(LEADS);
    expect(buyers.filter((b) => b.step < b.journey.length).map((b) => `${b.email} (${b.afterBooking}, step ${b.step}): ${latest.get(b.workflowId!)}`), 'leads that did not finish').toEqual([]);
    const handedOff = buyers.filter((b) => b.handedOff);
    expect(handedOff.length, 'handed to a person after repeated conflicts').toBeLessThanOrEqual(Math.ceil(LEADS * 0.05));

    // ── 0 lost: one workflow run per lead, each where its buyer led it ──
    const runs: string[] = [];
    for await (const wf of client.workflow.list({ query: `TaskQueue = "${baton.taskQueue}" AND WorkflowType = "leadWorkflow"` })) runs.push(wf.workflowId);
    const chaosRuns = runs.filter((id) => buyers.some((b) => b.workflowId === id));
    expect(chaosRuns.length, 'one run per lead, no duplicates').toBe(LEADS);
    expect(new Set(chaosRuns).size).toBe(LEADS);
    // The lead's own record, closed (canceled) leads included, each once its hand-off is done.
    // A hand-off step lost with a SIGKILLed worker ends after 30 s (start-to-close) and retries 15 s later (crmRetry).
    const recordsBy = Date.now() + 120_000;
    const states = await mapLimit(buyers, 8, async (b) => {
      const { lead, ...state } = await leadRecord(client, b.workflowId!, b.runId!, recordsBy);
      return { b, state, lead };
    });
    for (const { b, state, lead } of states) {
      if (b.handedOff) expect([state.status, state.stage], b.email).toEqual(['RUNNING', 'needs_attention']);
      else if (b.afterBooking === 'cancel') expect([state.status, state.stage], b.email).toEqual(['COMPLETED', 'canceled']);
      else expect([state.status, state.stage], b.email).toEqual(['RUNNING', 'booked']);
      if (b.afterBooking === 'reschedule' && !b.handedOff) {
        // Moved once: the same event, at the first of the new times offered last ("an hour later" when open).
        expect([lead.meeting?.reschedules, lead.booking?.eventId, lead.booking?.start], b.email).toEqual([1, b.firstEventId, b.picked?.start]);
      }
    }

    // ── 0 double bookings: the calendar holds exactly the meetings still booked, the outbox exactly the emails due ──
    const events = bookedEvents(baton.db);
    expect(overlaps(events), 'overlapping meetings in one rep calendar').toEqual([]);
    const offsets = team.booking.reminders;
    const versions = new Map(states.map(({ b, lead }) => [b.workflowId!, meetingVersions(lead, earlierTimes(b))]));
    const wait = settleWait([...versions.values()].flatMap((v) => reminderTimes(v, offsets)), Date.now(), REMINDER_SETTLE_MS);
    if (wait > 0) {
      note(`waiting ${(wait / 1000).toFixed(0)}s for reminders that just came due`);
      await sleep(wait);
    }
    const auditAt = Date.now();
    const calendar = calendarByLead(baton.db);
    const emails = emailsByLead(baton.db);
    const problems = states.flatMap(({ b, lead }) =>
      auditLead({
        status: lead,
        buyerEmail: b.email,
        versions: versions.get(b.workflowId!)!,
        calendar: calendar.get(b.workflowId!),
        emails: emails.get(b.workflowId!),
        offsets,
        auditAt,
        repEmail: (id) => findRep(team, id)!.email.toLowerCase(),
      }).map((p) => `${b.email} (${b.afterBooking}, ${lead.stage}): ${p}`),
    );
    expect(problems, 'calendar and outbox per lead').toEqual([]);
    const stillBooked = states.filter(({ state }) => state.stage === 'booked').length;
    const liveEvents = new Set(events.filter((e) => chaosRuns.includes(e.key.split('/')[0]!)).map((e) => e.key)).size;
    expect(liveEvents, 'calendar events == meetings still booked').toBe(stillBooked);
    const sent = (what: RegExp) => buyers.reduce((n, b) => n + (emails.get(b.workflowId!) ?? []).filter((e) => what.test(e.what)).length, 0);

    // ── the outage reply was retried and went through; buyers saw no 5xx but documented 503s ──
    expect(outage, 'a reply was sent during the history outage').toBeDefined();
    expect(outage!.retried, 'the reply during the history outage was answered 503 first').toBeGreaterThanOrEqual(1);
    expect(outage!.status).toBe(202);
    expect(log.undocumented, 'API answers other than the documented 503').toEqual([]);
    expect(crashes, 'Baton workers that died on their own').toEqual([]);

    const booked = buyers.length - handedOff.length;
    const moved = states.filter(({ lead }) => (lead.meeting?.reschedules ?? 0) > 0).length;
    const canceled = states.filter(({ state }) => state.stage === 'canceled').length;
    const unavailable = [...log.unavailable].map(([route, n]) => `${route} ×${n}`).join(', ');
    note(`statuses ${JSON.stringify(Object.fromEntries(log.byStatus))}; documented 503s: ${unavailable || 'none'}`);
    const heldBack = buyers.reduce((n, b) => n + (b.heldBack ?? 0), 0);
    if (heldBack > 0) note(`moves and cancels held back while a reminder came due: ${heldBack}`);
    figures.summary =
      `${LEADS} leads, ${KILLS.length} kills, ${booked} booked (${moved} moved an hour later, ${canceled} then canceled), ${handedOff.length} handed to a person, 0 lost, 0 double-booked, ` +
      `calendar events ${liveEvents} == meetings still booked ${stillBooked}, 0 orphans; emails exactly as due: ${sent(/^intro-email$/)} intro, ` +
      `${sent(/^rep-notice\/moved-/)} moved and ${sent(/^rep-notice\/canceled-/)} canceled notices, ${sent(/^reminder\//)} reminders`;
  });

  it('keeps the pool turns fair across both workers and every restart: one per lead, within one of the rotation but for the credits canceled meetings gave back', async () => {
    const pool = await client.workflow.getHandle(poolWorkflowId(baton.taskQueue, 'desk')).query(poolStateQuery);
    const counts = Object.values(pool.assignments);
    const leads = (await stagesOf(client, baton.taskQueue)).size;
    // A routing activity retried after a kill gets the turn it had (request ids): exactly one turn per lead.
    expect(counts.reduce((a, b) => a + b, 0), 'one pool turn per lead').toBe(leads);
    expect(counts.length).toBe(REPS);
    // Turns go by credits, not by raw assignments: a canceled meeting gives its credit back and the
    // member is owed a later turn, so a member's assignments exceed the rotation by at most the
    // meetings of theirs canceled while leads were still coming in (never more than their cancels).
    const ledger = pool.ledger;
    expect(ledger, 'the pool keeps a fairness ledger').toBeDefined();
    const canceled = (id: string) => ledger!.tallies[id]?.canceled ?? 0;
    const beyondRotation = Object.entries(pool.assignments).map(([id, n]) => n - canceled(id));
    const mostCanceled = Math.max(...Object.keys(pool.assignments).map(canceled));
    expect(Math.max(...counts) - Math.min(...counts), 'rotation spread').toBeLessThanOrEqual(1 + mostCanceled);
    expect(Math.max(...beyondRotation) - Math.min(...beyondRotation), 'rotation spread, less the credits given back').toBeLessThanOrEqual(1 + mostCanceled);
    // The pool's fairness ledger (fair-turns) agrees: one credit per lead, and every member within
    // one lead of their share of the window (equal weights: the same rotation), once the credits
    // given back for canceled meetings (meeting-events-to-pools) are counted: each is a lead the
    // member is owed, made good by later turns — there are none once the last lead is in.
    expect(Object.keys(ledger!.meetings).length, 'one credit per lead').toBe(leads);
    for (const [id, tally] of Object.entries(ledger!.tallies)) expect(Math.abs(tally.deficit), `${id}: leads from their share (${tally.canceled} canceled)`).toBeLessThan(1 + tally.canceled);

    // Both workers (and the one started after the kill) worked, and leads moved between them.
    const perLead = await mapLimit(allBuyers, 8, async (b) => {
      const history = await client.workflow.getHandle(b.workflowId!, b.runId!).fetchHistory();
      return new Set((history.events ?? []).flatMap((e) => (e.workflowTaskCompletedEventAttributes?.identity ? [e.workflowTaskCompletedEventAttributes.identity] : [])));
    });
    const identities = new Set(perLead.flatMap((s) => [...s]));
    const shared = perLead.filter((s) => s.size > 1).length;
    note(`workflow tasks completed by ${identities.size} worker processes; ${shared} leads worked on by more than one`);
    expect(identities.size, 'both workers worked').toBeGreaterThanOrEqual(2);
  });

});
