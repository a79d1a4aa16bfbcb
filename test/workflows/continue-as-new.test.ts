/**
 * A lead's history stays bounded: on the real dev server (which reports a run's history length to
 * the worker, as every Temporal server does), a lead that takes far more messages than it will read
 * continues as new, carrying where it stood, and still books.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { HISTORY_EVENTS_BOUND } from '../../workflows/lead/steps/continue';
import { EVENTS_KEPT, MAX_BUYER_MESSAGES } from '../../workflows/lead/state';
import { bookProposalUpdate, buyerMessageSignal, leadResubmittedSignal, statusQuery } from '../../workflows/lead/messages';
import { MAX_MESSAGE_CHARS } from '../../api/schemas';
import { devServerEnv } from '../helpers/dev-server';
import { awaiting, harness, handedOff, waitForStatus, type Harness } from '../helpers/harness';

let env: TestWorkflowEnvironment;
let h: Harness;
beforeAll(async () => {
  env = await devServerEnv();
  h = await harness(env);
});
afterAll(async () => {
  h?.cleanup();
  await env?.teardown();
});

/** Temporal refuses a query result over 2 MB (the server's blob size limit). */
const QUERY_LIMIT_BYTES = 2 * 1024 * 1024;

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
  }
  throw new Error('timed out');
}

describe('bounded history', () => {
  it('continues as new before the history grows long, keeping where it stood, and still books', { timeout: 240_000 }, async () => {
    await h.withWorker(async () => {
      const handle = await h.start({ email: `chatty-${Date.now()}@mercy.example`, name: 'Jane Park', message: 'We run a hospital network and need better scheduling.' });
      const offered = await waitForStatus(handle, awaiting);
      const firstRun = (await handle.describe()).runId;
      await handle.signal(leadResubmittedSignal, { message: 'a stranger resubmitted the form' });
      // Far more messages than a lead takes in: every signal still lands in a history.
      const texts = Array.from({ length: MAX_BUYER_MESSAGES + 1_000 }, (_, i) => `hmm ${i}`);
      for (let i = 0; i < texts.length; i += 50) await Promise.all(texts.slice(i, i + 50).map((text) => handle.signal(buyerMessageSignal, { text })));
      const latest = env.client.workflow.getHandle(handle.workflowId);
      const run = await waitFor(async () => {
        const d = await latest.describe();
        return d.runId !== firstRun && d.memo?.messageLimitReached ? d : undefined;
      });
      // The API reads the cap from the memo and states the limit (429 message_limit, details.limit).
      expect(run.memo).toMatchObject({ messageLimitReached: true, messageLimit: MAX_BUYER_MESSAGES });
      const s = await latest.query(statusQuery);
      expect(s.firstRunId).toBe(firstRun);
      expect(s.stage).toBe('awaiting_reply');
      expect(s.proposals).toEqual(offered.proposals);
      expect(s.events.length).toBeLessThanOrEqual(EVENTS_KEPT);
      expect(s.resubmissions, 'the rep\'s resubmission notes carry over').toEqual({ count: 1, notes: ['a stranger resubmitted the form'] });
      const previous = await env.client.workflow.getHandle(handle.workflowId, firstRun).describe();
      expect(previous.status.name).toBe('CONTINUED_AS_NEW');
      // It moved on because its history was long (signals still arriving land in the old run until it can).
      expect(previous.historyLength).toBeGreaterThanOrEqual(HISTORY_EVENTS_BOUND);
      expect(run.historyLength).toBeLessThan(HISTORY_EVENTS_BOUND);
      // Still a lead that books, on the carried proposals.
      const booked = await latest.executeUpdate(bookProposalUpdate, { args: [{ proposalId: s.proposals[0]!.id }] });
      expect(booked.outcome).toBe('booked');
      await waitForStatus(latest, handedOff);
    });
  });
});

describe('bounded query results', () => {
  it('a lead that took its maximum of the longest messages stays readable: its status stays well inside Temporal\'s 2 MB query limit', { timeout: 240_000 }, async () => {
    await h.withWorker(async () => {
      const handle = await h.start({ email: `verbose-${Date.now()}@mercy.example`, name: 'Jane Park', message: 'We run a hospital network and need better scheduling.' });
      await waitForStatus(handle, awaiting);
      // Every message as long as the API lets through: kept whole, they would add up to 2.5 MB.
      const longest = (i: number) => `${i} `.padEnd(MAX_MESSAGE_CHARS, 'long message ');
      expect(MAX_BUYER_MESSAGES * MAX_MESSAGE_CHARS).toBeGreaterThan(QUERY_LIMIT_BYTES);
      for (let i = 0; i < MAX_BUYER_MESSAGES; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => handle.signal(buyerMessageSignal, { text: longest(i + j) })));
      }
      const latest = env.client.workflow.getHandle(handle.workflowId);
      await waitFor(async () => ((await latest.describe()).memo?.messageLimitReached ? true : undefined));
      // Read once the workflow has taken in the last of them (its reply follows it).
      const s = await waitFor(async () => {
        const status = await latest.query(statusQuery);
        const last = status.events.findLastIndex((e) => e.message?.text === longest(MAX_BUYER_MESSAGES - 1));
        return last >= 0 && status.events.slice(last + 1).some((e) => e.message?.from === 'agent') ? status : undefined;
      });
      expect(s.events.length).toBeLessThanOrEqual(EVENTS_KEPT);
      expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThan(QUERY_LIMIT_BYTES / 2);
    });
  });
});
