import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  acknowledgementMessage,
  cancelConfirmationMessage,
  coverChangeMessage,
  lateChangeMessage,
  noShowRecoveryMessage,
  questionForwardedMessage,
  reminderEmail,
  reminderMessage,
  repNoShowApologyMessage,
  repNoticeEmail,
  rescheduledMessage,
  rescheduleOfferMessage,
  tooManyReschedulesMessage,
  type RepNotice,
} from '../../../domain/converse/after-booking';

const PT = 'America/Los_Angeles';
const at = (iso: string, zone = PT) => DateTime.fromISO(iso, { zone }).toMillis();
const START = at('2026-03-11T14:00'); // Wednesday
const END = START + 30 * 60_000;
const NOW = at('2026-03-10T14:00'); // Tuesday, 24h before
const M = { start: START, end: END, timezone: PT, now: NOW, buyerName: 'Jane Park', repNames: ['Sarah Chen'] };
const SLOTS = [{ start: at('2026-03-12T10:00') }, { start: at('2026-03-12T13:00') }, { start: at('2026-03-16T09:00') }];
const LINK = /https?:|www\./;

describe('reminders', () => {
  it('names the day, the time in the buyer zone and who they meet, a day ahead', () => {
    expect(reminderMessage(M)).toBe('See you tomorrow at 2pm (Pacific) with Sarah — reply here if anything changes.');
    expect(reminderMessage({ ...M, now: at('2026-03-09T09:00') })).toBe('See you Wednesday at 2pm (Pacific) with Sarah — reply here if anything changes.');
    expect(reminderMessage({ ...M, now: at('2026-03-11T08:00'), repNames: ['Sarah Chen', 'Raj Patel'] })).toBe(
      'See you today at 2pm (Pacific) with Sarah and Raj — reply here if anything changes.',
    );
  });

  it('says how soon it starts an hour ahead', () => {
    expect(reminderMessage({ ...M, now: START - 60 * 60_000 })).toBe(
      'Starting soon: your call with Sarah is in an hour, at 2pm (Pacific). The calendar invite has the details — reply here if anything changes.',
    );
    expect(reminderMessage({ ...M, now: START - 30 * 60_000 })).toContain('in 30 minutes, at 2pm (Pacific)');
    expect(reminderMessage({ ...M, now: START - 2 * 3_600_000 })).toContain('in 2 hours');
  });

  it("is in the buyer's zone, whatever zone the rep is in", () => {
    // March 11: the US is on summer time since the 8th, the UK not until the 29th.
    expect(reminderMessage({ ...M, timezone: 'Europe/London' })).toBe('See you tomorrow at 9pm (London time) with Sarah — reply here if anything changes.');
    expect(reminderMessage({ ...M, timezone: 'Europe/Berlin' })).toContain('at 10pm (GMT+1)');
  });

  it('by email: a subject with the time, plain text and the same as HTML, no links', () => {
    const e = reminderEmail({
      lead: { email: 'jane@mercy.org', name: 'Jane Park', company: 'Mercy Health & Co' },
      repNames: ['Sarah Chen'],
      companyName: 'Acme',
      meeting: { start: START, end: END, timezone: PT },
      now: NOW,
    });
    expect(e.subject).toBe('Reminder: Acme <> Mercy Health & Co, tomorrow at 2pm (Pacific)');
    expect(e.text).toBe(
      [
        'Hi Jane,',
        "A quick reminder: you're meeting Sarah Chen from Acme tomorrow at 2pm (Pacific) for 30 minutes. The calendar invite has the details and the video link.",
        'If anything changes, just reply to this email or in the chat, and we will find another time.',
      ].join('\n\n'),
    );
    expect(e.html).toContain('<p>Hi Jane,</p>');
    expect(e.html).toContain('you&#39;re meeting');
    expect(e.text).not.toMatch(LINK);
    const anonymous = reminderEmail({ lead: { email: 'x@y.org' }, repNames: [], companyName: 'Acme', meeting: { start: START, end: END, timezone: PT }, now: NOW });
    expect(anonymous.subject).toBe('Reminder: Acme <> x@y.org, tomorrow at 2pm (Pacific)');
    expect(anonymous.text).toContain("Hi there,\n\nA quick reminder: you're meeting the Acme team tomorrow");
  });
});

describe('rescheduling', () => {
  const offer = { booked: { start: START }, timezone: PT, now: NOW, buyerName: 'Jane Park', repNames: ['Sarah Chen'] };

  it('offers new times while the booked meeting stands', () => {
    expect(rescheduleOfferMessage(SLOTS, offer)).toBe(
      'No problem, Jane — Sarah can also do Thursday at 10am, Thursday at 1pm or Monday at 9am (Pacific). Which works best? Tomorrow at 2pm stays booked until you pick one.',
    );
    expect(rescheduleOfferMessage(SLOTS.slice(0, 1), { ...offer, buyerName: undefined })).toBe(
      'No problem — Sarah can also do Thursday at 10am (Pacific). Does that work? Tomorrow at 2pm stays booked until you pick one.',
    );
  });

  it('offers the exact time asked for when it is open, and says so when it is taken', () => {
    const pref = START + 3_600_000;
    expect(rescheduleOfferMessage([{ start: pref }, { start: pref + 1_800_000 }], { ...offer, preferredStart: pref, preferredOpen: true })).toBe(
      'Sure, Jane — Sarah can do tomorrow at 3pm (Pacific). Shall I move it there? If not, tomorrow at 3:30pm is open too. Tomorrow at 2pm stays booked until you confirm.',
    );
    expect(rescheduleOfferMessage([{ start: pref - 1_800_000 }, { start: pref + 1_800_000 }], { ...offer, preferredStart: pref, preferredOpen: false })).toBe(
      'Tomorrow at 3pm is taken, but Sarah can do tomorrow at 2:30pm or tomorrow at 3:30pm (Pacific). Which works better? Tomorrow at 2pm stays booked until you pick one.',
    );
  });

  it('hands over to the rep when nothing fits', () => {
    expect(rescheduleOfferMessage([], offer)).toBe(
      "Sorry, Jane — I couldn't find another time that works, so Sarah will follow up with you personally. Your meeting tomorrow at 2pm (Pacific) stays booked for now.",
    );
  });

  it('confirms the move', () => {
    expect(rescheduledMessage({ from: START, to: SLOTS[0]!.start, timezone: PT, now: NOW, buyerName: 'Jane Park', repNames: ['Sarah Chen'] })).toBe(
      'Done, Jane — your meeting with Sarah is now Thursday at 10am (Pacific) instead of tomorrow at 2pm. The calendar invite has been updated; reply here if anything else changes.',
    );
  });

  it('inside the cutoff, and after too many moves, the rep takes it', () => {
    expect(lateChangeMessage({ ...M, now: START - 3_600_000, cutoffMs: 2 * 3_600_000 })).toBe(
      "Thanks for letting me know, Jane. Your meeting is today at 2pm (Pacific), less than 2 hours away, so I've passed your request to Sarah, who will get back to you directly.",
    );
    expect(lateChangeMessage({ ...M, now: START - 600_000, cutoffMs: 30 * 60_000 })).toContain('less than 30 minutes away');
    expect(tooManyReschedulesMessage(M)).toBe(
      "Understood, Jane. Since we've moved this meeting a few times already, I've asked Sarah to find a time with you directly. Until then, tomorrow at 2pm (Pacific) stays booked.",
    );
  });
});

describe('cancel, acknowledgements and questions', () => {
  it('confirms a cancellation and leaves the door open', () => {
    expect(cancelConfirmationMessage(M)).toBe(
      "Done, Jane — I've canceled your meeting with Sarah tomorrow at 2pm (Pacific). If you'd like to pick it up again, just reply here.",
    );
  });

  it('answers "see you then" in one short line', () => {
    const ack = acknowledgementMessage(M);
    expect(ack).toBe('Great — see you tomorrow at 2pm (Pacific)!');
    expect(ack.length).toBeLessThan(60);
  });

  it('tells the buyer their question went to the rep', () => {
    expect(questionForwardedMessage({ repNames: ['Sarah Chen'], question: 'do I need to prepare anything?' })).toBe(
      "Good question — I've passed it to Sarah, who will reply by email.",
    );
    expect(questionForwardedMessage({ repNames: ['Sarah Chen'], question: 'Will there be a demo of the API' })).toContain('who will reply by email');
    expect(questionForwardedMessage({ repNames: ['Sarah Chen'], question: "I'll bring our CTO" })).toBe("Thanks — I've passed that on to Sarah.");
    expect(questionForwardedMessage({ repNames: [], question: 'pricing?' })).toBe("Good question — I've passed it to our team, who will reply by email.");
  });
});

describe('rep-side changes and no-shows', () => {
  it('says who is coming instead', () => {
    expect(coverChangeMessage({ fromName: 'Sarah Chen', toName: 'Tom Rivera', reason: 'pto', start: START, timezone: PT, now: NOW, buyerName: 'Jane Park' })).toBe(
      'A quick update, Jane: Tom will join instead of Sarah, who is out — same time, tomorrow at 2pm (Pacific). The calendar invite has been updated.',
    );
    expect(coverChangeMessage({ fromName: 'Sarah Chen', toName: 'Tom Rivera', reason: 'unavailable', start: START, timezone: PT, now: NOW })).toContain(
      "Tom will join instead of Sarah, who can't make it after all",
    );
  });

  it('offers new times once after a missed meeting', () => {
    const after = START + 3_600_000;
    expect(noShowRecoveryMessage(SLOTS, { timezone: PT, now: after, buyerName: 'Jane Park', repNames: ['Sarah Chen'], missed: START })).toBe(
      'Sorry we missed you today, Jane! No worries — Sarah can still meet tomorrow at 10am, tomorrow at 1pm or Monday at 9am (Pacific). Which works best?',
    );
    expect(noShowRecoveryMessage(SLOTS, { timezone: PT, now: after + 2 * 86_400_000, repNames: ['Sarah Chen'], missed: START })).toMatch(/^Sorry we missed you on Wed, Mar 11! No worries/);
    expect(noShowRecoveryMessage([], { timezone: PT, now: after, repNames: ['Sarah Chen'], missed: START })).toBe(
      'Sorry we missed you today! Sarah will reach out to find another time that works for you.',
    );
  });

  it('apologises when the rep missed it, with new times from whoever covers', () => {
    expect(repNoShowApologyMessage(SLOTS, { timezone: PT, now: START + 3_600_000, buyerName: 'Jane Park', missedRepNames: ['Sarah Chen'], repNames: ['Tom Rivera'] })).toBe(
      "I'm so sorry, Jane — Sarah couldn't make it to your meeting, and that's on us. Tom can meet you tomorrow at 10am, tomorrow at 1pm or Monday at 9am (Pacific) — which works best?",
    );
  });

  it('never puts a link in buyer copy', () => {
    const all = [
      reminderMessage(M),
      rescheduleOfferMessage(SLOTS, { booked: { start: START }, timezone: PT, now: NOW, repNames: ['Sarah Chen'] }),
      cancelConfirmationMessage(M),
      acknowledgementMessage(M),
      tooManyReschedulesMessage(M),
      noShowRecoveryMessage(SLOTS, { timezone: PT, now: NOW, repNames: ['Sarah Chen'], missed: START }),
    ];
    for (const text of all) expect(text).not.toMatch(LINK);
  });
});

describe('notices to the rep', () => {
  const base = {
    repName: 'Sarah Chen',
    repTimezone: 'America/Chicago',
    lead: { email: 'jane@mercy.org', name: 'Jane Park', company: 'Mercy Health' },
    meeting: { start: START, end: END },
  };
  const notice = (n: RepNotice) => repNoticeEmail(n);

  it('rescheduled: both times, in the rep zone', () => {
    const e = notice({ ...base, kind: 'rescheduled', to: { start: SLOTS[0]!.start, end: SLOTS[0]!.start + 1_800_000 } });
    expect(e.subject).toBe('Moved: your meeting with Jane Park (Mercy Health) is now Thu, Mar 12 at 12pm (Central)');
    expect(e.text).toBe(
      'Hi Sarah,\n\nJane Park (Mercy Health) moved your meeting from Wed, Mar 11 at 4pm (Central) to Thu, Mar 12 at 12pm (Central). The calendar event has been updated; nothing else to do.',
    );
  });

  it("canceled and question: the buyer's words and how to reach them", () => {
    const c = notice({ ...base, kind: 'canceled', words: 'we went with  another vendor' });
    expect(c.subject).toBe('Canceled: your meeting with Jane Park (Mercy Health) on Wed, Mar 11 at 4pm (Central)');
    expect(c.text).toContain('In their words: "we went with another vendor"');
    expect(c.text).toContain('You can reach Jane at jane@mercy.org.');
    const q = notice({ ...base, kind: 'question', question: 'Do you support <SSO>?' });
    expect(q.subject).toBe('Question from Jane Park (Mercy Health) before your meeting on Wed, Mar 11 at 4pm (Central)');
    expect(q.text).toContain('"Do you support <SSO>?"');
    expect(q.html).toContain('&#34;Do you support &#60;SSO&#62;?&#34;');
    expect(q.text).toContain('They were told you would reply by email.');
  });

  it('late change and too many moves: a task for the rep', () => {
    const late = notice({ ...base, kind: 'late_change', words: 'can we push it an hour?', cutoffMs: 7_200_000 });
    expect(late.subject).toBe('Please follow up: Jane Park (Mercy Health) asked to change your meeting on Wed, Mar 11 at 4pm (Central)');
    expect(late.text).toContain('less than 2 hours before it starts');
    expect(late.text).toContain('The meeting is still booked.');
    const many = notice({ ...base, kind: 'too_many_reschedules', words: 'next week?', reschedules: 2 });
    expect(many.text).toContain('has moved this meeting 2 times and asked again');
  });

  it('outcome request: the only link is the one passed in', () => {
    const e = notice({ ...base, kind: 'outcome_request', outcomeLink: 'https://baton.example/v1/leads/abc/outcome' });
    expect(e.subject).toBe('How did your meeting with Jane Park (Mercy Health) go?');
    expect(e.text).toContain('(held, no_show or rep_no_show)');
    expect(e.text).toContain('\n\nhttps://baton.example/v1/leads/abc/outcome\n\n');
    expect(e.text).toContain('counts as unconfirmed, not as held');
    expect(e.text.match(/https?:/g)).toHaveLength(1);
  });

  it('falls back to the email when the buyer has no name', () => {
    const e = notice({ ...base, lead: { email: 'x@y.org' }, kind: 'question', question: 'pricing?' });
    expect(e.subject).toBe('Question from x@y.org before your meeting on Wed, Mar 11 at 4pm (Central)');
    expect(e.text).toContain('You can reach them at x@y.org.');
  });
});
