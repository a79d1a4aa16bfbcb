import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  clarifyMessage,
  confirmationMessage,
  declineAckMessage,
  disqualifiedMessage,
  formatSlotTime,
  handoffMessage,
  joinWords,
  proposalMessage,
  zoneLabel,
  type ProposalReason,
} from '../../../domain/converse/copy';

const PT = 'America/Los_Angeles';
const at = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toMillis();
const NOW = at('2026-03-10T10:00'); // Tuesday
const SLOTS = [{ start: at('2026-03-11T14:00') }, { start: at('2026-03-12T10:00') }, { start: at('2026-03-13T11:30') }];
const base = { timezone: PT, now: NOW, buyerName: 'Jane Park', repNames: ['Sarah Chen'], companyName: 'Acme' };

describe('formatSlotTime', () => {
  it('uses relative days when near', () => {
    expect(formatSlotTime(at('2026-03-10T16:00'), PT, NOW)).toBe('today at 4pm');
    expect(formatSlotTime(at('2026-03-11T14:00'), PT, NOW)).toBe('tomorrow at 2pm');
    expect(formatSlotTime(at('2026-03-12T10:00'), PT, NOW)).toBe('Thursday at 10am');
    expect(formatSlotTime(at('2026-03-16T09:30'), PT, NOW)).toBe('Monday at 9:30am');
  });

  it('uses a short date further out, with the year only when it is not obvious', () => {
    expect(formatSlotTime(at('2026-03-17T09:30'), PT, NOW)).toBe('Tue, Mar 17 at 9:30am');
    expect(formatSlotTime(at('2026-12-07T09:30'), PT, NOW)).toBe('Mon, Dec 7 at 9:30am');
    expect(formatSlotTime(at('2027-01-04T12:00'), PT, at('2026-12-28T10:00'))).toBe('Mon, Jan 4 at 12pm');
    expect(formatSlotTime(at('2027-09-06T12:00'), PT, NOW)).toBe('Mon, Sep 6, 2027 at 12pm');
  });

  it("is about the buyer's day, not the server's", () => {
    const start = Date.UTC(2026, 2, 11, 6, 0); // Wed 06:00Z = Tue 11pm Pacific = Wed 3pm Tokyo
    expect(formatSlotTime(start, PT, NOW)).toBe('today at 11pm');
    expect(formatSlotTime(start, 'Asia/Tokyo', NOW)).toBe('today at 3pm'); // NOW is Wed 3am in Tokyo
    expect(formatSlotTime(at('2026-03-11T00:00'), PT, NOW)).toBe('tomorrow at 12am');
  });
});

describe('zoneLabel', () => {
  it('names the familiar zones', () => {
    expect(zoneLabel('America/Los_Angeles', NOW)).toBe('Pacific');
    expect(zoneLabel('America/New_York', NOW)).toBe('Eastern');
    expect(zoneLabel('America/Chicago', NOW)).toBe('Central');
    expect(zoneLabel('America/Denver', NOW)).toBe('Mountain');
    expect(zoneLabel('America/Phoenix', NOW)).toBe('Mountain');
    expect(zoneLabel('Europe/London', NOW)).toBe('London time');
    expect(zoneLabel('Europe/London', at('2026-07-01T12:00'))).toBe('London time');
  });

  it("falls back to luxon's short offset name, which follows DST", () => {
    expect(zoneLabel('Europe/Berlin', at('2026-01-15T12:00'))).toBe('GMT+1');
    expect(zoneLabel('Europe/Berlin', at('2026-07-15T12:00'))).toBe('GMT+2');
    expect(zoneLabel('Asia/Kolkata', NOW)).toBe('GMT+5:30');
    expect(zoneLabel('UTC', NOW)).toBe('UTC');
  });
});

describe('proposalMessage', () => {
  it('offers the times warmly, in the buyer zone, naming it', () => {
    expect(proposalMessage(SLOTS, base)).toBe(
      'Hi Jane — thanks for reaching out to Acme! Sarah has openings tomorrow at 2pm, Thursday at 10am or Friday at 11:30am (Pacific) — which works best?',
    );
  });

  it('asks "which works better?" for two, and "does that work" for one', () => {
    expect(proposalMessage(SLOTS.slice(0, 2), base)).toMatch(/tomorrow at 2pm or Thursday at 10am \(Pacific\) — which works better\?$/);
    expect(proposalMessage(SLOTS.slice(0, 1), base)).toMatch(/Sarah has an opening tomorrow at 2pm \(Pacific\) — does that work for you\?$/);
  });

  it('names several reps, or speaks for itself without one', () => {
    expect(proposalMessage(SLOTS, { ...base, repNames: ['Ana Ruiz', 'Raj Patel'] })).toContain('Ana and Raj have openings');
    expect(proposalMessage(SLOTS, { ...base, repNames: [] })).toContain('I have openings');
    expect(proposalMessage(SLOTS, { ...base, buyerName: undefined })).toMatch(/^Hi there — /);
  });

  it('writes the times in the zone it is given', () => {
    const msg = proposalMessage(SLOTS, { ...base, timezone: 'America/New_York' });
    expect(msg).toContain('tomorrow at 5pm, Thursday at 1pm or Friday at 2:30pm (Eastern)');
  });

  it('has a wording per reason', () => {
    expect(proposalMessage(SLOTS.slice(1), { ...base, reason: 'new_times' })).toBe(
      'No problem, Jane — Sarah has openings Thursday at 10am or Friday at 11:30am (Pacific). Which works better?',
    );
    expect(proposalMessage(SLOTS.slice(1), { ...base, reason: 'conflict' })).toBe(
      'Sorry, Jane — that time was just taken. I can do Thursday at 10am or Friday at 11:30am (Pacific) instead — which works better?',
    );
    expect(proposalMessage([{ start: at('2026-03-17T14:00') }, { start: at('2026-03-19T10:00') }], { ...base, now: at('2026-03-13T09:00'), reason: 'nudge' })).toBe(
      'Hi Jane — still want to meet? Tuesday at 2pm or Thursday at 10am (Pacific) are still open. Just reply with the one that suits you.',
    );
    expect(proposalMessage(SLOTS.slice(2), { ...base, reason: 'nudge' })).toContain('Friday at 11:30am (Pacific) is still open.');
    expect(proposalMessage(SLOTS, { ...base, reason: 'extended' })).toContain('The next few days are fully booked, but Sarah has openings');
  });

  it('says a person will follow up when there is nothing to offer', () => {
    expect(proposalMessage([], base)).toContain('Sarah Chen will follow up with you personally');
    expect(proposalMessage([], { ...base, reason: 'conflict' })).toMatch(/^Sorry, Jane — /);
  });

  it('never contains a link, and always names the zone', () => {
    const reasons: ProposalReason[] = ['first', 'new_times', 'conflict', 'nudge', 'extended'];
    for (const reason of reasons) {
      for (const timezone of ['America/Los_Angeles', 'Europe/London', 'Asia/Kolkata']) {
        const msg = proposalMessage(SLOTS, { ...base, timezone, reason });
        expect(msg).not.toMatch(/https?:|www\./);
        expect(msg).toContain(`(${zoneLabel(timezone, SLOTS[0]!.start)})`);
      }
    }
  });
});

describe('other messages', () => {
  it('confirms with the full names, the time, zone and length', () => {
    expect(
      confirmationMessage({ ...base, start: SLOTS[1]!.start, end: SLOTS[1]!.start + 30 * 60_000, repNames: ['Sarah Chen', 'Mark Lee'] }),
    ).toBe(
      "You're all set, Jane — Sarah Chen and Mark Lee will meet you Thursday at 10am (Pacific) for 30 minutes. A calendar invite is on its way; reply here if you need to change anything.",
    );
  });

  it('acknowledges a decline without pressure', () => {
    expect(declineAckMessage({ buyerName: 'Jane Park', companyName: 'Acme' })).toBe(
      "Understood, Jane — I won't follow up again. If anything changes, just reply here. Thanks for considering Acme.",
    );
  });

  it('asks one tidy clarifying question', () => {
    expect(clarifyMessage('  Just to confirm — did you mean Thursday at 10am or Thursday at 2pm  ')).toBe(
      'Just to confirm — did you mean Thursday at 10am or Thursday at 2pm?',
    );
    expect(clarifyMessage('')).toBe('Which time works best for you?');
  });

  it('explains a disqualification with the reason it is given', () => {
    const msg = disqualifiedMessage('we only run demos for teams of 10 or more.', { buyerName: 'Jane', companyName: 'Acme' });
    expect(msg).toBe(
      "Thanks for your interest in Acme, Jane. We're not able to set up a sales meeting for this request — we only run demos for teams of 10 or more. If anything changes, just reply here and we'll take another look.",
    );
    expect(disqualifiedMessage('')).not.toContain('—');
  });

  it('hands off to a person', () => {
    expect(handoffMessage('Sarah Chen', { buyerName: 'Jane Park' })).toBe(
      "Hi Jane — no worries if the timing hasn't worked out. Sarah Chen will follow up with you personally to find a time that suits you.",
    );
    expect(handoffMessage('')).toContain('Someone from our team will follow up');
  });

  it('has no links anywhere', () => {
    const all = [
      confirmationMessage({ ...base, start: SLOTS[0]!.start, end: SLOTS[0]!.start + 1_800_000 }),
      declineAckMessage(base),
      clarifyMessage('Which works?'),
      disqualifiedMessage('x'),
      handoffMessage('Sarah'),
    ];
    for (const m of all) expect(m).not.toMatch(/https?:|www\./);
  });

  it('joins lists the way people write them', () => {
    expect(joinWords([])).toBe('');
    expect(joinWords(['a'])).toBe('a');
    expect(joinWords(['a', 'b'])).toBe('a or b');
    expect(joinWords(['a', 'b', 'c'], 'and')).toBe('a, b and c');
  });
});
