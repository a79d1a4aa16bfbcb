/**
 * The ceiling for `npm run bench`: a lead-shaped workflow with Baton's happy-path skeleton (the same
 * activities, one buyer signal, a status query) doing no work. Whatever Baton costs beyond this is
 * its own logic, payloads, search attributes, pool rotation and API; whatever this costs is
 * Temporal's round trips.
 *
 * `shape` lists the steps before and after the buyer's reply: `A` a (remote) activity, `L` a local
 * activity, so the ceiling mirrors Baton's current shape (see BARE_SHAPES in scripts/bench.ts).
 */
import { condition, defineQuery, defineSignal, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';

export interface BareActivities {
  noop(step: number): Promise<void>;
}

export interface BareShape {
  beforeReply: ('A' | 'L')[];
  afterReply: ('A' | 'L')[];
}

export const bareReplySignal = defineSignal<[{ text: string }]>('buyerMessage');
export const bareStatusQuery = defineQuery<{ stage: string }>('status');

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8 };
const remote = proxyActivities<BareActivities>({ startToCloseTimeout: '30s', retry });
const local = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '30s', retry });

async function run(steps: ('A' | 'L')[], offset: number): Promise<void> {
  for (const [i, kind] of steps.entries()) await (kind === 'L' ? local : remote).noop(offset + i);
}

export async function bareLeadWorkflow(shape: BareShape): Promise<{ stage: string }> {
  let stage = 'qualifying';
  let replied = false;
  setHandler(bareStatusQuery, () => ({ stage }));
  setHandler(bareReplySignal, () => void (replied = true));
  await run(shape.beforeReply, 0); // qualify, route, find times
  stage = 'awaiting_reply';
  if (!(await condition(() => replied, '24h'))) return { stage: 'unresponsive' };
  stage = 'booking';
  await run(shape.afterReply, shape.beforeReply.length); // book, brief, CRM, intro email
  stage = 'booked';
  return { stage };
}
