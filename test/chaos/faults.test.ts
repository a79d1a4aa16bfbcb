/**
 * Every provider (calendar, CRM, email) fails 20% of its calls at random, as an outage would
 * (BATON_FAULT_RATE in the worker process). Every lead still books, once, with one intro email; the
 * retries are in the histories (activity attempts above 1). A step whose retries all fail waits
 * for ops in `needs_attention` by design; the test then resumes it as ops would, and says how often.
 * A lead is done here once booked and handed off: its workflow then stays with the meeting, running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeadId } from '../../domain/qualify/lead-id';
import { mapLimit, sleep } from '../../scripts/bench-lib';
import { resumeSignal } from '../../workflows/lead/messages';
import { bookedEvents, chaosEnv, introEmailsByRecipient, leadState, overlaps, type ChaosEnv } from './env';

const LEADS = Number(process.env.CHAOS_FAULT_LEADS ?? 30);
const DEADLINE_MS = 5 * 60_000;

let env: ChaosEnv;
beforeAll(async () => {
  env = await chaosEnv({ name: 'faults', faultRate: 0.2, reps: 20 });
});
afterAll(async () => {
  await env?.cleanup();
});

describe('chaos: providers failing 20% of calls', () => {
  it(`${LEADS} leads all book, with retries visible in history`, async () => {
    const t0 = Date.now();
    const deadline = t0 + DEADLINE_MS;
    const leads = await mapLimit(Array.from({ length: LEADS }, (_, i) => i), 8, async (i) => {
      const email = `faulty-${i}@buyer${i}.example`;
      const res = await env.post('/v1/leads', { email, name: `Buyer ${i}`, message: 'We are a 120-person agency in Denver, interested in a demo.' });
      expect(res.status).toBe(202);
      const { leadId } = (await res.json()) as { leadId: string };
      return { email, leadId, ...decodeLeadId(leadId)! };
    });

    const answered = new Map<string, string>();
    const resumed: string[] = [];
    const open = new Set(leads.map((l) => l.workflowId));
    while (open.size > 0 && Date.now() < deadline) {
      await mapLimit([...open], 8, async (workflowId) => {
        const lead = leads.find((l) => l.workflowId === workflowId)!;
        const state = await leadState(env.client, lead.workflowId, lead.runId).catch(() => null);
        if (!state) return;
        const s = state.lead;
        if (!s) return;
        // Booked and handed off (CRM writes, intro email): the lead now stays with its meeting (running).
        if (s.stage === 'booked' && s.meeting) return void open.delete(workflowId);
        // Ops: a step exhausted its retries; the outage "is fixed", resume it.
        if (s.stage === 'needs_attention' && s.attention?.waitingFor === 'ops') {
          resumed.push(`${workflowId}: ${s.attention.reason}`);
          await env.client.workflow.getHandle(lead.workflowId, lead.runId).signal(resumeSignal);
          return;
        }
        if (s.stage !== 'awaiting_reply' || s.proposals.length < 2) return;
        const round = s.proposals[0]!.id.split('-')[0]!;
        if (answered.get(workflowId) === round) return;
        const res = await env.post(`/v1/leads/${lead.leadId}/messages`, { text: 'The second one works for me' });
        if (res.status === 202) answered.set(workflowId, round);
      });
      await sleep(1_000);
    }

    const stages: Record<string, number> = {};
    for (const l of leads) {
      const state = await leadState(env.client, l.workflowId, l.runId);
      stages[state.stage ?? state.status] = (stages[state.stage ?? state.status] ?? 0) + 1;
    }
    expect(stages, 'every lead booked').toEqual({ booked: LEADS });

    // Exactly one meeting and one intro email per lead, and no overlaps, despite retried writes.
    const events = bookedEvents(env.db);
    expect(overlaps(events)).toEqual([]);
    expect(new Set(events.map((e) => e.key.split('/')[0])).size).toBe(LEADS);
    expect(new Set(events.map((e) => e.key)).size).toBe(LEADS);
    const emails = introEmailsByRecipient(env.db);
    for (const l of leads) expect(emails.get(l.email), l.email).toBe(1);

    // Retries are visible: ActivityTaskStarted events with attempt > 1.
    const retried: Record<string, number> = {};
    let retriedLeads = 0;
    for (const l of leads) {
      const events = (await env.client.workflow.getHandle(l.workflowId, l.runId).fetchHistory()).events ?? [];
      const typeOf = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType!.name!]));
      let any = false;
      for (const e of events) {
        const started = e.activityTaskStartedEventAttributes;
        if (started && (started.attempt ?? 1) > 1) {
          const name = typeOf.get(String(started.scheduledEventId)) ?? '?';
          retried[name] = (retried[name] ?? 0) + 1;
          any = true;
        }
      }
      if (any) retriedLeads++;
    }
    console.log(
      `chaos (faults 20%), ${((Date.now() - t0) / 1000).toFixed(0)}s: ${LEADS} leads booked; leads with retried activities ${retriedLeads}; ` +
        `retried activity executions by type ${JSON.stringify(retried)}; resumed by ops after exhausted retries: ${resumed.length}${resumed.length ? ` (${resumed.join('; ')})` : ''}`,
    );
    expect(retriedLeads).toBeGreaterThan(0);
  });
});
