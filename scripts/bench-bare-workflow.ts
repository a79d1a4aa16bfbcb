/**
 * The ceiling for `npm run bench`: a lead-shaped workflow with Baton's happy-path skeleton (seven
 * activities, one buyer signal, a status query) that does no work. Whatever Baton costs beyond this
 * is its own logic, payloads, search attributes and API; whatever this costs is Temporal's round trips.
 */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BareActivities {
  noop(step: string): Promise<void>;
}

export const bareReplySignal = defineSignal<[{ text: string }]>('buyerMessage');
export const bareStatusQuery = defineQuery<{ stage: string }>('status');

const { noop } = proxyActivities<BareActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8 },
});

export async function bareLeadWorkflow(): Promise<{ stage: string }> {
  let stage = 'qualifying';
  let replied = false;
  setHandler(bareStatusQuery, () => ({ stage }));
  setHandler(bareReplySignal, () => void (replied = true));
  // qualify, route, find times
  await noop('qualify');
  await noop('route');
  await noop('find-times');
  stage = 'awaiting_reply';
  if (!(await condition(() => replied, '24h'))) return { stage: 'unresponsive' };
  stage = 'booking';
  // book, brief, CRM, intro email
  await noop('book');
  await noop('brief');
  await noop('crm');
  await noop('email');
  stage = 'booked';
  return { stage };
}
