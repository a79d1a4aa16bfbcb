/**
 * The versioning guard: every history in test/fixtures/histories (recorded from real runs by
 * `npm run histories:record`) must replay against today's workflow code. A change to leadWorkflow or
 * poolWorkflow that would break leads already in flight fails here, before it reaches a worker.
 * If it fails: guard the change with patched() (docs/production.md), never re-record to make it pass.
 */
import { bundleWorkflowCode, DefaultLogger, Worker, type ReplayResult } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { quietRuntime, workflowBundle } from '../helpers/harness';

const DIR = fileURLToPath(new URL('../fixtures/histories', import.meta.url));
const CHANGED = fileURLToPath(new URL('./fixtures/changed-workflows.ts', import.meta.url));

interface HistoryJson {
  events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[];
}

function histories(): { workflowId: string; history: HistoryJson }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ workflowId: basename(f, '.json'), history: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as HistoryJson }));
}

async function replay(bundle: Awaited<ReturnType<typeof workflowBundle>>, items: { workflowId: string; history: unknown }[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'baton-replay-guard' }, items)) results.push(r);
  return results;
}

const typeOf = (h: HistoryJson) => h.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

/** The same history, as if started as another workflow type (to replay it against an edited copy). */
function asType(h: HistoryJson, name: string): HistoryJson {
  const copy = structuredClone(h);
  copy.events[0]!.workflowExecutionStartedEventAttributes!.workflowType!.name = name;
  return copy;
}

describe('replay of recorded histories', () => {
  it('has histories for the main lead paths and the pool rotation', () => {
    const names = histories().map((h) => h.workflowId);
    expect(names).toEqual(expect.arrayContaining(['lead-booked', 'lead-conflict-rebooked', 'lead-unresponsive', 'pool-rotation']));
    for (const { history } of histories()) expect(['leadWorkflow', 'poolWorkflow']).toContain(typeOf(history));
  });

  it('covers leads from before and after the local-read-steps and local-route patches', () => {
    const markers = (h: HistoryJson) =>
      (h.events as { markerRecordedEventAttributes?: { markerName?: string } }[]).flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? []);
    const booked = (name: string) => histories().find((h) => h.workflowId === name)!.history;
    expect(markers(booked('lead-booked'))).toEqual([]);
    expect(markers(booked('lead-booked.local-steps'))).toEqual(['core_patch', 'core_local_activity', 'core_local_activity', 'core_local_activity']);
    // Qualify, route and find times, then the briefing; one search-attribute upsert per workflow task.
    const routedLocally = booked('lead-booked.local-route');
    expect(markers(routedLocally)).toEqual(['core_patch', ...Array<string>(4).fill('core_local_activity')]);
    const events = routedLocally.events as { eventType?: string; upsertWorkflowSearchAttributesEventAttributes?: unknown }[];
    const firstWait = events.findIndex((e) => e.eventType === 'EVENT_TYPE_TIMER_STARTED');
    const upserts = events.slice(0, firstWait).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
    expect(upserts).toHaveLength(2); // the SDK's patch marker attribute, then Baton's five at once
  });

  it('covers pools from before fairness and after (fair-turns), with meeting events', () => {
    const events = (name: string) =>
      histories().find((h) => h.workflowId === name)!.history.events as { markerRecordedEventAttributes?: { markerName?: string }; workflowExecutionSignaledEventAttributes?: { signalName?: string } }[];
    expect(events('pool-rotation').some((e) => e.markerRecordedEventAttributes)).toBe(false);
    const fair = events('pool-rotation.fair-turns');
    expect(fair.flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? [])).toEqual(['core_patch']);
    expect(fair.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? [])).toEqual(['meetingEvent', 'meetingEvent']);
  });

  it('covers leads that take every later gate in their first workflow task, before any local activity', () => {
    // A gate read right after a local activity fails replay when the SDK split the workflow task
    // there (a late task heartbeated while the activity ran); see StepRunner's constructor.
    type Event = { eventType?: string; markerRecordedEventAttributes?: { markerName?: string; details?: { 'patch-data'?: { payloads?: { data?: string }[] } } } };
    const patchIds = (events: Event[]) =>
      events.flatMap((e) => {
        const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
        return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
      });
    const leads = histories().filter((h) => h.workflowId.endsWith('.gates-first') && typeOf(h.history) === 'leadWorkflow');
    expect(leads.map((h) => h.workflowId.split('.')[0]).sort()).toEqual(['lead-booked', 'lead-conflict-rebooked', 'lead-disqualified', 'lead-rescheduled-canceled', 'lead-unresponsive']);
    for (const { workflowId, history } of leads) {
      const events = history.events as Event[];
      const firstTaskDone = events.findIndex((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
      const firstLocal = events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
      const patches = events.flatMap((e, i) => (e.markerRecordedEventAttributes?.markerName === 'core_patch' ? [i] : []));
      expect(patchIds(events), workflowId).toEqual(['local-route-one-upsert', 'one-crm-write-per-activity', 'stay-until-held', 'meeting-events-to-pools']);
      for (const at of patches) expect(at, `${workflowId}: patch markers right after the first workflow task, before its local activities`).toBeGreaterThan(firstTaskDone);
      for (const at of patches) expect(at, workflowId).toBeLessThan(firstLocal);
    }
  });

  it('covers leads that take one gate for all (every-gate-open): one patch marker and one SDK upsert per run, instead of five each', () => {
    type Event = { eventType?: string; markerRecordedEventAttributes?: { markerName?: string }; upsertWorkflowSearchAttributesEventAttributes?: unknown };
    const leads = histories().filter((h) => h.workflowId.endsWith('.one-gate') && typeOf(h.history) === 'leadWorkflow');
    expect(leads.map((h) => h.workflowId.split('.')[0]).sort()).toEqual(['lead-booked', 'lead-conflict-rebooked', 'lead-disqualified', 'lead-rescheduled-canceled', 'lead-unresponsive']);
    const booked = (name: string) => histories().find((h) => h.workflowId === name)!.history.events as Event[];
    for (const { workflowId, history } of leads) {
      const events = history.events as Event[];
      const patches = events.flatMap((e, i) => (e.markerRecordedEventAttributes?.markerName === 'core_patch' ? [i] : []));
      expect(patches, workflowId).toHaveLength(1);
      expect(patches[0], workflowId).toBeLessThan(events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity'));
    }
    // The SDK upserts TemporalChangeVersion with each patch marker: one upsert before the first
    // local activity now, where the same path took four with the gates on their own.
    const upsertsBeforeLocal = (name: string) => {
      const events = booked(name);
      return events.slice(0, events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
    };
    expect(upsertsBeforeLocal('lead-booked.one-gate')).toBe(1);
    expect(upsertsBeforeLocal('lead-booked.gates-first')).toBe(4);
  });

  it('covers leads from after one-crm-write-per-activity: the hand-off as three CRM activities', () => {
    const booked = histories().find((h) => h.workflowId === 'lead-booked.crm-writes')!.history;
    const scheduled = (booked.events as { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[]).flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    expect(scheduled).toEqual(['bookMeeting', 'recordCrmContact', 'recordCrmMeeting', 'recordCrmBriefing', 'sendIntroEmail']);
  });

  it('covers leads from after meeting-events-to-pools: pool leads tell their pool they booked or gave the turn back, and the pool hears it', () => {
    type Event = { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } }; workflowExecutionSignaledEventAttributes?: { signalName?: string } };
    const events = (name: string) => histories().find((h) => h.workflowId === name)!.history.events as Event[];
    const scheduled = (name: string) => events(name).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled('lead-conflict-rebooked.pool-events').filter((n) => n === 'reportMeetingToPool')).toHaveLength(1);
    // Sarah's leads are routed by a rule naming her: no pool gave them a turn, so none is told.
    expect(scheduled('lead-rescheduled-canceled.pool-events')).not.toContain('reportMeetingToPool');
    expect(scheduled('lead-rescheduled-canceled.pool-events')).toEqual(expect.arrayContaining(['moveMeeting', 'cancelMeeting', 'notifyReps']));
    // The never-answering lead gives its turn back as released.
    expect(scheduled('lead-unresponsive.pool-events').filter((n) => n === 'reportMeetingToPool')).toHaveLength(1);
    expect(events('pool-rotation.pool-events').flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? [])).toEqual(['meetingEvent', 'meetingEvent']);
  });

  it('replays every recorded history against the current workflow code', async () => {
    quietRuntime();
    const results = await replay(await workflowBundle(), histories());
    const failures = results.filter((r) => r.error).map((r) => `${r.workflowId}: ${(r.error as Error).message}`);
    expect(failures).toEqual([]);
    expect(results.length).toBe(histories().length);
  });

  it('catches an incompatible edit, and lets the same edit through behind patched()', async () => {
    quietRuntime();
    const bundle = await bundleWorkflowCode({ workflowsPath: CHANGED, logger: new DefaultLogger('WARN') });
    const leads = histories().filter((h) => typeOf(h.history) === 'leadWorkflow' && h.workflowId !== 'lead-disqualified');

    const reordered = await replay(bundle, leads.map((h) => ({ workflowId: h.workflowId, history: asType(h.history, 'leadWorkflowReordered') })));
    // Remote activities are matched by type, so the swap is a determinism violation. Local ones are
    // matched by sequence: qualify's recorded result reaches the routing step, and the task fails.
    // Histories recorded since routing went local: .local-route, and .crm-writes, .pool-events, .gates-first and .one-gate after it.
    const expected = (name: string) => (/\.(local-route|crm-writes|pool-events|gates-first|one-gate)$/.test(name) ? 'ReplayError' : 'DeterminismViolationError');
    expect(reordered.map((r) => `${r.workflowId}: ${r.error?.name}`)).toEqual(leads.map((h) => `${h.workflowId}: ${expected(h.workflowId)}`));

    const patchedResults = await replay(bundle, leads.map((h) => ({ workflowId: h.workflowId, history: asType(h.history, 'leadWorkflowPatched') })));
    expect(patchedResults.filter((r) => r.error).map((r) => `${r.workflowId}: ${(r.error as Error).message}`)).toEqual([]);
  });
});
