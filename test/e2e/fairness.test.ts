/**
 * The ops page's fairness panel in Chromium (playwright-core): a real worker's pool workflows on the
 * shared dev server, turned and told about meetings as the worker's activities do, read through
 * GET /v1/ops/fairness. An ops person sees a bar per rep against a line at their weighted share.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { poolTurnRequest } from '../../domain/route/routing';
import { TemporalPools } from '../../runtime/pool-client';
import { devServerEnv } from '../helpers/dev-server';
import { harness, type Harness } from '../helpers/harness';
import { hasChromium, launchBrowser, listen, shot, SKIP_REASON, type Browser } from './browser';

const API_KEY = 'e2e-fairness-key-0123456789';

if (!hasChromium) console.warn(SKIP_REASON);

describe.skipIf(!hasChromium)('the fairness panel (Chromium)', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let stopWorker: () => void = () => {};
  let worker: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    env = await devServerEnv();
    h = await harness(env);
    worker = h.withWorker(() => new Promise<void>((resolve) => (stopWorker = resolve)));
    const app = createApp({ client: env.client, taskQueue: h.taskQueue, namespace: 'default', apiKeys: [API_KEY], tokens: new BuyerTokens('e2e-fairness') });
    server = await listen(app.fetch);
    browser = await launchBrowser([server.url]);

    // The SMB desk: Sam weighs 2, Alex 1 with a cap of one meeting a day; six leads, one canceled.
    const pools = new TemporalPools(env.client, h.taskQueue);
    const smb = { ...h.team.pools.find((p) => p.id === 'smb')!, weights: { sam: 2, alex: 1 }, caps: { alex: { count: 1, per: 'day' as const } } };
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const given: Record<string, string> = {};
    for (const lead of ['l1', 'l2', 'l3', 'l4', 'l5', 'l6']) {
      const meetingAt = { sam: Date.parse(tomorrow), alex: Date.parse(tomorrow) };
      const answer = await pools.turn(poolTurnRequest(h.team, smb, ['sam', 'alex'], { at: Date.now(), segment: null, meetingAt }), { requestId: `${lead}#0`, leadId: lead });
      given[lead] = answer.rep!;
      await pools.report('smb', { key: `${lead}/booked`, leadId: lead, repId: answer.rep!, event: 'booked', meetingStart: tomorrow });
    }
    const samLeads = Object.keys(given).filter((l) => given[l] === 'sam');
    await pools.report('smb', { key: `${samLeads[0]}/held`, leadId: samLeads[0]!, repId: 'sam', event: 'held' });
    await pools.report('smb', { key: `${samLeads[1]}/no_show`, leadId: samLeads[1]!, repId: 'sam', event: 'no_show' });
    await pools.report('smb', { key: `${samLeads[2]}/canceled`, leadId: samLeads[2]!, repId: 'sam', event: 'canceled' });
    // Visibility lists the pool a moment after its first turn.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await app.request('/v1/ops/fairness', { headers: { Authorization: `Bearer ${API_KEY}` } });
      const body = (await res.json()) as { pools: { id: string; members: { id: string; canceled: number }[] }[] };
      if (body.pools.find((p) => p.id === 'smb')?.members.find((m) => m.id === 'sam')?.canceled === 1 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    stopWorker();
    await worker;
    h?.cleanup();
    await env?.teardown();
  });

  it('shows a bar per rep against their weighted share, with caps and outcomes, reached with the keyboard', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/ops`);
    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Open ops view' }).click();
    // The tabs in order (Leads, Outbox, Meetings, Fairness); Fairness is reached with the keyboard.
    await page.getByRole('tab', { name: 'Leads' }).focus();
    for (const next of ['tab-outbox', 'tab-meetings', 'tab-fairness']) {
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(next);
    }
    expect(await page.getByRole('tab', { name: 'Fairness' }).getAttribute('aria-selected')).toBe('true');
    expect(new URL(page.url()).hash).toBe('#fairness');
    const pool = page.locator('section[data-pool="smb"]');
    await pool.waitFor();
    expect(await pool.getByRole('heading', { level: 3 }).textContent()).toBe('SMB desk');
    expect(await pool.locator('p').first().textContent()).toContain('round robin · counting booked meetings this month');

    const sam = pool.locator('tr[data-rep="sam"]');
    const alex = pool.locator('tr[data-rep="alex"]');
    // Alex reached his cap of one meeting on tomorrow's date after one lead, so Sam took the other
    // five; one was canceled (given back): 4 against a share of 5, one lead owed.
    expect(await sam.getByRole('img').getAttribute('aria-label')).toBe('Sam Okafor: 4 leads, weighted share 5 (−1)');
    expect(await alex.getByRole('img').getAttribute('aria-label')).toBe('Alex Rivera: 1 lead, weighted share 0.7 (+0.3)');
    expect(await sam.locator('td').nth(1).textContent()).toBe('−1');
    expect(await sam.locator('td').nth(3).textContent()).toBe('5'); // booked
    expect(await sam.locator('td').nth(4).textContent()).toBe('1'); // held
    expect(await sam.locator('td').nth(5).textContent()).toBe('1'); // no-show
    // The cap column shows today's use: his meeting is tomorrow.
    expect(await alex.locator('td').nth(1).textContent()).toBe('+0.3');
    expect(await alex.locator('td').nth(2).textContent()).toBe('0 of 1 per day');

    // The picture: Alex's bar ends a third of a lead past his line; Sam's stops a lead short of his.
    // Both bars share one scale: the longest bar or line (Sam's share, 5) plus 15%.
    const edges = async (row: typeof sam) => {
      const fill = (await row.locator('.fill').boundingBox())!;
      const mark = (await row.locator('.mark').boundingBox())!;
      const bar = (await row.locator('.bar').boundingBox())!;
      return { end: fill.x + fill.width, mark: mark.x + mark.width / 2, lead: bar.width / (5 * 1.15) };
    };
    const a = await edges(alex);
    const s = await edges(sam);
    expect(a.end - a.mark).toBeCloseTo(a.lead / 3, -0.5);
    expect(s.mark - s.end).toBeCloseTo(s.lead, -0.5);
    await shot(page, 'ops-4-fairness');
    expect(browser.external).toEqual([]);
  });
});
