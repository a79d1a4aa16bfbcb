/**
 * The ops page's one tab mechanism in jsdom (ops.js; the Meetings and Fairness views plug in through
 * window.BatonOps): the four tabs in order, arrow keys that wrap, the address that opens a tab and
 * follows the chosen one, each view loaded when (and only when) its tab is shown, Refresh and a
 * rejected key acting on the current tab; and the Fairness view's rendering of the real report shape.
 * The Chromium runs are test/e2e/fairness.test.ts and test/e2e/meetings.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { poolFairnessSchema } from '../../domain/route/fairness-report';
import { closeOpsPages, mountOps, OPS_SCRIPTS, type Reply } from './ops-dom';

afterEach(closeOpsPages);

/** Which view a request belongs to. */
const VIEW_OF: [RegExp, string][] = [
  [/^\/v1\/ops\/leads(\?|$)/, 'leads'],
  [/^\/v1\/ops\/outbox$/, 'outbox'],
  [/^\/v1\/ops\/meetings(\?|$)/, 'meetings'],
  [/^\/v1\/ops\/fairness$/, 'fairness'],
];
const viewOf = (path: string) => VIEW_OF.find(([re]) => re.test(path))?.[1] ?? path;

const member = (over: Record<string, unknown>) => ({
  weight: 1, count: 0, share: 0, distance: 0, cap: null, assigned: 0, booked: 0, held: 0, noShow: 0, repNoShow: 0, canceled: 0, available: true,
  ...over,
});
/** Two pools as GET /v1/ops/fairness reports them (checked against the route's own schema below). */
const POOLS = [
  {
    id: 'enterprise', name: 'Enterprise', distribution: 'round_robin', count: 'booked', calibrate: true, timezone: 'UTC', lastTurnAt: '2026-11-30T10:00:00.000Z',
    window: { kind: 'month', key: '2026-11', start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
    members: [
      member({ id: 'ana', name: 'Ana Souza', count: 3, share: 2.5, distance: 0.5, booked: 3, held: 2, noShow: 1 }),
      member({ id: 'raj', name: 'Raj Patel', weight: 2, count: 4, share: 5.5, distance: -1.5, booked: 5, held: 1, repNoShow: 1, canceled: 1, cap: { count: 3, per: 'day', used: 3, reached: true }, available: false }),
    ],
    learning: { metric: 'held', explore: 0.1, holdout: 0.1, minShare: 0.5, measured: { learned: { held: 6, meetings: 8, rate: 0.75 }, holdout: { held: 1, meetings: 2, rate: 0.5 }, lift: 0.5 } },
  },
  {
    id: 'smb', name: 'SMB desk', distribution: 'first_available', count: 'held', calibrate: false, timezone: 'UTC', lastTurnAt: null,
    window: { kind: 'never', key: 'all', start: null, end: null },
    members: [member({ id: 'sam', name: 'Sam Okafor' })],
    learning: null,
  },
];

/** An API where every ops view answers 200 (fairness with `pools`); `refuse` answers 401 to those paths. */
function api(pools: unknown[] = POOLS, refuse: (path: string, auth: string | null) => boolean = () => false) {
  let auth: string | null = null;
  return {
    setAuth: (a: string | null) => (auth = a),
    answer: (_method: string, path: string): Reply => {
      if (refuse(path, auth)) return { status: 401, body: { error: { code: 'unauthorized', message: 'ops routes need an API key' } } };
      switch (viewOf(path)) {
        case 'leads': return { status: 200, body: { leads: [], counts: {} } };
        case 'outbox': return { status: 200, body: { emails: [] } };
        case 'meetings': return { status: 200, body: { meetings: [], noShowRate: {} } };
        case 'fairness': return { status: 200, body: { pools, generatedAt: new Date().toISOString() } };
        default: return { status: 404, body: { error: { code: 'not_found', message: 'no route' } } };
      }
    },
  };
}

function state(d: Document) {
  const tabs = [...d.querySelectorAll<HTMLElement>('[role=tab]')];
  return {
    selected: tabs.filter((t) => t.getAttribute('aria-selected') === 'true').map((t) => t.id),
    focusable: tabs.filter((t) => t.tabIndex === 0).map((t) => t.id),
    shown: [...d.querySelectorAll<HTMLElement>('[role=tabpanel]')].filter((p) => !p.hidden).map((p) => p.id),
  };
}
const key = (d: Document, w: Window & typeof globalThis, k: string) =>
  d.activeElement!.dispatchEvent(new w.KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

describe('ops page: one tab mechanism for every view', () => {
  it('loads the scripts of both plug-in views after ops.js', () => {
    expect(OPS_SCRIPTS).toEqual(['ops.js', 'ops-meetings.js', 'ops-fairness.js']);
  });

  it('opens on Leads, and the arrow keys walk Leads → Outbox → Meetings → Fairness and wrap, each view loading when shown', async () => {
    const ui = mountOps('', api().answer);
    await vi.waitFor(() => expect(ui.sent.map((s) => viewOf(s.path))).toEqual(['leads']));
    const d = ui.d;
    expect([...d.querySelectorAll('[role=tab]')].map((t) => [t.textContent, t.getAttribute('aria-controls')])).toEqual([
      ['Leads', 'panel-leads'],
      ['Outbox', 'panel-outbox'],
      ['Meetings', 'panel-meetings'],
      ['Fairness', 'panel-fairness'],
    ]);
    expect(state(d)).toEqual({ selected: ['tab-leads'], focusable: ['tab-leads'], shown: ['panel-leads'] });

    d.getElementById('tab-leads')!.focus();
    const walk: [string, string, string][] = [
      ['ArrowRight', 'outbox', '#outbox'],
      ['ArrowRight', 'meetings', '#meetings'],
      ['ArrowRight', 'fairness', '#fairness'],
      ['ArrowRight', 'leads', ''],
      ['ArrowLeft', 'fairness', '#fairness'],
      ['ArrowLeft', 'meetings', '#meetings'],
    ];
    for (const [arrow, view, hash] of walk) {
      const before = ui.sent.length;
      key(d, ui.w, arrow);
      expect(d.activeElement!.id, `${arrow} → ${view}`).toBe(`tab-${view}`);
      expect(state(d)).toEqual({ selected: [`tab-${view}`], focusable: [`tab-${view}`], shown: [`panel-${view}`] });
      expect(ui.w.location.hash).toBe(hash);
      await vi.waitFor(() => expect(ui.sent.slice(before).map((s) => viewOf(s.path))).toEqual([view]));
    }
    // Other keys leave the tabs alone.
    const before = ui.sent.length;
    key(d, ui.w, 'ArrowDown');
    expect(state(d).selected).toEqual(['tab-meetings']);
    expect(ui.sent.length).toBe(before);
  });

  it.each([
    ['#outbox', 'outbox'],
    ['#meetings', 'meetings'],
    ['#meetings?rep=sarah', 'meetings'],
    ['#fairness', 'fairness'],
    ['#nothing-here', 'leads'],
  ])('the address %s opens %s, and only that view is loaded', async (hash, view) => {
    const ui = mountOps(hash, api().answer);
    // Once the view has shown its answer, the page has done all it does on opening.
    const status = ui.d.getElementById(`${view}-status`)!;
    await vi.waitFor(() => expect(status.textContent).toMatch(/^(?!Loading…$)./));
    expect(ui.sent.map((s) => viewOf(s.path))).toEqual([view]);
    expect(state(ui.d).shown).toEqual([`panel-${view}`]);
  });

  it('a click chooses a tab too; Refresh reloads the view that is shown, and only it', async () => {
    const ui = mountOps('', api().answer);
    await vi.waitFor(() => expect(ui.sent).toHaveLength(1));
    ui.d.getElementById('tab-fairness')!.click();
    await vi.waitFor(() => expect(ui.sent.map((s) => viewOf(s.path))).toEqual(['leads', 'fairness']));
    expect(ui.w.location.hash).toBe('#fairness');
    ui.d.getElementById('refresh')!.click();
    await vi.waitFor(() => expect(ui.sent.map((s) => viewOf(s.path))).toEqual(['leads', 'fairness', 'fairness']));
    ui.d.getElementById('tab-meetings')!.click();
    ui.d.getElementById('refresh')!.click();
    await vi.waitFor(() => expect(ui.sent.map((s) => viewOf(s.path)).slice(3)).toEqual(['meetings', 'meetings']));
  });

  it('a rejected key on the Fairness tab asks for one, and the new key reopens Fairness with focus on its tab', async () => {
    const server = api(POOLS, (path, auth) => viewOf(path) === 'fairness' && auth !== 'Bearer key-2');
    const ui = mountOps('#fairness', (method, path, body) => {
      server.setAuth(ui.sent[ui.sent.length - 1]!.auth);
      return server.answer(method, path);
    });
    const d = ui.d;
    await vi.waitFor(() => expect(d.getElementById('auth')!.hidden).toBe(false));
    expect(d.getElementById('app')!.hidden).toBe(true);
    expect(d.getElementById('auth-error')!.textContent).toBe('That API key was not accepted.');
    (d.getElementById('api-key') as HTMLInputElement).value = 'key-2';
    d.getElementById('auth-form')!.dispatchEvent(new ui.w.Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(d.getElementById('app')!.hidden).toBe(false));
    expect(ui.sent.map((s) => [viewOf(s.path), s.auth])).toEqual([
      ['fairness', 'Bearer key-1'],
      ['fairness', 'Bearer key-2'],
    ]);
    expect(d.activeElement!.id).toBe('tab-fairness');
    expect(d.getElementById('auth')!.hidden).toBe(true);
    await vi.waitFor(() => expect(d.querySelectorAll('section.pool')).toHaveLength(2));
  });
});

describe('ops page: the Fairness view', () => {
  it('the fixture is what GET /v1/ops/fairness sends', () => {
    for (const pool of POOLS) expect(() => poolFairnessSchema.parse(pool)).not.toThrow();
  });

  it('shows a bar per rep against the share, the distance, caps, outcomes and the learning measurement', async () => {
    const ui = mountOps('#fairness', api().answer);
    const d = ui.d;
    await vi.waitFor(() => expect(d.querySelectorAll('section.pool')).toHaveLength(2));
    expect(d.getElementById('fairness-status')!.textContent).toMatch(/^2 pools · updated /);

    const ent = d.querySelector('section[data-pool="enterprise"]')!;
    expect(ent.querySelector('h3')!.textContent).toBe('Enterprise');
    expect(ent.querySelector('p')!.textContent).toBe('round robin · counting booked meetings this month (26-11) · calibrated');
    const cells = (rep: string) => [...ent.querySelectorAll(`tr[data-rep="${rep}"] td`)].map((td) => td.textContent);
    const ana = ent.querySelector('tr[data-rep="ana"]')!;
    const raj = ent.querySelector('tr[data-rep="raj"]')!;
    expect(ana.querySelector('[role=img]')!.getAttribute('aria-label')).toBe('Ana Souza: 3 leads, weighted share 2.5 (+0.5)');
    expect(raj.querySelector('[role=img]')!.getAttribute('aria-label')).toBe('Raj Patel: 4 leads, weighted share 5.5 (−1.5)');
    expect(cells('ana')).toEqual(['3 of a 2.5 share', '+0.5', 'no cap', '3', '2', '1']);
    // Raj's no-show column counts his own no-show; his cap is reached, so he is shown as away.
    expect(cells('raj')).toEqual(['4 of a 5.5 share', '−1.5', '3 of 3 per day · at cap', '5', '1', '1']);
    expect(raj.className).toBe('away');
    expect(raj.querySelector('th')!.textContent).toBe('Raj Patelweight 2 · not taking leads now');
    expect(ana.querySelector('.distance')!.className).toBe('distance ahead');
    expect(raj.querySelector('.distance')!.className).toBe('distance behind');
    // One scale per pool: the longest bar or line (Raj's share, 5.5) plus 15%; off by a lead or more turns the bar amber.
    const scale = 5.5 * 1.15;
    const percentOf = (node: Element, prop: 'left' | 'width') => parseFloat((node as HTMLElement).style[prop]);
    expect(percentOf(raj.querySelector('.mark')!, 'left')).toBeCloseTo((100 * 5.5) / scale, 1);
    expect(percentOf(ana.querySelector('.mark')!, 'left')).toBeCloseTo((100 * 2.5) / scale, 1);
    expect(percentOf(ana.querySelector('.fill')!, 'width')).toBeCloseTo((100 * 3) / scale, 1);
    expect(percentOf(raj.querySelector('.fill')!, 'width')).toBeCloseTo((100 * 4) / scale, 1);
    expect(raj.querySelector('.fill')!.className).toBe('fill off');
    expect(ana.querySelector('.fill')!.className).toBe('fill');
    expect(ent.querySelector('.learning')!.textContent).toBe(
      'Learning (held): learned leads held 75% of 8, holdout 50% of 2 (lift +50%); nobody under 50% of their share.',
    );

    const smb = d.querySelector('section[data-pool="smb"]')!;
    expect(smb.querySelector('p')!.textContent).toBe('first available · counting held meetings since the pool started');
    expect(smb.querySelector('.learning')).toBeNull();
  });

  it('says when no pool has taken a turn, and shows the server’s error', async () => {
    const empty = mountOps('#fairness', api([]).answer);
    await vi.waitFor(() => expect(empty.d.getElementById('fairness-status')!.textContent).toBe('No pool has taken a turn yet: pools appear here after their first lead.'));
    expect(empty.d.querySelectorAll('section.pool')).toHaveLength(0);

    const down = mountOps('#fairness', (_m, path) =>
      viewOf(path) === 'fairness' ? { status: 503, body: { error: { code: 'temporal_unavailable', message: 'Temporal is unreachable' } } } : api().answer('GET', path),
    );
    await vi.waitFor(() => expect(down.d.getElementById('fairness-status')!.textContent).toBe('Temporal is unreachable'));
    expect(down.d.getElementById('app')!.hidden).toBe(false);
  });
});
