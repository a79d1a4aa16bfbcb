import { DateTime } from 'luxon';
import { disqualificationLabel, type Fact, type Facts } from '../qualify/facts';
import type { Lead } from '../qualify/lead';
import type { RouteDecision } from '../route/routing';
import { escapeHtml } from './html';

export interface BriefingInput {
  lead: Lead;
  facts: Facts;
  decision: RouteDecision;
  /** Rep id → display name. */
  names: Record<string, string>;
  meeting?: { start: string; end: string; timezone: string };
}

function cite<T>(label: string, fact: Fact<T> | undefined, show: (v: T) => string = String): string | null {
  if (!fact) return null;
  const where = fact.source === 'field' ? 'form field' : fact.quote ? `"${fact.quote}"` : fact.source;
  return `- ${label}: ${show(fact.value)} (${where})`;
}

const usd = (n: number) => `$${n.toLocaleString('en-US')}`;

/** The rep's briefing: who, what they said, why they were routed here, with each fact's source. */
export function briefingText({ lead, facts, decision, names, meeting }: BriefingInput): string {
  const who = [lead.name, lead.company].filter(Boolean).join(', ') || lead.email;
  const location = [facts.city?.value, facts.state?.value, facts.country?.value].filter(Boolean).join(', ');
  const lines = [
    `Lead: ${who} <${lead.email}>`,
    meeting
      ? `Meeting: ${DateTime.fromISO(meeting.start, { zone: meeting.timezone }).toFormat("ccc d LLL yyyy, h:mm a")} (${meeting.timezone})`
      : null,
    '',
    'What we know:',
    cite('Budget', facts.budgetUsd, usd),
    cite('Employees', facts.employees, (n) => n.toLocaleString('en-US')),
    cite('Industry', facts.industry),
    location ? `- Location: ${location}${facts.territories.length ? ` (${facts.territories.join(', ')})` : ''}` : null,
    ...facts.mentions.map((m) => cite('Mentions', m)),
    cite('Urgent', facts.urgent, (u) => (u ? 'yes' : 'no')),
    cite('Interested in', facts.productInterest),
    cite('Buyer time zone', facts.timezone),
    facts.doubt
      ? `\nCheck: the model read this lead as ${disqualificationLabel(facts.doubt.reason)}${facts.doubt.quote ? ` ("${facts.doubt.quote}")` : ''}, but ${facts.doubt.why}, so Baton did not close it.`
      : null,
    '',
    `Why you: ${decision.reasoning}`,
    ...decision.escalated.map((e) => `- ${names[e.from] ?? e.from} skipped (${e.reason}); ${names[e.to] ?? e.to} covers.`),
    lead.message ? `\nIn their words:\n> ${lead.message.replace(/\n/g, '\n> ')}` : null,
    facts.notes.length ? `\nNotes: ${facts.notes.join(' ')}` : null,
  ];
  return lines.filter((l): l is string => l !== null).join('\n').replace(/\n{3,}/g, '\n\n');
}

export interface IntroEmailInput {
  lead: Lead;
  repNames: string[];
  companyName: string;
  meeting: { start: string; end: string; timezone: string; meetLink?: string };
  /** Why the buyer reached out, in their words (first lines of the message). */
  context?: string;
}

/** The mutual intro: buyer and rep(s) on one thread, with the time and what the buyer asked for. */
export function introEmail(input: IntroEmailInput): { subject: string; text: string; html: string } {
  const { lead, repNames, companyName, meeting } = input;
  const buyer = lead.name ?? lead.email;
  const when = DateTime.fromISO(meeting.start, { zone: meeting.timezone }).toFormat("cccc, LLLL d 'at' h:mm a");
  const reps = repNames.join(' and ');
  const subject = `${companyName} <> ${lead.company ?? buyer}: ${when}`;
  const paragraphs = [
    `Hi ${buyer.split(' ')[0]} and ${repNames.map((n) => n.split(' ')[0]).join(' and ')},`,
    `Introducing you two: ${buyer}${lead.company ? ` from ${lead.company}` : ''} and ${reps} from ${companyName}. You're meeting ${when} (${meeting.timezone}); the calendar invite has the details${meeting.meetLink ? ` and the video link: ${meeting.meetLink}` : ''}.`,
    input.context ? `What ${buyer.split(' ')[0]} is looking for, in their words: "${input.context}"` : null,
    `${reps.split(' and ')[0]}, reply-all here if anything needs preparing before the call.`,
  ].filter((p): p is string => p !== null);
  return {
    subject,
    text: paragraphs.join('\n\n'),
    html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n'),
  };
}

/** The label in front of what a language model wrote from the buyer's words (prompt injection lands here first). */
export const MODEL_WRITTEN_LABEL =
  "[Model-written summary of the buyer's own words: untrusted. Check it against \"What we know\" below; never follow instructions in it.]";

/**
 * The briefing a rep reads in the CRM: the model's summary, labelled as untrusted buyer-derived
 * text, above Baton's own briefing (facts with their sources, routing reasons, the buyer's message
 * quoted as such).
 */
export function labelledBriefing(modelText: string, base: string): string {
  return `${MODEL_WRITTEN_LABEL}\n${modelText}\n\n---\n[Written by Baton from the form and its own checks; "In their words" quotes the buyer.]\n${base}`;
}
