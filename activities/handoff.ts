import { z } from 'zod';
import { briefingText, introEmail, labelledBriefing } from '../domain/converse/briefing';
import type { Facts } from '../domain/qualify/facts';
import type { Lead } from '../domain/qualify/lead';
import type { RouteDecision } from '../domain/route/routing';
import type { CrmContactRef } from '../integrations/providers';
import type { Booking } from '../workflows/lead/messages';
import { attemptSignal, currentRunId, mayHaveWritten, type ActivityDeps } from './deps';
import { withLlm } from './llm';

interface HandoffInput {
  workflowId: string;
  lead: Lead;
  facts: Facts;
  decision: RouteDecision;
  booking: Booking;
}

const llmBriefingSchema = z.strictObject({ briefing: z.string().min(20).max(4_000) });

/** One CRM write after another: the contact first, then records that carry its ids. */
interface CrmWriteInput {
  workflowId: string;
  lead: Lead;
  contact: CrmContactRef;
  /** The workflow runs this step again after it failed and ops resumed it. */
  resumed?: boolean;
}

/** Idempotency keys are per lead run: a retried activity writes the same record once. */
function key(workflowId: string, what: string): string {
  return `${workflowId}/${currentRunId()}/${what}`;
}

export function handoffActivities(deps: ActivityDeps) {
  const { team, providers } = deps;
  const rep = (id: string) => team.reps.find((r) => r.id === id);
  const names = Object.fromEntries(team.reps.map((r) => [r.id, r.name]));
  const contact = (lead: Lead) => ({
    email: lead.email,
    ...(lead.name ? { name: lead.name } : {}),
    ...(lead.company ? { company: lead.company } : {}),
    ...(lead.fields?.phone ? { phone: lead.fields.phone } : {}),
    ...(lead.fields?.title ? { title: lead.fields.title } : {}),
  });
  const meetingTitle = (lead: Lead, booking: Booking) =>
    `Intro call: ${lead.company ?? lead.name ?? lead.email} with ${booking.attendees.map((id) => names[id] ?? id).join(', ')}`;
  const ownerEmail = (decision: RouteDecision | null) => rep(decision?.reps[0] ?? '')?.email ?? rep(team.fallback.id)?.email ?? team.reps[0]!.email;

  return {
    async writeBriefing({ workflowId, lead, facts, decision, booking }: HandoffInput): Promise<string> {
      const owner = rep(booking.reps[0]!);
      const base = briefingText({ lead, facts, decision, names, meeting: { start: booking.start, end: booking.end, timezone: owner?.timezone ?? team.company.timezone } });
      return withLlm(
        deps,
        workflowId,
        {
          name: 'write_briefing',
          system:
            'You brief a B2B sales rep before a first call. Write 4-8 short lines: who the buyer is, what they need, ' +
            "budget/size/timeline if known, and one suggested opening question. Use only the facts given; cite the buyer's words in quotes.",
          user: base,
          schema: llmBriefingSchema,
        },
        (value) => labelledBriefing(value.briefing, base),
        () => base,
      );
    },

    /**
     * The booking's three CRM writes in one activity, as leads started before
     * `one-crm-write-per-activity` replay it: a failed note re-runs the meeting's write (its marker
     * check keeps that to one meeting once HubSpot's index has caught up).
     */
    async recordBooking({ workflowId, lead, booking, briefing }: HandoffInput & { briefing: string }): Promise<void> {
      const signal = attemptSignal();
      const ref = await providers.crm.upsertContact(contact(lead), { signal });
      const organizer = rep(booking.reps[0]!)!;
      await providers.crm.logMeeting(
        {
          key: key(workflowId, 'meeting'),
          contactEmail: lead.email,
          contact: ref,
          title: meetingTitle(lead, booking),
          start: booking.start,
          end: booking.end,
          body: briefing,
          ownerEmail: organizer.email,
        },
        { signal },
      );
      await providers.crm.addNote({ key: key(workflowId, 'briefing'), contactEmail: lead.email, contact: ref, body: `Baton briefing\n\n${briefing}` }, { signal });
    },

    // One CRM write per activity (the hand-off since `one-crm-write-per-activity`): the workflow
    // keeps the ids each returns, so a retry of a later write never repeats an earlier one.

    /** The buyer's CRM contact, created or updated: its id and primary company for the records after it. */
    async recordCrmContact({ lead }: { workflowId: string; lead: Lead }): Promise<CrmContactRef> {
      return providers.crm.upsertContact(contact(lead), { signal: attemptSignal() });
    },

    /** The booked meeting in the CRM, owned by the organizer, with the briefing as its body. */
    async recordCrmMeeting({ workflowId, lead, contact: ref, booking, briefing, resumed }: CrmWriteInput & { booking: Booking; briefing: string }): Promise<{ id: string }> {
      return providers.crm.logMeeting(
        {
          key: key(workflowId, 'meeting'),
          contactEmail: lead.email,
          contact: ref,
          mayExist: mayHaveWritten(resumed),
          title: meetingTitle(lead, booking),
          start: booking.start,
          end: booking.end,
          body: briefing,
          ownerEmail: rep(booking.reps[0]!)!.email,
        },
        { signal: attemptSignal() },
      );
    },

    /** The rep's briefing as a note on the contact. */
    async recordCrmBriefing({ workflowId, lead, contact: ref, briefing, resumed }: CrmWriteInput & { briefing: string }): Promise<{ id: string }> {
      return providers.crm.addNote(
        { key: key(workflowId, 'briefing'), contactEmail: lead.email, contact: ref, mayExist: mayHaveWritten(resumed), body: `Baton briefing\n\n${briefing}` },
        { signal: attemptSignal() },
      );
    },

    async sendIntroEmail({ workflowId, lead, facts, booking, resumed }: HandoffInput & { briefing: string; resumed?: boolean }): Promise<void> {
      const reps = booking.attendees.map((id) => rep(id)!).filter(Boolean);
      const organizer = reps[0]!;
      const mail = introEmail({
        lead,
        repNames: reps.map((r) => r.name),
        companyName: team.company.name,
        meeting: { start: booking.start, end: booking.end, timezone: facts.timezone?.value ?? organizer.timezone, ...(booking.meetLink ? { meetLink: booking.meetLink } : {}) },
        ...(lead.message ? { context: lead.message.split('\n')[0]!.slice(0, 300) } : {}),
      });
      const sent = await providers.email.send({
        key: key(workflowId, 'intro-email'),
        mayHaveBeenSent: mayHaveWritten(resumed),
        to: [{ email: lead.email.toLowerCase(), ...(lead.name ? { name: lead.name } : {}) }],
        cc: reps.map((r) => ({ email: r.email.toLowerCase(), name: r.name })),
        replyTo: { email: organizer.email, name: organizer.name },
        ...mail,
      });
      if (sent.afterUnknownOutcome) {
        deps.log?.('warn', 'intro email sent again after an attempt whose outcome was lost: the buyer may have it twice', { workflowId, messageId: sent.messageId });
      }
    },

    async createFollowUpTask(input: {
      workflowId: string;
      lead: Lead;
      facts: Facts | null;
      decision: RouteDecision | null;
      reason: string;
      now: number;
    }): Promise<void> {
      const { lead, facts, decision } = input;
      // The contact upsert is idempotent by email; the task, the one write a retry could repeat,
      // is checked by its key first (a hand-off can repeat with the same reason in one run).
      const signal = attemptSignal();
      const ref = await providers.crm.upsertContact(contact(lead), { signal });
      const body = facts && decision ? briefingText({ lead, facts, decision, names }) : `Lead ${lead.email}: ${lead.message ?? ''}`;
      await providers.crm.createTask(
        {
          key: key(input.workflowId, `follow-up-${input.reason.replace(/\W+/g, '-').slice(0, 40)}`),
          contactEmail: lead.email,
          contact: ref,
          ownerEmail: ownerEmail(decision),
          title: `Follow up with ${lead.name ?? lead.email}: ${input.reason}`,
          body,
          dueAt: new Date(input.now + 86_400_000).toISOString(),
        },
        { signal },
      );
    },

    async recordDisqualified(input: { workflowId: string; lead: Lead; reason: string; quote: string | null }): Promise<void> {
      const signal = attemptSignal();
      const ref = await providers.crm.upsertContact(contact(input.lead), { signal });
      await providers.crm.addNote(
        {
          key: key(input.workflowId, 'disqualified'),
          contactEmail: input.lead.email,
          contact: ref,
          body: `Baton closed this lead as disqualified (${input.reason})${input.quote ? `: "${input.quote}"` : ''}. No meeting was booked.`,
        },
        { signal },
      );
    },
  };
}
