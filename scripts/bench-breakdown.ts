/**
 * Where speed-to-lead goes, from the histories of the leads just measured: how long the first
 * workflow task waited for a worker, how long the worker took from then to the task that sent the
 * proposals, and how long after that the API saw them. Times are the server's event times and the
 * benchmark's wall clock, on the same machine.
 */
import type { Client } from '@temporalio/client';
import { mapLimit, summarize } from './bench-lib';

export interface MeasuredLead {
  workflowId: string;
  runId: string;
  /** Wall-clock ms when the POST returned, and when the proposals were first read. */
  postedAt: number;
  seenAt: number;
}

export interface Breakdown {
  leads: number;
  /** p50 / p99 in ms of each part. */
  postToStarted: { p50: number; p99: number };
  firstTaskQueued: { p50: number; p99: number };
  workToProposals: { p50: number; p99: number };
  proposalsToSeen: { p50: number; p99: number };
  /** Workflow tasks a lead took to reach its proposals: p50 / max. */
  tasksToProposals: { p50: number; max: number };
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : NaN;

export async function speedBreakdown(client: Client, leads: readonly MeasuredLead[]): Promise<Breakdown | null> {
  const parts = await mapLimit(leads, 8, async (lead) => {
    const events = (await client.workflow.getHandle(lead.workflowId, lead.runId).fetchHistory()).events ?? [];
    const started = ms(events[0]?.eventTime);
    const firstScheduled = events.find((e) => e.workflowTaskScheduledEventAttributes);
    const firstStarted = events.find((e) => e.workflowTaskStartedEventAttributes);
    // The proposals go out with the task after which the lead first waits on the buyer (its timer).
    const waitAt = events.findIndex((e) => e.timerStartedEventAttributes);
    if (waitAt < 0 || !firstScheduled || !firstStarted) return null;
    const proposalTask = events.slice(0, waitAt).findLast((e) => e.workflowTaskCompletedEventAttributes);
    const tasks = events.slice(0, waitAt).filter((e) => e.workflowTaskCompletedEventAttributes).length;
    return {
      postToStarted: lead.postedAt - started,
      firstTaskQueued: ms(firstStarted.eventTime) - ms(firstScheduled.eventTime),
      workToProposals: ms(proposalTask?.eventTime) - ms(firstStarted.eventTime),
      proposalsToSeen: lead.seenAt - ms(proposalTask?.eventTime),
      tasks,
    };
  });
  const ok = parts.flatMap((p) => (p ? [p] : []));
  if (ok.length === 0) return null;
  const pick = (f: (p: (typeof ok)[number]) => number) => {
    const s = summarize(ok.map(f));
    return { p50: Math.round(s.p50), p99: Math.round(s.p99) };
  };
  const tasks = summarize(ok.map((p) => p.tasks));
  return {
    leads: ok.length,
    postToStarted: pick((p) => p.postToStarted),
    firstTaskQueued: pick((p) => p.firstTaskQueued),
    workToProposals: pick((p) => p.workToProposals),
    proposalsToSeen: pick((p) => p.proposalsToSeen),
    tasksToProposals: { p50: tasks.p50, max: tasks.max },
  };
}
