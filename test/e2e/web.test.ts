/**
 * Browser end-to-end: Debian's Chromium (playwright-core) against a real HTTP server running the app,
 * with a real worker on the shared Temporal dev server. A buyer books through the embedded widget
 * with the mouse and with the keyboard only; an ops person finds leads, filters, and follows the
 * link into the Temporal UI; the docs render with no internet. Screenshots: test-results/screenshots/.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { ProviderAuthError } from '../../domain/errors';
import { devServerEnv } from '../helpers/dev-server';
import { harness, type Harness } from '../helpers/harness';
import { hasChromium, hostSite, launchBrowser, listen, shot, SKIP_REASON, type Browser } from './browser';

const API_KEY = 'e2e-key-0123456789';
const TEMPORAL_UI = 'http://temporal-ui.invalid';
const ZONE = 'America/Los_Angeles';

if (!hasChromium) console.warn(SKIP_REASON);

describe.skipIf(!hasChromium)('in the browser (Chromium)', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let server: { url: string; close: () => Promise<void> };
  let site: Awaited<ReturnType<typeof hostSite>>;
  let browser: Browser;
  let stopWorker: () => void = () => {};
  let worker: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    env = await devServerEnv();
    h = await harness(env, {
      // Leads from broken.example hit a CRM that rejects our credentials: they get stuck (needs_attention).
      wrapProviders: (p) => ({
        ...p,
        crm: Object.assign(Object.create(p.crm), {
          findAccountByEmail: (email: string) =>
            email.endsWith('@broken.example') ? Promise.reject(new ProviderAuthError('CRM rejected the API token (401)')) : p.crm.findAccountByEmail(email),
        }),
      }),
    });
    worker = h.withWorker(() => new Promise<void>((resolve) => (stopWorker = resolve)));
    site = await hostSite();
    const app = createApp({
      client: env.client,
      taskQueue: h.taskQueue,
      namespace: 'default',
      apiKeys: [API_KEY],
      tokens: new BuyerTokens('e2e-secret'),
      outbox: h.local.outbox,
      temporalUiUrl: TEMPORAL_UI,
      allowedOrigins: [site.origin],
      sse: { pollMs: 100, heartbeatMs: 5_000 },
    });
    server = await listen(app.fetch);
    browser = await launchBrowser([server.url, site.origin], { timezoneId: ZONE });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await site?.close();
    stopWorker();
    await worker;
    h?.cleanup();
    await env?.teardown();
  });

  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  type LeadView = { stage: string; booking: { start: string; proposalId: string } | null; proposals: { id: string; start: string }[] };
  const leadByEmail = async (email: string) => {
    const created = await api<{ leadId: string }>('/v1/leads', { method: 'POST', body: JSON.stringify({ email }) });
    return created.body.leadId; // joins the active lead
  };
  async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (ok(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  /** The element focused inside the widget's shadow root, described. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el) return null;
      const style = getComputedStyle(el);
      return { tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent ?? '').trim(), outline: `${style.outlineStyle} ${style.outlineWidth}` };
    });
  async function tabUntil(page: Page, ok: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 15) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (ok(await focused(page))) return;
    }
    throw new Error(`focus never reached the target; last: ${JSON.stringify(await focused(page))}`);
  }

  it('a buyer books a meeting with the mouse, through the widget embedded on another site', async () => {
    site.setPage(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic Software Inc.</title>
      <style>body{font-family:Georgia,serif;margin:40px;background:#fbf7f0} h1{color:#7a3b00}</style></head>
      <body><h1>Clinic Software Inc.</h1><p>Our product page. Talk to sales:</p>
      <script src="${server.url}/widget.js" data-baton-api="${server.url}"></script></body></html>`);
    const page = await browser.newPage();
    await page.goto(site.origin);
    const email = `mouse-${Date.now()}@clinic.example`;

    await page.getByLabel('Name').click();
    await page.getByLabel('Name').fill('Maya Mouse');
    await page.getByLabel('Work email').click();
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('What do you need?').click();
    await page.getByLabel('What do you need?').fill('We are a 40-person clinic and want to automate scheduling.');
    await shot(page, 'widget-1-form');
    await page.getByRole('button', { name: 'Schedule a demo' }).click();

    const slots = page.locator('.slot');
    await slots.first().waitFor({ timeout: 20_000 });
    await expect.poll(() => slots.count()).toBe(3);
    await shot(page, 'widget-2-proposals');

    // A free-text reply goes to the workflow and comes back through the stream, followed by the agent's answer.
    await page.getByLabel('Reply').click();
    await page.getByLabel('Reply').fill('Can our ops lead join as well?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.msg.buyer', { hasText: 'Can our ops lead join as well?' }).waitFor();
    await expect.poll(() => page.locator('.msg').evaluateAll((ms) => ms.at(-1)?.classList.contains('agent')), { timeout: 10_000 }).toBe(true);
    expect(await page.getByLabel('Reply').inputValue()).toBe('');
    await expect.poll(() => page.locator('.slot:not([disabled])').count()).toBe(3);

    // Someone takes the second time before the buyer clicks it: 409, and the widget offers fresh times.
    const leadId = await leadByEmail(email);
    const offered = (await api<LeadView & { proposals: { attendees: string[]; end: string }[] }>(`/v1/leads/${leadId}`)).body;
    const taken = offered.proposals[1]!;
    taken.attendees.forEach((rep, i) => h.local.calendar.seed({ [rep]: [{ start: taken.start, end: new Date(Date.parse(taken.end) + i).toISOString(), title: 'Taken' }] }));
    const agentMessages = await page.locator('.msg.agent').count();
    await slots.nth(1).click();
    await page.locator('.notice', { hasText: 'just taken' }).waitFor();
    const fresh = page.locator('.slot:not([disabled])');
    await expect.poll(() => fresh.count(), { timeout: 15_000 }).toBe(3);
    // The agent's re-proposal arrives through the stream; the fresh buttons sit under it, the old ones are marked expired.
    await expect.poll(() => page.locator('.msg.agent').count(), { timeout: 10_000 }).toBe(agentMessages + 1);
    expect(await page.locator('#bt-log > li:last-child .slot:not([disabled])').count()).toBe(3);
    expect(await page.locator('#bt-log > li.expired').count()).toBe(1);
    await shot(page, 'widget-3-conflict');

    // The buttons show times in the browser's zone (Pacific here), whatever zone the server runs in.
    const view = (await api<LeadView>(`/v1/leads/${leadId}`)).body;
    expect(view.proposals.map((p) => p.id)).not.toContain(taken.id);
    const chosen = view.proposals[0]!;
    const label = (await fresh.first().textContent()) ?? '';
    const hm = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' }).format(new Date(chosen.start)).replace(/\s?[AP]M$/, '');
    expect(label).toContain(hm);
    expect(label).toMatch(/P[DS]T/);
    expect(await page.locator('legend').last().textContent()).toContain(ZONE);

    await fresh.first().click();
    const confirmation = page.locator('.confirm');
    await confirmation.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await confirmation.textContent()).toContain('Meeting confirmed');
    expect(await confirmation.textContent()).toContain(email);
    await shot(page, 'widget-4-booked');

    const booked = (await api<LeadView>(`/v1/leads/${leadId}`)).body;
    expect(booked.booking?.start).toBe(chosen.start);
    // The token lives in sessionStorage: a reload shows the same conversation, not a fresh form.
    await page.reload();
    await page.locator('.confirm').waitFor({ state: 'visible', timeout: 10_000 });
    expect(browser.external).toEqual([]);
    await page.close();
  });

  it('a buyer books with the keyboard only, with visible focus all the way', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const email = `keys-${Date.now()}@clinic.example`;

    await tabUntil(page, (f) => f?.id === 'bt-name');
    expect(await focused(page)).toMatchObject({ tag: 'input', outline: 'solid 3px' });
    await page.keyboard.type('Kim Keys');
    await page.keyboard.press('Tab');
    expect((await focused(page))?.id).toBe('bt-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect((await focused(page))?.id).toBe('bt-need');
    await page.keyboard.type('Need a demo for our front desk team.');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: 'Schedule a demo', outline: 'solid 3px' });
    await page.keyboard.press('Enter');

    // Focus moves to the conversation; the first Tab reaches the offered times.
    await page.locator('.slot').first().waitFor({ timeout: 20_000 });
    expect((await focused(page))?.id).toBe('bt-log');
    await page.keyboard.press('Tab');
    const first = await focused(page);
    expect(first).toMatchObject({ tag: 'button', outline: 'solid 3px' });
    expect(first?.text).toMatch(/P[DS]T/);
    await page.keyboard.press('Tab');
    const chosen = (await focused(page))!.text;
    await shot(page, 'widget-5-keyboard-focus');
    await page.keyboard.press('Enter');

    const confirmation = page.locator('.confirm');
    await confirmation.waitFor({ state: 'visible', timeout: 20_000 });
    expect((await focused(page))?.id).toBe('bt-confirm'); // announced and focused
    await shot(page, 'widget-6-keyboard-booked');

    // The widget keeps its lead in sessionStorage (the lead may already have closed: don't look it up by email).
    const stored = await page.evaluate(() => Object.entries(sessionStorage).find(([k]) => k.startsWith('baton:lead:'))?.[1] ?? 'null');
    const { leadId } = JSON.parse(stored) as { leadId: string };
    const view = (await api<LeadView>(`/v1/leads/${leadId}`)).body;
    expect(view.booking).not.toBeNull();
    const start = new Date(view.booking!.start);
    const hm = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' }).format(start).replace(/\s?[AP]M$/, '');
    expect(chosen).toContain(hm);
    expect(browser.external).toEqual([]);
    await page.close();
  });

  it('an ops person sees leads (stuck first), filters them, and reaches the workflow in the Temporal UI in two clicks', async () => {
    const stamp = Date.now();
    const start = (email: string, extra: Record<string, unknown> = {}) =>
      api<{ leadId: string; workflowId: string }>('/v1/leads', { method: 'POST', body: JSON.stringify({ email, ...extra }) }).then((r) => r.body);
    const stuck = await start(`ops-stuck-${stamp}@broken.example`, { name: 'Stu Stuck', company: 'Broken Inc' });
    const waiting = await start(`ops-waiting-${stamp}@clinic.example`, { name: 'Wanda Waiting', company: 'Clinic Co' });
    const view = await until(() => api<LeadView>(`/v1/leads/${waiting.leadId}`).then((r) => r.body), (v) => v.stage === 'awaiting_reply');
    const waitingRep = ((await api<{ route: { reps: string[] } }>(`/v1/leads/${waiting.leadId}`)).body.route.reps[0])!;
    expect(view.proposals.length).toBeGreaterThan(0);
    await until(() => api<{ stage: string }>(`/v1/leads/${stuck.leadId}`).then((r) => r.body.stage), (s) => s === 'needs_attention');
    // Visibility catches up a moment after the workflows.
    await until(
      () => api<{ leads: { leadId: string; stage: string }[] }>('/v1/ops/leads?limit=500').then((r) => r.body.leads),
      (leads) => leads.some((l) => l.leadId === stuck.leadId && l.stage === 'needs_attention') && leads.some((l) => l.leadId === waiting.leadId && l.stage === 'awaiting_reply'),
    );

    await browser.context.route(`${TEMPORAL_UI}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<title>Temporal UI (stub)</title><h1>Temporal UI</h1>' }));
    const page = await browser.newPage();
    await page.goto(`${server.url}/ops`);

    // API keys are configured: the page asks for one first.
    await page.getByRole('textbox', { name: 'API key' }).fill(API_KEY);
    await page.getByRole('button', { name: 'Open ops view' }).click();
    const rows = page.locator('#leads-body tr');
    await page.locator(`tr[data-lead-id="${stuck.leadId}"]`).waitFor();
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-lead-id'), stuck: tr.classList.contains('stuck') })));
    const stuckIndex = ids.findIndex((r) => r.id === stuck.leadId);
    expect(ids[stuckIndex]?.stuck).toBe(true);
    expect(stuckIndex).toBeLessThan(ids.findIndex((r) => r.id === waiting.leadId));
    expect(ids.slice(0, stuckIndex).every((r) => r.stuck)).toBe(true); // stuck ones first
    const stuckRow = page.locator(`tr[data-lead-id="${stuck.leadId}"]`);
    expect(await stuckRow.textContent()).toContain('Stu Stuck');
    expect(await stuckRow.textContent()).toContain('needs attention');
    const counts = await page.locator('#counts').textContent();
    expect(counts).toMatch(/needs attention/);

    // Routing details load when asked for: why it is stuck, straight from the workflow.
    await stuckRow.locator('summary').click();
    await expect.poll(() => stuckRow.locator('.reason').textContent(), { timeout: 10_000 }).toContain('CRM rejected');
    await shot(page, 'ops-1-leads');

    // Filter by stage, then by rep.
    await page.getByLabel('Stage', { exact: true }).selectOption('awaiting_reply');
    await expect.poll(() => rows.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute('data-stage')))])).toEqual(['awaiting_reply']);
    expect(await page.locator(`tr[data-lead-id="${waiting.leadId}"]`).count()).toBe(1);
    expect(page.url()).toContain('stage=awaiting_reply');
    await page.locator('#panel-leads').getByLabel('Rep', { exact: true }).fill(waitingRep);
    await page.locator('#panel-leads').getByLabel('Rep', { exact: true }).press('Enter');
    await expect.poll(() => rows.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.children[2]?.textContent))])).toEqual([waitingRep]);
    await shot(page, 'ops-2-filtered');

    // Two clicks from the page to a stuck lead's workflow: the "needs attention" count, then its link.
    await page.goto(`${server.url}/ops`); // no key prompt: kept for this tab
    await page.locator('#counts button', { hasText: 'needs attention' }).click();
    const link = page.locator(`tr[data-lead-id="${stuck.leadId}"] a.wf`);
    await link.waitFor();
    const runId = stuck.leadId.split('.')[1]!;
    const expected = `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(stuck.workflowId)}/${runId}`;
    expect(await link.getAttribute('href')).toBe(expected);
    const [popup] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(expected);
    await popup.close();

    // The outbox tab lists the intro emails the embedded provider "sent": book the waiting lead for one.
    const booked = await api(`/v1/leads/${waiting.leadId}/booking`, { method: 'POST', body: JSON.stringify({ proposalId: view.proposals[0]!.id }) });
    expect(booked.status).toBe(200);
    const waitingEmail = `ops-waiting-${stamp}@clinic.example`;
    await until(async () => h.local.outbox.list({ to: waitingEmail }).length, (n) => n > 0);
    await page.getByRole('tab', { name: 'Outbox' }).click();
    await page.locator('#outbox-body tr', { hasText: waitingEmail }).waitFor();
    expect(await page.locator('#outbox-status').textContent()).toMatch(/emails, newest first/);
    await shot(page, 'ops-3-outbox');
    expect(browser.external).toEqual([]);
    await page.close();
  });

  it('renders the API docs from /openapi.json with no internet', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${server.url}/docs`);
    await page.locator('#docs-status', { hasText: 'routes' }).waitFor();
    const routes = await page.locator('article.route h2').allTextContents();
    expect(routes.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(
      expect.arrayContaining(['POST /v1/leads', 'GET /v1/leads/{leadId}', 'POST /v1/leads/{leadId}/booking', 'GET /v1/ops/outbox', 'GET /healthz']),
    );
    const leads = page.locator('article#post-v1-leads');
    expect(await leads.locator('pre.schema').first().textContent()).toContain('email: string');
    await shot(page, 'docs');
    expect(requests.every((u) => u.startsWith(server.url))).toBe(true);
    expect(browser.external).toEqual([]);
    await page.close();
  });
});
