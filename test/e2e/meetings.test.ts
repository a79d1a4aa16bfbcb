/**
 * Browser end-to-end after booking (contract section 6): Debian's Chromium (playwright-core)
 * against a real HTTP server running the app, with a real worker.
 *
 * On the shared dev server (real visibility, real clocks): a buyer books in the widget, reschedules
 * from the meeting card, picks one of the new times, says "see you then", and cancels — with exactly
 * one calendar event at each moment, and none after; an ops person finds the meeting on the
 * Meetings tab, whose outcome buttons stay off until it starts (a meeting can only be booked ahead,
 * so on this server it has not started: with the page's clock moved past the start they turn on,
 * and the workflow's refusal is what the page shows).
 *
 * On the time-skipping server (visibility is not implemented there: ListWorkflowExecutions answers
 * UNIMPLEMENTED), the path after the meeting: the clock is skipped past it, the browser's clock is
 * set to the server's, the rep's link (`/ops#meetings?lead=…`) opens the meeting, a no-show is
 * recorded with the button, and the buyer's widget shows "We missed you" with new times and books one.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { BuyerTokens } from '../../api/auth';
import { statusQuery } from '../../workflows/lead/messages';
import { devServerEnv } from '../helpers/dev-server';
import { harness, testTeam, timeSkippingEnv, untilStatus, type Harness } from '../helpers/harness';
import { hasChromium, launchBrowser, listen, shot, SKIP_REASON, type Browser } from './browser';

const API_KEY = 'e2e-meetings-key-0123456789';
const ZONE = 'America/Los_Angeles';
const HOUR = 3_600_000;
const TEMPORAL_UI = 'http://temporal-ui.invalid';

if (!hasChromium) console.warn(SKIP_REASON);

type View = {
  stage: string;
  proposals: { id: string; start: string; end: string; attendees: string[] }[];
  booking: { proposalId: string; start: string; end: string; reps: string[] } | null;
  meeting: { outcome: string; reschedules: number } | null;
  messages: { from: string; text: string }[];
};

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if ((v !== undefined && ok(v)) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The meeting card as the buyer sees it (inside the widget's shadow root; Playwright pierces it). */
const card = (page: Page) => ({
  heading: () => page.locator('#bt-meeting-h').textContent(),
  when: () => page.locator('#bt-when').textContent(),
  state: () => page.locator('#bt-confirm').getAttribute('data-state'),
});
/** What the card shows as "when", for a booking: the meeting in the browser's zone, as the browser's own ICU writes it. */
const longWhen = (page: Page, b: { start: string; end: string }) =>
  page.evaluate(
    ([start, end]) => new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).formatRange(new Date(start!), new Date(end!)),
    [b.start, b.end],
  );

function serve(env: TestWorkflowEnvironment, h: Harness) {
  const app = createApp({
    client: env.client,
    taskQueue: h.taskQueue,
    namespace: 'default',
    apiKeys: [API_KEY],
    tokens: new BuyerTokens('e2e-meetings-secret'),
    outbox: h.local.outbox,
    temporalUiUrl: TEMPORAL_UI,
    sse: { pollMs: 100, heartbeatMs: 5_000 },
  });
  return listen(app.fetch);
}

function client(url: string) {
  return async <T>(path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, { ...init, headers: { Authorization: `Bearer ${init.token ?? API_KEY}`, 'Content-Type': 'application/json' } });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
  };
}

async function openOps(page: Page, url: string) {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'API key' }).fill(API_KEY);
  await page.getByRole('button', { name: 'Open ops view' }).click();
}

describe.skipIf(!hasChromium)('after booking, in the browser (Chromium, dev server)', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let api: ReturnType<typeof client>;
  let stopWorker: () => void = () => {};
  let worker: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    env = await devServerEnv();
    // Meetings at least 6 h ahead: a move is then outside the 2 h reschedule cutoff (inside it the rep gets a task instead).
    h = await harness(env, { team: testTeam((t) => ({ ...t, booking: { ...t.booking, minNotice: 6 * HOUR } })) });
    worker = h.withWorker(() => new Promise<void>((resolve) => (stopWorker = resolve)));
    server = await serve(env, h);
    api = client(server.url);
    browser = await launchBrowser([server.url], { timezoneId: ZONE });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    stopWorker();
    await worker;
    h?.cleanup();
    await env?.teardown();
  });

  it('a buyer reschedules from the meeting card, picks a new time, writes, then cancels: one calendar event at each moment, none after', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const stamp = Date.now();
    const name = `Rita Reschedule ${stamp}`;
    const email = `rita-${stamp}@clinic.example`;
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('What do you need?').fill('A 60-person clinic group, looking to automate scheduling.');
    await page.getByRole('button', { name: 'Schedule a demo' }).click();
    const events = () => h.local.calendar.bookedEvents().filter((e) => e.title?.includes(name));

    // Book the first time offered.
    await page.locator('.slot').first().waitFor({ timeout: 20_000 });
    await page.locator('.slot').first().click();
    await page.locator('#bt-confirm').waitFor({ state: 'visible', timeout: 20_000 });
    const stored = await page.evaluate(() => Object.entries(sessionStorage).find(([k]) => k.startsWith('baton:lead:'))?.[1] ?? 'null');
    const { leadId } = JSON.parse(stored) as { leadId: string };
    const booked = (await until(() => api<View>(`/v1/leads/${leadId}`).then((r) => r.body), (v) => v.stage === 'booked' && v.meeting !== null)).booking!;
    const repName = h.team.reps.find((r) => r.id === booked.reps[0])!.name;
    expect(await card(page).heading()).toBe('Meeting confirmed');
    expect(await card(page).when()).toBe(await longWhen(page, booked));
    expect(await card(page).when()).toMatch(/P[DS]T/);
    await expect.poll(() => page.locator('#bt-with').textContent()).toBe(`With ${repName}`);
    expect(await page.getByRole('button', { name: 'Reschedule' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel meeting' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Reply').isVisible(), 'free text stays open after booking').toBe(true);
    expect(events().map((e) => e.start)).toEqual([booked.start]);
    await shot(page, 'meeting-1-card');

    // Reschedule: "When would suit you better?" → the buyer's words go to the workflow as a message.
    await page.getByRole('button', { name: 'Reschedule' }).click();
    const ask = page.getByLabel('When would suit you better?');
    await ask.fill('an hour later');
    await shot(page, 'meeting-2-reschedule-ask');
    await page.getByRole('button', { name: 'Ask for new times' }).click();
    await page.locator('.msg.buyer', { hasText: 'Can we find another time? an hour later' }).waitFor();
    const offer = await until(() => api<View>(`/v1/leads/${leadId}`).then((r) => r.body), (v) => v.stage === 'rescheduling');
    expect(Date.parse(offer.proposals[0]!.start)).toBe(Date.parse(booked.start) + HOUR);
    const fresh = page.locator('#bt-log > li.times:last-child .slot:not([disabled])');
    await expect.poll(() => fresh.count(), { timeout: 15_000 }).toBe(offer.proposals.length);
    await expect.poll(() => card(page).state()).toBe('rescheduling');
    expect(await page.locator('#bt-meeting-note').textContent()).toMatch(/stays booked until you pick one/);
    expect(events().map((e) => e.start), 'the booked meeting stands meanwhile').toEqual([booked.start]);
    await shot(page, 'meeting-3-new-times');

    // Pick the new time: the card shows it, and the same calendar event moved there.
    await fresh.first().click();
    const moved = { start: offer.proposals[0]!.start, end: offer.proposals[0]!.end };
    await expect.poll(() => card(page).when(), { timeout: 20_000 }).toBe(await longWhen(page, moved));
    await expect.poll(() => page.locator('#bt-meeting-note').textContent()).toBe('The calendar invitation has been updated.');
    const after = await until(() => api<View>(`/v1/leads/${leadId}`).then((r) => r.body), (v) => v.stage === 'booked' && v.meeting?.reschedules === 1);
    expect(after.booking!.start).toBe(moved.start);
    expect(events().map((e) => e.start), 'exactly one event, at the new time').toEqual([moved.start]);
    await page.locator('.msg.agent', { hasText: 'is now' }).waitFor();
    await shot(page, 'meeting-4-moved');

    // Free text still goes to the workflow: "see you then" gets its one short answer, the meeting stays.
    await page.getByLabel('Reply').fill('see you then!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.msg.agent', { hasText: /^Baton: Great — see you/ }).waitFor({ timeout: 15_000 });
    expect(await card(page).state()).toBe('booked');
    expect(events().map((e) => e.start)).toEqual([moved.start]);

    // Cancel: asked first, then canceled; no event is left.
    await page.getByRole('button', { name: 'Cancel meeting' }).click();
    await page.getByLabel('Reason').fill('We found another vendor');
    await shot(page, 'meeting-5-cancel-ask');
    await page.getByRole('button', { name: 'Yes, cancel the meeting' }).click();
    await expect.poll(() => card(page).state(), { timeout: 20_000 }).toBe('canceled');
    expect(await card(page).heading()).toBe('Meeting canceled');
    expect(events()).toEqual([]);
    await page.locator('.msg.agent', { hasText: "I've canceled your meeting" }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByLabel('Reply').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Cancel meeting' }).isVisible()).toBe(false);
    const last = (await api<View>(`/v1/leads/${leadId}`)).body;
    expect(last.stage).toBe('canceled');
    expect(last.messages.filter((m) => m.from === 'buyer').map((m) => m.text)).toEqual([
      'A 60-person clinic group, looking to automate scheduling.',
      'Can we find another time? an hour later',
      'see you then!',
    ]);
    await shot(page, 'meeting-6-canceled');
    expect(browser.external).toEqual([]);
    await page.close();
  });

  it('ops find the meeting on the Meetings tab (filters, no-show rate per rep); its outcome buttons stay off until it starts', async () => {
    const stamp = Date.now();
    const email = `otto-${stamp}@clinic.example`;
    const created = (await api<{ leadId: string }>('/v1/leads', { method: 'POST', body: JSON.stringify({ email, name: `Otto Ops ${stamp}`, company: 'Ops Clinic' }) })).body;
    const offered = await until(() => api<View>(`/v1/leads/${created.leadId}`).then((r) => r.body), (v) => v.stage === 'awaiting_reply');
    expect((await api(`/v1/leads/${created.leadId}/booking`, { method: 'POST', body: JSON.stringify({ proposalId: offered.proposals[0]!.id }) })).status).toBe(200);
    const view = await until(() => api<View>(`/v1/leads/${created.leadId}`).then((r) => r.body), (v) => v.stage === 'booked' && v.meeting !== null);
    const rep = view.booking!.reps[0]!;
    await until(() => api<{ meetings: { leadId: string }[] }>('/v1/ops/meetings').then((r) => r.body.meetings), (ms) => ms.some((m) => m.leadId === created.leadId));

    const page = await browser.newPage();
    await openOps(page, `${server.url}/ops#meetings`);
    const row = page.locator(`#meetings-body tr[data-lead-id="${created.leadId}"]`);
    await row.waitFor();
    expect(await page.getByRole('tab', { name: 'Meetings' }).getAttribute('aria-selected')).toBe('true');
    expect(await row.textContent()).toContain(`Otto Ops ${stamp}`);
    expect(await row.locator('.badge.outcome').textContent()).toBe('scheduled');
    const buttons = row.locator('.record button');
    expect(await buttons.allTextContents()).toEqual(['Held', 'No-show', 'Rep no-show']);
    expect(await buttons.evaluateAll((bs) => bs.every((b) => (b as HTMLButtonElement).disabled))).toBe(true);
    // The reason is said, and tied to the buttons for screen readers.
    const hint = row.locator('.record .hint');
    expect(await hint.textContent()).toMatch(/^From .+, once the meeting has started$/);
    expect(await buttons.first().getAttribute('aria-describedby')).toBe(await hint.getAttribute('id'));
    const rates = page.locator(`#rates-body tr[data-rep="${rep}"]`);
    expect(await rates.locator('td').allTextContents()).toEqual([expect.any(String), expect.any(String), expect.stringMatching(/^(—|\d+%)/)]);
    await shot(page, 'ops-meetings-1-list');

    // Filters: an outcome nobody has here empties the list; the rep's own meetings include this one; kept in the address.
    await page.getByLabel('Outcome').selectOption('held');
    await expect.poll(() => row.count()).toBe(0);
    expect(page.url()).toContain('#meetings?outcome=held');
    await page.getByLabel('Outcome').selectOption('');
    await page.locator('#panel-meetings').getByLabel('Rep', { exact: true }).fill(rep);
    await page.locator('#panel-meetings').getByLabel('Rep', { exact: true }).press('Enter');
    await row.waitFor();
    expect(await page.locator('#meetings-body tr td:nth-child(3)').allTextContents()).toEqual(expect.arrayContaining([rep]));
    expect(new Set(await page.locator('#meetings-body tr td:nth-child(3)').allTextContents())).toEqual(new Set([rep]));
    expect(Object.keys((await api<{ noShowRate: Record<string, unknown> }>(`/v1/ops/meetings?rep=${rep}`)).body.noShowRate)).toEqual([rep]);
    expect(await page.locator('#rates-body tr').count()).toBe(1);
    await page.close();

    // With the page's clock past the start the buttons turn on; the workflow (on the server's clock) still refuses, and the page says why.
    const clocked = await launchBrowser([server.url], { timezoneId: ZONE });
    try {
      const late = await clocked.newPage();
      await late.clock.install({ time: Date.parse(view.booking!.start) + 5 * 60_000 });
      await openOps(late, `${server.url}/ops#meetings?lead=${encodeURIComponent(created.leadId)}`);
      const linked = late.locator('#meeting-focus');
      await linked.locator('h3', { hasText: `Meeting with Otto Ops ${stamp}` }).waitFor();
      const held = linked.getByRole('button', { name: 'Held' });
      expect(await held.isEnabled()).toBe(true);
      await held.click();
      await linked.locator('.notice.bad', { hasText: 'record its outcome once it has started' }).waitFor();
      expect((await api<View>(`/v1/leads/${created.leadId}`)).body.meeting?.outcome).toBe('scheduled');
      await shot(late, 'ops-meetings-2-refused-before-start');
      expect(clocked.external).toEqual([]);
    } finally {
      await clocked.close();
    }
  });
});

describe.skipIf(!hasChromium)('after the meeting, in the browser (Chromium, time-skipping server)', () => {
  it('the rep’s link opens the meeting, a no-show is recorded with the button, and the buyer’s widget offers new times and books one', async () => {
    const env = await timeSkippingEnv();
    const h = await harness(env);
    const server = await serve(env, h);
    const api = client(server.url);
    const browser = await launchBrowser([server.url], { timezoneId: ZONE });
    try {
      await h.withWorker(async () => {
        const email = `missy-${Date.now()}@clinic.example`;
        const created = (await api<{ leadId: string; buyerToken: string }>('/v1/leads', { method: 'POST', body: JSON.stringify({ email, name: 'Missy Miss', company: 'Missed Clinic' }) })).body;
        const offered = await until(() => api<View>(`/v1/leads/${created.leadId}`).then((r) => r.body), (v) => v.stage === 'awaiting_reply');
        expect((await api(`/v1/leads/${created.leadId}/booking`, { method: 'POST', body: JSON.stringify({ proposalId: offered.proposals[0]!.id }) })).status).toBe(200);
        // Past the meeting: the rep is asked how it went, and nobody has said yet.
        await untilStatus(h, env.client.workflow.getHandle(`lead-${email}`), (s) => s.meeting?.outcome === 'unconfirmed', { stepMs: HOUR });
        const serverNow = await env.currentTimeMs();
        const missed = (await api<View>(`/v1/leads/${created.leadId}`)).body.booking!;
        expect(Date.parse(missed.start)).toBeLessThan(serverNow);

        // The browser's clock is the server's (skipped) one, as it would be in real life.
        await browser.context.clock.install({ time: serverNow });
        const page = await browser.newPage();
        await openOps(page, `${server.url}/ops#meetings?lead=${encodeURIComponent(created.leadId)}`);
        const linked = page.locator('#meeting-focus');
        await linked.locator('h3', { hasText: 'Meeting with Missy Miss' }).waitFor();
        expect(await linked.locator('.badge.outcome').textContent()).toBe('unconfirmed');
        // This server has no visibility: the list says it could not load, the linked meeting works regardless.
        await expect.poll(() => page.locator('#meetings-status').textContent()).toMatch(/^Could not load the meetings/);
        const noShow = linked.getByRole('button', { name: 'No-show', exact: true });
        expect(await noShow.isEnabled()).toBe(true);
        await noShow.click();
        // Asked first: the buyer will be told.
        const note = linked.getByLabel('Note for the CRM (optional)');
        await expect.poll(() => page.evaluate(() => document.activeElement?.id ?? '')).toMatch(/^m-note-focus-/);
        expect(await linked.locator('form').textContent()).toContain('Missy Miss did not show up?');
        await note.fill('Waited 15 minutes');
        await shot(page, 'ops-meetings-3-confirm-no-show');
        await linked.getByRole('button', { name: 'Record no-show' }).click();
        await expect.poll(() => page.locator('#meetings-status').textContent(), { timeout: 20_000 }).toBe('Recorded no-show for Missy Miss; the lead is now no show.');
        expect(await linked.locator('.badge.outcome').textContent()).toBe('no-show');
        expect(await linked.locator('.record').textContent()).toBe('Recorded: no-show');
        const recovery = (await api<View>(`/v1/leads/${created.leadId}`)).body;
        expect(recovery).toMatchObject({ stage: 'no_show', meeting: { outcome: 'no_show' } });
        expect(recovery.messages.at(-1)!.text).toMatch(/^Sorry we missed you/);
        await shot(page, 'ops-meetings-4-recorded');
        await page.close();

        // The buyer comes back to the chat: the missed meeting, and the new times as buttons.
        const buyer = await browser.newPage();
        await buyer.addInitScript(
          ([key, session]) => sessionStorage.setItem(key, session),
          [`baton:lead:${server.url}`, JSON.stringify({ leadId: created.leadId, buyerToken: created.buyerToken, email })] as const,
        );
        await buyer.goto(server.url);
        await expect.poll(() => card(buyer).state(), { timeout: 20_000 }).toBe('no_show');
        expect(await card(buyer).heading()).toBe('We missed you');
        const times = buyer.locator('#bt-log > li.times:last-child .slot:not([disabled])');
        await expect.poll(() => times.count(), { timeout: 15_000 }).toBe(recovery.proposals.length);
        await shot(buyer, 'meeting-7-no-show-recovery');
        await times.nth(1).click();
        const again = recovery.proposals[1]!;
        await expect.poll(() => card(buyer).state(), { timeout: 20_000 }).toBe('booked');
        expect(await card(buyer).when()).toBe(await longWhen(buyer, again));
        expect(await card(buyer).heading()).toBe('Meeting confirmed');
        const booked = (await env.client.workflow.getHandle(`lead-${email}`).query(statusQuery));
        expect(booked).toMatchObject({ stage: 'booked', booking: { start: again.start }, meeting: { outcome: 'scheduled' } });
        expect(h.local.calendar.bookedEvents().map((e) => e.start)).toEqual([missed.start, again.start]); // the missed one, and the new one
        expect(browser.external).toEqual([]);
        await buyer.close();
      });
    } finally {
      await browser.close();
      await server.close();
      h.cleanup();
      await env.teardown();
    }
  });
});
