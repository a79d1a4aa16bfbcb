/**
 * The ops page's Meetings tab in jsdom, with a scripted API: the window asked for, the no-show rate
 * per rep as a share, outcome buttons that stay off until the meeting starts and turn on in place
 * at its start, no-shows asked first, the server's refusal shown, filters and the rep's link kept
 * in the address. The real path (dev and time-skipping servers) runs in Chromium: test/e2e/meetings.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeOpsPages, mountOps, type Reply } from './ops-dom';

const MIN = 60_000;

afterEach(closeOpsPages);

/** The ops page at `hash`, signed in, with `answer(method, path, body)` as the API. */
function mount(hash: string, answer: (method: string, path: string, body: unknown) => Reply) {
  const page = mountOps(hash, answer);
  const d = page.d;
  return {
    ...page,
    row: (leadId: string) => d.querySelector(`#meetings-body tr[data-lead-id="${leadId}"]`),
    buttons: (leadId: string) => [...d.querySelectorAll<HTMLButtonElement>(`#meetings-body tr[data-lead-id="${leadId}"] .record button`)],
    status: () => d.getElementById('meetings-status')!.textContent,
  };
}

const meeting = (leadId: string, startMs: number, over: Record<string, unknown> = {}) => ({
  leadId,
  workflowId: `lead-${leadId}@clinic.example`,
  email: `${leadId}@clinic.example`,
  name: `Buyer ${leadId}`,
  company: 'Clinic Co',
  meetingAt: new Date(startMs).toISOString(),
  outcome: 'scheduled',
  stage: 'booked',
  rep: 'sarah',
  temporalUiUrl: null,
  ...over,
});
const list = (meetings: unknown[], noShowRate: Record<string, unknown> = {}): Reply => ({ status: 200, body: { meetings, noShowRate } });

describe('ops page: meetings', () => {
  it('asks for the last 24 h to the next 7 days, and shows the no-show rate per rep as a share', async () => {
    const before = Date.now();
    const ui = mount('#meetings', (_m, path) =>
      path.startsWith('/v1/ops/meetings')
        ? list([meeting('a', before - 60 * MIN, { outcome: 'held' })], { sarah: { decided: 3, noShows: 1, rate: 1 / 3 }, tom: { decided: 0, noShows: 0, rate: null } })
        : { status: 404 },
    );
    await vi.waitFor(() => expect(ui.row('a')).not.toBeNull());
    expect(ui.d.getElementById('tab-meetings')!.getAttribute('aria-selected')).toBe('true');
    const q = new URL(ui.sent[0]!.path, 'http://x').searchParams;
    expect(Date.parse(q.get('from')!) - before).toBeGreaterThan(-24 * 60 * MIN - 5_000);
    expect(Date.parse(q.get('from')!) - before).toBeLessThan(-24 * 60 * MIN + 5_000);
    expect(Math.abs(Date.parse(q.get('to')!) - before - 7 * 24 * 60 * MIN)).toBeLessThan(5_000);
    const rates = [...ui.d.querySelectorAll('#rates-body tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rates).toEqual([
      ['sarah', '3', '1', '33%'],
      ['tom', '0', '0', '— no outcome known yet'],
    ]);
    expect(ui.row('a')!.querySelector('.record')!.textContent).toBe('Recorded: held');
  });

  it('keeps the buttons off until the meeting starts, then turns them on in place, keeping focus', async () => {
    const soon = Date.now() + 1_500;
    const ui = mount('#meetings', () => list([meeting('later', soon), meeting('past', Date.now() - 10 * MIN)]));
    await vi.waitFor(() => expect(ui.buttons('later')).toHaveLength(3));
    expect(ui.buttons('later').map((b) => b.disabled)).toEqual([true, true, true]);
    const hint = ui.row('later')!.querySelector('.hint')!;
    expect(hint.textContent).toMatch(/once the meeting has started$/);
    expect(ui.buttons('later')[0]!.getAttribute('aria-describedby')).toBe(hint.id);
    expect(ui.buttons('past').map((b) => b.disabled)).toEqual([false, false, false]);
    ui.buttons('past')[0]!.focus();
    await vi.waitFor(() => expect(ui.buttons('later').map((b) => b.disabled)).toEqual([false, false, false]), { timeout: 4_000 });
    expect(ui.row('later')!.querySelector('.hint')).toBeNull();
    expect(ui.buttons('later')[0]!.hasAttribute('aria-describedby')).toBe(false);
    expect(ui.d.activeElement).toBe(ui.buttons('past')[0]);
  });

  it('records held at once; a no-show is asked first (Back and Escape send nothing), with an optional note', async () => {
    const recorded: Record<string, { outcome: string; stage: string }> = {};
    const ui = mount('#meetings', (method, path, body) => {
      if (method === 'GET') return list([meeting('h', Date.now() - 40 * MIN), meeting('n', Date.now() - 40 * MIN)]);
      const id = path.split('/')[3]!;
      const outcome = (body as { outcome: string }).outcome;
      recorded[id] = { outcome, stage: outcome === 'held' ? 'held' : 'no_show' };
      return { status: 200, body: recorded[id] };
    });
    await vi.waitFor(() => expect(ui.buttons('n')).toHaveLength(3));
    ui.buttons('h')[0]!.click();
    await vi.waitFor(() => expect(ui.status()).toBe('Recorded held for Buyer h; the lead is now held.'));
    expect(ui.row('h')!.querySelector('.record')!.textContent).toBe('Recorded: held');
    expect(ui.row('h')!.querySelector('.badge.outcome')!.textContent, 'shown before visibility catches up').toBe('held');

    const noShow = () => ui.buttons('n').find((b) => b.textContent === 'No-show')!;
    noShow().click();
    const form = () => ui.row('n')!.querySelector('form')!;
    expect(form().textContent).toContain('Record that Buyer n did not show up?');
    expect(ui.d.activeElement!.id).toMatch(/^m-note-list-n$/);
    form().querySelector<HTMLButtonElement>('button[type=button]')!.click();
    expect(ui.row('n')!.querySelector('form')).toBeNull();
    expect(ui.d.activeElement).toBe(noShow());
    noShow().click();
    form().dispatchEvent(new ui.w.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(ui.row('n')!.querySelector('form')).toBeNull();
    expect(ui.posts().map((p) => p.body)).toEqual([{ outcome: 'held' }]);

    noShow().click();
    form().querySelector('input')!.value = 'Waited 15 minutes';
    form().querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await vi.waitFor(() => expect(ui.row('n')!.querySelector('.record')!.textContent).toBe('Recorded: no-show'));
    expect(ui.posts().map((p) => [p.path, p.body])).toEqual([
      ['/v1/leads/h/outcome', { outcome: 'held' }],
      ['/v1/leads/n/outcome', { outcome: 'no_show', note: 'Waited 15 minutes' }],
    ]);
  });

  it('shows the server’s refusal in the row and keeps the buttons', async () => {
    const ui = mount('#meetings', (method) =>
      method === 'GET'
        ? list([meeting('x', Date.now() - MIN)])
        : { status: 409, body: { error: { code: 'lead_state_conflict', message: 'the meeting starts at 2030-01-01T10:00:00.000Z; record its outcome once it has started' } } },
    );
    await vi.waitFor(() => expect(ui.buttons('x')).toHaveLength(3));
    ui.buttons('x')[0]!.click();
    await vi.waitFor(() => expect(ui.row('x')!.querySelector('[role=alert]')?.textContent).toMatch(/record its outcome once it has started/));
    expect(ui.buttons('x').map((b) => b.disabled)).toEqual([false, false, false]);
    expect(ui.status()).toMatch(/^Not recorded: /);
  });

  it('reads the filters and the rep’s link from the address, and opens the linked meeting first', async () => {
    const ui = mount('#meetings?window=past7&outcome=unconfirmed&rep=sarah&lead=L1', (_m, path) => {
      if (path.startsWith('/v1/ops/meetings')) return list([]);
      if (path === '/v1/leads/L1') {
        return {
          status: 200,
          body: { leadId: 'L1', workflowId: 'lead-jane@x', stage: 'booked', lead: { email: 'jane@x', name: 'Jane Park' }, booking: { start: new Date(Date.now() - 2 * 60 * MIN).toISOString(), reps: ['sarah'] }, meeting: { outcome: 'unconfirmed', reschedules: 0 }, temporalUiUrl: null },
        };
      }
      return { status: 404, body: { error: { code: 'not_found', message: 'no such lead' } } };
    });
    await vi.waitFor(() => expect(ui.d.getElementById('meeting-focus-h')?.textContent).toBe('Meeting with Jane Park'));
    const q = new URL(ui.sent.find((s) => s.path.startsWith('/v1/ops/meetings'))!.path, 'http://x').searchParams;
    expect([q.get('outcome'), q.get('rep')]).toEqual(['unconfirmed', 'sarah']);
    expect(Math.abs(Date.parse(q.get('to')!) - Date.now())).toBeLessThan(5_000);
    expect((ui.d.getElementById('m-outcome') as HTMLSelectElement).value).toBe('unconfirmed');
    expect(ui.d.activeElement!.id).toBe('meeting-focus');
    expect([...ui.d.querySelectorAll<HTMLButtonElement>('#meeting-focus .record button')].map((b) => [b.textContent, b.disabled])).toEqual([
      ['Held', false],
      ['No-show', false],
      ['Rep no-show', false],
    ]);
    // Closing it drops it from the address; the filters stay.
    ui.d.querySelector<HTMLButtonElement>('#meeting-focus button.link')!.click();
    expect(ui.w.location.hash).toBe('#meetings?window=past7&outcome=unconfirmed&rep=sarah');
  });
});
