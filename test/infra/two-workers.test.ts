/**
 * Horizontal scale: two Baton workers, each with its own connections, share one task queue on the
 * run's dev server. Twenty leads arrive at once for the SMB round-robin pool; each must be worked
 * exactly once, both workers must take part, and the pool's rotation must stay fair.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { BatonWorker } from '../../runtime/worker-pair';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leadWorkflowId } from '../../domain/qualify/lead';
import type { Providers } from '../../integrations/providers';
import { policyOf } from '../../domain/team/policy';
import { embeddedProviders, type EmbeddedProviders } from '../../runtime/providers';
import { createBatonWorker } from '../../worker';
import { bookProposalUpdate, statusQuery, type LeadStatus, type Proposal } from '../../workflows/lead/messages';
import { poolStateQuery, poolWorkflowId } from '../../workflows/pool/messages';
import { devServerEnv } from '../helpers/dev-server';
import { awaiting, handedOff, testTeam, waitForStatus, workflowBundle } from '../helpers/harness';

const LEADS = 20;
const WORKERS = ['worker-a', 'worker-b'] as const;
type WorkerName = (typeof WORKERS)[number];

/** Counts every provider call a worker makes, by provider and method. */
function counting(providers: Providers, calls: Map<string, number>): Providers {
  const wrap = <T extends object>(name: string, p: T): T =>
    new Proxy(p, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const key = `${name}.${String(prop)}`;
          calls.set(key, (calls.get(key) ?? 0) + 1);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return { calendar: wrap('calendar', providers.calendar), crm: wrap('crm', providers.crm), email: wrap('email', providers.email) };
}

/** Polls one lead's status gently: twenty leads polled every 50 ms would keep both workers busy answering queries. */
async function settled(handle: { query: (q: typeof statusQuery) => Promise<LeadStatus> }, ok: (s: LeadStatus) => boolean): Promise<LeadStatus> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const s = await handle.query(statusQuery).catch(() => undefined);
    if (s && ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`lead stuck at ${s?.stage}`);
    await new Promise((r) => setTimeout(r, 400));
  }
}

const overlaps = (a: Proposal, b: Proposal, bufferMs: number) =>
  Date.parse(a.start) < Date.parse(b.end) + bufferMs && Date.parse(b.start) < Date.parse(a.end) + bufferMs;

let env: TestWorkflowEnvironment;
let dir: string;
let local: EmbeddedProviders;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  dir = mkdtempSync(join(tmpdir(), 'baton-scale-'));
  await workflowBundle();
});
afterAll(async () => {
  for (const c of opened.reverse()) await c.close().catch(() => {});
  local?.db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await env?.teardown();
});

describe('two workers on one task queue', () => {
  it('process every lead exactly once (each write once), share the work, and keep the round robin fair', async () => {
    const team = testTeam();
    // One shared calendar, CRM and outbox, as real providers would be for every worker.
    local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
    const base: Providers = { calendar: local.calendar, crm: local.crm, email: local.outbox };
    const taskQueue = `scale-${process.pid}-${Date.now()}`;
    const address = inject('temporalAddress');
    const bundle = await workflowBundle();

    const activityRuns = new Map<WorkerName, Map<string, number>>();
    const providerCalls = new Map<WorkerName, Map<string, number>>();
    const workers: BatonWorker[] = [];
    for (const name of WORKERS) {
      const runs = new Map<string, number>();
      const calls = new Map<string, number>();
      activityRuns.set(name, runs);
      providerCalls.set(name, calls);
      // Each worker is its own process in production: its own native connection and client.
      const native = await NativeConnection.connect({ address });
      const connection = await Connection.connect({ address });
      opened.push(native, connection);
      workers.push(
        await createBatonWorker({
          connection: native,
          client: new Client({ connection, namespace: 'default' }),
          namespace: 'default',
          taskQueue,
          team,
          providers: counting(base, calls),
          workflowBundle: bundle,
          tuning: {
            identity: name,
            interceptors: {
              activity: [
                (ctx) => ({
                  inbound: {
                    execute: (input, next) => {
                      runs.set(ctx.info.activityType, (runs.get(ctx.info.activityType) ?? 0) + 1);
                      return next(input);
                    },
                  },
                }),
              ],
            },
          },
        }),
      );
    }

    const scenario = async () => {
      // Many options per lead, so leads of the same rep can each book a different time at once.
      const policy = { ...policyOf(team, false), proposals: LEADS };
      const tag = Date.now().toString(36);
      const leads = Array.from({ length: LEADS }, (_, i) => ({
        email: `buyer${i}-${tag}@shop${i}.example`,
        name: `Buyer ${i}`,
        company: `Shop ${i}`,
        message: 'We are a small online shop and would like a demo.',
      }));
      const handles = await Promise.all(
        leads.map((lead) => env.client.workflow.start('leadWorkflow', { taskQueue, workflowId: leadWorkflowId(lead.email), args: [{ lead, policy }] })),
      );
      const offered = await Promise.all(handles.map((h) => settled(h, awaiting)));

      // Each rep's leads take distinct, non-overlapping options from what they were offered.
      const taken = new Map<string, Proposal[]>();
      const choices = offered.map((s) => {
        const rep = s.route!.reps[0]!;
        const mine = taken.get(rep) ?? [];
        const choice = s.proposals.find((p) => !mine.some((t) => overlaps(p, t, team.booking.buffer)));
        if (!choice) throw new Error(`no free option left for ${rep}`);
        taken.set(rep, [...mine, choice]);
        return choice;
      });
      const outcomes = await Promise.all(handles.map((h, i) => h.executeUpdate(bookProposalUpdate, { args: [{ proposalId: choices[i]!.id }] })));
      // Booked and handed off: each lead now stays with its meeting.
      const finals: LeadStatus[] = await Promise.all(handles.map((h) => waitForStatus(h, handedOff)));
      const pool = await env.client.workflow.getHandle(poolWorkflowId(taskQueue, 'smb')).query(poolStateQuery);
      return { leads, offered, outcomes, finals, pool };
    };

    const run = scenario();
    await Promise.all(workers.map((w) => w.runUntil(run)));
    const { leads, offered, outcomes, finals, pool } = await run;

    // Every lead booked, on its first attempt, after exactly one set of proposals.
    expect(outcomes.map((o) => o.outcome)).toEqual(leads.map(() => 'booked'));
    expect(finals.map((s) => s.stage)).toEqual(leads.map(() => 'booked'));
    for (const s of finals) {
      expect(s.bookingAttempts).toBe(1);
      expect(s.events.filter((e) => e.message?.proposalIds).length).toBe(1);
    }

    // No effect twice: one calendar event, one CRM meeting and note, one email per lead.
    const events = local.calendar.bookedEvents();
    expect(events).toHaveLength(LEADS);
    for (const lead of leads) {
      expect(local.crm.records({ contactEmail: lead.email }).map((r) => r.kind).sort()).toEqual(['meeting', 'note']);
      expect(local.outbox.list({ to: lead.email })).toHaveLength(1);
    }
    const total = (map: Map<WorkerName, Map<string, number>>) => {
      const sum = new Map<string, number>();
      for (const m of map.values()) for (const [k, v] of m) sum.set(k, (sum.get(k) ?? 0) + v);
      return sum;
    };
    const calls = total(providerCalls);
    expect(calls.get('calendar.createEvent')).toBe(LEADS);
    expect(calls.get('email.send')).toBe(LEADS);
    expect(calls.get('crm.logMeeting')).toBe(LEADS);
    expect(calls.get('crm.addNote')).toBe(LEADS);

    // Every step that writes ran exactly once per lead across the two workers: no double processing.
    // The read-only steps run as local activities, whose results are recorded when the workflow task
    // completes: a task that times out on a loaded machine runs them again (Temporal's contract, and
    // why only reads and the idempotent pool turn run locally), so they count at least once per lead;
    // the pool's turns are checked below to be one per lead all the same.
    const runs = Object.fromEntries(total(activityRuns));
    const READS_MAY_REPEAT = ['qualifyLead', 'routeLead', 'findTimes', 'writeBriefing'] as const;
    const { qualifyLead, routeLead, findTimes, writeBriefing, ...writes } = runs;
    expect(writes).toEqual({
      bookMeeting: LEADS,
      recordCrmContact: LEADS,
      recordCrmMeeting: LEADS,
      recordCrmBriefing: LEADS,
      sendIntroEmail: LEADS,
      // Each booked lead tells its pool once (patched 'meeting-events-to-pools').
      reportMeetingToPool: LEADS,
    });
    const reads = { qualifyLead, routeLead, findTimes, writeBriefing };
    for (const step of READS_MAY_REPEAT) {
      expect(reads[step], `${step} runs`).toBeGreaterThanOrEqual(LEADS);
      expect(reads[step], `${step} runs (a repeat only after a timed-out workflow task)`).toBeLessThanOrEqual(2 * LEADS);
    }

    // Both workers did real work.
    const perWorker = WORKERS.map((w) => [...activityRuns.get(w)!.values()].reduce((a, b) => a + b, 0));
    for (const n of perWorker) expect(n).toBeGreaterThan(0);
    console.log(`activity executions per worker: ${WORKERS.map((w, i) => `${w}=${perWorker[i]}`).join(', ')}`);

    // The SMB pool's rotation stayed fair under concurrency: assignments differ by at most one.
    const reps = offered.map((s) => s.route!.reps[0]!);
    expect(new Set(offered.map((s) => s.route!.pool))).toEqual(new Set(['smb']));
    const byRep = new Map<string, number>();
    for (const r of reps) byRep.set(r, (byRep.get(r) ?? 0) + 1);
    expect([...byRep.keys()].sort()).toEqual(['alex', 'sam']);
    const counts = [...byRep.values()];
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(pool.assignments).toEqual(Object.fromEntries(byRep));
    // The pool's fairness ledger agrees: each lead holds one credit, with the rep it was routed to.
    expect(Object.fromEntries(Object.entries(pool.ledger!.meetings).map(([lead, m]) => [lead, m.member]))).toEqual(
      Object.fromEntries(offered.map((s, i) => [leadWorkflowId(leads[i]!.email), s.route!.reps[0]!])),
    );
    for (const tally of Object.values(pool.ledger!.tallies)) expect(Math.abs(tally.deficit)).toBeLessThan(1);
    await env.client.workflow.getHandle(poolWorkflowId(taskQueue, 'smb')).terminate('test done');
  });
});
