/**
 * The chat widget after booking (contract section 6): the meeting card (when, in the buyer's zone;
 * with whom, from the agent's own words; the join link), Reschedule (a message the workflow
 * understands) and Cancel (confirmed, then `POST /cancel`), new times as buttons while
 * rescheduling or after a missed meeting, the card through a move, a cancellation, held and
 * no-show; free text keeps working. The real path runs in Chromium (test/e2e/meetings.test.ts).
 *
 * The widget runs in jsdom with a scripted lead (what `GET /v1/leads/:id` answers for a buyer
 * token) and a fake EventSource.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cancelConfirmationMessage, coverChangeMessage, noShowRecoveryMessage, reminderMessage, repNoShowApologyMessage, rescheduledMessage, rescheduleOfferMessage } from '../../domain/converse/after-booking';
import { confirmationMessage } from '../../domain/converse/copy';
import { closeDoms, LEAD_ID, LEAD_PATH, mount, type Script } from './widget-dom';

afterEach(closeDoms);

const HOUR = 3_600_000;
const HALF_HOUR = 1_800_000;
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
const iso = (ms: number) => new Date(ms).toISOString();
const slotAt = (ms: number, id: string) => ({ id, start: iso(ms), end: iso(ms + HALF_HOUR), attendees: ['sarah'] });

type Stage = 'booked' | 'rescheduling' | 'held' | 'no_show' | 'canceled' | 'needs_attention' | 'unresponsive';
interface BuyerView {
  leadId: string;
  stage: Stage;
  proposals: ReturnType<typeof slotAt>[];
  booking: { proposalId: string; start: string; end: string; meetLink?: string } | null;
  meeting: { outcome: string; reschedules: number } | null;
  messages: { id: number; at: string; from: 'buyer' | 'agent'; text: string; proposalIds?: string[] }[];
}

/** A booked lead (a day ahead) as its buyer token reads it, the script that serves it, and the stream that tells about it. */
function bookedLead(over: Partial<BuyerView> = {}, extra: Script = {}) {
  const start = Math.ceil((Date.now() + 26 * HOUR) / HALF_HOUR) * HALF_HOUR;
  const lead: BuyerView = {
    leadId: LEAD_ID,
    stage: 'booked',
    proposals: [],
    booking: { proposalId: '1-2', start: iso(start), end: iso(start + HALF_HOUR) },
    meeting: { outcome: 'scheduled', reschedules: 0 },
    messages: [],
    ...over,
  };
  let nextId = 1;
  const ui = mount({ [`GET ${LEAD_PATH}`]: () => ({ status: 200, body: structuredClone(lead) }), ...extra });
  const q = <T extends Element = HTMLElement>(sel: string) => ui.root.querySelector(sel) as T | null;
  return {
    ...ui,
    lead,
    start,
    q,
    /** The agent says something (in the lead's messages and on the stream). */
    say(text: string, proposalIds?: string[]) {
      const message = { from: 'agent' as const, text, ...(proposalIds ? { proposalIds } : {}) };
      const id = nextId++;
      lead.messages.push({ id, at: new Date().toISOString(), ...message });
      ui.events.emit('message', { id, type: 'message', message });
    },
    stage(stage: Stage) {
      lead.stage = stage;
      ui.events.emit('stage', { id: nextId++, type: 'stage', stage });
    },
    card: () => ({
      shown: !q('#bt-confirm')!.hidden,
      state: q('#bt-confirm')!.getAttribute('data-state'),
      heading: q('#bt-meeting-h')!.textContent,
      when: q('#bt-when')!.textContent,
      with: q('#bt-with')!.hidden ? null : q('#bt-with')!.textContent,
      note: q('#bt-meeting-note')!.textContent,
      actions: !q('#bt-meeting-actions')!.hidden,
    }),
    focused: () => ui.root.activeElement?.id ?? null,
    enabledSlots: () => [...ui.root.querySelectorAll<HTMLButtonElement>('.slot:not(:disabled)')],
    click: (sel: string) => q<HTMLButtonElement>(sel)!.click(),
    type(sel: string, text: string) {
      q<HTMLInputElement>(sel)!.value = text;
    },
    submit: (formSel: string) => q<HTMLButtonElement>(`${formSel} button[type=submit]`)!.click(),
    posts: (suffix: string) => ui.sent.filter((s) => s.method === 'POST' && s.path === `${LEAD_PATH}${suffix}`).map((s) => s.body),
  };
}

/** What the card shows as "when": the meeting in the browser's zone, like the proposals. */
const longWhen = (b: { start: string; end: string }) =>
  new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).formatRange(new Date(b.start), new Date(b.end));

const copyBase = (start: number) => ({ start, end: start + HALF_HOUR, timezone: ZONE, now: Date.now(), buyerName: 'Jane Park' });

describe('widget: the meeting card after booking', () => {
  it('shows when (in the buyer’s zone), with whom, and the join link, with Reschedule and Cancel; free text keeps working', async () => {
    const ui = bookedLead({}, { [`POST ${LEAD_PATH}/messages`]: [{ status: 202, body: { leadId: LEAD_ID } }] });
    ui.lead.booking!.meetLink = 'https://meet.example/abc-defg';
    ui.say(confirmationMessage({ ...copyBase(ui.start), repNames: ['Sarah Chen'], companyName: 'Acme' }));
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().shown).toBe(true));
    expect(ui.card()).toMatchObject({ state: 'booked', heading: 'Meeting confirmed', when: longWhen(ui.lead.booking!), with: 'With Sarah Chen', actions: true });
    expect(ui.card().note).toBe('A calendar invitation is on its way to jane@shop.test.');
    expect(ui.q('#bt-join-link')!.getAttribute('href')).toBe('https://meet.example/abc-defg');
    expect(ui.focused(), 'the card is announced by focus the first time').toBe('bt-confirm');

    // The conversation stays open: a question goes to the workflow like before booking.
    expect(ui.q('#bt-reply-form')!.hidden).toBe(false);
    ui.type('#bt-reply', 'Do I need to prepare anything?');
    ui.submit('#bt-reply-form');
    await vi.waitFor(() => expect(ui.q<HTMLInputElement>('#bt-reply')!.value).toBe(''));
    expect(ui.posts('/messages')).toEqual([{ text: 'Do I need to prepare anything?' }]);
  });

  it('names whom the buyer meets from each of the agent’s wordings (domain/converse), the latest winning', async () => {
    const start = Math.ceil((Date.now() + 26 * HOUR) / HALF_HOUR) * HALF_HOUR;
    const base = copyBase(start);
    const cases: [string, string][] = [
      [confirmationMessage({ ...base, repNames: ['Sarah Chen', 'Raj Patel'], companyName: 'Acme' }), 'Sarah Chen and Raj Patel'],
      [confirmationMessage({ ...base, repNames: [], companyName: 'Acme' }), 'the Acme team'],
      [rescheduledMessage({ ...base, from: start - HOUR, to: start, repNames: ['Sarah Chen'] }), 'Sarah'],
      [coverChangeMessage({ ...base, fromName: 'Sarah Chen', toName: 'Tom Becker', reason: 'pto' }), 'Tom'],
      [reminderMessage({ ...base, repNames: ['Sarah Chen'] }), 'Sarah'],
      [reminderMessage({ ...base, now: start - HOUR, repNames: ['Sarah Chen', 'Mark Li'] }), 'Sarah and Mark'],
    ];
    for (const [text, who] of cases) {
      const ui = bookedLead();
      ui.say(confirmationMessage({ ...base, repNames: ['Someone Else'], companyName: 'Acme' }));
      ui.say(text);
      ui.stage('booked');
      await vi.waitFor(() => expect(ui.card().shown).toBe(true));
      expect(ui.card().with, text).toBe(`With ${who}`);
      closeDoms();
    }
  });

  it('Reschedule asks “When would suit you better?” and sends the buyer’s words as a reschedule request', async () => {
    const ui = bookedLead({}, { [`POST ${LEAD_PATH}/messages`]: [{ status: 202, body: { leadId: LEAD_ID } }] });
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().actions).toBe(true));

    ui.click('#bt-reschedule');
    expect(ui.q('#bt-reschedule-form')!.hidden).toBe(false);
    expect(ui.q('#bt-reschedule')!.getAttribute('aria-expanded')).toBe('true');
    expect(ui.focused()).toBe('bt-reschedule-text');
    expect(ui.q(`label[for=bt-reschedule-text]`)!.textContent).toBe('When would suit you better?');
    // Escape (or "Never mind") closes it and gives focus back.
    ui.q('#bt-reschedule-text')!.dispatchEvent(new ui.w.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(ui.q('#bt-reschedule-form')!.hidden).toBe(true);
    expect(ui.focused()).toBe('bt-reschedule');
    expect(ui.posts('/messages')).toEqual([]);

    ui.click('#bt-reschedule');
    ui.type('#bt-reschedule-text', '  Friday morning  ');
    ui.submit('#bt-reschedule-form');
    await vi.waitFor(() => expect(ui.q('#bt-reschedule-form')!.hidden).toBe(true));
    ui.click('#bt-reschedule');
    expect(ui.q<HTMLInputElement>('#bt-reschedule-text')!.value, 'cleared once sent').toBe('');
    ui.submit('#bt-reschedule-form');
    await vi.waitFor(() => expect(ui.posts('/messages')).toHaveLength(2));
    expect(ui.posts('/messages')).toEqual([{ text: 'Can we find another time? Friday morning' }, { text: 'Can we find another time?' }]);
  });

  it('offers the new times as buttons while rescheduling (the meeting stands), and picking one moves the card to the new time', async () => {
    let ui: ReturnType<typeof bookedLead>;
    const moveTo = (body: unknown) => {
      const pick = ui.lead.proposals.find((p) => p.id === (body as { proposalId: string }).proposalId)!;
      Object.assign(ui.lead, { stage: 'booked', proposals: [], booking: { proposalId: pick.id, start: pick.start, end: pick.end }, meeting: { outcome: 'scheduled', reschedules: 1 } });
      return { status: 200, body: { booking: ui.lead.booking } };
    };
    ui = bookedLead({}, { [`POST ${LEAD_PATH}/booking`]: moveTo });
    const booked = ui.lead.booking!;
    ui.say(confirmationMessage({ ...copyBase(ui.start), repNames: ['Sarah Chen'], companyName: 'Acme' }));
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().shown).toBe(true));

    const later = ui.start + 2 * HOUR;
    ui.lead.proposals = [slotAt(ui.start + HOUR, '2-1'), slotAt(later, '2-2')];
    ui.say(rescheduleOfferMessage([{ start: ui.start + HOUR }, { start: later }], { booked: { start: ui.start }, timezone: ZONE, now: Date.now(), repNames: ['Sarah Chen'] }), ['2-1', '2-2']);
    ui.stage('rescheduling');
    await vi.waitFor(() => expect(ui.enabledSlots()).toHaveLength(2));
    await vi.waitFor(() => expect(ui.card().state).toBe('rescheduling'));
    expect(ui.card()).toMatchObject({ heading: 'Meeting confirmed', when: longWhen(booked), actions: true });
    expect(ui.card().note).toMatch(/stays booked until you pick one/);
    expect(ui.q('#bt-log > li.times:last-child legend')!.textContent).toContain('Choose a new time');

    ui.enabledSlots()[1]!.click();
    await vi.waitFor(() => expect(ui.card().when).toBe(longWhen({ start: iso(later), end: iso(later + HALF_HOUR) })));
    expect(ui.posts('/booking')).toEqual([{ proposalId: '2-2' }]);
    expect(ui.card()).toMatchObject({ state: 'booked', note: 'The calendar invitation has been updated.', actions: true });
    expect(ui.enabledSlots()).toHaveLength(0);
    expect(ui.focused()).toBe('bt-confirm');
    ui.say(rescheduledMessage({ ...copyBase(later), from: ui.start, to: later, repNames: ['Sarah Chen'] }));
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().with).toBe('With Sarah'));
    expect(ui.card().when).toBe(longWhen({ start: iso(later), end: iso(later + HALF_HOUR) }));
  });

  it('Cancel asks first (“Keep the meeting” sends nothing), then cancels with the reason; the confirmation arrives even when the stream is behind', async () => {
    let ui: ReturnType<typeof bookedLead>;
    const cancel = () => {
      // The workflow says so and closes; the stream never gets to tell (the refresh does).
      const booking = ui.lead.booking!;
      ui.lead.messages.push({ id: 99, at: new Date().toISOString(), from: 'agent', text: cancelConfirmationMessage({ ...copyBase(ui.start), repNames: ['Sarah Chen'] }) });
      Object.assign(ui.lead, { stage: 'canceled', meeting: { outcome: 'canceled', reschedules: 0 } });
      return { status: 200, body: { stage: 'canceled', booking } };
    };
    ui = bookedLead({}, { [`POST ${LEAD_PATH}/cancel`]: cancel });
    ui.say(confirmationMessage({ ...copyBase(ui.start), repNames: ['Sarah Chen'], companyName: 'Acme' }));
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().actions).toBe(true));

    ui.click('#bt-cancel');
    expect(ui.q('#bt-cancel-form')!.hidden).toBe(false);
    expect(ui.q('#bt-cancel-q')!.textContent).toBe('Cancel this meeting? Sarah Chen will be told and the invitation withdrawn.');
    expect(ui.focused()).toBe('bt-cancel-reason');
    ui.click('#bt-cancel-form [data-close]');
    expect(ui.q('#bt-cancel-form')!.hidden).toBe(true);
    expect(ui.focused()).toBe('bt-cancel');

    ui.click('#bt-cancel');
    ui.type('#bt-cancel-reason', 'We went another way');
    ui.submit('#bt-cancel-form');
    await vi.waitFor(() => expect(ui.card().state).toBe('canceled'));
    expect(ui.posts('/cancel')).toEqual([{ reason: 'We went another way' }]);
    expect(ui.card()).toMatchObject({ heading: 'Meeting canceled', actions: false });
    await vi.waitFor(() => expect(ui.q('#bt-log')!.textContent).toContain('I\'ve canceled your meeting with Sarah'));
    expect(ui.q('#bt-reply-form')!.hidden, 'a canceled lead is closed: start a new request').toBe(true);
    expect(ui.events.readyState).toBe(2);
  });

  it('follows the outcome: held closes the conversation', async () => {
    const ui = bookedLead();
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().shown).toBe(true));
    Object.assign(ui.lead, { meeting: { outcome: 'held', reschedules: 0 } });
    ui.stage('held');
    await vi.waitFor(() => expect(ui.card().state).toBe('held'));
    expect(ui.card()).toMatchObject({ heading: 'Meeting held', actions: false });
    expect(ui.q('#bt-reply-form')!.hidden).toBe(true);
  });

  it('after a no-show, shows the missed meeting and the recovery times as buttons; picking one books a new meeting', async () => {
    let ui: ReturnType<typeof bookedLead>;
    const book = (body: unknown) => {
      const pick = ui.lead.proposals.find((p) => p.id === (body as { proposalId: string }).proposalId)!;
      Object.assign(ui.lead, { stage: 'booked', proposals: [], booking: { proposalId: pick.id, start: pick.start, end: pick.end }, meeting: { outcome: 'scheduled', reschedules: 0 } });
      return { status: 200, body: { booking: ui.lead.booking } };
    };
    // A meeting that was an hour ago.
    const missed = Math.floor((Date.now() - HOUR) / HALF_HOUR) * HALF_HOUR;
    ui = bookedLead({ booking: { proposalId: '1-1', start: iso(missed), end: iso(missed + HALF_HOUR) }, meeting: { outcome: 'unconfirmed', reschedules: 0 } }, { [`POST ${LEAD_PATH}/booking`]: book });
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().state).toBe('past'));
    expect(ui.card()).toMatchObject({ heading: 'Your meeting', actions: false });

    const next = Math.ceil((Date.now() + 4 * HOUR) / HALF_HOUR) * HALF_HOUR;
    ui.lead.proposals = [slotAt(next, '2-1'), slotAt(next + HOUR, '2-2')];
    ui.lead.meeting = { outcome: 'no_show', reschedules: 0 };
    ui.say(noShowRecoveryMessage([{ start: next }, { start: next + HOUR }], { timezone: ZONE, now: Date.now(), repNames: ['Sarah Chen'], missed }), ['2-1', '2-2']);
    ui.stage('no_show');
    await vi.waitFor(() => expect(ui.card().state).toBe('no_show'));
    expect(ui.card()).toMatchObject({ heading: 'We missed you', actions: false });
    await vi.waitFor(() => expect(ui.enabledSlots()).toHaveLength(2));
    ui.enabledSlots()[0]!.click();
    await vi.waitFor(() => expect(ui.card().state).toBe('booked'));
    expect(ui.card()).toMatchObject({ heading: 'Meeting confirmed', when: longWhen({ start: iso(next), end: iso(next + HALF_HOUR) }), actions: true });
    expect(ui.posts('/booking')).toEqual([{ proposalId: '2-1' }]);
  });

  it('when the rep missed it (needs attention, waiting for the buyer), the new times stay clickable', async () => {
    const missed = Math.floor((Date.now() - HOUR) / HALF_HOUR) * HALF_HOUR;
    const ui = bookedLead({ booking: { proposalId: '1-1', start: iso(missed), end: iso(missed + HALF_HOUR) }, meeting: { outcome: 'unconfirmed', reschedules: 0 } });
    ui.stage('booked');
    await vi.waitFor(() => expect(ui.card().shown).toBe(true));
    const next = Math.ceil((Date.now() + 4 * HOUR) / HALF_HOUR) * HALF_HOUR;
    ui.lead.proposals = [slotAt(next, '2-1'), slotAt(next + HOUR, '2-2')];
    ui.lead.meeting = { outcome: 'rep_no_show', reschedules: 0 };
    ui.say(repNoShowApologyMessage([{ start: next }, { start: next + HOUR }], { timezone: ZONE, now: Date.now(), missedRepNames: ['Sarah Chen'], repNames: ['Tom Becker'] }), ['2-1', '2-2']);
    await vi.waitFor(() => expect(ui.enabledSlots()).toHaveLength(2));
    await vi.waitFor(() => expect(ui.card().state).toBe('rep_no_show'));
    // The old widget disabled every time on `needs_attention`; the lead's own proposals decide now.
    // One of the two is withdrawn with the stage change, so the refresh it causes is seen landing:
    // the withdrawn time goes off, the one still on offer stays clickable (no sleep needed).
    ui.lead.proposals = [slotAt(next, '2-1')];
    ui.stage('needs_attention');
    await vi.waitFor(() => expect(ui.enabledSlots().map((b) => b.getAttribute('data-proposal-id'))).toEqual(['2-1']));
    expect(ui.card().state).toBe('rep_no_show');
    expect(ui.card().heading).toBe('Sorry we missed you');
  });

  it('before booking, a lead handed to a person with nothing on offer (needs attention) leaves no time clickable', async () => {
    const next = Math.ceil((Date.now() + 4 * HOUR) / HALF_HOUR) * HALF_HOUR;
    const ui = bookedLead({ stage: 'needs_attention', booking: null, meeting: null, proposals: [slotAt(next, '1-1'), slotAt(next + HOUR, '1-2')] });
    ui.say('Hi Jane — Sarah has openings … which works best?', ['1-1', '1-2']);
    await vi.waitFor(() => expect(ui.enabledSlots()).toHaveLength(2));
    ui.lead.proposals = [];
    ui.stage('needs_attention');
    await vi.waitFor(() => expect(ui.enabledSlots()).toHaveLength(0));
    expect(ui.card().shown).toBe(false);
  });
});
