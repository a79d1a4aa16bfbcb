/**
 * The chat widget while the service is degraded: the API answers 503 with Retry-After while
 * Temporal restarts (test/cluster/ shows a real one during a history outage). The buyer's reply or
 * booking is sent again after the pause the API asked for, and never twice: before resending, the
 * widget looks at the lead to see whether the first attempt went through after all.
 *
 * The widget runs in jsdom with a scripted fetch and a fake EventSource (no browser, no server).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeDoms, LEAD_ID, LEAD_PATH, mount, type Reply, type Sent } from './widget-dom';

afterEach(closeDoms);

function sendReply(ui: ReturnType<typeof mount>, text: string) {
  (ui.root.querySelector('#bt-reply') as HTMLInputElement).value = text;
  (ui.root.querySelector('#bt-reply-form button') as HTMLButtonElement).click();
}

const unavailable = (retryAfter: string): Reply => ({ status: 503, retryAfter, body: { error: { code: 'temporal_unavailable', message: 'Temporal is not reachable; try again shortly' } } });
const view = (over: Record<string, unknown> = {}) => ({ status: 200, body: { leadId: LEAD_ID, stage: 'awaiting_reply', proposals: [], booking: null, messages: [], ...over } });
const posts = (sent: Sent[], path: string) => sent.filter((s) => s.method === 'POST' && s.path === path);

describe('widget: a reply during an outage is not lost', () => {
  it('sends the reply again after Retry-After, once the lead shows it did not arrive, and says so meanwhile', async () => {
    const ui = mount({
      [`POST ${LEAD_PATH}/messages`]: [unavailable('2'), { status: 202, body: { leadId: LEAD_ID } }],
      [`GET ${LEAD_PATH}`]: [view()],
    });
    sendReply(ui, 'Thursday at 2pm works');
    await vi.waitFor(() => expect(ui.notice()).toMatch(/send this again in 2 s/), { timeout: 2_000 });
    expect((ui.root.querySelector('#bt-reply') as HTMLInputElement).value, 'the text stays while waiting').toBe('Thursday at 2pm works');

    await vi.waitFor(() => expect(posts(ui.sent, `${LEAD_PATH}/messages`)).toHaveLength(2), { timeout: 6_000 });
    const [first, second] = posts(ui.sent, `${LEAD_PATH}/messages`);
    expect(second!.at - first!.at, 'waited as long as Retry-After said').toBeGreaterThanOrEqual(1_950);
    expect(second!.body).toEqual({ text: 'Thursday at 2pm works' });
    // It looked at the lead between the two attempts.
    expect(ui.sent.some((s) => s.method === 'GET' && s.path === LEAD_PATH && s.at >= first!.at && s.at <= second!.at)).toBe(true);
    await vi.waitFor(() => expect((ui.root.querySelector('#bt-reply') as HTMLInputElement).value).toBe(''));
    expect(ui.notice()).toBe('');
  });

  it('does not send it twice when the 503 hid a delivery: the lead already has the message', async () => {
    const ui = mount({
      [`POST ${LEAD_PATH}/messages`]: [unavailable('1')],
      [`GET ${LEAD_PATH}`]: [view({ messages: [{ id: 7, from: 'buyer', text: 'Option 2 please', at: new Date().toISOString() }] })],
    });
    sendReply(ui, 'Option 2 please');
    await vi.waitFor(() => expect((ui.root.querySelector('#bt-reply') as HTMLInputElement).value).toBe(''), { timeout: 4_000 });
    expect(posts(ui.sent, `${LEAD_PATH}/messages`)).toHaveLength(1);
    expect(ui.notice()).toBe('');
  });

  it('while the lead cannot be read either, waits and looks again instead of resending blind', async () => {
    const ui = mount({
      [`POST ${LEAD_PATH}/messages`]: [unavailable('1'), { status: 202, body: { leadId: LEAD_ID } }],
      [`GET ${LEAD_PATH}`]: [unavailable('1'), view()],
    });
    sendReply(ui, 'Friday morning?');
    await vi.waitFor(() => expect(posts(ui.sent, `${LEAD_PATH}/messages`)).toHaveLength(2), { timeout: 10_000 });
    const reads = ui.sent.filter((s) => s.method === 'GET' && s.path === LEAD_PATH);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    // The resend follows the second (successful) read; both can land in the same millisecond.
    expect(posts(ui.sent, `${LEAD_PATH}/messages`)[1]!.at).toBeGreaterThanOrEqual(reads[1]!.at);
  }, 15_000);
});

describe('widget: a booking during an outage', () => {
  const proposals = [
    { id: '1-a', start: '2030-01-08T15:00:00Z', end: '2030-01-08T15:30:00Z', attendees: ['sam'] },
    { id: '1-b', start: '2030-01-08T17:00:00Z', end: '2030-01-08T17:30:00Z', attendees: ['sam'] },
  ];
  async function offer(ui: ReturnType<typeof mount>) {
    ui.events.emit('message', { id: 3, type: 'message', message: { from: 'agent', text: 'Two times work:', proposalIds: ['1-a', '1-b'] } });
    await vi.waitFor(() => expect(ui.root.querySelectorAll('.slot')).toHaveLength(2));
    (ui.root.querySelector('.slot') as HTMLButtonElement).click();
  }

  it('retries the booking after Retry-After and confirms it', async () => {
    const booking = { proposalId: '1-a', start: proposals[0]!.start, end: proposals[0]!.end };
    const ui = mount({
      [`POST ${LEAD_PATH}/booking`]: [unavailable('1'), { status: 200, body: { booking } }],
      [`GET ${LEAD_PATH}`]: [view({ proposals })],
    });
    await offer(ui);
    await vi.waitFor(() => expect((ui.root.querySelector('#bt-confirm') as HTMLElement).hidden).toBe(false), { timeout: 5_000 });
    expect(posts(ui.sent, `${LEAD_PATH}/booking`).map((s) => s.body)).toEqual([{ proposalId: '1-a' }, { proposalId: '1-a' }]);
  });

  it('shows the booking that went through during the outage instead of booking again', async () => {
    const booking = { proposalId: '1-a', start: proposals[0]!.start, end: proposals[0]!.end };
    const ui = mount({
      [`POST ${LEAD_PATH}/booking`]: [unavailable('1')],
      [`GET ${LEAD_PATH}`]: [view({ proposals }), view({ proposals, stage: 'booked', booking })],
    });
    await offer(ui);
    await vi.waitFor(() => expect((ui.root.querySelector('#bt-confirm') as HTMLElement).hidden).toBe(false), { timeout: 5_000 });
    expect(posts(ui.sent, `${LEAD_PATH}/booking`)).toHaveLength(1);
  });
});
